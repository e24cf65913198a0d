"""The reference kernels of the ops along one axis (``ir/ops/along_axis.py``): NumPy's
``cumsum``, ``cumprod``, ``sort`` and stable ``argsort``; and of ``tg.nonzero``, NumPy's
``nonzero``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeAlias

import numpy as np
from numpy.typing import NDArray

from tracegraph.ir import ops
from tracegraph.ir.reference_rules import Kernel, reference_rule
from tracegraph.ir.types import dtype_of

Array: TypeAlias = NDArray[Any]


def _cumulative(function: Callable[..., Array]) -> Callable[[ops.AlongAxisOp], Kernel]:
    def build(op: ops.AlongAxisOp) -> Kernel:
        axis = op.get_axis()
        dtype = np.dtype(dtype_of(op.result))

        def kernel(x: Array) -> Array:
            with np.errstate(all="ignore"):  # overflow wraps or is inf, as in the C loops
                return np.asarray(function(x, axis=axis, dtype=dtype))

        return kernel

    return build


reference_rule(ops.CumsumOp)(_cumulative(np.cumsum))
reference_rule(ops.CumprodOp)(_cumulative(np.cumprod))


@reference_rule(ops.SortOp)
def _sort(op: ops.SortOp) -> Kernel:
    axis = op.get_axis()

    def kernel(x: Array) -> Array:
        return np.sort(x, axis=axis, kind="stable")

    return kernel


@reference_rule(ops.ArgsortOp)
def _argsort(op: ops.ArgsortOp) -> Kernel:
    axis = op.get_axis()

    def kernel(x: Array) -> Array:
        return np.argsort(x, axis=axis, kind="stable").astype(np.int64, copy=False)

    return kernel


@reference_rule(ops.NonzeroOp)
def _nonzero(op: ops.NonzeroOp) -> Kernel:
    def kernel(x: Array) -> Array | tuple[Array, ...]:
        indices = tuple(index.astype(np.int64, copy=False) for index in np.nonzero(x))
        return indices[0] if len(indices) == 1 else indices  # one result: its value

    return kernel
