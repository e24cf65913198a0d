"""tracegraph's dialects and passes for xDSL's own tools: ``xdsl-opt`` finds them through the
``xdsl.universe`` entry point (``pyproject.toml``), so it parses, verifies, prints and
rewrites any dump of tracegraph (``f.dump_ir(stage)``) without tracegraph's own driver.

The passes carry a ``tg-`` prefix there (``tg-canonicalize``, ``tg-stabilize``, ``tg-expand``,
``tg-fuse``, ``tg-grad``, ``tg-lower``): xDSL has passes named ``canonicalize``, ``cse`` and
``dce`` of its own (its ``cse`` and ``dce`` are the ones tracegraph runs).

>>> sorted(TRACEGRAPH_UNIVERSE.all_dialects)
['tg', 'tgk']
>>> "tg-canonicalize" in TRACEGRAPH_UNIVERSE.all_passes
True
"""

from __future__ import annotations

from collections.abc import Callable

from xdsl.ir import Dialect
from xdsl.passes import ModulePass
from xdsl.universe import Universe

from tracegraph.gradient.module_pass import GradPass
from tracegraph.ir.dialect import TG
from tracegraph.lowering import LowerPass
from tracegraph.lowering.dialect import TGK
from tracegraph.passes.pipeline import PASSES

_XDSL_HAS_THEM = ("cse", "dce")
"""Passes of the pipeline that are xDSL's own (``xdsl-opt`` has them already)."""


def _prefixed(cls: type[ModulePass]) -> type[ModulePass]:
    """``cls`` under the name ``tg-<name>`` (xDSL checks a pass's name against its spec)."""
    if cls.name.startswith("tg-"):
        return cls
    return type(f"Tg{cls.__name__}", (cls,), {"name": f"tg-{cls.name}", "__doc__": cls.__doc__})


def _passes() -> dict[str, Callable[[], type[ModulePass]]]:
    chosen = [cls for name, cls in PASSES.items() if name not in _XDSL_HAS_THEM]
    classes = [_prefixed(cls) for cls in (*chosen, GradPass, LowerPass)]  # type: ignore[arg-type]
    return {cls.name: _factory(cls) for cls in classes}


def _factory(cls: type[ModulePass]) -> Callable[[], type[ModulePass]]:
    return lambda: cls


def _dialect(dialect: Dialect) -> Callable[[], Dialect]:
    return lambda: dialect


TRACEGRAPH_UNIVERSE = Universe(
    all_dialects={"tg": _dialect(TG), "tgk": _dialect(TGK)},
    all_passes=_passes(),
)
"""What ``xdsl-opt`` loads from tracegraph."""
