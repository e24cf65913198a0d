"""How the C backend runs every op of the dialect, by op class: ``C_RULES``.

An elementwise op is a C expression (``SCALAR_RULES``) computed inside a loop; a reduction
accumulates in a loop; ``tg.dot`` calls BLAS; MRG31k3p draws are native; ``tg.fused`` is a loop
nest. Every other op is ``RunsReference``: the compiled module calls its reference kernel (the
reason says why it has no C yet, or why it never will). ``tests/test_rule_tables.py`` fails when
an op of the dialect is missing here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

from xdsl.ir import Operation

from tracegraph.backends.c.scalar import SCALAR_RULES, ScalarRule
from tracegraph.ir import ops
from tracegraph.passes.fusion import FUSED_REDUCTIONS


@dataclass(frozen=True)
class Native:
    """The op has C of its own: ``how`` names the kernel (loop, BLAS, MRG31k3p)."""

    how: str


@dataclass(frozen=True)
class RunsReference:
    """The compiled module calls the op's reference kernel."""

    reason: str


CRule: TypeAlias = ScalarRule | Native | RunsReference

C_RULES: dict[type[Operation], CRule] = {
    **SCALAR_RULES,
    **{reduction: Native("accumulated in a loop nest") for reduction in FUSED_REDUCTIONS},
    ops.FusedOp: Native("a loop nest over its body"),
    ops.YieldOp: Native("the outputs of a loop nest"),
    ops.DotOp: Native("BLAS (float32 and float64; integers run the reference)"),
    ops.MRGUniformOp: Native("MRG31k3p in C, bit for bit the reference's numbers"),
    ops.ConstantOp: Native("given to the module once"),
}
"""The C rule of every op class."""

for _op in (ops.ArgmaxOp, ops.ArgminOp):
    C_RULES[_op] = RunsReference("an index reduction: no C yet")
for _op in (ops.InputOp, ops.SharedOp):
    C_RULES[_op] = RunsReference("a leaf of traced graphs: never in a compiled module")
for _op in (
    ops.DimShuffleOp,
    ops.ReshapeOp,
    ops.FlattenOp,
    ops.ShapeOp,
    ops.AllocOp,
    ops.ArangeOp,
    ops.ConcatenateOp,
    ops.StackOp,
    ops.SubtensorOp,
    ops.SetSubtensorOp,
    ops.IncSubtensorOp,
):
    C_RULES[_op] = RunsReference(
        "a view or a copy whose cost is NumPy's (loops read dimshuffles without it)"
    )
for _op in (
    ops.UniformOp,
    ops.NormalOp,
    ops.BinomialOp,
    ops.PoissonOp,
    ops.RandomIntegersOp,
    ops.ChoiceOp,
    ops.PermutationOp,
    ops.MultinomialOp,
):
    C_RULES[_op] = RunsReference("RandomStreams draws with NumPy's RandomState (Theano's numbers)")
C_RULES[ops.MultinomialFromUniformOp] = RunsReference("no C yet")
