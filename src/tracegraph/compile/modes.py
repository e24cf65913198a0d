"""Compilation modes: which passes run and which backend (*linker*) runs the result.

``"FAST_RUN"`` (the default, ``config.mode``) runs every pass and uses ``config.linker``:
``"c"`` (the default: the C backend, or the reference backend with a warning when no C compiler
works) or ``"numpy"`` (the NumPy reference backend); a linker is any name of the backend
registry (``tracegraph.backends.registry``), Theano's ``"py"``, ``"c|py"``, ``"cvm"`` and
``"vm"`` included. ``config.device`` other than ``"cpu"`` runs every mode on that device's
backend. ``"FAST_COMPILE"`` runs the reference backend and, of the passes, only the
stabilization (``log(sigmoid(x))`` is ``-softplus(-x)``, finite, in every mode); only an
explicit ``Mode(optimizer=None)`` leaves the traced graph alone. A mode can leave out passes
(``"canonicalize"``, ``"stabilize"``, ``"cse"``, ``"dce"``...) or single rewrite patterns by
name: ``Mode().excluding("cse")``, the string ``"FAST_RUN:optimizer_excluding=cse:PowTwoToMul"``,
or for every mode the flag ``TRACEGRAPH_FLAGS=optimizer_excluding=cse``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from tracegraph.backends.registry import describe_names, linker_names
from tracegraph.config import config
from tracegraph.passes.pipeline import optimizer_passes


def _check_linker(linker: str) -> str:
    if linker not in linker_names():
        raise ValueError(f"unknown linker {linker!r}; backends are {describe_names()}")
    return linker


@dataclass(frozen=True)
class Mode:
    """A compilation mode: ``optimizer`` is ``"fast_run"`` (every pass), ``"fast_compile"``
    (the stabilization only) or ``None`` (no pass: the traced graph as written);
    ``excluding("name")`` drops named passes, as Theano's ``optimizer_excluding``; ``linker``
    is ``"c"``, ``"numpy"``, another name of the backend registry, or ``None``
    (``config.linker``).

    >>> Mode().excluding("cse").excluded
    frozenset({'cse'})
    >>> Mode(linker="banana")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: unknown linker 'banana'; backends are c (also c|py, cvm, vm), reference ...
    """

    linker: str | None = None
    optimizer: str | None = "fast_run"
    excluded: frozenset[str] = field(default_factory=frozenset)
    name: str = "custom"
    monitor: tuple[Any, Any] | None = None
    """Theano's ``MonitorMode`` hooks ``(pre_func, post_func)`` (see :func:`MonitorMode`)."""
    nan_guard: bool | frozenset[str] = False
    """Run on the reference backend and raise at the first op whose result holds a NaN or an
    infinity (``True``), or what the set names of ``"nan"``, ``"inf"``, ``"big"``
    (Theano's ``NanGuardMode``)."""
    debug: bool = False
    """Check every op on the chosen backend against the reference (Theano's ``DebugMode``)."""
    tolerance: tuple[float, float] | None = None
    """``DebugMode``'s ``(rtol, atol)`` for floats; None: Theano's, by dtype."""

    def __post_init__(self) -> None:
        optimizer_passes(self.optimizer)  # raises ValueError for an unknown optimizer
        if self.linker is not None:
            _check_linker(self.linker)
        checks = frozenset({"nan", "inf"}) if self.nan_guard is True else self.nan_guard
        if checks and not checks <= {"nan", "inf", "big"}:
            raise ValueError(f"nan_guard checks 'nan', 'inf' and 'big', not {sorted(checks)}")
        object.__setattr__(self, "nan_guard", checks or False)

    def guarded(self) -> frozenset[str]:
        """What ``NanGuardMode`` checks in this mode (empty: nothing)."""
        return self.nan_guard if isinstance(self.nan_guard, frozenset) else frozenset()

    def excluding(self, *names: str) -> Mode:
        """This mode without the named passes."""
        return replace(self, excluded=self.excluded | frozenset(names))


FAST_RUN = Mode(linker=None, optimizer="fast_run", name="FAST_RUN")
FAST_COMPILE = Mode(linker="numpy", optimizer="fast_compile", name="FAST_COMPILE")


def NanGuardMode(
    nan_is_error: bool = True, inf_is_error: bool = True, big_is_error: bool = False
) -> Mode:
    """Theano's ``NanGuardMode``: every op of the optimized graph (not fused, so that each is
    checked) on the reference backend, raising at the first whose result holds a NaN, an
    infinity or (``big_is_error``) a magnitude above 1e10, naming it and the user's line.

    >>> NanGuardMode().guarded() == {"nan", "inf"}
    True
    """
    checks = {"nan"} if nan_is_error else set()
    checks |= {"inf"} if inf_is_error else set()
    checks |= {"big"} if big_is_error else set()
    return Mode(
        linker="numpy",
        optimizer="fast_run",
        excluded=frozenset({"fuse"}),
        name="NanGuardMode",
        nan_guard=frozenset(checks) or False,
    )


