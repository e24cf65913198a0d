"""Compilation modes: which passes run and which backend (*linker*) runs the result.

``"FAST_RUN"`` (the default, ``config.mode``) runs every pass and uses ``config.linker``:
``"c"`` (the default: the C backend, or the reference backend with a warning when no C compiler
works) or ``"numpy"`` (the NumPy reference backend). ``"FAST_COMPILE"`` runs the reference
backend and, of the passes, only the stabilization (``log(sigmoid(x))`` is ``-softplus(-x)``,
finite, in every mode); only an explicit ``Mode(optimizer=None)`` leaves the traced graph
alone. A mode can leave out passes (``"canonicalize"``, ``"stabilize"``, ``"cse"``,
``"dce"``...) or single rewrite patterns by name: ``Mode().excluding("cse")``, the string
``"FAST_RUN:optimizer_excluding=cse:PowTwoToMul"``, or for every mode the flag
``TRACEGRAPH_FLAGS=optimizer_excluding=cse``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from tracegraph.config import config
from tracegraph.passes.pipeline import optimizer_passes


@dataclass(frozen=True)
class Mode:
    """A compilation mode: ``optimizer`` is ``"fast_run"`` (every pass), ``"fast_compile"``
    (the stabilization only) or ``None`` (no pass: the traced graph as written);
    ``excluding("name")`` drops named passes, as Theano's ``optimizer_excluding``; ``linker``
    is ``"c"``, ``"numpy"`` or ``None`` (``config.linker``).

    >>> Mode().excluding("cse").excluded
    frozenset({'cse'})
    """

    linker: str | None = None
    optimizer: str | None = "fast_run"
    excluded: frozenset[str] = field(default_factory=frozenset)
    name: str = "custom"

    def __post_init__(self) -> None:
        optimizer_passes(self.optimizer)  # raises ValueError for an unknown optimizer

    def excluding(self, *names: str) -> Mode:
        """This mode without the named passes."""
        return replace(self, excluded=self.excluded | frozenset(names))


FAST_RUN = Mode(linker=None, optimizer="fast_run", name="FAST_RUN")
FAST_COMPILE = Mode(linker="numpy", optimizer="fast_compile", name="FAST_COMPILE")
_PREDEFINED = {"FAST_RUN": FAST_RUN, "FAST_COMPILE": FAST_COMPILE}


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
            f"unknown mode {mode!r}; use 'FAST_RUN', 'FAST_COMPILE' (optionally followed by "
            "':optimizer_excluding=name:name'), or a Mode"
        )
    chosen = _PREDEFINED[name]
    if options:
        key, _, names = options.partition("=")
        if key != "optimizer_excluding" or not names:
            raise ValueError(
                f"mode {mode!r}: after the mode name, only 'optimizer_excluding=name:name' "
                "is understood"
            )
        chosen = chosen.excluding(*names.split(":"))
    return chosen


LINKERS = ("c", "numpy")


def linker_of(mode: Mode) -> str:
    """The backend ``mode`` runs functions on: its linker, or ``config.linker``.

    >>> linker_of(FAST_COMPILE)
    'numpy'
    """
    linker = mode.linker if mode.linker is not None else config.linker
    if linker not in LINKERS:
        raise ValueError(f"unknown linker {linker!r}; linkers are {', '.join(LINKERS)}")
    return linker


def excluded_passes(mode: Mode) -> frozenset[str]:
    """What ``mode`` leaves out, with the ``optimizer_excluding`` flag added.

    >>> sorted(excluded_passes(get_mode("FAST_RUN:optimizer_excluding=cse:dce")))
    ['cse', 'dce']
    """
    flag = frozenset(name for name in config.optimizer_excluding.split(":") if name)
    return mode.excluded | flag
