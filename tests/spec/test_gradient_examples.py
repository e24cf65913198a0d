"""The gradient examples of the specification pages, with ``theano`` renamed to ``tracegraph``,
printing the values and expressions shown."""

from __future__ import annotations

import numpy as np
import pytest

import tracegraph
import tracegraph.tensor as T
from tracegraph import function, pp


def test_gradient_of_x_squared_prints_in_full_before_optimization() -> None:
    x = T.dscalar("x")
    y = x**2
    gy = T.grad(y, x)
    assert pp(gy) == "((fill((x ** 2), 1.0) * 2) * (x ** (2 - 1)))"


def test_gradient_of_x_squared_evaluates() -> None:
    x = T.dscalar("x")
    gy = T.grad(x**2, x)
    f = function([x], gy)
    assert f(4) == np.array(8.0) and f(4).dtype == np.float64 and f(4).shape == ()
    np.testing.assert_allclose(f(94.2), 188.40000000000001, rtol=0, atol=1e-12)


@pytest.mark.parametrize("attribute", ["env", "fgraph"])
def test_optimized_gradient_is_one_node_that_doubles_the_input(attribute: str) -> None:
    x = T.dscalar("x")
    f = function([x], T.grad(x**2, x))
    graph = getattr(f.maker, attribute)
    assert pp(graph.outputs[0]) == "(2.0 * x)"
    assert len(graph.toposort()) == 2  # the constant 2.0 and the one multiplication


def test_gradient_of_the_logistic_function() -> None:
    x = T.dmatrix("x")
    s = 1 / (1 + T.exp(-x))
    gs = T.grad(s.sum(), x)  # the older page's T.grad(s, x) needs a scalar cost
    dlogistic = function([x], gs)
    np.testing.assert_allclose(
        dlogistic([[0, 1], [-1, -2]]),
        [[0.25, 0.19661193], [0.19661193, 0.10499359]],
        rtol=0,
        atol=5e-9,
    )


def test_gradient_of_a_matrix_cost_needs_a_scalar() -> None:
    x = T.dmatrix("x")
    s = 1 / (1 + T.exp(-x))
    with pytest.raises(TypeError, match="scalar"):
        T.grad(s, x)


def test_grad_with_a_list_returns_a_list_in_order() -> None:
    x, y = T.dscalars("x", "y")
    cost = x**2 * y
    gx, gy = T.grad(cost, [x, y])
    f = function([x, y], [gx, gy])
    assert [float(v) for v in f(3.0, 2.0)] == [12.0, 9.0]


def test_optimized_gradient_of_the_logistic_stays_finite_far_out() -> None:
    x = T.dvector("x")
    s = 1 / (1 + T.exp(-x))
    dlogistic = tracegraph.function([x], T.grad(s.sum(), x))
    values = dlogistic([-1000.0, -40.0, 0.0, 40.0, 1000.0])
    assert np.all(np.isfinite(values))
    np.testing.assert_allclose(values[2], 0.25)
