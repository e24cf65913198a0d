"""The logistic regression example of the specification pages ("A Real Example: Logistic
Regression"), with ``theano`` renamed to ``tracegraph`` and its expressions unchanged.

The global NumPy generator is seeded so that the tutorial's ``rng = numpy.random`` calls give
fixed data. With :data:`SEED`, 45 of the 400 initial probabilities ``p_1`` round to exactly 1.0
in float64 (``dot(x, w) > ~37``), where the tutorial's ``T.log(1 - p_1)`` is ``log(0)``: the
program only trains without NaN or inf because the stabilize pass rewrites the cross-entropy
into ``softplus`` form. The training runs in lockstep with a hand-written NumPy step using the
analytic gradient.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy
import numpy as np
import pytest
from numpy.typing import NDArray

import tracegraph
import tracegraph.tensor as T
from tracegraph import Function, SharedVariable

SEED = 4
"""``numpy.random.seed(SEED)``: 45 of the 400 initial probabilities are exactly 1.0."""
SATURATED_AT_LEAST = 30
"""The data must keep at least this many initial probabilities at exactly 1.0 (the hazard)."""
TRAINING_STEPS = 10000
"""The tutorial's ``training_steps``."""
RTOL = 1e-9
"""Agreement of tracegraph's trained ``w`` and ``b`` (and ``err``) with the NumPy step."""


@dataclass
class Tutorial:
    """What the tutorial's program defines."""

    D: tuple[NDArray[np.float64], NDArray[np.int64]]
    w: SharedVariable
    b: SharedVariable
    train: Function[Any]
    predict: Function[Any]


@pytest.fixture
def seeded() -> Iterator[None]:
    """The global NumPy generator seeded with :data:`SEED`, restored afterwards."""
    state = numpy.random.get_state()
    numpy.random.seed(SEED)
    yield
    numpy.random.set_state(state)


def tutorial_program() -> Tutorial:
    """The tutorial's program up to (not including) the training loop."""
    rng = numpy.random
    N = 400
    feats = 784
    D = (rng.randn(N, feats), rng.randint(size=N, low=0, high=2))

    # Declare Theano symbolic variables
    x = T.dmatrix("x")
    y = T.dvector("y")
    w = tracegraph.shared(rng.randn(feats), name="w")
    b = tracegraph.shared(0.0, name="b")

    # Construct Theano expression graph
    p_1 = 1 / (1 + T.exp(-T.dot(x, w) - b))  # Probability that target = 1
    prediction = p_1 > 0.5  # The prediction thresholded
    xent = -y * T.log(p_1) - (1 - y) * T.log(1 - p_1)  # Cross-entropy loss function
    cost = xent.mean() + 0.01 * (w**2).sum()  # The cost to minimize
    gw, gb = T.grad(cost, [w, b])  # Compute the gradient of the cost

    # Compile
    train = tracegraph.function(
        inputs=[x, y],
        outputs=[prediction, xent],
        updates=((w, w - 0.1 * gw), (b, b - 0.1 * gb)),
    )
    predict = tracegraph.function(inputs=[x], outputs=prediction)
    return Tutorial(D=D, w=w, b=b, train=train, predict=predict)


def numpy_probabilities(
    x: NDArray[np.float64], w: NDArray[np.float64], b: float
) -> NDArray[np.float64]:
    """``p_1`` computed by NumPy as the tutorial writes it."""
    result: NDArray[np.float64] = 1 / (1 + np.exp(-(x @ w + b)))
    return result


def numpy_xent(
    x: NDArray[np.float64], y: NDArray[np.float64], w: NDArray[np.float64], b: float
) -> NDArray[np.float64]:
    """The cross-entropy in its stable form: ``y softplus(-z) + (1 - y) softplus(z)``."""
    z = x @ w + b
    result: NDArray[np.float64] = y * np.logaddexp(0.0, -z) + (1 - y) * np.logaddexp(0.0, z)
    return result


def relative_difference(actual: NDArray[Any], expected: NDArray[Any]) -> float:
    """The largest elementwise ``|actual - expected| / |expected|``."""
    scale = np.maximum(np.abs(expected), np.finfo(np.float64).tiny)
    return float(np.max(np.abs(np.asarray(actual) - expected) / scale))


def test_data_saturates_many_initial_probabilities(seeded: None) -> None:
    tutorial = tutorial_program()
    x, y = tutorial.D
    p_1 = numpy_probabilities(x, tutorial.w.get_value(), float(tutorial.b.get_value()))
    saturated = p_1 == 1.0
    assert saturated.sum() >= SATURATED_AT_LEAST
    # There, the tutorial's formula evaluated as written is -inf (y = 0) or NaN (y = 1: 0 * inf).
    with np.errstate(divide="ignore", invalid="ignore"):
        naive = -y * np.log(p_1) - (1 - y) * np.log(1 - p_1)
    assert not np.isfinite(naive[saturated]).any()
    assert np.isfinite(naive[~saturated]).all()


def test_cross_entropy_is_stabilized_into_softplus(seeded: None) -> None:
    final = tutorial_program().train.dump_ir("final", locations=False)
    assert "tg.softplus" in final
    assert not re.search(r"\btg\.log\b", final), final


@pytest.mark.slow
def test_training_stays_finite_and_matches_numpy(seeded: None) -> None:
    tutorial = tutorial_program()
    D, w, b, train, predict = tutorial.D, tutorial.w, tutorial.b, tutorial.train, tutorial.predict
    x, y = D[0], D[1].astype(np.float64)
    n = len(y)
    numpy_w = w.get_value().copy()
    numpy_b = float(b.get_value())
    err_difference = 0.0

    # Train
    for i in range(TRAINING_STEPS):
        pred, err = train(D[0], D[1])

        # pred and err are computed from the parameters before this step's update.
        p = numpy_probabilities(x, numpy_w, numpy_b)
        assert np.isfinite(pred).all(), f"step {i}: pred not finite"
        assert np.isfinite(err).all(), (
            f"step {i}: err not finite at {np.flatnonzero(~np.isfinite(err)).tolist()}, "
            f"dot(x, w) + b there: {(x @ numpy_w + numpy_b)[~np.isfinite(err)].tolist()}"
        )
        np.testing.assert_array_equal(pred, p > 0.5, err_msg=f"step {i}: pred")
        expected_err = numpy_xent(x, y, numpy_w, numpy_b)
        np.testing.assert_allclose(err, expected_err, rtol=RTOL, atol=0, err_msg=f"step {i}")
        err_difference = max(err_difference, relative_difference(err, expected_err))

        # The same step in NumPy with the analytic gradient of the cost.
        gz = (p - y) / n
        numpy_w = numpy_w - 0.1 * (x.T @ gz + 0.02 * numpy_w)
        numpy_b = numpy_b - 0.1 * gz.sum()

    final_w, final_b = w.get_value(), b.get_value()
    assert np.isfinite(final_w).all() and np.isfinite(final_b)
    np.testing.assert_allclose(final_w, numpy_w, rtol=RTOL, atol=0)
    np.testing.assert_allclose(final_b, numpy_b, rtol=RTOL, atol=0)
    print(
        f"max relative difference from NumPy: w {relative_difference(final_w, numpy_w):.3g}, "
        f"b {relative_difference(final_b, np.asarray(numpy_b)):.3g}, "
        f"err (all steps) {err_difference:.3g}"
    )

    # The tutorial's point: the trained model predicts its training data.
    prediction = predict(D[0])
    np.testing.assert_array_equal(prediction, numpy_probabilities(x, numpy_w, numpy_b) > 0.5)
    assert (prediction == D[1]).mean() >= 0.99
