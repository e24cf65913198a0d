"""MRG31k3p and ``MRG_RandomStreams``: the generator against an independent textbook
implementation (Python integers, the recurrences as L'Ecuyer and Touzin state them) and against
the first numbers of L'Ecuyer's published sequence for the seed 12345; Theano's stream splitting,
stream count and distributions; seeding, ``rstate``, copies and pickling."""

from __future__ import annotations

import functools
import math
import pickle

import numpy as np
import pytest

import tracegraph
import tracegraph.tensor as T
from tracegraph import function
from tracegraph.ir import mrg31k3p
from tracegraph.random import MRG_RandomStreams
from tracegraph.random.mrg import MAX_STREAMS, guess_n_streams

M1 = 2**31 - 1
M2 = 2**31 - 21069

# The recurrences: x1[n] = (2**22 x1[n-2] + (2**7 + 1) x1[n-3]) mod M1,
# x2[n] = (2**15 x2[n-1] + (2**15 + 1) x2[n-3]) mod M2, as transition matrices on
# (x[n-1], x[n-2], x[n-3]).
A1 = ((0, 2**22, 2**7 + 1), (1, 0, 0), (0, 1, 0))
A2 = ((2**15, 0, 2**15 + 1), (1, 0, 0), (0, 1, 0))

PUBLISHED_12345 = [0.7353244530968368, 0.6142074400559068, 0.11007806099951267]
"""The first numbers of stream 0 for the seed 12345 (L'Ecuyer et al.'s Java code)."""
PUBLISHED_SUBSTREAM_1 = 0.2585685825906694
"""The first number of substream 1 (``2**72`` steps on) for the seed 12345."""
PUBLISHED_STREAM_1 = 0.5180770065635443
"""The first number of stream 1 (``2**134`` steps on) for the seed 12345."""


def textbook_integers(state: list[int], count: int) -> tuple[list[int], list[int]]:
    """``count`` outputs ``k`` in [1, M1] of the generator at ``state`` (x11, x12, x13, x21,
    x22, x23, most recent first) and the state after them."""
    x1, x2 = list(state[:3]), list(state[3:])
    outputs = []
    for _ in range(count):
        new1 = (2**22 * x1[1] + (2**7 + 1) * x1[2]) % M1
        new2 = (2**15 * x2[0] + (2**15 + 1) * x2[2]) % M2
        x1, x2 = [new1, x1[0], x1[1]], [new2, x2[0], x2[1]]
        k = (new1 - new2) % M1
        outputs.append(k if k > 0 else M1)
    return outputs, x1 + x2


def matrix_power(
    matrix: tuple[tuple[int, ...], ...], exponent: int, modulus: int
) -> list[list[int]]:
    result = [[int(i == j) for j in range(3)] for i in range(3)]
    base = [list(row) for row in matrix]
    while exponent:
        if exponent & 1:
            result = [
                [sum(result[i][k] * base[k][j] for k in range(3)) % modulus for j in range(3)]
                for i in range(3)
            ]
        base = [
            [sum(base[i][k] * base[k][j] for k in range(3)) % modulus for j in range(3)]
            for i in range(3)
        ]
        exponent >>= 1
    return result


@functools.cache
def jump_matrices(power: int) -> tuple[list[list[int]], list[list[int]]]:
    return matrix_power(A1, 2**power, M1), matrix_power(A2, 2**power, M2)


def textbook_jump(state: list[int], power: int) -> list[int]:
    first, second = jump_matrices(power)
    x1 = [sum(a * x for a, x in zip(row, state[:3], strict=True)) % M1 for row in first]
    x2 = [sum(a * x for a, x in zip(row, state[3:], strict=True)) % M2 for row in second]
    return x1 + x2


def textbook_rstate(seed_state: list[int], streams: int) -> list[list[int]]:
    rows = [list(seed_state)]
    for _ in range(streams - 1):
        rows.append(textbook_jump(rows[-1], 72))
    return rows


