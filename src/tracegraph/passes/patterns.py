"""What the rewrite patterns share: matching constants and ops, replacing with located ops, and
the pass that applies a set of patterns.

Every pattern is a small ``RewritePattern`` named after the identity it applies (``FoldMulOne``:
``x * 1 -> x``). A rewrite never changes the type of the value it replaces (the function's
signature and every user stay valid), and every op it creates carries the location of the op it
replaces, so errors and dumps still point at the user's line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

import numpy as np
from numpy.typing import NDArray
from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Attribute, Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    GreedyRewritePatternApplier,
    PatternRewriter,
    PatternRewriteWalker,
    RewritePattern,
)

from tracegraph.ir import ops
from tracegraph.ir.types import dtype_of, shape_of, tensor_type

OpT = TypeVar("OpT", bound=Operation)


def owner(value: SSAValue, op_class: type[OpT]) -> OpT | None:
    """The op that defines ``value`` if it is an ``op_class``, else ``None``."""
    op = value.owner
    return op if isinstance(op, op_class) else None


def constant_array(value: SSAValue) -> NDArray[Any] | None:
    """The array of a value defined by ``tg.constant``, else ``None``."""
    op = owner(value, ops.ConstantOp)
    return op.to_array() if op is not None else None


def is_constant(value: SSAValue, number: float) -> bool:
    """Whether ``value`` is a constant whose every element equals ``number``."""
    array = constant_array(value)
    return array is not None and array.size > 0 and bool(np.all(array == number))


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


def same_shape_type(value: SSAValue, dtype: str) -> Attribute:
    """``value``'s static shape with ``dtype``."""
    return tensor_type(dtype, shape_of(value))


@dataclass(frozen=True)
class PatternPass(ModulePass):
    """A pass that applies its patterns greedily until none matches. ``excluded`` is a comma-
    separated list of pattern names (class names) to leave out."""

    name = "patterns"
    PATTERNS: ClassVar[tuple[type[RewritePattern], ...]] = ()

    excluded: str = ""

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        left_out = {name.strip() for name in self.excluded.split(",") if name.strip()}
        patterns = [cls() for cls in self.PATTERNS if cls.__name__ not in left_out]
        if not patterns:
            return
        PatternRewriteWalker(
            GreedyRewritePatternApplier(patterns), apply_recursively=True
        ).rewrite_module(op)
