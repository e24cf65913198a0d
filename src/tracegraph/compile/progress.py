"""Feedback on a long ``function()``: after :data:`QUIET_SECONDS` a line on the terminal says
what the compile is doing (its stages, rewritten in place), then how long it took. Nothing is
written when standard error is not a terminal or when ``config.quiet`` is set."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from tracegraph.config import config

CLEAR_LINE = "\r\x1b[K"
"""Back to the start of the line, erased (the line is rewritten in place)."""
QUIET_SECONDS = 1.0
"""How long a compile runs before it says anything."""


class Progress:
    """The progress line of one compile: :meth:`stage` names what it does now."""

    def __init__(self, name: str, stream: TextIO, after: float = QUIET_SECONDS):
        self._name = name
        self._stream = stream
        self._stage = "tracing"
        self._start = time.monotonic()
        self._shown = False
        self._lock = threading.Lock()
        self._timer = threading.Timer(after, self._show)
        self._timer.daemon = True

    def start(self) -> None:
        self._timer.start()

    def stage(self, what: str) -> None:
        """The compile moved on to ``what``."""
        with self._lock:
            self._stage = what
            if self._shown:
                self._write()

    def _show(self) -> None:
        with self._lock:
            self._shown = True
            self._write()

    def _write(self) -> None:
        elapsed = time.monotonic() - self._start
        self._stream.write(
            f"\r\x1b[Ktracegraph: compiling {self._name}: {self._stage} ({elapsed:.0f} s)"
        )
        self._stream.flush()

    def finish(self) -> None:
        self._timer.cancel()
        with self._lock:
            if self._shown:
                elapsed = time.monotonic() - self._start
                self._stream.write(
                    f"\r\x1b[Ktracegraph: compiled {self._name} in {elapsed:.1f} s\n"
                )
                self._stream.flush()


class _Silent(Progress):
    def __init__(self) -> None:
        pass

    def start(self) -> None:
        pass

    def stage(self, what: str) -> None:
        pass

    def finish(self) -> None:
        pass


@contextmanager
def progress(name: str | None) -> Iterator[Progress]:
    """The progress of compiling function ``name``: shown on a terminal after
    :data:`QUIET_SECONDS`, else silent.

    >>> with progress("f") as shown:
    ...     shown.stage("passes")
    """
    stream = sys.stderr
    if config.quiet or not (hasattr(stream, "isatty") and stream.isatty()):
        yield _Silent()
        return
    shown = Progress(name or "a function", stream)
    shown.start()
    try:
        yield shown
    finally:
        shown.finish()
