"""Shape ops: dimshuffle, reshape, flatten, shape, alloc, arange, concatenate, stack,
specify_shape."""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.dialects.builtin import DenseArrayBase, IntegerAttr, TensorType, i64
from xdsl.ir import Attribute, SSAValue
from xdsl.irdl import (
    IRDLOperation,
    ParsePropInAttrDict,
    irdl_op_definition,
    operand_def,
    prop_def,
    result_def,
    traits_def,
    var_operand_def,
)
from xdsl.traits import Pure
from xdsl.utils.exceptions import VerifyException

from tracegraph.ir.ops._verify import verify_scalar_integer
from tracegraph.ir.types import dtype_of, is_integer_dtype, ndim_of, shape_of

NEW_AXIS = -1
"""In a dimshuffle order, a new broadcastable axis (Theano's ``'x'``)."""


@irdl_op_definition
class DimShuffleOp(IRDLOperation):
    """Permute axes, insert broadcastable axes and drop broadcastable ones (Theano's DimShuffle).

    ``order[i]`` is the input axis that becomes output axis ``i``, or ``-1`` for a new axis of
    size 1; input axes left out must have static size 1. Transposition is a dimshuffle.
    """

    name = "tg.dimshuffle"
    x = operand_def(TensorType)
    order = prop_def(DenseArrayBase)
    result = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = "$x attr-dict `:` type($x) `->` type($result)"
    irdl_options = (ParsePropInAttrDict(),)

    def __init__(self, x: SSAValue, order: Sequence[int], result_type: Attribute):
        properties = {"order": DenseArrayBase.from_list(i64, list(order))}
        super().__init__(operands=[x], properties=properties, result_types=[result_type])

    def get_order(self) -> tuple[int, ...]:
        """The order as a tuple of ints."""
        return tuple(int(v) for v in self.order.iter_values())

    def verify_(self) -> None:
        order = self.get_order()
        in_shape = shape_of(self.x)
        kept = [axis for axis in order if axis != NEW_AXIS]
        if len(set(kept)) != len(kept) or any(not 0 <= a < len(in_shape) for a in kept):
            raise VerifyException(
                f"tg.dimshuffle: bad order {list(order)} for rank {len(in_shape)}"
            )
        for axis, size in enumerate(in_shape):
            if axis not in kept and size != 1:
                raise VerifyException(f"tg.dimshuffle: cannot drop axis {axis} of size {size}")
        if len(order) != ndim_of(self.result):
            raise VerifyException("tg.dimshuffle: result rank differs from the order's length")


@irdl_op_definition
class ReshapeOp(IRDLOperation):
    """Reshape ``x`` to the sizes held in the 1-d integer tensor ``shape`` (NumPy semantics).

    ``shape`` may contain one ``-1``, inferred from the other sizes, as in NumPy.
    """

    name = "tg.reshape"
    x = operand_def(TensorType)
    shape = operand_def(TensorType)
    result = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = (
        "$x `,` $shape attr-dict `:` `(` type($x) `,` type($shape) `)` `->` type($result)"
    )

    def __init__(self, x: SSAValue, shape: SSAValue, result_type: Attribute):
        super().__init__(operands=[x, shape], result_types=[result_type])

    def verify_(self) -> None:
        shape_shape = shape_of(self.shape)
        if len(shape_shape) != 1 or not is_integer_dtype(dtype_of(self.shape)):
            raise VerifyException("tg.reshape: the shape operand must be a 1-d integer tensor")
        if shape_shape[0] not in (None, ndim_of(self.result)):
            raise VerifyException("tg.reshape: shape length differs from the result rank")


@irdl_op_definition
class FlattenOp(IRDLOperation):
    """Collapse the trailing axes of ``x`` so the result has the result type's rank (>= 1)."""

    name = "tg.flatten"
    x = operand_def(TensorType)
    result = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = "$x attr-dict `:` type($x) `->` type($result)"

    def __init__(self, x: SSAValue, result_type: Attribute):
        super().__init__(operands=[x], result_types=[result_type])

    def verify_(self) -> None:
        if not 1 <= ndim_of(self.result) <= max(ndim_of(self.x), 1):
            raise VerifyException("tg.flatten: result rank must be in [1, input rank]")


@irdl_op_definition
class ShapeOp(IRDLOperation):
    """The shape of ``x`` as a 1-d int64 tensor."""

    name = "tg.shape"
    x = operand_def(TensorType)
    result = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = "$x attr-dict `:` type($x) `->` type($result)"

    def __init__(self, x: SSAValue, result_type: Attribute):
        super().__init__(operands=[x], result_types=[result_type])

    def verify_(self) -> None:
        if shape_of(self.result) != (ndim_of(self.x),) or dtype_of(self.result) != "int64":
            raise VerifyException("tg.shape: the result must be tensor<N x i64>, N the input rank")


