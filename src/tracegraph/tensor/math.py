"""Elementwise math, reductions and ``dot``, with Theano's names.

>>> import tracegraph.tensor as T
>>> x = T.dmatrix('x')
>>> T.exp(-x).dtype
'float64'
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

import numpy as np
from xdsl.ir import Operation

from tracegraph.errors import ShapeMismatchError
from tracegraph.ir import ops
from tracegraph.ir.location import format_location, user_location
from tracegraph.ir.types import tensor_type
from tracegraph.tensor.elemwise import as_operands, elementwise
from tracegraph.tensor.variable import TensorLike, TensorVariable, as_tensor_variable, emit

Axis = int | Sequence[int] | None

# -- unary ------------------------------------------------------------------------------------


def neg(x: TensorLike) -> TensorVariable:
    """``-x``.

    >>> neg(1.0).dtype
    'float64'
    """
    return elementwise(ops.NegOp, x)


def abs_(x: TensorLike) -> TensorVariable:
    """``|x|`` (also ``abs(x)`` on a variable)."""
    return elementwise(ops.AbsOp, x)


def sign(x: TensorLike) -> TensorVariable:
    """-1, 0 or 1 by the sign of ``x``."""
    return elementwise(ops.SignOp, x)


sgn = sign


def exp(x: TensorLike) -> TensorVariable:
    """``e ** x``.

    >>> exp(0).dtype
    'float64'
    """
    return elementwise(ops.ExpOp, x)


def log(x: TensorLike) -> TensorVariable:
    """Natural logarithm."""
    return elementwise(ops.LogOp, x)


def log1p(x: TensorLike) -> TensorVariable:
    """``log(1 + x)``."""
    return elementwise(ops.Log1pOp, x)


def expm1(x: TensorLike) -> TensorVariable:
    """``exp(x) - 1``."""
    return elementwise(ops.Expm1Op, x)


def sqrt(x: TensorLike) -> TensorVariable:
    """Square root."""
    return elementwise(ops.SqrtOp, x)


def sqr(x: TensorLike) -> TensorVariable:
    """``x * x``."""
    return elementwise(ops.SqrOp, x)


def tanh(x: TensorLike) -> TensorVariable:
    """Hyperbolic tangent."""
    return elementwise(ops.TanhOp, x)


def arcsinh(x: TensorLike) -> TensorVariable:
    """Inverse hyperbolic sine."""
    return elementwise(ops.ArcsinhOp, x)


def sigmoid(x: TensorLike) -> TensorVariable:
    """The logistic function ``1 / (1 + exp(-x))`` (also ``T.nnet.sigmoid``)."""
    return elementwise(ops.SigmoidOp, x)


def softplus(x: TensorLike) -> TensorVariable:
    """``log(1 + exp(x))`` (also ``T.nnet.softplus``)."""
    return elementwise(ops.SoftplusOp, x)


def sin(x: TensorLike) -> TensorVariable:
    """Sine."""
    return elementwise(ops.SinOp, x)


def cos(x: TensorLike) -> TensorVariable:
    """Cosine."""
    return elementwise(ops.CosOp, x)


def floor(x: TensorLike) -> TensorVariable:
    """Round down."""
    return elementwise(ops.FloorOp, x)


def ceil(x: TensorLike) -> TensorVariable:
    """Round up."""
    return elementwise(ops.CeilOp, x)


def round(x: TensorLike, mode: str = "half_to_even") -> TensorVariable:
    """Round to the nearest integer: ``mode="half_to_even"`` (NumPy's) or
    ``"half_away_from_zero"`` (C's ``round``)."""
    if mode == "half_to_even":
        return elementwise(ops.RoundOp, x)
    if mode == "half_away_from_zero":
        # floor(|x| + 0.5) would round |x| + 0.5 itself; |x| - floor(|x|) is exact.
        magnitude = abs_(x)
        whole = floor(magnitude)
        return sign(x) * switch(magnitude - whole >= 0.5, whole + 1, whole)
    raise ValueError(f"round: mode must be 'half_to_even' or 'half_away_from_zero', not {mode!r}")


def erf(x: TensorLike) -> TensorVariable:
    """The error function."""
    return elementwise(ops.ErfOp, x)


def log2(x: TensorLike) -> TensorVariable:
    """Base-2 logarithm."""
    return elementwise(ops.Log2Op, x)


def log10(x: TensorLike) -> TensorVariable:
    """Base-10 logarithm."""
    return elementwise(ops.Log10Op, x)


def tan(x: TensorLike) -> TensorVariable:
    """Tangent."""
    return elementwise(ops.TanOp, x)


def arcsin(x: TensorLike) -> TensorVariable:
    """Inverse sine."""
    return elementwise(ops.ArcsinOp, x)


def arccos(x: TensorLike) -> TensorVariable:
    """Inverse cosine."""
    return elementwise(ops.ArccosOp, x)


def arctan(x: TensorLike) -> TensorVariable:
    """Inverse tangent."""
    return elementwise(ops.ArctanOp, x)


def sinh(x: TensorLike) -> TensorVariable:
    """Hyperbolic sine."""
    return elementwise(ops.SinhOp, x)


def cosh(x: TensorLike) -> TensorVariable:
    """Hyperbolic cosine."""
    return elementwise(ops.CoshOp, x)


def arccosh(x: TensorLike) -> TensorVariable:
    """Inverse hyperbolic cosine."""
    return elementwise(ops.ArccoshOp, x)


def arctanh(x: TensorLike) -> TensorVariable:
    """Inverse hyperbolic tangent."""
    return elementwise(ops.ArctanhOp, x)


def trunc(x: TensorLike) -> TensorVariable:
    """Round toward zero."""
    return elementwise(ops.TruncOp, x)


def erfc(x: TensorLike) -> TensorVariable:
    """The complementary error function, ``1 - erf(x)``."""
    return elementwise(ops.ErfcOp, x)


def erfinv(x: TensorLike) -> TensorVariable:
    """The inverse error function."""
    return elementwise(ops.ErfinvOp, x)


def gamma(x: TensorLike) -> TensorVariable:
    """The gamma function."""
    return elementwise(ops.GammaOp, x)


def gammaln(x: TensorLike) -> TensorVariable:
    """``log(abs(gamma(x)))``, without overflow."""
    return elementwise(ops.GammalnOp, x)


def psi(x: TensorLike) -> TensorVariable:
    """The digamma function, the derivative of ``gammaln``."""
    return elementwise(ops.PsiOp, x)


def tri_gamma(x: TensorLike) -> TensorVariable:
    """The trigamma function, the derivative of ``psi`` (Theano's ``tri_gamma``)."""
    return elementwise(ops.TrigammaOp, x)


def isnan(x: TensorLike) -> TensorVariable:
    """Whether each element is NaN (bool)."""
    return elementwise(ops.IsNanOp, x)


def isinf(x: TensorLike) -> TensorVariable:
    """Whether each element is infinite (bool)."""
    return elementwise(ops.IsInfOp, x)


def deg2rad(x: TensorLike) -> TensorVariable:
    """Degrees to radians.

    >>> import numpy as np
    >>> float(deg2rad(np.float64(180)).eval())
    3.141592653589793
    """
    return mul(x, np.pi / 180)  # a Python float: float32 stays float32, as in NumPy


def rad2deg(x: TensorLike) -> TensorVariable:
    """Radians to degrees."""
    return mul(x, 180 / np.pi)


def iround(x: TensorLike, mode: str = "half_to_even") -> TensorVariable:
    """``round(x)`` as int64 (Theano's ``iround``).

    >>> iround(np.array([1.5, 2.5, -0.7])).eval().tolist()
    [2, 2, -1]
    """
    from tracegraph.tensor.basic import cast

    return cast(round(x, mode), "int64")


def exp2(x: TensorLike) -> TensorVariable:
    """``2 ** x``, in floats (float64 for integers).

    >>> exp2(np.array([3.0])).eval().tolist()
    [8.0]
    """
    return pow(2.0, x)


def inv(x: TensorLike) -> TensorVariable:
    """``1 / x`` (Theano's ``inv``; also ``reciprocal``).

    >>> inv(np.array([4.0])).eval().tolist()
    [0.25]
    """
    return true_div(1, x)


reciprocal = inv


def invert(x: TensorLike) -> TensorVariable:
    """``~x``: bitwise not (logical not for booleans)."""
    return elementwise(ops.InvertOp, x)


bitwise_not = invert

# -- binary -----------------------------------------------------------------------------------


def add(x: TensorLike, y: TensorLike, *more: TensorLike) -> TensorVariable:
    """``x + y (+ ...)``."""
    result = elementwise(ops.AddOp, x, y)
    for z in more:
        result = elementwise(ops.AddOp, result, z)
    return result


def sub(x: TensorLike, y: TensorLike) -> TensorVariable:
    """``x - y``."""
    return elementwise(ops.SubOp, x, y)


def mul(x: TensorLike, y: TensorLike, *more: TensorLike) -> TensorVariable:
    """``x * y (* ...)``."""
    result = elementwise(ops.MulOp, x, y)
    for z in more:
        result = elementwise(ops.MulOp, result, z)
    return result


def true_div(x: TensorLike, y: TensorLike) -> TensorVariable:
    """``x / y`` (integers give floats)."""
    return elementwise(ops.TrueDivOp, x, y)


true_divide = true_div


def int_div(x: TensorLike, y: TensorLike) -> TensorVariable:
    """``x // y`` (floor division)."""
    return elementwise(ops.IntDivOp, x, y)


floor_div = int_div


def mod(x: TensorLike, y: TensorLike) -> TensorVariable:
    """``x % y`` with the sign of ``y``."""
    return elementwise(ops.ModOp, x, y)


def pow(x: TensorLike, y: TensorLike) -> TensorVariable:
    """``x ** y``."""
    return elementwise(ops.PowOp, x, y)


def maximum(x: TensorLike, y: TensorLike) -> TensorVariable:
    """Elementwise maximum."""
    return elementwise(ops.MaximumOp, x, y)


def minimum(x: TensorLike, y: TensorLike) -> TensorVariable:
    """Elementwise minimum."""
    return elementwise(ops.MinimumOp, x, y)


def clip(x: TensorLike, min_value: TensorLike, max_value: TensorLike) -> TensorVariable:
    """``x`` limited to ``[min_value, max_value]``.

    >>> clip(5, 0, 3).dtype
    'int64'
    """
    return minimum(maximum(x, min_value), max_value)


def arctan2(y: TensorLike, x: TensorLike) -> TensorVariable:
    """The angle of the point ``(x, y)``, in ``[-pi, pi]``.

    >>> float(arctan2(1.0, -1.0).eval())
    2.356194490192345
    """
    return elementwise(ops.Arctan2Op, y, x)


def isclose(
    a: TensorLike,
    b: TensorLike,
    rtol: float = 1e-05,
    atol: float = 1e-08,
    equal_nan: bool = False,
) -> TensorVariable:
    """Whether ``|a - b| <= atol + rtol * |b|``, elementwise, as NumPy's ``isclose``
    (infinities are close to themselves only; NaNs only with ``equal_nan``).

    >>> isclose(np.array([1.0, np.inf, np.nan]), np.array([1.0 + 1e-9, np.inf, np.nan])).eval()
    array([ True,  True, False])
    """
    a_, b_ = as_operands([a, b])
    close = le(abs_(a_ - b_), atol + rtol * abs_(b_))
    if a_.dtype.startswith("float") or b_.dtype.startswith("float"):
        finite = and_(invert(isinf(a_)), invert(isinf(b_)))
        close = or_(and_(close, finite), eq(a_, b_))
        if equal_nan:
            close = or_(close, and_(isnan(a_), isnan(b_)))
    return close


def allclose(
    a: TensorLike,
    b: TensorLike,
    rtol: float = 1e-05,
    atol: float = 1e-08,
    equal_nan: bool = False,
) -> TensorVariable:
    """Whether every element of ``a`` is close to ``b`` (``isclose``), a bool scalar.

    >>> bool(allclose(np.array([1.0, 2.0]), np.array([1.0, 2.0 + 1e-7])).eval())
    True
    """
    return all(isclose(a, b, rtol, atol, equal_nan))


def gt(x: TensorLike, y: TensorLike) -> TensorVariable:
    """``x > y``."""
    return elementwise(ops.GtOp, x, y)


def ge(x: TensorLike, y: TensorLike) -> TensorVariable:
    """``x >= y``."""
    return elementwise(ops.GeOp, x, y)


def lt(x: TensorLike, y: TensorLike) -> TensorVariable:
    """``x < y``."""
    return elementwise(ops.LtOp, x, y)


def le(x: TensorLike, y: TensorLike) -> TensorVariable:
    """``x <= y``."""
    return elementwise(ops.LeOp, x, y)


def eq(x: TensorLike, y: TensorLike) -> TensorVariable:
    """Elementwise ``x == y`` (Python's ``==`` on variables is identity, as in Theano)."""
    return elementwise(ops.EqOp, x, y)


def neq(x: TensorLike, y: TensorLike) -> TensorVariable:
    """Elementwise ``x != y``."""
    return elementwise(ops.NeqOp, x, y)


def and_(x: TensorLike, y: TensorLike) -> TensorVariable:
    """``x & y``."""
    return elementwise(ops.AndOp, x, y)


def or_(x: TensorLike, y: TensorLike) -> TensorVariable:
    """``x | y``."""
    return elementwise(ops.OrOp, x, y)


def xor(x: TensorLike, y: TensorLike) -> TensorVariable:
    """``x ^ y``."""
    return elementwise(ops.XorOp, x, y)


bitwise_and, bitwise_or, bitwise_xor = and_, or_, xor


def switch(cond: TensorLike, if_true: TensorLike, if_false: TensorLike) -> TensorVariable:
    """``if_true`` where ``cond`` holds, else ``if_false``, elementwise.

    >>> switch(True, 1.0, 2).dtype
    'float64'
    """
    from tracegraph.tensor.elemwise import broadcast_shapes, pad_rank

    # Python-scalar branches take their dtype from the other branch, not from the condition.
    operands = [
        *as_operands([cond]),
        *as_operands([if_true, if_false], pad=True, integer_scalars=True),
    ]
    ndim = builtins.max(v.ndim for v in operands)
    operands = [pad_rank(v, ndim) for v in operands]
    if operands[0].dtype.startswith("float"):
        operands[0] = neq(operands[0], 0)
    shape = broadcast_shapes([v.type.shape for v in operands], "switch")
    dtype = np.result_type(operands[1].dtype, operands[2].dtype).name
    c, a, b = (v.value for v in operands)
    return emit(ops.SwitchOp(c, a, b, tensor_type(dtype, shape)))


where = switch

# -- reductions -------------------------------------------------------------------------------


def normalize_axes(axis: Axis, ndim: int) -> tuple[int, ...]:
    """Axes as a sorted tuple of non-negative ints (``None`` means every axis)."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, int | np.integer) else tuple(axis)
    normalized = []
    for a in axes:
        if not -ndim <= int(a) < builtins.max(ndim, 1) or (ndim == 0 and a not in (0, -1)):
            raise ValueError(f"axis {a} is out of range for a {ndim}-d tensor")
        normalized.append(int(a) % builtins.max(ndim, 1))
    if ndim == 0:
        return ()
    if len(set(normalized)) != len(normalized):
        raise ValueError(f"repeated axis in {axes}")
    return tuple(sorted(normalized))


_REDUCERS: dict[type[Operation], Any] = {
    ops.SumOp: np.sum,
    ops.ProdOp: np.prod,
    ops.MaxOp: np.max,
    ops.MinOp: np.min,
    ops.MeanOp: np.mean,
    ops.ArgmaxOp: np.argmax,
    ops.ArgminOp: np.argmin,
    ops.AnyOp: np.any,
    ops.AllOp: np.all,
}


@lru_cache(maxsize=1024)
def _reduction_dtype(op_class: type[Operation], dtype: str) -> str:
    name = np.asarray(_REDUCERS[op_class](np.ones((1,), dtype=dtype))).dtype.name
    return "float32" if name == "float16" else name


def _reduce(
    op_class: type[ops.ReductionOp], x: TensorLike, axis: Axis, keepdims: bool
) -> TensorVariable:
    variable = as_tensor_variable(x)
    axes = normalize_axes(axis, variable.ndim)
    if keepdims:
        shape = tuple(1 if i in axes else s for i, s in enumerate(variable.type.shape))
    else:
        shape = tuple(s for i, s in enumerate(variable.type.shape) if i not in axes)
    dtype = _reduction_dtype(op_class, variable.dtype)
    result_type = tensor_type(dtype, shape)
    return emit(op_class(variable.value, axes, keepdims, result_type))


def sum(x: TensorLike, axis: Axis = None, keepdims: bool = False) -> TensorVariable:
    """Sum over ``axis`` (every axis by default).

    >>> sum([[1, 2], [3, 4]], axis=0).ndim
    1
    """
    return _reduce(ops.SumOp, x, axis, keepdims)


def prod(x: TensorLike, axis: Axis = None, keepdims: bool = False) -> TensorVariable:
    """Product over ``axis``."""
    return _reduce(ops.ProdOp, x, axis, keepdims)


def max(x: TensorLike, axis: Axis = None, keepdims: bool = False) -> TensorVariable:
    """Maximum over ``axis``."""
    return _reduce(ops.MaxOp, x, axis, keepdims)


def min(x: TensorLike, axis: Axis = None, keepdims: bool = False) -> TensorVariable:
    """Minimum over ``axis``."""
    return _reduce(ops.MinOp, x, axis, keepdims)


def mean(x: TensorLike, axis: Axis = None, keepdims: bool = False) -> TensorVariable:
    """Mean over ``axis``."""
    return _reduce(ops.MeanOp, x, axis, keepdims)


def argmax(x: TensorLike, axis: Axis = None, keepdims: bool = False) -> TensorVariable:
    """Index of the maximum over ``axis`` (over the flattened axes when several)."""
    return _reduce(ops.ArgmaxOp, x, axis, keepdims)


def argmin(x: TensorLike, axis: Axis = None, keepdims: bool = False) -> TensorVariable:
    """Index of the minimum over ``axis``."""
    return _reduce(ops.ArgminOp, x, axis, keepdims)


def max_and_argmax(
    a: TensorLike, axis: Axis = None, keepdims: bool = False
) -> tuple[TensorVariable, TensorVariable]:
    """The maximum over ``axis`` and its index (Theano's ``max_and_argmax``).

    >>> m, i = max_and_argmax(np.array([1.0, 5.0, 2.0]))
    >>> float(m.eval()), int(i.eval())
    (5.0, 1)
    """
    return max(a, axis, keepdims), argmax(a, axis, keepdims)


def ptp(a: TensorLike, axis: Axis = None, keepdims: bool = False) -> TensorVariable:
    """The range ``max - min`` over ``axis`` (NumPy's ``ptp``).

    >>> int(ptp(np.array([3, 9, 4])).eval())
    6
    """
    return sub(max(a, axis, keepdims), min(a, axis, keepdims))


def largest(*args: TensorLike) -> TensorVariable:
    """The elementwise maximum of all the arguments (Theano's ``largest``).

    >>> largest(1, np.array([0, 5]), 3).eval().tolist()
    [3, 5]
    """
    return _fold(maximum, args, "largest")


def smallest(*args: TensorLike) -> TensorVariable:
    """The elementwise minimum of all the arguments (Theano's ``smallest``).

    >>> smallest(1, np.array([0, 5]), 3).eval().tolist()
    [0, 1]
    """
    return _fold(minimum, args, "smallest")


def _fold(
    binary: Callable[[TensorLike, TensorLike], TensorVariable],
    args: Sequence[TensorLike],
    what: str,
) -> TensorVariable:
    if not args:
        raise TypeError(f"{what}: needs at least one argument")
    result = as_tensor_variable(args[0])
    for arg in args[1:]:
        result = binary(result, arg)
    return result


def any(x: TensorLike, axis: Axis = None, keepdims: bool = False) -> TensorVariable:
    """Whether any element over ``axis`` is true."""
    return _reduce(ops.AnyOp, x, axis, keepdims)


def all(x: TensorLike, axis: Axis = None, keepdims: bool = False) -> TensorVariable:
    """Whether every element over ``axis`` is true."""
    return _reduce(ops.AllOp, x, axis, keepdims)


def var(x: TensorLike, axis: Axis = None, keepdims: bool = False) -> TensorVariable:
    """Variance over ``axis`` (population variance, as NumPy's ``var``)."""
    variable = as_tensor_variable(x)
    centered = variable - mean(variable, axis, keepdims=True)
    return mean(sqr(centered), axis, keepdims)


def std(x: TensorLike, axis: Axis = None, keepdims: bool = False) -> TensorVariable:
    """Standard deviation over ``axis``."""
    return sqrt(var(x, axis, keepdims))


# -- products ---------------------------------------------------------------------------------


def dot(x: TensorLike, y: TensorLike) -> TensorVariable:
    """Inner, matrix-vector, vector-matrix or matrix-matrix product (a scalar operand
    multiplies); of N-d tensors, NumPy's ``dot`` (the last axis of ``x`` with the
    second-to-last of ``y``).

    >>> import tracegraph.tensor as T
    >>> dot(T.dmatrix(), T.dvector()).ndim
    1
    """
    a, b = as_operands([x, y])
    if a.ndim == 0 or b.ndim == 0:
        return mul(a, b)
    if a.ndim > 2 or b.ndim > 2:
        from tracegraph.tensor.products import nd_dot  # built on this module's dot

        return nd_dot(a, b)
    inner_a = a.type.shape[-1]
    inner_b = b.type.shape[0]
    if inner_a is not None and inner_b is not None and inner_a != inner_b:
        raise ShapeMismatchError(
            f"dot at {format_location(user_location())}: inner sizes differ ({a.type} and {b.type})"
        )
    shape = a.type.shape[:-1] + b.type.shape[1:]
    dtype = np.result_type(a.dtype, b.dtype).name
    return emit(ops.DotOp(a.value, b.value, tensor_type(dtype, shape)))


matmul = dot


def outer(x: TensorLike, y: TensorLike) -> TensorVariable:
    """Outer product of two vectors."""
    from tracegraph.tensor.shapes import dimshuffle

    a, b = as_operands([x, y])
    return mul(dimshuffle(a.flatten(), [0, "x"]), dimshuffle(b.flatten(), ["x", 0]))
