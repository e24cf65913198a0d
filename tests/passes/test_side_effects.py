"""Updates of shared variables and random draws survive every pass: each pass alone and the
whole pipeline.

Side effects are function results (``DESIGN.md``: "Side effects are explicit in the IR"): the
``func.return`` of a compiled function holds the outputs, then one new value per update, so
that no pass can drop an update, even one that CSE merges with an output or with another
update, one that canonicalizes to the variable itself, or one that no output uses. Each case
below is compiled with every pipeline of ``tests/passes/pipelines.py`` and called twice (the
second call reads what the first wrote); outputs and written values must be the unoptimized
reference's (bit for bit where only exact rewrites fired), and no two of them, nor an input, may
share memory.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

import numpy as np
import pytest
from numpy.typing import NDArray
from xdsl.dialects.func import ReturnOp

import tracegraph
import tracegraph.tensor as T
from tests.passes.pipelines import (
    INEXACT_PATTERNS,
    PIPELINES,
    REFERENCE,
    compare,
    recording_patterns,
)
from tracegraph import SharedVariable
from tracegraph.random import MRG_RandomStreams, RandomStreams
from tracegraph.tensor import TensorVariable

Array: TypeAlias = NDArray[Any]


@dataclass
class UpdateCase:
    """A function with updates: what ``function`` takes, the arguments of each call and the
    initial value of every shared variable."""

    inputs: list[TensorVariable]
    outputs: list[TensorVariable]
    updates: list[tuple[SharedVariable, TensorVariable]]
    calls: list[list[Array]]
    initial: dict[SharedVariable, Array]

    def reset(self) -> None:
        for variable, value in self.initial.items():
            variable.set_value(value.copy())


CASES: dict[str, Callable[[], UpdateCase]] = {}


def case(build: Callable[[], UpdateCase]) -> Callable[[], UpdateCase]:
    CASES[build.__name__.removeprefix("_")] = build
    return build


def _shared(name: str, value: Any, **kwargs: Any) -> tuple[SharedVariable, Array]:
    array = np.asarray(value)
    return tracegraph.shared(array, name=name, **kwargs), array


MATRIX = np.array([[0.5, -1.0, 2.0], [-0.0, 1.5, -2.5]])
VECTOR = np.array([1.0, -0.5, 0.0])


@case
def _update_is_an_output() -> UpdateCase:
    """The new value of ``w`` is the output itself, and again as an identical expression."""
    w, w0 = _shared("w", MATRIX)
    v, v0 = _shared("v", MATRIX)
    x = T.dmatrix("x")
    out = w * 2 + x
    return UpdateCase(
        [x], [out], [(w, out), (v, w * 2 + x)], [[MATRIX], [MATRIX * 3]], {w: w0, v: v0}
    )


@case
def _duplicate_updates() -> UpdateCase:
    """Two shared variables get one value: built twice (CSE merges them), and the same
    variable; no output."""
    a, a0 = _shared("a", VECTOR)
    b, b0 = _shared("b", VECTOR)
    c, c0 = _shared("c", VECTOR)
    d, d0 = _shared("d", VECTOR)
    x = T.dvector("x")
    same = T.exp(x) - 1
    updates = [(a, T.log(1 + x * a)), (b, T.log(1 + x * a)), (c, same), (d, same)]
    return UpdateCase([x], [], updates, [[VECTOR], [-VECTOR]], {a: a0, b: b0, c: c0, d: d0})


@case
def _updates_that_look_unused() -> UpdateCase:
    """Updates no output uses: one that canonicalizes to the variable itself, the variable
    itself, a counter, a constant fill, a value cast twice."""
    s, s0 = _shared("s", VECTOR)
    t, t0 = _shared("t", VECTOR)
    k, k0 = _shared("k", np.int64(0))
    z, z0 = _shared("z", VECTOR)
    f, f0 = _shared("f", VECTOR.astype("float32"))
    x = T.dvector("x")
    updates = [
        (s, T.neg(T.neg(s * 1)) + -0.0),
        (t, t),
        (k, k + 1),
        (z, T.zeros_like(z) + x**1),
        (f, T.cast(T.cast(f, "float64"), "float32")),
    ]
    return UpdateCase(
        [x], [x * 1], updates, [[VECTOR], [VECTOR + 1]], {s: s0, t: t0, k: k0, z: z0, f: f0}
    )


@case
def _gradient_updates() -> UpdateCase:
    """A step of logistic regression: the updates come from gradients of a cost the stable
    forms rewrite (``log(sigmoid)``, ``log(1 - sigmoid)``), and the cost is an output."""
    w, w0 = _shared("w", np.array([0.5, -0.25, 1.0]))
    b, b0 = _shared("b", np.float64(0.125))
    x, y = T.dmatrix("x"), T.dvector("y")
    p = 1 / (1 + T.exp(-(T.dot(x, w) + b)))
    cost = -T.mean(y * T.log(p) + (1 - y) * T.log(1 - p))
    gw, gb = T.grad(cost, [w, b])
    xs = np.array([[1.0, -2.0, 0.5], [0.0, 1.5, -1.0], [2.0, 0.25, 0.75], [-1.0, -1.0, 1.0]])
    ys = np.array([1.0, 0.0, 1.0, 0.0])
    return UpdateCase(
        [x, y],
        [cost, p],
        [(w, w - 0.5 * gw), (b, b - 0.5 * gb)],
        [[xs, ys], [xs[::-1].copy(), ys]],
        {w: w0, b: b0},
    )


@case
def _update_of_a_broadcast_fill() -> UpdateCase:
    """A row updated through fills and dimshuffles that canonicalization removes."""
    r, r0 = _shared("r", MATRIX[:1], broadcastable=(True, False))
    x = T.dmatrix("x")
    new = T.fill(r, (r.T.T + 1) ** 2) * 1
    return UpdateCase([x], [T.sum(x * r)], [(r, new)], [[MATRIX], [MATRIX]], {r: r0})


def run(
    updates_case: UpdateCase, mode: str | tracegraph.Mode
) -> tuple[tracegraph.Function[Any], list[list[Array]]]:
    """Compile with ``mode`` and call once per ``calls`` from the initial shared values; the
    outputs and new shared values of every call."""
    updates_case.reset()
    function = tracegraph.function(
        updates_case.inputs, updates_case.outputs, updates=updates_case.updates, mode=mode
    )
    steps = []
    for args in updates_case.calls:
        arrays = [np.array(a) for a in args]
        outputs = function(*arrays)
        written = [target.get_value(borrow=True) for target, _ in updates_case.updates]
        results = [*outputs, *written]
        for i, result in enumerate(results):
            others = [*results[:i], *results[i + 1 :], *arrays]
            assert not any(np.may_share_memory(result, other) for other in others), i
        steps.append([np.array(result, copy=True) for result in results])
    return function, steps


def returned(function: tracegraph.Function[Any]) -> int:
    """How many values the final graph's ``func.return`` returns."""
    last = function.maker.fgraph.func.body.block.last_op
    assert isinstance(last, ReturnOp)
    return len(last.arguments)


