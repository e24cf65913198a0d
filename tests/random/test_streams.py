"""``RandomStreams``: every distribution draws what Theano's recipe draws with NumPy, and the
semantics of random variables in functions (drawn at most once per call, default updates,
``no_default_updates``, streams shared between functions, reseeding, state get/set, ``givens``,
copies, pickling, failed calls, gradients)."""

from __future__ import annotations

import copy
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import tracegraph
import tracegraph.tensor as T
from tracegraph import (
    GraphTypeError,
    InputTypeError,
    ShapeMismatchError,
    UndefinedGradientError,
    function,
    shared,
)
from tracegraph.random import (
    RandomStateSharedVariable,
    RandomStateType,
    RandomStateVariable,
    RandomStreams,
    RandomVariable,
)

SEED = 4321
THIS_FILE = Path(__file__).name


def stream_generators(seed: int, count: int) -> list[np.random.RandomState]:
    """Theano's recipe: the k-th variable's generator is seeded by the k-th draw of
    ``RandomState(seed).randint(2**30)``."""
    seedgen = np.random.RandomState(seed)
    return [np.random.RandomState(int(seedgen.randint(2**30))) for _ in range(count)]


# -- every distribution against Theano's recipe -----------------------------------------------

Draw = Callable[[RandomStreams], RandomVariable]
Expected = Callable[[np.random.RandomState], Any]


def _theano_random_integers(rng: np.random.RandomState, low: Any, high: Any, size: Any) -> Any:
    """Theano's ``random_integers_helper``: one draw per element in C order."""
    out = np.empty(size, dtype=np.int64)
    low_b, high_b = np.broadcast_to(low, size), np.broadcast_to(high, size)
    for index in np.ndindex(*size):
        out[index] = rng.randint(low_b[index], high_b[index] + 1)
    return out


def _theano_permutations(rng: np.random.RandomState, n: int, size: tuple[int, ...]) -> Any:
    out = np.empty((*size, n), dtype=np.int64)
    for index in np.ndindex(*size):
        out[index] = rng.permutation(n)
    return out


def _theano_multinomials(rng: np.random.RandomState, n: Any, pvals: Any, size: Any) -> Any:
    out = np.empty((*size, np.shape(pvals)[-1]), dtype=np.int64)
    n_b = np.broadcast_to(n, size)
    pvals_b = np.broadcast_to(pvals, (*size, np.shape(pvals)[-1]))
    for index in np.ndindex(*size):
        row = np.asarray(pvals_b[index], dtype=np.float64)
        if 1.0 < row.sum() < 1.0 + 1e-5 or row[-1] < 5e-5:
            row = row * (1.0 - 5e-5)
        out[index] = rng.multinomial(int(n_b[index]), row)
    return out


