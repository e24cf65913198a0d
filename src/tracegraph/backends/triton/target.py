"""What the Triton backend runs, as ``lower`` reads it: the ``triton`` target.

Loops compute every elementwise op with a Triton rule (``scalar.py``; integer powers have none
yet) and accumulate the fusible reductions; ``tl.dot`` multiplies float32 and float64; element
reads take any index an int64 holds. Nothing runs on the host: an op without a kernel is an
error at ``function()`` naming the op and the user's line (``RunsNothing`` in ``rules.py`` says
why each such op has none yet).
"""

from __future__ import annotations

from xdsl.ir import Operation

from tracegraph.backends.triton.loops import REDUCTION_KINDS
from tracegraph.backends.triton.scalar import scalar_supported
from tracegraph.lowering.target import Target, register_target

ELEMENT_INDEX_DTYPES = ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32")
"""Index dtypes whose every value an int64 holds."""


def computes_in_loops(op: Operation) -> bool:
    """Whether a Triton loop computes ``op``: it has a Triton rule for its dtypes or is a
    reduction a loop accumulates."""
    return scalar_supported(op) or type(op) in REDUCTION_KINDS


TRITON_TARGET = Target(
    "triton",
    computes_in_loops,
    blas_dtypes=("float32", "float64"),
    index_dtypes=ELEMENT_INDEX_DTYPES,
    mrg_draws=False,
    host_calls=False,
)
register_target(TRITON_TARGET)
