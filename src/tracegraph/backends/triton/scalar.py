"""Triton expressions for elementwise ops on a block of elements: ``TritonScalarEmitter`` has
one method per op, and ``TRITON_SCALAR_RULES`` maps each elementwise op class to its method.

Each method receives the op and its operands as ``Operand``s (a Triton expression and its
dtype) and returns an expression of the op's result dtype that computes what the NumPy
reference computes, as the C backend's scalar rules do: operands converted to the dtype NumPy
computes in first (Triton's own promotion differs), integers that wrap (Triton's integers are
two's complement), NumPy's floor division, remainder, maximum and minimum (``helpers.py``: small
``@triton.jit`` functions every generated module defines), exactly rounded float32 division
and square root (``tl.div_rn``, ``tl.sqrt_rn``: Triton's ``/`` and ``tl.sqrt`` are approximate in
float32), and ``libdevice`` for the transcendental functions (``LIBDEVICE_FUNCTIONS``, which
the interpreter maps to NumPy).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeAlias

import numpy as np
import scipy.special as special
from xdsl.ir import Operation

from tracegraph.ir import ops
from tracegraph.ir.numpy_functions import c_lgamma
from tracegraph.ir.types import dtype_of

TRITON_TYPES: dict[str, str] = {
    "bool": "tl.int1",
    "int8": "tl.int8",
    "int16": "tl.int16",
    "int32": "tl.int32",
    "int64": "tl.int64",
    "uint8": "tl.uint8",
    "uint16": "tl.uint16",
    "uint32": "tl.uint32",
    "uint64": "tl.uint64",
    "float32": "tl.float32",
    "float64": "tl.float64",
}
"""The Triton type of each dtype."""

SIGNATURE_TYPES: dict[str, str] = {
    "bool": "i1",
    "int8": "i8",
    "int16": "i16",
    "int32": "i32",
    "int64": "i64",
    "uint8": "u8",
    "uint16": "u16",
    "uint32": "u32",
    "uint64": "u64",
    "float32": "fp32",
    "float64": "fp64",
}
"""The name of each dtype in a kernel signature (``*fp64``: a pointer to float64)."""

SUFFIX: dict[str, str] = {
    dtype: dtype.replace("int", "i").replace("float", "f") for dtype in TRITON_TYPES
}
"""The suffix of a dtype in the names of the helpers (``tg_cast_f64_i32``)."""


def kind(dtype: str) -> str:
    """NumPy's kind letter: ``b``, ``i``, ``u`` or ``f``."""
    return np.dtype(dtype).kind


def triton_literal(value: Any, dtype: str) -> str:
    """A Python literal for one value of ``dtype``, exactly (``float.hex`` is not Triton
    source: a float is its ``repr``, which reads back to the same double).

    >>> triton_literal(0.1, "float64"), triton_literal(float("-inf"), "float32")
    ('0.1', "float('-inf')")
    >>> triton_literal(True, "bool"), triton_literal(-3, "int8")
    ('1', '-3')
    """
    if dtype == "bool":
        return "1" if value else "0"
    if kind(dtype) == "f":
        number = float(value)
        if math.isnan(number) or math.isinf(number):
            return f"float('{number}')"
        return repr(number)
    return str(int(value))


@dataclass(frozen=True)
class Operand:
    """A Triton expression and the dtype of its value."""

    expr: str
    dtype: str

    def as_(self, dtype: str) -> str:
        """The expression converted to ``dtype`` as NumPy converts: to bool is ``!= 0``; a
        float to an integer is a helper defined for every value (``tg_cast_*``)."""
        if dtype == self.dtype:
            return self.expr
        if dtype == "bool":
            return f"({self.expr} != 0)"
        if kind(self.dtype) == "f" and kind(dtype) in "iu":
            if dtype in ("int32", "int64", "uint32", "uint64"):
                return f"tg_cast_{SUFFIX[self.dtype]}_{SUFFIX[dtype]}({self.expr})"
            return f"tg_cast_{SUFFIX[self.dtype]}_i32({self.expr}).to({TRITON_TYPES[dtype]})"
        return f"({self.expr}).to({TRITON_TYPES[dtype]})"


def _result(op: Operation) -> str:
    return dtype_of(op.results[0])


def _helper(prefix: str, dtype: str, *args: str) -> str:
    return f"tg_{prefix}_{'f' if kind(dtype) == 'f' else 'i'}({', '.join(args)})"


