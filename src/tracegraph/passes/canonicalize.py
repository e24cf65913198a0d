"""Canonicalization: rewrites that simplify a graph without changing its values.

Each pattern keeps every result equal to what the unoptimized graph computes, NaN and infinity
included: there is no ``x * 0 -> 0`` (``inf * 0`` is NaN) and no ``x - x -> 0``, and ``x + 0 -> x``
is only applied where it keeps the sign of a zero. A rewrite may drop a run-time shape check
(``fill(x, v) -> v`` when ``v`` already has the shape), as Theano did. Constants are merged by
``cse`` (equal constants become one); chains like ``(x * c1) * c2`` are left alone, since
``x * (c1 * c2)`` rounds differently and overflows elsewhere.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from xdsl.ir import Operation, SSAValue
from xdsl.pattern_rewriter import PatternRewriter, RewritePattern
from xdsl.traits import Pure

from tracegraph.ir import ops
from tracegraph.ir.interpreter import REFERENCE_RULES
from tracegraph.ir.ops.shape import NEW_AXIS
from tracegraph.ir.types import dtype_of, shape_of, tensor_type
from tracegraph.passes.control import LOOP_PATTERNS
from tracegraph.passes.patterns import (
    PatternPass,
    broadcast_shape,
    constant_array,
    is_constant,
    is_float,
    op_pattern,
    owner,
    replace,
    scalar_constant,
)

FOLD_LIMIT = 4096
"""Constant folding leaves results with more elements than this to run time."""


def _constant_op(array: NDArray[Any], like: SSAValue) -> ops.ConstantOp | None:
    """A constant holding ``array`` with exactly ``like``'s type, or ``None``."""
    array = np.asarray(array, dtype=dtype_of(like))
    constant = ops.ConstantOp.from_array(array)
    return constant if constant.result.type == like.type else None


# -- constants --------------------------------------------------------------------------------


