"""``T.nnet.conv2d``, ``pool_2d`` and batch normalization on every backend, compared with
oracles written from the definitions, one output element at a time (Theano's ``perform``
loops): every border mode, strides, dilation, groups, flipped or not; every pooling mode,
padding and border rule; and their gradients against the same oracles' finite differences."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest

import tracegraph
import tracegraph.tensor as T
from tests.backends.numpy_helpers import compile_and_call, compile_and_call_all, variable_for
from tests.numpy_oracle import assert_matches_numpy

Array = np.ndarray[Any, Any]
_RNG = np.random.default_rng(20261206)


def conv_oracle(
    x: Array,
    w: Array,
    padding: tuple[int, int],
    strides: tuple[int, int],
    dilation: tuple[int, int],
    groups: int,
    flip: bool,
) -> Array:
    """The convolution, one output element at a time, in float64."""
    if flip:
        w = w[:, :, ::-1, ::-1]
    x = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (padding[0],) * 2, (padding[1],) * 2))
    batch, _, rows, columns = x.shape
    filters, channels, kh, kw = w.shape
    span = ((kh - 1) * dilation[0] + 1, (kw - 1) * dilation[1] + 1)
    out = ((rows - span[0]) // strides[0] + 1, (columns - span[1]) // strides[1] + 1)
    result = np.zeros((batch, filters, *out))
    per_group = filters // groups
    for b, f, r, c in itertools.product(range(batch), range(filters), range(out[0]), range(out[1])):
        group = f // per_group
        for ch, i, j in itertools.product(range(channels), range(kh), range(kw)):
            row, column = r * strides[0] + i * dilation[0], c * strides[1] + j * dilation[1]
            result[b, f, r, c] += x[b, group * channels + ch, row, column] * w[f, ch, i, j]
    return result


CONVOLUTIONS: dict[
    str, tuple[dict[str, Any], tuple[int, ...], tuple[int, ...], tuple[Any, ...]]
] = {
    # name: (conv2d arguments, image shape, filter shape, oracle geometry)
    "valid": ({}, (2, 3, 6, 5), (4, 3, 3, 2), ((0, 0), (1, 1), (1, 1), 1, True)),
    "full": (
        {"border_mode": "full"},
        (1, 2, 4, 4),
        (3, 2, 3, 3),
        ((2, 2), (1, 1), (1, 1), 1, True),
    ),
    "half": (
        {"border_mode": "half"},
        (1, 2, 5, 6),
        (2, 2, 3, 5),
        ((1, 2), (1, 1), (1, 1), 1, True),
    ),
    "int-padding": (
        {"border_mode": 1},
        (1, 1, 3, 4),
        (2, 1, 2, 2),
        ((1, 1), (1, 1), (1, 1), 1, True),
    ),
    "pair-padding": (
        {"border_mode": (2, 0)},
        (1, 1, 3, 4),
        (1, 1, 2, 3),
        ((2, 0), (1, 1), (1, 1), 1, True),
    ),
    "subsample": (
        {"subsample": (2, 3)},
        (2, 2, 7, 8),
        (3, 2, 3, 2),
        ((0, 0), (2, 3), (1, 1), 1, True),
    ),
    "correlation": (
        {"filter_flip": False},
        (1, 2, 5, 5),
        (2, 2, 3, 3),
        ((0, 0), (1, 1), (1, 1), 1, False),
    ),
    "dilation": (
        {"filter_dilation": (2, 1)},
        (1, 1, 7, 5),
        (2, 1, 3, 2),
        ((0, 0), (1, 1), (2, 1), 1, True),
    ),
    "groups": ({"num_groups": 2}, (2, 4, 5, 5), (6, 2, 2, 3), ((0, 0), (1, 1), (1, 1), 2, True)),
    "everything": (
        {"border_mode": "half", "subsample": 2, "filter_dilation": 2, "num_groups": 3},
        (1, 3, 9, 8),
        (3, 1, 3, 3),
        ((2, 2), (2, 2), (2, 2), 3, True),
    ),
}


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", sorted(CONVOLUTIONS))
def test_conv2d_matches_the_definition(name: str, dtype: str) -> None:
    arguments, image_shape, filter_shape, geometry = CONVOLUTIONS[name]
    images = _RNG.standard_normal(image_shape).astype(dtype)
    filters = _RNG.standard_normal(filter_shape).astype(dtype)
    x, w = T.tensor4("x", dtype=dtype), T.tensor4("w", dtype=dtype)
    result = compile_and_call([x, w], T.nnet.conv2d(x, w, **arguments), images, filters)
    expected = conv_oracle(images, filters, *geometry)
    assert result.dtype == np.dtype(dtype) and result.shape == expected.shape
    tolerance = 1e-12 if dtype == "float64" else 1e-5
    np.testing.assert_allclose(result, expected, rtol=tolerance, atol=tolerance)


@pytest.mark.parametrize("name", sorted(CONVOLUTIONS))
def test_conv2d_gradients_match_the_definitions_differences(name: str) -> None:
    arguments, image_shape, filter_shape, geometry = CONVOLUTIONS[name]
    images = _RNG.standard_normal(image_shape)
    filters = _RNG.standard_normal(filter_shape)
    x, w = T.tensor4("x"), T.tensor4("w")
    weights = _RNG.standard_normal(conv_oracle(images, filters, *geometry).shape)
    cost = T.sum(T.nnet.conv2d(x, w, **arguments) * weights)
    gx, gw = compile_and_call_all([x, w], T.grad(cost, [x, w]), images, filters)
    # The cost is linear in each operand: its gradient is exact from one difference each.
    for grad, which in ((gx, 0), (gw, 1)):
        base = [images, filters]
        numeric = np.zeros_like(base[which])
        for index in np.ndindex(*base[which].shape):
            bumped = [a.copy() for a in base]
            bumped[which][index] += 1.0
            numeric[index] = np.sum(conv_oracle(*bumped, *geometry) * weights) - np.sum(
                conv_oracle(*base, *geometry) * weights
            )
        np.testing.assert_allclose(grad, numeric, rtol=1e-9, atol=1e-9)


def test_conv2d_with_filters_of_unknown_size_pads_when_it_runs() -> None:
    x, w = T.tensor4("x"), T.tensor4("w")
    y = T.nnet.conv2d(x, w, border_mode="full")
    assert y.type.shape[2:] == (None, None)
    images, filters = _RNG.standard_normal((1, 1, 4, 4)), _RNG.standard_normal((1, 1, 3, 2))
    result = compile_and_call([x, w], y, images, filters)
    np.testing.assert_allclose(
        result, conv_oracle(images, filters, (2, 1), (1, 1), (1, 1), 1, True)
    )


def test_conv2d_errors() -> None:
    x, w = T.tensor4("x"), T.tensor4("w")
    with pytest.raises(ValueError, match="border_mode"):
        T.nnet.conv2d(x, w, border_mode="same")
    with pytest.raises(ValueError, match="4-d"):
        T.nnet.conv2d(T.dmatrix(), w)
    f = tracegraph.function([x, w], T.nnet.conv2d(x, w))
    with pytest.raises(tracegraph.ShapeMismatchError, match="channels"):
        f(np.ones((1, 2, 4, 4)), np.ones((1, 3, 2, 2)))
    with pytest.raises(tracegraph.ShapeMismatchError, match="do not fit"):
        f(np.ones((1, 1, 2, 2)), np.ones((1, 1, 3, 3)))


# -- pooling -------------------------------------------------------------------------------------


def pool_oracle(
    x: Array,
    ws: tuple[int, int],
    stride: tuple[int, int],
    pad: tuple[int, int],
    ignore_border: bool,
    mode: str,
) -> Array:
    """Theano's ``Pool.perform``: one window at a time over the zero-padded images."""
    rows, columns = x.shape[-2] + 2 * pad[0], x.shape[-1] + 2 * pad[1]

    def out_size(size: int, w: int, s: int) -> int:
        if ignore_border:
            return max(0, (size - w) // s + 1)
        return (size - 1) // s + 1 if s >= w else max(0, (size - 1 - w + s) // s) + 1

    out = (out_size(rows, ws[0], stride[0]), out_size(columns, ws[1], stride[1]))
    padded = np.zeros((*x.shape[:-2], rows, columns), dtype=np.float64)
    padded[..., pad[0] : rows - pad[0], pad[1] : columns - pad[1]] = x
    result = np.zeros((*x.shape[:-2], *out))
    for r, c in itertools.product(range(out[0]), range(out[1])):
        r0, c0 = r * stride[0], c * stride[1]
        r1, c1 = min(r0 + ws[0], rows), min(c0 + ws[1], columns)
        if mode != "average_inc_pad":
            r0, c0 = max(r0, pad[0]), max(c0, pad[1])
            r1, c1 = min(r1, x.shape[-2] + pad[0]), min(c1, x.shape[-1] + pad[1])
        window = padded[..., r0:r1, c0:c1]
        if mode == "max":
            result[..., r, c] = window.max(axis=(-2, -1))
        elif mode == "sum":
            result[..., r, c] = window.sum(axis=(-2, -1))
        else:
            result[..., r, c] = window.mean(axis=(-2, -1))
    return result


POOLS: dict[str, tuple[dict[str, Any], tuple[int, ...], tuple[Any, ...]]] = {
    "max-2x2": (
        {"ws": (2, 2), "ignore_border": True},
        (2, 3, 6, 4),
        ((2, 2), (2, 2), (0, 0), True, "max"),
    ),
    "max-partial": (
        {"ws": (2, 3), "ignore_border": False},
        (1, 2, 5, 7),
        ((2, 3), (2, 3), (0, 0), False, "max"),
    ),
    "max-overlapping": (
        {"ws": (3, 3), "stride": (1, 2), "ignore_border": False},
        (1, 1, 5, 6),
        ((3, 3), (1, 2), (0, 0), False, "max"),
    ),
    "max-padded": (
        {"ws": (3, 2), "pad": (1, 1), "ignore_border": True},
        (2, 4, 5),
        ((3, 2), (3, 2), (1, 1), True, "max"),
    ),
    "sum": (
        {"ws": (2, 2), "ignore_border": False, "mode": "sum"},
        (1, 3, 5, 5),
        ((2, 2), (2, 2), (0, 0), False, "sum"),
    ),
    "average-inc-pad": (
        {
            "ws": (3, 3),
            "stride": (2, 2),
            "pad": (1, 2),
            "ignore_border": True,
            "mode": "average_inc_pad",
        },
        (1, 1, 6, 7),
        ((3, 3), (2, 2), (1, 2), True, "average_inc_pad"),
    ),
    "average-exc-pad": (
        {
            "ws": (3, 3),
            "stride": (2, 2),
            "pad": (1, 2),
            "ignore_border": True,
            "mode": "average_exc_pad",
        },
        (1, 1, 6, 7),
        ((3, 3), (2, 2), (1, 2), True, "average_exc_pad"),
    ),
    "average-partial": (
        {"ws": (2, 2), "ignore_border": False, "mode": "average"},
        (3, 5),
        ((2, 2), (2, 2), (0, 0), False, "average_inc_pad"),
    ),
}


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", sorted(POOLS))
def test_pool_2d_matches_theanos_perform(name: str, dtype: str) -> None:
    arguments, shape, geometry = POOLS[name]
    value = _RNG.standard_normal(shape).astype(dtype)
    x = variable_for(value, "x")
    result = compile_and_call([x], T.signal.pool.pool_2d(x, **arguments), value)
    expected = pool_oracle(value, *geometry)
    assert result.dtype == np.dtype(dtype)
    # float32 sums round once per term: near 0 that is an absolute, not a relative, error.
    tolerance = 1e-6 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(result, expected, rtol=tolerance, atol=tolerance)


@pytest.mark.parametrize("name", sorted(POOLS))
def test_pool_2d_gradient_matches_the_oracles_differences(name: str) -> None:
    arguments, shape, geometry = POOLS[name]
    value = _RNG.permutation(np.prod(shape)).reshape(shape) * 0.1  # distinct: no ties
    weights = _RNG.standard_normal(pool_oracle(value, *geometry).shape)
    x = variable_for(value, "x")
    (grad,) = compile_and_call_all(
        [x], [T.grad(T.sum(T.signal.pool.pool_2d(x, **arguments) * weights), x)], value
    )
    numeric = np.zeros_like(value)
    eps = 1e-4
    for index in np.ndindex(*shape):
        up, down = value.copy(), value.copy()
        up[index] += eps
        down[index] -= eps
        numeric[index] = np.sum(
            (pool_oracle(up, *geometry) - pool_oracle(down, *geometry)) * weights
        ) / (2 * eps)
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-8)


