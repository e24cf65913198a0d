"""Every op of the ``tg`` dialect through the public API, run by the NumPy reference backend and
compared with NumPy itself: values, dtypes and shapes, broadcasting, memory layouts of the inputs,
and the errors raised at run time.

The NumPy backend is the oracle of every later backend, so each of its ops must agree exactly with
NumPy's semantics (Theano's broadcasting rule and NEP 50 dtype promotion aside, both tested here).
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeAlias

import numpy as np
import pytest
from numpy.typing import NDArray

import tracegraph
import tracegraph.tensor as T
from tracegraph.tensor import TensorVariable

Array: TypeAlias = NDArray[Any]

THIS_FILE = Path(__file__).name
RELATIVE_TOLERANCE = {np.dtype("float32"): 1e-6, np.dtype("float64"): 1e-12}
LAYOUTS = ("contiguous", "fortran", "transposed", "strided", "reversed")


# -- helpers -------------------------------------------------------------------------------------


def variable_for(
    array: Array, name: str | None = None, broadcastable: Sequence[bool] | None = None
) -> TensorVariable:
    """A symbolic input of the dtype and rank of ``array`` (no static sizes unless
    ``broadcastable`` says so)."""
    if broadcastable is None:
        broadcastable = (False,) * array.ndim
    return T.tensor(array.dtype.name, broadcastable=tuple(broadcastable), name=name)


def compile_and_call(
    inputs: Sequence[TensorVariable], output: TensorVariable, *arrays: Any, **options: Any
) -> Array:
    """Compile ``output`` with ``tracegraph.function(inputs, output, **options)`` and call it on
    ``arrays``; check that the output's static type describes the result."""
    result = tracegraph.function(list(inputs), output, **options)(*arrays)
    assert_type_describes(output, result)
    return result


def compile_and_call_all(
    inputs: Sequence[TensorVariable],
    outputs: Sequence[TensorVariable],
    *arrays: Any,
    **options: Any,
) -> list[Array]:
    """As :func:`compile_and_call`, for a list of outputs."""
    results = tracegraph.function(list(inputs), list(outputs), **options)(*arrays)
    assert isinstance(results, list)
    for output, result in zip(outputs, results, strict=True):
        assert_type_describes(output, result)
    return results


def assert_type_describes(variable: TensorVariable, value: Any) -> None:
    """The static type of ``variable`` agrees with a value it computed: same dtype and rank, and
    each statically known size is the actual size."""
    assert isinstance(value, np.ndarray)
    assert variable.dtype == value.dtype.name, f"type {variable.type}, value {value.dtype}"
    assert variable.ndim == value.ndim, f"type {variable.type}, value of shape {value.shape}"
    for axis, (static, actual) in enumerate(zip(variable.type.shape, value.shape, strict=True)):
        assert static in (None, actual), f"type {variable.type}: axis {axis} has size {actual}"


def assert_matches_numpy(result: Any, expected: Any) -> None:
    """Same type (a real ndarray), dtype and shape as NumPy's result; same values (to a tolerance
    for floats, with NaN and inf at the same places)."""
    expected = np.asarray(expected)
    assert type(result) is np.ndarray, f"got {type(result).__name__}, not numpy.ndarray"
    assert result.dtype == expected.dtype, f"dtype {result.dtype}, NumPy gives {expected.dtype}"
    assert result.shape == expected.shape, f"shape {result.shape}, NumPy gives {expected.shape}"
    if expected.dtype.kind == "f":
        np.testing.assert_allclose(
            result, expected, rtol=RELATIVE_TOLERANCE[expected.dtype], atol=0, equal_nan=True
        )
    else:
        np.testing.assert_array_equal(result, expected)


def in_layout(array: Array, layout: str) -> Array:
    """An array equal to ``array`` with another memory layout."""
    if array.ndim == 0:
        return array.copy()
    if layout == "contiguous":
        return np.ascontiguousarray(array).copy()
    if layout == "fortran":
        return np.asfortranarray(array).copy(order="F")
    if layout == "transposed":
        return np.ascontiguousarray(array.T).T
    if layout == "strided":
        big = np.zeros(tuple(2 * size for size in array.shape), dtype=array.dtype)
        every_other = tuple(slice(None, None, 2) for _ in array.shape)
        big[every_other] = array
        return big[every_other]
    if layout == "reversed":
        reversed_axes = tuple(slice(None, None, -1) for _ in array.shape)
        return np.ascontiguousarray(array[reversed_axes])[reversed_axes]
    raise ValueError(layout)


def numpy_result_dtype(ufunc: np.ufunc, *dtypes: str) -> np.dtype[Any]:
    """NumPy's result dtype of ``ufunc``, with float16 read as float32 (tracegraph has no
    float16)."""
    result = ufunc.resolve_dtypes((*(np.dtype(d) for d in dtypes), None))[-1]
    return np.dtype(np.float32) if result == np.float16 else result


def numpy_apply(ufunc: np.ufunc, *operands: Any) -> Array:
    """``ufunc`` on the operands, computed in float32 where NumPy would use float16."""
    with np.errstate(all="ignore"):
        result = np.asarray(ufunc(*operands))
        if result.dtype == np.float16:
            widened = [o.astype(np.float32) if isinstance(o, np.ndarray) else o for o in operands]
            result = np.asarray(ufunc(*widened))
    return result


# -- sample values -------------------------------------------------------------------------------

FLOAT_SAMPLES = {
    "any": [-3.7, -2.5, -1.5, -0.5, -0.2, 0.0, 0.3, 0.5, 1.5, 2.5, 2.8, 4.1],
    "positive": [0.01, 0.2, 0.5, 1.0, 1.5, 2.0, 2.5, 3.3, 4.0, 7.5, 10.0, 100.0],
    "nonnegative": [0.0, 0.2, 0.5, 1.0, 1.5, 2.0, 2.5, 3.3, 4.0, 7.5, 10.0, 100.0],
    "above_minus_one": [-0.99, -0.5, -0.1, 0.0, 0.1, 0.5, 1.0, 1.5, 2.0, 3.0, 9.0, 50.0],
    "nonzero": [-3.7, -2.5, -1.5, -0.5, -0.2, 0.25, 0.3, 0.5, 1.5, 2.5, 2.8, 4.1],
}
INT_SAMPLES = {
    "any": [-5, -3, -2, -1, 0, 0, 1, 2, 3, 4, 5, 7],
    "positive": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
    "nonnegative": [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
    "above_minus_one": [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
    "nonzero": [-5, -3, -2, -1, 1, 1, 2, 3, 4, 5, 6, 7],
}
BOOL_SAMPLES = [True, False, True, True, False, False, True, False, True, False, False, True]


def sample(dtype: str, domain: str = "any", shape: tuple[int, ...] = (3, 4)) -> Array:
    """Twelve representative values of ``dtype`` within ``domain``, reshaped (and repeated)."""
    size = math.prod(shape)
    if dtype == "bool":
        values: list[Any] = BOOL_SAMPLES
    elif np.dtype(dtype).kind == "f":
        values = FLOAT_SAMPLES[domain]
    elif np.dtype(dtype).kind == "u":
        values = [abs(v) for v in INT_SAMPLES[domain]]
    else:
        values = INT_SAMPLES[domain]
    return np.resize(np.array(values, dtype=dtype), size).reshape(shape)


# -- unary ops -----------------------------------------------------------------------------------


def reference_sigmoid(x: Array) -> Array:
    return np.exp(-np.logaddexp(0.0, -x))


def reference_softplus(x: Array) -> Array:
    return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))


def reference_erf(x: Array) -> Array:
    return np.array([math.erf(v) for v in x.ravel()], dtype=np.float64).reshape(x.shape)


UNARY_UFUNCS: dict[str, tuple[Callable[[Any], TensorVariable], np.ufunc, str]] = {
    # name: (tracegraph function, NumPy ufunc, domain of the test values)
    "neg": (T.neg, np.negative, "any"),
    "abs": (T.abs, np.absolute, "any"),
    "sign": (T.sign, np.sign, "any"),
    "exp": (T.exp, np.exp, "any"),
    "log": (T.log, np.log, "positive"),
    "log1p": (T.log1p, np.log1p, "above_minus_one"),
    "expm1": (T.expm1, np.expm1, "any"),
    "sqrt": (T.sqrt, np.sqrt, "nonnegative"),
    "sqr": (T.sqr, np.square, "any"),
    "tanh": (T.tanh, np.tanh, "any"),
    "sin": (T.sin, np.sin, "any"),
    "cos": (T.cos, np.cos, "any"),
    "floor": (T.floor, np.floor, "any"),
    "ceil": (T.ceil, np.ceil, "any"),
    "round": (T.round, np.rint, "any"),
    "invert": (T.invert, np.invert, "any"),
}
"""Unary ops that NumPy has a ufunc for: the result must be the ufunc's, dtype included."""

UNARY_FLOAT_FUNCTIONS: dict[
    str, tuple[Callable[[Any], TensorVariable], Callable[[Array], Array]]
] = {
    "sigmoid": (T.sigmoid, reference_sigmoid),
    "softplus": (T.softplus, reference_softplus),
    "erf": (T.erf, reference_erf),
}
"""Unary ops without a NumPy ufunc: the result has the dtype ``exp`` would give, and the value of
a float64 reference."""

UNARY_DTYPES = ("float64", "float32", "int64", "int32", "int8", "uint8", "bool")


def float_result_dtype(dtype: str) -> np.dtype[Any]:
    """The dtype of a transcendental function of ``dtype``: the float dtype NumPy computes
    ``exp`` in, float16 read as float32."""
    return numpy_result_dtype(np.exp, dtype)


@pytest.mark.parametrize("dtype", UNARY_DTYPES)
@pytest.mark.parametrize("op", sorted(UNARY_UFUNCS))
def test_unary_op_matches_numpy_ufunc(op: str, dtype: str) -> None:
    function, ufunc, domain = UNARY_UFUNCS[op]
    x_value = sample(dtype, domain)
    x = variable_for(x_value, "x")
    try:
        expected = numpy_apply(ufunc, x_value)
    except TypeError:
        with pytest.raises(TypeError, match=f"tg.{op}"):
            function(x)
        return
    output = function(x)
    assert output.dtype == expected.dtype.name
    assert_matches_numpy(compile_and_call([x], output, x_value), expected)


@pytest.mark.parametrize("dtype", UNARY_DTYPES)
@pytest.mark.parametrize("op", sorted(UNARY_FLOAT_FUNCTIONS))
def test_unary_float_function_matches_reference(op: str, dtype: str) -> None:
    function, reference = UNARY_FLOAT_FUNCTIONS[op]
    x_value = sample(dtype, "any")
    x = variable_for(x_value, "x")
    expected = reference(x_value.astype(np.float64)).astype(float_result_dtype(dtype))
    assert_matches_numpy(compile_and_call([x], function(x), x_value), expected)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("op", sorted(set(UNARY_UFUNCS) - {"invert"}))
