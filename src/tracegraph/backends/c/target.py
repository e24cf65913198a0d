"""What the C backend runs, as ``lower`` reads it: the ``c`` target.

Loops compute every op with a scalar rule (``scalar.py``) and accumulate the fusible
reductions; BLAS (``scipy-openblas32``) multiplies float32 and float64; element reads take any
index an ``npy_int64`` holds (``uint64`` runs the reference); MRG31k3p draws are native; every
other op runs its reference kernel on the host; loops above ``PARALLEL_ELEMENTS`` elements may
use OpenMP threads (above a work of ``PARALLEL_THRESHOLD``, checked at run time).
"""

from __future__ import annotations

from xdsl.ir import Operation

from tracegraph.backends.c.loops import REDUCTION_KINDS
from tracegraph.backends.c.prelude import PARALLEL_ELEMENTS
from tracegraph.backends.c.scalar import SCALAR_RULES
from tracegraph.lowering.target import Target, register_target

ELEMENT_INDEX_DTYPES = ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32")
"""Index dtypes whose every value an ``npy_int64`` holds."""


def computes_in_loops(op: Operation) -> bool:
    """Whether a C loop computes ``op``: it has a scalar rule or is a reduction a loop
    accumulates."""
    return type(op) in SCALAR_RULES or type(op) in REDUCTION_KINDS


C_TARGET = Target(
    "c",
    computes_in_loops,
    blas_dtypes=("float32", "float64"),
    index_dtypes=ELEMENT_INDEX_DTYPES,
    mrg_draws=True,
    host_calls=True,
    parallel_threshold=PARALLEL_ELEMENTS,
)
register_target(C_TARGET)
