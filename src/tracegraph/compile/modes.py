"""Compilation modes: which passes run and which backend runs the result.

``"FAST_RUN"`` (the default, ``config.mode``) optimizes and uses the fastest backend available;
``"FAST_COMPILE"`` skips optimizations and runs the NumPy reference backend.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from tracegraph.config import config


@dataclass(frozen=True)
class Mode:
    """A compilation mode: ``Mode(optimizer=None)`` runs no passes; ``excluding("name")``
    drops named passes, as Theano's ``optimizer_excluding``.

    >>> Mode().excluding("cse").excluded
    frozenset({'cse'})
    """

    linker: str = "numpy"
    optimizer: str | None = "fast_run"
    excluded: frozenset[str] = field(default_factory=frozenset)
    name: str = "custom"

    def excluding(self, *names: str) -> Mode:
        """This mode without the named passes."""
        return replace(self, excluded=self.excluded | frozenset(names))


FAST_RUN = Mode(linker="numpy", optimizer="fast_run", name="FAST_RUN")
FAST_COMPILE = Mode(linker="numpy", optimizer=None, name="FAST_COMPILE")
_PREDEFINED = {"FAST_RUN": FAST_RUN, "FAST_COMPILE": FAST_COMPILE}


def get_mode(mode: str | Mode | None) -> Mode:
    """The ``Mode`` for a ``mode=`` argument (``None`` means ``config.mode``).

    >>> get_mode("FAST_COMPILE").optimizer is None
    True
    """
    if mode is None:
        mode = config.mode
    if isinstance(mode, Mode):
        return mode
    if mode in _PREDEFINED:
        return _PREDEFINED[mode]
    raise ValueError(f"unknown mode {mode!r}; use 'FAST_RUN', 'FAST_COMPILE' or a Mode")
