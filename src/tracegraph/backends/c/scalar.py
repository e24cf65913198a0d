"""C expressions for elementwise ops on one element: ``ScalarEmitter`` has one method per op,
and ``SCALAR_RULES`` maps each elementwise op class to its method.

Each method receives the op and its operands as ``Operand``s (a C expression and its dtype)
and returns a C expression of the op's result dtype that computes exactly what the NumPy
reference computes: NumPy's promotion (operands are converted to the dtype NumPy computes in),
integer arithmetic that wraps (done in unsigned types, where C's signed overflow is undefined),
NumPy's floor division and remainder (``tg_*`` helpers of the prelude), maximum and minimum
that propagate NaN, and libm for the transcendental functions (``LIBM_FUNCTIONS`` in ``libm.py``:
the float32 variant for float32, declared ``omp declare simd`` so loops over them vectorize).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeAlias

import numpy as np
from xdsl.ir import Operation

from tracegraph.backends.c.libm import CALL_COST, POW_COST, libm_call, libm_cost
from tracegraph.ir import ops
from tracegraph.ir.types import dtype_of

C_TYPES: dict[str, str] = {
    "bool": "npy_bool",
    "int8": "npy_int8",
    "int16": "npy_int16",
    "int32": "npy_int32",
    "int64": "npy_int64",
    "uint8": "npy_uint8",
    "uint16": "npy_uint16",
    "uint32": "npy_uint32",
    "uint64": "npy_uint64",
    "float32": "npy_float32",
    "float64": "npy_float64",
}
"""The C type of each dtype."""

NPY_TYPES: dict[str, str] = {
    dtype: "NPY_" + ("BOOL" if dtype == "bool" else dtype.upper()) for dtype in C_TYPES
}
"""The NumPy type number of each dtype."""

SUFFIX: dict[str, str] = {
    dtype: dtype.replace("int", "i").replace("float", "f") for dtype in C_TYPES
}
"""The suffix of a dtype in the names of the prelude's helpers (``tg_floordiv_i32``)."""


def kind(dtype: str) -> str:
    """NumPy's kind letter: ``b``, ``i``, ``u`` or ``f``."""
    return np.dtype(dtype).kind


def unsigned_of(dtype: str) -> str:
    """The C unsigned type of the width of an integer dtype."""
    return C_TYPES["u" + dtype] if kind(dtype) == "i" else C_TYPES[dtype]


def c_literal(value: Any, dtype: str) -> str:
    """A C expression for one value of ``dtype``, exactly (hex floats, NaN and infinities).

    >>> c_literal(0.5, "float64"), c_literal(-0.0, "float32")
    ('0x1.0000000000000p-1', '((npy_float32)-0x0.0p+0)')
    >>> c_literal(-2**63, "int64")
    '((npy_int64)(-9223372036854775807LL - 1))'
    """
    if dtype == "bool":
        return "1" if value else "0"
    if kind(dtype) == "f":
        number = float(value)
        if math.isnan(number):
            text = "NAN"
        elif math.isinf(number):
            text = "INFINITY" if number > 0 else "(-INFINITY)"
        else:
            text = number.hex()
        return text if dtype == "float64" and text[0] != "-" else f"(({C_TYPES[dtype]}){text})"
    number = int(value)
    if dtype == "int64" and number == -(2**63):
        return "((npy_int64)(-9223372036854775807LL - 1))"
    suffix = "ULL" if kind(dtype) == "u" else "LL"
    return f"(({C_TYPES[dtype]}){number}{suffix})"


@dataclass(frozen=True)
class Operand:
    """A C expression and the dtype of its value."""

    expr: str
    dtype: str

    def as_(self, dtype: str) -> str:
        """The expression converted to ``dtype`` (NumPy's conversion: to bool is ``!= 0``; a
        float to an integer is the prelude's ``tg_cast_*``, defined for every value)."""
        if dtype == self.dtype:
            return self.expr
        if dtype == "bool":
            return f"({self.expr} != 0)"
        if kind(self.dtype) == "f" and kind(dtype) in "iu":
            return _float_to_integer(self.expr, self.dtype, dtype)
        return f"(({C_TYPES[dtype]}){self.expr})"


def _float_to_integer(expr: str, source: str, target: str) -> str:
    """A float converted to an integer dtype as ``tg.cast`` defines it (x86-64 NumPy's astype):
    the smaller integers take the int32 conversion and wrap."""
    if target in ("int32", "int64", "uint32", "uint64"):
        return f"tg_cast_{SUFFIX[source]}_{SUFFIX[target]}({expr})"
    return f"(({C_TYPES[target]})tg_cast_{SUFFIX[source]}_i32({expr}))"


