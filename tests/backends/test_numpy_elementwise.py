"""Elementwise ops of the ``tg`` dialect, run by the NumPy reference backend and compared with
NumPy itself: unary ops and float functions (special and extreme values, rounding), binary ops and
Python operators with NEP 50 dtype promotion, Theano's broadcasting rule and its errors, ``switch``
and ``cast``; the NumPy backend is the oracle of every later backend, so each op must agree exactly
with NumPy's semantics.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import scipy.special as special

import tracegraph
import tracegraph.tensor as T
from tests.backends.numpy_helpers import (
    LAYOUTS,
    Array,
    compile_and_call,
    compile_and_call_all,
    in_layout,
    numpy_apply,
    numpy_result_dtype,
    sample,
    variable_for,
)
from tests.numpy_oracle import BINARY_OPS, assert_matches_numpy
from tracegraph.tensor import TensorVariable

# -- unary ops -----------------------------------------------------------------------------------


def reference_sigmoid(x: Array) -> Array:
    return np.exp(-np.logaddexp(0.0, -x))


def reference_softplus(x: Array) -> Array:
    return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))


def reference_gammaln(x: Array) -> Array:
    """C's ``lgamma``, which ``tg.gammaln`` is: SciPy's ``gammaln`` but +inf at -inf."""
    return np.where(x == -np.inf, np.inf, special.gammaln(x))


def reference_trigamma(x: Array) -> Array:
    return np.asarray(special.polygamma(1, x))


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
    "arcsinh": (T.arcsinh, np.arcsinh, "any"),
    "sin": (T.sin, np.sin, "any"),
    "cos": (T.cos, np.cos, "any"),
    "floor": (T.floor, np.floor, "any"),
    "ceil": (T.ceil, np.ceil, "any"),
    "round": (T.round, np.rint, "any"),
    "invert": (T.invert, np.invert, "any"),
    "log2": (T.log2, np.log2, "positive"),
    "log10": (T.log10, np.log10, "positive"),
    "tan": (T.tan, np.tan, "any"),
    "arcsin": (T.arcsin, np.arcsin, "unit"),
    "arccos": (T.arccos, np.arccos, "unit"),
    "arctan": (T.arctan, np.arctan, "any"),
    "sinh": (T.sinh, np.sinh, "any"),
    "cosh": (T.cosh, np.cosh, "any"),
    "arccosh": (T.arccosh, np.arccosh, "at_least_one"),
    "arctanh": (T.arctanh, np.arctanh, "unit"),
    "trunc": (T.trunc, np.trunc, "any"),
    "isnan": (T.isnan, np.isnan, "any"),
    "isinf": (T.isinf, np.isinf, "any"),
}
"""Unary ops that NumPy has a ufunc for: the result must be the ufunc's, dtype included."""

UNARY_FLOAT_FUNCTIONS: dict[
    str, tuple[Callable[[Any], TensorVariable], Callable[[Array], Array], str]
] = {
    # name: (tracegraph function, float64 reference, domain of the test values)
    "sigmoid": (T.sigmoid, reference_sigmoid, "any"),
    "softplus": (T.softplus, reference_softplus, "any"),
    "erf": (T.erf, reference_erf, "any"),
    "erfc": (T.erfc, special.erfc, "any"),
    "erfinv": (T.erfinv, special.erfinv, "unit"),
    "gamma": (T.gamma, special.gamma, "any"),
    "gammaln": (T.gammaln, reference_gammaln, "any"),
    "psi": (T.psi, special.psi, "any"),
    "trigamma": (T.tri_gamma, reference_trigamma, "any"),
}
"""Unary ops without a NumPy ufunc: the result has the dtype ``exp`` would give, and the value of
a float64 reference (SciPy's for the special functions)."""

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
    function, reference, domain = UNARY_FLOAT_FUNCTIONS[op]
    x_value = sample(dtype, domain)
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
    function, reference, _ = UNARY_FLOAT_FUNCTIONS[op]
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
@pytest.mark.parametrize("op", sorted(BINARY_OPS))
def test_binary_op_matches_numpy_ufunc(op: str, left_dtype: str, right_dtype: str) -> None:
    function, ufunc = BINARY_OPS[op]
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
    function, ufunc = BINARY_OPS[op]
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
    # The last output is float64, from the float32 log of y: float32 precision.
    precisions = [None, None, None, None, None, "float32"]
    for result, expected_result, precision in zip(results, expected, precisions, strict=True):
        assert_matches_numpy(result, expected_result, precision)


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


def test_pow_is_c_pow_even_for_a_half_exponent() -> None:
    # NumPy's ``array ** 0.5`` with a Python-scalar exponent takes a sqrt shortcut that gives
    # NaN at -inf; tg.pow is C's pow everywhere (inf), as NumPy gives for an array exponent.
    x = T.dvector("x")
    result = tracegraph.function([x], x**0.5)(np.array([-np.inf, 4.0, -0.0]))
    np.testing.assert_array_equal(result, [np.inf, 2.0, 0.0])
    assert not np.signbit(result[2])
    y = T.dvector("y")
    broadcast_exponent = tracegraph.function([x, y], x ** T.fill(x, y[0]))
    result = broadcast_exponent(np.array([-np.inf, 4.0]), np.array([0.5]))
    np.testing.assert_array_equal(result, [np.inf, 2.0])
    # Regression (found against PyTensor): NumPy's power of 0-d arrays takes the shortcut too.
    s = T.dscalar("s")
    scalar_power = tracegraph.function([s], s**0.5)
    assert scalar_power(-np.inf) == np.inf and not np.signbit(scalar_power(-0.0))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_multiply_add_rounds_twice_as_numpy(dtype: str) -> None:
    # Regression: the C backend let GCC fuse x * y + z into one FMA (one rounding), which gave
    # another last bit in a quarter of the elements, and a clip's gradient of 0 for 0.2 when
    # x * 0.2 + 0.5 landed below 0 instead of on it.
    rng = np.random.default_rng(3)
    x, y, z = (T.tensor(dtype, (False,), name) for name in "xyz")
    values = [rng.normal(size=4096).astype(dtype) for _ in range(3)]
    a, b, c = values
    f = tracegraph.function([x, y, z], [x * y + z, z - x * y, x * y - z])
    for result, expected in zip(f(a, b, c), [a * b + c, c - a * b, a * b - c], strict=True):
        np.testing.assert_array_equal(result, expected)
    point = np.array([-2.5], dtype=dtype)
    edge = tracegraph.function([x], x * 0.2 + 0.5)(point)
    np.testing.assert_array_equal(edge, point * np.dtype(dtype).type(0.2) + 0.5)
