"""What a target runs: the capabilities a backend declares, which ``lower`` consults.

A backend registers one ``Target`` per name (the C backend: ``c``) when its package is
imported; ``target(name)`` imports ``tracegraph.backends.<name>`` on first use, so a pass
pipeline that names ``lower{target=c}`` finds it without importing every backend. A target
says which ``tg`` ops it computes inside a loop nest, the dtypes of its BLAS products and of the
indices it reads natively, whether it has MRG31k3p draws, and whether an op it has no kernel for
may run its reference kernel on the host; lowering never plans a host call for a target that
forbids them (a device target): it raises, naming the op and the user's line.
"""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Callable
from dataclasses import dataclass

from xdsl.ir import Operation

from tracegraph.errors import UnsupportedOperationError
from tracegraph.ir.location import format_location


@dataclass(frozen=True)
class Target:
    """The capabilities of one backend's code.

    >>> toy = Target("toy", lambda op: True, blas_dtypes=(), index_dtypes=())
    >>> toy.host_calls, toy.mrg_draws
    (True, False)
    """

    name: str
    computes_in_loops: Callable[[Operation], bool]
    """Whether a loop nest of this target computes ``op`` (an elementwise op or a reduction)
    per element."""
    blas_dtypes: tuple[str, ...]
    """The float dtypes of ``tg.dot`` products its BLAS computes (others run elsewhere)."""
    index_dtypes: tuple[str, ...]
    """The dtypes of the indices whose every value its element reads hold."""
    mrg_draws: bool = False
    """Whether it draws MRG31k3p numbers itself."""
    host_calls: bool = True
    """Whether an op it has no kernel for may run its reference kernel on the host."""
    parallel_threshold: int | None = None
    """The number of elements at or below which a loop never runs on several threads, so
    lowering does not mark it ``parallel`` (``None``: no loop is); a backend may still keep a
    larger loop on one thread at run time (the C target weighs each element's cost)."""


_TARGETS: dict[str, Target] = {}


def register_target(target: Target) -> None:
    """Make ``target`` known to ``lower`` under its name (a later one replaces it)."""
    _TARGETS[target.name] = target


def target(name: str) -> Target:
    """The target called ``name``; raises ``ValueError`` naming the known ones.

    >>> target("c").blas_dtypes
    ('float32', 'float64')
    """
    if name not in _TARGETS:
        with contextlib.suppress(ImportError):
            importlib.import_module(f"tracegraph.backends.{name}")
    if name not in _TARGETS:
        known = ", ".join(sorted(_TARGETS)) or "none"
        raise ValueError(f"unknown lowering target {name!r} (known: {known})")
    return _TARGETS[name]


def refuse_host_call(op: Operation, target_name: str) -> UnsupportedOperationError:
    """The error for an op a target can neither run nor hand to the host."""
    return UnsupportedOperationError(
        f"{op.name} at {format_location(op.location)}: the {target_name} target has no kernel "
        "for this op and runs nothing on the host"
    )