@irdl_op_definition
class AllocOp(IRDLOperation):
    """``alloc(value, *dims)``: a new tensor of sizes ``dims`` filled with ``value`` broadcast."""

    name = "tg.alloc"
    value = operand_def(TensorType)
    dims = var_operand_def(TensorType)
    result = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = "$value `,` $dims attr-dict `:` functional-type(operands, results)"

    def __init__(self, value: SSAValue, dims: Sequence[SSAValue], result_type: Attribute):
        super().__init__(operands=[value, list(dims)], result_types=[result_type])

    def verify_(self) -> None:
        for dim in self.dims:
            verify_scalar_integer(self.name, dim, "every size")
        if len(self.dims) != ndim_of(self.result) or ndim_of(self.value) > len(self.dims):
            raise VerifyException("tg.alloc: needs one size per result axis, value rank <= that")


@irdl_op_definition
class ArangeOp(IRDLOperation):
    """``arange(start, stop, step)`` as NumPy's, a 1-d tensor of the result dtype."""

    name = "tg.arange"
    start = operand_def(TensorType)
    stop = operand_def(TensorType)
    step = operand_def(TensorType)
    result = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = "$start `,` $stop `,` $step attr-dict `:` functional-type(operands, results)"

    def __init__(self, start: SSAValue, stop: SSAValue, step: SSAValue, result_type: Attribute):
        super().__init__(operands=[start, stop, step], result_types=[result_type])

    def verify_(self) -> None:
        if any(shape_of(v) != () for v in (self.start, self.stop, self.step)):
            raise VerifyException("tg.arange: start, stop and step must be 0-d")
        if ndim_of(self.result) != 1:
            raise VerifyException("tg.arange: the result is 1-d")


class JoinOp(IRDLOperation):
    """Base of concatenate and stack: variadic operands joined along ``axis``."""

    xs = var_operand_def(TensorType)
    axis = prop_def(IntegerAttr)
    result = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = "$xs attr-dict `:` functional-type(operands, results)"
    irdl_options = (ParsePropInAttrDict(),)

    def __init__(self, xs: Sequence[SSAValue], axis: int, result_type: Attribute):
        properties = {"axis": IntegerAttr(axis, i64)}
        super().__init__(operands=[list(xs)], properties=properties, result_types=[result_type])

    def get_axis(self) -> int:
        """The join axis as an int."""
        return self.axis.value.data


@irdl_op_definition
class ConcatenateOp(JoinOp):
    """Join tensors of equal rank along an existing axis."""

    name = "tg.concatenate"

    def verify_(self) -> None:
        rank = ndim_of(self.result)
        if not self.xs or any(ndim_of(x) != rank for x in self.xs):
            raise VerifyException("tg.concatenate: needs operands of the result's rank")
        if not 0 <= self.get_axis() < rank:
            raise VerifyException(f"tg.concatenate: axis {self.get_axis()} out of range")


@irdl_op_definition
class StackOp(JoinOp):
    """Join tensors of equal shape along a new axis."""

    name = "tg.stack"

    def verify_(self) -> None:
        rank = ndim_of(self.result)
        if not self.xs or any(ndim_of(x) != rank - 1 for x in self.xs):
            raise VerifyException("tg.stack: operands must have rank one less than the result")
        if not 0 <= self.get_axis() < rank:
            raise VerifyException(f"tg.stack: axis {self.get_axis()} out of range")


@irdl_op_definition
class SpecifyShapeOp(IRDLOperation):
    """The operand, with the result's type: its static sizes are checked at run time where the
    operand's are not known (Theano's ``specify_shape``, ``addbroadcast``); a size known for
    the operand may be left unknown in the result (``unbroadcast``)."""

    name = "tg.specify_shape"
    x = operand_def(TensorType)
    result = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = "$x attr-dict `:` type($x) `->` type($result)"

    def __init__(self, x: SSAValue, result_type: Attribute):
        super().__init__(operands=[x], result_types=[result_type])

    def verify_(self) -> None:
        given, specified = shape_of(self.x), shape_of(self.result)
        if len(given) != len(specified) or dtype_of(self.x) != dtype_of(self.result):
            raise VerifyException(
                "tg.specify_shape: the result must have the operand's rank and dtype"
            )
        for axis, (a, b) in enumerate(zip(given, specified, strict=True)):
            if a is not None and b is not None and a != b:
                raise VerifyException(
                    f"tg.specify_shape: axis {axis} has size {a}, not the specified {b}"
                )