def test_unary_op_on_special_floats_matches_numpy(op: str, dtype: str) -> None:
    function, ufunc, _ = UNARY_UFUNCS[op]
    x_value = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, -1.0, 1e-30, 1e30], dtype=dtype)
    x = variable_for(x_value, "x")
    assert_matches_numpy(compile_and_call([x], function(x), x_value), numpy_apply(ufunc, x_value))


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("op", sorted(UNARY_FLOAT_FUNCTIONS))
def test_unary_float_function_on_special_and_extreme_floats(op: str, dtype: str) -> None:
    """Large arguments must not overflow (``sigmoid(-800)`` is 0, ``softplus(800)`` is 800)."""
    function, reference = UNARY_FLOAT_FUNCTIONS[op]
    x_value = np.array([np.nan, np.inf, -np.inf, -800.0, -50.0, -0.0, 50.0, 800.0], dtype=dtype)
    x = variable_for(x_value, "x")
    with np.errstate(all="ignore"):
        expected = reference(x_value.astype(np.float64)).astype(dtype)
    assert_matches_numpy(compile_and_call([x], function(x), x_value), expected)


def test_round_is_half_to_even_by_default() -> None:
    x = T.dvector("x")
    values = np.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5])
    result = compile_and_call([x], T.round(x), values)
    assert_matches_numpy(result, np.array([-2.0, -2.0, -0.0, 0.0, 2.0, 2.0, 4.0]))


def test_round_half_away_from_zero() -> None:
    x = T.dvector("x")
    values = np.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 2.4, -2.6])
    result = compile_and_call([x], T.round(x, mode="half_away_from_zero"), values)
    assert_matches_numpy(result, np.array([-3.0, -2.0, -1.0, 1.0, 2.0, 3.0, 2.0, -3.0]))


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_round_half_away_from_zero_near_ties_and_large_values(dtype: str) -> None:
    """C's ``round``: the largest float below 0.5 rounds to 0, and integers too large to have a
    fractional part stay as they are."""
    largest_below_half = np.nextafter(np.array(0.5, dtype=dtype), 0)
    largest_odd = np.array(2 ** (np.finfo(dtype).nmant + 1) - 1, dtype=dtype)
    values = np.array([largest_below_half, -largest_below_half, largest_odd, 2.5], dtype=dtype)
    x = T.tensor(dtype, (False,), "x")
    result = compile_and_call([x], T.round(x, mode="half_away_from_zero"), values)
    assert_matches_numpy(result, np.array([0.0, -0.0, largest_odd, 3.0], dtype=dtype))


def test_exp_of_int8_is_float32() -> None:
    """Where NumPy would compute in float16, tracegraph computes in float32."""
    x = T.bvector("x")
    values = np.array([-3, 0, 5], dtype=np.int8)
    output = T.exp(x)
    assert output.dtype == "float32"
    assert_matches_numpy(compile_and_call([x], output, values), np.exp(values.astype(np.float32)))


# -- binary ops ----------------------------------------------------------------------------------

BINARY_UFUNCS: dict[str, tuple[Callable[[Any, Any], TensorVariable], np.ufunc]] = {
    "add": (T.add, np.add),
    "sub": (T.sub, np.subtract),
    "mul": (T.mul, np.multiply),
    "true_div": (T.true_div, np.true_divide),
    "int_div": (T.int_div, np.floor_divide),
    "mod": (T.mod, np.remainder),
    "pow": (T.pow, np.power),
    "maximum": (T.maximum, np.maximum),
    "minimum": (T.minimum, np.minimum),
    "gt": (T.gt, np.greater),
    "ge": (T.ge, np.greater_equal),
    "lt": (T.lt, np.less),
    "le": (T.le, np.less_equal),
    "eq": (T.eq, np.equal),
    "neq": (T.neq, np.not_equal),
    "and": (T.and_, np.bitwise_and),
    "or": (T.or_, np.bitwise_or),
    "xor": (T.xor, np.bitwise_xor),
}

BINARY_DTYPE_PAIRS = [
    ("float64", "float64"),
    ("float32", "float32"),
    ("float32", "float64"),
    ("int64", "int64"),
    ("int32", "int64"),
    ("int32", "float32"),
    ("int64", "float32"),
    ("int8", "int16"),
    ("uint8", "int8"),
    ("bool", "bool"),
    ("bool", "int32"),
    ("float32", "bool"),
]


def binary_operands(op: str, left_dtype: str, right_dtype: str) -> tuple[Array, Array]:
    """Test operands for ``op``: divisors are non-zero, integer exponents are non-negative and
    float bases positive."""
    left = sample(left_dtype, "any")
    right = np.flip(sample(right_dtype, "any"))
    if op in ("true_div", "int_div", "mod"):
        right = np.flip(sample(right_dtype, "nonzero"))
    if op == "pow":
        left = sample(left_dtype, "positive" if np.dtype(left_dtype).kind == "f" else "any")
        right = np.resize(np.array([0, 1, 2, 3], dtype=right_dtype), (3, 4))
        if np.dtype(right_dtype).kind == "f":
            right = np.resize(np.array([-1.5, 0.0, 0.5, 2.0], dtype=right_dtype), (3, 4))
    return left, right


@pytest.mark.parametrize(("left_dtype", "right_dtype"), BINARY_DTYPE_PAIRS)
@pytest.mark.parametrize("op", sorted(BINARY_UFUNCS))
def test_binary_op_matches_numpy_ufunc(op: str, left_dtype: str, right_dtype: str) -> None:
    function, ufunc = BINARY_UFUNCS[op]
    left_value, right_value = binary_operands(op, left_dtype, right_dtype)
    x, y = variable_for(left_value, "x"), variable_for(right_value, "y")
    try:
        expected = numpy_apply(ufunc, left_value, right_value)
    except TypeError:
        with pytest.raises(TypeError, match=f"tg.{op}"):
            function(x, y)
        return
    output = function(x, y)
    assert output.dtype == expected.dtype.name
    assert_matches_numpy(compile_and_call([x, y], output, left_value, right_value), expected)


@pytest.mark.parametrize("dtype", ["float64", "int64"])
@pytest.mark.parametrize("op", ["true_div", "int_div", "mod"])
def test_division_by_zero_matches_numpy(op: str, dtype: str) -> None:
    """Floats give inf and NaN; integers give NumPy's 0."""
    function, ufunc = BINARY_UFUNCS[op]
    left_value = np.array([7, -7, 0, 3], dtype=dtype)
    right_value = np.zeros(4, dtype=dtype)
    x, y = variable_for(left_value, "x"), variable_for(right_value, "y")
    result = compile_and_call([x, y], function(x, y), left_value, right_value)
    assert_matches_numpy(result, numpy_apply(ufunc, left_value, right_value))