def textbook_sample(rows: list[list[int]], size: int) -> tuple[np.ndarray, list[list[int]]]:
    """Number ``i`` from stream ``i mod len(rows)``, as float64 ``k * 2**-31``."""
    rows = [list(r) for r in rows]
    out = np.empty(size)
    for i in range(size):
        stream = i % len(rows)
        (k,), rows[stream] = textbook_integers(rows[stream], 1)
        out[i] = k / 2**31
    return out, rows


# -- the generator ------------------------------------------------------------------------------


def test_the_first_published_numbers_of_seed_12345() -> None:
    _, sample = mrg31k3p.uniform(np.array([[12345] * 6], dtype=np.int32), 3, "float64")
    assert sample.tolist() == PUBLISHED_12345
    seed = np.array([12345] * 6, dtype=np.int32)
    _, first_of_substream = mrg31k3p.uniform(mrg31k3p.jump(seed, 72)[None], 1, "float64")
    _, first_of_stream = mrg31k3p.uniform(mrg31k3p.jump(seed, 134)[None], 1, "float64")
    assert first_of_substream.tolist() == [PUBLISHED_SUBSTREAM_1]
    assert first_of_stream.tolist() == [PUBLISHED_STREAM_1]


def test_thousands_of_numbers_equal_the_textbook_recurrences() -> None:
    """Bit for bit, float64 samples being ``k * 2**-31`` exactly."""
    state = [12345] * 6
    integers, final = textbook_integers(state, 5000)
    new_state, sample = mrg31k3p.uniform(np.array([state], dtype=np.int32), 5000, "float64")
    assert sample.tolist() == [k / 2**31 for k in integers]
    assert new_state.tolist() == [final]


@pytest.mark.parametrize(
    "state",
    [
        [1, 2, 3, 4, 5, 6],
        [M1 - 1, M1 - 2, M1 - 3, M2 - 1, M2 - 2, M2 - 3],
        [0, 0, 1, 0, 0, 1],
        [2**31 - 2, 0, 2**30, 2**31 - 21070, 123456789, 0],
    ],
)
def test_edge_states_equal_the_textbook_recurrences(state: list[int]) -> None:
    """States near the moduli exercise every reduction (Theano's int32 overflow checks)."""
    integers, final = textbook_integers(state, 2000)
    new_state, sample = mrg31k3p.uniform(np.array([state], dtype=np.int32), 2000, "float64")
    assert sample.tolist() == [k / 2**31 for k in integers]
    assert new_state.tolist() == [final]


def test_float32_samples_are_the_float32_rounding_of_k_times_the_float32_scale() -> None:
    state = [12345] * 6
    integers, _ = textbook_integers(state, 3000)
    _, sample = mrg31k3p.uniform(np.array([state], dtype=np.int32), 3000, "float32")
    expected = np.array(integers, dtype=np.float32) * np.float32(4.6566126e-10)
    assert sample.dtype == np.float32
    np.testing.assert_array_equal(sample, expected)
    assert (sample < 1).all() and (sample > 0).all()
    assert np.float32(M1) * np.float32(4.6566126e-10) < 1  # the scale keeps every sample < 1


def test_jump_matrices_are_the_powers_of_the_transition_matrices() -> None:
    assert matrix_power(A1, 2**72, M1) == mrg31k3p.A1P72.tolist()
    assert matrix_power(A2, 2**72, M2) == mrg31k3p.A2P72.tolist()
    assert matrix_power(A1, 2**134, M1) == mrg31k3p.A1P134.tolist()
    assert matrix_power(A2, 2**134, M2) == mrg31k3p.A2P134.tolist()


def test_substreams_are_successive_jumps() -> None:
    seed = [12345] * 6
    assert mrg31k3p.substreams(np.array(seed), 37).tolist() == textbook_rstate(seed, 37)
    assert mrg31k3p.jump(np.array(seed), 134).tolist() == textbook_jump(seed, 134)


