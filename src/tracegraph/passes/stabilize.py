"""Stabilization: rewrites to forms that are exact where the spelled-out formula overflows or
cancels.

``1 / (1 + exp(-x))`` is 1.0 in float64 for every ``x`` above 37, so ``log(1 - p)`` is
``-inf`` there; ``-softplus(x)`` is the same function, computed without the cancellation. These
patterns change results only where the original formula loses accuracy: they turn an
overflow, a cancellation or an ``inf * 0`` into the right finite value. They run in every mode
(``FAST_COMPILE`` too); only ``Mode(optimizer=None)`` leaves the formula as written.

The families: the logistic (``sigmoid``, ``softplus`` forms), ``log1p``/``expm1``/``log1mexp``,
the softmax (``exp(u) / sum(exp(u))``, ``log(softmax(u))``, ``log(sum(exp(u)))``) and switch
sinking (``switch(c, 0, x) * y``, where ``y`` may be inf where the switch picks 0). The gradient
of each form is built stably by ``gradient/stable.py``, which recognizes the same forms
(``ir/idioms.py``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from xdsl.ir import Operation, SSAValue
from xdsl.pattern_rewriter import PatternRewriter, RewritePattern

from tracegraph.ir import ops
from tracegraph.ir.idioms import (
    exp_argument,
    one_minus_exp_argument,
    selections_over,
    softmax_of,
)
from tracegraph.ir.types import dtype_of, shape_of, tensor_type
from tracegraph.passes.patterns import (
    PatternPass,
    binary,
    broadcast_shape,
    constant_array,
    finite_maximum,
    is_constant,
    is_finite_maximum,
    is_float,
    op_pattern,
    owner,
    replace,
    same_shape_type,
    scalar_constant,
    unary,
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


def _minus_one(value: SSAValue) -> SSAValue | None:
    """``x`` where ``value`` is ``x - 1``, ``x + (-1)`` or ``(-1) + x``."""
    sub = owner(value, ops.SubOp)
    if sub is not None:
        return sub.lhs if is_constant(sub.rhs, 1) else None
    add = owner(value, ops.AddOp)
    if add is None:
        return None
    if is_constant(add.lhs, -1):
        return add.rhs
    if is_constant(add.rhs, -1):
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
    """``exp(x) - 1 -> expm1(x)``, spelled ``exp(x) + (-1)`` or ``-1 + exp(x)`` too."""

    @op_pattern
    def match_and_rewrite(self, op: ops.SubOp | ops.AddOp, rewriter: PatternRewriter) -> None:
        argument = _minus_one(op.result)
        exp = owner(argument, ops.ExpOp) if argument is not None else None
        if exp is None or not _same_shape(op, exp.x):
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


# -- log1mexp -------------------------------------------------------------------------------------

LOG_HALF = math.log(0.5)


def log1mexp_ops(u: SSAValue) -> tuple[list[Operation], SSAValue]:
    """Ops computing ``log(1 - exp(u))`` accurately for every ``u <= 0``: ``log1p(-exp(u))``
    below ``log(1/2)``, ``log(-expm1(u))`` above (Maechler's ``log1mexp``); the result."""
    threshold = scalar_constant(LOG_HALF, u)
    below = ops.LtOp(u, threshold.result, same_shape_type(u, "bool"))
    exp = unary(ops.ExpOp, u)
    neg_exp = unary(ops.NegOp, exp.results[0])
    far = unary(ops.Log1pOp, neg_exp.results[0])
    expm1 = unary(ops.Expm1Op, u)
    neg_expm1 = unary(ops.NegOp, expm1.results[0])
    near = unary(ops.LogOp, neg_expm1.results[0])
    choose = ops.SwitchOp(below.result, far.results[0], near.results[0], u.type)
    new_ops = [threshold, below, exp, neg_exp, far, expm1, neg_expm1, near, choose]
    return new_ops, choose.result


def _is_log1mexp_branch(op: Operation, u: SSAValue) -> bool:
    """Whether ``op`` (``log1p(-exp(u))``) is the branch of a ``log1mexp`` taken below
    ``log(1/2)``, where it is accurate (this pattern's own result)."""
    for use in op.results[0].uses:
        switch = use.operation
        if not isinstance(switch, ops.SwitchOp) or switch.if_true != op.results[0]:
            continue
        below = owner(switch.cond, ops.LtOp)
        threshold = constant_array(below.rhs) if below is not None else None
        if below is None or below.lhs != u or threshold is None or threshold.size == 0:
            continue
        # The threshold is log(1/2) rounded to u's dtype.
        if bool(np.all(threshold == np.asarray(LOG_HALF, dtype=threshold.dtype))):
            return True
    return False


class LogOneMinusExpToLog1mexp(RewritePattern):
    """``log(1 - exp(u)) -> log1mexp(u)`` and ``log1p(-exp(u)) -> log1mexp(u)``: ``1 - exp(u)``
    cancels to 0 as ``u`` nears 0 (``log(1 - exp(-1e-20))`` is ``-inf``, not ``-46.05``)."""

    @op_pattern
    def match_and_rewrite(self, op: ops.LogOp | ops.Log1pOp, rewriter: PatternRewriter) -> None:
        if isinstance(op, ops.LogOp):
            u = one_minus_exp_argument(op.x)
        else:
            negated = owner(op.x, ops.NegOp)
            u = exp_argument(negated.x) if negated is not None else None
        if u is None or not _same_shape(op, u) or _is_log1mexp_branch(op, u):
            return
        new_ops, result = log1mexp_ops(u)
        replace(rewriter, op, new_ops, result)


# -- softmax --------------------------------------------------------------------------------------


class ExpOverSumExpToSoftmax(RewritePattern):
    """``exp(u) / sum(exp(u), axis, keepdims=True) -> softmax(u, axis)``: the written-out softmax
    is ``inf / inf`` once ``exp(u)`` overflows (as Theano's ``softmax_simplifier``)."""

    @op_pattern
    def match_and_rewrite(self, op: ops.TrueDivOp, rewriter: PatternRewriter) -> None:
        found = softmax_of(op.result)
        if found is None or owner(op.result, ops.SoftmaxOp) is not None:
            return
        u, axis = found
        softmax = ops.SoftmaxOp(u, axis, op.result.type)
        replace(rewriter, op, [softmax], softmax.result)


class LogOfSoftmaxToLogSoftmax(RewritePattern):
    """``log(softmax(u)) -> log_softmax(u)``, also through indexing and dimshuffles in between
    (``log(softmax(u)[rows, labels]) -> log_softmax(u)[rows, labels]``): the softmax underflows
    to 0 where the log-softmax is finite (Theano's ``local_logsoftmax``)."""

    @op_pattern
    def match_and_rewrite(self, op: ops.LogOp, rewriter: PatternRewriter) -> None:
        chain, base = selections_over(op.x)
        softmax = owner(base, ops.SoftmaxOp)
        if softmax is None or dtype_of(op.result) != dtype_of(base):
            return
        log_softmax = ops.LogSoftmaxOp(softmax.x, softmax.get_axis(), base.type)
        new_ops: list[Operation] = [log_softmax]
        value: SSAValue = log_softmax.result
        for selection in reversed(chain):
            lifted = selection.clone()
            lifted.operands = [value, *selection.operands[1:]]
            new_ops.append(lifted)
            value = lifted.results[0]
        replace(rewriter, op, new_ops, value)


class LogSumExpToShifted(RewritePattern):
    """``log(sum(exp(u))) -> m + log(sum(exp(u - m)))`` with ``m = max(u)`` over the summed
    axes (0 where it is infinite, so that a row of ``-inf`` still gives ``-inf``): the sum
    overflows for ``u`` above 709 (as PyTensor's ``local_log_sum_exp``). A sum over an empty
    axis then raises, as ``max`` does."""

    @op_pattern
    def match_and_rewrite(self, op: ops.LogOp, rewriter: PatternRewriter) -> None:
        total = owner(op.x, ops.SumOp)
        u = exp_argument(total.x) if total is not None else None
        if total is None or u is None or not is_float(u) or dtype_of(u) != dtype_of(op.result):
            return
        axes = total.get_axes()
        shifted_already = owner(u, ops.SubOp)
        if not axes or (
            shifted_already is not None
            and is_finite_maximum(shifted_already.rhs, shifted_already.lhs, axes)
        ):
            return  # u is x - max(x): exp(u) cannot overflow (this pattern's own result too)
        new_ops, peak = finite_maximum(u, axes)
        shifted = binary(ops.SubOp, u, peak, u.type)
        exp = unary(ops.ExpOp, shifted.results[0])
        summed = ops.SumOp(exp.results[0], axes, total.get_keepdims(), total.result.type)
        log = unary(ops.LogOp, summed.result)
        offset = peak
        if not total.get_keepdims():
            kept = [axis for axis in range(len(shape_of(u))) if axis not in axes]
            squeeze = ops.DimShuffleOp(offset, kept, total.result.type)
            new_ops.append(squeeze)
            offset = squeeze.result
        result = binary(ops.AddOp, log.results[0], offset, op.result.type)
        new_ops += [shifted, exp, summed, log, result]
        replace(rewriter, op, new_ops, result.results[0])


# -- switch sinking -------------------------------------------------------------------------------


def _switch_with_zero(value: SSAValue) -> tuple[ops.SwitchOp, bool] | None:
    """``(switch, zero_if_true)`` where ``value`` is ``switch(c, 0, x)`` (``True``) or
    ``switch(c, x, 0)`` (``False``), and ``x`` has the switch's dtype (so that ``x * y``
    computes in the dtype ``switch(...) * y`` did)."""
    switch = owner(value, ops.SwitchOp)
    if switch is None:
        return None
    for zero_if_true, zero, kept in (
        (True, switch.if_true, switch.if_false),
        (False, switch.if_false, switch.if_true),
    ):
        if is_constant(zero, 0) and dtype_of(kept) == dtype_of(switch.result):
            return switch, zero_if_true
    return None


def _sink(op: ops.BinaryElementwiseOp, position: int, rewriter: PatternRewriter) -> bool:
    """Rewrite ``op``, whose operand ``position`` is a switch with a zero branch, into the
    switch of ``op`` applied to the other branch."""
    found = _switch_with_zero(op.operands[position])
    if found is None:
        return False
    switch, zero_if_true = found
    zero, kept = (
        (switch.if_true, switch.if_false) if zero_if_true else (switch.if_false, switch.if_true)
    )
    operands = list(op.operands)
    operands[position] = kept
    shape = broadcast_shape([shape_of(v) for v in operands])
    if shape is None:
        return False
    inner = type(op)(operands[0], operands[1], tensor_type(dtype_of(op.result), shape))
    if_true, if_false = (zero, inner.result) if zero_if_true else (inner.result, zero)
    sunk = ops.SwitchOp(switch.cond, if_true, if_false, op.result.type)
    replace(rewriter, op, [inner, sunk], sunk.result)
    return rewriter.has_done_action


class MulSwitchSink(RewritePattern):
    """``switch(c, 0, x) * y -> switch(c, 0, x * y)`` (the zero on either side, the switch
    either operand): where the switch picks 0 the product is 0 even where ``y`` is inf or NaN.
    The gradient of ``switch(c, f(u), 0)`` multiplies ``switch(c, g, 0)`` by ``f'(u)``
    everywhere; this keeps the branch not taken out of it (``sqrt'(0)`` is inf), as Theano's
    ``local_mul_switch_sink``."""

    @op_pattern
    def match_and_rewrite(self, op: ops.MulOp, rewriter: PatternRewriter) -> None:
        for position in (0, 1):
            if _sink(op, position, rewriter):
                return


class DivSwitchSink(RewritePattern):
    """``switch(c, 0, x) / y -> switch(c, 0, x / y)`` (the zero on either side): 0 where the
    switch picks 0, even where ``y`` is 0 (Theano's ``local_div_switch_sink``)."""

    @op_pattern
    def match_and_rewrite(self, op: ops.TrueDivOp, rewriter: PatternRewriter) -> None:
        _sink(op, 0, rewriter)


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
    LogOneMinusExpToLog1mexp,
    ExpOverSumExpToSoftmax,
    LogOfSoftmaxToLogSoftmax,
    LogSumExpToShifted,
    MulSwitchSink,
    DivSwitchSink,
)
"""Every stabilization pattern, in the order they are tried on an op."""


@dataclass(frozen=True)
class StabilizePass(PatternPass):
    """``stabilize``: the numerically stable forms above, to a fixed point."""

    name = "stabilize"
    PATTERNS = STABILIZE_PATTERNS