ROW = np.array([[0.5], [2.0], [-1.0]])
DISTRIBUTIONS: dict[str, tuple[Draw, Expected]] = {
    "uniform": (lambda s: s.uniform((2, 3)), lambda r: r.uniform(0.0, 1.0, (2, 3))),
    "uniform_low_high": (
        lambda s: s.uniform((3, 4), low=-2.0, high=ROW),
        lambda r: r.uniform(-2.0, ROW, (3, 4)),
    ),
    "uniform_no_size": (lambda s: s.uniform(low=ROW, high=3.0), lambda r: r.uniform(ROW, 3.0)),
    "uniform_float32": (
        lambda s: s.uniform((5,), dtype="float32"),
        lambda r: r.uniform(0.0, 1.0, (5,)).astype(np.float32),
    ),
    "normal": (lambda s: s.normal((4, 2)), lambda r: r.normal(0.0, 1.0, (4, 2))),
    "normal_avg_std": (
        lambda s: s.normal((3, 2), avg=ROW, std=0.5),
        lambda r: r.normal(ROW, 0.5, (3, 2)),
    ),
    "binomial": (lambda s: s.binomial((6,), n=10, p=0.3), lambda r: r.binomial(10, 0.3, (6,))),
    "binomial_bernoulli": (lambda s: s.binomial((2, 5)), lambda r: r.binomial(1, 0.5, (2, 5))),
    "poisson": (lambda s: s.poisson((7,), lam=3.5), lambda r: r.poisson(3.5, (7,))),
    "random_integers": (
        lambda s: s.random_integers((3, 4), low=-5, high=5),
        lambda r: _theano_random_integers(r, -5, 5, (3, 4)),
    ),
    "random_integers_broadcast": (
        lambda s: s.random_integers((2, 3), low=[0, 10, 100], high=[[1, 20, 200], [5, 15, 150]]),
        lambda r: _theano_random_integers(
            r, np.array([0, 10, 100]), np.array([[1, 20, 200], [5, 15, 150]]), (2, 3)
        ),
    ),
    "random_integers_wide": (
        lambda s: s.random_integers((4,), low=0, high=2**40),
        lambda r: _theano_random_integers(r, 0, 2**40, (4,)),
    ),
    "randint": (
        lambda s: s.randint((5,), low=3, high=9),
        lambda r: _theano_random_integers(r, 3, 8, (5,)),
    ),
    "choice": (lambda s: s.choice((4,), a=10), lambda r: r.choice(10, (4,), True, None)),
    "choice_scalar": (lambda s: s.choice(a=5), lambda r: r.choice(5, None, True, None)),
    "choice_vector_p": (
        lambda s: s.choice((3, 2), a=[3, 5, 7], p=[0.2, 0.3, 0.5]),
        lambda r: r.choice(np.array([3, 5, 7]), (3, 2), True, [0.2, 0.3, 0.5]),
    ),
    "choice_without_replacement": (
        lambda s: s.choice((4,), a=6, replace=False),
        lambda r: r.choice(6, (4,), False, None),
    ),
    "permutation": (lambda s: s.permutation(n=6), lambda r: _theano_permutations(r, 6, ())),
    "permutations": (
        lambda s: s.permutation((2, 3), n=4),
        lambda r: _theano_permutations(r, 4, (2, 3)),
    ),
    "multinomial": (
        lambda s: s.multinomial((3,), n=10, pvals=[0.2, 0.3, 0.5]),
        lambda r: _theano_multinomials(r, 10, [0.2, 0.3, 0.5], (3,)),
    ),
    "multinomial_rows": (
        lambda s: s.multinomial(n=[5, 50], pvals=[[0.1, 0.9], [0.5, 0.5]]),
        lambda r: _theano_multinomials(r, [5, 50], [[0.1, 0.9], [0.5, 0.5]], (2,)),
    ),
    "multinomial_tiny_last": (
        lambda s: s.multinomial((2,), n=100, pvals=[0.6, 0.4 - 1e-6, 1e-6]),
        lambda r: _theano_multinomials(r, 100, [0.6, 0.4 - 1e-6, 1e-6], (2,)),
    ),
}


@pytest.mark.parametrize("name", sorted(DISTRIBUTIONS))
def test_draws_follow_theanos_recipe(name: str) -> None:
    """The k-th variable draws with the k-th seeded generator, three calls in a row; dtype and
    shape are those of the variable's type."""
    draw, expected = DISTRIBUTIONS[name]
    srng = RandomStreams(seed=SEED)
    first = draw(srng)
    variable = draw(srng)  # the second stream
    f = function([], variable)
    generator = stream_generators(SEED, 2)[1]
    for _ in range(3):
        result = f()
        reference = np.asarray(expected(generator))
        assert result.dtype == variable.dtype
        assert result.shape == reference.shape
        assert all(
            s is None or s == r for s, r in zip(variable.type.shape, result.shape, strict=True)
        )
        np.testing.assert_array_equal(result, reference.astype(variable.dtype))
    assert first.rng is not variable.rng


def test_random_integers_of_numpy_broadcasting_equal_theanos_loop_on_many_values() -> None:
    """The kernel draws with one broadcasting ``randint``; Theano drew element by element. They
    consume the generator the same way, for narrow and wide ranges."""
    srng = RandomStreams(seed=SEED)
    low = np.arange(-50, 50).reshape(10, 10)
    high = low + np.array([1, 7, 2**31, 2**33, 0, 3, 2**20, 5, 1, 2**40])
    f = function([], srng.random_integers((10, 10), low=low, high=high))
    generator = stream_generators(SEED, 1)[0]
    for _ in range(3):
        np.testing.assert_array_equal(f(), _theano_random_integers(generator, low, high, (10, 10)))


# -- types, sizes, dtypes ---------------------------------------------------------------------