def test_streams_interleave() -> None:
    """Number ``i`` comes from stream ``i mod n``; partial rounds advance the first streams
    only."""
    rows = textbook_rstate([7, 8, 9, 10, 11, 12], 5)
    expected, final = textbook_sample(rows, 23)
    new_state, sample = mrg31k3p.uniform(np.array(rows, dtype=np.int32), 23, "float64")
    np.testing.assert_array_equal(sample, expected)
    assert new_state.tolist() == final


def test_bad_states_and_sizes_are_refused() -> None:
    for bad in ([0, 0, 0, 1, 1, 1], [1, 1, 1, 0, 0, 0], [M1, 1, 1, 1, 1, 1], [1, 1, 1, M2, 1, 1]):
        with pytest.raises(ValueError, match="MRG31k3p state"):
            mrg31k3p.check_state(bad)
    with pytest.raises(ValueError, match="six integers"):
        mrg31k3p.check_state([1, 2, 3])
    with pytest.raises(ValueError, match="n×6 int32"):
        mrg31k3p.uniform(np.ones((2, 5), dtype=np.int32), 3, "float64")
    with pytest.raises(ValueError, match="float32 or float64"):
        mrg31k3p.to_unit_interval(np.array([1]), "float16")


# -- MRG_RandomStreams ---------------------------------------------------------------------------


def test_theanos_published_consistency_layout() -> None:
    """Theano's ``test_consistency_randomstreams``: 12 variables of 7 streams, 5 draws each,
    read stream by stream; the first numbers are the published ones."""
    srng = MRG_RandomStreams(seed=12345)
    samples = []
    for _ in range(12):
        f = function([], srng.uniform(size=(7,), nstreams=7))
        samples.append(np.array([f() for _ in range(5)]).T.flatten())
    flat = np.concatenate(samples)
    assert flat[:3].tolist() == PUBLISHED_12345
    assert flat[5] == PUBLISHED_SUBSTREAM_1 and flat[35] == PUBLISHED_STREAM_1
    state = [12345] * 6
    expected = []
    for _ in range(12):
        for row in textbook_rstate(state, 7):
            integers, _ = textbook_integers(row, 5)
            expected.extend(k / 2**31 for k in integers)
        state = textbook_jump(state, 134)
    assert flat.tolist() == expected


def test_default_stream_counts_follow_theanos_guess() -> None:
    assert guess_n_streams((10, 20)) == 33
    assert guess_n_streams((5,)) == 5 and guess_n_streams([7]) == 1
    assert guess_n_streams((1000, 1000)) == MAX_STREAMS
    assert guess_n_streams((T.iscalar(), 3)) == MAX_STREAMS
    srng = MRG_RandomStreams(seed=3)
    srng.uniform((10, 20))
    srng.normal((4,))
    counts = [shared.get_value(borrow=True).shape for shared, *_ in srng.state_updates]
    assert counts == [(33, 6), (MAX_STREAMS, 6)]


def test_uniform_scales_the_numbers_of_the_first_variables_streams() -> None:
    srng = MRG_RandomStreams(seed=99)
    x = srng.uniform((3, 4), low=-2.0, high=3.0)
    f = function([], x, mode="FAST_COMPILE")
    rows = textbook_rstate([99] * 6, guess_n_streams((3, 4)))
    numbers, rows = textbook_sample(rows, 12)
    np.testing.assert_array_equal(f(), (numbers * 5.0 - 2.0).reshape(3, 4))
    numbers, _ = textbook_sample(rows, 12)
    np.testing.assert_array_equal(f(), (numbers * 5.0 - 2.0).reshape(3, 4))
    np.testing.assert_array_equal(srng.rstate, textbook_jump([99] * 6, 134))