class FoldConstants(RewritePattern):
    """``f(c1, c2, ...) -> c``: a pure op whose operands are all constants is computed now,
    by the reference interpreter's own kernel."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter) -> None:
        # Cheapest tests first: this pattern is tried on every op.
        if not op.operands or not all(isinstance(v.owner, ops.ConstantOp) for v in op.operands):
            return
        if len(op.results) != 1 or type(op) not in REFERENCE_RULES or not op.has_trait(Pure):
            return
        if math.prod(s or 0 for s in shape_of(op.results[0])) > FOLD_LIMIT:
            return
        arrays = [constant_array(v) for v in op.operands]
        try:
            with np.errstate(all="ignore"):
                result = REFERENCE_RULES[type(op)](op)(*arrays)
        except Exception:
            return
        constant = _constant_op(np.asarray(result), op.results[0])
        if constant is not None and np.asarray(result).size <= FOLD_LIMIT:
            replace(rewriter, op, [constant], constant.result)


class FoldStaticShape(RewritePattern):
    """``shape(x) -> [n, m, ...]`` when every size of ``x`` is known statically."""

    @op_pattern
    def match_and_rewrite(self, op: ops.ShapeOp, rewriter: PatternRewriter) -> None:
        sizes = shape_of(op.x)
        if any(size is None for size in sizes):
            return
        constant = _constant_op(np.array(sizes, dtype=np.int64), op.result)
        if constant is not None:
            replace(rewriter, op, [constant], constant.result)


# -- arithmetic identities --------------------------------------------------------------------


def _other_than(
    op: Operation, number: float, *, sides: tuple[int, ...] = (0, 1)
) -> SSAValue | None:
    """The operand of a binary op whose other operand (on one of ``sides``) is ``number``."""
    for side in sides:
        if is_constant(op.operands[side], number):
            return op.operands[1 - side]
    return None


class FoldMulOne(RewritePattern):
    """``x * 1 -> x`` and ``1 * x -> x``."""

    @op_pattern
    def match_and_rewrite(self, op: ops.MulOp, rewriter: PatternRewriter) -> None:
        x = _other_than(op, 1)
        if x is not None:
            replace(rewriter, op, [], x)


class DropGradientBarrier(RewritePattern):
    """``disconnected_grad(x) -> x`` (and ``zero_grad``, ``grad_clip``): once gradients are
    taken, a gradient barrier is the identity."""

    @op_pattern
    def match_and_rewrite(
        self,
        op: ops.DisconnectedGradOp | ops.ZeroGradOp | ops.GradClipOp,
        rewriter: PatternRewriter,
    ) -> None:
        replace(rewriter, op, [], op.x)


class FoldAddZero(RewritePattern):
    """``x + 0 -> x`` and ``0 + x -> x``. For floats only with a ``-0.0`` constant: ``-0.0 +
    0.0`` is ``+0.0``, and the sign of a zero shows in ``1 / x``."""

    @op_pattern
    def match_and_rewrite(self, op: ops.AddOp, rewriter: PatternRewriter) -> None:
        for side in (0, 1):
            zero = constant_array(op.operands[side])
            if zero is None or zero.size == 0 or not np.all(zero == 0):
                continue
            x = op.operands[1 - side]
            if is_float(x) and not np.all(np.signbit(zero)):
                continue
            replace(rewriter, op, [], x)
            return


class FoldSubZero(RewritePattern):
    """``x - 0 -> x`` (for floats, with ``+0.0``: ``x - (-0.0)`` turns ``-0.0`` into ``+0.0``)."""

    @op_pattern
    def match_and_rewrite(self, op: ops.SubOp, rewriter: PatternRewriter) -> None:
        zero = constant_array(op.rhs)
        if zero is None or zero.size == 0 or not np.all(zero == 0):
            return
        if is_float(op.lhs) and np.any(np.signbit(zero)):
            return
        replace(rewriter, op, [], op.lhs)


class FoldNegNeg(RewritePattern):
    """``-(-x) -> x``."""

    @op_pattern
    def match_and_rewrite(self, op: ops.NegOp, rewriter: PatternRewriter) -> None:
        inner = owner(op.x, ops.NegOp)
        if inner is not None:
            replace(rewriter, op, [], inner.x)


class FoldNegatedProduct(RewritePattern):
    """``-((-a) * b) -> a * b`` and ``(-a) * (-b) -> a * b`` (negation is exact, and the sign
    of a product is the product of the signs, zeros included)."""

    @op_pattern
    def match_and_rewrite(self, op: ops.NegOp | ops.MulOp, rewriter: PatternRewriter) -> None:
        if isinstance(op, ops.NegOp):
            product = owner(op.x, ops.MulOp)
            if product is None:
                return
            for negated, other in ((product.lhs, product.rhs), (product.rhs, product.lhs)):
                inner = owner(negated, ops.NegOp)
                if inner is not None:
                    operands = (inner.x, other) if negated is product.lhs else (other, inner.x)
                    new_op = ops.MulOp(*operands, op.result.type)
                    replace(rewriter, op, [new_op], new_op.result)
                    return
        elif isinstance(op, ops.MulOp):
            lhs, rhs = owner(op.lhs, ops.NegOp), owner(op.rhs, ops.NegOp)
            if lhs is not None and rhs is not None:
                new_op = ops.MulOp(lhs.x, rhs.x, op.result.type)
                replace(rewriter, op, [new_op], new_op.result)


class FoldPowOne(RewritePattern):
    """``x ** 1 -> x``."""

    @op_pattern
    def match_and_rewrite(self, op: ops.PowOp, rewriter: PatternRewriter) -> None:
        if is_constant(op.rhs, 1):
            replace(rewriter, op, [], op.lhs)


class PowTwoToMul(RewritePattern):
    """``x ** 2 -> x * x`` (one multiplication instead of a call to ``pow``)."""

    @op_pattern
    def match_and_rewrite(self, op: ops.PowOp, rewriter: PatternRewriter) -> None:
        if is_constant(op.rhs, 2) and constant_array(op.rhs) is not None:
            square = ops.MulOp(op.lhs, op.lhs, op.result.type)
            if op.lhs.type == op.result.type:
                replace(rewriter, op, [square], square.result)


class ExpOfLog(RewritePattern):
    """``exp(log(x)) -> switch(x >= 0, abs(x), nan)`` (``log`` of a negative number is NaN, and
    ``exp(log(-0.0))`` is ``exp(-inf)``, +0.0: ``abs`` gives zeros their sign)."""

    @op_pattern
    def match_and_rewrite(self, op: ops.ExpOp, rewriter: PatternRewriter) -> None:
        inner = owner(op.x, ops.LogOp)
        if inner is None or inner.x.type != op.result.type:
            return
        x = inner.x
        zero, nan = scalar_constant(0, x), scalar_constant(np.nan, x)
        non_negative = ops.GeOp(x, zero.result, tensor_type("bool", shape_of(x)))
        magnitude = ops.AbsOp(x, x.type)
        select = ops.SwitchOp(non_negative.result, magnitude.result, nan.result, op.result.type)
        replace(rewriter, op, [zero, nan, non_negative, magnitude, select], select.result)


class LogOfExp(RewritePattern):
    """``log(exp(x)) -> x``."""

    @op_pattern
    def match_and_rewrite(self, op: ops.LogOp, rewriter: PatternRewriter) -> None:
        inner = owner(op.x, ops.ExpOp)
        if inner is not None:
            replace(rewriter, op, [], inner.x)


# -- broadcasting -----------------------------------------------------------------------------


class FoldFillOfConstant(RewritePattern):
    """``fill(x, c) -> c'``: a constant broadcast to a shape known statically is a constant."""

    @op_pattern
    def match_and_rewrite(self, op: ops.FillOp, rewriter: PatternRewriter) -> None:
        value = constant_array(op.rhs)
        shape = shape_of(op.result)
        if value is None or any(size is None for size in shape):
            return
        static = tuple(int(size) for size in shape if size is not None)
        if int(np.prod(static)) > FOLD_LIMIT:
            return
        constant = _constant_op(np.broadcast_to(value, static), op.result)
        if constant is not None:
            replace(rewriter, op, [constant], constant.result)


