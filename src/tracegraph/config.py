"""Global settings, read from the ``TRACEGRAPH_FLAGS`` environment variable at import.

``TRACEGRAPH_FLAGS`` holds comma-separated ``name=value`` pairs, as Theano's ``THEANO_FLAGS``::

    TRACEGRAPH_FLAGS=floatX=float32,mode=FAST_COMPILE python train.py
    TRACEGRAPH_FLAGS=linker=numpy,compiledir=/tmp/tg-cache python train.py
    TRACEGRAPH_FLAGS=device=cuda python train.py
    TRACEGRAPH_FLAGS=optimizer_excluding=stabilize:cse python train.py

Settings can also be changed at run time: ``tracegraph.config.floatX = "float32"``.
"""

from __future__ import annotations

import difflib
import os
import warnings
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING

_FLOAT_DTYPES = ("float32", "float64")
_MODES = ("FAST_RUN", "FAST_COMPILE")

_FIXED_CHOICES: dict[str, tuple[str, ...]] = {
    "floatX": _FLOAT_DTYPES,
    "mode": _MODES,
    "optimizer": ("fast_run", "fast_compile", "None"),
    "on_unused_input": ("raise", "warn", "ignore"),
    "exception_verbosity": ("low", "high"),
    "compute_test_value": ("off", "ignore", "warn", "raise", "pdb"),
    "warn_float64": ("ignore", "warn", "raise", "pdb"),
    "cast_policy": ("custom", "numpy+floatX"),
}
"""The values of the flags whose choices are fixed."""

NO_EFFECT: dict[str, str] = {
    "allow_gc": "memory is NumPy's (arrays are freed when unused)",
    "openmp": "the C backend always uses OpenMP; config.threads sets how many threads",
    "openmp_elemwise_minsize": "the C backend chooses when a loop uses threads",
    "cxx": "the C backend finds gcc or cc itself",
    "gcc__cxxflags": "the C backend's flags are fixed (backends/c/build.py)",
    "blas__ldflags": "the C backend's BLAS is scipy-openblas32, installed with tracegraph",
    "nvcc__fastmath": "the GPU backend is Triton, with NumPy's exact numerics",
    "lib__cnmem": "GPU memory is torch's",
    "gpuarray__preallocate": "GPU memory is torch's",
    "dnn__enabled": "the GPU backend is Triton (no cuDNN)",
    "dnn__conv__algo_fwd": "the GPU backend is Triton (no cuDNN)",
    "dnn__conv__algo_bwd_filter": "the GPU backend is Triton (no cuDNN)",
    "dnn__conv__algo_bwd_data": "the GPU backend is Triton (no cuDNN)",
    "print_active_device": "there is nothing to print",
    "deterministic": "every backend is deterministic",
    "optimizer_verbose": "no pass prints what it does",
    "optimizer_including": "every rewrite of the mode runs already",
    "on_opt_error": "a failing pass is always an error",
    "nocleanup": "the compile cache keeps what it compiled",
    "base_compiledir": "config.compiledir is the cache",
    "cmodule__warn_no_version": "compiled modules are keyed by their source",
    "cmodule__compilation_warning": "compiler warnings are not shown",
    "check_input": "inputs are always checked",
    "int_division": "integer / integer is NumPy's true division (a float)",
    "cycle_detection": "graphs are SSA (no cycles to detect)",
    "traceback__limit": "every op records the user's line",
    "numpy__seterr_all": "floating-point errors follow NumPy's defaults",
    "tensor__cmp_sloppy": "comparisons are exact",
    "reoptimize_unpickled_function": "an unpickled function is compiled again",
    "assert_no_cpu_op": "the GPU backend refuses what it cannot run on the device",
    "unittests__rseed": "tests seed their own generators",
    "warn__ignore_bug_before": "there are no old bugs to warn about",
    "scan__allow_gc": "memory is NumPy's",
    "pickle_test_value": "test values are not pickled",
    "metaopt__verbose": "there is no meta-optimizer",
    "magma__enabled": "linear algebra runs through LAPACK",
}
"""Theano's flags that tracegraph accepts and ignores (with a warning), and why they do nothing
here; a dotted name (``blas.ldflags``) is written with ``__`` as an attribute."""

_ACCEPTED_WITH_WARNING: dict[str, dict[object, str]] = {
    "cast_policy": {"numpy+floatX": "dtypes always follow NumPy 2's promotion"},
}
"""Values of supported flags that do nothing more here than the default, and why."""

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
    if flag in _FIXED_CHOICES:
        allowed = _FIXED_CHOICES[flag]
    elif flag in _choices:
        allowed = _choices[flag]()
    else:
        return
    if value not in allowed:
        raise ValueError(f"config.{flag} must be one of {allowed}, not {value!r}")
    why = _ACCEPTED_WITH_WARNING.get(flag, {}).get(value)
    if why is not None:
        warnings.warn(
            f"config.{flag}={value!r} does nothing more than the default here: {why}",
            UserWarning,
            stacklevel=3,
        )


