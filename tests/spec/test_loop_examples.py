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


def test_accumulation_into_a_scalar() -> None:
    up_to = T.iscalar("up_to")

    def accumulate_by_adding(arange_val, sum_to_date):  # type: ignore[no-untyped-def]
        return sum_to_date + arange_val

    seq = T.arange(up_to)
    outputs_info = T.as_tensor_variable(np.asarray(0, seq.dtype))
    scan_result, scan_updates = theano.scan(  # noqa: RUF059
        fn=accumulate_by_adding, outputs_info=outputs_info, sequences=seq
    )
    triangular_sequence = theano.function(inputs=[up_to], outputs=scan_result)
    some_num = 15
    result = triangular_sequence(some_num)
    assert result.tolist() == [n * (n + 1) // 2 for n in range(some_num)]


def test_set_a_value_at_each_position() -> None:
    location = T.imatrix("location")
    values = T.vector("values")
    output_model = T.matrix("output_model")

    def set_value_at_position(a_location, a_value, output_model):  # type: ignore[no-untyped-def]
        zeros = T.zeros_like(output_model)
        zeros_subtensor = zeros[a_location[0], a_location[1]]
        return T.set_subtensor(zeros_subtensor, a_value)

    result, updates = theano.scan(  # noqa: RUF059
        fn=set_value_at_position,
        outputs_info=None,
        sequences=[location, values],
        non_sequences=output_model,
    )
    assign_values_at_positions = theano.function(
        inputs=[location, values, output_model], outputs=result, allow_input_downcast=True
    )
    test_locations = np.asarray([[1, 1], [2, 3]], dtype=np.int32)
    test_values = np.asarray([42, 50], dtype=np.float32)
    test_output_model = np.zeros((5, 5), dtype=np.float32)
    expected = np.zeros((2, 5, 5))
    expected[0, 1, 1] = 42
    expected[1, 2, 3] = 50
    assert_shown(
        assign_values_at_positions(test_locations, test_values, test_output_model), expected
    )


def test_gibbs_sampling_with_shared_variables() -> None:
    rng = np.random.default_rng(0)
    W = theano.shared(rng.normal(size=(6, 4)))
    bvis = theano.shared(np.zeros(6))
    bhid = theano.shared(np.zeros(4))
    trng = T.shared_randomstreams.RandomStreams(1234)

    def OneStep(vsample):  # type: ignore[no-untyped-def]
        hmean = T.nnet.sigmoid(theano.dot(vsample, W) + bhid)
        hsample = trng.binomial(size=hmean.shape, n=1, p=hmean)
        vmean = T.nnet.sigmoid(theano.dot(hsample, W.T) + bvis)
        return trng.binomial(size=vsample.shape, n=1, p=vmean, dtype=theano.config.floatX)

    sample = theano.tensor.vector()
    values, updates = theano.scan(OneStep, outputs_info=sample, n_steps=10)
    gibbs10 = theano.function([sample], values[-1], updates=updates)
    first, second = gibbs10(np.ones(6)), gibbs10(np.ones(6))
    assert first.shape == (6,) and set(np.unique(np.concatenate([first, second]))) <= {0.0, 1.0}
    assert len(updates) == 2  # the two streams advance: ten draws each per call


def test_a_recurrent_network_with_several_taps() -> None:
    names = ("W", "W_in_1", "W_in_2", "W_feedback", "W_out")
    W, W_in_1, W_in_2, W_feedback, W_out = (T.matrix(name) for name in names)
    u = T.matrix()  # it is a sequence of vectors
    x0 = T.matrix()  # initial state of x has to be a matrix, since it has to cover x[-3]
    y0 = T.vector()  # y0 is just a vector since scan has only to provide y[-1]

    def oneStep(u_tm4, u_t, x_tm3, x_tm1, y_tm1, W, W_in_1, W_in_2, W_feedback, W_out):  # type: ignore[no-untyped-def]
        x_t = T.tanh(
            theano.dot(x_tm1, W)
            + theano.dot(u_t, W_in_1)
            + theano.dot(u_tm4, W_in_2)
            + theano.dot(y_tm1, W_feedback)
        )
        y_t = theano.dot(x_tm3, W_out)
        return [x_t, y_t]

    ([x_vals, y_vals], updates) = theano.scan(  # noqa: RUF059
        fn=oneStep,
        sequences=dict(input=u, taps=[-4, -0]),
        outputs_info=[dict(initial=x0, taps=[-3, -1]), y0],
        non_sequences=[W, W_in_1, W_in_2, W_feedback, W_out],
        strict=True,
    )
    f = theano.function([u, x0, y0, W, W_in_1, W_in_2, W_feedback, W_out], [x_vals, y_vals])
    rng = np.random.default_rng(1)
    n_in, n_x, n_y = 2, 3, 2
    uv, x0v, y0v = rng.normal(size=(9, n_in)), rng.normal(size=(3, n_x)), rng.normal(size=n_y)
    w, w1, w2 = (
        rng.normal(size=(n_x, n_x)),
        rng.normal(size=(n_in, n_x)),
        rng.normal(size=(n_in, n_x)),
    )
    wf, wo = rng.normal(size=(n_y, n_x)), rng.normal(size=(n_x, n_y))
    xs, ys = f(uv, x0v, y0v, w, w1, w2, wf, wo)
    history, outputs = list(x0v), [y0v]
    for t in range(len(uv) - 4):  # u[t] for tap -4 and u[t + 4] for tap 0
        x_t = np.tanh(history[-1] @ w + uv[t + 4] @ w1 + uv[t] @ w2 + outputs[-1] @ wf)
        y_t = history[-3] @ wo
        history.append(x_t)
        outputs.append(y_t)
    np.testing.assert_allclose(xs, history[3:], rtol=1e-12)
    np.testing.assert_allclose(ys, outputs[1:], rtol=1e-12)