class TritonScalarEmitter:
    """One method per elementwise op: the Triton expression of its result on a block."""

    def __init__(self) -> None:
        self.libdevice: set[str] = set()
        """The ``libdevice`` functions the expressions call (the interpreter maps each)."""
        self.failure: tuple[str, str] | None = None
        """Set by a rule that can fail: where (a condition on the block) and the message of
        the reference's error; the loop emitter takes it after each op."""

    def _libdevice(self, name: str, *args: str) -> str:
        if name not in LIBDEVICE_FUNCTIONS:
            raise KeyError(f"libdevice function {name!r} is not in LIBDEVICE_FUNCTIONS")
        self.libdevice.add(name)
        return f"libdevice.{name}({', '.join(args)})"

    def _float_function(self, op: Operation, x: Operand, name: str) -> str:
        return self._libdevice(name, x.as_(_result(op)))

    @staticmethod
    def _binary(op: Operation, a: Operand, b: Operand, symbol: str) -> str:
        dtype = _result(op)
        return f"({a.as_(dtype)} {symbol} {b.as_(dtype)})"

    @staticmethod
    def _compare(a: Operand, b: Operand, symbol: str) -> str:
        """NumPy's comparisons: exact for integers of any signedness, else in NumPy's result
        dtype (an int64 or uint64 and a float in float64)."""
        kinds = {kind(a.dtype), kind(b.dtype)}
        if kinds <= {"b", "i", "u"}:
            if "uint64" in (a.dtype, b.dtype) and kinds & {"i"}:
                signed, unsigned = (a, b) if kind(a.dtype) == "i" else (b, a)
                order = f"tg_cmp_i64_u64({signed.as_('int64')}, {unsigned.as_('uint64')})"
                if signed is b:
                    order = f"(0 - {order})"
                return f"({order} {symbol} 0)"
            common = "uint64" if "uint64" in (a.dtype, b.dtype) else "int64"
            return f"({a.as_(common)} {symbol} {b.as_(common)})"
        common = np.result_type(a.dtype, b.dtype).name
        return f"({a.as_(common)} {symbol} {b.as_(common)})"

    # -- unary -------------------------------------------------------------------------------------

    def neg(self, op: Operation, x: Operand) -> str:
        dtype = _result(op)
        if kind(dtype) in "iu":
            return f"(0 - {x.as_(dtype)}).to({TRITON_TYPES[dtype]})"
        return f"(-{x.as_(dtype)})"

    def abs(self, op: Operation, x: Operand) -> str:
        dtype = _result(op)
        value = x.as_(dtype)
        if kind(dtype) == "f":
            return f"tl.abs({value})"
        if kind(dtype) == "i":
            return f"tl.where({value} < 0, (0 - {value}).to({TRITON_TYPES[dtype]}), {value})"
        return value

    def sign(self, op: Operation, x: Operand) -> str:
        dtype = _result(op)
        return _helper("sign", dtype, x.as_(dtype))

    def exp(self, op: Operation, x: Operand) -> str:
        return self._float_function(op, x, "exp")

    def log(self, op: Operation, x: Operand) -> str:
        return self._float_function(op, x, "log")

    def log1p(self, op: Operation, x: Operand) -> str:
        return self._float_function(op, x, "log1p")

    def expm1(self, op: Operation, x: Operand) -> str:
        return self._float_function(op, x, "expm1")

    def sqrt(self, op: Operation, x: Operand) -> str:
        dtype = _result(op)
        # float64 tl.sqrt is sqrt.rn.f64; in float32 it is sqrt.approx.
        function = "tl.sqrt_rn" if dtype == "float32" else "tl.sqrt"
        return f"{function}({x.as_(dtype)})"

    def sqr(self, op: Operation, x: Operand) -> str:
        return self._binary(op, x, x, "*")

    def tanh(self, op: Operation, x: Operand) -> str:
        return self._float_function(op, x, "tanh")

    def arcsinh(self, op: Operation, x: Operand) -> str:
        return self._float_function(op, x, "asinh")

    def sigmoid(self, op: Operation, x: Operand) -> str:
        dtype = _result(op)
        self._libdevice("exp", "")  # the helper calls it
        return _helper("sigmoid", dtype, x.as_(dtype))

    def softplus(self, op: Operation, x: Operand) -> str:
        dtype = _result(op)
        self._libdevice("exp", "")
        self._libdevice("log1p", "")
        return _helper("softplus", dtype, x.as_(dtype))

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

    def _in_double(self, op: Operation, x: Operand, call: str) -> str:
        """``call`` (a format of one argument) on ``x`` in float64, the result rounded to the
        result dtype once: the C runtime's special functions (and SciPy's float32 loops)."""
        dtype = _result(op)
        result = call.format(x.as_("float64"))
        return result if dtype == "float64" else f"({result}).to({TRITON_TYPES[dtype]})"

    def erfinv(self, op: Operation, x: Operand) -> str:
        for name in ("log", "erf", "erfc", "exp"):
            self._libdevice(name, "")  # the helper calls them
        return self._in_double(op, x, "tg_erfinv_f({})")

    def gamma(self, op: Operation, x: Operand) -> str:
        return self._in_double(op, x, self._libdevice("tgamma", "{}"))

    def gammaln(self, op: Operation, x: Operand) -> str:
        return self._in_double(op, x, self._libdevice("lgamma", "{}"))

    def psi(self, op: Operation, x: Operand) -> str:
        for name in ("tan", "rint", "log", "signbit"):
            self._libdevice(name, "")
        return self._in_double(op, x, "tg_psi_f({})")

    def trigamma(self, op: Operation, x: Operand) -> str:
        for name in ("sin", "rint"):
            self._libdevice(name, "")
        return self._in_double(op, x, "tg_trigamma_f({})")

    def isnan(self, op: Operation, x: Operand) -> str:
        return f"({x.expr} != {x.expr})"  # false for every integer

    def isinf(self, op: Operation, x: Operand) -> str:
        if kind(x.dtype) != "f":
            return f"({x.expr} != {x.expr})"
        return f"(tl.abs({x.expr}) == float('inf'))"

    def _rounding(self, op: Operation, x: Operand, function: str) -> str:
        dtype = _result(op)
        if kind(dtype) != "f":
            return x.as_(dtype)
        return f"{function}({x.as_(dtype)})"

    def floor(self, op: Operation, x: Operand) -> str:
        return self._rounding(op, x, "tl.floor")

    def ceil(self, op: Operation, x: Operand) -> str:
        return self._rounding(op, x, "tl.ceil")

    def round(self, op: Operation, x: Operand) -> str:
        if kind(_result(op)) == "f":
            self._libdevice("rint", "")
        return self._rounding(op, x, "libdevice.rint")

    def trunc(self, op: Operation, x: Operand) -> str:
        if kind(_result(op)) == "f":
            self._libdevice("trunc", "")
        return self._rounding(op, x, "libdevice.trunc")

    def invert(self, op: Operation, x: Operand) -> str:
        dtype = _result(op)
        if dtype == "bool":
            return f"({x.as_(dtype)} == 0)"
        if kind(dtype) == "u":
            # Every bit flipped, written as a xor with the all-ones value: Triton 3.6's
            # interpreter computes ~ as a xor with -1, which no unsigned NumPy dtype holds.
            ones = np.iinfo(dtype).max
            return f"({x.as_(dtype)} ^ {ones}).to({TRITON_TYPES[dtype]})"
        return f"(~{x.as_(dtype)})"

    def cast(self, op: Operation, x: Operand) -> str:
        return x.as_(_result(op))

    # -- binary ------------------------------------------------------------------------------------

    def add(self, op: Operation, a: Operand, b: Operand) -> str:
        if _result(op) == "bool":
            return f"({a.expr} | {b.expr})"
        return self._binary(op, a, b, "+")

    def sub(self, op: Operation, a: Operand, b: Operand) -> str:
        return self._binary(op, a, b, "-")

    def mul(self, op: Operation, a: Operand, b: Operand) -> str:
        if _result(op) == "bool":
            return f"({a.expr} & {b.expr})"
        return self._binary(op, a, b, "*")

    def true_div(self, op: Operation, a: Operand, b: Operand) -> str:
        dtype = _result(op)
        if dtype == "float32":
            return f"tl.div_rn({a.as_(dtype)}, {b.as_(dtype)})"
        return self._binary(op, a, b, "/")

    def int_div(self, op: Operation, a: Operand, b: Operand) -> str:
        dtype = _result(op)
        if kind(dtype) == "u":
            return f"tg_floordiv_u({a.as_(dtype)}, {b.as_(dtype)})"
        return _helper("floordiv", dtype, a.as_(dtype), b.as_(dtype))

    def mod(self, op: Operation, a: Operand, b: Operand) -> str:
        dtype = _result(op)
        if kind(dtype) == "u":
            return f"tg_mod_u({a.as_(dtype)}, {b.as_(dtype)})"
        return _helper("mod", dtype, a.as_(dtype), b.as_(dtype))

    def arctan2(self, op: Operation, a: Operand, b: Operand) -> str:
        dtype = _result(op)
        return self._libdevice("atan2", a.as_(dtype), b.as_(dtype))

    def pow(self, op: Operation, a: Operand, b: Operand) -> str:
        dtype = _result(op)
        if kind(dtype) == "f":
            return self._libdevice("pow", a.as_(dtype), b.as_(dtype))
        if dtype == "bool":
            return f"({a.expr} | ({b.expr} == 0))"
        exponent = b.as_(dtype)
        if kind(dtype) == "i":
            self.failure = (f"({exponent} < 0)", NEGATIVE_POWER)
        return f"tg_pow_i({a.as_(dtype)}, {exponent})"

    def maximum(self, op: Operation, a: Operand, b: Operand) -> str:
        dtype = _result(op)
        if dtype == "bool":
            return f"({a.expr} | {b.expr})"
        return _helper("maximum", dtype, a.as_(dtype), b.as_(dtype))

    def minimum(self, op: Operation, a: Operand, b: Operand) -> str:
        dtype = _result(op)
        if dtype == "bool":
            return f"({a.expr} & {b.expr})"
        return _helper("minimum", dtype, a.as_(dtype), b.as_(dtype))

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
        return self._binary(op, a, b, "&")

    def bitwise_or(self, op: Operation, a: Operand, b: Operand) -> str:
        return self._binary(op, a, b, "|")

    def bitwise_xor(self, op: Operation, a: Operand, b: Operand) -> str:
        return self._binary(op, a, b, "^")

    def fill(self, op: Operation, model: Operand, value: Operand) -> str:
        return value.as_(_result(op))

    def switch(self, op: Operation, cond: Operand, if_true: Operand, if_false: Operand) -> str:
        dtype = _result(op)
        return f"tl.where({cond.as_('bool')}, {if_true.as_(dtype)}, {if_false.as_(dtype)})"


