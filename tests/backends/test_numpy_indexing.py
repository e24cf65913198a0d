"""Indexing ops of the ``tg`` dialect, run by the NumPy reference backend and compared with NumPy
itself: basic indexing and slicing (constant and symbolic bounds), integer-array indexing,
``set_subtensor`` and ``inc_subtensor`` (repeated indices accumulate, values are broadcast and
cast), and the errors raised for indices out of bounds, which name the user's file.
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
)
from tests.numpy_oracle import assert_matches_numpy
from tracegraph.tensor import TensorVariable

THIS_FILE = Path(__file__).name


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
