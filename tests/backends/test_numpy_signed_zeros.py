"""Signed zeros on both backends: ``maximum`` and ``minimum`` of -0.0 and 0.0 both ways round
(NumPy returns the second operand of a tie, on every path), reductions over no axes (NumPy's
sum and mean of -0.0 are 0.0, its prod, max and min keep -0.0), sums and products of negative
zeros, and max and min over zeros of both signs (the sign of the last zero: a fold of
``maximum``, which NumPy follows across rows and over runs of up to 4 (float64) or 8 (float32)
contiguous elements, but not over longer runs, where its vector lanes decide).
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tracegraph
import tracegraph.tensor as T
from tests.backends.numpy_helpers import LAYOUTS, Array, in_layout

FLOATS = ("float64", "float32")


def assert_same_signs(result: Any, expected: Any) -> None:
    result, expected = np.asarray(result), np.asarray(expected)
    assert result.dtype == expected.dtype and result.shape == expected.shape
    np.testing.assert_array_equal(result, expected)
    np.testing.assert_array_equal(np.signbit(result), np.signbit(expected))


SHAPES = {
    # name: (shape of a, shape of b); a static 1 broadcasts
    "0-d": ((), ()),
    "1": ((1,), (1,)),
    "3": ((3,), (3,)),
    "4": ((4,), (4,)),
    "67": ((67,), (67,)),
    "broadcast a": ((1,), (67,)),
    "broadcast b": ((67,), (1,)),
}


@pytest.mark.parametrize("shapes", sorted(SHAPES))
@pytest.mark.parametrize("first", [-0.0, 0.0])
@pytest.mark.parametrize("dtype", FLOATS)
def test_maximum_and_minimum_of_zeros_take_the_second_operand(
    dtype: str, first: float, shapes: str
) -> None:
    a_shape, b_shape = SHAPES[shapes]
    a_value = np.full(a_shape, first, dtype)
    b_value = np.full(b_shape, 0.0 if np.signbit(first) else -0.0, dtype)
    a = T.tensor(dtype, shape=tuple(1 if s == 1 else None for s in a_shape), name="a")
    b = T.tensor(dtype, shape=tuple(1 if s == 1 else None for s in b_shape), name="b")
    outputs = [T.maximum(a, b), T.minimum(a, b), T.maximum(a, b) * 1, T.minimum(b, a) + 0]
    results = tracegraph.function([a, b], outputs)(a_value, b_value)
    expected = [
        np.maximum(a_value, b_value),
        np.minimum(a_value, b_value),
        np.maximum(a_value, b_value) * 1,
        np.minimum(b_value, a_value) + 0,
    ]
    for result, wanted in zip(results, expected, strict=True):
        assert_same_signs(result, wanted)


ZERO_ARRAYS = {
    "[-0]": [-0.0],
    "[-0, -0]": [-0.0, -0.0],
    "[-0, 0]": [-0.0, 0.0],
    "[0, -0]": [0.0, -0.0],
    "[-0]*5": [-0.0] * 5,
    "[-0]*100": [-0.0] * 100,
    "[-0, nan]": [-0.0, np.nan],
}

REDUCTIONS = {"sum": (T.sum, np.sum), "prod": (T.prod, np.prod), "mean": (T.mean, np.mean)}
REDUCTIONS |= {"max": (T.max, np.max), "min": (T.min, np.min)}


@pytest.mark.parametrize("values", sorted(ZERO_ARRAYS))
@pytest.mark.parametrize("name", sorted(REDUCTIONS))
@pytest.mark.parametrize("dtype", FLOATS)
def test_reductions_over_no_axes_are_numpys(dtype: str, name: str, values: str) -> None:
    """Over no axes, NumPy's reductions: 0.0 + x for sum and mean, x for prod, max and min."""
    build, function = REDUCTIONS[name]
    value = np.array(ZERO_ARRAYS[values], dtype=dtype)
    x = T.tensor(dtype, shape=(None,), name="x")
    result = tracegraph.function([x], build(x, axis=[]))(value)
    assert_same_signs(result, function(value, axis=()))


@pytest.mark.parametrize("values", sorted(ZERO_ARRAYS))
@pytest.mark.parametrize("name", ["sum", "prod", "mean"])
@pytest.mark.parametrize("dtype", FLOATS)
def test_sums_and_products_of_zeros_are_numpys(dtype: str, name: str, values: str) -> None:
    """A sum of zeros is -0.0 never (NumPy adds from 0.0), a product has the sign of the
    product of the signs; over a whole vector, over the rows and over the columns."""
    build, function = REDUCTIONS[name]
    vector = np.array(ZERO_ARRAYS[values], dtype=dtype)
    m = T.matrix("m", dtype=dtype)
    rows = np.tile(vector, (3, 1))
    for layout in LAYOUTS:
        matrix = in_layout(rows, layout)
        results = tracegraph.function([m], [build(m), build(m, axis=1), build(m.T, axis=0)])(matrix)
        expected = [function(rows), function(rows, axis=1), function(rows.T, axis=0)]
        for result, wanted in zip(results, expected, strict=True):
            assert_same_signs(result, wanted)


