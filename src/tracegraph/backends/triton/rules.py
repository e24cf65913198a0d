"""How the Triton backend runs every op of the dialect, by op class: ``TRITON_RULES``.

An elementwise op is a Triton expression (``TRITON_SCALAR_RULES``) computed on blocks inside a
loop kernel; a fusible reduction accumulates in one; ``tg.dot`` is a blocked ``tl.dot``
kernel. Every other op is ``NoKernel``: the target has no kernel for it yet and runs nothing on
the host, so ``function()`` raises naming the op and the user's line (the reason says what it
needs). ``tests/test_rule_tables.py`` fails when an op of the dialect is missing here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

from xdsl.ir import Operation

from tracegraph.backends.triton.loops import REDUCTION_KINDS
from tracegraph.backends.triton.scalar import TRITON_SCALAR_RULES, ScalarRule
from tracegraph.ir import ops


@dataclass(frozen=True)
class Native:
    """The op has a Triton kernel of its own: ``how`` names it."""

    how: str


@dataclass(frozen=True)
class NoKernel:
    """The op has no Triton kernel yet: ``function()`` refuses it, naming it; ``reason``
    says what it needs."""

    reason: str


TritonRule: TypeAlias = ScalarRule | Native | NoKernel

TRITON_RULES: dict[type[Operation], TritonRule] = {
    **TRITON_SCALAR_RULES,
    **{
        reduction: Native(f"accumulated in a loop kernel ({how})")
        for reduction, how in REDUCTION_KINDS.items()
    },
    ops.FusedOp: Native("a loop kernel over its body"),
    ops.YieldOp: Native("the outputs of a loop kernel"),
    ops.DotOp: Native(
        "a blocked tl.dot kernel (float32 and float64 operands of one dtype; other dots have "
        "no kernel yet)"
    ),
    ops.ConstantOp: Native("uploaded once, given to the launcher"),
    ops.DimShuffleOp: Native("a view (loops read through it)"),
    ops.ShapeOp: Native("the sizes as a new vector"),
    ops.SubtensorOp: Native(
        "one element of a vector (x[i]); any other indexing has no kernel yet (a strided view "
        "or a gather kernel)"
    ),
}
"""The Triton rule of every op class."""


def _no_kernel(reason: str, *classes: type[Operation]) -> None:
    for cls in classes:
        TRITON_RULES[cls] = NoKernel(reason)


_no_kernel(
    "an index reduction: needs a (value, index) reduction kernel", ops.ArgmaxOp, ops.ArgminOp
)
_no_kernel("a leaf of traced graphs: never in a compiled function", ops.InputOp, ops.SharedOp)
_no_kernel(
    "a view or a copy: needs the runtime's array operations (reshape, concatenate, alloc, "
    "scatter) or copy kernels",
    ops.ReshapeOp,
    ops.FlattenOp,
    ops.AllocOp,
    ops.ArangeOp,
    ops.ConcatenateOp,
    ops.StackOp,
    ops.SetSubtensorOp,
    ops.IncSubtensorOp,
)
_no_kernel(
    "RandomStreams draws with NumPy's RandomState (Theano's numbers): needs drawing on the host "
    "and uploading",
    *ops.RANDOM_STATE_DRAWS,
)
_no_kernel("MRG31k3p draws: needs the generator as a Triton kernel", ops.MRGUniformOp)
_no_kernel("needs a sampling kernel", ops.MultinomialFromUniformOp)
_no_kernel(
    "expanded into max, exp, sum and fused loops by the expand pass, before fusion",
    ops.SoftmaxOp,
    ops.LogSoftmaxOp,
)
