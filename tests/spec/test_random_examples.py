"""The random-number examples of the specification pages, with ``theano`` renamed to
``tracegraph``, printing the numbers shown (to the digits shown) and behaving as described.

The 0.x page spells the live generator ``rv.rng.value``; Theano 1.0 (and tracegraph) spells it
``rv.rng.get_value(borrow=True)``, which the 1.0 page uses.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import tracegraph
from tracegraph import function
from tracegraph.sandbox.rng_mrg import MRG_RandomStreams
from tracegraph.tensor import TensorVariable
from tracegraph.tensor.shared_randomstreams import RandomStreams


def assert_shown(value: object, shown: object) -> None:
    """``value`` is an ndarray equal to what the page shows, to the 8 digits it shows."""
    assert isinstance(value, np.ndarray)
    assert value.shape == np.shape(shown)
    np.testing.assert_allclose(value, np.asarray(shown), rtol=0, atol=5e-9)


class Setup:
    """The page's setup code."""

    def __init__(self) -> None:
        self.srng = RandomStreams(seed=234)
        self.rv_u = self.srng.uniform((2, 2))
        self.rv_n = self.srng.normal((2, 2))
        self.f = function([], self.rv_u)
        self.g = function([], self.rv_n, no_default_updates=True)  # Not updating rv_n.rng
        self.nearly_zeros = function([], self.rv_u + self.rv_u - 2 * self.rv_u)


def test_uniform_numbers_of_seed_234() -> None:
    """The numbers the issue quotes for ``RandomStreams(seed=234).uniform((2, 2))``."""
    setup = Setup()
    assert_shown(setup.f(), [[0.12672381, 0.97091597], [0.13989098, 0.88754825]])


def test_f_draws_different_numbers_every_time() -> None:
    setup = Setup()
    f_val0 = setup.f()
    f_val1 = setup.f()  # different numbers from f_val0
    assert not np.allclose(f_val0, f_val1)


def test_g_without_default_updates_draws_the_same_numbers() -> None:
    setup = Setup()
    f_val0, f_val1 = setup.f(), setup.f()
    g_val0 = setup.g()  # different numbers from f_val0 and f_val1
    g_val1 = setup.g()  # same numbers as g_val0!
    assert not np.allclose(g_val0, f_val0) and not np.allclose(g_val0, f_val1)
    np.testing.assert_array_equal(g_val0, g_val1)


def test_nearly_zeros_draws_rv_u_once() -> None:
    setup = Setup()
    result = setup.nearly_zeros()
    assert_shown(result, [[0.0, 0.0], [0.0, 0.0]])


def test_seeding_one_variable() -> None:
    setup = Setup()
    rng_val = setup.rv_u.rng.get_value(borrow=True)  # Get the rng for rv_u
    rng_val.seed(89234)  # seeds the generator
    setup.rv_u.rng.set_value(rng_val, borrow=True)  # Assign back seeded rng
    np.testing.assert_array_equal(setup.f(), np.random.RandomState(89234).uniform(size=(2, 2)))


def test_seeding_every_variable() -> None:
    setup = Setup()
    setup.srng.seed(902340)  # seeds rv_u and rv_n with different seeds each
    seedgen = np.random.RandomState(902340)
    u_seed, n_seed = seedgen.randint(2**30), seedgen.randint(2**30)
    np.testing.assert_array_equal(setup.f(), np.random.RandomState(u_seed).uniform(size=(2, 2)))
    np.testing.assert_array_equal(setup.g(), np.random.RandomState(n_seed).normal(size=(2, 2)))


@pytest.mark.parametrize("spelling", ["1.0", "0.x"])
def test_sharing_streams_between_functions(spelling: str) -> None:
    setup = Setup()
    rv_u = setup.rv_u
    state_after_v0 = rv_u.rng.get_value().get_state()
    assert_shown(setup.nearly_zeros(), [[0.0, 0.0], [0.0, 0.0]])  # this affects rv_u's generator
    v1 = setup.f()
    if spelling == "1.0":
        rng = rv_u.rng.get_value(borrow=True)
        rng.set_state(state_after_v0)
        rv_u.rng.set_value(rng, borrow=True)
    else:  # the 0.x page's rv_u.rng.value.set_state(...), in tracegraph's spelling
        rv_u.rng.get_value(borrow=True).set_state(state_after_v0)
    v2 = setup.f()  # v2 != v1
    v3 = setup.f()  # v3 == v1
    assert not np.allclose(v2, v1)
    np.testing.assert_array_equal(v3, v1)


class Graph:
    """The page's ``Graph`` class."""

    def __init__(self, seed: int = 123, streams: Any = RandomStreams) -> None:
        self.rng = streams(seed)
        self.y: TensorVariable = self.rng.uniform(size=(1,))


def copy_random_state(g1: Graph, g2: Graph) -> None:
    """The page's ``copy_random_state``."""
    if isinstance(g1.rng, MRG_RandomStreams):
        g2.rng.rstate = g1.rng.rstate
    for su1, su2 in zip(g1.rng.state_updates, g2.rng.state_updates, strict=True):
        su2[0].set_value(su1[0].get_value())


def test_copying_random_state_between_graphs() -> None:
    g1 = Graph(seed=123)
    f1 = tracegraph.function([], g1.y)
    g2 = Graph(seed=987)
    f2 = tracegraph.function([], g2.y)
    # By default, the two functions are out of sync.
    assert_shown(f1(), [0.72803009])
    assert_shown(f2(), [0.55056769])
    # We now copy the state of the theano random number generators.
    copy_random_state(g1, g2)
    assert_shown(f1(), [0.59044123])
    assert_shown(f2(), [0.59044123])


def test_copying_random_state_between_mrg_graphs() -> None:
    """The same with the MRG streams, which the page's ``copy_random_state`` also handles."""
    g1 = Graph(seed=123, streams=MRG_RandomStreams)
    f1 = tracegraph.function([], g1.y)
    g2 = Graph(seed=987, streams=MRG_RandomStreams)
    f2 = tracegraph.function([], g2.y)
    assert not np.array_equal(f1(), f2())
    copy_random_state(g1, g2)
    np.testing.assert_array_equal(f1(), f2())
    np.testing.assert_array_equal(g1.rng.rstate, g2.rng.rstate)


def test_mrg_streams_are_a_drop_in_replacement() -> None:
    """The page's note: change the import to use the MRG version easily."""
    from tracegraph.sandbox.rng_mrg import MRG_RandomStreams as RandomStreams

    srng = RandomStreams(seed=234)
    rv_u = srng.uniform((2, 2))
    rv_n = srng.normal((2, 2))
    f = function([], rv_u)
    g = function([], rv_n, no_default_updates=True)
    nearly_zeros = function([], rv_u + rv_u - 2 * rv_u)
    assert not np.allclose(f(), f())
    np.testing.assert_array_equal(g(), g())
    assert_shown(nearly_zeros(), [[0.0, 0.0], [0.0, 0.0]])
