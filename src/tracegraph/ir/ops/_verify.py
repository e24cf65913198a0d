"""Verification helpers shared by the op families."""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.ir import Attribute, SSAValue
from xdsl.utils.exceptions import VerifyException

from tracegraph.ir.types import dtype_of, is_integer_dtype, shape_of


def verify_broadcast_compatible(
    op_name: str, operands: Sequence[SSAValue], result: Attribute
) -> None:
    """Operands of an elementwise op have the result's rank and compatible static sizes."""
    result_shape = shape_of(result)
    for operand in operands:
        shape = shape_of(operand)
        if len(shape) != len(result_shape):
            raise VerifyException(
                f"{op_name}: operand of rank {len(shape)} does not match result rank "
                f"{len(result_shape)} (insert a tg.dimshuffle to add broadcastable dims)"
            )
        for axis, (size, out) in enumerate(zip(shape, result_shape, strict=True)):
            if size is not None and size != 1 and out is not None and size != out:
                raise VerifyException(
                    f"{op_name}: operand size {size} on axis {axis} cannot give result size {out}"
                )


def verify_bitwise_dtype(op_name: str, value: SSAValue) -> None:
    """Bitwise ops take booleans or integers."""
    dtype = dtype_of(value)
    if dtype != "bool" and not is_integer_dtype(dtype):
        raise VerifyException(f"{op_name}: needs bool or integer operands, got {dtype}")


def verify_dtype(op_name: str, value: SSAValue | Attribute, expected: str, what: str) -> None:
    """A value (or type) has exactly the expected dtype."""
    dtype = dtype_of(value)
    if dtype != expected:
        raise VerifyException(f"{op_name}: {what} must be {expected}, got {dtype}")


def verify_scalar_integer(op_name: str, value: SSAValue, what: str) -> None:
    """A value is a 0-d integer tensor (an index, a size)."""
    if shape_of(value) != () or not is_integer_dtype(dtype_of(value)):
        raise VerifyException(f"{op_name}: {what} must be a 0-d integer tensor, got {value.type}")


def verify_axes(op_name: str, axes: Sequence[int], ndim: int) -> None:
    """Axes are distinct and inside ``range(ndim)``."""
    if len(set(axes)) != len(axes) or any(not 0 <= axis < ndim for axis in axes):
        raise VerifyException(f"{op_name}: bad axes {list(axes)} for rank {ndim}")