def test_random_variables_know_their_stream() -> None:
    srng = RandomStreams(seed=1)
    rv = srng.uniform((2,))
    assert isinstance(rv, RandomVariable) and isinstance(rv.rng, RandomStateSharedVariable)
    assert rv.update[0] is rv.rng and isinstance(rv.update[1], RandomStateVariable)
    assert rv.rng.default_update is rv.update[1]
    assert srng.state_updates == [rv.update] and srng.updates() == [rv.update]
    assert rv.rng.type == RandomStateType() and repr(rv.rng.type) == "RandomStateType"
    assert isinstance(rv.rng.get_value(borrow=True), np.random.RandomState)


def test_symbolic_sizes() -> None:
    """``size`` as a tuple of ints and symbolic scalars, or a symbolic shape vector."""
    x = T.dmatrix("x")
    n = T.iscalar("n")
    srng = RandomStreams(seed=5)
    like_x = srng.normal(x.shape)
    mixed = srng.uniform((n, 3))
    assert like_x.type.shape == (None, None) and mixed.type.shape == (None, 3)
    f = function([x, n], [like_x, mixed])
    out_x, out_mixed = f(np.zeros((4, 5)), 2)
    generators = stream_generators(5, 2)
    np.testing.assert_array_equal(out_x, generators[0].normal(0.0, 1.0, (4, 5)))
    np.testing.assert_array_equal(out_mixed, generators[1].uniform(0.0, 1.0, (2, 3)))


@pytest.mark.parametrize("floatx", ["float32", "float64"])
def test_real_samples_are_floatx_unless_dtype_or_tensor_parameters_say(floatx: str) -> None:
    old = tracegraph.config.floatX
    tracegraph.config.floatX = floatx
    try:
        srng = RandomStreams(seed=2)
        assert srng.uniform((2,)).dtype == floatx
        assert srng.normal((2,), avg=1.5).dtype == floatx
        assert srng.uniform((2,), dtype="float64").dtype == "float64"
        assert srng.uniform((2,), low=T.dscalar()).dtype == "float64"
        assert function([], srng.normal((3,)))().dtype == floatx
    finally:
        tracegraph.config.floatX = old


def test_bad_sizes_and_parameters_raise_at_trace_time() -> None:
    srng = RandomStreams(seed=1)
    with pytest.raises(ValueError, match="non-negative"):
        srng.uniform((2, -1))
    with pytest.raises(ValueError, match="ndim=3"):
        srng.uniform((2, 2), ndim=3)
    with pytest.raises(ValueError, match="rank 2 does not fit"):
        srng.uniform((3,), low=np.zeros((2, 3)))
    with pytest.raises(ValueError, match="scalar or a vector"):
        srng.choice((2,), a=np.zeros((2, 2)))
    with pytest.raises(ValueError, match="n must be a scalar"):
        srng.permutation((2,), n=[3, 4])
    with pytest.raises(ValueError, match="axis of outcomes"):
        srng.multinomial((2,), pvals=0.5)


def test_run_time_errors_name_the_draw_and_leave_the_state_unchanged() -> None:
    srng = RandomStreams(seed=1)
    x = T.dvector("x")
    rv = srng.uniform((3,))
    f = function([x], rv + x)
    before = rv.rng.get_value(borrow=True)
    state = before.get_state()
    with pytest.raises(ShapeMismatchError, match=r"tg\.add"):
        f(np.zeros(4))
    assert rv.rng.get_value(borrow=True) is before
    np.testing.assert_array_equal(before.get_state()[1], state[1])
    bad = srng.binomial((2,), n=3, p=1.5)
    with pytest.raises(tracegraph.RuntimeOpError, match=r"tg\.random\.binomial at .*test_streams"):
        function([], bad)()


def test_ir_of_a_draw() -> None:
    srng = RandomStreams(seed=1)
    f = function([], srng.uniform((2, 2)))
    ir = f.dump_ir(locations=False)
    assert "!tg.random_state {tg.shared" in ir and "!tg.random_state {tg.update" in ir
    assert "tg.random.uniform" in ir
    reparsed = tracegraph.ir.print_module(tracegraph.ir.parse_module(ir), locations=False)
    assert reparsed == ir


# -- semantics --------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["FAST_COMPILE", "FAST_RUN"])
def test_a_random_variable_is_drawn_once_per_call(mode: str) -> None:
    """However often it appears, also through identical-looking expressions CSE merges."""
    srng = RandomStreams(seed=3)
    rv = srng.normal((50,))
    f = function([], [rv, rv * 1.0, T.exp(rv) - T.exp(rv), rv - rv], mode=mode)
    a, b, c, d = f()
    np.testing.assert_array_equal(a, b)
    assert not c.any() and not d.any()
    assert f.dump_ir().count("tg.random.normal") == 1


