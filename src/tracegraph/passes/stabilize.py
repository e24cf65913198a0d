"""Stabilization: rewrites to forms that are exact where the spelled-out formula overflows or
cancels.

``1 / (1 + exp(-x))`` is 1.0 in float64 for every ``x`` above 37, so ``log(1 - p)`` is
``-inf`` there; ``-softplus(x)`` is the same function, computed without the cancellation. These
patterns change results only where the original formula loses accuracy: they turn an
overflow or a cancellation into the right finite value.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.ir import Operation, SSAValue
from xdsl.pattern_rewriter import PatternRewriter, RewritePattern

from tracegraph.ir import ops
from tracegraph.ir.types import shape_of
from tracegraph.passes.patterns import (
    PatternPass,
    is_constant,
    is_float,
    op_pattern,
    owner,
    replace,
)


def _plus_one(value: SSAValue) -> SSAValue | None:
    """``x`` where ``value`` is ``1 + x`` or ``x + 1``."""
    add = owner(value, ops.AddOp)
    if add is None:
        return None
    if is_constant(add.lhs, 1):
        return add.rhs
    if is_constant(add.rhs, 1):
        return add.lhs
    return None


def _one_minus(value: SSAValue) -> SSAValue | None:
    """``x`` where ``value`` is ``1 - x``."""
    sub = owner(value, ops.SubOp)
    if sub is not None and is_constant(sub.lhs, 1):
        return sub.rhs
    return None


def _negated(rewriter_ops: list[Operation], x: SSAValue) -> SSAValue:
    """``-x``, reusing ``y`` when ``x`` is ``-y``; appends the new op to ``rewriter_ops``."""
    inner = owner(x, ops.NegOp)
    if inner is not None:
        return inner.x
    negate = ops.NegOp(x, x.type)
    rewriter_ops.append(negate)
    return negate.result


def _same_shape(op: Operation, x: SSAValue) -> bool:
    return is_float(x) and shape_of(x) == shape_of(op.results[0])


class InvOnePlusExpToSigmoid(RewritePattern):
    """``1 / (1 + exp(u)) -> sigmoid(-u)`` (so ``1 / (1 + exp(-x)) -> sigmoid(x)``)."""

    @op_pattern
    def match_and_rewrite(self, op: ops.TrueDivOp, rewriter: PatternRewriter) -> None:
        if not is_constant(op.lhs, 1):
            return
        denominator = _plus_one(op.rhs)
        exp = owner(denominator, ops.ExpOp) if denominator is not None else None
        if exp is None or not _same_shape(op, exp.x):
            return
        new_ops: list[Operation] = []
        argument = _negated(new_ops, exp.x)
        sigmoid = ops.SigmoidOp(argument, op.result.type)
        replace(rewriter, op, [*new_ops, sigmoid], sigmoid.result)


class ExpOverOnePlusExpToSigmoid(RewritePattern):
    """``exp(x) / (1 + exp(x)) -> sigmoid(x)``."""

    @op_pattern
    def match_and_rewrite(self, op: ops.TrueDivOp, rewriter: PatternRewriter) -> None:
        numerator = owner(op.lhs, ops.ExpOp)
        denominator = _plus_one(op.rhs)
        if numerator is None or denominator is None:
            return
        exp = owner(denominator, ops.ExpOp)
        if exp is None or exp.x != numerator.x or not _same_shape(op, exp.x):
            return
        sigmoid = ops.SigmoidOp(exp.x, op.result.type)
        replace(rewriter, op, [sigmoid], sigmoid.result)


class OneMinusSigmoid(RewritePattern):
    """``1 - sigmoid(x) -> sigmoid(-x)`` (``1 - p`` cancels when ``p`` is near 1), for a float
    ``x`` (negating an integer wraps)."""

    @op_pattern
    def match_and_rewrite(self, op: ops.SubOp, rewriter: PatternRewriter) -> None:
        sigmoid = owner(op.rhs, ops.SigmoidOp)
        if not is_constant(op.lhs, 1) or sigmoid is None or sigmoid.result.type != op.result.type:
            return
        if not is_float(sigmoid.x):
            return
        new_ops: list[Operation] = []
        argument = _negated(new_ops, sigmoid.x)
        flipped = ops.SigmoidOp(argument, op.result.type)
        replace(rewriter, op, [*new_ops, flipped], flipped.result)


class LogSigmoidToSoftplus(RewritePattern):
    """``log(sigmoid(x)) -> -softplus(-x)``, for a float ``x`` (negating an integer wraps)."""

    @op_pattern
    def match_and_rewrite(self, op: ops.LogOp, rewriter: PatternRewriter) -> None:
        sigmoid = owner(op.x, ops.SigmoidOp)
        if sigmoid is None or sigmoid.result.type != op.result.type or not is_float(sigmoid.x):
            return
        new_ops: list[Operation] = []
        argument = _negated(new_ops, sigmoid.x)
        softplus = ops.SoftplusOp(argument, op.result.type)
        negate = ops.NegOp(softplus.result, op.result.type)
        replace(rewriter, op, [*new_ops, softplus, negate], negate.result)


class LogOneMinusSigmoidToSoftplus(RewritePattern):
    """``log(1 - sigmoid(x)) -> -softplus(x)``."""

    @op_pattern
    def match_and_rewrite(self, op: ops.LogOp, rewriter: PatternRewriter) -> None:
        x = _one_minus(op.x)
        sigmoid = owner(x, ops.SigmoidOp) if x is not None else None
        if sigmoid is None or sigmoid.result.type != op.result.type:
            return
        softplus = ops.SoftplusOp(sigmoid.x, op.result.type)
        negate = ops.NegOp(softplus.result, op.result.type)
        replace(rewriter, op, [softplus, negate], negate.result)


class LogOnePlusExpToSoftplus(RewritePattern):
    """``log(1 + exp(x)) -> softplus(x)`` and ``log1p(exp(x)) -> softplus(x)``."""

    @op_pattern
    def match_and_rewrite(self, op: ops.LogOp | ops.Log1pOp, rewriter: PatternRewriter) -> None:
        argument = _plus_one(op.x) if isinstance(op, ops.LogOp) else op.x
        exp = owner(argument, ops.ExpOp) if argument is not None else None
        if exp is None or not _same_shape(op, exp.x):
            return
        softplus = ops.SoftplusOp(exp.x, op.results[0].type)
        replace(rewriter, op, [softplus], softplus.result)


class LogOnePlusToLog1p(RewritePattern):
    """``log(1 + x) -> log1p(x)``."""

    @op_pattern
    def match_and_rewrite(self, op: ops.LogOp, rewriter: PatternRewriter) -> None:
        x = _plus_one(op.x)
        if x is None or owner(x, ops.ExpOp) is not None or not _same_shape(op, x):
            return
        log1p = ops.Log1pOp(x, op.result.type)
        replace(rewriter, op, [log1p], log1p.result)


class ExpMinusOneToExpm1(RewritePattern):
    """``exp(x) - 1 -> expm1(x)``."""

    @op_pattern
    def match_and_rewrite(self, op: ops.SubOp, rewriter: PatternRewriter) -> None:
        exp = owner(op.lhs, ops.ExpOp)
        if exp is None or not is_constant(op.rhs, 1) or not _same_shape(op, exp.x):
            return
        expm1 = ops.Expm1Op(exp.x, op.result.type)
        replace(rewriter, op, [expm1], expm1.result)


class DivOnePlusExpTimesExpToSigmoid(RewritePattern):
    """``(a / (1 + exp(u))) * exp(u) -> a * sigmoid(u)``: the form the gradient of
    ``1 / (1 + exp(u))`` takes, which is ``inf / inf`` once ``exp(u)`` overflows."""

    @op_pattern
    def match_and_rewrite(self, op: ops.MulOp, rewriter: PatternRewriter) -> None:
        for quotient_value, exp_value in ((op.lhs, op.rhs), (op.rhs, op.lhs)):
            quotient = owner(quotient_value, ops.TrueDivOp)
            exp = owner(exp_value, ops.ExpOp)
            if quotient is None or exp is None or _plus_one(quotient.rhs) != exp_value:
                continue
            if not is_float(exp.x) or shape_of(exp.x) != shape_of(exp_value):
                continue
            sigmoid = ops.SigmoidOp(exp.x, exp_value.type)
            product = ops.MulOp(quotient.lhs, sigmoid.result, op.result.type)
            replace(rewriter, op, [sigmoid, product], product.result)
            return


STABILIZE_PATTERNS: tuple[type[RewritePattern], ...] = (
    InvOnePlusExpToSigmoid,
    ExpOverOnePlusExpToSigmoid,
    LogOneMinusSigmoidToSoftplus,
    LogSigmoidToSoftplus,
    OneMinusSigmoid,
    LogOnePlusExpToSoftplus,
    LogOnePlusToLog1p,
    ExpMinusOneToExpm1,
    DivOnePlusExpTimesExpToSigmoid,
)
"""Every stabilization pattern, in the order they are tried on an op."""


@dataclass(frozen=True)
class StabilizePass(PatternPass):
    """``stabilize``: the numerically stable forms above, to a fixed point."""

    name = "stabilize"
    PATTERNS = STABILIZE_PATTERNS
