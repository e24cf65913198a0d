"""The gradients of the collective ops (``ir/ops/distributed.py``), for data-parallel
training: the cost is the sum (or the mean) over the ranks of each rank's cost.

- ``y = all_reduce(x, sum)``: every rank's ``y`` depends on every rank's ``x`` with weight 1,
  so ``dx`` on a rank is the sum over the ranks of their ``dy``: ``all_reduce(dy, sum)``;
  likewise ``mean`` gives ``all_reduce(dy, mean)``, and a bucket of all-reduces the bucket of
  their gradients. ``max`` and ``min`` route the gradient to the ranks holding the extreme:
  not defined here.
- ``broadcast`` and ``all_gather``: not differentiable yet.
"""

from __future__ import annotations

from tracegraph.gradient.rules import (
    VJP_RULES,
    Gradients,
    MultiResultRule,
    UndefinedGradient,
    vjp_rule,
)
from tracegraph.ir import ops
from tracegraph.tensor.variable import TensorVariable, emit


@vjp_rule(ops.AllReduceOp)
def _all_reduce(
    op: ops.AllReduceOp, xs: list[TensorVariable], out: TensorVariable, g: TensorVariable
) -> Gradients:
    reduction = op.get_reduction()
    if reduction not in ("sum", "mean"):
        raise NotImplementedError(
            f"the gradient of all_reduce({reduction!r}) is not defined; use 'sum' or 'mean'"
        )
    return [emit(ops.AllReduceOp(g.value, reduction))]


def _all_reduce_bucket(
    op: ops.AllReduceBucketOp,
    xs: list[TensorVariable],
    results: list[TensorVariable],
    gs: list[TensorVariable | None],
) -> Gradients:
    reduction = op.get_reduction()
    if reduction not in ("sum", "mean"):
        raise NotImplementedError(
            f"the gradient of all_reduce({reduction!r}) is not defined; use 'sum' or 'mean'"
        )
    flowing = [g for g in gs if g is not None]
    if not flowing:
        return [None] * len(xs)
    if len(flowing) == 1:
        reduced_alone = emit(ops.AllReduceOp(flowing[0].value, reduction))
        return [None if g is None else reduced_alone for g in gs]
    bucket = ops.AllReduceBucketOp([g.value for g in flowing], reduction)
    emit(bucket)
    reduced = iter(TensorVariable(r) for r in bucket.outs)
    return [None if g is None else next(reduced) for g in gs]


VJP_RULES[ops.AllReduceBucketOp] = MultiResultRule(_all_reduce_bucket)
VJP_RULES[ops.BroadcastOp] = UndefinedGradient("the gradient of a broadcast: not yet")
VJP_RULES[ops.AllGatherOp] = UndefinedGradient("the gradient of an all-gather: not yet")
