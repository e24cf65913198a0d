"""Elementwise ops: unary math, binary arithmetic and comparisons, ``switch``, ``cast``.

All operands of an elementwise op have the result's rank (the frontend inserts ``tg.dimshuffle``
to add broadcastable dimensions); a dimension of static size 1 broadcasts, any other size must
match at run time. Dtypes follow NumPy 2's promotion, so operands may differ in dtype.
"""

from __future__ import annotations

from xdsl.dialects.builtin import TensorType
from xdsl.ir import Attribute, SSAValue
from xdsl.irdl import IRDLOperation, irdl_op_definition, operand_def, result_def, traits_def
from xdsl.traits import Commutative, Pure
from xdsl.utils.exceptions import VerifyException

from tracegraph.ir.ops._verify import (
    verify_bitwise_dtype,
    verify_broadcast_compatible,
    verify_dtype,
)
from tracegraph.ir.traits import Elementwise
from tracegraph.ir.types import dtype_of


class UnaryElementwiseOp(IRDLOperation):
    """Base of the ops ``y = f(x)`` applied to every element."""

    x = operand_def(TensorType)
    result = result_def(TensorType)
    traits = traits_def(Pure(), Elementwise())
    assembly_format = "$x attr-dict `:` type($x) `->` type($result)"

    def __init__(self, x: SSAValue, result_type: Attribute):
        super().__init__(operands=[x], result_types=[result_type])

    def verify_(self) -> None:
        verify_broadcast_compatible(self.name, [self.x], self.result.type)


class BinaryElementwiseOp(IRDLOperation):
    """Base of the ops ``z = f(x, y)`` applied to every pair of (broadcast) elements."""

    lhs = operand_def(TensorType)
    rhs = operand_def(TensorType)
    result = result_def(TensorType)
    traits = traits_def(Pure(), Elementwise())
    assembly_format = (
        "$lhs `,` $rhs attr-dict `:` `(` type($lhs) `,` type($rhs) `)` `->` type($result)"
    )

    def __init__(self, lhs: SSAValue, rhs: SSAValue, result_type: Attribute):
        super().__init__(operands=[lhs, rhs], result_types=[result_type])

    def verify_(self) -> None:
        verify_broadcast_compatible(self.name, [self.lhs, self.rhs], self.result.type)


class ComparisonOp(BinaryElementwiseOp):
    """Base of the comparisons: the result is always bool."""

    def verify_(self) -> None:
        super().verify_()
        verify_dtype(self.name, self.result, "bool", "the result")


class BitwiseBinaryOp(BinaryElementwiseOp):
    """Base of ``and``/``or``/``xor``: bitwise on integers, logical on booleans."""

    traits = traits_def(Pure(), Commutative())

    def verify_(self) -> None:
        super().verify_()
        verify_bitwise_dtype(self.name, self.lhs)
        verify_bitwise_dtype(self.name, self.rhs)


# --- unary -------------------------------------------------------------------------------------


@irdl_op_definition
class NegOp(UnaryElementwiseOp):
    """``-x``."""

    name = "tg.neg"


@irdl_op_definition
class AbsOp(UnaryElementwiseOp):
    """``|x|``."""

    name = "tg.abs"


@irdl_op_definition
class SignOp(UnaryElementwiseOp):
    """``sign(x)``: -1, 0 or 1 (NaN stays NaN)."""

    name = "tg.sign"


@irdl_op_definition
class ExpOp(UnaryElementwiseOp):
    """``e ** x``; integer inputs give float results."""

    name = "tg.exp"


@irdl_op_definition
class LogOp(UnaryElementwiseOp):
    """Natural logarithm."""

    name = "tg.log"


@irdl_op_definition
class Log1pOp(UnaryElementwiseOp):
    """``log(1 + x)``, accurate for small ``x``."""

    name = "tg.log1p"


@irdl_op_definition
class Expm1Op(UnaryElementwiseOp):
    """``exp(x) - 1``, accurate for small ``x``."""

    name = "tg.expm1"


@irdl_op_definition
class SqrtOp(UnaryElementwiseOp):
    """Square root."""

    name = "tg.sqrt"


@irdl_op_definition
class SqrOp(UnaryElementwiseOp):
    """``x * x``."""

    name = "tg.sqr"


@irdl_op_definition
class TanhOp(UnaryElementwiseOp):
    """Hyperbolic tangent."""

    name = "tg.tanh"


@irdl_op_definition
class ArcsinhOp(UnaryElementwiseOp):
    """Inverse hyperbolic sine (Theano's ``arcsinh``)."""

    name = "tg.arcsinh"


@irdl_op_definition
class SigmoidOp(UnaryElementwiseOp):
    """The logistic function ``1 / (1 + exp(-x))``, computed without overflow."""

    name = "tg.sigmoid"


@irdl_op_definition
class SoftplusOp(UnaryElementwiseOp):
    """``log(1 + exp(x))``, computed without overflow."""

    name = "tg.softplus"


@irdl_op_definition
class SinOp(UnaryElementwiseOp):
    """Sine."""

    name = "tg.sin"


