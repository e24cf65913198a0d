"""The examples of Theano's tutorial pages "Loop" (``scan``) and "Conditions" (``ifelse``), with
``theano`` renamed to ``tracegraph``, printing the values the pages show (to the digits shown).

The pages' code is kept as written (``results, updates = ...`` where ``updates`` is not used;
the ``noqa`` comments say so). ``theano.config.floatX`` is ``float64`` in these examples, as
tracegraph's default. The random
example's numbers are checked against NumPy's ``RandomState`` drawn as Theano drew them (one
``binomial`` per step from the stream ``RandomStreams(1234)`` seeds).
"""

from __future__ import annotations

import numpy as np

import tracegraph as theano
import tracegraph.tensor as T
from tracegraph.ifelse import ifelse


def assert_shown(value: object, shown: object) -> None:
    assert isinstance(value, np.ndarray)
    assert value.shape == np.shape(shown)
    np.testing.assert_allclose(value, np.asarray(shown), rtol=0, atol=5e-9)


def test_power_of_a_vector() -> None:
    k = T.iscalar("k")
    A = T.vector("A")
    result, updates = theano.scan(
        fn=lambda prior_result, A: prior_result * A,
        outputs_info=T.ones_like(A),
        non_sequences=A,
        n_steps=k,
    )
    final_result = result[-1]
    power = theano.function(inputs=[A, k], outputs=final_result, updates=updates)
    assert_shown(power(range(10), 2), [0.0, 1.0, 4.0, 9.0, 16.0, 25.0, 36.0, 49.0, 64.0, 81.0])


def test_polynomial() -> None:
    coefficients = T.vector("coefficients")
    x = T.scalar("x")
    max_coefficients_supported = 10000
    full_range = T.arange(max_coefficients_supported)
    components, updates = theano.scan(  # noqa: RUF059
        fn=lambda coeff, power, free_var: coeff * (free_var**power),
        outputs_info=None,
        sequences=[coefficients, full_range],
        non_sequences=x,
    )
    polynomial = components.sum()
    calculate_polynomial = theano.function(inputs=[coefficients, x], outputs=polynomial)
    test_coeff = np.asarray([1, 0, 2], dtype=np.float32)
    assert_shown(calculate_polynomial(test_coeff, 3), 19.0)


def test_tanh_of_each_row() -> None:
    X = T.matrix("X")
    W = T.matrix("W")
    b_sym = T.vector("b_sym")
    results, updates = theano.scan(lambda v: T.tanh(T.dot(v, W) + b_sym), sequences=X)  # noqa: RUF059
    compute_elementwise = theano.function(inputs=[X, W, b_sym], outputs=results)
    x = np.eye(2)
    w = np.ones((2, 2))
    b = np.ones(2)
    b[1] = 2
    shown = [[0.96402758, 0.99505475], [0.96402758, 0.99505475]]
    assert_shown(compute_elementwise(x, w, b), shown)
    assert_shown(np.tanh(x.dot(w) + b), shown)


def test_a_recurrence_over_two_sequences() -> None:
    X = T.vector("X")
    W = T.matrix("W")
    U = T.matrix("U")
    Y = T.matrix("Y")
    V = T.matrix("V")
    P = T.matrix("P")
    results, updates = theano.scan(  # noqa: RUF059
        lambda y, p, x_tm1: T.tanh(T.dot(x_tm1, W) + T.dot(y, U) + T.dot(p, V)),
        sequences=[Y, P[::-1]],
        outputs_info=[X],
    )
    compute_seq = theano.function(inputs=[X, W, Y, U, P, V], outputs=results)
    x = np.zeros(2)
    x[1] = 1
    w = np.ones((2, 2))
    y = np.ones((5, 2))
    y[0, :] = -3
    u = np.ones((2, 2))
    p = np.ones((5, 2))
    p[0, :] = 3
    v = np.ones((2, 2))
    shown = [
        [-0.99505475, -0.99505475],
        [0.96471973, 0.96471973],
        [0.99998585, 0.99998585],
        [0.99998771, 0.99998771],
        [1.0, 1.0],
    ]
    assert_shown(compute_seq(x, w, y, u, p, v), shown)


def test_norms_of_rows_and_columns() -> None:
    X = T.matrix("X")
    results, updates = theano.scan(lambda x_i: T.sqrt((x_i**2).sum()), sequences=[X])
    compute_norm_lines = theano.function(inputs=[X], outputs=results)
    x = np.diag(np.arange(1, 6, dtype=np.float64), 1)
    assert_shown(compute_norm_lines(x), [1.0, 2.0, 3.0, 4.0, 5.0, 0.0])
    results, updates = theano.scan(lambda x_i: T.sqrt((x_i**2).sum()), sequences=[X.T])  # noqa: RUF059
    compute_norm_cols = theano.function(inputs=[X], outputs=results)
    assert_shown(compute_norm_cols(x), [0.0, 1.0, 2.0, 3.0, 4.0, 5.0])


def test_trace_of_a_matrix() -> None:
    floatX = "float64"
    X = T.matrix("X")
    results, updates = theano.scan(  # noqa: RUF059
        lambda i, j, t_f: T.cast(X[i, j] + t_f, floatX),
        sequences=[T.arange(X.shape[0]), T.arange(X.shape[1])],
        outputs_info=np.asarray(0.0, dtype=floatX),
    )
    result = results[-1]
    compute_trace = theano.function(inputs=[X], outputs=result)
    x = np.eye(5)
    x[0] = np.arange(5)
    assert_shown(compute_trace(x), 4.0)


