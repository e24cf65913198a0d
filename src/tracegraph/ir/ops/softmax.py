"""Softmax and log-softmax: normalizations of a float tensor over one axis.

Both are computed without overflow, from ``x - m`` with ``m = max(x)`` along the axis (0
where that is infinite): ``softmax(x)`` is ``exp(x - m) / sum(exp(x - m))`` and
``log_softmax(x)`` is ``(x - m) - log(sum(exp(x - m)))``, finite for any finite ``x``; a row
with an infinity gives what the unshifted formula gives. They are ops rather than
compositions so that rewrites see them (``log(softmax(x)) -> log_softmax(x)``), gradients take
their stable forms, and a backend can compute a row in one pass; before fusion the C pipeline
expands them into the reductions and loops above.
"""

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

from tracegraph.ir.types import dtype_of, is_float_dtype, ndim_of


class AxisNormalizationOp(IRDLOperation):
    """Base of the ops that normalize ``x`` along ``axis``: the result has ``x``'s type."""

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
        """The normalized axis as an int."""
        return self.axis.value.data

    def verify_(self) -> None:
        if not 0 <= self.get_axis() < ndim_of(self.x):
            raise VerifyException(
                f"{self.name}: axis {self.get_axis()} is out of range for rank {ndim_of(self.x)}"
            )
        if self.x.type != self.result.type:
            raise VerifyException(f"{self.name}: the result must have the operand's type")
        if not is_float_dtype(dtype_of(self.x)):
            raise VerifyException(f"{self.name}: needs a float operand, got {dtype_of(self.x)}")


@irdl_op_definition
class SoftmaxOp(AxisNormalizationOp):
    """``exp(x) / sum(exp(x), axis)``, computed from ``x - max(x, axis)`` (no overflow)."""

    name = "tg.softmax"


@irdl_op_definition
class LogSoftmaxOp(AxisNormalizationOp):
    """``log(softmax(x))`` as ``(x - m) - log(sum(exp(x - m), axis))`` with ``m = max(x,
    axis)``: finite where ``softmax`` underflows to 0."""

    name = "tg.log_softmax"