def DebugMode(
    linker: str | None = None, rtol: float | None = None, atol: float | None = None
) -> Mode:
    """Theano's ``DebugMode``: every op of the optimized, unfused graph run on the reference
    backend and, alone, on the chosen backend (``linker``; None: ``config.linker``, or
    ``config.device``'s backend), then the whole fused function on the chosen backend; the
    first result that differs raises :class:`~tracegraph.errors.DebugModeError`, naming the op
    and the user's line. Floats agree within ``rtol`` and ``atol`` (None: Theano's tolerances
    for the dtype, 1e-5 and 1e-8 for float64); integers exactly. Slow: for finding a wrong
    number, not for training.

    >>> import tracegraph, tracegraph.tensor as T
    >>> x = T.dvector('x')
    >>> tracegraph.function([x], x * 2, mode=DebugMode(linker="c"))([1.0, 2.0])
    array([2., 4.])
    """
    tolerance = None
    if rtol is not None or atol is not None:
        tolerance = (1e-5 if rtol is None else rtol, 1e-8 if atol is None else atol)
    return Mode(
        linker=linker,
        optimizer="fast_run",
        excluded=frozenset({"fuse"}),
        name="DebugMode",
        debug=True,
        tolerance=tolerance,
    )


def MonitorMode(pre_func: Any = None, post_func: Any = None) -> Mode:
    """Theano's ``MonitorMode``: every op of the optimized, unfused graph on the reference
    backend, ``pre_func(i, node, fn)`` called before each and ``post_func(i, node, fn)`` after
    (``node``: the op; ``fn.inputs`` and ``fn.outputs``: its values in one-element lists).

    >>> import tracegraph, tracegraph.tensor as T
    >>> x = T.dscalar('x')
    >>> def show(i, node, fn):
    ...     print(i, node.name, [v[0] for v in fn.inputs], [v[0] for v in fn.outputs])
    >>> f = tracegraph.function([x], 5 * x, mode=MonitorMode(post_func=show))
    >>> f(3.0)
    0 tg.mul [array(5, dtype=int8), array(3.)] [array(15.)]
    array(15.)
    """
    return Mode(
        linker="numpy",
        optimizer="fast_run",
        excluded=frozenset({"fuse"}),
        name="MonitorMode",
        monitor=(pre_func, post_func),
    )


_PREDEFINED = {
    "FAST_RUN": FAST_RUN,
    "FAST_COMPILE": FAST_COMPILE,
    "NanGuardMode": NanGuardMode(),
    "DebugMode": DebugMode(),
}


def get_mode(mode: str | Mode | None) -> Mode:
    """The ``Mode`` for a ``mode=`` argument (``None`` means ``config.mode``).

    >>> get_mode("FAST_COMPILE").optimizer
    'fast_compile'
    """
    if mode is None:
        mode = config.mode
    if isinstance(mode, Mode):
        return mode
    name, _, options = mode.partition(":")
    if name not in _PREDEFINED:
        raise ValueError(
            f"unknown mode {mode!r}; use 'FAST_RUN', 'FAST_COMPILE', 'NanGuardMode', 'DebugMode' "
            "(optionally "
            "followed by ':optimizer_excluding=name:name'), or a Mode"
        )
    chosen = _PREDEFINED[name]
    if chosen is FAST_RUN and config.optimizer != "fast_run":
        # Theano's optimizer flag: the passes of the default mode.
        optimizer = None if config.optimizer == "None" else config.optimizer
        chosen = replace(chosen, optimizer=optimizer)
    if options:
        key, _, names = options.partition("=")
        if key != "optimizer_excluding" or not names:
            raise ValueError(
                f"mode {mode!r}: after the mode name, only 'optimizer_excluding=name:name' "
                "is understood"
            )
        chosen = chosen.excluding(*names.split(":"))
    return chosen


def linker_of(mode: Mode) -> str:
    """The backend ``mode`` runs functions on (on the CPU): its linker, or ``config.linker``.

    >>> linker_of(FAST_COMPILE)
    'numpy'
    """
    return _check_linker(mode.linker if mode.linker is not None else config.linker)


def excluded_passes(mode: Mode) -> frozenset[str]:
    """What ``mode`` leaves out, with the ``optimizer_excluding`` flag added.

    >>> sorted(excluded_passes(get_mode("FAST_RUN:optimizer_excluding=cse:dce")))
    ['cse', 'dce']
    """
    flag = frozenset(name for name in config.optimizer_excluding.split(":") if name)
    return mode.excluded | flag
