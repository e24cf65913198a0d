"""Ops of the ``tg`` dialect that build or rearrange shapes, run by the NumPy reference backend and
compared with NumPy itself: ``fill``, ``zeros_like``, ``ones_like``, ``alloc``, ``zeros`` and
``ones``, ``arange``, ``dimshuffle`` and ``transpose`` (over several memory layouts), ``reshape``
and ``flatten``, ``shape``, ``concatenate`` and ``stack``, with the errors they raise.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import tracegraph
import tracegraph.tensor as T
from tests.backends.numpy_helpers import (
    LAYOUTS,
    Array,
    compile_and_call,
    compile_and_call_all,
    in_layout,
    sample,
    variable_for,
)
from tests.numpy_oracle import assert_matches_numpy

THIS_FILE = Path(__file__).name


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


def test_reshape_to_a_symbolic_shape_of_the_wrong_length_raises() -> None:
    # Regression: reshape(x, s, ndim=2) with an lvector s returned shape (6,) for s = [6] and
    # (1, 2, 3) for s = [1, 2, 3], results of another rank than their type; Theano raised.
    x, s = T.dvector("x"), T.lvector("s")
    f = tracegraph.function([x, s], T.reshape(x, s, ndim=2))
    assert f(np.arange(6.0), np.array([2, 3])).shape == (2, 3)
    for wrong in ([6], [1, 2, 3]):
        with pytest.raises(tracegraph.ShapeMismatchError, match=r"tg\.reshape"):
            f(np.arange(6.0), np.array(wrong))