def test_normal_is_box_muller_on_theanos_uniforms() -> None:
    """An even number of uniforms from 15,360 streams; the first half gives the radius, the
    second the angle; cosines then sines, cut to the size."""
    srng = MRG_RandomStreams(seed=5)
    z = srng.normal((3, 3), avg=1.0, std=2.0)
    optimized = function([], z, no_default_updates=True)
    reference = function([], z, mode="FAST_COMPILE")
    rows = textbook_rstate([5] * 6, MAX_STREAMS)
    u, _ = textbook_sample(rows, 10)
    radius, theta = np.sqrt(-2.0 * np.log(u[:5])), 2.0 * np.pi * u[5:]
    expected = np.concatenate([radius * np.cos(theta), radius * np.sin(theta)])[:9]
    np.testing.assert_allclose(optimized(), expected.reshape(3, 3) * 2.0 + 1.0, rtol=1e-15)
    np.testing.assert_array_equal(reference(), expected.reshape(3, 3) * 2.0 + 1.0)


def test_binomial_compares_uniforms_with_p() -> None:
    srng = MRG_RandomStreams(seed=6)
    b = srng.binomial((8,), p=0.4)
    rows = textbook_rstate([6] * 6, guess_n_streams((8,)))
    u, _ = textbook_sample(rows, 8)
    result = function([], b)()
    assert result.dtype == np.int64
    np.testing.assert_array_equal(result, (u < 0.4).astype(np.int64))
    with pytest.raises(NotImplementedError, match="n > 1"):
        srng.binomial((2,), n=3)


def test_multinomial_counts_the_outcomes_the_uniforms_fall_in() -> None:
    srng = MRG_RandomStreams(seed=7)
    pvals = np.array([[0.2, 0.3, 0.5], [0.9, 0.05, 0.05]])
    m = srng.multinomial(pvals=pvals, n=4)
    result = function([], m)()
    rows = textbook_rstate([7] * 6, MAX_STREAMS)
    u, _ = textbook_sample(rows, 8)
    expected = np.zeros((2, 3), dtype=np.int64)
    for draw in range(4):
        for row in range(2):
            outcome = int(np.searchsorted(np.cumsum(pvals[row]), u[draw * 2 + row], "right"))
            expected[row, outcome] += 1
    np.testing.assert_array_equal(result, expected)
    assert result.sum(axis=1).tolist() == [4, 4]
    with pytest.raises(TypeError, match="pvals"):
        srng.multinomial()
    with pytest.raises(ValueError, match="no size"):
        srng.multinomial(size=(2,), pvals=pvals)  # type: ignore[arg-type]


def test_seeds_and_rstate() -> None:
    assert MRG_RandomStreams(seed=42).rstate.tolist() == [42] * 6
    assert MRG_RandomStreams(seed=[1, 2, 3, 4, 5, 6]).rstate.tolist() == [1, 2, 3, 4, 5, 6]
    with pytest.raises(ValueError, match="positive"):
        MRG_RandomStreams(seed=0)
    with pytest.raises(ValueError, match="below"):
        MRG_RandomStreams(seed=M2)
    with pytest.raises(ValueError, match="not all 0"):
        MRG_RandomStreams(seed=[0, 0, 0, 1, 1, 1])
    with pytest.raises(TypeError, match="1 integer or 6"):
        MRG_RandomStreams(seed=[1, 2])
    srng = MRG_RandomStreams()
    with pytest.raises(ValueError, match="MRG31k3p state"):
        srng.rstate = [M1, 1, 1, 1, 1, 1]