def test_max_pool_gradient_goes_to_every_tied_maximum() -> None:
    x = T.dmatrix("x")
    grad = T.grad(T.sum(T.signal.pool.pool_2d(x, (2, 2), ignore_border=True)), x)
    result = compile_and_call([x], grad, np.array([[1.0, 1.0], [0.0, 1.0]]))
    assert_matches_numpy(result, np.array([[1.0, 1.0], [0.0, 1.0]]))


def test_pool_2d_errors() -> None:
    x = T.tensor4("x")
    with pytest.raises(ValueError, match="ignore_border=True"):
        T.signal.pool.pool_2d(x, (2, 2), pad=(1, 1))
    with pytest.raises(ValueError, match="mode"):
        T.signal.pool.pool_2d(x, (2, 2), mode="median")
    with pytest.raises(TypeError, match="floats"):
        T.signal.pool.pool_2d(T.imatrix(), (2, 2), mode="average_exc_pad")


# -- batch normalization -------------------------------------------------------------------------


@pytest.mark.parametrize("axes", ["per-activation", "spatial", (0, 2)])
def test_batch_normalization_train_and_test_match_numpy(axes: Any) -> None:
    value = _RNG.standard_normal((4, 3, 2, 2))
    reduced = {"per-activation": (0,), "spatial": (0, 2, 3)}.get(axes, axes)
    params_shape = tuple(1 if a in reduced else s for a, s in enumerate(value.shape))
    gamma, beta = _RNG.standard_normal(params_shape), _RNG.standard_normal(params_shape)
    running_mean, running_var = np.zeros(params_shape), np.ones(params_shape)
    x = T.tensor4("x")
    outputs = T.nnet.bn.batch_normalization_train(
        x, gamma, beta, axes, 1e-3, 0.2, running_mean, running_var
    )
    test_output = T.nnet.bn.batch_normalization_test(
        x, gamma, beta, running_mean, running_var, axes, 1e-3
    )
    results = compile_and_call_all([x], [*outputs, test_output], value)
    mean = value.mean(axis=reduced, keepdims=True)
    var = value.var(axis=reduced, keepdims=True)
    count = np.prod([value.shape[a] for a in reduced])
    expected = [
        (value - mean) / np.sqrt(var + 1e-3) * gamma + beta,
        mean,
        1 / np.sqrt(var + 1e-3),
        0.8 * running_mean + 0.2 * mean,
        0.8 * running_var + 0.2 * var * count / (count - 1),
        (value - running_mean) / np.sqrt(running_var + 1e-3) * gamma + beta,
    ]
    for result, wanted in zip(results, expected, strict=True):
        np.testing.assert_allclose(result, wanted, rtol=1e-12, atol=1e-12)