class FoldFillOfSameShape(RewritePattern):
    """``fill(x, v) -> v`` when ``v`` already has the result's type."""

    @op_pattern
    def match_and_rewrite(self, op: ops.FillOp, rewriter: PatternRewriter) -> None:
        replace(rewriter, op, [], op.rhs)


class FoldAllocOfSameShape(RewritePattern):
    """``alloc(v, *shape) -> v`` when ``v`` already has the result's type and a static shape
    (alloc broadcasts like NumPy: a ``tensor<?xf64>`` of size 1 fills any length)."""

    @op_pattern
    def match_and_rewrite(self, op: ops.AllocOp, rewriter: PatternRewriter) -> None:
        if None not in shape_of(op.value):
            replace(rewriter, op, [], op.value)


class SinkFillIntoElementwise(RewritePattern):
    """``f(fill(x, v), y) -> f(v, y)`` when the other operands already give the result its
    shape: the fill only broadcasts ``v`` to a shape the op broadcasts to anyway."""

    @op_pattern
    def match_and_rewrite(
        self, op: ops.BinaryElementwiseOp | ops.SwitchOp, rewriter: PatternRewriter
    ) -> None:
        for position, operand in enumerate(op.operands):
            fill = owner(operand, ops.FillOp)
            if fill is None or dtype_of(fill.rhs) != dtype_of(operand):
                continue
            operands = list(op.operands)
            operands[position] = fill.rhs
            if broadcast_shape([shape_of(v) for v in operands]) != shape_of(op.results[0]):
                continue
            new_op = type(op).create(
                operands=operands,
                result_types=[op.results[0].type],
                properties=dict(op.properties),
                attributes=dict(op.attributes),
            )
            replace(rewriter, op, [new_op], new_op.results[0])
            return


class SinkUnaryIntoFill(RewritePattern):
    """``f(fill(x, v)) -> fill(x, f(v))``: compute ``f`` on the value before broadcasting it
    (on a constant ``v``, folding then removes ``f``)."""

    @op_pattern
    def match_and_rewrite(self, op: ops.UnaryElementwiseOp, rewriter: PatternRewriter) -> None:
        fill = owner(op.operands[0], ops.FillOp)
        if fill is None:
            return
        result = op.results[0]
        inner = type(op).create(
            operands=[fill.rhs],
            result_types=[tensor_type(dtype_of(result), shape_of(fill.rhs))],
            properties=dict(op.properties),
            attributes=dict(op.attributes),
        )
        outer = ops.FillOp(fill.lhs, inner.results[0], result.type)
        replace(rewriter, op, [inner, outer], outer.result)


class SinkScalarOperandIntoFill(RewritePattern):
    """``fill(x, v) * s -> fill(x, v * s)`` for any binary elementwise op and an operand ``s``
    of static size 1 on every axis: compute on the value before broadcasting it."""

    @op_pattern
    def match_and_rewrite(self, op: ops.BinaryElementwiseOp, rewriter: PatternRewriter) -> None:
        if isinstance(op, ops.FillOp):
            return
        for fill_value, scalar in ((op.lhs, op.rhs), (op.rhs, op.lhs)):
            fill = owner(fill_value, ops.FillOp)
            if fill is None or any(size != 1 for size in shape_of(scalar)):
                continue
            operands = [fill.rhs, scalar] if fill_value is op.lhs else [scalar, fill.rhs]
            result = op.results[0]
            inner_shape = broadcast_shape([shape_of(v) for v in operands])
            if inner_shape is None:
                return
            inner = type(op).create(
                operands=operands, result_types=[tensor_type(dtype_of(result), inner_shape)]
            )
            outer = ops.FillOp(fill.lhs, inner.results[0], result.type)
            replace(rewriter, op, [inner, outer], outer.result)
            return