def test_two_variables_with_identical_arguments_are_two_draws() -> None:
    """CSE never merges two draws: each has its own stream (and would differ anyway)."""
    srng = RandomStreams(seed=3)
    u1, u2 = srng.uniform((4,)), srng.uniform((4,))
    f = function([], [u1, u2])
    assert f.dump_ir().count("tg.random.uniform") == 2
    a, b = f()
    assert not np.allclose(a, b)


def test_no_default_updates_as_a_list() -> None:
    srng = RandomStreams(seed=8)
    u, n = srng.uniform((3,)), srng.normal((3,))
    f = function([], [u, n], no_default_updates=[u.rng])
    first_u, first_n = f()
    second_u, second_n = f()
    np.testing.assert_array_equal(first_u, second_u)
    assert not np.allclose(first_n, second_n)


def test_an_explicit_update_replaces_the_default_one() -> None:
    srng = RandomStreams(seed=8)
    u = srng.uniform((3,))
    keep = function([], u, updates=[(u.rng, u.rng)])
    np.testing.assert_array_equal(keep(), keep())
    advance = function([], u, updates=srng.updates())
    assert not np.allclose(advance(), advance())


def test_random_state_updates_are_checked() -> None:
    srng = RandomStreams(seed=8)
    u = srng.uniform((3,))
    with pytest.raises(GraphTypeError, match="random state is updated with a random state"):
        function([], u, updates=[(u.rng, u)])
    with pytest.raises(GraphTypeError, match="must match"):
        function([], u, updates=[(shared(np.zeros(3)), u.update[1])])


def test_functions_share_streams() -> None:
    srng = RandomStreams(seed=10)
    u = srng.uniform((2,))
    f, g = function([], u), function([], u * 2)
    generator = stream_generators(10, 1)[0]
    np.testing.assert_array_equal(f(), generator.uniform(size=(2,)))
    np.testing.assert_array_equal(g(), 2 * generator.uniform(size=(2,)))
    np.testing.assert_array_equal(f(), generator.uniform(size=(2,)))


def test_reseeding_restarts_every_stream_in_creation_order() -> None:
    srng = RandomStreams(seed=11)
    u, n = srng.uniform((2,)), srng.normal((2,))
    f = function([], [u, n])
    first = f()
    f()
    srng.seed(11)
    for a, b in zip(f(), first, strict=True):
        np.testing.assert_array_equal(a, b)
    srng.seed(12)
    generators = stream_generators(12, 2)
    again = f()
    np.testing.assert_array_equal(again[0], generators[0].uniform(size=(2,)))
    np.testing.assert_array_equal(again[1], generators[1].normal(size=(2,)))
    srng.seed()  # the constructor's seed
    np.testing.assert_array_equal(f()[0], first[0])


def test_state_get_and_set() -> None:
    srng = RandomStreams(seed=13)
    u = srng.uniform((3,))
    f = function([], u)
    copy_of_state = u.rng.get_value()
    live = u.rng.get_value(borrow=True)
    assert copy_of_state is not live
    cell = u.rng.cell
    assert cell.value is live
    first = f()
    assert u.rng.get_value(borrow=True) is not live  # the call stored a new generator
    assert u.rng.cell is cell and cell.value is u.rng.get_value(borrow=True)  # in the same cell
    u.rng.set_value(copy_of_state)
    np.testing.assert_array_equal(f(), first)
    with pytest.raises(InputTypeError, match="RandomState"):
        u.rng.set_value(np.zeros(3))
    with pytest.raises(InputTypeError, match="RandomState"):
        RandomStateSharedVariable(np.random.default_rng(0))  # type: ignore[arg-type]


def test_givens_replace_a_random_variable() -> None:
    """A replaced variable is not drawn: its stream does not advance."""
    srng = RandomStreams(seed=14)
    u = srng.uniform((3,))
    x = T.dvector("x")
    f = function([x], u * 2, givens=[(u, x)])
    np.testing.assert_array_equal(f(np.ones(3)), 2 * np.ones(3))
    assert "tg.random" not in f.dump_ir()
    g = function([], u)
    np.testing.assert_array_equal(g(), stream_generators(14, 1)[0].uniform(size=(3,)))


