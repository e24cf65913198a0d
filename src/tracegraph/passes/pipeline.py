"""The pass pipeline of ``function``: named stages, each a list of xDSL module passes.

Each stage's result is kept so that ``f.dump_ir(stage)`` can show it; a stage that changes
nothing shares its module with the one before. An *optimizer* (``OPTIMIZERS``) selects the
passes that run: ``"fast_run"`` all of them; ``"fast_compile"`` only the stabilization, which
turns an overflow or a cancellation into the right finite answer (a wrong number is worse than
a slow one), and ``None`` none. ``excluded`` names passes (``"cse"``, ``"stabilize"``...) or
single patterns (``"PowTwoToMul"``) to leave out, as Theano's ``optimizer_excluding``.
"""

from __future__ import annotations

from collections.abc import Collection

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass
from xdsl.transforms.common_subexpression_elimination import CommonSubexpressionElimination
from xdsl.transforms.dead_code_elimination import DeadCodeElimination

from tracegraph.ir.dialect import make_context
from tracegraph.passes.canonicalize import CanonicalizePass
from tracegraph.passes.collectives import BucketAllReducePass
from tracegraph.passes.expand import ExpandPass
from tracegraph.passes.fusion import FusionPass
from tracegraph.passes.patterns import PatternPass
from tracegraph.passes.stabilize import StabilizePass

STAGES: tuple[str, ...] = ("traced", "canonicalized", "stabilized", "final")
"""Every stage name ``dump_ir`` accepts, in pipeline order."""


PIPELINE: dict[str, tuple[type[ModulePass], ...]] = {
    "canonicalized": (CanonicalizePass, DeadCodeElimination),
    "stabilized": (
        StabilizePass,
        CanonicalizePass,
        CommonSubexpressionElimination,
        DeadCodeElimination,
    ),
    "final": (ExpandPass, BucketAllReducePass, FusionPass, DeadCodeElimination),
}
"""The passes of each stage after ``traced``."""

PASSES: dict[str, type[ModulePass]] = {
    cls.name: cls
    for cls in (
        CanonicalizePass,
        StabilizePass,
        CommonSubexpressionElimination,
        DeadCodeElimination,
        ExpandPass,
        BucketAllReducePass,
        FusionPass,
    )
}
"""Every pass of the pipeline by name (``tracegraph-opt`` and ``Mode.excluding`` use these)."""


OPTIMIZERS: dict[str, frozenset[str]] = {
    "fast_run": frozenset(PASSES),
    "fast_compile": frozenset({StabilizePass.name, DeadCodeElimination.name}),
}
"""The passes each optimizer runs (a ``Mode``'s ``optimizer``; ``None`` runs none)."""


def optimizer_passes(optimizer: str | None) -> frozenset[str]:
    """The names of the passes ``optimizer`` runs.

    >>> sorted(optimizer_passes("fast_compile"))
    ['dce', 'stabilize']
    """
    if optimizer is None:
        return frozenset()
    if optimizer not in OPTIMIZERS:
        raise ValueError(
            f"unknown optimizer {optimizer!r}; optimizers are "
            f"{', '.join(sorted(OPTIMIZERS))} and None"
        )
    return OPTIMIZERS[optimizer]


def pattern_names() -> set[str]:
    """The names of every rewrite pattern of the pipeline's passes."""
    return {
        pattern.__name__
        for cls in PASSES.values()
        if issubclass(cls, PatternPass)
        for pattern in cls.PATTERNS
    }


def make_pass(cls: type[ModulePass], excluded: Collection[str] = ()) -> ModulePass:
    """An instance of a pipeline pass, leaving out the excluded patterns."""
    if issubclass(cls, PatternPass):
        return cls(excluded=",".join(sorted(excluded)))
    return cls()


def run_pipeline(
    module: ModuleOp,
    *,
    optimizer: str | None = "fast_run",
    excluded: Collection[str] = (),
    keep: Collection[str] = STAGES,
    in_place: bool = False,
) -> dict[str, ModuleOp]:
    """Run every stage on ``module`` with the passes of ``optimizer``; return the module after
    ``"traced"``, ``"final"`` and each stage in ``keep`` (keeping an intermediate stage costs a
    copy). ``module`` is not modified, unless ``in_place``: then the passes rewrite it, saving
    the copy, and ``"traced"`` is not returned (``module`` is no longer it)."""
    unknown = set(excluded) - set(PASSES) - pattern_names()
    if unknown:
        raise ValueError(
            f"unknown passes or patterns to exclude: {', '.join(sorted(unknown))}; passes are "
            f"{', '.join(sorted(PASSES))}"
        )
    running = optimizer_passes(optimizer)
    context: Context = make_context()
    stages: dict[str, ModuleOp] = {} if in_place else {"traced": module}
    current, copied = module, in_place
    last = STAGES[-1]
    for stage, passes in PIPELINE.items():
        selected = [cls for cls in passes if cls.name in running and cls.name not in excluded]
        if selected and not copied:
            current, copied = current.clone(), True
        for cls in selected:
            make_pass(cls, excluded).apply(context, current)
        if stage == last:
            stages[stage] = current
        elif stage in keep:
            stages[stage] = current.clone() if copied else current
    return stages