# -- shapes and casts -------------------------------------------------------------------------


class FoldDimShuffleOfDimShuffle(RewritePattern):
    """``dimshuffle(dimshuffle(x, a), b) -> dimshuffle(x, a∘b)``."""

    @op_pattern
    def match_and_rewrite(self, op: ops.DimShuffleOp, rewriter: PatternRewriter) -> None:
        inner = owner(op.x, ops.DimShuffleOp)
        if inner is None:
            return
        first = inner.get_order()
        order = [NEW_AXIS if axis == NEW_AXIS else first[axis] for axis in op.get_order()]
        merged = ops.DimShuffleOp(inner.x, order, op.result.type)
        replace(rewriter, op, [merged], merged.result)


class FoldIdentityDimShuffle(RewritePattern):
    """``dimshuffle(x, (0, 1, ..., n-1)) -> x``."""

    @op_pattern
    def match_and_rewrite(self, op: ops.DimShuffleOp, rewriter: PatternRewriter) -> None:
        if op.get_order() == tuple(range(len(shape_of(op.x)))):
            replace(rewriter, op, [], op.x)


class FoldReshapeOfReshape(RewritePattern):
    """``reshape(reshape(x, s1), s2) -> reshape(x, s2)`` (also through ``flatten``)."""

    @op_pattern
    def match_and_rewrite(self, op: ops.ReshapeOp, rewriter: PatternRewriter) -> None:
        inner = op.x.owner
        if not isinstance(inner, ops.ReshapeOp | ops.FlattenOp):
            return
        merged = ops.ReshapeOp(inner.operands[0], op.operands[1], op.result.type)
        replace(rewriter, op, [merged], merged.result)


class FoldUselessCast(RewritePattern):
    """``cast(x, dtype(x)) -> x`` and ``cast(cast(x, wide), t) -> cast(x, t)`` when ``wide``
    holds every value of ``x``'s dtype exactly."""

    @op_pattern
    def match_and_rewrite(self, op: ops.CastOp, rewriter: PatternRewriter) -> None:
        if op.x.type == op.result.type:
            replace(rewriter, op, [], op.x)
            return
        inner = owner(op.x, ops.CastOp)
        if inner is None or not _holds_exactly(dtype_of(inner.x), dtype_of(inner.result)):
            return
        direct = ops.CastOp(inner.x, op.result.type)
        replace(rewriter, op, [direct], direct.result)


def _holds_exactly(narrow: str, wide: str) -> bool:
    """Whether every value of ``narrow`` is a value of ``wide`` (NumPy's "safe" casts include
    int64 -> float64, which rounds integers above 2**53)."""
    if not np.can_cast(narrow, wide, "safe"):
        return False
    if np.dtype(narrow).kind in "iu" and np.dtype(wide).kind == "f":
        info = np.iinfo(narrow)
        return info.bits - (info.min < 0) <= np.finfo(wide).nmant + 1
    return True


CANONICALIZE_PATTERNS: tuple[type[RewritePattern], ...] = (
    FoldConstants,
    FoldStaticShape,
    FoldMulOne,
    DropGradientBarrier,
    FoldAddZero,
    FoldSubZero,
    FoldNegNeg,
    FoldNegatedProduct,
    FoldPowOne,
    PowTwoToMul,
    ExpOfLog,
    LogOfExp,
    FoldFillOfConstant,
    FoldFillOfSameShape,
    FoldAllocOfSameShape,
    SinkFillIntoElementwise,
    SinkUnaryIntoFill,
    SinkScalarOperandIntoFill,
    FoldDimShuffleOfDimShuffle,
    FoldIdentityDimShuffle,
    FoldReshapeOfReshape,
    FoldUselessCast,
    *LOOP_PATTERNS,
)
"""Every canonicalization pattern, in the order they are tried on an op."""


@dataclass(frozen=True)
class CanonicalizePass(PatternPass):
    """``canonicalize``: the value-preserving simplifications above, to a fixed point."""

    name = "canonicalize"
    PATTERNS = CANONICALIZE_PATTERNS
