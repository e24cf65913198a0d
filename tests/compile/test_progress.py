"""The progress line of a long compile: on a terminal, after a second, it says what the compile
does and then how long it took; nothing on a pipe or with ``config.quiet``."""

from __future__ import annotations

import io
import time

import pytest

from tracegraph import config
from tracegraph.compile import progress as progress_module
from tracegraph.compile.progress import Progress, progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_slow_compile_says_what_it_does(monkeypatch: pytest.MonkeyPatch) -> None:
    stream = Terminal()
    shown = Progress("train", stream, after=0.01)
    shown.start()
    deadline = time.monotonic() + 60  # the timer's thread can start late on a busy machine
    while "compiling train: tracing" not in stream.getvalue():
        assert time.monotonic() < deadline
        time.sleep(0.01)
    shown.stage("rewriting the graph")
    shown.finish()
    text = stream.getvalue()
    assert "tracegraph: compiling train: tracing" in text
    assert "tracegraph: compiling train: rewriting the graph" in text
    assert text.endswith("s\n") and "tracegraph: compiled train in " in text


def test_a_quick_compile_says_nothing() -> None:
    stream = Terminal()
    shown = Progress("f", stream, after=10.0)
    shown.start()
    shown.finish()
    assert stream.getvalue() == ""


@pytest.mark.parametrize("quiet", [True, False])
def test_silent_when_quiet_or_not_on_a_terminal(
    quiet: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    stream = Terminal() if quiet else io.StringIO()
    monkeypatch.setattr(progress_module.sys, "stderr", stream)
    monkeypatch.setattr(config, "quiet", quiet)
    monkeypatch.setattr(progress_module, "QUIET_SECONDS", 0.0)
    with progress("f") as shown:
        time.sleep(0.05)
        shown.stage("passes")
    assert stream.getvalue() == ""
