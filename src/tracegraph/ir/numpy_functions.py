"""The NumPy side of every elementwise op, in one table keyed by op class: the function the
reference interpreter computes it with, and the ufunc whose type resolution gives its result
dtype (the frontend's ``result_dtype``).

>>> from tracegraph.ir import ops
>>> NUMPY_FUNCTIONS[ops.SigmoidOp].typed_as is np.exp
True
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeAlias

import numpy as np
import scipy.special as special
from numpy.typing import NDArray
from xdsl.ir import Operation

from tracegraph.ir import ops

Array: TypeAlias = NDArray[Any]


@dataclass(frozen=True)
class NumPyFunction:
    """How NumPy computes and types one elementwise op."""

    compute: Callable[..., Any] | None
    """The reference: a function of the operand arrays (the interpreter checks their shapes,
    converts them to a float result dtype first and its result to the result dtype after);
    ``None`` where the reference kernel needs more than the operands (``cast``: the result
    dtype)."""

    typed_as: np.ufunc | None
    """The ufunc whose type resolution for the operand dtypes gives the result dtype (float16
    read as float32; an op without a ufunc of its own borrows one that types the same:
    ``sigmoid`` types as ``exp``); ``None`` where the frontend takes the result dtype from its
    arguments (``cast``, ``fill``, ``switch``)."""


def ufunc(function: np.ufunc) -> NumPyFunction:
    """An op that is exactly a NumPy ufunc, in value and in dtype."""
    return NumPyFunction(function, function)


def _sigmoid(x: Array) -> Array:
    # Both branches are evaluated; each is exact where it is selected and never overflows there.
    return np.where(x >= 0, 1.0 / (1.0 + np.exp(-x)), np.exp(x) / (1.0 + np.exp(x)))


def _softplus(x: Array) -> Array:
    return np.logaddexp(np.zeros((), dtype=x.dtype), x)


def _erf(x: Array) -> Array:
    return np.asarray(np.vectorize(math.erf, otypes=[x.dtype])(x))


def c_lgamma(x: Array) -> Array:
    """C's ``lgamma``: SciPy's ``gammaln``, but infinite at -inf (SciPy gives -inf there)."""
    return np.asarray(np.where(x == -np.inf, np.inf, special.gammaln(x)))


def _trigamma(x: Array) -> Array:
    return np.asarray(special.polygamma(1, x))


def _pow(base: Array, exponent: Array) -> Array:
    # NumPy's power takes a sqrt shortcut for an exponent of 0.5 that is broadcast or 0-d,
    # which differs from C's pow at -inf and -0.0 ((-inf) ** 0.5 is NaN there, inf in C).
    # tg.pow is C's pow (the C backend's), so a broadcast float exponent is given its own
    # memory, and 0-d operands are computed as one-element vectors.
    exponent = np.asarray(exponent)
    if exponent.dtype.kind == "f":
        shape = np.broadcast_shapes(np.shape(base), exponent.shape)
        if not shape:
            vector = np.power(np.reshape(base, (1,)), np.reshape(exponent, (1,)))
            return np.asarray(vector.reshape(()))
        if exponent.shape != shape or 0 in exponent.strides:
            exponent = np.array(np.broadcast_to(exponent, shape))
    return np.asarray(np.power(base, exponent))


def _fill(model: Array, value: Array) -> Array:
    return np.broadcast_to(value, np.broadcast_shapes(model.shape, value.shape))


def _switch(cond: Array, if_true: Array, if_false: Array) -> Array:
    return np.where(cond, if_true, if_false)


NUMPY_FUNCTIONS: dict[type[Operation], NumPyFunction] = {
    ops.NegOp: ufunc(np.negative),
    ops.AbsOp: ufunc(np.absolute),
    ops.SignOp: ufunc(np.sign),
    ops.ExpOp: ufunc(np.exp),
    ops.LogOp: ufunc(np.log),
    ops.Log1pOp: ufunc(np.log1p),
    ops.Expm1Op: ufunc(np.expm1),
    ops.SqrtOp: ufunc(np.sqrt),
    ops.SqrOp: ufunc(np.square),
    ops.TanhOp: ufunc(np.tanh),
    ops.ArcsinhOp: ufunc(np.arcsinh),
    ops.SigmoidOp: NumPyFunction(_sigmoid, np.exp),
    ops.SoftplusOp: NumPyFunction(_softplus, np.exp),
    ops.SinOp: ufunc(np.sin),
    ops.CosOp: ufunc(np.cos),
    ops.FloorOp: ufunc(np.floor),
    ops.CeilOp: ufunc(np.ceil),
    ops.RoundOp: ufunc(np.rint),
    ops.ErfOp: NumPyFunction(_erf, np.exp),
    ops.Log2Op: ufunc(np.log2),
    ops.Log10Op: ufunc(np.log10),
    ops.TanOp: ufunc(np.tan),
    ops.ArcsinOp: ufunc(np.arcsin),
    ops.ArccosOp: ufunc(np.arccos),
    ops.ArctanOp: ufunc(np.arctan),
    ops.SinhOp: ufunc(np.sinh),
    ops.CoshOp: ufunc(np.cosh),
    ops.ArccoshOp: ufunc(np.arccosh),
    ops.ArctanhOp: ufunc(np.arctanh),
    ops.TruncOp: ufunc(np.trunc),
    ops.ErfcOp: NumPyFunction(special.erfc, np.exp),
    ops.ErfinvOp: NumPyFunction(special.erfinv, np.exp),
    ops.GammaOp: NumPyFunction(special.gamma, np.exp),
    ops.GammalnOp: NumPyFunction(c_lgamma, np.exp),
    ops.PsiOp: NumPyFunction(special.psi, np.exp),
    ops.TrigammaOp: NumPyFunction(_trigamma, np.exp),
    ops.IsNanOp: ufunc(np.isnan),
    ops.IsInfOp: ufunc(np.isinf),
    ops.InvertOp: ufunc(np.invert),
    ops.CastOp: NumPyFunction(None, None),  # the interpreter's cast_array, to the result dtype
    ops.AddOp: ufunc(np.add),
    ops.SubOp: ufunc(np.subtract),
    ops.MulOp: ufunc(np.multiply),
    ops.TrueDivOp: ufunc(np.true_divide),
    ops.IntDivOp: ufunc(np.floor_divide),
    ops.ModOp: ufunc(np.remainder),
    ops.PowOp: NumPyFunction(_pow, np.power),
    ops.Arctan2Op: ufunc(np.arctan2),
    ops.MaximumOp: ufunc(np.maximum),
    ops.MinimumOp: ufunc(np.minimum),
    ops.GtOp: ufunc(np.greater),
    ops.GeOp: ufunc(np.greater_equal),
    ops.LtOp: ufunc(np.less),
    ops.LeOp: ufunc(np.less_equal),
    ops.EqOp: ufunc(np.equal),
    ops.NeqOp: ufunc(np.not_equal),
    ops.AndOp: ufunc(np.bitwise_and),
    ops.OrOp: ufunc(np.bitwise_or),
    ops.XorOp: ufunc(np.bitwise_xor),
    ops.FillOp: NumPyFunction(_fill, None),
    ops.SwitchOp: NumPyFunction(_switch, None),
}
"""The NumPy function and dtype ufunc of every op with the ``Elementwise`` trait."""