def test_seed_gives_every_variable_its_streams_again() -> None:
    srng = MRG_RandomStreams(seed=8)
    u, z = srng.uniform((5,)), srng.normal((2,))
    f = function([], [u, z])
    first = f()
    f()
    srng.seed()
    for a, b in zip(f(), first, strict=True):
        np.testing.assert_array_equal(a, b)
    srng.seed(9)
    other = MRG_RandomStreams(seed=9)
    g = function([], [other.uniform((5,)), other.normal((2,))])
    for a, b in zip(f(), g(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_functions_share_streams_copies_too_and_pickles_keep_them() -> None:
    srng = MRG_RandomStreams(seed=10)
    u = srng.uniform((4,))
    f = function([], u)
    reference = MRG_RandomStreams(seed=10)
    g = function([], reference.uniform((4,)))
    np.testing.assert_array_equal(f(), g())
    np.testing.assert_array_equal(f.copy()(), g())
    np.testing.assert_array_equal(function([], u * 1.0)(), g())
    restored = pickle.loads(pickle.dumps(f))
    expected = g()
    np.testing.assert_array_equal(restored(), expected)
    np.testing.assert_array_equal(f(), expected)


def test_float32_samples_under_float32_floatx() -> None:
    old = tracegraph.config.floatX
    tracegraph.config.floatX = "float32"
    try:
        srng = MRG_RandomStreams(seed=11)
        u = srng.uniform((1000,))
        result = function([], u)()
        assert result.dtype == np.float32 and (result < 1).all() and (result > 0).all()
        assert srng.normal((3,)).dtype == "float32"
    finally:
        tracegraph.config.floatX = old


def test_symbolic_sizes_use_the_most_streams() -> None:
    x = T.dmatrix("x")
    srng = MRG_RandomStreams(seed=12)
    u = srng.uniform(x.shape)
    f = function([x], u)
    assert f(np.zeros((2, 3))).shape == (2, 3)
    assert srng.state_updates[0][0].get_value(borrow=True).shape == (MAX_STREAMS, 6)
    with pytest.raises(ValueError, match="needs the size"):
        srng.uniform(None)
    with pytest.raises(NotImplementedError, match="truncate"):
        srng.normal((2,), truncate=True)


def test_the_draw_is_not_differentiable_but_its_scaling_is() -> None:
    """The sample depends on the generator state only: a gradient through ``low``/``high`` is
    the derivative of the affine map for the numbers drawn."""
    lo = T.dscalar("lo")
    srng = MRG_RandomStreams(seed=13)
    x = srng.uniform((6,), low=lo, high=lo + 2.0)
    g = function([lo], T.grad(x.sum(), lo), no_default_updates=True)
    np.testing.assert_allclose(g(0.5), 6.0)
    assert math.isclose(float(g(0.5)), 6.0)


def test_regressions() -> None:
    """A NumPy integer size is unknown to Theano's guess (its test is ``isinstance(s, int)``);
    low/high broadcasting beyond the size raise as in Theano; MRG numbers are floats."""
    srng = MRG_RandomStreams(seed=14)
    srng.uniform((np.int64(12),))
    assert srng.state_updates[0][0].get_value(borrow=True).shape == (MAX_STREAMS, 6)
    with pytest.raises(NotImplementedError, match="broadcast beyond the size"):
        srng.uniform((3,), low=np.zeros((2, 1)))
    with pytest.raises(ValueError, match="float32 or float64"):
        srng.uniform((3,), dtype="int32")
    rstate, new_rstate, size, nstreams = srng.state_updates[0]
    assert size == (np.int64(12),) and nstreams is None
    assert srng.updates()[0] == (rstate, new_rstate)


@pytest.mark.parametrize("mode", ["FAST_RUN", "FAST_COMPILE"])
@pytest.mark.parametrize("distribution", ["uniform", "normal", "binomial"])
def test_a_symbolic_size_of_another_length_than_ndim_is_a_value_error(
    distribution: str, mode: str
) -> None:
    """Regression: ``uniform(size=s, ndim=2)`` with ``s = [4]`` returned a (4, 8) sample on the
    C backend and (1, 4) on the reference, and ``normal`` refused a symbolic size of unknown
    length even with ``ndim``. A size of the right length draws what the same size given as a
    tuple draws."""
    size = T.lvector("size")
    draw = getattr(MRG_RandomStreams(seed=15), distribution)
    variable = draw(size=size, ndim=2, nstreams=7)
    f = function([size], variable, mode=mode)
    for bad in ([4], [4, 3, 4, 5]):
        with pytest.raises(ValueError, match="test_mrg"):
            f(np.array(bad, dtype=np.int64))
    expected = function(
        [], getattr(MRG_RandomStreams(seed=15), distribution)((2, 3), nstreams=7), mode=mode
    )()
    np.testing.assert_array_equal(f(np.array([2, 3])), expected)
