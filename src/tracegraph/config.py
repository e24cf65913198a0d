"""Global settings, read from the ``TRACEGRAPH_FLAGS`` environment variable at import.

``TRACEGRAPH_FLAGS`` holds comma-separated ``name=value`` pairs, as Theano's ``THEANO_FLAGS``::

    TRACEGRAPH_FLAGS=floatX=float32,mode=FAST_COMPILE python train.py
    TRACEGRAPH_FLAGS=linker=numpy,compiledir=/tmp/tg-cache python train.py
    TRACEGRAPH_FLAGS=device=cuda python train.py
    TRACEGRAPH_FLAGS=optimizer_excluding=stabilize:cse python train.py

Settings can also be changed at run time: ``tracegraph.config.floatX = "float32"``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path

_FLOAT_DTYPES = ("float32", "float64")
_MODES = ("FAST_RUN", "FAST_COMPILE")

_choices: dict[str, Callable[[], tuple[str, ...]]] = {}
"""The flags whose choices a layer above gives (the backend registry: ``linker``, ``device``),
by flag: config imports nothing of tracegraph, so they are registered here."""

_observers: dict[str, list[Callable[[], None]]] = {}
"""What a layer above does when a flag changes (the C backend: ``threads``), by flag."""


def observe(flag: str, callback: Callable[[], None]) -> None:
    """Call ``callback()`` each time ``config.<flag>`` is assigned from now on (config imports
    nothing of tracegraph: a layer that must act on a flag registers here).

    >>> seen = []
    >>> observe("optimizer_excluding", lambda: seen.append(config.optimizer_excluding))
    >>> config.optimizer_excluding = ""
    >>> seen
    ['']
    >>> _observers["optimizer_excluding"].clear()
    """
    _observers.setdefault(flag, []).append(callback)


def register_choices(flag: str, choices: Callable[[], tuple[str, ...]]) -> None:
    """Let ``choices()`` be the values ``config.<flag>`` takes from now on, and check the value
    it has (read from ``TRACEGRAPH_FLAGS`` before the choices were known)."""
    _choices[flag] = choices
    _check(flag, getattr(config, flag))


def _check(flag: str, value: object) -> None:
    if flag == "threads":
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ValueError(
                f"config.threads must be a whole number >= 0 (0: one per core), not {value!r}"
            )
        return
    fixed: dict[str, tuple[str, ...]] = {"floatX": _FLOAT_DTYPES, "mode": _MODES}
    if flag in fixed:
        allowed = fixed[flag]
    elif flag in _choices:
        allowed = _choices[flag]()
    else:
        return
    if value not in allowed:
        raise ValueError(f"config.{flag} must be one of {allowed}, not {value!r}")


def _default_compiledir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return str(Path(base) / "tracegraph")


@dataclass
class Config:
    """The settings object behind ``tracegraph.config``.

    >>> from tracegraph import config
    >>> config.floatX
    'float64'
    """

    floatX: str = "float64"
    mode: str = "FAST_RUN"
    linker: str = "c"
    """The backend of ``FAST_RUN`` on the CPU: ``"c"`` (generated C) or ``"numpy"`` (the
    reference), or another name of the backend registry (``tracegraph.backends.registry``)."""
    device: str = "cpu"
    """Where functions run: ``"cpu"`` (on the linker's backend) or ``"cuda"`` (on the Triton
    backend, installed by the ``gpu`` extra; without a GPU its kernels run under Triton's
    interpreter, for testing)."""
    compiledir: str = ""
    optimizer_excluding: str = ""
    """Colon-separated passes or patterns every mode leaves out (Theano's flag of that name)."""
    threads: int = 0
    """The threads of the C backend's parallel loops and of its BLAS products; 0 (the default)
    means ``OMP_NUM_THREADS`` where it is set, else one per core this process may use (its CPU
    affinity and its cgroup's CPU quota), so that the default never oversubscribes. A child
    process made by ``fork`` computes on one thread (OpenMP cannot start threads again there)."""

    def __post_init__(self) -> None:
        if not self.compiledir:
            self.compiledir = _default_compiledir()

    def __setattr__(self, name: str, value: object) -> None:
        _check(name, value)
        super().__setattr__(name, value)
        for callback in _observers.get(name, ()):
            callback()


def parse_flags(text: str) -> dict[str, str]:
    """Parse ``TRACEGRAPH_FLAGS`` text into a dict.

    >>> parse_flags("floatX=float32, mode=FAST_COMPILE")
    {'floatX': 'float32', 'mode': 'FAST_COMPILE'}
    """
    flags: dict[str, str] = {}
    for item in text.split(","):
        item = item.strip()
        if not item:
            continue
        name, sep, value = item.partition("=")
        if not sep:
            raise ValueError(f"TRACEGRAPH_FLAGS: expected name=value, got {item!r}")
        flags[name.strip()] = value.strip()
    return flags


def _from_environment() -> Config:
    config = Config()
    known = {f.name for f in fields(Config)}
    for name, value in parse_flags(os.environ.get("TRACEGRAPH_FLAGS", "")).items():
        if name not in known:
            raise ValueError(f"TRACEGRAPH_FLAGS: unknown flag {name!r}; known: {sorted(known)}")
        if isinstance(getattr(config, name), int):
            try:
                number = int(value)
            except ValueError:
                raise ValueError(
                    f"TRACEGRAPH_FLAGS: {name} must be a whole number, not {value!r}"
                ) from None
            setattr(config, name, number)
        else:
            setattr(config, name, value)
    return config


config = _from_environment()