def test_copied_functions_keep_using_the_same_streams() -> None:
    srng = RandomStreams(seed=15)
    u = srng.uniform((2,))
    f = function([], u)
    generator = stream_generators(15, 1)[0]
    for function_copy in (f.copy(), copy.copy(f), f):
        np.testing.assert_array_equal(function_copy(), generator.uniform(size=(2,)))
    without = f.copy(delete_updates=True)
    np.testing.assert_array_equal(without(), without())


def test_pickling_keeps_the_state() -> None:
    srng = RandomStreams(seed=16)
    u = srng.uniform((3,))
    f = function([], u)
    f()
    restored = pickle.loads(pickle.dumps(f))
    np.testing.assert_array_equal(restored(), f())
    np.testing.assert_array_equal(restored(), f())
    shared_state = pickle.loads(pickle.dumps(u.rng))
    assert isinstance(shared_state, RandomStateSharedVariable)
    expected = u.rng.get_value().uniform(size=(3,))
    np.testing.assert_array_equal(shared_state.get_value().uniform(size=(3,)), expected)


def test_gradients_through_a_draw_are_undefined() -> None:
    srng = RandomStreams(seed=17)
    mu = T.dscalar("mu")
    sample = srng.normal((3,), avg=mu)
    with pytest.raises(UndefinedGradientError, match=r"tg\.random\.normal"):
        T.grad(sample.sum(), mu)
    # A draw whose parameters do not depend on the variable is a constant for the gradient.
    w = T.dscalar("w")
    noise = srng.uniform((3,))
    g = function([w], T.grad((w * noise).sum(), w), no_default_updates=True)
    np.testing.assert_allclose(g(2.0), function([], noise.sum(), no_default_updates=True)())


def test_pp_and_debugprint_show_draws() -> None:
    srng = RandomStreams(seed=1)
    u = srng.uniform((2,))
    assert tracegraph.pp(u * 2) == "(random.uniform(<shared>, 2, 0.0, 1.0) * 2)"
    assert "tg.random.uniform" in tracegraph.debugprint(u)


# -- regressions ---------------------------------------------------------------------------------


def test_a_draw_may_have_any_dtype() -> None:
    """Regression: ``binomial(..., dtype='float64')`` (the dropout-mask idiom) failed the op
    verifier; Theano drew and cast to the dtype."""
    srng = RandomStreams(seed=31)
    x = T.dmatrix("x")
    mask = srng.binomial(size=x.shape, n=1, p=0.7, dtype="float64")
    result = function([x], mask * x)(np.ones((3, 4)))
    expected = stream_generators(31, 1)[0].binomial(1, 0.7, (3, 4)).astype(np.float64)
    np.testing.assert_array_equal(result, expected)
    assert function([], srng.uniform((3,), dtype="int32"))().dtype == np.int32


def test_the_gradient_with_respect_to_a_sample_stops_at_it() -> None:
    """Regression: ``grad(f(u), u)`` for a sample ``u`` raised UndefinedGradientError."""
    u = RandomStreams(seed=32).uniform((3,))
    g = function([], [u, T.grad((u**2).sum(), u)], no_default_updates=True)
    sample, gradient = g()
    np.testing.assert_array_equal(gradient, 2 * sample)


def test_python_float_parameters_are_floatx_constants() -> None:
    """Regression: under floatX=float32, ``uniform(low=0.1)`` passed 0.1 (not float32(0.1)) to
    the generator, unlike Theano, and 13% of the numbers differed."""
    old = tracegraph.config.floatX
    tracegraph.config.floatX = "float32"
    try:
        srng = RandomStreams(seed=33)
        r = function([], srng.uniform((1000,), low=0.1, high=0.7))()
        generator = stream_generators(33, 1)[0]
        expected = generator.uniform(np.float32(0.1), np.float32(0.7), 1000).astype(np.float32)
        np.testing.assert_array_equal(r, expected)
        assert srng.uniform((2,), low=np.float64(0.1)).dtype == "float64"
    finally:
        tracegraph.config.floatX = old


def test_a_symbolic_size_of_unknown_length_takes_ndim() -> None:
    """Regression: ``uniform(size=T.lvector(), ndim=2)`` said "pass ndim=" although it was."""
    size = T.lvector("size")
    srng = RandomStreams(seed=34)
    f = function([size], srng.uniform(size=size, ndim=2))
    assert f(np.array([2, 3])).shape == (2, 3)
    with pytest.raises(ValueError, match="known length"):
        srng.uniform(size=size)
    with pytest.raises(TypeError, match="integer"):
        srng.uniform((2.0, 3))  # type: ignore[arg-type]
    assert T.reshape(T.dvector(), T.lvector(), ndim=2).ndim == 2


