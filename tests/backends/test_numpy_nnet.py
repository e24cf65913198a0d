"""``T.nnet`` against NumPy formulas on every backend: the softmax family (Theano's shapes: a
vector is one row), the activations as Theano computes them, the cross-entropies, and their
gradients (Theano's, where an activation's derivative has a kink: ``relu`` at 0,
``sigmoid_binary_crossentropy`` at 0).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeAlias

import numpy as np
import pytest
from numpy.typing import NDArray

import tracegraph.tensor as T
from tracegraph import function
from tracegraph.gradient import verify_grad
from tracegraph.tensor import TensorVariable

Array: TypeAlias = NDArray[Any]

SCORES = np.array([[1000.0, 0.0, -1000.0], [1.0, 2.0, 3.0], [-0.5, -0.5, 0.25], [0.0, 0.0, 0.0]])


def np_softmax(x: Array, axis: int = -1) -> Array:
    shifted = np.exp(x - x.max(axis=axis, keepdims=True))
    result: Array = shifted / shifted.sum(axis=axis, keepdims=True)
    return result


def np_log_softmax(x: Array, axis: int = -1) -> Array:
    shifted = x - x.max(axis=axis, keepdims=True)
    result: Array = shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
    return result


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_softmax_and_logsoftmax_of_rows(dtype: str) -> None:
    x = T.tensor(dtype, (False, False), "x")
    f = function([x], [T.nnet.softmax(x), T.nnet.logsoftmax(x), T.log(T.nnet.softmax(x))])
    softmax, log_softmax, log_of_softmax = f(SCORES.astype(dtype))
    tolerance = 1e-6 if dtype == "float32" else 1e-15
    assert softmax.dtype == log_softmax.dtype == np.dtype(dtype)
    np.testing.assert_allclose(softmax, np_softmax(SCORES), rtol=tolerance, atol=1e-300)
    np.testing.assert_allclose(log_softmax, np_log_softmax(SCORES), rtol=tolerance)
    np.testing.assert_allclose(log_of_softmax, log_softmax, rtol=tolerance)  # finite: -2000


def test_softmax_of_a_vector_is_one_row_as_in_theano() -> None:
    v = T.dvector("v")
    f = function([v], [T.nnet.softmax(v), T.nnet.logsoftmax(v)])
    softmax, log_softmax = f(np.array([1.0, 2.0, 3.0]))
    assert softmax.shape == log_softmax.shape == (1, 3)
    np.testing.assert_allclose(softmax[0], np_softmax(np.array([1.0, 2.0, 3.0])), rtol=1e-15)


def test_softmax_along_any_axis_and_of_integers() -> None:
    x, i = T.dtensor3("x"), T.imatrix("i")
    values = np.arange(24.0).reshape(2, 3, 4) * 100
    f = function([x], [T.nnet.softmax_along(x, 1), T.nnet.log_softmax_along(x, -3)])
    along_1, along_0 = f(values)
    np.testing.assert_allclose(along_1, np_softmax(values, 1), rtol=1e-15, atol=1e-300)
    np.testing.assert_allclose(along_0, np_log_softmax(values, 0), rtol=1e-15)
    assert T.nnet.softmax(i).dtype == "float64"
    with pytest.raises(ValueError, match="axis 3 is out of range"):
        T.nnet.softmax_along(x, 3)


def test_softmax_of_an_empty_row_raises_as_max_does() -> None:
    x = T.dmatrix("x")
    f = function([x], T.nnet.softmax(x))
    assert f(np.zeros((0, 3))).shape == (0, 3)
    with pytest.raises(Exception, match=r"tg\.max|tg\.softmax"):
        f(np.zeros((2, 0)))


def test_softmax_gradient_is_softmax_minus_one_hot() -> None:
    x, y = T.dmatrix("x"), T.lvector("y")
    for nll in (
        T.nnet.categorical_crossentropy(T.nnet.softmax(x), y),
        T.nnet.crossentropy_softmax_1hot(x, y)[0],
        -T.log(T.nnet.softmax(x))[T.arange(y.shape[0]), y],
    ):
        value, gradient = function([x, y], [nll, T.grad(nll.sum(), x)])(SCORES, [2, 0, 1, 2])
        np.testing.assert_allclose(value, -np_log_softmax(SCORES)[range(4), [2, 0, 1, 2]])
        np.testing.assert_allclose(gradient, np_softmax(SCORES) - np.eye(3)[[2, 0, 1, 2]])


def test_categorical_crossentropy_with_one_hot_targets() -> None:
    p, t = T.dmatrix("p"), T.dmatrix("t")
    targets = np.eye(3)[[1, 2, 0, 0]]
    probabilities = np_softmax(SCORES[1:])
    value = function([p, t], T.nnet.categorical_crossentropy(p, t))(probabilities, targets[1:])
    np.testing.assert_allclose(value, -(targets[1:] * np.log(probabilities)).sum(axis=1))
    x = T.dmatrix("x")
    from_scores = T.nnet.categorical_crossentropy(T.nnet.softmax(x), t)  # stabilized: finite
    value = function([x, t], from_scores)(SCORES, targets)
    np.testing.assert_allclose(value, -(targets * np_log_softmax(SCORES)).sum(axis=1))
    with pytest.raises(TypeError, match="rank mismatch"):
        T.nnet.categorical_crossentropy(p, T.dtensor3("t3"))
    with pytest.raises(TypeError, match="integer vector"):
        T.nnet.crossentropy_categorical_1hot(p, T.dvector("labels"))


def test_crossentropy_softmax_family() -> None:
    x, b, y = T.dmatrix("x"), T.dvector("b"), T.lvector("y")
    bias, labels = np.array([0.0, 1.0, -1.0]), np.array([2, 0, 1, 1])
    scores = SCORES + bias
    nll, sm, am = T.nnet.crossentropy_softmax_argmax_1hot_with_bias(x, b, y)
    outs = T.nnet.crossentropy_softmax_max_and_argmax_1hot(x, y)
    values = function([x, b, y], [nll, sm, am])(SCORES, bias, labels)
    np.testing.assert_allclose(values[0], -np_log_softmax(scores)[range(4), labels])
    np.testing.assert_allclose(values[1], np_softmax(scores), atol=1e-300)
    np.testing.assert_array_equal(values[2], scores.argmax(axis=1))
    values = function([x, y], list(outs))(SCORES, labels)
    np.testing.assert_allclose(values[2], np_softmax(SCORES).max(axis=1))
    np.testing.assert_array_equal(values[3], SCORES.argmax(axis=1))


def test_one_hot_crossentropies_need_one_class_per_row() -> None:
    # As Theano ("y_idx must have same number of rows as x"): one class was broadcast to every
    # row by the advanced index, a silent wrong answer.
    x, y = T.dmatrix("x"), T.lvector("y")
    for nll in (
        T.nnet.crossentropy_categorical_1hot(T.nnet.softmax(x), y),
        T.nnet.categorical_crossentropy(T.nnet.softmax(x), y),
        T.nnet.crossentropy_softmax_1hot(x, y)[0],
        T.nnet.crossentropy_softmax_argmax_1hot_with_bias(x, np.zeros(3), y)[0],
    ):
        f = function([x, y], nll)
        np.testing.assert_allclose(
            f(SCORES[1:], [2, 0, 1]), -np_log_softmax(SCORES[1:])[range(3), [2, 0, 1]]
        )
        for labels in ([1], [1, 2]):
            with pytest.raises(ValueError):
                f(SCORES[1:], labels)


ACTIVATIONS: dict[str, tuple[Callable[[TensorVariable], TensorVariable], Callable[..., Any]]] = {
    "relu": (T.nnet.relu, lambda x: 0.5 * (x + abs(x))),
    "leaky-relu": (
        lambda x: T.nnet.relu(x, alpha=0.1),
        lambda x: 0.5 * 1.1 * x + 0.5 * 0.9 * abs(x),
    ),
    "elu": (T.nnet.elu, lambda x: np.where(x > 0, x, np.expm1(x))),
    "selu": (
        T.nnet.selu,
        lambda x: T.nnet.SELU_SCALE * np.where(x > 0, x, T.nnet.SELU_ALPHA * np.expm1(x)),
    ),
    "softsign": (T.nnet.softsign, lambda x: x / (1 + abs(x))),
    "hard_sigmoid": (T.nnet.hard_sigmoid, lambda x: np.clip(x * 0.2 + 0.5, 0, 1)),
    "softplus": (T.nnet.softplus, lambda x: np.logaddexp(0, x)),
    "sigmoid": (T.nnet.sigmoid, lambda x: 1 / (1 + np.exp(-x))),
}


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_activation_matches_its_formula(name: str, dtype: str) -> None:
    build, formula = ACTIVATIONS[name]
    values = np.array([-30.0, -2.5, -0.0, 0.0, 0.75, 4.0, 30.0], dtype=dtype)
    x = T.tensor(dtype, (False,), "x")
    result = function([x], build(x))(values)
    assert result.dtype == np.dtype(dtype)
    with np.errstate(over="ignore"):
        expected = np.asarray(formula(values.astype(np.float64)))
    np.testing.assert_allclose(result, expected, rtol=1e-6 if dtype == "float32" else 1e-14)


def _theano_ultra_fast_sigmoid(value: float) -> float:
    """Theano's ``UltraFastScalarSigmoid.st_impl``."""
    x = 0.5 * value
    if x >= 0:
        z = (
            1.5 * x / (1 + x)
            if x < 1.7
            else (0.935409070603099 + 0.0458812946797165 * (x - 1.7) if x < 3 else 0.99505475368673)
        )
    else:
        xx = -x
        z = (
            1.5 * xx / (1 + xx)
            if xx < 1.7
            else (
                0.935409070603099 + 0.0458812946797165 * (xx - 1.7) if xx < 3 else 0.99505475368673
            )
        )
        z = -z
    return 0.5 * (z + 1.0)


