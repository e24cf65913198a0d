"""Gradients built in stable form for compositions whose op-by-op gradient overflows.

The op-by-op gradient of ``log(p)`` divides by ``p``. Where ``p`` has underflowed or rounded
to the end of its range, that is ``inf``, and the product with the derivative of ``p`` (0
there) is NaN, although the composition has a finite derivative everywhere. No rewrite of the
gradient graph can undo ``inf * 0``, so ``grad`` tries these *composite rules* on an op before
the op's own rule (``VJP_RULES``), and sends the gradient straight past the ops they bypass:

- ``log(exp(u))``: ``g`` itself (``exp(u) / exp(u)`` is NaN once ``exp(u)`` overflows);
- ``log(sigmoid(u))``, ``log(1 - sigmoid(u))`` (the logistic also spelled ``1 / (1 +
  exp(-u))``): ``d/du = sigmoid(-u)`` and ``-sigmoid(u)``;
- ``log(softmax(u))`` (a ``tg.softmax``, or ``exp(u) / sum(exp(u))`` written out), also through
  indexing and dimshuffles (``log(softmax(u)[rows, labels])``): the gradient of
  ``logsoftmax(u)``, ``g - sum(g) * softmax(u)``;
- ``log(1 - exp(u))`` and ``log1p(-exp(u))``: ``-1 / expm1(-u)``;
- ``log(sum(exp(u)))``: ``g * softmax(u)`` over the summed axes, from ``u - max(u)``.

No gradient flows along the bypassed ops from this path (other uses of them still get theirs).
The forward values get the matching rewrites (``passes/stabilize.py``); the forms are
recognized by the same functions (``ir/idioms.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from xdsl.ir import Operation, SSAValue

from tracegraph.gradient.rules import (
    VJP_RULES,
    MultiResultRule,
    NotDifferentiable,
    UndefinedGradient,
    expand_reduced,
)
from tracegraph.ir import ops
from tracegraph.ir.idioms import (
    exp_argument,
    is_constant,
    one_minus_exp_argument,
    selections_over,
    softmax_of,
)
from tracegraph.ir.types import dtype_of, is_float_dtype
from tracegraph.tensor import basic, nnet
from tracegraph.tensor import math as tm
from tracegraph.tensor.variable import TensorVariable

CompositeRule = Callable[
    [Operation, TensorVariable, Collection[SSAValue]],
    list[tuple[SSAValue, TensorVariable]] | None,
]
"""``rule(op, g, barriers)``: gradient contributions ``(value, gradient)`` that replace the
op's own rule, or ``None`` where the rule does not apply. It must not look through
``barriers`` (``consider_constant`` values, values with known gradients and the ``wrt``)."""


def _argument(u: SSAValue, computed: SSAValue) -> TensorVariable:
    """``u``, cast to the dtype of the float value ``computed`` from it where ``u`` is an
    integer (an integer ``wrt``): its negation would wrap (``-uint8(3)`` is 253)."""
    x = TensorVariable(u)
    if is_float_dtype(x.dtype):
        return x
    return basic.cast(x, dtype_of(computed))


def _logistic(value: SSAValue, barriers: Collection[SSAValue]) -> tuple[SSAValue, float] | None:
    """``(u, sign)`` where ``value`` is ``sigmoid(sign * u)``: ``sigmoid(u)`` gives ``+1``,
    ``1 / (1 + exp(u))`` gives ``-1``."""
    op = value.owner
    if isinstance(op, ops.SigmoidOp):
        return op.x, 1.0
    if not isinstance(op, ops.TrueDivOp) or not is_constant(op.lhs, 1):
        return None
    add = op.rhs.owner
    if op.rhs in barriers or not isinstance(add, ops.AddOp):
        return None
    for one, other in ((add.lhs, add.rhs), (add.rhs, add.lhs)):
        u = exp_argument(other, barriers)
        if is_constant(one, 1) and u is not None:
            return u, -1.0
    return None


def _log_of_logistic(
    op: Operation, g: TensorVariable, barriers: Collection[SSAValue]
) -> list[tuple[SSAValue, TensorVariable]] | None:
    if not isinstance(op, ops.LogOp):
        return None
    argument, complement = op.x, False
    sub = argument.owner
    if isinstance(sub, ops.SubOp) and is_constant(sub.lhs, 1) and argument not in barriers:
        argument, complement = sub.rhs, True
    if argument in barriers:
        return None
    found = _logistic(argument, barriers)
    if found is None:
        return None
    u, sign = found
    x = _argument(u, argument)
    s = x if sign > 0 else -x
    # d log(sigmoid(s))/ds = sigmoid(-s); d log(1 - sigmoid(s))/ds = -sigmoid(s).
    ds = g * -tm.sigmoid(s) if complement else g * tm.sigmoid(-s)
    return [(u, ds if sign > 0 else -ds)]


def _through_selections(chain: list[Operation], g: TensorVariable) -> TensorVariable:
    """The gradient with respect to the first operand of the innermost op of ``chain`` (ops
    of ``SELECTIONS``, outermost first) of a value whose gradient is ``g``."""
    for op in chain:
        rule = VJP_RULES[type(op)]
        assert not isinstance(rule, NotDifferentiable | UndefinedGradient | MultiResultRule)
        operands = [TensorVariable(v) for v in op.operands]
        gradient = rule(op, operands, TensorVariable(op.results[0]), g)[0]
        assert gradient is not None
        g = gradient
    return g


def _log_of_softmax(
    op: Operation, g: TensorVariable, barriers: Collection[SSAValue]
) -> list[tuple[SSAValue, TensorVariable]] | None:
    if not isinstance(op, ops.LogOp) or op.x in barriers:
        return None
    chain, base = selections_over(op.x, barriers)
    found = softmax_of(base, barriers)
    if found is None:
        return None
    u, axis = found
    g_log_softmax = _through_selections(chain, g)
    softmax = nnet.softmax_along(TensorVariable(u), axis)
    return [(u, g_log_softmax - tm.sum(g_log_softmax, axis=axis, keepdims=True) * softmax)]


def _log_one_minus_exp(
    op: Operation, g: TensorVariable, barriers: Collection[SSAValue]
) -> list[tuple[SSAValue, TensorVariable]] | None:
    if isinstance(op, ops.LogOp):
        u = one_minus_exp_argument(op.x, barriers)
    elif isinstance(op, ops.Log1pOp) and isinstance(op.x.owner, ops.NegOp):
        u = None if op.x in barriers else exp_argument(op.x.owner.x, barriers)
    else:
        return None
    if u is None:
        return None
    # d/du log(1 - exp(u)) = -exp(u) / (1 - exp(u)) = -1 / expm1(-u), exact near u = 0.
    return [(u, -g / tm.expm1(-_argument(u, op.x)))]


def _log_sum_exp(
    op: Operation, g: TensorVariable, barriers: Collection[SSAValue]
) -> list[tuple[SSAValue, TensorVariable]] | None:
    if not isinstance(op, ops.LogOp) or op.x in barriers:
        return None
    total = op.x.owner
    if not isinstance(total, ops.SumOp):
        return None
    u = exp_argument(total.x, barriers)
    if u is None:
        return None
    axes = total.get_axes()
    x = TensorVariable(u)
    if len(axes) == 1:
        weights = nnet.softmax_along(x, axes[0])
    else:
        exps = tm.exp(x - tm.max(x, axis=list(axes), keepdims=True))
        weights = exps / tm.sum(exps, axis=list(axes), keepdims=True)
    return [(u, expand_reduced(g, total, x) * weights)]


def _log_of_exp(
    op: Operation, g: TensorVariable, barriers: Collection[SSAValue]
) -> list[tuple[SSAValue, TensorVariable]] | None:
    if not isinstance(op, ops.LogOp) or op.x in barriers:
        return None
    u = exp_argument(op.x, barriers)
    # log(exp(u)) is u: the gradient passes unchanged (op by op it is exp(u) / exp(u), NaN
    # once exp(u) overflows above 709).
    return None if u is None else [(u, g)]


COMPOSITE_RULES: tuple[CompositeRule, ...] = (
    _log_of_exp,
    _log_of_logistic,
    _log_of_softmax,
    _log_one_minus_exp,
    _log_sum_exp,
)
"""The stable rules ``grad`` tries on an op before its rule in ``VJP_RULES``."""
