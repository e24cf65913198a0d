"""Leaves of a graph: constants, symbolic inputs and shared-variable references."""

from __future__ import annotations

from typing import Any, cast

import numpy as np
from numpy.typing import NDArray
from xdsl.dialects.builtin import BytesAttr, DenseIntOrFPElementsAttr, StringAttr, TensorType
from xdsl.ir import Attribute
from xdsl.irdl import BaseAttr, IRDLOperation, irdl_op_definition, prop_def, result_def, traits_def
from xdsl.parser import Parser
from xdsl.printer import Printer
from xdsl.traits import ConstantLike, Pure
from xdsl.utils.exceptions import VerifyException

from tracegraph.ir.types import IRTensorType, RandomStateIRType, dtype_of, tensor_type


def dense_from_array(array: NDArray[np.generic]) -> DenseIntOrFPElementsAttr:
    """A dense attribute holding a NumPy array (its dtype and shape give the type)."""
    array = np.asarray(array, order="C")  # (ascontiguousarray would make 0-d arrays 1-d)
    ir_type = tensor_type(array.dtype.name, tuple(array.shape))
    # xDSL stores i1 elements as 0 / -1 bytes.
    raw = (-array.astype(np.int8)).tobytes() if array.dtype == np.bool_ else array.tobytes()
    return DenseIntOrFPElementsAttr(cast(Any, ir_type), BytesAttr(raw))


def array_from_dense(attr: DenseIntOrFPElementsAttr) -> NDArray[np.generic]:
    """The NumPy array held by a dense attribute (the inverse of :func:`dense_from_array`)."""
    dtype = dtype_of(attr.type)
    shape = attr.get_shape()
    raw = attr.data.data
    flat = (np.frombuffer(raw, np.int8) != 0) if dtype == "bool" else np.frombuffer(raw, dtype)
    if flat.size == 1 and int(np.prod(shape)) != 1:
        flat = np.broadcast_to(flat, (int(np.prod(shape)),))
    return np.array(flat.reshape(shape))


def _needs_hex_form(attr: DenseIntOrFPElementsAttr) -> bool:
    """Whether a float constant must print as raw hex data to parse back exactly.

    xDSL prints NaN, infinities and integral values of more than 7 digits as hex integer
    literals, which its parser reads back as (different) numbers, and prints values that are
    equal but differ in bits (``[-0.0, 0.0]``) as one splat value; the ``dense<"0x...">`` blob
    form round-trips every bit.
    """
    if dtype_of(attr.type) not in ("float32", "float64"):
        return False
    values: NDArray[np.floating[Any]] = array_from_dense(attr).astype(np.float64)
    if not np.isfinite(values).all():
        return True
    if values.size > 1 and (values == values.flat[0]).all() and np.signbit(values).any():
        return not np.signbit(values).all()
    return bool(((np.abs(values) >= 1e7) & (values == np.round(values))).any())


@irdl_op_definition
class ConstantOp(IRDLOperation):
    """A constant tensor, held as a dense attribute whose type is the result type.

    Python scalars in expressions become 0-d or all-ones-shaped constants of the dtype that
    NumPy 2's weak-scalar promotion gives them (``fvector + 1.5`` makes a float32 ``1.5``).
    """

    name = "tg.constant"
    value = prop_def(DenseIntOrFPElementsAttr)
    result = result_def(TensorType)
    traits = traits_def(Pure(), ConstantLike())

    def __init__(self, value: DenseIntOrFPElementsAttr):
        super().__init__(properties={"value": value}, result_types=[value.type])

    @classmethod
    def from_array(cls, array: NDArray[np.generic]) -> ConstantOp:
        """A constant op holding a copy of ``array``."""
        return cls(dense_from_array(array))

    def to_array(self) -> NDArray[np.generic]:
        """The constant's value as a new NumPy array."""
        return array_from_dense(self.value)

    def verify_(self) -> None:
        if self.value.type != self.result.type:
            raise VerifyException(f"tg.constant: value type {self.value.type} != result type")

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        if _needs_hex_form(self.value):
            printer.print_string(f'dense<"0x{self.value.data.data.hex().upper()}"> : ')
            printer.print_attribute(self.value.type)
        else:
            printer.print_attribute(self.value)
        printer.print_op_attributes(self.attributes)

    @classmethod
    def parse(cls, parser: Parser) -> ConstantOp:
        value = parser.parse_attribute()
        if not isinstance(value, DenseIntOrFPElementsAttr):
            parser.raise_error("tg.constant expects a dense attribute")
        attributes = parser.parse_optional_attr_dict()
        op = cls(value)
        op.attributes.update(attributes)
        return op


class _NamedLeafOp(IRDLOperation):
    """Shared definition of the named leaves (inputs and shared variables)."""

    var_name = prop_def(StringAttr, prop_name="name")
    assembly_format = "$name attr-dict `:` type($result)"

    def __init__(self, var_name: str, result_type: IRTensorType | Attribute):
        super().__init__(properties={"name": StringAttr(var_name)}, result_types=[result_type])


@irdl_op_definition
class InputOp(_NamedLeafOp):
    """A symbolic input of the traced graph (``T.dmatrix('x')``).

    It only appears in traced graphs: ``function`` turns the inputs it is given into the
    arguments of the compiled ``func.func``.
    """

    name = "tg.input"
    result = result_def(TensorType)


@irdl_op_definition
class SharedOp(_NamedLeafOp):
    """A reference to a shared variable (``tracegraph.shared(value)``, or the state of a random
    stream) in a traced graph.

    ``function`` turns each shared variable it reaches into an argument of the compiled
    ``func.func``; its updates become results, so side effects stay explicit in the IR.
    """

    name = "tg.shared"
    result = result_def(BaseAttr(TensorType) | BaseAttr(RandomStateIRType))