@pytest.mark.parametrize("pipeline", sorted(PIPELINES))
@pytest.mark.parametrize("name", sorted(CASES))
def test_every_update_survives(name: str, pipeline: str) -> None:
    updates_case = CASES[name]()
    _, expected = run(updates_case, REFERENCE)
    with recording_patterns() as fired:
        function, steps = run(updates_case, PIPELINES[pipeline])
    assert returned(function) == len(updates_case.outputs) + len(updates_case.updates)
    final = function.dump_ir(locations=False)
    for target, _ in updates_case.updates:
        assert f'tg.update = "{target.name}"' in final
    exact = not INEXACT_PATTERNS.intersection(fired)
    for call, (results, reference) in enumerate(zip(steps, expected, strict=True)):
        compare(results, reference, exact, f"{name}, {pipeline}, call {call}")


@pytest.mark.parametrize("pipeline", sorted(PIPELINES))
def test_cse_merges_identical_updates_but_keeps_both_results(pipeline: str) -> None:
    """``a`` and ``b`` get the same expression: after CSE, one value is returned twice."""
    updates_case = CASES["duplicate_updates"]()
    function, _ = run(updates_case, PIPELINES[pipeline])
    last = function.maker.fgraph.func.body.block.last_op
    assert isinstance(last, ReturnOp)
    values: Sequence[object] = last.arguments
    if "cse" in pipeline or pipeline in ("default", "without-stabilize"):
        assert values[0] is values[1] and values[2] is values[3]
    else:
        assert values[0] is not values[1] and values[2] is values[3]


