"""Training patterns a Theano user writes, with Theano's (and PyTensor's) answers, on every
backend: where tracegraph's answer differed, training turned into NaN or a gradient was silently
wrong.

- the deeplearning.net ``LogisticRegression`` on unscaled inputs (``log(softmax)``, and the
  softmax written out): the negative log-likelihood went ``1.0986 -> inf -> nan``;
- a norm guarded by ``switch`` (``switch(sq > 0, sqrt(sq), 0)``) from zero weights: NaN;
- ties of ``maximum``/``minimum`` and of ``max``/``min`` reductions: gradients counted twice;
- ``known_grads`` added to the cost's gradient instead of replacing it;
- the gradient with respect to an integer input was zero;
- ``d(x ** y)/dy`` at ``x = 0`` was NaN.

The numbers of the logistic regression were checked against PyTensor 3.0.7 (``cvm`` linker,
``fast_run``), which gives the same costs for ``T.nnet.softmax`` (and NaN from the third step
for the written-out softmax, which tracegraph recognizes).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeAlias

import numpy as np
import pytest
from numpy.typing import NDArray

import tracegraph
import tracegraph.tensor as T
from tracegraph import function, shared
from tracegraph.tensor import TensorVariable

Array: TypeAlias = NDArray[Any]


def _unscaled_classification() -> tuple[Array, Array]:
    """60 samples of 20 features in [0, 255] (pixels, unscaled), 3 classes from a linear rule."""
    rng = np.random.default_rng(0)
    features = rng.uniform(0, 255, (60, 20))
    labels = np.argmax(features @ rng.normal(size=(20, 3)), axis=1)
    return features, labels


def _nnet_softmax(z: TensorVariable) -> TensorVariable:
    return T.nnet.softmax(z)


def _written_out_softmax(z: TensorVariable) -> TensorVariable:
    return T.exp(z) / T.exp(z).sum(axis=1, keepdims=True)


def _written_out_with_dimshuffle(z: TensorVariable) -> TensorVariable:
    return T.exp(z) / T.exp(z).sum(axis=1).dimshuffle(0, "x")


@pytest.mark.parametrize(
    "softmax", [_nnet_softmax, _written_out_softmax, _written_out_with_dimshuffle]
)
@pytest.mark.parametrize("mode", ["FAST_RUN", "FAST_COMPILE"])
def test_logistic_regression_on_unscaled_data_trains(
    softmax: Callable[[TensorVariable], TensorVariable], mode: str
) -> None:
    features, labels = _unscaled_classification()
    w, b = shared(np.zeros((20, 3)), name="W"), shared(np.zeros(3), name="b")
    x, y = T.dmatrix("x"), T.lvector("y")
    p_y_given_x = softmax(T.dot(x, w) + b)
    nll = -T.mean(T.log(p_y_given_x)[T.arange(y.shape[0]), y])
    gw, gb = T.grad(nll, [w, b])
    train = function([x, y], nll, updates=[(w, w - 0.13 * gw), (b, b - 0.13 * gb)], mode=mode)
    predict = function([x], T.argmax(p_y_given_x, axis=1), mode=mode)
    costs = [float(train(features, labels)) for _ in range(30)]
    # PyTensor's numbers (T.nnet.softmax form): the first three steps.
    np.testing.assert_allclose(costs[:3], [1.0986122886681098, 5184.7221, 872.76390], rtol=1e-6)
    assert np.isfinite(costs).all()
    assert np.isfinite(w.get_value()).all() and np.isfinite(b.get_value()).all()
    assert (predict(features) == labels).mean() == 1.0


@pytest.mark.parametrize("mode", ["FAST_RUN", "FAST_COMPILE"])
def test_switch_guarded_norm_penalty_trains_from_zero_weights(mode: str) -> None:
    rng = np.random.default_rng(1)
    features, targets = rng.normal(size=(20, 3)), rng.normal(size=20)
    w = shared(np.zeros(3), name="W")
    x, t = T.dmatrix("x"), T.dvector("t")
    squared = (w**2).sum()
    norm = T.switch(squared > 0, T.sqrt(squared), 0)
    cost = ((T.dot(x, w) - t) ** 2).mean() + 0.1 * norm
    step = function([x, t], cost, updates=[(w, w - 0.1 * T.grad(cost, w))], mode=mode)
    first = float(step(features, targets))
    # At W = 0 the penalty's branch is 0 and so is its gradient (sqrt'(0) = inf is not taken).
    expected = 0.1 * 2 * features.T @ targets / 20
    np.testing.assert_allclose(w.get_value(), expected, rtol=1e-12)
    later = [float(step(features, targets)) for _ in range(20)]
    assert np.isfinite(later).all() and later[-1] < first


@pytest.mark.parametrize(("reduce", "tied"), [(T.max, 2.0), (T.min, -1.0)])
def test_extremum_ties_share_the_gradient(
    reduce: Callable[..., TensorVariable], tied: float
) -> None:
    # Not differentiable at a tie: the tied elements share the gradient equally, so it sums to
    # the upstream gradient (Theano gave each the full gradient, counting it twice).
    x = T.dvector("x")
    value = function([x], T.grad(3 * reduce(x), x))(np.array([tied, 0.5, tied]))
    np.testing.assert_array_equal(value, [1.5, 0.0, 1.5])


@pytest.mark.parametrize("reduce", [T.max, T.min])
@pytest.mark.parametrize("keepdims", [False, True])
def test_extremum_gradient_sums_to_the_upstream_gradient_per_row(
    reduce: Callable[..., TensorVariable], keepdims: bool
) -> None:
    x = T.dmatrix("x")
    upstream = T.dmatrix("upstream") if keepdims else T.dvector("upstream")
    g = T.grad(T.sum(reduce(x, axis=1, keepdims=keepdims) * upstream), x)
    xv = np.array([[1.0, 1.0, 1.0], [0.0, 2.0, -3.0], [5.0, np.nan, 5.0]])
    uv = np.array([3.0, 5.0, 7.0])
    value = function([x, upstream], g)(xv, uv[:, None] if keepdims else uv)
    np.testing.assert_array_equal(value[0], [1.0, 1.0, 1.0])
    np.testing.assert_array_equal(value[1], [0, 5.0, 0] if reduce is T.max else [0, 0, 5.0])
    # A NaN extremum: no element equals it, none gets a gradient (as in Theano).
    np.testing.assert_array_equal(value[2], [0.0, 0.0, 0.0])


@pytest.mark.parametrize("extremum", [T.maximum, T.minimum])
def test_elementwise_extremum_tie_sends_the_gradient_to_one_operand(
    extremum: Callable[..., TensorVariable],
) -> None:
    # maximum(x, x) is x: its gradient is 1, not 2 (Theano gives a tie to the first operand).
    x, y = T.dvector("x"), T.dvector("y")
    tied = function([x], T.grad(extremum(x, x).sum(), x))([1.0, -2.0, 0.0])
    np.testing.assert_array_equal(tied, [1.0, 1.0, 1.0])
    gx, gy = T.grad(extremum(x, y).sum(), [x, y])
    ax, ay = function([x, y], [gx, gy])([1.0, 2.0, 3.0], [1.0, 0.0, 5.0])
    if extremum is T.maximum:
        np.testing.assert_array_equal([ax, ay], [[1.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    else:
        np.testing.assert_array_equal([ax, ay], [[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]])


def test_clip_passes_the_gradient_at_its_bounds() -> None:
    # Theano's clip: the gradient flows where min <= x <= max, bounds included.
    x = T.dvector("x")
    g = function([x], T.grad(T.clip(x, -1.0, 1.0).sum(), x))([-2.0, -1.0, 0.0, 1.0, 2.0])
    np.testing.assert_array_equal(g, [0.0, 1.0, 1.0, 1.0, 0.0])


def test_known_grads_replace_what_the_cost_sends() -> None:
    x = T.dvector("x")
    h = x * 3
    g = T.grad((h**2).sum(), x, known_grads={h: T.ones_like(h)})
    np.testing.assert_array_equal(function([x], g)([1.0, 2.0]), [3.0, 3.0])
    g_alone = T.grad(None, x, known_grads={h: T.ones_like(h)})
    np.testing.assert_array_equal(function([x], g_alone)([1.0, 2.0]), [3.0, 3.0])


def test_integer_input_gets_the_gradient_of_a_float_input() -> None:
    # Theano's test_gradient.py::test_grad_int.
    w, b = T.dmatrix("w"), T.dvector("b")
    rng = np.random.RandomState([2012, 9, 5])
    xv = (rng.randn(5, 3) * 127.0).astype(np.int32)
    wv, bv = rng.randn(3, 4), rng.randn(4)
    results = []
    for x in (T.imatrix("x"), T.dmatrix("x")):
        cost = T.nnet.sigmoid(T.dot(x, w) + b).sum()
        results.append(function([x, w, b], T.grad(cost, x))(xv.astype(x.dtype), wv, bv))
    assert results[0].dtype == np.float64
    np.testing.assert_allclose(results[0], results[1], rtol=1e-12)


def test_pow_gradient_with_respect_to_the_exponent_at_a_zero_base() -> None:
    # d(x ** y)/dy = x ** y * log(x) is 0 * -inf at x = 0; Theano (and the limit) give 0.
    x, y = T.dvector("x"), T.dvector("y")
    gy = function([x, y], T.grad((x**y).sum(), y))([0.0, 2.0, 0.0], [2.0, 3.0, 0.5])
    np.testing.assert_allclose(gy, [0.0, 8 * np.log(2.0), 0.0], rtol=1e-15)


# -- stabilized forms, forward and gradient -----------------------------------------------------


def test_log_one_minus_exp_is_finite_near_zero() -> None:
    a = T.dvector("a")
    values = np.array([1e-20, 1e-5, 0.5, 3.0, 700.0])
    for form in (T.log(1 - T.exp(-a)), T.log1p(-T.exp(-a))):
        f = function([a], [form, T.grad(form.sum(), a)])
        value, gradient = f(values)
        # Maechler's log1mexp in NumPy: each form where it is exact.
        with np.errstate(divide="ignore"):  # np.where computes both forms everywhere
            near, far = np.log(-np.expm1(-values)), np.log1p(-np.exp(-values))
        exact = np.where(values < np.log(2), near, far)
        np.testing.assert_allclose(value, exact, rtol=1e-14)
        np.testing.assert_allclose(gradient, 1 / np.expm1(values), rtol=1e-14)


def test_log_sum_exp_is_finite_for_large_inputs() -> None:
    z = T.dmatrix("z")
    lse = T.log(T.exp(z).sum(axis=1))
    f = function([z], [lse, T.grad(lse.sum(), z)])
    zv = np.array([[1000.0, 0.0, -1000.0], [1.0, 2.0, 3.0], [-np.inf, -np.inf, -np.inf]])
    value, gradient = f(zv)
    np.testing.assert_allclose(value[:2], [1000.0, 3.40760596444438], rtol=1e-14)
    assert value[2] == -np.inf
    np.testing.assert_allclose(gradient[:2].sum(axis=1), [1.0, 1.0], rtol=1e-14)
    assert gradient[0, 0] == 1.0


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_log_of_logistic_is_finite_in_every_mode(dtype: str) -> None:
    x = T.tensor(dtype, (False,), "x")
    for mode in ("FAST_RUN", "FAST_COMPILE"):
        f = function([x], T.log(T.nnet.sigmoid(x)), mode=mode)
        np.testing.assert_array_equal(f(np.array([-800.0, 0.0], dtype=dtype))[0], -800.0)


def test_unoptimized_mode_computes_the_formula_as_written() -> None:
    x = T.dvector("x")
    f = function([x], T.log(T.nnet.sigmoid(x)), mode=tracegraph.Mode(optimizer=None))
    with np.errstate(divide="ignore"):
        assert f(np.array([-800.0]))[0] == -np.inf


def test_gradient_of_log_of_exp_is_one_where_exp_overflows() -> None:
    # Regression (found against PyTensor): op by op it is exp(u) / exp(u), NaN above 709.
    x = T.dvector("x")
    gradient = function([x], T.grad(T.log(T.exp(x)).sum(), x))([800.0, np.inf, 1.0])
    np.testing.assert_array_equal(gradient, [1.0, 1.0, 1.0])
