"""Expansion: ops that a loop-fusing backend computes best as the reductions and elementwise
ops they are made of, rewritten into them before fusion.

``tg.softmax`` and ``tg.log_softmax`` stay ops through the stabilization (so that
``log(softmax(x))`` is recognized, and gradients take their stable forms), then become
``max``, ``exp``, ``sum`` and elementwise arithmetic that fusion turns into loop nests: the
very operations of their reference kernels (``ir/softmax_kernels.py``), so the values are the
same.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Operation, SSAValue
from xdsl.pattern_rewriter import PatternRewriter, RewritePattern
from xdsl.transforms.common_subexpression_elimination import CommonSubexpressionElimination

from tracegraph.ir import ops
from tracegraph.passes.patterns import (
    PatternPass,
    binary,
    finite_maximum,
    op_pattern,
    replace,
    root_classes,
    unary,
)


def _shifted_exp_sum(
    x: SSAValue, axis: int
) -> tuple[list[Operation], SSAValue, SSAValue, SSAValue]:
    """Ops computing ``s = x - m`` with ``m = max(x, axis)`` (0 where infinite),
    ``e = exp(s)`` and ``sum(e, axis)`` (the axis kept); the three values."""
    new_ops, peak = finite_maximum(x, [axis])
    shifted = binary(ops.SubOp, x, peak, x.type)
    exp = unary(ops.ExpOp, shifted.results[0])
    total = ops.SumOp(exp.results[0], [axis], True, peak.type)
    return [*new_ops, shifted, exp, total], shifted.results[0], exp.results[0], total.result


class SoftmaxToExpOverSum(RewritePattern):
    """``softmax(x) -> e / sum(e)`` with ``e = exp(x - max(x))`` along the axis."""

    @op_pattern
    def match_and_rewrite(self, op: ops.SoftmaxOp, rewriter: PatternRewriter) -> None:
        new_ops, _, exp, total = _shifted_exp_sum(op.x, op.get_axis())
        quotient = binary(ops.TrueDivOp, exp, total, op.result.type)
        replace(rewriter, op, [*new_ops, quotient], quotient.results[0])


class LogSoftmaxToShiftedLogSumExp(RewritePattern):
    """``log_softmax(x) -> s - log(sum(exp(s)))`` with ``s = x - max(x)`` along the axis."""

    @op_pattern
    def match_and_rewrite(self, op: ops.LogSoftmaxOp, rewriter: PatternRewriter) -> None:
        new_ops, shifted, _, total = _shifted_exp_sum(op.x, op.get_axis())
        log = unary(ops.LogOp, total)
        difference = binary(ops.SubOp, shifted, log.results[0], op.result.type)
        replace(rewriter, op, [*new_ops, log, difference], difference.results[0])


EXPAND_PATTERNS: tuple[type[RewritePattern], ...] = (
    SoftmaxToExpOverSum,
    LogSoftmaxToShiftedLogSumExp,
)
"""Every expansion pattern."""


@dataclass(frozen=True)
class ExpandPass(PatternPass):
    """``expand``: the expansions above, before fusion, then CSE where any was made (the
    expansions of ``softmax(x)`` and ``log_softmax(x)`` share ``max(x)`` and ``exp``), unless
    ``cse`` is excluded. A module
    without an op to expand is left as it is without a walk of the rewriter (the pass runs on
    every function)."""

    name = "expand"
    PATTERNS = EXPAND_PATTERNS

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        expanded = tuple(root for pattern in self.PATTERNS for root in root_classes(pattern))
        if not any(isinstance(inner, expanded) for inner in op.walk()):
            return
        excluded = {name.strip() for name in self.excluded.split(",")}
        if self.rewrite(op) and CommonSubexpressionElimination.name not in excluded:
            CommonSubexpressionElimination().apply(ctx, op)