def test_one_permutation_takes_ndim_one() -> None:
    """Regression: ``permutation(n=5, ndim=1)`` was refused (Theano's ndim counts the sample's
    axis when there is no size)."""
    assert RandomStreams(seed=35).permutation(n=5, ndim=1).type.shape == (5,)
    with pytest.raises(TypeError, match="ndim 1"):
        RandomStreams(seed=35).permutation(n=5, ndim=2)


def test_float32_pvals_are_summed_in_float32() -> None:
    """Regression: a float32 row of probabilities was summed in float64, so Theano's correction
    of rows adding up to a little over 1 applied to other rows."""
    pvals = np.array([0.0927, 0.0215, 0.8858], dtype=np.float32)
    srng = RandomStreams(seed=36)
    result = function([], srng.multinomial((2000,), n=100, pvals=pvals))()
    generator = stream_generators(36, 1)[0]
    expected = np.empty((2000, 3), dtype=np.int64)
    for row in range(2000):
        p = pvals
        if 1.0 < p.sum() < 1.0 + 1e-5 or p[-1] < 5e-5:
            p = p * np.float32(1.0 - 5e-5)
        expected[row] = generator.multinomial(100, p.astype(np.float64))
    np.testing.assert_array_equal(result, expected)


def test_a_new_state_written_to_two_streams_is_two_generators() -> None:
    """Regression: one new state as the update of two streams left both holding one object."""
    srng = RandomStreams(seed=37)
    u, v = srng.uniform((3,)), srng.uniform((3,))
    f = function([], [u, v], updates=[(u.rng, u.update[1]), (v.rng, u.update[1])])
    f()
    assert u.rng.get_value(borrow=True) is not v.rng.get_value(borrow=True)
    state = u.rng.get_value(borrow=True).get_state()
    np.testing.assert_array_equal(state[1], v.rng.get_value(borrow=True).get_state()[1])


def test_random_states_can_be_swapped_given_and_returned() -> None:
    """Regression: ``copy(swap=)``, ``givens`` and outputs refused random-state variables."""
    srng = RandomStreams(seed=38)
    u, v = srng.uniform((3,)), srng.uniform((3,))
    f = function([], u)
    swapped = f.copy(swap={u.rng: RandomStateSharedVariable(np.random.RandomState(5))})
    np.testing.assert_array_equal(swapped(), np.random.RandomState(5).uniform(size=3))
    given = function([], u, givens=[(u.rng, v.rng)], no_default_updates=True)
    np.testing.assert_array_equal(given(), function([], v, no_default_updates=True)())
    _, state = function([], [u, u.update[1]])()
    assert isinstance(state, np.random.RandomState)
    assert state is not u.rng.get_value(borrow=True)
    with pytest.raises(GraphTypeError, match="cannot replace"):
        function([], u, givens=[(u.rng, T.dvector())])


def test_streams_pickle() -> None:
    """Regression: an MRG_RandomStreams with draws pickled but could not be unpickled (a
    TensorType cannot be rebuilt by setting attributes)."""
    from tracegraph.random import MRG_RandomStreams

    mrg = MRG_RandomStreams(seed=3)
    mrg.uniform((3,))
    restored = pickle.loads(pickle.dumps(mrg))
    np.testing.assert_array_equal(restored.rstate, mrg.rstate)
    assert len(restored.state_updates) == 1 and len(restored.state_updates[0]) == 4
    variable = pickle.loads(pickle.dumps(T.dmatrix("x") * 2))
    assert variable.type == T.dmatrix().type


SYMBOLIC_SIZE_DRAWS: dict[str, Callable[[RandomStreams, Any], RandomVariable]] = {
    "uniform": lambda s, size: s.uniform(size=size, ndim=2),
    "normal": lambda s, size: s.normal(size=size, ndim=2),
    "binomial": lambda s, size: s.binomial(size=size, ndim=2, n=5, p=0.3),
    "poisson": lambda s, size: s.poisson(size=size, ndim=2, lam=2.0),
    "random_integers": lambda s, size: s.random_integers(size=size, ndim=2, low=-3, high=3),
    "randint": lambda s, size: s.randint(size=size, ndim=2, high=7),
    "choice": lambda s, size: s.choice(size=size, ndim=2, a=[3, 5, 7], p=[0.2, 0.3, 0.5]),
    "permutation": lambda s, size: s.permutation(size=size, ndim=2, n=4),
    "multinomial": lambda s, size: s.multinomial(size=size, ndim=2, n=6, pvals=[0.5, 0.5]),
}