def _result(op: Operation) -> str:
    return dtype_of(op.results[0])


def _call(prefix: str, dtype: str, *args: str) -> str:
    return f"tg_{prefix}_{SUFFIX[dtype]}({', '.join(args)})"


class ScalarEmitter:
    """One method per elementwise op: the C expression of its result on one element."""

    def __init__(self) -> None:
        self.call_cost = 0
        """The cost of the libm calls emitted so far (``libm_cost``), which the loop emitter
        adds to its body's size to choose when a loop uses threads."""

    # -- helpers -----------------------------------------------------------------------------------

    def _libm(self, name: str, dtype: str, *args: str) -> str:
        """A call of a libm function of ``LIBM_FUNCTIONS`` (its float32 variant for float32)."""
        call = libm_call(name, dtype, *args)  # names a function missing from the table
        self.call_cost += libm_cost(name)
        return call

    def _float_function(self, op: Operation, x: Operand, name: str) -> str:
        dtype = _result(op)
        return self._libm(name, dtype, x.as_(dtype))

    @staticmethod
    def _wrapping(op: Operation, a: Operand, b: Operand, symbol: str) -> str:
        """``a symbol b`` in the result dtype; signed integers wrap (computed unsigned)."""
        dtype = _result(op)
        if kind(dtype) == "i":
            unsigned = unsigned_of(dtype)
            return (
                f"(({C_TYPES[dtype]})(({unsigned}){a.as_(dtype)} {symbol} "
                f"({unsigned}){b.as_(dtype)}))"
            )
        return f"(({C_TYPES[dtype]})({a.as_(dtype)} {symbol} {b.as_(dtype)}))"

    @staticmethod
    def _compare(a: Operand, b: Operand, symbol: str) -> str:
        """NumPy's comparisons: exact for integers of any signedness (a signed integer and a
        uint64 too), else in NumPy's result dtype (an int64 or uint64 and a float in float64)."""
        kinds = {kind(a.dtype), kind(b.dtype)}
        if kinds <= {"b", "i", "u"}:
            if "uint64" in (a.dtype, b.dtype) and kinds & {"i"}:
                signed, unsigned = (a, b) if kind(a.dtype) == "i" else (b, a)
                reversed_ = signed is b
                call = f"tg_cmp_i64_u64({signed.as_('int64')}, {unsigned.as_('uint64')})"
                order = f"(-({call}))" if reversed_ else call
                return f"((npy_bool)({order} {symbol} 0))"
            # No signed operand: unsigned 64 bits hold both; else int64 does.
            common = "uint64" if "uint64" in (a.dtype, b.dtype) else "int64"
            return f"((npy_bool)({a.as_(common)} {symbol} {b.as_(common)}))"
        common = np.result_type(a.dtype, b.dtype).name
        return f"((npy_bool)({a.as_(common)} {symbol} {b.as_(common)}))"

    # -- unary -------------------------------------------------------------------------------------

    def neg(self, op: Operation, x: Operand) -> str:
        dtype = _result(op)
        if kind(dtype) in "iu":
            return f"(({C_TYPES[dtype]})(0 - ({unsigned_of(dtype)}){x.as_(dtype)}))"
        return f"(-{x.as_(dtype)})"

    def abs(self, op: Operation, x: Operand) -> str:
        dtype = _result(op)
        value = x.as_(dtype)
        if kind(dtype) == "f":
            return self._libm("fabs", dtype, value)
        if kind(dtype) == "i":
            return (
                f"({value} < 0 ? ({C_TYPES[dtype]})(0 - ({unsigned_of(dtype)}){value}) : {value})"
            )
        return value

    def sign(self, op: Operation, x: Operand) -> str:
        dtype = _result(op)
        if kind(dtype) == "f":
            return _call("sign", dtype, x.as_(dtype))
        value = x.as_(dtype)
        return f"(({C_TYPES[dtype]})(({value} > 0) - ({value} < 0)))"

    def exp(self, op: Operation, x: Operand) -> str:
        return self._float_function(op, x, "exp")

    def log(self, op: Operation, x: Operand) -> str:
        return self._float_function(op, x, "log")

    def log1p(self, op: Operation, x: Operand) -> str:
        return self._float_function(op, x, "log1p")

    def expm1(self, op: Operation, x: Operand) -> str:
        return self._float_function(op, x, "expm1")

    def sqrt(self, op: Operation, x: Operand) -> str:
        return self._float_function(op, x, "sqrt")

    def sqr(self, op: Operation, x: Operand) -> str:
        return self._wrapping(op, x, x, "*")

    def tanh(self, op: Operation, x: Operand) -> str:
        return self._float_function(op, x, "tanh")

    def arcsinh(self, op: Operation, x: Operand) -> str:
        return self._float_function(op, x, "asinh")

    def sigmoid(self, op: Operation, x: Operand) -> str:
        self.call_cost += libm_cost("exp")  # the runtime's tg_sigmoid calls exp
        return _call("sigmoid", _result(op), x.as_(_result(op)))

    def softplus(self, op: Operation, x: Operand) -> str:
        self.call_cost += libm_cost("exp") + libm_cost("log1p")  # as tg_softplus does
        return _call("softplus", _result(op), x.as_(_result(op)))

    def sin(self, op: Operation, x: Operand) -> str:
        return self._float_function(op, x, "sin")

    def cos(self, op: Operation, x: Operand) -> str:
        return self._float_function(op, x, "cos")

    def erf(self, op: Operation, x: Operand) -> str:
        return self._float_function(op, x, "erf")

    def log2(self, op: Operation, x: Operand) -> str:
        return self._float_function(op, x, "log2")

    def log10(self, op: Operation, x: Operand) -> str:
        return self._float_function(op, x, "log10")

    def tan(self, op: Operation, x: Operand) -> str:
        return self._float_function(op, x, "tan")

    def arcsin(self, op: Operation, x: Operand) -> str:
        return self._float_function(op, x, "asin")

    def arccos(self, op: Operation, x: Operand) -> str:
        return self._float_function(op, x, "acos")

    def arctan(self, op: Operation, x: Operand) -> str:
        return self._float_function(op, x, "atan")

    def sinh(self, op: Operation, x: Operand) -> str:
        return self._float_function(op, x, "sinh")

    def cosh(self, op: Operation, x: Operand) -> str:
        return self._float_function(op, x, "cosh")

    def arccosh(self, op: Operation, x: Operand) -> str:
        return self._float_function(op, x, "acosh")

    def arctanh(self, op: Operation, x: Operand) -> str:
        return self._float_function(op, x, "atanh")

    def erfc(self, op: Operation, x: Operand) -> str:
        return self._float_function(op, x, "erfc")

    def _special(self, op: Operation, x: Operand, name: str, calls: int) -> str:
        """A function of the runtime's ``tg_special.h``, computed in double; ``calls``: about
        how many libm calls it costs (for the loop's cost)."""
        self.call_cost += calls * CALL_COST
        return _call(name, _result(op), x.as_(_result(op)))

    def erfinv(self, op: Operation, x: Operand) -> str:
        return self._special(op, x, "erfinv", calls=5)  # log, then erf and exp twice

    def gamma(self, op: Operation, x: Operand) -> str:
        return self._special(op, x, "gamma", calls=2)

    def gammaln(self, op: Operation, x: Operand) -> str:
        return self._special(op, x, "gammaln", calls=2)

    def psi(self, op: Operation, x: Operand) -> str:
        return self._special(op, x, "psi", calls=3)  # log, tan, up to 10 divisions

    def trigamma(self, op: Operation, x: Operand) -> str:
        return self._special(op, x, "trigamma", calls=3)  # sin, up to 10 divisions

    def isnan(self, op: Operation, x: Operand) -> str:
        return f"((npy_bool)({x.expr} != {x.expr}))" if kind(x.dtype) == "f" else "0"

    def isinf(self, op: Operation, x: Operand) -> str:
        if kind(x.dtype) != "f":
            return "0"
        return f"((npy_bool)({self._libm('fabs', x.dtype, x.expr)} == INFINITY))"

    def _rounding(self, op: Operation, x: Operand, name: str) -> str:
        dtype = _result(op)
        if kind(dtype) != "f":
            return x.as_(dtype)
        return self._libm(name, dtype, x.as_(dtype))

    def floor(self, op: Operation, x: Operand) -> str:
        return self._rounding(op, x, "floor")

    def ceil(self, op: Operation, x: Operand) -> str:
        return self._rounding(op, x, "ceil")

    def round(self, op: Operation, x: Operand) -> str:
        return self._rounding(op, x, "rint")

    def trunc(self, op: Operation, x: Operand) -> str:
        return self._rounding(op, x, "trunc")

    def invert(self, op: Operation, x: Operand) -> str:
        dtype = _result(op)
        if dtype == "bool":
            return f"(!{x.as_(dtype)})"
        return f"(({C_TYPES[dtype]})~{x.as_(dtype)})"

    def cast(self, op: Operation, x: Operand) -> str:
        return x.as_(_result(op))

    # -- binary ------------------------------------------------------------------------------------

    def add(self, op: Operation, a: Operand, b: Operand) -> str:
        if _result(op) == "bool":
            return f"({a.expr} || {b.expr})"
        return self._wrapping(op, a, b, "+")

    def sub(self, op: Operation, a: Operand, b: Operand) -> str:
        return self._wrapping(op, a, b, "-")

    def mul(self, op: Operation, a: Operand, b: Operand) -> str:
        if _result(op) == "bool":
            return f"({a.expr} && {b.expr})"
        return self._wrapping(op, a, b, "*")

    def true_div(self, op: Operation, a: Operand, b: Operand) -> str:
        dtype = _result(op)
        return f"({a.as_(dtype)} / {b.as_(dtype)})"

    def int_div(self, op: Operation, a: Operand, b: Operand) -> str:
        dtype = _result(op)
        return _call("floordiv", dtype, a.as_(dtype), b.as_(dtype))

    def mod(self, op: Operation, a: Operand, b: Operand) -> str:
        dtype = _result(op)
        return _call("mod", dtype, a.as_(dtype), b.as_(dtype))

    def pow(self, op: Operation, a: Operand, b: Operand) -> str:
        dtype = _result(op)
        if kind(dtype) == "f":
            # libm's pow, but sqrt's vectorizable form where GCC would replace it (tg_scalar.h)
            self.call_cost += POW_COST
            return _call("pow", dtype, a.as_(dtype), b.as_(dtype))
        if dtype == "bool":
            return f"({a.expr} || !{b.expr})"
        return _call("pow", dtype, a.as_(dtype), b.as_(dtype), "&tg_error")

    def arctan2(self, op: Operation, a: Operand, b: Operand) -> str:
        dtype = _result(op)
        return self._libm("atan2", dtype, a.as_(dtype), b.as_(dtype))

    def maximum(self, op: Operation, a: Operand, b: Operand) -> str:
        dtype = _result(op)
        if dtype == "bool":
            return f"({a.expr} || {b.expr})"
        return _call("maximum", dtype, a.as_(dtype), b.as_(dtype))

    def minimum(self, op: Operation, a: Operand, b: Operand) -> str:
        dtype = _result(op)
        if dtype == "bool":
            return f"({a.expr} && {b.expr})"
        return _call("minimum", dtype, a.as_(dtype), b.as_(dtype))

    def gt(self, op: Operation, a: Operand, b: Operand) -> str:
        return self._compare(a, b, ">")

    def ge(self, op: Operation, a: Operand, b: Operand) -> str:
        return self._compare(a, b, ">=")

    def lt(self, op: Operation, a: Operand, b: Operand) -> str:
        return self._compare(a, b, "<")

    def le(self, op: Operation, a: Operand, b: Operand) -> str:
        return self._compare(a, b, "<=")

    def eq(self, op: Operation, a: Operand, b: Operand) -> str:
        return self._compare(a, b, "==")

    def neq(self, op: Operation, a: Operand, b: Operand) -> str:
        return self._compare(a, b, "!=")

    def bitwise_and(self, op: Operation, a: Operand, b: Operand) -> str:
        dtype = _result(op)
        return f"(({C_TYPES[dtype]})({a.as_(dtype)} & {b.as_(dtype)}))"

    def bitwise_or(self, op: Operation, a: Operand, b: Operand) -> str:
        dtype = _result(op)
        return f"(({C_TYPES[dtype]})({a.as_(dtype)} | {b.as_(dtype)}))"

    def bitwise_xor(self, op: Operation, a: Operand, b: Operand) -> str:
        dtype = _result(op)
        return f"(({C_TYPES[dtype]})({a.as_(dtype)} ^ {b.as_(dtype)}))"

    def fill(self, op: Operation, model: Operand, value: Operand) -> str:
        return value.as_(_result(op))

    def switch(self, op: Operation, cond: Operand, if_true: Operand, if_false: Operand) -> str:
        dtype = _result(op)
        return f"({cond.as_('bool')} ? {if_true.as_(dtype)} : {if_false.as_(dtype)})"


