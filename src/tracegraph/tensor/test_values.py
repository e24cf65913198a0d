"""Theano's test values: with ``config.compute_test_value`` other than ``"off"``, each op
computes its value from the test values of its operands when it is built (by the reference
kernels), so that a shape or dtype error appears at the user's line, before ``function``;
and ``config.warn_float64``, which reports the float64 variables of a float32 model.

>>> import numpy as np
>>> import tracegraph
>>> import tracegraph.tensor as T
>>> tracegraph.config.compute_test_value = "raise"
>>> x = T.dmatrix('x')
>>> x.tag.test_value = np.ones((2, 3))
>>> (x.sum(axis=0) * 2).tag.test_value
array([4., 4., 4.])
>>> tracegraph.config.compute_test_value = "off"
"""

from __future__ import annotations

import pdb
import warnings
from typing import Any

import numpy as np
from xdsl.ir import Operation, SSAValue

from tracegraph.config import config
from tracegraph.ir import ops
from tracegraph.ir.interpreter import REFERENCE_RULES, runtime_error
from tracegraph.ir.location import format_location
from tracegraph.ir.types import dtype_of, shape_of

_TAG_ATTRIBUTE = "_tracegraph_tag"


class Tag:
    """The ``tag`` of a variable: free-form attributes, and ``test_value``, converted to the
    variable's type when it is set (a value of another dtype or rank is an error)."""

    def __init__(self, value: SSAValue):
        object.__setattr__(self, "_value", value)

    def __setattr__(self, name: str, data: Any) -> None:
        if name == "test_value":
            from tracegraph.tensor.types import TensorType  # the variable's type, from the IR

            value: SSAValue = object.__getattribute__(self, "_value")
            data = TensorType.from_ir(value.type).filter(data, what="a test value")
        object.__setattr__(self, name, data)

    def __repr__(self) -> str:
        shown = {k: v for k, v in vars(self).items() if k != "_value"}
        return f"Tag({shown})"


def tag_of(value: SSAValue) -> Tag:
    """The tag of an SSA value (every wrapper of the value shares it)."""
    tag = getattr(value, _TAG_ATTRIBUTE, None)
    if tag is None:
        tag = Tag(value)
        setattr(value, _TAG_ATTRIBUTE, tag)
    return tag


_MISSING = object()


def _test_value(value: SSAValue) -> Any:
    """The test value of an operand: a constant's, a shared variable's current value, or the
    one its tag holds (``_MISSING`` if none)."""
    owner = value.owner
    if isinstance(owner, ops.ConstantOp):
        return owner.to_array()
    if isinstance(owner, ops.SharedOp):
        from tracegraph.tensor.variable import attached_variable

        shared = attached_variable(owner)
        get_value = getattr(shared, "get_value", None)
        if get_value is not None:
            return get_value(borrow=True)
    tag = getattr(value, _TAG_ATTRIBUTE, None)
    return getattr(tag, "test_value", _MISSING)


def compute_test_values(op: Operation) -> None:
    """Give ``op``'s results the values its kernel computes from its operands' test values
    (``config.compute_test_value``); an operand without one is handled as the flag says."""
    policy = config.compute_test_value
    if policy == "off" or isinstance(op, ops.InputOp | ops.SharedOp | ops.ConstantOp):
        return
    operands = [_test_value(operand) for operand in op.operands]
    missing = [i for i, value in enumerate(operands) if value is _MISSING]
    if missing:
        where = format_location(op.location)
        message = f"{op.name} at {where}: operand {missing[0]} has no test value"
        if policy in ("raise", "pdb"):
            if policy == "pdb":
                pdb.set_trace()
            raise ValueError(f"{message} (config.compute_test_value={policy!r})")
        if policy == "warn":
            warnings.warn(message, UserWarning, stacklevel=4)
        return
    builder = REFERENCE_RULES.get(type(op))
    if builder is None:
        return
    try:
        with np.errstate(all="ignore"):
            results = builder(op)(*operands)
    except Exception as error:
        raise runtime_error(op, operands, error) from error
    values = results if len(op.results) > 1 else (results,)
    for result, computed in zip(op.results, values, strict=True):
        if isinstance(computed, np.ndarray | np.generic):
            _check_against_type(op, result, np.asarray(computed))
        object.__setattr__(tag_of(result), "test_value", computed)


def _check_against_type(op: Operation, result: SSAValue, value: Any) -> None:
    expected = shape_of(result)
    if value.ndim != len(expected) or any(
        size is not None and size != actual
        for size, actual in zip(expected, value.shape, strict=True)
    ):
        shown = tuple("?" if size is None else size for size in expected)
        raise ValueError(
            f"{op.name} at {format_location(op.location)}: its test value has shape "
            f"{value.shape}, its type {shown}"
        )


def check_float64(op: Operation) -> None:
    """Report a float64 result as ``config.warn_float64`` says."""
    policy = config.warn_float64
    if policy == "ignore" or isinstance(op, ops.ConstantOp):
        return
    if not any(dtype_of(result) == "float64" for result in op.results if _is_tensor(result)):
        return
    message = f"{op.name} at {format_location(op.location)} makes a float64 variable"
    if policy == "warn":
        warnings.warn(message, UserWarning, stacklevel=4)
        return
    if policy == "pdb":
        pdb.set_trace()
    raise TypeError(f"{message} (config.warn_float64={policy!r})")


def _is_tensor(value: SSAValue) -> bool:
    from xdsl.dialects.builtin import TensorType as IRTensorType

    return isinstance(value.type, IRTensorType)
