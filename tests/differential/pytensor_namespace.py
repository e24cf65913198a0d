"""PyTensor under tracegraph's names: the namespace ``tests/passes/graph_expressions.py`` builds
random graphs with, so that the very same graph is built in both libraries.

PyTensor keeps Theano's names for almost everything; the differences are here: ``abs_``,
``tensor(dtype, shape, name)``, ``grad``, and ``nnet.softmax_along`` / ``log_softmax_along``
(``pytensor.tensor.special``'s ``softmax(x, axis)``).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytensor
import pytensor.gradient
import pytensor.tensor as pt
from pytensor.tensor.special import log_softmax, softmax


def _tensor(dtype: str, shape: Any = None, name: str | None = None) -> Any:
    return pt.tensor(name=name, dtype=dtype, shape=shape)


class _PyTensorNamespace(SimpleNamespace):
    def __getattr__(self, name: str) -> Any:
        return getattr(pt, name)


PYTENSOR = _PyTensorNamespace(
    abs_=pt.abs,
    tensor=_tensor,
    grad=pytensor.grad,
    disconnected_grad=pytensor.gradient.disconnected_grad,
    zero_grad=pytensor.gradient.zero_grad,
    grad_clip=pytensor.gradient.grad_clip,
    nnet=SimpleNamespace(
        softmax_along=lambda x, axis: softmax(x, axis=axis),
        log_softmax_along=lambda x, axis: log_softmax(x, axis=axis),
    ),
)
"""``pytensor.tensor`` with tracegraph's names."""
