"""Theano's batch normalization (``theano.tensor.nnet.bn``): ``batch_normalization_train``
(normalizes by the batch's statistics and updates running averages),
``batch_normalization_test`` (by given statistics) and ``batch_normalization``; compositions
of reductions and elementwise ops, so that they fuse and differentiate like any graph.

>>> import numpy as np
>>> import tracegraph.tensor as T
>>> x = np.array([[1.0, 2.0], [3.0, 6.0]])
>>> out, mean, invstd = batch_normalization_train(x, np.ones((1, 2)), np.zeros((1, 2)), epsilon=0)
>>> out.eval()
array([[-1., -1.],
       [ 1.,  1.]])
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tracegraph.tensor import math as tm
from tracegraph.tensor.variable import TensorLike, TensorVariable, as_tensor_variable


def _axes(axes: str | Sequence[int], ndim: int) -> list[int]:
    if axes == "per-activation":
        return [0]
    if axes == "spatial":
        return [0, *range(2, ndim)]
    if isinstance(axes, str):
        raise ValueError(
            f"batch normalization: axes must be 'per-activation', 'spatial' or a list, not {axes!r}"
        )
    return sorted(int(a) % ndim for a in axes)


def batch_normalization_train(
    inputs: TensorLike,
    gamma: TensorLike,
    beta: TensorLike,
    axes: str | Sequence[int] = "per-activation",
    epsilon: float = 1e-4,
    running_average_factor: float = 0.1,
    running_mean: TensorLike | None = None,
    running_var: TensorLike | None = None,
) -> Any:
    """``(inputs - mean) * invstd * gamma + beta`` with the batch's mean and
    ``invstd = 1 / sqrt(var + epsilon)`` over ``axes`` (``"per-activation"``: the batch axis;
    ``"spatial"``: all but the channels, axis 1). Returns ``(out, mean, invstd)`` (kept
    dimensions), and with running averages given, also their updated values (the variance
    unbiased: ``var * m / (m - 1)`` for ``m`` values averaged).
    """
    x = as_tensor_variable(inputs)
    reduced = _axes(axes, x.ndim)
    mean = tm.mean(x, axis=reduced, keepdims=True)
    centered = x - mean
    var = tm.mean(tm.sqr(centered), axis=reduced, keepdims=True)
    invstd = tm.inv(tm.sqrt(var + epsilon))
    out = centered * invstd * gamma + beta
    if running_mean is None and running_var is None:
        return out, mean, invstd
    count = _count(x, reduced)
    results: list[TensorVariable] = [out, mean, invstd]
    factor = running_average_factor
    if running_mean is not None:
        results.append(as_tensor_variable(running_mean) * (1 - factor) + mean * factor)
    if running_var is not None:
        unbiased = var * (count / tm.maximum(count - 1, 1))
        results.append(as_tensor_variable(running_var) * (1 - factor) + unbiased * factor)
    return tuple(results)


def _count(x: TensorVariable, axes: list[int]) -> TensorVariable:
    count = x.shape[axes[0]]
    for axis in axes[1:]:
        count = count * x.shape[axis]
    return tm.true_div(count, 1)  # as a float


def batch_normalization_test(
    inputs: TensorLike,
    gamma: TensorLike,
    beta: TensorLike,
    mean: TensorLike,
    var: TensorLike,
    axes: str | Sequence[int] = "per-activation",
    epsilon: float = 1e-4,
) -> TensorVariable:
    """``(inputs - mean) / sqrt(var + epsilon) * gamma + beta`` with given statistics.

    >>> import numpy as np
    >>> batch_normalization_test(np.array([[3.0]]), 2.0, 1.0, 1.0, 4.0, epsilon=0).eval()
    array([[3.]])
    """
    x = as_tensor_variable(inputs)
    _axes(axes, x.ndim)  # checks the spelling
    return (x - mean) * tm.inv(tm.sqrt(as_tensor_variable(var) + epsilon)) * gamma + beta


def batch_normalization(
    inputs: TensorLike,
    gamma: TensorLike,
    beta: TensorLike,
    mean: TensorLike,
    std: TensorLike,
    mode: str = "low_mem",
) -> TensorVariable:
    """``(inputs - mean) * gamma / std + beta`` (Theano's ``batch_normalization``; ``mode``
    only chose how Theano computed it).

    >>> import numpy as np
    >>> batch_normalization(np.array([4.0]), 2.0, 1.0, 2.0, 4.0).eval()
    array([2.])
    """
    if mode not in ("low_mem", "high_mem"):
        raise ValueError(f"batch_normalization: mode must be 'low_mem' or 'high_mem', not {mode!r}")
    return (as_tensor_variable(inputs) - mean) * (as_tensor_variable(gamma) / std) + beta