def folded(function: np.ufunc, array: Array, axis: int | None) -> Array:
    """The fold of ``function`` over ``axis`` (None: every element in C order)."""
    if axis is None:
        return np.asarray(functools.reduce(function, array.ravel()))
    moved = np.moveaxis(array, axis, 0)
    return np.asarray(functools.reduce(function, list(moved)))


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(FLOATS),
    st.sampled_from(["max", "min"]),
    st.sampled_from(LAYOUTS),
    st.sampled_from([None, 0, 1]),
    st.integers(1, 5),
    st.integers(1, 70),
    st.data(),
)
def test_max_and_min_of_zeros_have_the_sign_of_the_last_zero(
    dtype: str, name: str, layout: str, axis: int | None, rows: int, columns: int, data: Any
) -> None:
    """A max (min) is the fold of maximum (minimum) in C order: a zero result has the sign of
    the last zero reduced. Drawn from -0.0, 0.0 and -1.0 (1.0 for min)."""
    other = -1.0 if name == "max" else 1.0
    picks = data.draw(
        st.lists(
            st.sampled_from([0.0, -0.0, other]), min_size=rows * columns, max_size=rows * columns
        )
    )
    value = np.array(picks, dtype=dtype).reshape(rows, columns)
    build, _ = REDUCTIONS[name]
    m = T.matrix("m", dtype=dtype)
    result = tracegraph.function([m], build(m, axis=axis))(in_layout(value, layout))
    ufunc = np.maximum if name == "max" else np.minimum
    assert_same_signs(result, folded(ufunc, value, axis))


@pytest.mark.parametrize("name", ["max", "min"])
@pytest.mark.parametrize("dtype", FLOATS)
def test_the_fold_is_numpys_where_numpy_agrees_with_itself(dtype: str, name: str) -> None:
    """Across rows, and along rows no longer than a vector of NumPy's loop, NumPy's max and min
    of zeros are the fold's; longer rows are the reference's own (NumPy disagrees there)."""
    rng = np.random.default_rng(0)
    function, ufunc = (np.max, np.maximum) if name == "max" else (np.min, np.minimum)
    other = np.array(-1.0 if name == "max" else 1.0, dtype)
    short = 4 if dtype == "float64" else 8
    for _ in range(300):
        rows, columns = int(rng.integers(1, 20)), int(rng.integers(2, short + 1))
        value = rng.choice(np.array([0.0, -0.0, other], dtype=dtype), size=(rows, columns))
        assert_same_signs(function(value, axis=0), folded(ufunc, value, 0))
        assert_same_signs(function(value, axis=1), folded(ufunc, value, 1))
    m = T.matrix("m", dtype=dtype)
    longer = np.array([[0.0, -1.0, -0.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0]], dtype) * -other
    result = tracegraph.function([m], T.max(m) if name == "max" else T.min(m))(longer)
    assert_same_signs(result, folded(ufunc, longer, None))
    assert np.signbit(result) == (name == "max")  # the last zero: -0.0 for max, 0.0 for min


POWER_VALUES = (-np.inf, -0.0, 0.0, 4.0, -1.0, np.inf, np.nan, 2.0, 0.25)


@pytest.mark.parametrize("form", ["Python float", "constant", "row of a matrix", "array of halves"])
@pytest.mark.parametrize("size", [1, 9, 67])
@pytest.mark.parametrize("dtype", FLOATS)
def test_a_power_of_one_half_is_numpys_at_negative_zero_and_infinity(
    dtype: str, size: int, form: str
) -> None:
    """``x ** 0.5`` is ``pow``, not ``sqrt``: +0 at -0 (sqrt: -0) and +inf at -inf (sqrt: NaN).
    GCC's vectorizer put sqrt in the vector body of a C loop and left pow in its remainder (a
    regression test: 9 elements gave NaN and -0 for the first 8, NumPy's values for the last).
    One function per form: a loop that also computes a power of an array is not vectorized."""
    values = np.resize(np.array(POWER_VALUES, dtype), size)
    halves = np.full(size, 0.5, dtype)
    x, exponent = T.vector("x", dtype=dtype), T.vector("e", dtype=dtype)
    half = np.asarray(0.5, dtype)
    power = {
        "Python float": x**0.5,
        "constant": x**half,
        "row of a matrix": T.pow(x.dimshuffle("x", 0), half)[0],
        "array of halves": x**exponent,
    }[form]
    f = tracegraph.function([x, exponent], power, on_unused_input="ignore")
    with np.errstate(invalid="ignore"):
        expected = np.power(values, halves)
    result = f(values, halves)
    assert result.dtype == expected.dtype
    np.testing.assert_array_equal(result, expected)
    numbers = ~np.isnan(expected)  # a NaN's sign bit is not NumPy's concern either
    np.testing.assert_array_equal(np.signbit(result[numbers]), np.signbit(expected[numbers]))
