"""Theano's ``extra_ops`` and array functions (``tensor/extra_ops.py``) and the ops along one
axis (``tg.cumsum``, ``tg.cumprod``, ``tg.sort``, ``tg.argsort``), on every backend, compared
with NumPy: values and dtypes, every axis, every dtype family, empty and NaN inputs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import tracegraph
import tracegraph.tensor as T
from tests.backends.numpy_helpers import compile_and_call, compile_and_call_all, variable_for
from tests.numpy_oracle import assert_matches_numpy
from tracegraph.errors import ShapeMismatchError
from tracegraph.tensor import TensorVariable

Array = np.ndarray[Any, Any]

_RNG = np.random.default_rng(20261206)


def _values(dtype: str, shape: tuple[int, ...]) -> Array:
    if dtype == "bool":
        return _RNG.integers(0, 2, shape).astype(bool)
    if np.dtype(dtype).kind in "iu":
        low = 0 if np.dtype(dtype).kind == "u" else -4
        return _RNG.integers(low, 5, shape).astype(dtype)
    return _RNG.standard_normal(shape).astype(dtype)


DTYPES = ("float64", "float32", "int64", "int32", "int8", "uint8", "bool")

ALONG_AXIS: dict[str, tuple[Callable[..., TensorVariable], Callable[..., Array]]] = {
    "cumsum": (T.cumsum, np.cumsum),
    "cumprod": (T.cumprod, np.cumprod),
    "sort": (T.sort, lambda x, axis: np.sort(x, axis=axis)),
    "argsort": (T.argsort, lambda x, axis: np.argsort(x, axis=axis, kind="stable")),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("axis", [None, 0, 1, -1])
@pytest.mark.parametrize("name", sorted(ALONG_AXIS))
def test_along_axis_matches_numpy(name: str, axis: int | None, dtype: str) -> None:
    function, reference = ALONG_AXIS[name]
    value = _values(dtype, (3, 4))
    x = variable_for(value, "x")
    with np.errstate(all="ignore"):
        expected = reference(value, axis=axis)
    assert_matches_numpy(compile_and_call([x], function(x, axis=axis), value), expected)


@pytest.mark.parametrize("name", sorted(ALONG_AXIS))
def test_along_axis_of_nan_ties_and_empty(name: str) -> None:
    function, reference = ALONG_AXIS[name]
    for value in (
        np.array([2.0, np.nan, -np.inf, 2.0, 0.0, -0.0, np.inf, np.nan]),
        np.zeros((0,)),
        np.array([[1.0, 1.0], [0.0, 1.0]]).T,  # a transposed (strided) operand
    ):
        x = variable_for(value, "x")
        assert_matches_numpy(
            compile_and_call([x], function(x, axis=0), value), reference(value, axis=0)
        )


def test_argsort_keeps_equal_values_in_order() -> None:
    value = np.array([3, 1, 3, 1, 2, 1], dtype=np.int32)
    x = variable_for(value, "x")
    result = compile_and_call([x], T.argsort(x), value)
    assert result.tolist() == [1, 3, 5, 4, 0, 2]


def test_cumsum_of_small_integers_accumulates_in_int64() -> None:
    value = np.full(300, 100, dtype=np.int8)
    x = variable_for(value, "x")
    assert_matches_numpy(compile_and_call([x], T.cumsum(x), value), np.cumsum(value))


def _filled_diagonal(x: Array, value: Any) -> Array:
    filled = x.copy()
    np.fill_diagonal(filled, value)
    return filled


COMPOSITIONS: dict[str, tuple[Callable[[Any], Any], Callable[[Array], Array], tuple[int, ...]]] = {
    # name: (tracegraph expression, NumPy expression, input shape)
    "repeat-flat": (lambda x: T.repeat(x, 3), lambda x: np.repeat(x, 3), (2, 3)),
    "repeat-axis": (lambda x: T.repeat(x, 2, axis=1), lambda x: np.repeat(x, 2, axis=1), (2, 3)),
    "repeat-counts": (
        lambda x: T.repeat(x, [0, 2, 1], axis=1),
        lambda x: np.repeat(x, [0, 2, 1], axis=1),
        (2, 3),
    ),
    "tile": (lambda x: T.tile(x, [2, 3]), lambda x: np.tile(x, [2, 3]), (2, 3)),
    "tile-adds-axes": (lambda x: T.tile(x, [2, 1, 2]), lambda x: np.tile(x, [2, 1, 2]), (2, 3)),
    "roll": (lambda x: T.roll(x, 2, axis=1), lambda x: np.roll(x, 2, axis=1), (2, 3)),
    "roll-negative": (lambda x: T.roll(x, -4, axis=0), lambda x: np.roll(x, -4, axis=0), (3, 2)),
    "roll-flat": (lambda x: T.roll(x, 5), lambda x: np.roll(x, 5), (2, 3)),
    "flip": (lambda x: T.flip(x, 1), lambda x: np.flip(x, 1), (2, 3)),
    "diagonal": (T.diagonal, np.diagonal, (3, 4)),
    "diagonal-offset": (lambda x: T.diagonal(x, 2), lambda x: np.diagonal(x, 2), (3, 4)),
    "diagonal-negative": (lambda x: T.diagonal(x, -1), lambda x: np.diagonal(x, -1), (3, 4)),
    "diagonal-3d": (
        lambda x: T.diagonal(x, 0, 1, 2),
        lambda x: np.diagonal(x, 0, 1, 2),
        (2, 3, 3),
    ),
    "diag-of-matrix": (T.diag, np.diag, (3, 3)),
    "diag-of-vector": (T.diag, np.diag, (3,)),
    "diag-of-vector-k": (lambda x: T.diag(x, -2), lambda x: np.diag(x, -2), (3,)),
    "trace": (T.trace, np.trace, (3, 4)),
    "trace-offset": (lambda x: T.trace(x, 1), lambda x: np.trace(x, 1), (4, 3)),
    "identity-like": (T.identity_like, lambda x: np.eye(*x.shape, dtype=x.dtype), (2, 3)),
    "tril": (T.tril, np.tril, (3, 4)),
    "tril-k": (lambda x: T.tril(x, -1), lambda x: np.tril(x, -1), (4, 3)),
    "triu": (T.triu, np.triu, (3, 4)),
    "triu-k": (lambda x: T.triu(x, 2), lambda x: np.triu(x, 2), (3, 4)),
    "diff": (lambda x: T.diff(x, 2), lambda x: np.diff(x, 2), (3, 5)),
    "diff-axis-0": (lambda x: T.diff(x, axis=0), lambda x: np.diff(x, axis=0), (3, 5)),
    "fill-diagonal": (
        lambda x: T.fill_diagonal(x, 1),
        lambda x: _filled_diagonal(x, 1),
        (3, 4),
    ),
    "take-along-axis": (
        lambda x: T.take_along_axis(x, T.argsort(x, axis=1), 1),
        lambda x: np.take_along_axis(x, np.argsort(x, axis=1, kind="stable"), 1),
        (3, 4),
    ),
}


@pytest.mark.parametrize("dtype", ["float64", "int32", "bool"])
@pytest.mark.parametrize("name", sorted(COMPOSITIONS))
def test_composition_matches_numpy(name: str, dtype: str) -> None:
    function, reference, shape = COMPOSITIONS[name]
    value = _values(dtype, shape)
    x = variable_for(value, "x")
    assert_matches_numpy(compile_and_call([x], function(x), value), reference(value))


@pytest.mark.parametrize(("n", "m", "k"), [(3, None, 0), (2, 4, 1), (4, 2, -1), (3, 3, 5)])
def test_eye_matches_numpy(n: int, m: int | None, k: int) -> None:
    size = T.lscalar("n")
    result = compile_and_call([size], T.eye(size, m, k, dtype="float32"), n)
    assert_matches_numpy(result, np.eye(n, m, k, dtype=np.float32))


def test_squeeze_and_padding_give_numpy_shapes() -> None:
    value = np.zeros((1, 3, 1))
    x = T.tensor("float64", (True, False, True), "x")
    assert compile_and_call([x], T.squeeze(x), value).shape == (3,)
    assert compile_and_call([x], T.squeeze(x, axis=0), value).shape == (3, 1)
    assert compile_and_call([x], T.shape_padleft(x, 2), value).shape == (1, 1, 1, 3, 1)
    assert compile_and_call([x], T.shape_padaxis(x, -1), value).shape == (1, 3, 1, 1)
    with pytest.raises(ValueError, match="not broadcastable"):
        T.squeeze(x, axis=1)


def test_join_and_stacks_match_numpy() -> None:
    a, b = T.dmatrices("a", "b")
    va, vb = _values("float64", (2, 3)), _values("float64", (2, 3))
    assert_matches_numpy(compile_and_call([a, b], T.join(1, a, b), va, vb), np.hstack([va, vb]))
    assert_matches_numpy(
        compile_and_call([a, b], T.vertical_stack(a, b), va, vb), np.vstack([va, vb])
    )
    assert_matches_numpy(
        compile_and_call([a, b], T.horizontal_stack(a, b), va, vb), np.hstack([va, vb])
    )


# -- products ----------------------------------------------------------------------------------

PRODUCTS: dict[
    str, tuple[Callable[..., Any], Callable[..., Array], tuple[int, ...], tuple[int, ...]]
] = {
    # name: (tracegraph expression, NumPy expression, shape of a, shape of b)
    "tensordot-2": (T.tensordot, np.tensordot, (2, 3, 4), (3, 4, 5)),
    "tensordot-0": (
        lambda a, b: T.tensordot(a, b, 0),
        lambda a, b: np.tensordot(a, b, 0),
        (2, 3),
        (4,),
    ),
    "tensordot-lists": (
        lambda a, b: T.tensordot(a, b, [[0, 2], [2, 0]]),
        lambda a, b: np.tensordot(a, b, [[0, 2], [2, 0]]),
        (2, 3, 4),
        (4, 5, 2),
    ),
    "dot-3d-2d": (T.dot, np.dot, (2, 3, 4), (4, 5)),
    "dot-3d-3d": (T.dot, np.dot, (2, 3, 4), (2, 4, 5)),
    "dot-vector-3d": (T.dot, np.dot, (3,), (2, 3, 4)),
    "batched-dot-3d": (
        T.batched_dot,
        lambda a, b: np.einsum("bij,bjk->bik", a, b),
        (2, 3, 4),
        (2, 4, 5),
    ),
    "batched-dot-2d": (T.batched_dot, lambda a, b: np.einsum("bi,bi->b", a, b), (3, 4), (3, 4)),
    "batched-dot-3d-2d": (
        T.batched_dot,
        lambda a, b: np.einsum("bij,bj->bi", a, b),
        (2, 3, 4),
        (2, 4),
    ),
    "batched-tensordot": (
        lambda a, b: T.batched_tensordot(a, b, [[2], [1]]),
        lambda a, b: np.einsum("bij,bjk->bik", a, b),
        (2, 3, 4),
        (2, 4, 5),
    ),
}


@pytest.mark.parametrize("dtype", ["float64", "float32", "int32"])
@pytest.mark.parametrize("name", sorted(PRODUCTS))
def test_product_matches_numpy(name: str, dtype: str) -> None:
    function, reference, shape_a, shape_b = PRODUCTS[name]
    va, vb = _values(dtype, shape_a), _values(dtype, shape_b)
    a, b = variable_for(va, "a"), variable_for(vb, "b")
    expected = np.asarray(reference(va, vb))
    result = compile_and_call([a, b], function(a, b), va, vb)
    if dtype != "float32":
        assert_matches_numpy(result, expected.astype(result.dtype))
        return
    # float32 sums of products round differently in every order of summation: compared with
    # the float64 products, to the float32 rounding of terms of size about 1.
    exact = np.asarray(reference(va.astype(np.float64), vb.astype(np.float64)))
    assert result.dtype == np.float32 and result.shape == exact.shape
    np.testing.assert_allclose(result, exact, rtol=1e-5, atol=1e-5)


# -- elementwise compositions --------------------------------------------------------------------


def test_elementwise_compositions_match_numpy() -> None:
    a, b = T.dvectors("a", "b")
    va = np.array([1.0, np.inf, np.nan, 0.0, -2.5, 1e-9, 180.0])
    vb = np.array([1.0 + 1e-6, np.inf, np.nan, 1e-9, -2.5, 0.0, -np.inf])
    outputs = [
        T.isclose(a, b),
        T.isclose(a, b, equal_nan=True),
        T.allclose(a[:2], b[:2]),
        T.deg2rad(a),
        T.rad2deg(a),
        T.iround(a[3:6]),
        T.exp2(a),
        T.inv(b),
        T.power(a, 2),
        T.largest(a, b, 0.5),
        T.smallest(a, b, 0.5),
        T.ptp(a[3:]),
    ]
    with np.errstate(all="ignore"):
        expected = [
            np.isclose(va, vb),
            np.isclose(va, vb, equal_nan=True),
            np.allclose(va[:2], vb[:2]),
            np.deg2rad(va),
            np.rad2deg(va),
            np.rint(va[3:6]).astype(np.int64),
            np.exp2(va),
            1 / vb,
            va**2,
            np.maximum(np.maximum(va, vb), 0.5),
            np.minimum(np.minimum(va, vb), 0.5),
            np.ptp(va[3:]),
        ]
    results = compile_and_call_all([a, b], outputs, va, vb)
    for result, wanted in zip(results, expected, strict=True):
        assert_matches_numpy(result, np.asarray(wanted))


def test_max_and_argmax_match_numpy() -> None:
    value = _values("float64", (3, 4))
    x = variable_for(value, "x")
    maximum, index = T.max_and_argmax(x, axis=1)
    results = compile_and_call_all([x], [maximum, index], value)
    assert_matches_numpy(results[0], value.max(axis=1))
    assert_matches_numpy(results[1], value.argmax(axis=1))


# -- types: specify_shape and the broadcast patterns ---------------------------------------------


def test_specify_shape_checks_the_sizes_when_it_runs() -> None:
    x = T.dmatrix("x")
    y = T.specify_shape(x, (2, None))
    assert y.type.shape == (2, None)
    f = tracegraph.function([x], y * 2)
    np.testing.assert_array_equal(f(np.ones((2, 5))), np.full((2, 5), 2.0))
    with pytest.raises(ShapeMismatchError, match=r"specified \(2, \?\)"):
        f(np.ones((3, 5)))


def test_addbroadcast_unbroadcast_and_patternbroadcast() -> None:
    x = T.dmatrix("x")
    row = T.addbroadcast(x, 0)
    assert row.broadcastable == (True, False)
    assert T.unbroadcast(row, 0).broadcastable == (False, False)
    assert T.patternbroadcast(x, (False, True)).broadcastable == (False, True)
    f = tracegraph.function([x], row + np.ones((3, 1)))
    np.testing.assert_array_equal(f(np.zeros((1, 2))), np.ones((3, 2)))
    with pytest.raises(ShapeMismatchError, match="specified"):
        f(np.zeros((2, 2)))
    r = T.drow("r")
    assert tracegraph.function([r], T.unbroadcast(r, 0))(np.ones((1, 2))).shape == (1, 2)


def test_specify_shape_gradient_has_the_operand_type() -> None:
    x = T.dmatrix("x")
    cost = T.sum(T.addbroadcast(x, 0) ** 2)
    g = T.grad(cost, x)
    assert g.type.shape == (None, None)
    np.testing.assert_allclose(tracegraph.function([x], g)(np.ones((1, 3))), np.full((1, 3), 2.0))


def test_mgrid_and_ogrid_match_numpy() -> None:
    dense = compile_and_call_all([], T.mgrid[0:3, 1:5:2])
    for result, expected in zip(dense, np.mgrid[0:3, 1:5:2], strict=True):
        assert_matches_numpy(result, expected.astype(np.int64))
    sparse = compile_and_call_all([], T.ogrid[0:2, 0:3])
    for result, expected in zip(sparse, np.ogrid[0:2, 0:3], strict=True):
        assert_matches_numpy(result, expected.astype(np.int64))


def test_stack_in_both_spellings() -> None:
    a, b = T.dscalars("a", "b")
    old = compile_and_call([a, b], T.stack(a, b), 1.0, 2.0)
    new = compile_and_call([a, b], T.stack([a, b]), 1.0, 2.0)
    assert old.tolist() == new.tolist() == [1.0, 2.0]
    u, v = T.dvectors("u", "v")
    by_axis = compile_and_call([u, v], T.stack([u, v], 1), np.ones(2), np.zeros(2))
    assert by_axis.tolist() == [[1.0, 0.0], [1.0, 0.0]]


def test_plural_constructor_splits_one_string_into_letters() -> None:
    x, y = T.scalars("xy")
    assert (x.name, y.name) == ("x", "y")
    assert [v.name for v in T.dmatrices("a", "b")] == ["a", "b"]


# -- nonzero and boolean masks -------------------------------------------------------------------


@pytest.mark.parametrize("dtype", ["float64", "int32", "bool"])
def test_nonzero_functions_match_numpy(dtype: str) -> None:
    value = _values(dtype, (3, 4))
    value.flat[[0, 5, 6]] = 0
    x = variable_for(value, "x")
    outputs = [*T.nonzero(x), T.nonzero(x, return_matrix=True), T.flatnonzero(x)]
    outputs.append(T.nonzero_values(x))
    expected = [*np.nonzero(value), np.array(np.nonzero(value)), np.flatnonzero(value)]
    expected.append(value[value != 0])
    for result, wanted in zip(compile_and_call_all([x], outputs, value), expected, strict=True):
        assert_matches_numpy(
            result, wanted.astype(result.dtype) if result.dtype.kind == "i" else wanted
        )


def test_nonzero_of_nothing_gives_empty_indices() -> None:
    x = T.dvector("x")
    (result,) = compile_and_call_all([x], [T.nonzero(x)[0]], np.zeros(3))
    assert_matches_numpy(result, np.zeros(0, dtype=np.int64))


def test_boolean_mask_indexing_matches_numpy() -> None:
    value = _values("float64", (3, 4))
    x = variable_for(value, "x")
    column_mask = np.array([True, False, True, True])
    outputs = [
        x[x > 0],
        x[:, column_mask],
        x[T.gt(x[:, 0], 0)],
        T.set_subtensor(x[x > 0], 0.0),
        T.inc_subtensor(x[x < 0], 10.0),
        T.set_subtensor(x[:, column_mask], T.zeros((3, 3))),
    ]
    expected = [value[value > 0], value[:, column_mask], value[value[:, 0] > 0]]
    for mask, amount, add in ((value > 0, 0.0, False), (value < 0, 10.0, True)):
        updated = value.copy()
        updated[mask] = updated[mask] + amount if add else amount
        expected.append(updated)
    zeroed = value.copy()
    zeroed[:, column_mask] = 0.0
    expected.append(zeroed)
    for result, wanted in zip(compile_and_call_all([x], outputs, value), expected, strict=True):
        assert_matches_numpy(result, wanted)


def test_a_mask_of_the_wrong_size_is_an_index_error() -> None:
    x = T.tensor("float64", (False,), "x")
    fixed = T.specify_shape(x, (3,))
    with pytest.raises(IndexError, match="boolean index did not match"):
        fixed[np.array([True, False])]


def test_tri_and_to_one_hot_match_numpy() -> None:
    n = T.lscalar("n")
    result = compile_and_call([n], T.tri(n, 5, -1, dtype="int32"), 3)
    assert_matches_numpy(result, np.tri(3, 5, -1, dtype=np.int32))
    labels = T.lvector("labels")
    one_hot = compile_and_call([labels], T.to_one_hot(labels, 4), np.array([3, 0, 3]))
    assert_matches_numpy(one_hot, np.eye(4)[[3, 0, 3]])