def test_a_recurrence_reading_two_steps_back() -> None:
    X = T.matrix("X")
    W = T.matrix("W")
    b_sym = T.vector("b_sym")
    U = T.matrix("U")
    V = T.matrix("V")
    n_sym = T.iscalar("n_sym")
    results, updates = theano.scan(  # noqa: RUF059
        lambda x_tm2, x_tm1: T.dot(x_tm2, U) + T.dot(x_tm1, V) + T.tanh(T.dot(x_tm1, W) + b_sym),
        n_steps=n_sym,
        outputs_info=[dict(initial=X, taps=[-2, -1])],
    )
    compute_seq2 = theano.function(inputs=[X, U, V, W, b_sym, n_sym], outputs=results)
    x = np.zeros((2, 2))  # the initial value must be able to return x[-2]
    x[1, 1] = 1
    w = 0.5 * np.ones((2, 2))
    u = 0.5 * (np.ones((2, 2)) - np.eye(2))
    v = 0.5 * np.ones((2, 2))
    n = 10
    b = np.ones(2)
    values = compute_seq2(x, u, v, w, b, n)
    # The recurrence in NumPy (the page's own comparison)
    expected = [x[0], x[1]]
    for _ in range(n):
        x_tm2, x_tm1 = expected[-2], expected[-1]
        expected.append(x_tm2.dot(u) + x_tm1.dot(v) + np.tanh(x_tm1.dot(w) + b))
    np.testing.assert_allclose(values, expected[2:], rtol=1e-15)
    assert_shown(values[:4], [[1.40514825, 1.40514825], [2.88898899, 2.38898899],
                              [4.34018291, 4.34018291], [6.53463142, 6.78463142]])  # fmt: skip


def test_a_shared_variable_counts_the_steps() -> None:
    k = theano.shared(0)
    n_sym = T.iscalar("n_sym")
    results, updates = theano.scan(lambda: {k: (k + 1)}, n_steps=n_sym)  # noqa: RUF059
    accumulator = theano.function([n_sym], [], updates=updates, allow_input_downcast=True)
    assert k.get_value() == 0
    accumulator(5)
    assert k.get_value() == 5


def test_a_random_mask_drawn_at_every_step() -> None:
    X = T.matrix("X")
    W = T.matrix("W")
    b_sym = T.vector("b_sym")
    trng = T.shared_randomstreams.RandomStreams(1234)
    d = trng.binomial(size=W[1].shape)
    results, updates = theano.scan(lambda v: T.tanh(T.dot(v, W) + b_sym) * d, sequences=X)
    compute_with_bnoise = theano.function(
        inputs=[X, W, b_sym], outputs=results, updates=updates, allow_input_downcast=True
    )
    x = np.eye(10, 2)
    w = np.ones((2, 2))
    b = np.ones(2)
    stream = np.random.RandomState(np.random.RandomState(1234).randint(2**30))
    masks = np.array([stream.binomial(1, 0.5, size=(2,)) for _ in range(10)])
    assert_shown(compute_with_bnoise(x, w, b), np.tanh(x.dot(w) + b) * masks)
    # the stream went on: the next call draws the next ten masks
    masks = np.array([stream.binomial(1, 0.5, size=(2,)) for _ in range(10)])
    assert_shown(compute_with_bnoise(x, w, b), np.tanh(x.dot(w) + b) * masks)


def test_powers_of_two_until_a_bound() -> None:
    def power_of_2(previous_power, max_value):  # type: ignore[no-untyped-def]
        return previous_power * 2, theano.scan_module.until(previous_power * 2 > max_value)

    max_value = T.scalar()
    values, _ = theano.scan(
        power_of_2, outputs_info=T.constant(1.0), non_sequences=max_value, n_steps=1024
    )
    f = theano.function([max_value], values)
    assert_shown(f(45), [2.0, 4.0, 8.0, 16.0, 32.0, 64.0])


def test_ifelse_and_switch_agree_and_ifelse_is_lazy() -> None:
    a, b = T.scalars("a", "b")
    x, y = T.matrices("x", "y")
    z_switch = T.switch(T.lt(a, b), T.mean(x), T.mean(y))
    z_lazy = ifelse(T.lt(a, b), T.mean(x), T.mean(y))
    f_switch = theano.function([a, b, x, y], z_switch, mode=theano.Mode(linker="vm"))
    f_lazyifelse = theano.function([a, b, x, y], z_lazy, mode=theano.Mode(linker="vm"))
    val1 = 0.0
    val2 = 1.0
    big_mat1 = np.ones((10000, 1000))
    big_mat2 = np.ones((10000, 1000))
    assert f_switch(val1, val2, big_mat1, big_mat2) == 1.0
    assert f_lazyifelse(val1, val2, big_mat1, big_mat2) == 1.0
    # the branch not taken is not computed: a matrix it could not take the mean of is fine
    lazy_index = ifelse(T.lt(a, b), x[0, 0], y[5, 5])
    f = theano.function([a, b, x, y], lazy_index)
    assert f(val1, val2, big_mat1[:2, :2], np.zeros((1, 1))) == 1.0
