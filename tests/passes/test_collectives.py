"""The bucket-all-reduce pass (``passes/collectives.py``): the all-reduces of a step become one
message, with the values of the all-reduces one by one, on every backend.

The ranks are played by :class:`ThirdOfThree` (this process is rank 1 of 3, its peers hold 10
and 100 times its values), so that a bucket that mixed up its parts would give wrong numbers.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from typing import Any, TypeAlias

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tracegraph
import tracegraph.distributed as tgd
import tracegraph.tensor as T
from tests.distributed.worlds import ThirdOfThree, playing
from tests.exploration import property_settings
from tracegraph.ir import ops
from tracegraph.ir.interpreter import REFERENCE_RULES
from tracegraph.printing import Print
from tracegraph.tensor import TensorVariable

LINKERS = ["numpy", "c", *(["triton"] if importlib.util.find_spec("triton") else [])]

UNBUCKETED = "bucket-all-reduce"


def _mode(linker: str, *excluded: str) -> tracegraph.Mode:
    return tracegraph.Mode(linker=linker).excluding(*excluded)


def _logistic_step(linker: str, *excluded: str) -> tuple[tracegraph.Function, list[Any]]:
    """One training step of a logistic regression whose gradients are all-reduced, and the
    shared variables it updates."""
    x, y = T.dmatrix("x"), T.dvector("y")
    w = tracegraph.shared(np.linspace(-1.0, 1.0, 3), "w")
    b = tracegraph.shared(np.float64(0.25), "b")
    p = T.nnet.sigmoid(T.dot(x, w) + b)
    cost = T.nnet.binary_crossentropy(p, y).mean()
    gw, gb = tgd.all_reduce(T.grad(cost, [w, b]), op="mean")
    step = tracegraph.function(
        [x, y],
        cost,
        updates=[(w, w - 0.5 * gw), (b, b - 0.5 * gb)],
        mode=_mode(linker, *excluded),
    )
    return step, [w, b]


def _train(linker: str, *excluded: str) -> tuple[list[Any], list[tuple[int, ...]], str]:
    """Three steps: the weights, the shapes all-reduced, the final IR."""
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(8, 3)), (rng.random(8) > 0.5).astype(float)
    world = ThirdOfThree()
    with playing(world):
        step, shared = _logistic_step(linker, *excluded)
        for _ in range(3):
            step(x, y)
    return [v.get_value() for v in shared], world.all_reduced, step.dump_ir("final")


@pytest.mark.parametrize("linker", LINKERS)
def test_a_step_all_reduces_its_gradients_in_one_message(linker: str) -> None:
    weights, all_reduced, final = _train(linker)
    assert final.count("tg.all_reduce_bucket") == 1 and "tg.all_reduce " not in final, final
    assert all_reduced == [(4,)] * 3  # w's 3 elements and b's 1, once per step
    unbucketed_weights, unbucketed_calls, _ = _train(linker, UNBUCKETED)
    assert unbucketed_calls == [(3,), ()] * 3
    for bucketed, alone in zip(weights, unbucketed_weights, strict=True):
        np.testing.assert_array_equal(bucketed, alone)  # elementwise: the same numbers


def _apart_and_levels(x: TensorVariable, y: TensorVariable) -> list[TensorVariable]:
    """All-reduces of two reductions, two dtypes and two levels (one of another's result)."""
    a = tgd.all_reduce(x, "sum")
    b = tgd.all_reduce(y * 2, "mean")
    c = tgd.all_reduce(x * 3, "sum")
    d = tgd.all_reduce(a * b, "sum")  # level 1: waits for a and b
    e = tgd.all_reduce(T.cast(x, "int32"), "max")
    f = tgd.all_reduce(c + 1, "sum")  # level 1, with d
    g = tgd.all_reduce(y, "mean")
    return [a, b, c, d, e, f, g]


@pytest.mark.parametrize("linker", LINKERS)
def test_buckets_follow_reduction_dtype_and_level(linker: str) -> None:
    x, y = T.dvector("x"), T.dvector("y")
    values = [np.array([1.0, -2.0]), np.array([0.5, 4.0])]
    results = {}
    for excluded in ((), (UNBUCKETED,)):
        with playing(ThirdOfThree()):
            f = tracegraph.function([x, y], _apart_and_levels(x, y), mode=_mode(linker, *excluded))
            results[excluded] = f(*values)
    for got, expected in zip(results[()], results[(UNBUCKETED,)], strict=True):
        np.testing.assert_array_equal(got, expected)
    with playing(ThirdOfThree()):
        final = tracegraph.function([x, y], _apart_and_levels(x, y)).dump_ir("final")
    buckets = [line for line in final.splitlines() if "tg.all_reduce_bucket" in line]
    # (sum, level 0): a and c; (mean, level 0): b and g; (sum, level 1): d and f; e alone.
    assert len(buckets) == 3 and final.count("tg.all_reduce ") == 1, final


def test_prints_keep_their_order_around_buckets(capsys: pytest.CaptureFixture[str]) -> None:
    x = T.dvector("x")
    first = Print("first")(tgd.all_reduce(x, "sum"))
    second = Print("second")(x * 2)
    third = Print("third")(tgd.all_reduce(x * 5, "sum"))
    printed = {}
    for excluded in ((), (UNBUCKETED,)):
        with playing(ThirdOfThree()):
            f = tracegraph.function([x], [first, second, third], mode=_mode("numpy", *excluded))
            assert ("tg.all_reduce_bucket" in f.dump_ir("final")) == (not excluded)
            f(np.array([1.0]))
        printed[excluded] = [line.split(" ")[0] for line in capsys.readouterr().out.splitlines()]
    assert printed[()] == printed[(UNBUCKETED,)] == ["first", "second", "third"]


def test_a_bucket_of_one_gives_its_array() -> None:
    from xdsl.ir import Block

    from tracegraph.ir.types import tensor_type

    block = Block(arg_types=[tensor_type("float64", (None,))])
    kernel: Callable[..., Any] = REFERENCE_RULES[ops.AllReduceBucketOp](
        ops.AllReduceBucketOp([block.args[0]], "sum")
    )
    with playing(ThirdOfThree()):
        result = kernel(np.array([1.0, 2.0]))
    np.testing.assert_array_equal(result, [111.0, 222.0])


def test_a_bucket_checks_that_the_ranks_agree_on_every_shape() -> None:
    x, y = T.dvector("x"), T.dmatrix("y")
    world = ThirdOfThree()
    with playing(world):
        f = tracegraph.function([x, y], tgd.all_reduce([x, y], "sum"))
        f(np.ones(2), np.ones((2, 3)))
        f(np.ones(2), np.ones((2, 3)))
    assert world.signatures == ["all_reduce(sum) of a bucket of float64[(2,), (2, 3)]"]


# -- random graphs of all-reduces ---------------------------------------------------------------

Node: TypeAlias = tuple[str, int, int]
"""``(kind, a, b)``: ``("input", i, _)``, ``("all_reduce:<reduction>", a, _)``, ``("add", a,
b)`` or ``("scale", a, _)``, where ``a`` and ``b`` index earlier nodes."""


@st.composite
def _graphs(draw: st.DrawFn) -> tuple[list[Node], list[int]]:
    """Nodes, each of earlier ones (so that all-reduces depend on others in every way), and
    the outputs."""
    nodes: list[Node] = [("input", 0, 0), ("input", 1, 0)]
    for _ in range(draw(st.integers(1, 12))):
        kind = draw(
            st.sampled_from(["all_reduce:sum", "all_reduce:mean", "all_reduce:max", "add", "scale"])
        )
        # Half of the operands are inputs: independent all-reduces, which buckets join.
        earlier = st.one_of(st.integers(0, 1), st.integers(0, len(nodes) - 1))
        a, b = draw(earlier), draw(earlier)
        nodes.append((kind, a, b))
    # Every node is an output: a function holds only what its outputs need.
    return nodes, list(range(2, len(nodes)))


def _build(nodes: list[Node], inputs: list[TensorVariable]) -> list[TensorVariable]:
    built: list[TensorVariable] = []
    for kind, a, b in nodes:
        if kind == "input":
            built.append(inputs[a])
        elif kind.startswith("all_reduce:"):
            built.append(tgd.all_reduce(built[a], kind.split(":")[1]))
        elif kind == "add":
            built.append(built[a] + built[b])
        else:
            built.append(built[a] * 0.5)
    return built


@property_settings(60, suppress=())
@given(_graphs())
def test_bucketing_keeps_the_values_of_random_graphs_of_all_reduces(
    graph: tuple[list[Node], list[int]],
) -> None:
    nodes, outputs = graph
    x, y = T.dvector("x"), T.dvector("y")
    values = [np.array([1.0, -2.0, 0.25]), np.array([3.0, 0.5, -1.0])]
    results, messages = {}, {}
    for excluded in ((), (UNBUCKETED,)):
        world = ThirdOfThree()
        with playing(world):
            built = _build(nodes, [x, y])
            f = tracegraph.function(
                [x, y],
                [built[i] for i in outputs],
                mode=_mode("numpy", *excluded),
                on_unused_input="ignore",
            )
            results[excluded] = f(*values)
        messages[excluded] = len(world.all_reduced)
    for bucketed, alone in zip(results[()], results[(UNBUCKETED,)], strict=True):
        np.testing.assert_array_equal(bucketed, alone)
    assert messages[()] <= messages[(UNBUCKETED,)]
