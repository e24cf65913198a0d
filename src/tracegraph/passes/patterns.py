"""What the rewrite patterns share: matching constants and ops, replacing with located ops, and
the pass that applies a set of patterns.

Every pattern is a small ``RewritePattern`` named after the identity it applies (``FoldMulOne``:
``x * 1 -> x``). A rewrite never changes the type of the value it replaces (the function's
signature and every user stay valid), and every op it creates carries the location of the op it
replaces, so errors and dumps still point at the user's line.
"""

from __future__ import annotations

import functools
import math
import types
import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar, TypeVar, Union, cast

import numpy as np
from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Attribute, Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    PatternRewriter,
    PatternRewriteWalker,
    RewritePattern,
)

from tracegraph.ir import ops
from tracegraph.ir.idioms import constant_array, is_constant, owner
from tracegraph.ir.types import dtype_of, shape_of, tensor_type

__all__ = [
    "PatternPass",
    "binary",
    "broadcast_shape",
    "constant_array",
    "finite_maximum",
    "is_constant",
    "is_finite_maximum",
    "is_float",
    "op_pattern",
    "owner",
    "replace",
    "root_classes",
    "same_shape_type",
    "scalar_constant",
    "unary",
]


def is_float(value: SSAValue) -> bool:
    """Whether ``value`` has a floating-point dtype."""
    return np.dtype(dtype_of(value)).kind == "f"


def replace(
    rewriter: PatternRewriter, op: Operation, new_ops: Sequence[Operation], result: SSAValue
) -> None:
    """Replace ``op`` by ``result`` (computed by ``new_ops``, inserted before ``op``) when the
    types agree; each new op takes ``op``'s location."""
    if result.type != op.results[0].type:
        return
    for new_op in new_ops:
        new_op.location = op.location
    rewriter.replace(op, list(new_ops), [result])


def unary(op_class: type[ops.UnaryElementwiseOp], x: SSAValue) -> Operation:
    """A new unary elementwise op on ``x`` (same type as ``x``)."""
    return op_class(x, x.type)


def binary(
    op_class: type[ops.BinaryElementwiseOp], x: SSAValue, y: SSAValue, result_type: Attribute
) -> Operation:
    """A new binary elementwise op."""
    return op_class(x, y, result_type)


def scalar_constant(number: float, like: SSAValue) -> ops.ConstantOp:
    """A constant ``number`` of ``like``'s dtype, with all dimensions 1 at ``like``'s rank."""
    array = np.full((1,) * len(shape_of(like)), number, dtype=dtype_of(like))
    return ops.ConstantOp.from_array(array)


def broadcast_shape(shapes: Sequence[tuple[int | None, ...]]) -> tuple[int | None, ...] | None:
    """The static shape elementwise operands of these shapes (all of one rank) broadcast to, or
    ``None`` when two static sizes other than 1 conflict.

    >>> broadcast_shape([(1, 3), (None, 1)])
    (None, 3)
    """
    result: list[int | None] = []
    for sizes in zip(*shapes, strict=True):
        known = {size for size in sizes if size != 1}
        if len(known) > 1 and None not in known:
            return None
        if not known:
            result.append(1)
        else:
            static = [size for size in known if size is not None]
            result.append(static[0] if static else None)
    return tuple(result)


def finite_maximum(x: SSAValue, axes: Sequence[int]) -> tuple[list[Operation], SSAValue]:
    """Ops computing ``max(x, axes, keepdims=True)``, replaced by 0 where it is infinite, and
    their result: the shift that keeps ``exp(x - m)`` from overflowing and leaves a row with an
    infinity to give what the unshifted formula gives there (``exp(x) / sum(exp(x))`` of
    ``[inf, 1]`` is ``[nan, 0]``, not ``inf - inf`` everywhere)."""
    shape = tuple(1 if axis in axes else size for axis, size in enumerate(shape_of(x)))
    peak = ops.MaxOp(x, list(axes), True, tensor_type(dtype_of(x), shape))
    magnitude = unary(ops.AbsOp, peak.result)
    infinity = scalar_constant(math.inf, peak.result)
    infinite = ops.EqOp(magnitude.results[0], infinity.result, same_shape_type(peak.result, "bool"))
    zero = scalar_constant(0.0, peak.result)
    finite = ops.SwitchOp(infinite.result, zero.result, peak.result, peak.result.type)
    return [peak, magnitude, infinity, infinite, zero, finite], finite.result


