"""Gradient barriers: ops that are the identity on values and change only what ``grad`` sends
through them (Theano's ``disconnected_grad``, ``zero_grad`` and ``grad_clip``).

Once gradients are taken they have no more use: canonicalization drops them, and lowering
treats any left (a pipeline without canonicalization) as the identity.
"""

from __future__ import annotations

from xdsl.dialects.builtin import Float64Type, FloatAttr, TensorType, f64
from xdsl.ir import SSAValue
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


class GradientBarrierOp(IRDLOperation):
    """Base of the barriers: ``result`` is ``x``."""

    x = operand_def(TensorType)
    result = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = "$x attr-dict `:` type($x) `->` type($result)"
    irdl_options = (ParsePropInAttrDict(),)

    def __init__(self, x: SSAValue):
        super().__init__(operands=[x], result_types=[x.type])

    def verify_(self) -> None:
        if self.result.type != self.x.type:
            raise VerifyException(f"{self.name}: the result has the operand's type")


@irdl_op_definition
class DisconnectedGradOp(GradientBarrierOp):
    """No gradient flows through: what is reached only through it is disconnected."""

    name = "tg.disconnected_grad"


@irdl_op_definition
class ZeroGradOp(GradientBarrierOp):
    """The gradient through it is zero (connected)."""

    name = "tg.zero_grad"


@irdl_op_definition
class GradClipOp(GradientBarrierOp):
    """The gradient through it is clipped to ``[lower, upper]``, elementwise."""

    name = "tg.grad_clip"
    lower = prop_def(FloatAttr[Float64Type])
    upper = prop_def(FloatAttr[Float64Type])

    def __init__(self, x: SSAValue, lower: float, upper: float):
        IRDLOperation.__init__(
            self,
            operands=[x],
            result_types=[x.type],
            properties={"lower": FloatAttr(lower, f64), "upper": FloatAttr(upper, f64)},
        )

    def verify_(self) -> None:
        super().verify_()
        if not self.lower.value.data <= self.upper.value.data:
            raise VerifyException("tg.grad_clip: the lower bound exceeds the upper one")