NEGATIVE_POWER = "Integers to negative integer powers are not allowed."
"""The reference's error for an integer to a negative integer power."""


ScalarRule: TypeAlias = Callable[..., str]

TRITON_SCALAR_RULES: dict[type[Operation], ScalarRule] = {
    ops.NegOp: TritonScalarEmitter.neg,
    ops.AbsOp: TritonScalarEmitter.abs,
    ops.SignOp: TritonScalarEmitter.sign,
    ops.ExpOp: TritonScalarEmitter.exp,
    ops.LogOp: TritonScalarEmitter.log,
    ops.Log1pOp: TritonScalarEmitter.log1p,
    ops.Expm1Op: TritonScalarEmitter.expm1,
    ops.SqrtOp: TritonScalarEmitter.sqrt,
    ops.SqrOp: TritonScalarEmitter.sqr,
    ops.TanhOp: TritonScalarEmitter.tanh,
    ops.ArcsinhOp: TritonScalarEmitter.arcsinh,
    ops.SigmoidOp: TritonScalarEmitter.sigmoid,
    ops.SoftplusOp: TritonScalarEmitter.softplus,
    ops.SinOp: TritonScalarEmitter.sin,
    ops.CosOp: TritonScalarEmitter.cos,
    ops.FloorOp: TritonScalarEmitter.floor,
    ops.CeilOp: TritonScalarEmitter.ceil,
    ops.RoundOp: TritonScalarEmitter.round,
    ops.ErfOp: TritonScalarEmitter.erf,
    ops.Log2Op: TritonScalarEmitter.log2,
    ops.Log10Op: TritonScalarEmitter.log10,
    ops.TanOp: TritonScalarEmitter.tan,
    ops.ArcsinOp: TritonScalarEmitter.arcsin,
    ops.ArccosOp: TritonScalarEmitter.arccos,
    ops.ArctanOp: TritonScalarEmitter.arctan,
    ops.SinhOp: TritonScalarEmitter.sinh,
    ops.CoshOp: TritonScalarEmitter.cosh,
    ops.ArccoshOp: TritonScalarEmitter.arccosh,
    ops.ArctanhOp: TritonScalarEmitter.arctanh,
    ops.TruncOp: TritonScalarEmitter.trunc,
    ops.ErfcOp: TritonScalarEmitter.erfc,
    ops.ErfinvOp: TritonScalarEmitter.erfinv,
    ops.GammaOp: TritonScalarEmitter.gamma,
    ops.GammalnOp: TritonScalarEmitter.gammaln,
    ops.PsiOp: TritonScalarEmitter.psi,
    ops.TrigammaOp: TritonScalarEmitter.trigamma,
    ops.IsNanOp: TritonScalarEmitter.isnan,
    ops.IsInfOp: TritonScalarEmitter.isinf,
    ops.InvertOp: TritonScalarEmitter.invert,
    ops.CastOp: TritonScalarEmitter.cast,
    ops.AddOp: TritonScalarEmitter.add,
    ops.SubOp: TritonScalarEmitter.sub,
    ops.MulOp: TritonScalarEmitter.mul,
    ops.TrueDivOp: TritonScalarEmitter.true_div,
    ops.IntDivOp: TritonScalarEmitter.int_div,
    ops.ModOp: TritonScalarEmitter.mod,
    ops.Arctan2Op: TritonScalarEmitter.arctan2,
    ops.PowOp: TritonScalarEmitter.pow,
    ops.MaximumOp: TritonScalarEmitter.maximum,
    ops.MinimumOp: TritonScalarEmitter.minimum,
    ops.GtOp: TritonScalarEmitter.gt,
    ops.GeOp: TritonScalarEmitter.ge,
    ops.LtOp: TritonScalarEmitter.lt,
    ops.LeOp: TritonScalarEmitter.le,
    ops.EqOp: TritonScalarEmitter.eq,
    ops.NeqOp: TritonScalarEmitter.neq,
    ops.AndOp: TritonScalarEmitter.bitwise_and,
    ops.OrOp: TritonScalarEmitter.bitwise_or,
    ops.XorOp: TritonScalarEmitter.bitwise_xor,
    ops.FillOp: TritonScalarEmitter.fill,
    ops.SwitchOp: TritonScalarEmitter.switch,
}
"""The Triton expression of every elementwise op, by op class."""


