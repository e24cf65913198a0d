"""LeNet-5 (two convolutions with max pooling, three dense layers, softmax) trained for a few
SGD steps on synthetic MNIST-sized data, on every backend: the losses and the trained weights
agree with the reference backend's."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import tracegraph
import tracegraph.tensor as T
from tracegraph.tensor.signal.pool import pool_2d

SHAPES = [
    (6, 1, 5, 5),
    (6,),
    (16, 6, 5, 5),
    (16,),
    (256, 120),
    (120,),
    (120, 84),
    (84,),
    (84, 10),
    (10,),
]


def lenet_step(dtype: str, mode: Any) -> tuple[Any, list[tracegraph.SharedVariable]]:
    """A training step (images, labels) -> loss, updating the weights (a fixed seed)."""
    rng = np.random.default_rng(5)
    params = [
        tracegraph.shared((rng.standard_normal(shape) * 0.1).astype(dtype), f"p{i}")
        for i, shape in enumerate(SHAPES)
    ]
    w1, b1, w2, b2, w3, b3, w4, b4, w5, b5 = params
    images, labels = T.tensor4("images", dtype=dtype), T.lvector("labels")
    h = T.tanh(T.nnet.conv2d(images, w1) + b1.dimshuffle("x", 0, "x", "x"))
    h = pool_2d(h, (2, 2), ignore_border=True)
    h = T.tanh(T.nnet.conv2d(h, w2) + b2.dimshuffle("x", 0, "x", "x"))
    h = pool_2d(h, (2, 2), ignore_border=True).flatten(2)
    h = T.tanh(T.dot(h, w3) + b3)
    h = T.tanh(T.dot(h, w4) + b4)
    probabilities = T.nnet.softmax(T.dot(h, w5) + b5)
    loss = -T.mean(T.log(probabilities)[T.arange(labels.shape[0]), labels])
    updates = [(p, p - 0.1 * g) for p, g in zip(params, T.grad(loss, params), strict=True)]
    return tracegraph.function([images, labels], loss, updates=updates, mode=mode), params


def _train(dtype: str, mode: Any) -> tuple[list[float], list[Any]]:
    rng = np.random.default_rng(6)
    step, params = lenet_step(dtype, mode)
    images = rng.standard_normal((8, 1, 28, 28)).astype(dtype)
    labels = rng.integers(0, 10, 8)
    losses = [float(step(images, labels)) for _ in range(3)]
    return losses, [p.get_value() for p in params]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_lenet_trains_as_on_the_reference(dtype: str) -> None:
    losses, weights = _train(dtype, None)
    reference_losses, reference_weights = _train(dtype, tracegraph.Mode(linker="numpy"))
    tolerance = 1e-10 if dtype == "float64" else 2e-4
    np.testing.assert_allclose(losses, reference_losses, rtol=tolerance)
    for ours, theirs in zip(weights, reference_weights, strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=tolerance, atol=tolerance)
    assert losses[-1] < losses[0]  # it learns (the same batch each step)
