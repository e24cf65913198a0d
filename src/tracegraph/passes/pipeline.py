"""The pass pipeline of ``function``: named stages, each a list of xDSL module passes.

Each stage's result is kept so that ``f.dump_ir(stage)`` can show it. The stages exist now
with no rewrites yet in them (canonicalization, stabilization and fusion fill them in); a
stage that changes nothing shares its module with the one before.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass

from tracegraph.ir.dialect import make_context

STAGES: tuple[str, ...] = ("traced", "canonicalized", "stabilized", "final")
"""Every stage name ``dump_ir`` accepts, in pipeline order."""

PIPELINE: dict[str, Sequence[ModulePass]] = {
    "canonicalized": (),
    "stabilized": (),
    "final": (),
}
"""The passes of each stage after ``traced``."""


def run_pipeline(
    module: ModuleOp, *, optimize: bool = True, excluded: Collection[str] = ()
) -> dict[str, ModuleOp]:
    """Run every stage on ``module`` (not modified); return the module after each stage."""
    context: Context = make_context()
    stages: dict[str, ModuleOp] = {"traced": module}
    current = module
    for stage, passes in PIPELINE.items():
        selected = [p for p in passes if optimize and p.name not in excluded]
        if selected:
            current = current.clone()
            for module_pass in selected:
                module_pass.apply(context, current)
        stages[stage] = current
    return stages