@irdl_op_definition
class CosOp(UnaryElementwiseOp):
    """Cosine."""

    name = "tg.cos"


@irdl_op_definition
class FloorOp(UnaryElementwiseOp):
    """Largest integer not greater than ``x``."""

    name = "tg.floor"


@irdl_op_definition
class CeilOp(UnaryElementwiseOp):
    """Smallest integer not less than ``x``."""

    name = "tg.ceil"


@irdl_op_definition
class RoundOp(UnaryElementwiseOp):
    """Round to the nearest integer, halves to even (as NumPy's ``round``)."""

    name = "tg.round"


@irdl_op_definition
class ErfOp(UnaryElementwiseOp):
    """The error function."""

    name = "tg.erf"


@irdl_op_definition
class Log2Op(UnaryElementwiseOp):
    """Base-2 logarithm."""

    name = "tg.log2"


@irdl_op_definition
class Log10Op(UnaryElementwiseOp):
    """Base-10 logarithm."""

    name = "tg.log10"


@irdl_op_definition
class TanOp(UnaryElementwiseOp):
    """Tangent."""

    name = "tg.tan"


@irdl_op_definition
class ArcsinOp(UnaryElementwiseOp):
    """Inverse sine (NaN outside [-1, 1])."""

    name = "tg.arcsin"


@irdl_op_definition
class ArccosOp(UnaryElementwiseOp):
    """Inverse cosine (NaN outside [-1, 1])."""

    name = "tg.arccos"


@irdl_op_definition
class ArctanOp(UnaryElementwiseOp):
    """Inverse tangent."""

    name = "tg.arctan"


@irdl_op_definition
class SinhOp(UnaryElementwiseOp):
    """Hyperbolic sine."""

    name = "tg.sinh"


@irdl_op_definition
class CoshOp(UnaryElementwiseOp):
    """Hyperbolic cosine."""

    name = "tg.cosh"


@irdl_op_definition
class ArccoshOp(UnaryElementwiseOp):
    """Inverse hyperbolic cosine (NaN below 1)."""

    name = "tg.arccosh"


@irdl_op_definition
class ArctanhOp(UnaryElementwiseOp):
    """Inverse hyperbolic tangent (NaN outside [-1, 1], infinite at -1 and 1)."""

    name = "tg.arctanh"


@irdl_op_definition
class TruncOp(UnaryElementwiseOp):
    """Round toward zero (integers unchanged, as NumPy's ``trunc``)."""

    name = "tg.trunc"


@irdl_op_definition
class ErfcOp(UnaryElementwiseOp):
    """The complementary error function ``1 - erf(x)``, accurate where ``erf(x)`` is near 1."""

    name = "tg.erfc"


@irdl_op_definition
class ErfinvOp(UnaryElementwiseOp):
    """The inverse error function (SciPy's ``erfinv``): infinite at -1 and 1, NaN outside."""

    name = "tg.erfinv"


@irdl_op_definition
class GammaOp(UnaryElementwiseOp):
    """The gamma function (C's ``tgamma``: NaN at the negative integers and at -inf,
    infinite at 0 with the sign of the zero)."""

    name = "tg.gamma"


@irdl_op_definition
class GammalnOp(UnaryElementwiseOp):
    """The logarithm of the absolute value of the gamma function (C's ``lgamma``: infinite
    at the poles and at both infinities)."""

    name = "tg.gammaln"


@irdl_op_definition
class PsiOp(UnaryElementwiseOp):
    """The digamma function, the derivative of ``gammaln`` (SciPy's ``psi``: NaN at the negative
    integers and at -inf, ``-1/x`` near 0)."""

    name = "tg.psi"


@irdl_op_definition
class TrigammaOp(UnaryElementwiseOp):
    """The trigamma function, the derivative of ``psi`` (SciPy's ``polygamma(1, x)``)."""

    name = "tg.trigamma"


@irdl_op_definition
class IsNanOp(UnaryElementwiseOp):
    """Whether each element is NaN (false for integers); the result is bool."""

    name = "tg.isnan"

    def verify_(self) -> None:
        super().verify_()
        verify_dtype(self.name, self.result, "bool", "the result")


@irdl_op_definition
class IsInfOp(UnaryElementwiseOp):
    """Whether each element is an infinity (false for integers); the result is bool."""

    name = "tg.isinf"

    def verify_(self) -> None:
        super().verify_()
        verify_dtype(self.name, self.result, "bool", "the result")


@irdl_op_definition
class InvertOp(UnaryElementwiseOp):
    """``~x``: bitwise not of integers, logical not of booleans."""

    name = "tg.invert"

    def verify_(self) -> None:
        super().verify_()
        verify_bitwise_dtype(self.name, self.x)


@irdl_op_definition
class CastOp(UnaryElementwiseOp):
    """Convert to the result's dtype, with NumPy's ``astype`` semantics, and a float to an
    integer defined for every value as x86-64 NumPy converts a contiguous array: toward zero
    where the value fits; else (NaN, infinities, out of range) int64 gives -2**63 and int32
    -2**31, while int8, int16, uint8 and uint16 wrap the int32 result (256.0 -> uint8 0, NaN ->
    0); uint32 is exact on [2**31, 2**32), 0 from 2**32 up and the int32 result wrapped below
    (-5.0 -> 4294967291, NaN -> 2**31); uint64 is exact on [2**63, 2**64), 0 from 2**64 up and
    the int64 result wrapped below (NaN -> 2**63). Floats to bool are ``x != 0`` (NaN is
    true), integers wrap into smaller ones, conversions to floats round to nearest (float64 to
    float32 overflows to infinity)."""

    name = "tg.cast"