@pytest.mark.parametrize("mode", ["FAST_RUN", "FAST_COMPILE"])
@pytest.mark.parametrize("name", sorted(SYMBOLIC_SIZE_DRAWS))
def test_a_symbolic_size_of_another_length_than_ndim_is_a_value_error(name: str, mode: str) -> None:
    """Regression: ``uniform(size=s, ndim=2)`` with ``s = [4]`` drew a sample of shape (4,)
    (and of rank 4 for ``s = [4, 3, 4, 5]``), not of the type's rank; Theano raised ValueError
    when called (``test_symbolic_shape``). The failed call leaves the stream as it was; a
    size of the right length draws the numbers of the same size given as a tuple."""
    draw = SYMBOLIC_SIZE_DRAWS[name]
    size = T.lvector("size")
    srng = RandomStreams(seed=SEED)
    variable = draw(srng, size)
    f = function([size], variable, mode=mode)
    state = variable.rng.get_value(borrow=True)
    for bad in ([4], [4, 3, 4, 5], []):
        with pytest.raises(ValueError, match=THIS_FILE):
            f(np.array(bad, dtype=np.int64))
        assert variable.rng.get_value(borrow=True) is state
    expected = function([], draw(RandomStreams(seed=SEED), (2, 3)), mode=mode)()
    result = f(np.array([2, 3]))
    assert result.ndim == variable.ndim
    np.testing.assert_array_equal(result, expected)


@pytest.mark.parametrize("mode", ["FAST_RUN", "FAST_COMPILE"])
def test_theanos_symbolic_shape_and_vector_arguments(mode: str) -> None:
    """Theano's ``test_symbolic_shape`` and ``test_vector_arguments``
    (``theano/tensor/tests/test_shared_randomstreams.py``): the sample's rank is the size's
    length, or the parameters' rank without a size; a call whose size or parameters do not fit
    raises ValueError."""
    srng = RandomStreams(seed=SEED)
    shape = T.lvector()
    f = function([shape], srng.uniform(size=shape, ndim=2), mode=mode)
    assert f([2, 3]).shape == (2, 3) and f([4, 8]).shape == (4, 8)
    for bad_shape in ([4], [4, 3, 4, 5]):
        with pytest.raises(ValueError):
            f(bad_shape)

    srng = RandomStreams(seed=SEED)
    generators = stream_generators(SEED, 3)
    low, high, size = T.dvector(), T.dvector(), T.lvector()
    out = srng.uniform(low=low, high=1)
    assert out.ndim == 1
    f = function([low], out, mode=mode)
    np.testing.assert_array_equal(
        f([-5, 0.5, 0, 1]), generators[0].uniform(low=[-5, 0.5, 0, 1], high=1)
    )
    np.testing.assert_array_equal(f([0.9]), generators[0].uniform(low=[0.9], high=1))

    outb = srng.uniform(low=low, high=high)
    assert outb.ndim == 1
    fb = function([low, high], outb, mode=mode)
    np.testing.assert_array_equal(
        fb([-4.0, -2], [-1, 0]), generators[1].uniform(low=[-4.0, -2], high=[-1, 0])
    )
    np.testing.assert_array_equal(fb([-4.0], [-1]), generators[1].uniform(low=[-4.0], high=[-1]))
    with pytest.raises(ValueError):
        fb([-4.0, -2], [-1, 0, 1])

    outc = srng.uniform(low=low, high=high, size=size, ndim=1)
    assert outc.ndim == 1
    fc = function([low, high, size], outc, mode=mode)
    np.testing.assert_array_equal(
        fc([-4.0, -2], [-1, 0], [2]), generators[2].uniform(low=[-4.0, -2], high=[-1, 0])
    )
    np.testing.assert_array_equal(
        fc([-4.0], [-1], [1]), generators[2].uniform(low=[-4.0], high=[-1])
    )
    for bad_size, bad_high in (([1], [-1, 0]), ([1, 2], [-1, 0]), ([2, 1], [-1, 0]), ([1], [-1])):
        with pytest.raises(ValueError):
            fc([-4.0, -2], bad_high, bad_size)