ScalarRule: TypeAlias = Callable[..., str]

SCALAR_RULES: dict[type[Operation], ScalarRule] = {
    ops.NegOp: ScalarEmitter.neg,
    ops.AbsOp: ScalarEmitter.abs,
    ops.SignOp: ScalarEmitter.sign,
    ops.ExpOp: ScalarEmitter.exp,
    ops.LogOp: ScalarEmitter.log,
    ops.Log1pOp: ScalarEmitter.log1p,
    ops.Expm1Op: ScalarEmitter.expm1,
    ops.SqrtOp: ScalarEmitter.sqrt,
    ops.SqrOp: ScalarEmitter.sqr,
    ops.TanhOp: ScalarEmitter.tanh,
    ops.ArcsinhOp: ScalarEmitter.arcsinh,
    ops.SigmoidOp: ScalarEmitter.sigmoid,
    ops.SoftplusOp: ScalarEmitter.softplus,
    ops.SinOp: ScalarEmitter.sin,
    ops.CosOp: ScalarEmitter.cos,
    ops.FloorOp: ScalarEmitter.floor,
    ops.CeilOp: ScalarEmitter.ceil,
    ops.RoundOp: ScalarEmitter.round,
    ops.ErfOp: ScalarEmitter.erf,
    ops.Log2Op: ScalarEmitter.log2,
    ops.Log10Op: ScalarEmitter.log10,
    ops.TanOp: ScalarEmitter.tan,
    ops.ArcsinOp: ScalarEmitter.arcsin,
    ops.ArccosOp: ScalarEmitter.arccos,
    ops.ArctanOp: ScalarEmitter.arctan,
    ops.SinhOp: ScalarEmitter.sinh,
    ops.CoshOp: ScalarEmitter.cosh,
    ops.ArccoshOp: ScalarEmitter.arccosh,
    ops.ArctanhOp: ScalarEmitter.arctanh,
    ops.TruncOp: ScalarEmitter.trunc,
    ops.ErfcOp: ScalarEmitter.erfc,
    ops.ErfinvOp: ScalarEmitter.erfinv,
    ops.GammaOp: ScalarEmitter.gamma,
    ops.GammalnOp: ScalarEmitter.gammaln,
    ops.PsiOp: ScalarEmitter.psi,
    ops.TrigammaOp: ScalarEmitter.trigamma,
    ops.IsNanOp: ScalarEmitter.isnan,
    ops.IsInfOp: ScalarEmitter.isinf,
    ops.InvertOp: ScalarEmitter.invert,
    ops.CastOp: ScalarEmitter.cast,
    ops.AddOp: ScalarEmitter.add,
    ops.SubOp: ScalarEmitter.sub,
    ops.MulOp: ScalarEmitter.mul,
    ops.TrueDivOp: ScalarEmitter.true_div,
    ops.IntDivOp: ScalarEmitter.int_div,
    ops.ModOp: ScalarEmitter.mod,
    ops.PowOp: ScalarEmitter.pow,
    ops.Arctan2Op: ScalarEmitter.arctan2,
    ops.MaximumOp: ScalarEmitter.maximum,
    ops.MinimumOp: ScalarEmitter.minimum,
    ops.GtOp: ScalarEmitter.gt,
    ops.GeOp: ScalarEmitter.ge,
    ops.LtOp: ScalarEmitter.lt,
    ops.LeOp: ScalarEmitter.le,
    ops.EqOp: ScalarEmitter.eq,
    ops.NeqOp: ScalarEmitter.neq,
    ops.AndOp: ScalarEmitter.bitwise_and,
    ops.OrOp: ScalarEmitter.bitwise_or,
    ops.XorOp: ScalarEmitter.bitwise_xor,
    ops.FillOp: ScalarEmitter.fill,
    ops.SwitchOp: ScalarEmitter.switch,
}
"""The C expression of every elementwise op, by op class."""


@dataclass(frozen=True)
class ScalarFailure:
    """How the C of a scalar rule can fail: it sets the loop's flag ``tg_error``, and the loop
    then raises the error ``kind`` (``runtime``, ``shape`` or ``index``) with ``message``, the
    reference's words."""

    kind: str
    message: str


def _integer_power_failure(op: Operation) -> ScalarFailure | None:
    dtype = _result(op)
    if kind(dtype) == "f" or dtype == "bool":
        return None
    return ScalarFailure("value", "Integers to negative integer powers are not allowed.")


FAILING_RULES: dict[type[Operation], Callable[[Operation], ScalarFailure | None]] = {
    ops.PowOp: _integer_power_failure,
}
"""The scalar rules that can fail, by op class: how, for one op (its dtypes), or ``None``.
``tests/backends/c/test_scalar_failures.py`` checks that a rule's C sets ``tg_error`` exactly
where this table says it can fail."""


def failure_of(op: Operation) -> ScalarFailure | None:
    """How the scalar C of ``op`` can fail, or ``None`` when it cannot."""
    rule = FAILING_RULES.get(type(op))
    return rule(op) if rule is not None else None