def test_ultra_fast_sigmoid_is_theanos() -> None:
    values = np.array([-10.0, -5.0, -3.4, -2.0, -0.0, 0.0, 1.0, 3.3, 4.0, 7.0, np.nan, np.inf])
    x = T.dvector("x")
    result = function([x], T.nnet.ultra_fast_sigmoid(x))(values)
    expected = [_theano_ultra_fast_sigmoid(v) for v in values]
    np.testing.assert_allclose(result, expected, rtol=1e-15)
    assert np.abs(result[:-2] - 1 / (1 + np.exp(-values[:-2]))).max() < 0.02


def test_activation_gradients_at_their_kinks_are_theanos() -> None:
    x = T.dvector("x")
    at = np.array([-1.0, 0.0, 2.0])
    relu = function([x], T.grad(T.nnet.relu(x).sum(), x))(at)
    np.testing.assert_array_equal(relu, [0.0, 0.5, 1.0])  # 0.5 * (1 + sign(0))
    leaky = function([x], T.grad(T.nnet.relu(x, 0.2).sum(), x))(at)
    np.testing.assert_allclose(leaky, [0.2, 0.6, 1.0], rtol=1e-15)
    hard = function([x], T.grad(T.nnet.hard_sigmoid(x).sum(), x))(np.array([-2.5, 0.0, 2.5, 9]))
    np.testing.assert_allclose(hard, [0.2, 0.2, 0.2, 0.0], rtol=1e-15)  # clip passes its bounds


