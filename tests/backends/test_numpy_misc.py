"""Checks that cut across the ops of the ``tg`` dialect run by the NumPy reference backend: a shape
mismatch at run time names the op and the user's file and line, inputs are never modified and
outputs never alias them or each other, and 0-d results are always ndarrays, never NumPy
scalars.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import tracegraph
import tracegraph.tensor as T
from tests.backends.numpy_helpers import (
    compile_and_call,
    compile_and_call_all,
    in_layout,
)
from tests.numpy_oracle import assert_matches_numpy
from tracegraph.tensor import TensorVariable

THIS_FILE = Path(__file__).name


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
    # Unoptimized: canonicalization drops a fill whose value already has the result's shape
    # (as Theano did), and with it the check this test is about.
    compiled = tracegraph.function([x, y], build(x, y), mode="FAST_COMPILE")
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
