"""``verify_grad``: check symbolic gradients against finite differences, as Theano did."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from tracegraph.errors import GradientError
from tracegraph.gradient.core import grad
from tracegraph.tensor import basic
from tracegraph.tensor import math as tm
from tracegraph.tensor.variable import TensorVariable, constant

_STEP = {"float64": 1e-6, "float32": 1e-3}
"""Finite-difference step per dtype (central differences: error ~ step**2)."""
_TOLERANCE = {"float64": 1e-4, "float32": 1e-2}
"""Default absolute and relative tolerance per dtype (Theano's for float64)."""


def _numeric_gradient(
    cost: Callable[..., Any], point: list[NDArray[Any]], step: float
) -> list[NDArray[np.float64]]:
    gradients = []
    for i, value in enumerate(point):
        gradient = np.zeros(value.shape, dtype=np.float64)
        for index in np.ndindex(value.shape):
            shifted = [p.copy() for p in point]
            original = value[index]
            shifted[i][index] = original + step
            above = float(cost(*shifted))
            shifted[i][index] = original - step
            below = float(cost(*shifted))
            gradient[index] = (above - below) / (2 * step)
        gradients.append(gradient)
    return gradients


def verify_grad(
    fun: Callable[..., TensorVariable],
    pt: Sequence[ArrayLike],
    n_tests: int = 2,
    rng: np.random.RandomState | np.random.Generator | None = None,
    eps: float | None = None,
    abs_tol: float | None = None,
    rel_tol: float | None = None,
    mode: Any = None,
) -> None:
    """Check the gradient of ``fun`` at the point ``pt`` against central finite differences.

    ``fun`` takes one symbolic variable per array of ``pt`` and returns a symbolic expression;
    it is projected on a random array to a scalar cost (``n_tests`` times, with different
    projections). Raises ``GradientError`` naming the input, the worst element and both values
    where an element differs by more than ``abs_tol`` *and* by more than ``rel_tol`` relative.
    A dimension of size 1 in ``pt`` is declared broadcastable, so ``fun`` can broadcast it.

    >>> import numpy as np
    >>> import tracegraph.tensor as T
    >>> verify_grad(lambda x: T.tanh(x) * x, [np.array([0.5, -1.0])])
    """
    from tracegraph.compile.function import function  # compile sits above gradient

    if rng is None:
        rng = np.random.RandomState(42)
    point = [np.array(p) for p in pt]
    point = [p if p.dtype.kind == "f" else p.astype(np.float64) for p in point]
    if not point:
        raise ValueError("verify_grad: pt must hold at least one array")
    dtype = str(np.result_type(*point))
    step = eps if eps is not None else _STEP.get(dtype, 1e-6)
    abs_tol = abs_tol if abs_tol is not None else _TOLERANCE.get(dtype, 1e-4)
    rel_tol = rel_tol if rel_tol is not None else _TOLERANCE.get(dtype, 1e-4)

    inputs = [
        basic.tensor(
            p.dtype, shape=tuple(1 if size == 1 else None for size in p.shape), name=f"input {i}"
        )
        for i, p in enumerate(point)
    ]
    output = fun(*inputs)
    if not isinstance(output, TensorVariable):
        raise TypeError(
            f"verify_grad: fun must return a symbolic variable, got {type(output).__name__}"
        )
    evaluate = function(inputs, output, mode=mode)
    output_shape = np.shape(evaluate(*point))
    for _ in range(n_tests):
        if isinstance(rng, np.random.Generator):
            projection = rng.random(output_shape) + 0.5
        else:
            projection = rng.random_sample(output_shape) + 0.5
        cost = tm.sum(output * constant(projection.astype(output.dtype)))
        gradients = grad(cost, inputs, disconnected_inputs="ignore")
        cost_function = function(inputs, cost, mode=mode)
        gradient_function = function(inputs, gradients, mode=mode)
        analytic = gradient_function(*point)
        numeric = _numeric_gradient(cost_function, point, step)
        for i, (a, n) in enumerate(zip(analytic, numeric, strict=True)):
            abs_error = np.abs(a - n)
            rel_error = abs_error / np.maximum(np.abs(a) + np.abs(n), 1e-300)
            bad = (abs_error > abs_tol) & (rel_error > rel_tol) | (np.isnan(a) != np.isnan(n))
            if np.any(bad):
                worst = np.unravel_index(int(np.argmax(np.where(bad, abs_error, -1))), a.shape)
                raise GradientError(
                    f"verify_grad: the gradient of input {i} (shape {point[i].shape}) disagrees "
                    f"with finite differences at {tuple(int(k) for k in worst)}: symbolic "
                    f"{a[worst]!r}, numeric {n[worst]!r} (abs error {abs_error[worst]:.3g}, rel "
                    f"error {rel_error[worst]:.3g}; tolerances {abs_tol:g}, {rel_tol:g})"
                )
