"""Ops along one axis: running sums and products (``tg.cumsum``, ``tg.cumprod``), sorting
(``tg.sort``, ``tg.argsort``). Each result has the operand's shape; ``axis`` is in
``[0, rank)`` (the frontend flattens for Theano's ``axis=None``)."""

from __future__ import annotations

from xdsl.dialects.builtin import IntegerAttr, TensorType, i64
from xdsl.ir import Attribute, SSAValue
from xdsl.irdl import (
    IRDLOperation,
    ParsePropInAttrDict,
    irdl_op_definition,
    operand_def,
    prop_def,
    result_def,
    traits_def,
)
from xdsl.traits import Pure
from xdsl.utils.exceptions import VerifyException

from tracegraph.ir.ops._verify import verify_dtype
from tracegraph.ir.types import dtype_of, ndim_of, shape_of


class AlongAxisOp(IRDLOperation):
    """Base of the ops along ``axis``: the result has ``x``'s shape."""

    x = operand_def(TensorType)
    axis = prop_def(IntegerAttr)
    result = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = "$x attr-dict `:` type($x) `->` type($result)"
    irdl_options = (ParsePropInAttrDict(),)

    def __init__(self, x: SSAValue, axis: int, result_type: Attribute):
        properties = {"axis": IntegerAttr(axis, i64)}
        super().__init__(operands=[x], properties=properties, result_types=[result_type])

    def get_axis(self) -> int:
        """The axis as an int."""
        return self.axis.value.data

    def verify_(self) -> None:
        rank = ndim_of(self.x)
        if not 0 <= self.get_axis() < max(rank, 1) or rank == 0:
            raise VerifyException(
                f"{self.name}: axis {self.get_axis()} out of range for rank {rank}"
            )
        if shape_of(self.result) != shape_of(self.x):
            raise VerifyException(f"{self.name}: the result must have the operand's shape")


@irdl_op_definition
class CumsumOp(AlongAxisOp):
    """Running sum along ``axis`` (NumPy's ``cumsum``: integers narrower than 64 bits and bools
    accumulate in int64, unsigned ones in uint64)."""

    name = "tg.cumsum"


@irdl_op_definition
class CumprodOp(AlongAxisOp):
    """Running product along ``axis`` (NumPy's ``cumprod``, with ``cumsum``'s dtypes)."""

    name = "tg.cumprod"


@irdl_op_definition
class SortOp(AlongAxisOp):
    """The values sorted along ``axis``, ascending, NaN last (NumPy's ``sort``)."""

    name = "tg.sort"

    def verify_(self) -> None:
        super().verify_()
        if dtype_of(self.result) != dtype_of(self.x):
            raise VerifyException("tg.sort: the result must have the operand's dtype")


@irdl_op_definition
class ArgsortOp(AlongAxisOp):
    """The int64 indices that sort ``x`` along ``axis``, ascending, NaN last; equal values keep
    their order (NumPy's ``argsort(kind="stable")``, so every backend gives the same indices)."""

    name = "tg.argsort"

    def verify_(self) -> None:
        super().verify_()
        verify_dtype(self.name, self.result, "int64", "the result")
