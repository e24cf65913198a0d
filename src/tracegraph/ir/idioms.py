"""Recognizers of forms spelled with several ops: a constant of one value, ``1 - exp(u)``, a
softmax written out as ``exp(u) / sum(exp(u))``, a chain of selections over a value.

The stabilizing rewrites (``passes/stabilize.py``) and the stable gradients
(``gradient/stable.py``) look for the same forms: one definition of each serves both, so that
what is rewritten and what is differentiated stably cannot drift apart. Each recognizer takes
an SSA value and returns what the form is made of, or ``None``; ``barriers`` are values a match
must not look through (``grad``'s ``consider_constant`` and known gradients).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, TypeVar

import numpy as np
from numpy.typing import NDArray
from xdsl.ir import Operation, SSAValue

from tracegraph.ir import ops
from tracegraph.ir.ops.shape import NEW_AXIS
from tracegraph.ir.types import ndim_of

OpT = TypeVar("OpT", bound=Operation)
NO_BARRIERS: frozenset[SSAValue] = frozenset()


def owner(value: SSAValue, op_class: type[OpT]) -> OpT | None:
    """The op that defines ``value`` if it is an ``op_class``, else ``None``."""
    op = value.owner
    return op if isinstance(op, op_class) else None


_ARRAY_CACHE = "_tracegraph_constant_array"


def constant_array(value: SSAValue) -> NDArray[Any] | None:
    """The array of a value defined by ``tg.constant`` (read-only), else ``None``."""
    op = value.owner
    if not isinstance(op, ops.ConstantOp):
        return None
    # Rewrites ask for the same constants many times; decode each dense attribute once.
    cached: NDArray[Any] | None = getattr(op, _ARRAY_CACHE, None)
    if cached is None:
        cached = op.to_array()
        cached.flags.writeable = False
        setattr(op, _ARRAY_CACHE, cached)
    return cached


def is_constant(value: SSAValue, number: float) -> bool:
    """Whether ``value`` is a constant whose every element equals ``number``."""
    array = constant_array(value)
    return array is not None and array.size > 0 and bool(np.all(array == number))


def exp_argument(value: SSAValue, barriers: Collection[SSAValue] = NO_BARRIERS) -> SSAValue | None:
    """``u`` where ``value`` is ``exp(u)``."""
    exp = owner(value, ops.ExpOp)
    return exp.x if exp is not None and value not in barriers else None


def one_minus_exp_argument(
    value: SSAValue, barriers: Collection[SSAValue] = NO_BARRIERS
) -> SSAValue | None:
    """``u`` where ``value`` is ``1 - exp(u)``."""
    sub = owner(value, ops.SubOp)
    if sub is None or value in barriers or not is_constant(sub.lhs, 1):
        return None
    return exp_argument(sub.rhs, barriers)


def _reduced_axis(
    denominator: SSAValue, barriers: Collection[SSAValue]
) -> tuple[int, SSAValue] | None:
    """``(axis, s)`` where ``denominator`` is ``s = sum(t, axis)`` with the axis kept, either by
    ``keepdims`` or by a dimshuffle that puts it back, and ``t`` is the summed value."""
    if denominator in barriers:
        return None
    shuffle = owner(denominator, ops.DimShuffleOp)
    summed = denominator
    if shuffle is not None:
        summed = shuffle.x
        if summed in barriers:
            return None
    total = owner(summed, ops.SumOp)
    if total is None or len(total.get_axes()) != 1:
        return None
    (axis,) = total.get_axes()
    if shuffle is None:
        return (axis, total.x) if total.get_keepdims() else None
    if total.get_keepdims():
        return None
    # The dimshuffle must put the reduced axis back in place and keep the others in order.
    order = [*range(axis), NEW_AXIS, *range(axis, ndim_of(total.x) - 1)]
    return (axis, total.x) if list(shuffle.get_order()) == order else None


def softmax_of(
    value: SSAValue, barriers: Collection[SSAValue] = NO_BARRIERS
) -> tuple[SSAValue, int] | None:
    """``(u, axis)`` where ``value`` is ``softmax(u)`` along ``axis``: a ``tg.softmax``, or
    written out as ``exp(u) / sum(exp(u), axis, keepdims=True)`` (also with the sum's axis put
    back by a dimshuffle, ``.dimshuffle(0, 'x')``); the two ``exp(u)`` may be one value or two
    ops on the same ``u``."""
    if value in barriers:
        return None
    softmax = owner(value, ops.SoftmaxOp)
    if softmax is not None:
        return softmax.x, softmax.get_axis()
    quotient = owner(value, ops.TrueDivOp)
    if quotient is None:
        return None
    u = exp_argument(quotient.lhs, barriers)
    reduced = _reduced_axis(quotient.rhs, barriers)
    if u is None or reduced is None:
        return None
    axis, summed = reduced
    if exp_argument(summed, barriers) is not u or quotient.result.type != u.type:
        return None
    return u, axis


SELECTIONS: tuple[type[Operation], ...] = (ops.SubtensorOp, ops.DimShuffleOp)
"""Ops that pick or rearrange elements of their first operand: an elementwise function
commutes with them (``log(x[i]) == log(x)[i]``)."""


def selections_over(
    value: SSAValue, barriers: Collection[SSAValue] = NO_BARRIERS
) -> tuple[list[Operation], SSAValue]:
    """``(chain, base)``: the selections (``SELECTIONS``) ``value`` is computed by from ``base``,
    the outermost first (``[]`` and ``value`` itself when it is no selection)."""
    chain: list[Operation] = []
    while value not in barriers:
        op = value.owner
        if not isinstance(op, SELECTIONS):
            break
        chain.append(op)
        value = op.operands[0]
    return chain, value
