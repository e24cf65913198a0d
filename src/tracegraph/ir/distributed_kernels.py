"""The reference kernels of the collective ops (``ir/ops/distributed.py``): the process's
communicator (``ir/communication.py``) on host arrays; a bucket of all-reduces is one
collective on its operands joined into one flat buffer. The C and Triton backends run these
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


class _FirstCall:
    """Whether the ranks have agreed on a kernel's collective yet: its first call checks that
    every rank is at the same collective (``Communicator.agree``), then never again."""

    def __init__(self) -> None:
        self.agreed: set[int] = set()

    def check(self, what: str, x: Array, shape: tuple[int | str, ...] | None = None) -> None:
        """``what`` of ``x`` (its dtype and ``shape``, by default its own)."""
        self.check_signature(f"{what} of {x.dtype}{list(x.shape if shape is None else shape)}")

    def check_signature(self, signature: str) -> None:
        """The first call on a communicator: every rank is at a collective of ``signature``."""
        world = current()
        if id(world) in self.agreed:
            return
        world.agree(signature)
        self.agreed.add(id(world))


@reference_rule(ops.AllReduceOp)
def _all_reduce(op: ops.AllReduceOp) -> Kernel:
    reduction = op.get_reduction()
    dtype = np.dtype(dtype_of(op.result))
    first = _FirstCall()

    def kernel(x: Array) -> Array:
        first.check(f"all_reduce({reduction})", x)
        result = current().all_reduce(np.asarray(x, order="C"), reduction)
        return np.asarray(result).astype(dtype, copy=False)

    return kernel


@reference_rule(ops.AllReduceBucketOp)
def _all_reduce_bucket(op: ops.AllReduceBucketOp) -> Kernel:
    reduction = op.get_reduction()
    dtype = np.dtype(dtype_of(op.outs[0]))
    first = _FirstCall()

    def kernel(*xs: Array) -> Array | tuple[Array, ...]:
        shapes = [np.shape(x) for x in xs]
        first.check_signature(f"all_reduce({reduction}) of a bucket of {dtype}{shapes}")
        ends = np.cumsum([np.size(x) for x in xs]).tolist()
        flat = np.empty(ends[-1], dtype)
        for x, shape, start, end in zip(xs, shapes, [0, *ends], ends, strict=False):
            flat[start:end].reshape(shape)[...] = x  # converts the byte order too
        combined = np.asarray(current().all_reduce(flat, reduction)).astype(dtype, copy=False)
        results = tuple(
            combined[start:end].reshape(shape)
            for shape, start, end in zip(shapes, [0, *ends], ends, strict=False)
        )
        return results if len(results) > 1 else results[0]

    return kernel


@reference_rule(ops.BroadcastOp)
def _broadcast(op: ops.BroadcastOp) -> Kernel:
    root = op.get_root()
    first = _FirstCall()

    def kernel(x: Array) -> Array:
        world = current()
        if root >= world.size:
            raise ShapeMismatchError(f"broadcast from rank {root} among {world.size} ranks")
        first.check(f"broadcast(root {root})", x)
        return np.asarray(world.broadcast(np.asarray(x, order="C"), root))

    return kernel


@reference_rule(ops.AllGatherOp)
def _all_gather(op: ops.AllGatherOp) -> Kernel:
    first = _FirstCall()

    def kernel(x: Array) -> Array:
        first.check("all_gather", x, ("?", *x.shape[1:]))
        return np.asarray(current().all_gather(np.asarray(x, order="C")))

    return kernel
