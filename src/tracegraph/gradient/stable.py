"""Gradients built in stable form for compositions whose op-by-op gradient overflows.

The op-by-op gradient of ``log(p)`` with ``p = 1 / (1 + exp(-x))`` is ``g / p`` times the
sigmoid's derivative ``p * (1 - p)``; the gradient of ``log(1 - p)`` divides by ``1 - p``,
which is 0 once ``p`` rounds to 1 (any ``x`` above 37 in float64), giving ``inf * 0 = NaN``.
The composition itself has a finite derivative everywhere: ``d/dx log(sigmoid(x)) =
sigmoid(-x)`` and ``d/dx log(1 - sigmoid(x)) = -sigmoid(x)``. ``grad`` applies these rules to
a ``log`` of a logistic (spelled ``sigmoid(x)``, ``1 / (1 + exp(u))`` or ``1 - `` either)
and sends the gradient straight to the logistic's argument. No gradient flows along the
bypassed ops from this path (other uses of them still get theirs).
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from xdsl.ir import Operation, SSAValue

from tracegraph.ir import ops
from tracegraph.tensor import math as tm
from tracegraph.tensor.variable import TensorVariable

CompositeRule = Callable[
    [Operation, TensorVariable, Collection[SSAValue]],
    list[tuple[SSAValue, TensorVariable]] | None,
]
"""``rule(op, g, barriers)``: gradient contributions ``(value, gradient)`` that replace the
op's own rule, or ``None`` where the rule does not apply. It must not look through
``barriers`` (``consider_constant`` values and values with known gradients)."""


def _constant_one(value: SSAValue) -> bool:
    op = value.owner
    if not isinstance(op, ops.ConstantOp):
        return False
    array = op.to_array()
    return array.size > 0 and bool((array == 1).all())


def _logistic(value: SSAValue, barriers: Collection[SSAValue]) -> tuple[SSAValue, float] | None:
    """``(u, sign)`` where ``value`` is ``sigmoid(sign * u)``: ``sigmoid(u)`` gives ``+1``,
    ``1 / (1 + exp(u))`` gives ``-1``."""
    op = value.owner
    if isinstance(op, ops.SigmoidOp):
        return op.x, 1.0
    if not isinstance(op, ops.TrueDivOp) or not _constant_one(op.lhs):
        return None
    add = op.rhs.owner
    if op.rhs in barriers or not isinstance(add, ops.AddOp):
        return None
    for one, other in ((add.lhs, add.rhs), (add.rhs, add.lhs)):
        exp = other.owner
        if _constant_one(one) and isinstance(exp, ops.ExpOp) and other not in barriers:
            return exp.x, -1.0
    return None


def _log_of_logistic(
    op: Operation, g: TensorVariable, barriers: Collection[SSAValue]
) -> list[tuple[SSAValue, TensorVariable]] | None:
    if not isinstance(op, ops.LogOp):
        return None
    argument, complement = op.x, False
    sub = argument.owner
    if isinstance(sub, ops.SubOp) and _constant_one(sub.lhs) and argument not in barriers:
        argument, complement = sub.rhs, True
    if argument in barriers:
        return None
    found = _logistic(argument, barriers)
    if found is None:
        return None
    u, sign = found
    s = TensorVariable(u) if sign > 0 else -TensorVariable(u)
    # d log(sigmoid(s))/ds = sigmoid(-s); d log(1 - sigmoid(s))/ds = -sigmoid(s).
    ds = g * -tm.sigmoid(s) if complement else g * tm.sigmoid(-s)
    return [(u, ds if sign > 0 else -ds)]


COMPOSITE_RULES: tuple[CompositeRule, ...] = (_log_of_logistic,)
"""The stable rules ``grad`` tries on an op before its rule in ``VJP_RULES``."""