# -- random states ------------------------------------------------------------------------------


def _random_graph() -> tuple[list[TensorVariable], list[Any], list[Any]]:
    """Outputs that use random draws in ways the passes simplify (a fill of a draw folds to a
    constant, ``rv - rv``, a draw used twice), with the streams of both classes; returns the
    outputs, the RandomStreams shared states and the MRG ones."""
    srng = RandomStreams(seed=21)
    mrg = MRG_RandomStreams(seed=22)
    u = srng.uniform((2, 2))
    n = srng.normal((3,))
    hidden = srng.binomial((2,), n=5, p=0.5)
    m = mrg.uniform((4,))
    z = mrg.normal((2, 3))
    outputs = [T.zeros_like(u), n - n, n * 1, T.exp(m) + T.exp(m), z, T.ones_like(hidden) * 2]
    states = [pair[0] for pair in srng.state_updates]
    rstates = [pair[0] for pair in mrg.state_updates]
    return outputs, states, rstates


def _run_random(mode: str | tracegraph.Mode) -> tuple[tracegraph.Function[Any], list[Any]]:
    outputs, states, rstates = _random_graph()
    function = tracegraph.function([], outputs, mode=mode)
    results = [function(), function()]
    after = [s.get_value(borrow=True).get_state()[1].copy() for s in states]
    after += [r.get_value() for r in rstates]
    return function, [results, after]


@pytest.mark.parametrize("pipeline", sorted(PIPELINES))
def test_random_draws_and_their_states_survive_every_pipeline(pipeline: str) -> None:
    """Every draw stays in the final graph once, even where the passes leave its sample unused,
    and every stream advances exactly as without passes."""
    _, expected = _run_random(REFERENCE)
    with recording_patterns() as fired:
        function, (results, after) = _run_random(PIPELINES[pipeline])
    final = function.dump_ir(locations=False)
    for op in ("uniform", "normal", "binomial"):
        assert final.count(f"tg.random.{op} ") == 1, op
    assert final.count("tg.random.mrg_uniform") == 2
    assert returned(function) == 6 + 5
    exact = not INEXACT_PATTERNS.intersection(fired)
    for call, (outputs, reference) in enumerate(zip(results, expected[0], strict=True)):
        compare(outputs, reference, exact, f"random outputs, {pipeline}, call {call}")
    for state, reference in zip(after, expected[1], strict=True):
        np.testing.assert_array_equal(state, reference)


@pytest.mark.parametrize("pipeline", sorted(PIPELINES))
def test_without_default_updates_no_stream_advances(pipeline: str) -> None:
    outputs, states, rstates = _random_graph()
    before = [s.get_value().get_state()[1] for s in states] + [r.get_value() for r in rstates]
    function = tracegraph.function([], outputs, mode=PIPELINES[pipeline], no_default_updates=True)
    first, second = function(), function()
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(a, b)
    after = [s.get_value().get_state()[1] for s in states] + [r.get_value() for r in rstates]
    for a, b in zip(after, before, strict=True):
        np.testing.assert_array_equal(a, b)
    assert returned(function) == 6