def test_binary_crossentropies() -> None:
    o, t = T.dvector("o"), T.dvector("t")
    logits = np.array([-800.0, -2.0, 0.0, 0.0, 3.0, 800.0])
    targets = np.array([1.0, 0.0, 1.0, 0.25, 1.0, 0.0])
    expected = np.logaddexp(0, -np.abs(logits)) + logits * ((logits > 0) - targets)
    from_logits = T.nnet.sigmoid_binary_crossentropy(o, t)
    from_probability = T.nnet.binary_crossentropy(T.nnet.sigmoid(o), t)
    f = function([o, t], [from_logits, from_probability, *T.grad(from_logits.sum(), [o, t])])
    logit_value, probability_value, g_output, g_target = f(logits, targets)
    np.testing.assert_allclose(logit_value, expected, rtol=1e-15)
    np.testing.assert_allclose(probability_value, expected, rtol=1e-12)  # stabilized: finite
    # Theano's gradients: sigmoid(o) - t (also at o = 0, where the formula has a kink), -o.
    sigmoid = np.where(
        logits > 0, 1 / (1 + np.exp(-abs(logits))), 1 - 1 / (1 + np.exp(-abs(logits)))
    )
    np.testing.assert_allclose(g_output, sigmoid - targets, rtol=1e-14)
    np.testing.assert_allclose(g_target, -logits, rtol=1e-15)
    p = T.dvector("p")
    value = function([p, t], T.nnet.binary_crossentropy(p, t))([0.5, 0.9], [1.0, 0.0])
    np.testing.assert_allclose(value, [np.log(2), -np.log(0.1)], rtol=1e-15)


