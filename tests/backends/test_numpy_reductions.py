"""Reductions and ``dot`` of the ``tg`` dialect, run by the NumPy reference backend and compared
with NumPy itself: every reduction over every kind of axis argument, with and without
``keepdims``, on empty arrays and with NaN; arg-reductions over several axes; and ``dot`` over
shapes, dtype pairs and memory layouts, with the errors raised for inner sizes that differ.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import tracegraph
import tracegraph.tensor as T
from tests.backends.numpy_helpers import (
    Array,
    compile_and_call,
    compile_and_call_all,
    in_layout,
    sample,
    variable_for,
)
from tests.numpy_oracle import REDUCTIONS, assert_matches_numpy

THIS_FILE = Path(__file__).name


# -- reductions ----------------------------------------------------------------------------------


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
    ("int8", "uint8"),  # int16, as NumPy promotes
    ("uint32", "int64"),
    ("bool", "float64"),
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


@pytest.mark.parametrize("dtype", ["int8", "uint8", "int64"])
def test_integer_dots_wrap_as_numpys(dtype: str) -> None:
    info = np.iinfo(dtype)
    a_value = np.full((3, 40), info.max, dtype=dtype)
    b_value = np.arange(40 * 2, dtype=dtype).reshape(40, 2) * np.array(info.max // 3, dtype=dtype)
    a, b = variable_for(a_value, "a"), variable_for(b_value, "b")
    result = compile_and_call([a, b], T.dot(a, b), a_value, b_value)
    assert_matches_numpy(result, np.dot(a_value, b_value))


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