def _unknown_flag(name: str) -> str:
    """The message for a flag tracegraph does not know, naming the closest known ones."""
    known = [f.name for f in fields(Config)] + list(NO_EFFECT)
    close = difflib.get_close_matches(name, known, n=2)
    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    return f"unknown flag {name!r}{hint}"


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
    optimizer: str = "fast_run"
    """The passes of ``FAST_RUN`` (and of ``Mode()``): ``"fast_run"`` (every pass),
    ``"fast_compile"`` (the stabilization only) or ``"None"`` (none: the traced graph)."""
    on_unused_input: str = "raise"
    """What ``function`` does with an input its outputs do not use, unless told:
    ``"raise"``, ``"warn"`` or ``"ignore"``."""
    exception_verbosity: str = "low"
    """``"high"``: a run-time error also prints the ops around the one that failed."""
    compute_test_value: str = "off"
    """Theano's test values: ``"off"``; else each op computes its value from the test values
    of its operands (``x.tag.test_value``) when it is built, so shape errors appear at the
    user's line; an operand without one is ignored (``"ignore"``), warned about (``"warn"``)
    or an error (``"raise"``, ``"pdb"``)."""
    warn_float64: str = "ignore"
    """What building a float64 variable does: nothing (``"ignore"``), warn (``"warn"``) or
    raise (``"raise"``, ``"pdb"``), to find the float64 in a float32 model."""
    cast_policy: str = "custom"
    quiet: bool = False
    profile: bool = False
    distributed_timeout: int = 600
    """Seconds a collective of a data-parallel job (``tracegraph.distributed``) waits for the
    other ranks before it ends the job with a message (a rank stuck or gone); 0: forever."""
    """Profile every function compiled (as ``function(..., profile=True)``): ``f.profile``
    holds the time per op and per step, and every profile is printed at exit."""
    """No progress line on the terminal for compiles that take more than a second."""
    cache_size_limit: int = 2048
    """Megabytes the C backend's compiled modules may take in ``compiledir``: past it, the
    modules used least recently are removed (0: no limit). ``python -m tracegraph cache
    info|prune`` shows and applies it."""
    dump_ir: str = ""
    """A directory: each function compiled writes every stage there, ``DIR/<name>/NN-<stage>``
    (``Function.dump_all``); empty (the default) writes nothing."""
    threads: int = 0
    """The threads of the C backend's parallel loops and of its BLAS products; 0 (the default)
    means ``OMP_NUM_THREADS`` where it is set, else one per core this process may use (its CPU
    affinity and its cgroup's CPU quota), so that the default never oversubscribes. A child
    process made by ``fork`` computes on one thread (OpenMP cannot start threads again there)."""

    def __post_init__(self) -> None:
        if not self.compiledir:
            self.compiledir = _default_compiledir()

    def __setattr__(self, name: str, value: object) -> None:
        if name not in _FIELD_NAMES:
            name = name.replace(".", "__")
            if name not in NO_EFFECT:
                raise AttributeError(f"config: {_unknown_flag(name)}")
            warnings.warn(
                f"config.{name}, one of Theano's flags, does nothing in tracegraph: "
                f"{NO_EFFECT[name]}",
                UserWarning,
                stacklevel=2,
            )
            _ignored[name] = value
            return
        _check(name, value)
        super().__setattr__(name, value)
        for callback in _observers.get(name, ()):
            callback()

    if not TYPE_CHECKING:  # mypy keeps rejecting attributes Config does not declare

        def __getattr__(self, name: str) -> object:
            # Only for names that are not fields: the ignored Theano flags set before.
            if name in _ignored:
                return _ignored[name]
            raise AttributeError(f"config: {_unknown_flag(name)}")


_FIELD_NAMES = frozenset(f.name for f in fields(Config))
_ignored: dict[str, object] = {}
"""The values given to the flags of ``NO_EFFECT``."""


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
    for name, value in parse_flags(os.environ.get("TRACEGRAPH_FLAGS", "")).items():
        name = name.replace(".", "__")
        if name not in _FIELD_NAMES:
            if name not in NO_EFFECT:
                raise ValueError(f"TRACEGRAPH_FLAGS: {_unknown_flag(name)}")
            setattr(config, name, value)  # warns that it does nothing here
        elif isinstance(getattr(config, name), bool):
            if value.lower() not in ("1", "0", "true", "false", "yes", "no"):
                raise ValueError(f"TRACEGRAPH_FLAGS: {name} must be true or false, not {value!r}")
            setattr(config, name, value.lower() in ("1", "true", "yes"))
        elif isinstance(getattr(config, name), int):
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