GRADIENT_CASES: dict[str, Callable[..., TensorVariable]] = {
    "softmax_graph": lambda x: T.nnet.softmax_graph(x) * x,
    "softmax_with_bias": lambda x, b: T.nnet.softmax_with_bias(x, b) * x,
    "elu": T.nnet.elu,
    "selu": T.nnet.selu,
    "softsign": T.nnet.softsign,
    "ultra_fast_sigmoid": T.nnet.ultra_fast_sigmoid,
    "binary_crossentropy": lambda x, t: T.nnet.binary_crossentropy(T.nnet.sigmoid(x), t),
    "sigmoid_binary_crossentropy": T.nnet.sigmoid_binary_crossentropy,
    "categorical_one_hot": lambda x, t: T.nnet.categorical_crossentropy(T.nnet.softmax(x), t),
}


@pytest.mark.parametrize("name", sorted(GRADIENT_CASES))
def test_gradient_matches_finite_differences(name: str) -> None:
    rng = np.random.default_rng(7)
    # Away from the kinks (0 for elu, selu, softsign; the pieces of ultra_fast_sigmoid).
    scores = rng.choice([-1.0, 1.0], (2, 3)) * rng.uniform(0.2, 0.9, (2, 3))
    points = {
        "softmax_with_bias": [scores, rng.normal(size=3)],
        "binary_crossentropy": [scores, rng.uniform(size=(2, 3))],
        "sigmoid_binary_crossentropy": [scores, rng.uniform(size=(2, 3))],
        "categorical_one_hot": [scores, np.eye(3)[[0, 2]]],
    }
    verify_grad(GRADIENT_CASES[name], points.get(name, [scores]))


def test_a_softmax_row_with_an_infinite_score_gives_what_the_formula_gives() -> None:
    # The shift by the row maximum is 0 where the maximum is infinite, so a row with inf gives
    # what exp(x) / sum(exp(x)) gives: NaN at the inf (inf / inf), 0 elsewhere. Shifting by
    # inf made the whole row NaN, and the stabilization turned the written-out softmax's
    # [nan, 0, 0] into that (a reviewer's find).
    x = T.dmatrix("x")
    rows = np.array([[np.inf, 1.0, 2.0], [-np.inf, -np.inf, -np.inf], [1.0, -np.inf, 0.0]])
    written = T.exp(x) / T.exp(x).sum(axis=1, keepdims=True)
    f = function([x], [T.nnet.softmax(x), T.nnet.logsoftmax(x), written, T.log(written)])
    softmax, log_softmax, from_written, log_of_written = f(rows)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        expected = np.exp(rows) / np.exp(rows).sum(axis=1, keepdims=True)
    np.testing.assert_array_equal(softmax[:2], expected[:2])
    np.testing.assert_array_equal(from_written[:2], expected[:2])
    np.testing.assert_allclose(softmax[2], np_softmax(rows[2:])[0], rtol=1e-15)
    np.testing.assert_array_equal(log_softmax[0], [np.nan, -np.inf, -np.inf])
    np.testing.assert_array_equal(log_of_written[0], [np.nan, -np.inf, -np.inf])
    assert np.isnan(log_softmax[1]).all()