@pytest.mark.parametrize("dtype", ["float64", "int32"])
def test_int_div_and_mod_round_toward_negative_infinity(dtype: str) -> None:
    x, y = T.tensor(dtype, (False,), "x"), T.tensor(dtype, (False,), "y")
    left_value = np.array([7, -7, 7, -7], dtype=dtype)
    right_value = np.array([2, 2, -2, -2], dtype=dtype)
    quotient, remainder = compile_and_call_all([x, y], [x // y, x % y], left_value, right_value)
    assert_matches_numpy(quotient, np.array([3, -4, -4, 3], dtype=dtype))
    assert_matches_numpy(remainder, np.array([1, 1, -1, -1], dtype=dtype))


OPERATOR_FORMS: list[tuple[str, Callable[[Any, Any], Any], np.ufunc]] = [
    ("+", lambda a, b: a + b, np.add),
    ("-", lambda a, b: a - b, np.subtract),
    ("*", lambda a, b: a * b, np.multiply),
    ("/", lambda a, b: a / b, np.true_divide),
    ("//", lambda a, b: a // b, np.floor_divide),
    ("%", lambda a, b: a % b, np.remainder),
    ("**", lambda a, b: a**b, np.power),
    ("<", lambda a, b: a < b, np.less),
    ("<=", lambda a, b: a <= b, np.less_equal),
    (">", lambda a, b: a > b, np.greater),
    (">=", lambda a, b: a >= b, np.greater_equal),
    ("&", lambda a, b: a & b, np.bitwise_and),
    ("|", lambda a, b: a | b, np.bitwise_or),
    ("^", lambda a, b: a ^ b, np.bitwise_xor),
]


@pytest.mark.parametrize("scalar_on_the_left", [False, True])
@pytest.mark.parametrize(
    ("symbol", "operator", "ufunc"), OPERATOR_FORMS, ids=[form[0] for form in OPERATOR_FORMS]
)
def test_python_operators_with_tensors_and_python_scalars(
    symbol: str, operator: Callable[[Any, Any], Any], ufunc: np.ufunc, scalar_on_the_left: bool
) -> None:
    """``x + y``, ``2 ** x``...: the same result as NumPy (Python scalars are weak: an int32
    tensor and a Python int give int32)."""
    x_value = sample("int32", "positive")
    y_value = np.flip(sample("int32", "positive"))
    x, y = T.ivector("x"), T.ivector("y")
    both_tensors = compile_and_call([x, y], operator(x, y), x_value[0], y_value[0])
    assert_matches_numpy(both_tensors, numpy_apply(ufunc, x_value[0], y_value[0]))
    if scalar_on_the_left:
        with_scalar, expected = operator(3, x), numpy_apply(ufunc, 3, x_value[0])
    else:
        with_scalar, expected = operator(x, 3), numpy_apply(ufunc, x_value[0], 3)
    assert_matches_numpy(compile_and_call([x], with_scalar, x_value[0]), expected)


def test_unary_python_operators() -> None:
    x = T.ivector("x")
    values = np.array([-3, 0, 4], dtype=np.int32)
    negated, absolute, inverted = compile_and_call_all([x], [-x, abs(x), ~x], values)
    assert_matches_numpy(negated, -values)
    assert_matches_numpy(absolute, np.abs(values))
    assert_matches_numpy(inverted, ~values)


@pytest.mark.parametrize(
    ("tensor_dtype", "scalar", "expected_dtype"),
    [
        ("float32", 1.5, "float32"),
        ("float32", 2, "float32"),
        ("float64", 2, "float64"),
        ("int32", 2, "int32"),
        ("int32", 1.5, "float64"),
        ("int8", 3, "int8"),
        ("bool", 1, "int64"),
        ("bool", 0.5, "float64"),
        ("bool", True, "bool"),
    ],
)
def test_python_scalar_takes_the_tensor_dtype_when_it_fits(
    tensor_dtype: str, scalar: bool | int | float, expected_dtype: str
) -> None:
    """NEP 50: ``T.fvector() + 1.5`` stays float32."""
    x = T.tensor(tensor_dtype, (False,), "x")
    values = sample(tensor_dtype, "any", shape=(4,))
    output = x + scalar
    assert output.dtype == expected_dtype
    result = compile_and_call([x], output, values)
    assert_matches_numpy(result, numpy_apply(np.add, values, scalar))


@pytest.mark.parametrize("layout", LAYOUTS)
def test_elementwise_ops_on_non_contiguous_inputs(layout: str) -> None:
    x, y, row = T.dmatrix("x"), T.fmatrix("y"), T.drow("row")
    x_value = in_layout(sample("float64", "any", (3, 4)), layout)
    y_value = in_layout(np.flip(sample("float32", "positive", (3, 4))), layout)
    row_value = in_layout(sample("float64", "any", (1, 4)), layout)
    outputs = [
        T.exp(x),
        T.erf(x),
        T.sigmoid(y),
        x * y + row,
        T.switch(x > 0, y, row),
        T.log(y) - x,
    ]
    results = compile_and_call_all([x, y, row], outputs, x_value, y_value, row_value)
    with np.errstate(all="ignore"):
        expected = [
            np.exp(x_value),
            reference_erf(x_value),
            reference_sigmoid(y_value.astype(np.float64)).astype(np.float32),
            x_value * y_value + row_value,
            np.where(x_value > 0, y_value, row_value),
            np.log(y_value) - x_value,
        ]
    for result, expected_result in zip(results, expected, strict=True):
        assert_matches_numpy(result, expected_result)


# -- broadcasting --------------------------------------------------------------------------------

BROADCAST_CASES = [
    pytest.param((True, False), (1, 3), (False, True), (2, 1), id="row+col"),
    pytest.param((False, False), (2, 3), (True, False), (1, 3), id="matrix+row"),
    pytest.param((False, False), (2, 3), (False, True), (2, 1), id="matrix+col"),
    pytest.param((False,), (3,), (False, False), (2, 3), id="vector+matrix"),
    pytest.param((), (), (False, False, False), (2, 3, 4), id="scalar+tensor3"),
    pytest.param((True, False), (1, 4), (False, False, False), (2, 3, 4), id="row+tensor3"),
    pytest.param((False, True, False), (2, 1, 4), (False, False), (3, 4), id="tensor3+matrix"),
    pytest.param((True, True), (1, 1), (False, False), (2, 3), id="1x1+matrix"),
]


@pytest.mark.parametrize(
    ("left_pattern", "left_shape", "right_pattern", "right_shape"), BROADCAST_CASES
)
@pytest.mark.parametrize(
    ("left_dtype", "right_dtype"), [("float64", "float64"), ("int32", "float32")]
)
def test_broadcasting_binary_ops(
    left_pattern: tuple[bool, ...],
    left_shape: tuple[int, ...],
    right_pattern: tuple[bool, ...],
    right_shape: tuple[int, ...],
    left_dtype: str,
    right_dtype: str,
) -> None:
    left_value = sample(left_dtype, "positive", left_shape)
    right_value = sample(right_dtype, "positive", right_shape)
    x = T.tensor(left_dtype, left_pattern, "x")
    y = T.tensor(right_dtype, right_pattern, "y")
    outputs = [x + y, x * y, x / y, T.maximum(x, y), T.lt(x, y)]
    results = compile_and_call_all([x, y], outputs, left_value, right_value)
    expected = [
        np.add(left_value, right_value),
        np.multiply(left_value, right_value),
        np.true_divide(left_value, right_value),
        np.maximum(left_value, right_value),
        np.less(left_value, right_value),
    ]
    for result, expected_result in zip(results, expected, strict=True):
        assert_matches_numpy(result, expected_result)


def test_row_plus_col_with_theano_constructors() -> None:
    row, col = T.drow("row"), T.dcol("col")
    row_value = np.array([[1.0, 2.0, 3.0]])
    col_value = np.array([[10.0], [20.0]])
    assert_matches_numpy(
        compile_and_call([row, col], row + col, row_value, col_value), row_value + col_value
    )


def test_dimshuffled_vector_broadcasts_against_matrix() -> None:
    v, m = T.dvector("v"), T.dmatrix("m")
    v_value, m_value = np.arange(2.0), np.arange(6.0).reshape(2, 3)
    output = v.dimshuffle(0, "x") * m
    assert_matches_numpy(
        compile_and_call([v, m], output, v_value, m_value), v_value[:, None] * m_value
    )


def test_size_one_dimension_that_is_not_broadcastable_raises() -> None:
    """Theano's rule: a non-broadcastable dimension of size 1 does not broadcast."""
    x, y = T.dvector("x"), T.dvector("y")
    compiled = tracegraph.function([x, y], x + y)
    with pytest.raises(tracegraph.ShapeMismatchError, match=r"tg\.add"):
        compiled(np.ones(1), np.ones(3))


def test_broadcastable_input_given_a_larger_dimension_raises() -> None:
    row = T.drow("row")
    compiled = tracegraph.function([row], row * 2)
    with pytest.raises(tracegraph.ShapeMismatchError):
        compiled(np.ones((2, 3)))


def test_static_sizes_that_cannot_broadcast_raise_when_building() -> None:
    x = T.tensor("float64", shape=(3,), name="x")
    y = T.tensor("float64", shape=(4,), name="y")
    with pytest.raises(tracegraph.ShapeMismatchError):
        x + y


# -- switch --------------------------------------------------------------------------------------

SWITCH_CASES = [
    pytest.param("bool", (False, False), "float64", "float64", id="bool-condition"),
    pytest.param("int32", (False, False), "float64", "float64", id="int-condition"),
    pytest.param("float64", (False, False), "float32", "float32", id="float-condition"),
    pytest.param("bool", (False, True), "float64", "float64", id="col-condition"),
    pytest.param("bool", (False, False), "int32", "float32", id="mixed-branches"),
    pytest.param("bool", (False, False), "int64", "bool", id="int-and-bool-branches"),
]


@pytest.mark.parametrize(
    ("condition_dtype", "condition_pattern", "true_dtype", "false_dtype"), SWITCH_CASES
)
def test_switch_matches_numpy_where(
    condition_dtype: str,
    condition_pattern: tuple[bool, ...],
    true_dtype: str,
    false_dtype: str,
) -> None:
    condition_shape = tuple(
        1 if broadcastable else size
        for broadcastable, size in zip(condition_pattern, (3, 4), strict=True)
    )
    condition_value = sample(condition_dtype, "any", condition_shape)
    true_value = sample(true_dtype, "any", (3, 4))
    false_value = np.flip(sample(false_dtype, "positive", (3, 4)))
    condition = T.tensor(condition_dtype, condition_pattern, "condition")
    if_true, if_false = variable_for(true_value, "if_true"), variable_for(false_value, "if_false")
    result = compile_and_call(
        [condition, if_true, if_false],
        T.switch(condition, if_true, if_false),
        condition_value,
        true_value,
        false_value,
    )
    assert_matches_numpy(result, np.where(condition_value, true_value, false_value))


def test_switch_with_nan_condition_takes_the_true_branch() -> None:
    condition, a, b = T.dvectors("condition", "a", "b")
    values = np.array([np.nan, 0.0, -0.0, 2.0])
    a_value, b_value = np.ones(4), -np.ones(4)
    result = compile_and_call(
        [condition, a, b], T.switch(condition, a, b), values, a_value, b_value
    )
    assert_matches_numpy(result, np.where(values, a_value, b_value))


@pytest.mark.parametrize("condition_dtype", ["float64", "float32", "int32", "bool"])
def test_switch_condition_dtype_does_not_change_the_result_dtype(condition_dtype: str) -> None:
    """Only the branches decide the dtype, as in ``np.where``: Python scalar branches are weak
    next to the other branch, not next to the condition."""
    condition = T.tensor(condition_dtype, (False,), "condition")
    x = T.bvector("x")
    condition_value = np.array([1, 0, 1], dtype=condition_dtype)
    x_value = np.array([-3, 4, 5], dtype=np.int8)
    outputs = [T.switch(condition, x, 1), T.switch(condition, 1, -1)]
    expected = [np.where(condition_value, x_value, 1), np.where(condition_value, 1, -1)]
    assert [output.dtype for output in outputs] == [e.dtype.name for e in expected]
    results = compile_and_call_all([condition, x], outputs, condition_value, x_value)
    for result, expected_result in zip(results, expected, strict=True):
        assert_matches_numpy(result, expected_result)


def test_switch_with_python_scalar_branches_keeps_the_tensor_dtype() -> None:
    x = T.fvector("x")
    values = np.array([-1.5, 0.0, 2.5], dtype=np.float32)
    output = T.where(x > 0, x, 0)
    assert output.dtype == "float32"
    assert_matches_numpy(compile_and_call([x], output, values), np.where(values > 0, values, 0))


# -- cast ----------------------------------------------------------------------------------------

CAST_CASES = [
    ("float64", "int32", [-2.7, -0.5, 0.0, 0.9, 3.99, 100.5]),
    ("float64", "float32", [-2.7, 1e-3, 0.0, 1.0 / 3.0, 3.99, 1e30]),
    ("float32", "float64", [-2.7, 1e-3, 0.0, 1.0 / 3.0, 3.99, 1e30]),
    ("int64", "float32", [-3, 0, 1, 16777217, 2**40, 7]),
    ("int32", "bool", [-3, 0, 1, 0, 2, 7]),
    ("bool", "float64", [True, False, True, True, False, False]),
    ("float64", "bool", [np.nan, 0.0, -0.0, 0.5, -2.0, np.inf]),
    ("int64", "int8", [-129, -128, 0, 127, 128, 300]),
    ("float64", "uint8", [0.0, 1.5, 254.9, 255.0, 7.0, 100.0]),
    ("int32", "int64", [-3, 0, 1, 2**31 - 1, -(2**31), 7]),
]


@pytest.mark.parametrize(("source", "target", "values"), CAST_CASES)
def test_cast_matches_numpy_astype(source: str, target: str, values: list[Any]) -> None:
    x_value = np.array(values, dtype=source)
    x = variable_for(x_value, "x")
    output = T.cast(x, target)
    assert output.dtype == target
    assert_matches_numpy(compile_and_call([x], output, x_value), x_value.astype(target))


def test_astype_method_and_numpy_dtype_arguments() -> None:
    x = T.dmatrix("x")
    x_value = np.array([[1.7, -2.2]])
    as_int, as_float = compile_and_call_all(
        [x], [x.astype(np.int64), T.cast(x, np.float32)], x_value
    )
    assert_matches_numpy(as_int, x_value.astype(np.int64))
    assert_matches_numpy(as_float, x_value.astype(np.float32))


def test_cast_to_the_same_dtype_returns_the_variable() -> None:
    x = T.dvector("x")
    assert T.cast(x, "float64") is x


# -- fill, zeros_like, ones_like, alloc, zeros, ones ---------------------------------------------


@pytest.mark.parametrize(
    ("model_dtype", "value", "expected_dtype"),
    [("float32", 2.5, "float32"), ("int32", 2.5, "float64"), ("int32", 7, "int32")],
)
def test_fill_with_python_scalar(model_dtype: str, value: float, expected_dtype: str) -> None:
    model_value = sample(model_dtype, "any", (2, 3))
    model = variable_for(model_value, "model")
    result = compile_and_call([model], T.fill(model, value), model_value)
    assert_matches_numpy(result, np.full((2, 3), value, dtype=expected_dtype))


def test_fill_broadcasts_a_row_over_the_model() -> None:
    model, row = T.dmatrix("model"), T.frow("row")
    model_value = np.zeros((3, 2))
    row_value = np.array([[1.5, -2.0]], dtype=np.float32)
    result = compile_and_call([model, row], T.second(model, row), model_value, row_value)
    assert_matches_numpy(result, np.broadcast_to(row_value, (3, 2)))


@pytest.mark.parametrize("dtype", ["float64", "float32", "int32", "bool"])
def test_zeros_like_and_ones_like(dtype: str) -> None:
    x_value = in_layout(sample(dtype, "any", (2, 3)), "transposed")
    x = variable_for(x_value, "x")
    zeros, ones, int_ones = compile_and_call_all(
        [x], [T.zeros_like(x), T.ones_like(x), T.ones_like(x, dtype="int32")], x_value
    )
    assert_matches_numpy(zeros, np.zeros_like(x_value))
    assert_matches_numpy(ones, np.ones_like(x_value))
    assert_matches_numpy(int_ones, np.ones((2, 3), dtype=np.int32))


def test_zeros_like_of_a_scalar_and_of_a_col() -> None:
    s, c = T.fscalar("s"), T.lcol("c")
    s_zeros, c_ones = compile_and_call_all(
        [s, c], [T.zeros_like(s), T.ones_like(c)], np.float32(3), np.array([[4], [5]])
    )
    assert_matches_numpy(s_zeros, np.zeros((), dtype=np.float32))
    assert_matches_numpy(c_ones, np.ones((2, 1), dtype=np.int64))


def test_alloc_with_constant_sizes() -> None:
    output = T.alloc(1.5, 2, 3)
    assert output.type.shape == (2, 3)
    assert_matches_numpy(compile_and_call([], output), np.full((2, 3), 1.5))


def test_alloc_broadcasts_a_vector_to_symbolic_sizes() -> None:
    v, n = T.fvector("v"), T.iscalar("n")
    v_value = np.array([1.0, 2.0, 3.0], dtype=np.float32)
    result = compile_and_call([v, n], T.alloc(v, n, 3), v_value, 4)
    assert_matches_numpy(result, np.broadcast_to(v_value, (4, 3)))


def test_alloc_with_sizes_taken_from_another_shape() -> None:
    s, x = T.lscalar("s"), T.dmatrix("x")
    output = T.alloc(s, x.shape[1], x.shape[0])
    assert_matches_numpy(
        compile_and_call([s, x], output, 7, np.ones((2, 5))), np.full((5, 2), 7, dtype=np.int64)
    )


def test_alloc_with_a_value_that_does_not_broadcast_raises() -> None:
    v, n = T.dvector("v"), T.iscalar("n")
    compiled = tracegraph.function([v, n], T.alloc(v, n, 3))
    with pytest.raises(tracegraph.ShapeMismatchError, match=r"tg\.alloc"):
        compiled(np.ones(4), 2)


def test_alloc_with_a_negative_size_raises() -> None:
    n = T.iscalar("n")
    compiled = tracegraph.function([n], T.alloc(0.0, n))
    with pytest.raises(tracegraph.ShapeMismatchError, match=r"tg\.alloc"):
        compiled(-1)


def test_zeros_and_ones() -> None:
    x, n = T.dtensor3("x"), T.iscalar("n")
    outputs = [
        T.zeros((2, 3)),
        T.ones((2, 3), dtype="int32"),
        T.zeros(x.shape, dtype="float32"),
        T.ones(n),
        T.zeros(()),
        T.ones((n, 2), dtype="bool"),
    ]
    results = compile_and_call_all([x, n], outputs, np.ones((4, 1, 2)), 3)
    expected = [
        np.zeros((2, 3)),
        np.ones((2, 3), dtype=np.int32),
        np.zeros((4, 1, 2), dtype=np.float32),
        np.ones(3),
        np.zeros(()),
        np.ones((3, 2), dtype=bool),
    ]
    for result, expected_result in zip(results, expected, strict=True):
        assert_matches_numpy(result, expected_result)


# -- arange --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "arguments",
    [(5,), (2, 10, 3), (5, 0, -2), (0.0, 1.0, 0.25), (1, 2.5, 0.5), (-3,), (3, 3), (-1.0, -2.0)],
    ids=str,
)
def test_arange_with_constants_matches_numpy(arguments: tuple[Any, ...]) -> None:
    assert_matches_numpy(compile_and_call([], T.arange(*arguments)), np.arange(*arguments))


def test_arange_with_dtype() -> None:
    output = T.arange(0, 5, dtype="float32")
    assert_matches_numpy(compile_and_call([], output), np.arange(0, 5, dtype=np.float32))


@pytest.mark.parametrize(
    ("start", "stop", "step"), [(0, 5, 1), (10, 2, -3), (-4, 4, 3), (3, 3, 1), (5, 0, 1)]
)
def test_arange_with_symbolic_bounds(start: int, stop: int, step: int) -> None:
    a, b, c = T.lscalars("a", "b", "c")
    result = compile_and_call([a, b, c], T.arange(a, b, c), start, stop, step)
    assert_matches_numpy(result, np.arange(np.int64(start), np.int64(stop), np.int64(step)))


def test_arange_with_float_symbolic_step() -> None:
    step = T.dscalar("step")
    result = compile_and_call([step], T.arange(0.0, 1.0, step), 0.3)
    assert_matches_numpy(result, np.arange(0.0, 1.0, 0.3))


def test_arange_with_int32_stop_has_the_values_of_numpy() -> None:
    n = T.iscalar("n")
    result = compile_and_call([n], T.arange(n), 4)
    np.testing.assert_array_equal(result, np.arange(4))


def test_arange_with_zero_step_raises() -> None:
    step = T.lscalar("step")
    compiled = tracegraph.function([step], T.arange(0, 5, step))
    with pytest.raises(tracegraph.RuntimeOpError, match=r"tg\.arange"):
        compiled(0)


# -- dimshuffle and transpose --------------------------------------------------------------------

DIMSHUFFLE_CASES: list[Any] = [
    pytest.param((3,), (False,), ("x", 0), lambda a: a[None, :], id="vector-to-row"),
    pytest.param((3,), (False,), (0, "x"), lambda a: a[:, None], id="vector-to-col"),
    pytest.param((2, 3), (False, False), (1, 0), lambda a: a.T, id="transpose"),
    pytest.param(
        (2, 3), (False, False), ("x", 1, "x", 0), lambda a: a.T[None, :, None, :], id="insert"
    ),
    pytest.param(
        (2, 3, 4), (False, False, False), (2, 0, 1), lambda a: a.transpose(2, 0, 1), id="rotate"
    ),
    pytest.param((3, 1), (False, True), (0,), lambda a: a[:, 0], id="drop-col-axis"),
    pytest.param((1, 3), (True, False), (1, "x"), lambda a: a.T, id="drop-then-add"),
    pytest.param((), (), ("x", "x"), lambda a: a.reshape(1, 1), id="scalar-to-matrix"),
    pytest.param((1, 1), (True, True), (), lambda a: a.reshape(()), id="to-scalar"),
]


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize(("shape", "broadcastable", "pattern", "expected"), DIMSHUFFLE_CASES)
def test_dimshuffle_matches_numpy(
    shape: tuple[int, ...],
    broadcastable: tuple[bool, ...],
    pattern: tuple[int | str, ...],
    expected: Callable[[Array], Array],
    layout: str,
) -> None:
    x_value = in_layout(np.arange(math.prod(shape), dtype=np.float64).reshape(shape), layout)
    x = variable_for(x_value, "x", broadcastable)
    output = x.dimshuffle(*pattern)
    assert output.broadcastable == tuple(p == "x" or broadcastable[int(p)] for p in pattern)
    assert_matches_numpy(compile_and_call([x], output, x_value), expected(x_value))


def test_dimshuffle_function_and_list_pattern() -> None:
    v = T.ivector("v")
    v_value = np.array([1, 2, 3], dtype=np.int32)
    by_function, by_list = compile_and_call_all(
        [v], [T.dimshuffle(v, ["x", 0]), v.dimshuffle([0, "x"])], v_value
    )
    assert_matches_numpy(by_function, v_value[None, :])
    assert_matches_numpy(by_list, v_value[:, None])


def test_dimshuffle_cannot_drop_a_dimension_that_is_not_broadcastable() -> None:
    x = T.dmatrix("x")
    with pytest.raises(ValueError, match="broadcastable"):
        x.dimshuffle(0)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_transpose_forms(layout: str) -> None:
    x = T.dtensor3("x")
    x_value = in_layout(np.arange(24.0).reshape(2, 3, 4), layout)
    outputs = [x.T, T.transpose(x), x.transpose(1, 2, 0), T.transpose(x, (0, -1, 1))]
    results = compile_and_call_all([x], outputs, x_value)
    expected = [x_value.T, x_value.T, x_value.transpose(1, 2, 0), x_value.transpose(0, 2, 1)]
    for result, expected_result in zip(results, expected, strict=True):
        assert_matches_numpy(result, expected_result)


# -- reshape and flatten -------------------------------------------------------------------------


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize(
    "new_shape", [(3, 4), (-1,), (4, -1), (2, 3, 2), (12, 1), (1, -1, 2)], ids=str
)
def test_reshape_with_constant_shape(new_shape: tuple[int, ...], layout: str) -> None:
    x = T.dmatrix("x")
    x_value = in_layout(np.arange(12.0).reshape(2, 6), layout)
    output = x.reshape(new_shape)
    assert output.ndim == len(new_shape)
    assert_matches_numpy(compile_and_call([x], output, x_value), x_value.reshape(new_shape))


def test_reshape_to_the_shape_of_another_variable() -> None:
    x, y = T.dmatrix("x"), T.fmatrix("y")
    x_value = in_layout(np.arange(12.0).reshape(3, 4), "transposed")
    y_value = np.zeros((6, 2), dtype=np.float32)
    result = compile_and_call([x, y], x.reshape(y.shape), x_value, y_value)
    assert_matches_numpy(result, x_value.reshape(6, 2))


def test_reshape_with_symbolic_sizes() -> None:
    x, n = T.dvector("x"), T.iscalar("n")
    x_value = np.arange(12.0)
    by_size, by_shape = compile_and_call_all(
        [x, n], [x.reshape((n, -1)), T.reshape(x, (x.shape[0] // n, n))], x_value, 3
    )
    assert_matches_numpy(by_size, x_value.reshape(3, 4))
    assert_matches_numpy(by_shape, x_value.reshape(4, 3))


def test_reshape_with_a_symbolic_shape_vector() -> None:
    x, rows, cols = T.dmatrix("x"), T.lscalar("rows"), T.lscalar("cols")
    x_value = np.arange(6.0).reshape(2, 3)
    output = x.reshape(T.stack([rows, cols]))
    assert_matches_numpy(
        compile_and_call([x, rows, cols], output, x_value, 3, 2), x_value.reshape(3, 2)
    )


def test_reshape_scalar_and_to_scalar() -> None:
    s, one = T.dscalar("s"), T.dmatrix("one")
    to_vector, to_scalar = compile_and_call_all(
        [s, one], [s.reshape((1,)), one.reshape(())], 2.5, np.array([[4.0]])
    )
    assert_matches_numpy(to_vector, np.array([2.5]))
    assert_matches_numpy(to_scalar, np.array(4.0))


def test_reshape_to_a_different_size_raises() -> None:
    x = T.dmatrix("x")
    compiled = tracegraph.function([x], x.reshape((4, 2)))
    with pytest.raises(tracegraph.ShapeMismatchError, match=r"tg\.reshape") as error:
        compiled(np.zeros((2, 3)))
    assert THIS_FILE in str(error.value)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("ndim", [1, 2, 3])
def test_flatten(ndim: int, layout: str) -> None:
    x = T.ltensor3("x")
    x_value = in_layout(np.arange(24, dtype=np.int64).reshape(2, 3, 4), layout)
    result = compile_and_call([x], x.flatten(ndim), x_value)
    assert_matches_numpy(result, x_value.reshape((*x_value.shape[: ndim - 1], -1)))


def test_flatten_function_and_scalar() -> None:
    x, s = T.fmatrix("x"), T.fscalar("s")
    x_value = in_layout(np.arange(6, dtype=np.float32).reshape(2, 3), "fortran")
    flat, flat_scalar = compile_and_call_all(
        [x, s], [T.flatten(x), T.flatten(s)], x_value, np.float32(1.5)
    )
    assert_matches_numpy(flat, x_value.reshape(-1))
    assert_matches_numpy(flat_scalar, np.array([1.5], dtype=np.float32))


# -- shape ---------------------------------------------------------------------------------------


def test_shape_of_inputs_and_expressions() -> None:
    x, s, row = T.ftensor3("x"), T.dscalar("s"), T.irow("row")
    outputs = [x.shape, T.shape(s), row.shape, (x.sum(axis=1) + 1).shape, x.shape[-1]]
    results = compile_and_call_all(
        [x, s, row],
        outputs,
        np.zeros((2, 3, 4), dtype=np.float32),
        1.0,
        np.zeros((1, 5), dtype=np.int32),
    )
    expected = [
        np.array([2, 3, 4]),
        np.zeros(0, dtype=np.int64),
        np.array([1, 5]),
        np.array([2, 4]),
        np.array(4),
    ]
    for result, expected_result in zip(results, expected, strict=True):
        assert_matches_numpy(result, expected_result)


# -- concatenate and stack -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("shapes", "axis"),
    [
        ([(2, 3), (4, 3)], 0),
        ([(2, 3), (2, 1), (2, 2)], 1),
        ([(2, 3), (2, 5)], -1),
        ([(3,), (0,), (2,)], 0),
        ([(2, 1, 3), (2, 2, 3)], 1),
    ],
    ids=str,
)
@pytest.mark.parametrize(
    "dtypes", [("float64", "float64"), ("int32", "float32"), ("bool", "int8")], ids=str
)
def test_concatenate(shapes: list[tuple[int, ...]], axis: int, dtypes: tuple[str, str]) -> None:
    values = [
        in_layout(np.resize(sample(dtypes[i % 2], "any"), shape), "transposed")
        for i, shape in enumerate(shapes)
    ]
    variables = [variable_for(value, f"x{i}") for i, value in enumerate(values)]
    result = compile_and_call(variables, T.concatenate(variables, axis=axis), *values)
    assert_matches_numpy(result, np.concatenate(values, axis=axis))


def test_concatenate_with_sizes_that_differ_raises() -> None:
    x, y = T.dmatrix("x"), T.dmatrix("y")
    compiled = tracegraph.function([x, y], T.concatenate([x, y], axis=0))
    with pytest.raises(tracegraph.ShapeMismatchError, match=r"tg\.concatenate") as error:
        compiled(np.zeros((2, 3)), np.zeros((2, 4)))
    assert THIS_FILE in str(error.value)


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_stack_vectors(axis: int) -> None:
    x, y, z = T.dvector("x"), T.dvector("y"), T.ivector("z")
    values = [np.arange(3.0), np.arange(3.0) * -1, np.array([7, 8, 9], dtype=np.int32)]
    result = compile_and_call([x, y, z], T.stack([x, y, z], axis=axis), *values)
    assert_matches_numpy(result, np.stack(values, axis=axis))


def test_stack_scalars_into_a_vector() -> None:
    a, b = T.fscalars("a", "b")
    output = T.stack([a, b, 2.5])
    assert output.dtype == "float32"  # the Python scalar is weak, as in elementwise ops
    result = compile_and_call([a, b], output, np.float32(1), np.float32(-1))
    assert_matches_numpy(result, np.array([1.0, -1.0, 2.5], dtype=np.float32))


def test_stack_matrices_along_the_middle_axis() -> None:
    x, y = T.lmatrix("x"), T.lmatrix("y")
    x_value = in_layout(np.arange(6).reshape(2, 3), "reversed")
    y_value = in_layout(np.arange(6, 12).reshape(2, 3), "strided")
    result = compile_and_call([x, y], T.stack([x, y], axis=1), x_value, y_value)
    assert_matches_numpy(result, np.stack([x_value, y_value], axis=1))


def test_stack_of_different_shapes_raises() -> None:
    x, y = T.dvector("x"), T.dvector("y")
    compiled = tracegraph.function([x, y], T.stack([x, y]))
    with pytest.raises(tracegraph.ShapeMismatchError, match=r"tg\.stack"):
        compiled(np.zeros(2), np.zeros(3))


# -- reductions ----------------------------------------------------------------------------------

REDUCTIONS: dict[str, tuple[Callable[..., TensorVariable], Callable[..., Any]]] = {
    "sum": (T.sum, np.sum),
    "prod": (T.prod, np.prod),
    "max": (T.max, np.max),
    "min": (T.min, np.min),
    "mean": (T.mean, np.mean),
    "argmax": (T.argmax, np.argmax),
    "argmin": (T.argmin, np.argmin),
    "any": (T.any, np.any),
    "all": (T.all, np.all),
}


def numpy_reduce(op: str, array: Array, axis: Any, keepdims: bool) -> Array:
    """NumPy's reduction; for argmax/argmin over several axes, the index into those axes
    flattened (in increasing axis order), and over no axis, index 0."""
    function = REDUCTIONS[op][1]
    if op in ("argmax", "argmin") and isinstance(axis, tuple):
        if not axis:
            return np.zeros(array.shape, dtype=np.int64)
        axes = sorted(a % array.ndim for a in axis)
        others = [a for a in range(array.ndim) if a not in axes]
        moved = np.transpose(array, others + axes)
        flat = moved.reshape((*moved.shape[: len(others)], -1))
        result = function(flat, axis=-1)
        return np.asarray(np.expand_dims(result, axes) if keepdims else result, dtype=np.int64)
    return np.asarray(function(array, axis=axis, keepdims=keepdims))


REDUCTION_AXES = [None, 0, 1, -1, (0, 2), (2, 0), (0, 1, 2), (1,), ()]


@pytest.mark.parametrize("dtype", ["float64", "float32", "int32", "bool"])
@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("axis", REDUCTION_AXES, ids=str)
@pytest.mark.parametrize("op", sorted(REDUCTIONS))
def test_reduction_matches_numpy(op: str, axis: Any, keepdims: bool, dtype: str) -> None:
    rng = np.random.default_rng(0)
    x_value = rng.integers(-5, 6, size=(2, 3, 4)).astype(dtype)
    if dtype.startswith("float"):
        x_value = x_value + rng.uniform(-0.5, 0.5, size=x_value.shape).astype(dtype)
    x_value = in_layout(x_value, "transposed")
    x = variable_for(x_value, "x")
    output = REDUCTIONS[op][0](x, axis=axis, keepdims=keepdims)
    expected = numpy_reduce(op, x_value, axis, keepdims)
    assert output.dtype == expected.dtype.name
    assert_matches_numpy(compile_and_call([x], output, x_value), expected)


@pytest.mark.parametrize("op", sorted(REDUCTIONS))
def test_reduction_methods(op: str) -> None:
    x = T.dmatrix("x")
    x_value = np.array([[3.0, -1.0, 2.0], [0.0, 5.0, -4.0]])
    output = getattr(x, op)(axis=1, keepdims=True)
    assert_matches_numpy(compile_and_call([x], output, x_value), numpy_reduce(op, x_value, 1, True))


@pytest.mark.parametrize("op", sorted(REDUCTIONS))
def test_reduction_of_a_scalar(op: str) -> None:
    s = T.dscalar("s")
    expected = numpy_reduce(op, np.array(-2.5), None, False)
    assert_matches_numpy(compile_and_call([s], REDUCTIONS[op][0](s), -2.5), expected)


@pytest.mark.parametrize("op", ["sum", "prod", "any", "all"])
def test_reduction_over_an_empty_axis_gives_the_identity(op: str) -> None:
    x = T.dmatrix("x")
    x_value = np.zeros((0, 3))
    result = compile_and_call([x], REDUCTIONS[op][0](x, axis=0), x_value)
    assert_matches_numpy(result, numpy_reduce(op, x_value, 0, False))


@pytest.mark.parametrize("op", ["max", "min", "argmax", "argmin"])
def test_reduction_of_an_empty_array_without_identity_raises(op: str) -> None:
    x = T.dmatrix("x")
    compiled = tracegraph.function([x], REDUCTIONS[op][0](x, axis=0))
    with pytest.raises(tracegraph.RuntimeOpError, match=f"tg\\.{op}"):
        compiled(np.zeros((0, 3)))


def test_reductions_propagate_nan() -> None:
    x = T.dvector("x")
    x_value = np.array([1.0, np.nan, 3.0])
    results = compile_and_call_all([x], [T.sum(x), T.max(x), T.argmax(x), T.argmin(x)], x_value)
    expected = [np.sum(x_value), np.max(x_value), np.argmax(x_value), np.argmin(x_value)]
    for result, expected_result in zip(results, expected, strict=True):
        assert_matches_numpy(result, expected_result)


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("axis", [(0, 1), (1, 2), (0, 2), (0, 1, 2), (2, 0), (-1, 0)], ids=str)
@pytest.mark.parametrize("op", ["argmax", "argmin"])
def test_arg_reduction_over_several_axes(op: str, axis: tuple[int, ...], keepdims: bool) -> None:
    """The index is into the reduced axes flattened in C order."""
    x = T.itensor3("x")
    x_value = np.random.default_rng(1).permutation(24).astype(np.int32).reshape(2, 3, 4)
    result = compile_and_call([x], REDUCTIONS[op][0](x, axis=axis, keepdims=keepdims), x_value)
    assert_matches_numpy(result, numpy_reduce(op, x_value, axis, keepdims))


def test_argmax_over_two_axes_by_hand() -> None:
    x = T.dtensor3("x")
    x_value = np.zeros((2, 3, 2))
    x_value[1, 0, 1] = 5.0  # for j = 0 the maximum is at (i, k) = (1, 1): flat index 3
    x_value[0, 2, 1] = 7.0  # for j = 2 at (0, 1): flat index 1
    result = compile_and_call([x], T.argmax(x, axis=(0, 2)), x_value)
    assert_matches_numpy(result, np.array([3, 0, 1]))


# -- dot -----------------------------------------------------------------------------------------

DOT_SHAPES = [
    pytest.param((3,), (3,), id="vector.vector"),
    pytest.param((2, 3), (3,), id="matrix.vector"),
    pytest.param((3,), (3, 4), id="vector.matrix"),
    pytest.param((2, 3), (3, 4), id="matrix.matrix"),
    pytest.param((), (3, 4), id="scalar.matrix"),
    pytest.param((2, 3), (), id="matrix.scalar"),
]
DOT_DTYPES = [
    ("float64", "float64"),
    ("float32", "float32"),
    ("float32", "float64"),
    ("int32", "int32"),
    ("int64", "int64"),
    ("int32", "float32"),
    ("bool", "bool"),
]


@pytest.mark.parametrize("layout", ["contiguous", "transposed", "strided", "reversed"])
@pytest.mark.parametrize(("left_dtype", "right_dtype"), DOT_DTYPES, ids=str)
@pytest.mark.parametrize(("left_shape", "right_shape"), DOT_SHAPES)
def test_dot_matches_numpy(
    left_shape: tuple[int, ...],
    right_shape: tuple[int, ...],
    left_dtype: str,
    right_dtype: str,
    layout: str,
) -> None:
    left_value = in_layout(sample(left_dtype, "any", left_shape), layout)
    right_value = in_layout(np.flip(sample(right_dtype, "any", right_shape)), layout)
    x, y = variable_for(left_value, "x"), variable_for(right_value, "y")
    result = compile_and_call([x, y], T.dot(x, y), left_value, right_value)
    assert_matches_numpy(result, np.asarray(np.dot(left_value, right_value)))


def test_dot_spellings() -> None:
    a, b = T.dmatrix("a"), T.dmatrix("b")
    a_value, b_value = np.arange(6.0).reshape(2, 3), np.arange(12.0).reshape(3, 4)
    results = compile_and_call_all([a, b], [a @ b, a.dot(b), T.matmul(a, b)], a_value, b_value)
    for result in results:
        assert_matches_numpy(result, a_value @ b_value)


def test_dot_of_transposed_variables() -> None:
    a, b = T.fmatrix("a"), T.fmatrix("b")
    a_value = np.arange(6, dtype=np.float32).reshape(3, 2)
    b_value = np.arange(12, dtype=np.float32).reshape(4, 3)
    result = compile_and_call([a, b], T.dot(a.T, b.T), a_value, b_value)
    assert_matches_numpy(result, a_value.T @ b_value.T)


def test_dot_with_inner_sizes_that_differ_raises() -> None:
    a, v = T.dmatrix("a"), T.dvector("v")
    compiled = tracegraph.function([a, v], T.dot(a, v))
    with pytest.raises(tracegraph.ShapeMismatchError, match=r"tg\.dot") as error:
        compiled(np.zeros((2, 3)), np.zeros(4))
    assert THIS_FILE in str(error.value)


def test_dot_with_static_inner_sizes_that_differ_raises_when_building() -> None:
    a = T.tensor("float64", shape=(2, 3), name="a")
    v = T.tensor("float64", shape=(4,), name="v")
    with pytest.raises(tracegraph.ShapeMismatchError):
        T.dot(a, v)


# -- basic indexing ------------------------------------------------------------------------------

BASIC_INDEX_KEYS: list[Any] = [
    pytest.param(1, id="[1]"),
    pytest.param(-1, id="[-1]"),
    pytest.param(slice(1, None), id="[1:]"),
    pytest.param(slice(None, -1), id="[:-1]"),
    pytest.param(slice(None, None, -1), id="[::-1]"),
    pytest.param(slice(None, None, 2), id="[::2]"),
    pytest.param(slice(-1, 0, -2), id="[-1:0:-2]"),
    pytest.param(slice(10, None), id="[10:]"),
    pytest.param(slice(-10, 2), id="[-10:2]"),
    pytest.param(slice(3, 1), id="[3:1]"),
    pytest.param((slice(1, 3), slice(None, None, -1)), id="[1:3, ::-1]"),
    pytest.param((1, -2), id="[1, -2]"),
    pytest.param((Ellipsis, 0), id="[..., 0]"),
    pytest.param((0, Ellipsis, 1), id="[0, ..., 1]"),
    pytest.param(Ellipsis, id="[...]"),
    pytest.param((None, 1), id="[None, 1]"),
    pytest.param((slice(None), None), id="[:, None]"),
    pytest.param((slice(None), slice(4, 0, -1), 2), id="[:, 4:0:-1, 2]"),
    pytest.param((-2, slice(None, None, -2), slice(1, None)), id="[-2, ::-2, 1:]"),
    pytest.param((Ellipsis, None), id="[..., None]"),
    pytest.param((None, Ellipsis, None), id="[None, ..., None]"),
    pytest.param((slice(1, 3), None, 0), id="[1:3, None, 0]"),
    pytest.param((1, None), id="[1, None]"),
    pytest.param((slice(None), 2, None), id="[:, 2, None]"),
    pytest.param((1, None, slice(None), None), id="[1, None, :, None]"),
]


@pytest.mark.parametrize("static_shape", [False, True], ids=["unknown-sizes", "known-sizes"])
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("key", BASIC_INDEX_KEYS)
def test_basic_indexing_matches_numpy(key: Any, layout: str, static_shape: bool) -> None:
    x = T.tensor("float64", shape=(4, 5, 6) if static_shape else (None, None, None), name="x")
    x_value = in_layout(np.arange(4 * 5 * 6, dtype=np.float64).reshape(4, 5, 6), layout)
    assert_matches_numpy(compile_and_call([x], x[key], x_value), x_value[key])


SYMBOLIC_SLICES = [
    (1, 4, 1),
    (4, 0, -1),
    (-1, -6, -2),
    (-10, 10, 2),
    (10, -10, -3),
    (0, 0, 1),
    (2, 1, 1),
]


@pytest.mark.parametrize(("start", "stop", "step"), SYMBOLIC_SLICES, ids=str)
def test_slicing_with_symbolic_bounds(start: int, stop: int, step: int) -> None:
    x = T.dmatrix("x")
    i, j, k = T.iscalars("i", "j", "k")
    x_value = in_layout(np.arange(30.0).reshape(6, 5), "strided")
    outputs = [x[i:j:k], x[i:], x[:j], x[::k], x[1:, i:j]]
    results = compile_and_call_all(
        [x, i, j, k], outputs, x_value, start, stop, step, on_unused_input="ignore"
    )
    expected = [
        x_value[start:stop:step],
        x_value[start:],
        x_value[:stop],
        x_value[::step],
        x_value[1:, start:stop],
    ]
    for result, expected_result in zip(results, expected, strict=True):
        assert_matches_numpy(result, expected_result)


@pytest.mark.parametrize("index", [0, 2, -1, -3])
def test_symbolic_scalar_index(index: int) -> None:
    x, i = T.fmatrix("x"), T.lscalar("i")
    x_value = np.arange(12, dtype=np.float32).reshape(3, 4)
    results = compile_and_call_all([x, i], [x[i], x[:, i], x[i, i]], x_value, index)
    expected = [x_value[index], x_value[:, index], x_value[index, index]]
    for result, expected_result in zip(results, expected, strict=True):
        assert_matches_numpy(result, expected_result)


def test_slice_step_of_zero_raises() -> None:
    x, k = T.dvector("x"), T.iscalar("k")
    compiled = tracegraph.function([x, k], x[::k])
    with pytest.raises(tracegraph.RuntimeOpError, match=r"tg\.subtensor"):
        compiled(np.arange(3.0), 0)


# -- integer-array indexing ----------------------------------------------------------------------

ARRAY_INDEX_CASES: list[Any] = [
    pytest.param(lambda x, i, j: x[i], id="x[i]"),
    pytest.param(lambda x, i, j: x[:, i], id="x[:, i]"),
    pytest.param(lambda x, i, j: x[..., j], id="x[..., j]"),
    pytest.param(lambda x, i, j: x[i, j], id="x[i, j]"),
    pytest.param(lambda x, i, j: x[i, :, j], id="x[i, :, j] (to the front)"),
    pytest.param(lambda x, i, j: x[:, i, j], id="x[:, i, j] (in place)"),
    pytest.param(lambda x, i, j: x[1, :, j], id="x[1, :, j] (to the front)"),
    pytest.param(lambda x, i, j: x[1, i], id="x[1, i] (in place)"),
    pytest.param(lambda x, i, j: x[i, 1:3], id="x[i, 1:3]"),
    pytest.param(lambda x, i, j: x[i, ::-1, j], id="x[i, ::-1, j]"),
    pytest.param(lambda x, i, j: x[-1, i, 2], id="x[-1, i, 2]"),
    pytest.param(lambda x, i, j: x[2:, j, 0], id="x[2:, j, 0]"),
    pytest.param(lambda x, i, j: x[[0, 2, 0]], id="x[[0, 2, 0]]"),
    pytest.param(lambda x, i, j: x[:, [-1, 1]], id="x[:, [-1, 1]]"),
    pytest.param(lambda x, i, j: x[1, ..., j], id="x[1, ..., j] (to the front)"),
    # An ellipsis separates advanced indices even where it stands for no axis.
    pytest.param(lambda x, i, j: x[:, i, ..., j], id="x[:, i, ..., j] (to the front)"),
]


@pytest.mark.parametrize("index_dtype", ["int64", "int32"])
@pytest.mark.parametrize("layout", ["contiguous", "transposed", "reversed"])
@pytest.mark.parametrize("index", ARRAY_INDEX_CASES)
def test_integer_array_indexing_matches_numpy(
    index: Callable[..., Any], layout: str, index_dtype: str
) -> None:
    """NumPy's advanced indexing: index arrays broadcast together; their dimensions stay in place
    when the advanced indices are adjacent and go to the front otherwise."""
    x = T.dtensor3("x")
    i = T.tensor(index_dtype, (False,), "i")
    j = T.tensor(index_dtype, (False,), "j")
    x_value = in_layout(np.arange(4 * 5 * 6, dtype=np.float64).reshape(4, 5, 6), layout)
    i_value = np.array([3, -1, 0], dtype=index_dtype)
    j_value = np.array([4, 1, -2], dtype=index_dtype)
    output = index(x, i, j)
    result = compile_and_call(
        [x, i, j], output, x_value, i_value, j_value, on_unused_input="ignore"
    )
    assert_matches_numpy(result, index(x_value, i_value, j_value))


def test_two_dimensional_index_array() -> None:
    x, idx = T.dmatrix("x"), T.imatrix("idx")
    x_value = np.arange(20.0).reshape(4, 5)
    idx_value = np.array([[0, 3], [2, 2]], dtype=np.int32)
    results = compile_and_call_all([x, idx], [x[idx], x[:, idx[0]], x[idx, 1]], x_value, idx_value)
    expected = [x_value[idx_value], x_value[:, idx_value[0]], x_value[idx_value, 1]]
    for result, expected_result in zip(results, expected, strict=True):
        assert_matches_numpy(result, expected_result)


def test_index_arrays_broadcast_together() -> None:
    x = T.dmatrix("x")
    rows, cols = T.lcol("rows"), T.lrow("cols")
    x_value = np.arange(20.0).reshape(4, 5)
    rows_value, cols_value = np.array([[0], [3], [1]]), np.array([[4, 0]])
    result = compile_and_call([x, rows, cols], x[rows, cols], x_value, rows_value, cols_value)
    assert_matches_numpy(result, x_value[rows_value, cols_value])


# -- set_subtensor and inc_subtensor -------------------------------------------------------------

UPDATE_CASES: list[Any] = [
    pytest.param(lambda x, i: x[1:3], (2, 6), id="x[1:3]"),
    pytest.param(lambda x, i: x[::-1], (5, 6), id="x[::-1]"),
    pytest.param(lambda x, i: x[:, 0], (5,), id="x[:, 0]"),
    pytest.param(lambda x, i: x[-1, 1::2], (3,), id="x[-1, 1::2]"),
    pytest.param(lambda x, i: x[i], (6,), id="x[i]"),
    pytest.param(lambda x, i: x[i:, i], (3,), id="x[i:, i]"),
    pytest.param(lambda x, i: x[[4, 0, 2]], (3, 6), id="x[[4, 0, 2]]"),
    pytest.param(lambda x, i: x[[4, 0], [1, -1]], (2,), id="x[[4, 0], [1, -1]]"),
    pytest.param(lambda x, i: x[1:, [5, 2]], (4, 2), id="x[1:, [5, 2]]"),
]


class KeyRecorder:
    """Stands for the indexed array in an index lambda and returns the key it is given."""

    def __getitem__(self, key: Any) -> Any:
        return key


def numpy_set(array: Array, index: Callable[[Any, Any], Any], i: int, y: Any) -> Array:
    result = array.copy()
    key = index(KeyRecorder(), i)
    result[key] = y
    return result


def numpy_increment(array: Array, index: Callable[[Any, Any], Any], i: int, y: Any) -> Array:
    """``np.add.at``: repeated indices add repeatedly."""
    result = array.copy()
    np.add.at(result, index(KeyRecorder(), i), y)
    return result


@pytest.mark.parametrize("layout", ["contiguous", "transposed", "reversed"])
@pytest.mark.parametrize(("index", "part_shape"), UPDATE_CASES)
def test_set_subtensor_matches_numpy(
    index: Callable[[Any, Any], Any], part_shape: tuple[int, ...], layout: str
) -> None:
    x, y, i = T.dmatrix("x"), T.tensor("float64", (False,) * len(part_shape), "y"), T.iscalar("i")
    x_value = in_layout(np.arange(30.0).reshape(5, 6), layout)
    y_value = -np.arange(1.0, 1.0 + math.prod(part_shape)).reshape(part_shape)
    output = T.set_subtensor(index(x, i), y)
    result = compile_and_call([x, y, i], output, x_value, y_value, 2, on_unused_input="ignore")
    assert_matches_numpy(result, numpy_set(x_value, index, 2, y_value))


@pytest.mark.parametrize("layout", ["contiguous", "transposed", "reversed"])
@pytest.mark.parametrize(("index", "part_shape"), UPDATE_CASES)
def test_inc_subtensor_matches_numpy(
    index: Callable[[Any, Any], Any], part_shape: tuple[int, ...], layout: str
) -> None:
    x, y, i = T.dmatrix("x"), T.tensor("float64", (False,) * len(part_shape), "y"), T.iscalar("i")
    x_value = in_layout(np.arange(30.0).reshape(5, 6), layout)
    y_value = np.arange(1.0, 1.0 + math.prod(part_shape)).reshape(part_shape) * 100
    output = T.inc_subtensor(index(x, i), y)
    result = compile_and_call([x, y, i], output, x_value, y_value, 2, on_unused_input="ignore")
    assert_matches_numpy(result, numpy_increment(x_value, index, 2, y_value))


@pytest.mark.parametrize("update", [T.set_subtensor, T.inc_subtensor])
def test_update_with_broadcast_value(update: Callable[..., TensorVariable]) -> None:
    x, row = T.dmatrix("x"), T.drow("row")
    x_value, row_value = np.zeros((4, 3)), np.array([[1.0, 2.0, 3.0]])
    outputs = [update(x[1:3], row), update(x[:, 1], 5.0), update(x[[0, 3]], row_value[0])]
    results = compile_and_call_all([x, row], outputs, x_value, row_value)
    expected = [x_value.copy() for _ in outputs]
    if update is T.set_subtensor:
        expected[0][1:3] = row_value
        expected[1][:, 1] = 5.0
        expected[2][[0, 3]] = row_value[0]
    else:
        expected[0][1:3] += row_value
        expected[1][:, 1] += 5.0
        expected[2][[0, 3]] += row_value[0]
    for result, expected_result in zip(results, expected, strict=True):
        assert_matches_numpy(result, expected_result)


def test_inc_subtensor_with_repeated_indices_accumulates() -> None:
    v, idx = T.dvector("v"), T.lvector("idx")
    v_value = np.zeros(4)
    idx_value = np.array([0, 0, 2, 0, -1])
    result = compile_and_call([v, idx], T.inc_subtensor(v[idx], 1.0), v_value, idx_value)
    expected = v_value.copy()
    np.add.at(expected, idx_value, 1.0)
    assert_matches_numpy(result, expected)
    assert_matches_numpy(result, np.array([3.0, 0.0, 1.0, 1.0]))


def test_inc_subtensor_with_repeated_rows_and_values() -> None:
    x, idx, y = T.dmatrix("x"), T.ivector("idx"), T.dmatrix("y")
    x_value = np.ones((3, 2))
    idx_value = np.array([1, 1, 2, 1], dtype=np.int32)
    y_value = np.arange(8.0).reshape(4, 2)
    result = compile_and_call([x, idx, y], T.inc_subtensor(x[idx], y), x_value, idx_value, y_value)
    expected = x_value.copy()
    np.add.at(expected, idx_value, y_value)
    assert_matches_numpy(result, expected)


def test_inc_subtensor_with_repeated_index_pairs_and_slices() -> None:
    x = T.lmatrix("x")
    x_value = np.zeros((3, 4), dtype=np.int64)
    results = compile_and_call_all(
        [x],
        [T.inc_subtensor(x[[0, 0, 2], [1, 1, 3]], 5), T.inc_subtensor(x[1:, [2, 2, 0]], 1)],
        x_value,
    )
    pairs_index: Any = ([0, 0, 2], [1, 1, 3])
    slice_and_array_index: Any = (slice(1, None), [2, 2, 0])
    first, second = x_value.copy(), x_value.copy()
    np.add.at(first, pairs_index, 5)
    np.add.at(second, slice_and_array_index, 1)
    assert_matches_numpy(results[0], first)
    assert_matches_numpy(results[1], second)


def test_update_casts_the_value_to_the_tensor_dtype() -> None:
    x, y = T.fvector("x"), T.ivector("y")
    x_value = np.zeros(3, dtype=np.float32)
    y_value = np.array([1, 2], dtype=np.int32)
    output = T.set_subtensor(x[:2], y)
    assert output.dtype == "float32"
    result = compile_and_call([x, y], output, x_value, y_value)
    assert_matches_numpy(result, np.array([1.0, 2.0, 0.0], dtype=np.float32))


def test_update_of_an_int_tensor_with_floats_is_a_type_error() -> None:
    x, y = T.ivector("x"), T.dvector("y")
    with pytest.raises(TypeError):
        T.inc_subtensor(x[:2], y)


def test_update_of_a_variable_that_is_not_indexed_is_a_type_error() -> None:
    x = T.dvector("x")
    with pytest.raises(TypeError):
        T.set_subtensor(x, 0.0)


@pytest.mark.parametrize(
    ("update", "op_name"),
    [(T.set_subtensor, "tg.set_subtensor"), (T.inc_subtensor, "tg.inc_subtensor")],
)
def test_update_with_a_value_of_the_wrong_shape_raises(
    update: Callable[..., TensorVariable], op_name: str
) -> None:
    x, y = T.dmatrix("x"), T.dvector("y")
    compiled = tracegraph.function([x, y], update(x[1:3], y))
    with pytest.raises(tracegraph.ShapeMismatchError, match=op_name.replace(".", r"\.")):
        compiled(np.zeros((4, 3)), np.zeros(2))


# -- errors: shape mismatches name the op and the user's line ------------------------------------

SHAPE_MISMATCH_CASES: list[Any] = [
    pytest.param("tg.add", lambda x, y: x + y, (3,), (4,), id="add"),
    pytest.param("tg.add", lambda x, y: x + y, (1,), (3,), id="add-size-one"),
    pytest.param("tg.mul", lambda x, y: x * y, (2, 3), (3, 2), id="mul"),
    pytest.param("tg.gt", lambda x, y: x > y, (2, 3), (2, 4), id="gt"),
    pytest.param("tg.pow", lambda x, y: x**y, (2,), (1,), id="pow"),
    pytest.param("tg.switch", lambda x, y: T.switch(x > 0, x, y), (3,), (2,), id="switch"),
    pytest.param("tg.fill", lambda x, y: T.fill(x, y), (3,), (2,), id="fill"),
    pytest.param("tg.dot", lambda x, y: T.dot(x, y), (2, 3), (2, 3), id="dot"),
    pytest.param(
        "tg.concatenate", lambda x, y: T.concatenate([x, y]), (2, 3), (2, 4), id="concatenate"
    ),
    pytest.param("tg.stack", lambda x, y: T.stack([x, y]), (2,), (3,), id="stack"),
    pytest.param("tg.reshape", lambda x, y: x.reshape(y.shape), (2, 3), (2, 2), id="reshape"),
    pytest.param(
        "tg.set_subtensor", lambda x, y: T.set_subtensor(x[:2], y), (3, 2), (3, 2), id="set"
    ),
]


@pytest.mark.parametrize(("op_name", "build", "x_shape", "y_shape"), SHAPE_MISMATCH_CASES)
def test_shape_mismatch_names_the_op_and_this_file(
    op_name: str,
    build: Callable[[TensorVariable, TensorVariable], TensorVariable],
    x_shape: tuple[int, ...],
    y_shape: tuple[int, ...],
) -> None:
    x = T.tensor("float64", (False,) * len(x_shape), "x")
    y = T.tensor("float64", (False,) * len(y_shape), "y")
    compiled = tracegraph.function([x, y], build(x, y))
    with pytest.raises(tracegraph.ShapeMismatchError) as error:
        compiled(np.ones(x_shape), np.ones(y_shape))
    message = str(error.value)
    assert op_name in message
    assert THIS_FILE in message


def test_shape_mismatch_names_the_line_that_built_the_op() -> None:
    x, y = T.dvectors("x", "y")
    here = inspect.currentframe()
    assert here is not None
    line = here.f_lineno + 1
    total = x + y
    compiled = tracegraph.function([x, y], total * 2)
    with pytest.raises(tracegraph.ShapeMismatchError, match=r"tg\.add") as error:
        compiled(np.ones(1), np.ones(3))
    assert f"{THIS_FILE}:{line}:" in str(error.value)


def test_shape_mismatch_is_a_value_error() -> None:
    x, y = T.dvectors("x", "y")
    compiled = tracegraph.function([x, y], x - y)
    with pytest.raises(ValueError, match=r"tg\.sub"):
        compiled(np.ones(2), np.ones(3))


# -- errors: indices out of bounds ---------------------------------------------------------------

OUT_OF_BOUNDS_CASES: list[Any] = [
    pytest.param(lambda x, i, idx: x[3], id="x[3]"),
    pytest.param(lambda x, i, idx: x[-4], id="x[-4]"),
    pytest.param(lambda x, i, idx: x[:, 2], id="x[:, 2]"),
    pytest.param(lambda x, i, idx: x[i], id="x[i]"),
    pytest.param(lambda x, i, idx: x[idx], id="x[idx]"),
    pytest.param(lambda x, i, idx: x[:, [0, 5]], id="x[:, [0, 5]]"),
    pytest.param(lambda x, i, idx: T.set_subtensor(x[i], 0.0), id="set x[i]"),
    pytest.param(lambda x, i, idx: T.inc_subtensor(x[i], 1.0), id="inc x[i]"),
    pytest.param(lambda x, i, idx: T.set_subtensor(x[idx], 0.0), id="set x[idx]"),
    pytest.param(lambda x, i, idx: T.inc_subtensor(x[idx], 1.0), id="inc x[idx]"),
]


@pytest.mark.parametrize("index", OUT_OF_BOUNDS_CASES)
def test_index_out_of_bounds_raises(index: Callable[..., TensorVariable]) -> None:
    x, i, idx = T.dmatrix("x"), T.iscalar("i"), T.lvector("idx")
    compiled = tracegraph.function([x, i, idx], index(x, i, idx), on_unused_input="ignore")
    with pytest.raises(tracegraph.IndexOutOfBoundsError) as error:
        compiled(np.zeros((3, 2)), 3, np.array([0, 3, 3]))
    assert THIS_FILE in str(error.value)


def test_index_out_of_bounds_is_an_index_error() -> None:
    v, i = T.dvector("v"), T.lscalar("i")
    compiled = tracegraph.function([v, i], v[i])
    with pytest.raises(IndexError, match=r"tg\.subtensor"):
        compiled(np.zeros(2), -3)


def test_constant_index_out_of_static_bounds_raises_when_building() -> None:
    x = T.tensor("float64", shape=(3,), name="x")
    with pytest.raises(IndexError):
        x[3]


# -- inputs are never modified, outputs never alias them ----------------------------------------

GRAPHS_ON_ONE_MATRIX: list[Any] = [
    pytest.param(lambda x: x, id="identity"),
    pytest.param(lambda x: T.cast(x, "float64"), id="no-op cast"),
    pytest.param(lambda x: x.T, id="transpose"),
    pytest.param(lambda x: x.dimshuffle("x", 0, 1), id="dimshuffle"),
    pytest.param(lambda x: x.reshape((-1,)), id="reshape"),
    pytest.param(lambda x: x.flatten(), id="flatten"),
    pytest.param(lambda x: x[1:, ::-1], id="slice"),
    pytest.param(lambda x: x[[0, 0]], id="array index"),
    pytest.param(lambda x: x[0, 0], id="scalar index"),
    pytest.param(lambda x: T.set_subtensor(x[0], 5.0), id="set_subtensor"),
    pytest.param(lambda x: T.inc_subtensor(x[[0, 0, 1]], 1.0), id="inc_subtensor repeated"),
    pytest.param(lambda x: T.inc_subtensor(x[:, 1:], x[:, :-1]), id="inc_subtensor overlap"),
    pytest.param(lambda x: T.switch(x > 2, x, -x), id="switch"),
    pytest.param(lambda x: T.fill(x, x[0]), id="fill"),
    pytest.param(lambda x: T.concatenate([x]), id="concatenate one"),
    pytest.param(lambda x: T.maximum(x, 0.0), id="maximum"),
    pytest.param(lambda x: T.sum(x, axis=()), id="sum over no axis"),
    pytest.param(lambda x: T.dot(x, x.T), id="dot"),
]


@pytest.mark.parametrize("layout", ["contiguous", "transposed", "reversed"])
@pytest.mark.parametrize("build", GRAPHS_ON_ONE_MATRIX)
def test_inputs_are_not_modified_and_outputs_do_not_alias_them(
    build: Callable[[TensorVariable], TensorVariable], layout: str
) -> None:
    x = T.dmatrix("x")
    x_value = in_layout(np.arange(6.0).reshape(2, 3), layout)
    original = x_value.copy()
    compiled = tracegraph.function([x], build(x))
    first = compiled(x_value)
    np.testing.assert_array_equal(x_value, original)
    assert not np.shares_memory(first, x_value)
    first_value = first.copy()
    first[...] = -1.0  # the caller owns the result: writing to it changes nothing else
    second = compiled(x_value)
    np.testing.assert_array_equal(x_value, original)
    assert not np.shares_memory(first, second)
    assert_matches_numpy(second, first_value)


def test_outputs_do_not_alias_each_other() -> None:
    x = T.dvector("x")
    x_value = np.arange(3.0)
    same, reversed_view, itself = compile_and_call_all([x], [x, x[::-1], x], x_value)
    for a, b in [(same, reversed_view), (same, itself), (reversed_view, itself)]:
        assert not np.shares_memory(a, b)


def test_constant_outputs_are_fresh_arrays() -> None:
    compiled = tracegraph.function([], T.constant(np.array([1.0, 2.0])))
    first = compiled()
    first[0] = 100.0
    assert_matches_numpy(compiled(), np.array([1.0, 2.0]))


# -- 0-d results are arrays, never NumPy scalars -------------------------------------------------

ZERO_D_CASES: list[Any] = [
    pytest.param(lambda x, s: s * 2, np.float64(6.0), id="scalar * 2"),
    pytest.param(lambda x, s: x.sum(), np.float64(15.0), id="sum"),
    pytest.param(lambda x, s: T.max(x), np.float64(5.0), id="max"),
    pytest.param(lambda x, s: T.mean(x), np.float64(2.5), id="mean"),
    pytest.param(lambda x, s: T.argmax(x), np.int64(5), id="argmax"),
    pytest.param(lambda x, s: T.all(x), np.bool_(False), id="all"),
    pytest.param(lambda x, s: T.dot(x[0], x[1]), np.float64(14.0), id="dot"),
    pytest.param(lambda x, s: x[1, 2], np.float64(5.0), id="index"),
    pytest.param(lambda x, s: x.shape[0], np.int64(2), id="shape[0]"),
    pytest.param(lambda x, s: T.cast(s, "int32"), np.int32(3), id="cast"),
    pytest.param(lambda x, s: T.exp(s) > 1, np.bool_(True), id="comparison"),
    pytest.param(lambda x, s: T.switch(s > 0, s, 0.0), np.float64(3.0), id="switch"),
    pytest.param(lambda x, s: T.sum(s), np.float64(3.0), id="sum of a scalar"),
]


@pytest.mark.parametrize(("build", "expected"), ZERO_D_CASES)
def test_zero_d_result_is_an_ndarray(
    build: Callable[[TensorVariable, TensorVariable], TensorVariable], expected: np.generic
) -> None:
    x, s = T.dmatrix("x"), T.dscalar("s")
    result = compile_and_call(
        [x, s], build(x, s), np.arange(6.0).reshape(2, 3), 3.0, on_unused_input="ignore"
    )
    assert type(result) is np.ndarray
    assert result.ndim == 0
    assert_matches_numpy(result, expected)


def test_zero_d_results_in_a_list_of_outputs_are_ndarrays() -> None:
    v = T.fvector("v")
    results = compile_and_call_all(
        [v], [v.sum(), v.min(), v.argmin(), v.any()], np.array([2.0, -1.0], dtype=np.float32)
    )
    for result in results:
        assert type(result) is np.ndarray
        assert result.ndim == 0