def scalar_supported(op: Operation) -> bool:
    """Whether the op has a Triton rule."""
    return type(op) in TRITON_SCALAR_RULES


LIBDEVICE_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "exp": np.exp,
    "log": np.log,
    "log1p": np.log1p,
    "expm1": np.expm1,
    "tanh": np.tanh,
    "asinh": np.arcsinh,
    "sin": np.sin,
    "cos": np.cos,
    "erf": lambda x: _erf(x),
    "erfc": lambda x: special.erfc(x),
    "log2": np.log2,
    "log10": np.log10,
    "tan": np.tan,
    "asin": np.arcsin,
    "acos": np.arccos,
    "atan": np.arctan,
    "atan2": np.arctan2,
    "sinh": np.sinh,
    "cosh": np.cosh,
    "acosh": np.arccosh,
    "atanh": np.arctanh,
    "tgamma": lambda x: special.gamma(x),
    "lgamma": lambda x: c_lgamma(x),
    "trunc": np.trunc,
    "signbit": np.signbit,
    "rint": np.rint,
    "pow": lambda a, b: _c_pow(a, b),
}
"""Every ``libdevice`` function a scalar rule calls, with the NumPy function the interpreter
runs in its place (``libdevice`` calls do not run in Triton's interpreter)."""


def _c_pow(base: Any, exponent: Any) -> Any:
    """C's ``pow``, as libdevice's: NumPy's ``power`` takes a square-root shortcut for a
    broadcast exponent of 0.5 (``(-inf) ** 0.5`` is NaN there, inf in C), so both operands get
    memory of their own at the full shape first."""
    shape = np.broadcast_shapes(np.shape(base), np.shape(exponent), (1,))
    return np.power(
        np.array(np.broadcast_to(base, shape)), np.array(np.broadcast_to(exponent, shape))
    )


def _erf(x: Any) -> Any:
    """``erf`` elementwise without SciPy (``math.erf`` per element: the interpreter's arrays
    are one block, and ``math.erf`` is the C library's)."""
    return np.vectorize(math.erf, otypes=[x.dtype])(x)
