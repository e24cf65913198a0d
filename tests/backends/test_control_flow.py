"""``scan`` and ``ifelse`` on every backend, against loops and conditions written in NumPy:
recurrent states (one and several taps back), sequences, non-sequences and outer values,
mapped outputs, reversed loops, early stops, shared-variable updates, random draws per step,
loops of no step, nested loops, gradients; and the errors Theano gave."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import tracegraph
import tracegraph.tensor as T
from tracegraph.errors import ShapeMismatchError, TracegraphError
from tracegraph.ifelse import ifelse
from tracegraph.scan_module import foldl, foldr, until
from tracegraph.scan_module import map as scan_map
from tracegraph.scan_module import reduce as scan_reduce

RNG = np.random.default_rng(7)


def test_an_elman_step_over_a_sequence() -> None:
    x, w, u, h0 = T.dmatrix("x"), T.dmatrix("w"), T.dmatrix("u"), T.dvector("h0")
    hs, updates = tracegraph.scan(
        lambda xt, h, w, u: T.tanh(T.dot(xt, w) + T.dot(h, u)),
        sequences=x,
        outputs_info=h0,
        non_sequences=[w, u],
    )
    assert updates == {}
    f = tracegraph.function([x, w, u, h0], hs)
    xv, wv = RNG.normal(size=(6, 3)), RNG.normal(size=(3, 4))
    uv, hv = RNG.normal(size=(4, 4)), RNG.normal(size=4)
    expected, h = [], hv
    for t in range(6):
        h = np.tanh(xv[t] @ wv + h @ uv)
        expected.append(h)
    np.testing.assert_allclose(f(xv, wv, uv, hv), expected, rtol=1e-12)


def test_two_taps_back_and_a_mapped_output() -> None:
    start, n = T.dvector("start"), T.lscalar("n")
    (fibonacci, ratios), _ = tracegraph.scan(
        lambda a, b: (a + b, (a + b) / b),
        outputs_info=[dict(initial=start, taps=[-2, -1]), None],
        n_steps=n,
    )
    f = tracegraph.function([start, n], [fibonacci, ratios])
    values, quotients = f(np.array([1.0, 1.0]), 8)
    np.testing.assert_array_equal(values, [2, 3, 5, 8, 13, 21, 34, 55])
    np.testing.assert_allclose(quotients, values / np.array([1, 2, 3, 5, 8, 13, 21, 34]))


def test_outer_values_sequences_of_integers_and_go_backwards() -> None:
    x = T.dvector("x")
    scale = x.sum()  # read by the step, computed once outside the loop
    positions = T.arange(x.shape[0])
    weighted, _ = tracegraph.scan(
        lambda v, i: v * i * scale, sequences=[x, positions], go_backwards=True
    )
    xv = np.array([1.0, 2.0, 4.0])
    expected = xv[::-1] * np.arange(3)[::-1] * xv.sum()  # every sequence goes backwards
    np.testing.assert_allclose(tracegraph.function([x], weighted)(xv), expected)


SEQUENCE_TAPS = {
    # taps: (forwards, backwards) of x[t + taps[0]] + 10 * x[t + taps[1]] over x = 0, ..., 5
    (-1, 0): ([10, 21, 32, 43, 54], [54, 43, 32, 21, 10]),
    (-2, -1): ([10, 21, 32, 43], [43, 32, 21, 10]),
    (1, 2): ([21, 32, 43, 54], [54, 43, 32, 21]),
    (-1, 1): ([20, 31, 42, 53], [53, 42, 31, 20]),
}


@pytest.mark.parametrize("backwards", [False, True])
@pytest.mark.parametrize("taps", sorted(SEQUENCE_TAPS))
def test_sequence_taps_cut_as_theano_cuts_them(taps: tuple[int, int], backwards: bool) -> None:
    """Theano's rule (PyTensor's values above): a sequence's slices are cut as if tap 0 were
    among the taps, and each is reversed once cut, so that a backwards step still reads
    ``x[t - 1]`` with ``x[t]``. tracegraph reversed the sequence first (the taps then read
    ``x[t + 1]`` with ``x[t]``) and cut all-negative or all-positive taps one step too long."""
    x = T.dvector("x")
    ys, _ = tracegraph.scan(
        lambda a, b: a + 10 * b,
        sequences=[{"input": x, "taps": list(taps)}],
        go_backwards=backwards,
    )
    expected = SEQUENCE_TAPS[taps][1 if backwards else 0]
    np.testing.assert_array_equal(tracegraph.function([x], ys)(np.arange(6.0)), expected)


def test_map_reduce_and_folds() -> None:
    x = T.dvector("x")
    doubled, _ = scan_map(lambda v: v * 2, sequences=x)
    total, _ = scan_reduce(lambda v, acc: acc + v, sequences=x, outputs_info=T.zeros(()))
    left, _ = foldl(lambda v, acc: acc * 10 + v, x, T.zeros(()))
    right, _ = foldr(lambda v, acc: acc * 10 + v, x, T.zeros(()))
    f = tracegraph.function([x], [doubled, total, left, right])
    results = f(np.array([1.0, 2.0, 3.0]))
    np.testing.assert_array_equal(results[0], [2.0, 4.0, 6.0])
    assert [float(r) for r in results[1:]] == [6.0, 123.0, 321.0]


def test_until_stops_after_the_step_that_makes_it_true() -> None:
    bound = T.dscalar("bound")
    values, _ = tracegraph.scan(
        lambda p, bound: (p * 2, until(p * 2 > bound)),
        outputs_info=T.constant(1.0),
        non_sequences=bound,
        n_steps=100,
    )
    f = tracegraph.function([bound], values)
    np.testing.assert_array_equal(f(45.0), [2, 4, 8, 16, 32, 64])
    np.testing.assert_array_equal(f(0.5), [2])


def test_shared_updates_through_the_steps() -> None:
    total = tracegraph.shared(np.zeros(2), name="total")
    x = T.dmatrix("x")
    partial, updates = tracegraph.scan(lambda row: (total + row, {total: total + row}), sequences=x)
    f = tracegraph.function([x], partial, updates=updates)
    xv = np.arange(6.0).reshape(3, 2)
    np.testing.assert_array_equal(f(xv), np.cumsum(xv, axis=0))
    np.testing.assert_array_equal(total.get_value(), xv.sum(axis=0))
    np.testing.assert_array_equal(f(xv)[-1], 2 * xv.sum(axis=0))


def test_random_draws_at_every_step_follow_the_stream() -> None:
    streams = T.shared_randomstreams.RandomStreams(99)
    noise = streams.normal(size=(2,))
    x = T.dmatrix("x")
    noisy, updates = tracegraph.scan(lambda row: row + noise, sequences=x)
    f = tracegraph.function([x], noisy, updates=updates)
    stream = np.random.RandomState(np.random.RandomState(99).randint(2**30))
    draws = np.array([stream.normal(0.0, 1.0, size=(2,)) for _ in range(4)])
    np.testing.assert_allclose(f(np.zeros((4, 2))), draws, rtol=1e-15)


def test_zero_steps() -> None:
    h0, n = T.dvector("h0"), T.lscalar("n")
    hs, _ = tracegraph.scan(lambda h: h + 1, outputs_info=h0, n_steps=n)
    f = tracegraph.function([h0, n], hs)
    assert f(np.ones(3), 0).shape == (0, 3)


def test_a_loop_inside_a_loop() -> None:
    x = T.dmatrix("x")

    def row_sum(row: Any) -> Any:
        partial, _ = tracegraph.scan(
            lambda v, acc: acc + v, sequences=row, outputs_info=T.zeros(())
        )
        return partial[-1]

    sums, _ = tracegraph.scan(row_sum, sequences=x)
    xv = RNG.normal(size=(3, 5))
    np.testing.assert_allclose(tracegraph.function([x], sums)(xv), xv.sum(axis=1))


def test_backpropagation_through_time_matches_finite_differences() -> None:
    x, w, h0 = T.dmatrix("x"), T.dmatrix("w"), T.dvector("h0")
    hs, _ = tracegraph.scan(
        lambda xt, h, w: T.tanh(T.dot(xt, w) + h), sequences=x, outputs_info=h0, non_sequences=w
    )
    cost = (hs**2).sum()
    f = tracegraph.function([x, w, h0], [cost, *T.grad(cost, [x, w, h0])])
    point = [RNG.normal(size=(4, 3)), RNG.normal(size=(3, 3)) * 0.5, RNG.normal(size=3)]

    def numpy_cost(xv: Any, wv: Any, hv: Any) -> float:
        total, h = 0.0, hv
        for t in range(len(xv)):
            h = np.tanh(xv[t] @ wv + h)
            total += float((h**2).sum())
        return total

    cost_value, *gradients = f(*point)
    assert np.isclose(cost_value, numpy_cost(*point), rtol=1e-12)
    for k, gradient in enumerate(gradients):
        numeric = np.zeros_like(point[k])
        for index in np.ndindex(point[k].shape):
            shifted = [p.copy() for p in point]
            shifted[k][index] += 1e-6
            up = numpy_cost(*shifted)
            shifted[k][index] -= 2e-6
            numeric[index] = (up - numpy_cost(*shifted)) / 2e-6
        np.testing.assert_allclose(gradient, numeric, rtol=1e-5, atol=1e-7)


def test_truncated_gradients_reach_only_the_last_steps() -> None:
    x, h0 = T.dvector("x"), T.dscalar("h0")
    hs, _ = tracegraph.scan(
        lambda xt, h: h * 0.5 + xt, sequences=x, outputs_info=h0, truncate_gradient=2
    )
    gx, gh0 = T.grad(hs[-1], [x, h0])
    f = tracegraph.function([x, h0], [gx, gh0])
    gxv, gh0v = f(np.ones(5), 1.0)
    np.testing.assert_allclose(gxv, [0, 0, 0, 0.5, 1.0])
    assert gh0v == 0.0


@pytest.mark.parametrize("steps", [2, 3])
def test_truncated_gradients_reach_initial_values_read_inside_the_window(steps: int) -> None:
    """``h[t] = tanh(h[t-2])``, gradient truncated to the last step: with 2 steps that step
    reads the second initial value (``h[-1]``), which gets its gradient (PyTensor's value;
    tracegraph gave the initial values zeros whenever any step was cut); with 3 it reads
    ``h[0]``, and the initial values get nothing."""
    h0 = T.dvector("h0")
    hs, _ = tracegraph.scan(
        lambda h2, h1: T.tanh(h2),
        outputs_info=[{"initial": h0, "taps": [-2, -1]}],
        n_steps=steps,
        truncate_gradient=1,
    )
    g = tracegraph.function([h0], T.grad(hs[-1], h0))(np.array([0.3, -0.7]))
    expected = [0.0, 1 - np.tanh(-0.7) ** 2] if steps == 2 else [0.0, 0.0]
    np.testing.assert_allclose(g, expected, rtol=1e-12)


def test_jacobian_of_a_symbolic_vector() -> None:
    x = T.dvector("x")
    f = tracegraph.function([x], T.jacobian(T.tanh(x) * x.sum(), x))
    xv = np.array([0.3, -0.2, 0.5])
    expected = np.diag((1 - np.tanh(xv) ** 2) * xv.sum()) + np.tanh(xv)[:, None]
    np.testing.assert_allclose(f(xv), expected, rtol=1e-12)


def test_ifelse_runs_the_branch_taken_only() -> None:
    a, b = T.dscalars("a", "b")
    x = T.dvector("x")
    first, second = ifelse(T.lt(a, b), [x[0] * 2, x.sum()], [x[10], x.max()])
    f = tracegraph.function([a, b, x], [first, second])
    xv = np.array([1.0, 2.0, 3.0])
    assert [float(v) for v in f(0.0, 1.0, xv)] == [2.0, 6.0]
    with pytest.raises(IndexError, match="index 10 is out of bounds"):
        f(1.0, 0.0, xv)


def test_ifelse_gradients_flow_into_the_branch_taken() -> None:
    a, x = T.dscalar("a"), T.dvector("x")
    y = ifelse(T.gt(a, 0.0), (x**2).sum() * a, T.sin(x).sum())
    f = tracegraph.function([a, x], T.grad(y, [a, x]))
    xv = np.array([0.5, -1.0])
    ga, gx = f(2.0, xv)
    assert ga == (xv**2).sum()
    np.testing.assert_allclose(gx, 2 * xv * 2.0)
    ga, gx = f(-1.0, xv)
    assert ga == 0.0
    np.testing.assert_allclose(gx, np.cos(xv))


def test_errors_theano_gave() -> None:
    x, n = T.dmatrix("x"), T.lscalar("n")
    rows, _ = tracegraph.scan(lambda r: r * 2, sequences=x, n_steps=n)
    f = tracegraph.function([x, n], rows)
    with pytest.raises(ShapeMismatchError, match="sequence 0 has 2 steps, fewer than the 3"):
        f(np.ones((2, 2)), 3)
    with pytest.raises(TracegraphError, match="cannot be negative"):
        f(np.ones((2, 2)), -1)
    h0 = T.dvector("h0")
    with pytest.raises(TypeError, match=r"cast one of them"):
        tracegraph.scan(lambda h: T.cast(h, "float32"), outputs_info=h0, n_steps=2)
    grows, _ = tracegraph.scan(lambda h: T.concatenate([h, h]), outputs_info=h0, n_steps=2)
    with pytest.raises(ShapeMismatchError, match="recurrent state 0 has shape"):
        tracegraph.function([h0], grows)(np.ones(2))
    with pytest.raises(ValueError, match="give sequences or n_steps"):
        tracegraph.scan(lambda: T.zeros(()))


def test_strict_refuses_a_variable_the_step_was_not_given() -> None:
    w = tracegraph.shared(np.ones(2), name="w")
    x = T.dmatrix("x")
    with pytest.raises(ValueError, match=r"strict=True.*'w'"):
        tracegraph.scan(lambda row: row * w, sequences=x, strict=True)
    rows, _ = tracegraph.scan(lambda row, w: row * w, sequences=x, non_sequences=w, strict=True)
    np.testing.assert_array_equal(tracegraph.function([x], rows)(np.ones((2, 2))), np.ones((2, 2)))


@pytest.mark.parametrize("taken", [True, False])
def test_ifelse_gradients_match_finite_differences(taken: bool) -> None:
    from tracegraph.gradient import verify_grad

    def chosen(x: Any, y: Any) -> Any:
        condition = T.lt(0.0, 1.0) if taken else T.gt(0.0, 1.0)
        first, second = ifelse(condition, [T.tanh(x * y), x], [T.exp(x) + y, y * y])
        return first * second

    verify_grad(chosen, [RNG.normal(size=(2, 3)), RNG.normal(size=(2, 3))])


def test_scan_gradients_when_a_step_yields_its_own_argument() -> None:
    # Regression: the gradient of a value the step both yields and computes with is the sum
    # of both paths (Theano's known_grads would keep only the yielded one).
    from tracegraph.gradient import verify_grad

    def both(x: Any) -> Any:
        (same, curved), _ = tracegraph.scan(lambda v: [v, T.sin(v) * v], sequences=x)
        return same * curved

    verify_grad(both, [RNG.normal(size=(4, 2))])


def test_gradients_through_shared_updates_in_the_loop() -> None:
    # Regression: an operand computed from another (the sequence x * w and the non-sequence
    # w) gets its partial derivative from the rule, not the path through the other one too.
    from tracegraph.gradient import verify_grad

    def threaded(w: Any, xs: Any) -> Any:
        total = tracegraph.shared(np.zeros(2), name="total")
        ys, updates = tracegraph.scan(
            lambda xt, w: (T.tanh(xt + total), {total: total * w + xt}),
            sequences=xs * w,
            non_sequences=w,
        )
        return ys.sum() + (updates[total] ** 2).sum()

    verify_grad(threaded, [np.array([0.3, -0.2]), RNG.normal(size=(3, 2))])


def test_second_derivatives_through_a_loop() -> None:
    w, xs = T.dvector("w"), T.dmatrix("xs")
    hs, _ = tracegraph.scan(
        lambda xt, h, w: T.tanh(xt * w + h), sequences=xs, outputs_info=T.zeros_like(w),
        non_sequences=w,
    )  # fmt: skip
    hessian = tracegraph.function([w, xs], T.hessian((hs[-1] ** 2).sum(), w))
    wv, xv = np.array([0.3, -0.2]), RNG.normal(size=(4, 2))

    def cost(wv: Any) -> float:
        h = np.zeros(2)
        for row in xv:
            h = np.tanh(row * wv + h)
        return float((h**2).sum())

    shift = np.eye(2) * 1e-4
    numeric = np.zeros((2, 2))
    for i, j in np.ndindex(2, 2):
        signs = ((1, 1), (1, -1), (-1, 1), (-1, -1))
        corners = [cost(wv + a * shift[i] + b * shift[j]) for a, b in signs]
        numeric[i, j] = (corners[0] - corners[1] - corners[2] + corners[3]) / 4e-8
    np.testing.assert_allclose(hessian(wv, xv), numeric, rtol=1e-5, atol=1e-7)


def test_gradients_through_random_draws_in_the_loop() -> None:
    streams = T.shared_randomstreams.RandomStreams(11)
    w, xs = T.dvector("w"), T.dmatrix("xs")

    def step(xt: Any, h: Any, w: Any) -> Any:
        mask = streams.binomial(size=xt.shape, p=0.7, dtype="float64")
        return T.tanh(xt * w * mask + h)

    hs, updates = tracegraph.scan(step, sequences=xs, outputs_info=T.zeros_like(w), non_sequences=w)
    cost = (hs[-1] ** 2).sum()
    f = tracegraph.function([w, xs], [cost, T.grad(cost, w)], updates=updates)
    wv, xv = np.array([0.3, -0.2]), RNG.normal(size=(5, 2))
    stream = np.random.RandomState(np.random.RandomState(11).randint(2**30))
    masks = [stream.binomial(1, 0.7, size=(2,)).astype(float) for _ in range(5)]

    def numpy_cost(wv: Any) -> float:
        h = np.zeros(2)
        for row, mask in zip(xv, masks, strict=True):
            h = np.tanh(row * wv * mask + h)
        return float((h**2).sum())

    value, gradient = f(wv, xv)
    assert np.isclose(value, numpy_cost(wv), rtol=1e-12)
    numeric = [(numpy_cost(wv + e) - numpy_cost(wv - e)) / 2e-6 for e in np.eye(2) * 1e-6]
    np.testing.assert_allclose(gradient, numeric, rtol=1e-5, atol=1e-8)
