"""What the Triton backend runs, as ``lower`` reads it: the ``triton`` target.

Loops compute every elementwise op with a Triton rule (``scalar.py``; integer powers have none
yet) and accumulate the fusible reductions; ``tl.dot`` multiplies float32 and float64; element
reads take any index an int64 holds; MRG31k3p draws are a kernel (bit for bit the
reference's). Every other op is a ``tgk.host_call``: the runtime runs
it with its array library outside the kernels (``ArrayOperation`` in ``rules.py``): under the
interpreter, the op's reference kernel on the NumPy arrays; on a GPU, a torch operation on the
device where the runtime has one, else ``function()`` raises naming the op and the user's
line (never a silent round trip through the host).
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
    mrg_draws=True,
    host_calls=True,
)
register_target(TRITON_TARGET)