# --- binary ------------------------------------------------------------------------------------


@irdl_op_definition
class AddOp(BinaryElementwiseOp):
    """``x + y``."""

    name = "tg.add"
    traits = traits_def(Pure(), Commutative())


@irdl_op_definition
class SubOp(BinaryElementwiseOp):
    """``x - y``."""

    name = "tg.sub"


@irdl_op_definition
class MulOp(BinaryElementwiseOp):
    """``x * y``."""

    name = "tg.mul"
    traits = traits_def(Pure(), Commutative())


@irdl_op_definition
class TrueDivOp(BinaryElementwiseOp):
    """``x / y``; integer operands give a float result."""

    name = "tg.true_div"


@irdl_op_definition
class IntDivOp(BinaryElementwiseOp):
    """``x // y``: floor division, as NumPy's ``floor_divide``."""

    name = "tg.int_div"


@irdl_op_definition
class ModOp(BinaryElementwiseOp):
    """``x % y`` with the sign of ``y``, as Python and NumPy."""

    name = "tg.mod"


@irdl_op_definition
class PowOp(BinaryElementwiseOp):
    """``x ** y``."""

    name = "tg.pow"


@irdl_op_definition
class MaximumOp(BinaryElementwiseOp):
    """Elementwise maximum (NaN wins, as NumPy's ``maximum``)."""

    name = "tg.maximum"
    traits = traits_def(Pure(), Commutative())


@irdl_op_definition
class MinimumOp(BinaryElementwiseOp):
    """Elementwise minimum (NaN wins, as NumPy's ``minimum``)."""

    name = "tg.minimum"
    traits = traits_def(Pure(), Commutative())


@irdl_op_definition
class Arctan2Op(BinaryElementwiseOp):
    """The angle of the point ``(rhs, lhs)``: ``arctan(lhs / rhs)`` in the right quadrant
    (NumPy's ``arctan2(y, x)``, with ``y`` the first operand)."""

    name = "tg.arctan2"


@irdl_op_definition
class FillOp(BinaryElementwiseOp):
    """Theano's ``fill(model, value)`` (``second``): ``value`` broadcast to ``model``'s shape."""

    name = "tg.fill"


@irdl_op_definition
class GtOp(ComparisonOp):
    """``x > y``."""

    name = "tg.gt"


@irdl_op_definition
class GeOp(ComparisonOp):
    """``x >= y``."""

    name = "tg.ge"


@irdl_op_definition
class LtOp(ComparisonOp):
    """``x < y``."""

    name = "tg.lt"


@irdl_op_definition
class LeOp(ComparisonOp):
    """``x <= y``."""

    name = "tg.le"


@irdl_op_definition
class EqOp(ComparisonOp):
    """``x == y`` elementwise (``T.eq``; Python's ``==`` on variables stays identity)."""

    name = "tg.eq"
    traits = traits_def(Pure(), Commutative())


@irdl_op_definition
class NeqOp(ComparisonOp):
    """``x != y`` elementwise (``T.neq``)."""

    name = "tg.neq"
    traits = traits_def(Pure(), Commutative())


@irdl_op_definition
class AndOp(BitwiseBinaryOp):
    """``x & y``."""

    name = "tg.and"


@irdl_op_definition
class OrOp(BitwiseBinaryOp):
    """``x | y``."""

    name = "tg.or"


@irdl_op_definition
class XorOp(BitwiseBinaryOp):
    """``x ^ y``."""

    name = "tg.xor"


# --- select ------------------------------------------------------------------------------------


@irdl_op_definition
class SwitchOp(IRDLOperation):
    """``switch(cond, a, b)``: ``a`` where ``cond`` is true, else ``b`` (NumPy's ``where``)."""

    name = "tg.switch"
    cond = operand_def(TensorType)
    if_true = operand_def(TensorType)
    if_false = operand_def(TensorType)
    result = result_def(TensorType)
    traits = traits_def(Pure(), Elementwise())
    assembly_format = (
        "$cond `,` $if_true `,` $if_false attr-dict `:` "
        "`(` type($cond) `,` type($if_true) `,` type($if_false) `)` `->` type($result)"
    )

    def __init__(
        self, cond: SSAValue, if_true: SSAValue, if_false: SSAValue, result_type: Attribute
    ):
        super().__init__(operands=[cond, if_true, if_false], result_types=[result_type])

    def verify_(self) -> None:
        operands = [self.cond, self.if_true, self.if_false]
        verify_broadcast_compatible(self.name, operands, self.result.type)
        if dtype_of(self.cond) == "float32" or dtype_of(self.cond) == "float64":
            raise VerifyException("tg.switch: the condition must be bool or integer")
