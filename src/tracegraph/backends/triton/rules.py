"""How the Triton backend runs every op of the dialect, by op class: ``TRITON_RULES``.

An elementwise op is a Triton expression (``TRITON_SCALAR_RULES``) computed on blocks inside a
loop kernel; a fusible reduction accumulates in one; ``tg.dot`` is a blocked ``tl.dot``
kernel. Every other op is an ``ArrayOperation``: a step of the launcher that the runtime runs
with its array library, outside the kernels (views, copies, index reductions, host draws): the
reference kernel under the interpreter; on a GPU, a torch operation on the device where the
runtime has one, else an error at ``function()`` naming the op. ``NoKernel`` marks an op no
compiled function ever holds. ``tests/test_rule_tables.py`` fails when an op of the dialect is
missing here.
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
class ArrayOperation:
    """The op runs as an operation of the runtime's array library, outside the kernels;
    ``reason`` says why it has no kernel (yet)."""

    reason: str


@dataclass(frozen=True)
class NoKernel:
    """No compiled function holds the op; ``reason`` says why."""

    reason: str


TritonRule: TypeAlias = ScalarRule | Native | ArrayOperation | NoKernel

TRITON_RULES: dict[type[Operation], TritonRule] = {
    **TRITON_SCALAR_RULES,
    **{
        reduction: Native(f"accumulated in a loop kernel ({how})")
        for reduction, how in REDUCTION_KINDS.items()
    },
    ops.FusedOp: Native("a loop kernel over its body"),
    ops.YieldOp: Native("the outputs of a loop kernel"),
    ops.DotOp: Native(
        "a blocked kernel: tl.dot where the result is float (operands cast to its dtype), "
        "products summed in int64 where it is an integer or bool"
    ),
    ops.ConstantOp: Native("uploaded once, given to the launcher"),
    ops.MRGUniformOp: Native("a kernel: a lane per stream, bit for bit the reference's numbers"),
    ops.DimShuffleOp: Native("a view (loops read through it)"),
    ops.ShapeOp: Native("the sizes as a new vector"),
    **{
        barrier: Native("the identity: lowering passes the operand on")
        for barrier in (ops.DisconnectedGradOp, ops.ZeroGradOp, ops.GradClipOp)
    },
    ops.SubtensorOp: Native(
        "one element of a vector (x[i]); any other indexing is the array library's (a view, "
        "or a gather: no kernel yet)"
    ),
}
"""The Triton rule of every op class."""


def _array_operation(reason: str, *classes: type[Operation]) -> None:
    for cls in classes:
        TRITON_RULES[cls] = ArrayOperation(reason)


TRITON_RULES[ops.InputOp] = NoKernel("a leaf of traced graphs: never in a compiled function")
TRITON_RULES[ops.SharedOp] = NoKernel("a leaf of traced graphs: never in a compiled function")
TRITON_RULES[ops.ArgmaxOp] = Native("a (value, index) reduction kernel (index_reductions.py)")
TRITON_RULES[ops.ArgminOp] = Native("a (value, index) reduction kernel (index_reductions.py)")
_array_operation(
    "a view or a copy: the array library's (reshape, concatenate, alloc, scatter)",
    ops.SpecifyShapeOp,
    ops.ReshapeOp,
    ops.FlattenOp,
    ops.AllocOp,
    ops.ArangeOp,
    ops.ConcatenateOp,
    ops.StackOp,
    ops.SetSubtensorOp,
    ops.IncSubtensorOp,
)
_array_operation(
    "RandomStreams draws with NumPy's RandomState (Theano's numbers): drawn on the host and "
    "uploaded",
    *ops.RANDOM_STATE_DRAWS,
)
_array_operation("no sampling kernel yet", ops.MultinomialFromUniformOp)
_array_operation(
    "torch's cumsum, cumprod and stable sort on the device (NumPy's under the interpreter)",
    ops.CumsumOp,
    ops.CumprodOp,
    ops.SortOp,
    ops.ArgsortOp,
)
_array_operation(
    "NumPy's convolutions and pooling on host copies, uploaded (an implicit-GEMM kernel: not yet)",
    *ops.CONVOLUTION_OPS,
)
_array_operation(
    "LAPACK (NumPy's and SciPy's linalg) on host copies, uploaded",
    *ops.LINEAR_ALGEBRA_OPS,
)
_array_operation("Python's print of a host copy", ops.PrintOp)
_array_operation(
    "MPI on host copies, uploaded (NCCL on device tensors, through torch.distributed: not yet)",
    ops.AllReduceOp,
    ops.AllReduceBucketOp,
    ops.BroadcastOp,
    ops.AllGatherOp,
)
_array_operation(
    "the user's perform, in Python, on host copies (on a GPU: a round trip, warned once)",
    ops.PythonOp,
)
_array_operation(
    "NumPy's nonzero on the host (the size of its results is the data's), uploaded",
    ops.NonzeroOp,
)
_array_operation(
    "the step is a Triton program of its own, which the host loop of the op's kernel runs "
    "once per step (program.py); on a GPU not yet: refused at function()",
    ops.ScanOp,
)
_array_operation(
    "each branch is a Triton program of its own; the kernel runs the one taken (on a GPU "
    "not yet: refused at function())",
    ops.IfElseOp,
)
_array_operation(
    "expanded into max, exp, sum and fused loops by the expand pass, before fusion",
    ops.SoftmaxOp,
    ops.LogSoftmaxOp,
)
