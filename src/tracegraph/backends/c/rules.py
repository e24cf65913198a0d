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

from tracegraph.backends.c.loops import REDUCTION_KINDS
from tracegraph.backends.c.scalar import SCALAR_RULES, ScalarRule
from tracegraph.ir import ops


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
    **{
        reduction: Native(f"accumulated in a loop nest ({how})")
        for reduction, how in REDUCTION_KINDS.items()
    },
    ops.FusedOp: Native("a loop nest over its body"),
    ops.YieldOp: Native("the outputs of a loop nest"),
    ops.DotOp: Native("BLAS (float32 and float64; integers run the reference)"),
    ops.MRGUniformOp: Native("MRG31k3p in C, bit for bit the reference's numbers"),
    ops.ConstantOp: Native("given to the module once"),
    ops.DimShuffleOp: Native("a view (loops read through it)"),
    ops.ShapeOp: Native("the sizes as a new vector"),
    **{
        barrier: Native("the identity: lowering passes the operand on")
        for barrier in (ops.DisconnectedGradOp, ops.ZeroGradOp, ops.GradClipOp)
    },
    ops.SubtensorOp: Native(
        "one element of a vector (x[i], as in shape(x)[0]) in C; any other indexing calls "
        "the reference (a view or a copy whose cost is NumPy's)"
    ),
}
"""The C rule of every op class."""


def _runs_reference(reason: str, *classes: type[Operation]) -> None:
    for cls in classes:
        C_RULES[cls] = RunsReference(reason)


_runs_reference("an index reduction: no C yet", ops.ArgmaxOp, ops.ArgminOp)
_runs_reference("a leaf of traced graphs: never in a compiled module", ops.InputOp, ops.SharedOp)
_runs_reference(
    "a view or a copy whose cost is NumPy's",
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
_runs_reference(
    "RandomStreams draws with NumPy's RandomState (Theano's numbers)",
    *ops.RANDOM_STATE_DRAWS,
)
_runs_reference("no C yet", ops.MultinomialFromUniformOp)
_runs_reference(
    "NumPy's cumsum, cumprod, sort and stable argsort, whose cost is NumPy's (no loop of "
    "their own yet)",
    ops.CumsumOp,
    ops.CumprodOp,
    ops.SortOp,
    ops.ArgsortOp,
)
_runs_reference("NumPy's nonzero: the size of its results is the data's", ops.NonzeroOp)
_runs_reference("the user's perform, in Python, on the host", ops.PythonOp)
for all_reduce in (ops.AllReduceOp, ops.AllReduceBucketOp):
    C_RULES[all_reduce] = Native(
        "MPI_Allreduce called by the module on one flat buffer (collectives.py) when compiled "
        "in an MPI world (after tgd.init()); the reference kernel through the communicator "
        "otherwise, for booleans and complex numbers, and at the first call on each "
        "communicator (it checks that the ranks agree)"
    )
_runs_reference(
    "MPI (mpi4py) on the host arrays, once per step",
    ops.BroadcastOp,
    ops.AllGatherOp,
)
_runs_reference("Python's print, on the host", ops.PrintOp)
_runs_reference(
    "NumPy: one matrix product per group over the windows of the images (im2col), whose "
    "products are NumPy's BLAS (a C loop nest of its own: not yet)",
    ops.Conv2dOp,
    ops.Conv2dGradInputOp,
    ops.Conv2dGradWeightsOp,
)
_runs_reference(
    "LAPACK through NumPy's and SciPy's linalg",
    *ops.LINEAR_ALGEBRA_OPS,
)
_runs_reference(
    "NumPy, a reduction per output position vectorized over batch and channels (a C loop "
    "nest of its own: not yet)",
    ops.Pool2dOp,
    ops.Pool2dGradOp,
)
C_RULES[ops.ScanOp] = Native(
    "the step compiled as a C function of its own (backends/c/control.py), called by the "
    "host loop of the op's kernel once per step (a loop in C: not yet)"
)
C_RULES[ops.IfElseOp] = Native(
    "each branch compiled as a C function of its own; the kernel calls the one taken"
)
_runs_reference(
    "expanded into max, exp, sum and fused loops by the expand pass, before fusion; the "
    "reference kernel runs only where that pass is left out",
    ops.SoftmaxOp,
    ops.LogSoftmaxOp,
)
