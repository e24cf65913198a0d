"""Theano's ``T.nnet`` names: ``sigmoid``, ``softplus``, ``relu``, ``softmax``.

>>> import tracegraph.tensor as T
>>> T.nnet.sigmoid(T.dvector()).dtype
'float64'
"""

from __future__ import annotations

from tracegraph.tensor.math import exp, maximum, sigmoid, softplus
from tracegraph.tensor.math import max as reduce_max
from tracegraph.tensor.math import sum as reduce_sum
from tracegraph.tensor.variable import TensorLike, TensorVariable, as_tensor_variable


def relu(x: TensorLike) -> TensorVariable:
    """``max(x, 0)``."""
    return maximum(x, 0)


def softmax(x: TensorLike) -> TensorVariable:
    """Softmax over the last axis, computed without overflow."""
    variable = as_tensor_variable(x)
    axis = variable.ndim - 1
    shifted = exp(variable - reduce_max(variable, axis=axis, keepdims=True))
    return shifted / reduce_sum(shifted, axis=axis, keepdims=True)


__all__ = ["relu", "sigmoid", "softmax", "softplus"]
