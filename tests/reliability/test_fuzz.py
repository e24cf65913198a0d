"""A fuzzer: random expressions of NumPy's ops built twice, with tracegraph and with NumPy, run
on every backend and compared with the reference (tight: the same computation) and with NumPy
(to the dtype's tolerance). A fast budget by default; ``-m fuzz_long`` runs a long one. What it
finds becomes a regression example here (``@example``)."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tracegraph
import tracegraph.tensor as T
from tests.exploration import property_settings
from tests.numpy_oracle import assert_matches_numpy

LINKERS = ["c", *(["triton"] if importlib.util.find_spec("triton") else [])]
SHAPE = (3, 4)
"""Every input is a float64 matrix of this shape (reductions keep their axis: it broadcasts)."""

UNARY: dict[str, tuple[Callable[[Any], Any], Callable[[Any], Any]]] = {
    "exp": (T.exp, np.exp),
    "log": (T.log, np.log),
    "tanh": (T.tanh, np.tanh),
    "sqrt": (T.sqrt, np.sqrt),
    "abs": (abs, np.abs),
    "neg": (lambda x: -x, np.negative),
    "sin": (T.sin, np.sin),
    "sigmoid": (T.nnet.sigmoid, lambda x: 1 / (1 + np.exp(-x))),
    "floor": (T.floor, np.floor),
    "square": (lambda x: x**2, np.square),
}
BINARY: dict[str, tuple[Callable[[Any, Any], Any], Callable[[Any, Any], Any]]] = {
    "add": (lambda a, b: a + b, np.add),
    "sub": (lambda a, b: a - b, np.subtract),
    "mul": (lambda a, b: a * b, np.multiply),
    "div": (lambda a, b: a / b, np.true_divide),
    "maximum": (T.maximum, np.maximum),
    "minimum": (T.minimum, np.minimum),
    "switch": (lambda a, b: T.switch(a > b, a, b), lambda a, b: np.where(a > b, a, b)),
}


@dataclass(frozen=True)
class Node:
    """An expression: an input (``leaf``), or an op applied to nodes; ``kind`` says which."""

    kind: str
    name: str = ""
    children: tuple[Node, ...] = ()
    leaf: int = 0


def _evaluate(node: Node, inputs: list[Any], symbolic: bool) -> Any:
    """The expression over ``inputs``: tracegraph's (``symbolic``) or NumPy's values."""
    side = 0 if symbolic else 1
    if node.kind == "leaf":
        return inputs[node.leaf]
    values = [_evaluate(child, inputs, symbolic) for child in node.children]
    if node.kind == "unary":
        return UNARY[node.name][side](values[0])
    if node.kind == "binary":
        return BINARY[node.name][side](*values)
    if node.kind == "reduce":  # over the last axis, kept: the shape stays a matrix
        function = {"sum": (T.sum, np.sum), "max": (T.max, np.max), "mean": (T.mean, np.mean)}
        chosen = function[node.name][side]
        return chosen(values[0], axis=-1, keepdims=True)
    raise AssertionError(node.kind)


def expressions(depth: int = 4) -> st.SearchStrategy[Node]:
    """Random expressions over two inputs, at most ``depth`` ops deep."""
    leaves = st.integers(0, 1).map(lambda i: Node("leaf", leaf=i))

    def extend(children: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
        return st.one_of(
            st.builds(
                lambda name, c: Node("unary", name, (c,)), st.sampled_from(sorted(UNARY)), children
            ),
            st.builds(
                lambda name, a, b: Node("binary", name, (a, b)),
                st.sampled_from(sorted(BINARY)),
                children,
                children,
            ),
            st.builds(
                lambda name, c: Node("reduce", name, (c,)),
                st.sampled_from(["sum", "max", "mean"]),
                children,
            ),
        )

    return st.recursive(leaves, extend, max_leaves=2**depth)


VALUES = st.one_of(
    st.floats(-5, 5, allow_nan=False),
    st.sampled_from([0.0, -0.0, 1.0, -1.0, np.nan, np.inf, -np.inf, 1e-300, 700.0, -750.0]),
)
ARRAYS = st.lists(VALUES, min_size=12, max_size=12).map(lambda v: np.array(v).reshape(SHAPE))


def _check(node: Node, first: np.ndarray, second: np.ndarray) -> None:
    x, y = T.dmatrices("x", "y")
    symbolic = _evaluate(node, [x, y], symbolic=True)
    if not isinstance(symbolic, tracegraph.tensor.TensorVariable):
        return  # the expression is an input itself
    with np.errstate(all="ignore"):
        expected = np.asarray(_evaluate(node, [first, second], symbolic=False))
    reference = tracegraph.function(
        [x, y], symbolic, mode=tracegraph.Mode(linker="numpy"), on_unused_input="ignore"
    )
    result = reference(first, second)
    assert_matches_numpy(result, expected)
    for linker in LINKERS:
        compiled = tracegraph.function(
            [x, y], symbolic, mode=tracegraph.Mode(linker=linker), on_unused_input="ignore"
        )
        np.testing.assert_allclose(
            compiled(first, second),
            result,
            rtol=1e-12,
            atol=0,
            equal_nan=True,
            err_msg=f"{linker} against the reference",
        )


FAST = property_settings(25, suppress=(HealthCheck.too_slow, HealthCheck.data_too_large))


@FAST
@given(node=expressions(), first=ARRAYS, second=ARRAYS)
def test_every_backend_agrees_with_the_reference_and_numpy(
    node: Node, first: np.ndarray, second: np.ndarray
) -> None:
    _check(node, first, second)


@pytest.mark.fuzz_long
@settings(
    deadline=None,
    max_examples=1000,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(node=expressions(depth=6), first=ARRAYS, second=ARRAYS)
def test_long_fuzz(node: Node, first: np.ndarray, second: np.ndarray) -> None:
    _check(node, first, second)
