"""The reference kernels of the collective ops (``ir/ops/distributed.py``): the process's
communicator (``ir/communication.py``) on host arrays. The C and Triton backends run these
kernels too (a host call): the collective happens once per step, outside the loops."""

from __future__ import annotations

from typing import Any, TypeAlias

import numpy as np
from numpy.typing import NDArray

from tracegraph.errors import ShapeMismatchError
from tracegraph.ir import ops
from tracegraph.ir.communication import current
from tracegraph.ir.reference_rules import Kernel, reference_rule
from tracegraph.ir.types import dtype_of

Array: TypeAlias = NDArray[Any]


@reference_rule(ops.AllReduceOp)
def _all_reduce(op: ops.AllReduceOp) -> Kernel:
    reduction = op.get_reduction()
    dtype = np.dtype(dtype_of(op.result))

    def kernel(x: Array) -> Array:
        result = current().all_reduce(np.ascontiguousarray(x), reduction)
        return np.asarray(result).astype(dtype, copy=False)

    return kernel


@reference_rule(ops.BroadcastOp)
def _broadcast(op: ops.BroadcastOp) -> Kernel:
    root = op.get_root()

    def kernel(x: Array) -> Array:
        world = current()
        if root >= world.size:
            raise ShapeMismatchError(f"broadcast from rank {root} among {world.size} ranks")
        return np.asarray(world.broadcast(np.ascontiguousarray(x), root))

    return kernel


@reference_rule(ops.AllGatherOp)
def _all_gather(op: ops.AllGatherOp) -> Kernel:
    def kernel(x: Array) -> Array:
        return np.asarray(current().all_gather(np.ascontiguousarray(x)))

    return kernel