def is_finite_maximum(value: SSAValue, x: SSAValue, axes: Sequence[int]) -> bool:
    """Whether ``value`` is :func:`finite_maximum`'s result for ``x`` and ``axes`` (or the plain
    ``max(x, axes, keepdims=True)``)."""
    guard = owner(value, ops.SwitchOp)
    if guard is not None and is_constant(guard.if_true, 0):
        value = guard.if_false
    peak = owner(value, ops.MaxOp)
    return (
        peak is not None and peak.x == x and peak.get_axes() == tuple(axes) and peak.get_keepdims()
    )


def same_shape_type(value: SSAValue, dtype: str) -> Attribute:
    """``value``'s static shape with ``dtype``."""
    return tensor_type(dtype, shape_of(value))


PatternT = TypeVar("PatternT", bound=RewritePattern)
MatchedT = TypeVar("MatchedT", bound=Operation)


def op_pattern(
    method: Callable[[PatternT, MatchedT, PatternRewriter], None],
) -> Callable[[PatternT, Operation, PatternRewriter], None]:
    """Decorate ``match_and_rewrite(self, op: SomeOp, rewriter)`` so that it runs only on ops
    of the annotated class (or union of classes), as xDSL's ``op_type_rewrite_pattern``, and
    so that the pass can look the classes up (``root_classes``) to skip the pattern on other
    ops."""
    annotation = typing.get_type_hints(method)["op"]
    if typing.get_origin(annotation) in (Union, types.UnionType):
        roots: tuple[type[Operation], ...] = typing.get_args(annotation)
    else:
        roots = (annotation,)

    @functools.wraps(method)
    def match_and_rewrite(self: PatternT, op: Operation, rewriter: PatternRewriter) -> None:
        if isinstance(op, roots):
            method(self, cast(MatchedT, op), rewriter)

    setattr(match_and_rewrite, _ROOTS, roots)
    return match_and_rewrite


_ROOTS = "_tracegraph_roots"


def root_classes(pattern: type[RewritePattern]) -> tuple[type[Operation], ...]:
    """The op classes a pattern can match (``Operation``: any op)."""
    roots: tuple[type[Operation], ...] = getattr(pattern.match_and_rewrite, _ROOTS, (Operation,))
    return roots


class _DispatchByOpClass(RewritePattern):
    """Tries, on each op, only the patterns whose root classes it belongs to, in order,
    until one rewrites (one dictionary lookup per op instead of a test per pattern)."""

    def __init__(self, patterns: Sequence[RewritePattern]):
        self.patterns = [(pattern, root_classes(type(pattern))) for pattern in patterns]
        self.by_class: dict[type[Operation], list[RewritePattern]] = {}

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter) -> None:
        chosen = self.by_class.get(type(op))
        if chosen is None:
            chosen = [p for p, roots in self.patterns if isinstance(op, roots)]
            self.by_class[type(op)] = chosen
        for pattern in chosen:
            pattern.match_and_rewrite(op, rewriter)
            if rewriter.has_done_action:
                return


@dataclass(frozen=True)
class PatternPass(ModulePass):
    """A pass that applies its patterns greedily until none matches. ``excluded`` is a comma-
    separated list of pattern names (class names) to leave out."""

    name = "patterns"
    PATTERNS: ClassVar[tuple[type[RewritePattern], ...]] = ()

    excluded: str = ""

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        self.rewrite(op)

    def rewrite(self, op: ModuleOp) -> bool:
        """Apply the patterns to a fixed point; whether anything changed."""
        left_out = {name.strip() for name in self.excluded.split(",") if name.strip()}
        patterns = [cls() for cls in self.PATTERNS if cls.__name__ not in left_out]
        if not patterns:
            return False
        walker = PatternRewriteWalker(_DispatchByOpClass(patterns), apply_recursively=True)
        return walker.rewrite_module(op)
