"""The second oracle for loops: random recurrences, written once and built with
``tracegraph.scan`` and with ``pytensor.scan``, compared with their gradients.

A recurrence has a sequence ``x`` read at one or two taps (``[0]``, ``[-1, 0]``, ``[-2, -1]``,
``[1, 2]``...), a state ``h`` with one tap (``h[t-1]``) or two (``h[t-2]``, ``h[t-1]``), a
non-sequence ``w`` and a second output computed per step; it runs forwards or backwards, and
its gradient may be truncated. (It found that tracegraph reversed a sequence before cutting
its taps' slices, where Theano cuts them, as if tap 0 were among the taps, then reverses each.)
The step is ``h[t] = tanh(e) + c * h[t-1]`` with ``e`` a random expression of the step's
arguments (bounded ops only: the recurrence stays finite, so every disagreement is a bug of one
library or the other). Outputs: the states, the second output, and the gradients of a cost of
both with respect to ``x``, the initial state and ``w``; compared to 1e-9.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, TypeAlias

import numpy as np
import pytensor
import pytensor.tensor as pt
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tracegraph
import tracegraph.tensor as T
from tests.exploration import property_settings

Expression: TypeAlias = tuple[Any, ...]
"""``("leaf", name)``, ``("constant", value)``, ``("unary", op, e)``, ``("binary", op, a, b)``."""

UNARY = ("tanh", "sigmoid", "sin", "neg")
BINARY = ("add", "sub", "mul")
PYTENSOR_MODE = pytensor.compile.mode.Mode(linker="py", optimizer="fast_run")
TOLERANCE = 1e-9


@dataclass(frozen=True)
class Recurrence:
    """One random recurrence: its step's expression and how the loop runs."""

    expression: Expression
    decay: float
    """``c`` of ``h[t] = tanh(e) + c * h[t-1]``."""
    two_taps: bool
    sequence_taps: tuple[int, ...]
    backwards: bool
    truncate: int
    steps: int
    size: int


SEQUENCE_TAPS = ((0,), (0,), (-1, 0), (-2, -1), (1,), (1, 2), (-1, 1), (0, 2))


def _tap_name(tap: int) -> str:
    return f"x[t{tap:+d}]" if tap else "x[t]"


def _leaves(two_taps: bool, sequence_taps: tuple[int, ...]) -> list[str]:
    return [*map(_tap_name, sequence_taps), "w", "h1"] + (["h2"] if two_taps else [])


def _expressions(leaves: list[str]) -> st.SearchStrategy[Expression]:
    leaf = st.one_of(
        st.sampled_from(leaves).map(lambda name: ("leaf", name)),
        st.sampled_from([0.5, -1.5, 2.0]).map(lambda value: ("constant", value)),
    )
    return st.recursive(
        leaf,
        lambda inner: st.one_of(
            st.tuples(st.just("unary"), st.sampled_from(UNARY), inner),
            st.tuples(st.just("binary"), st.sampled_from(BINARY), inner, inner),
        ),
        max_leaves=6,
    )


@st.composite
def recurrences(draw: st.DrawFn) -> Recurrence:
    two_taps, sequence_taps = draw(st.booleans()), draw(st.sampled_from(SEQUENCE_TAPS))
    steps = draw(st.integers(1, 5))
    truncate = draw(st.sampled_from([-1, -1, 1, 2]))
    return Recurrence(
        expression=draw(_expressions(_leaves(two_taps, sequence_taps))),
        decay=draw(st.sampled_from([0.0, 0.5, -0.9])),
        two_taps=two_taps,
        sequence_taps=sequence_taps,
        backwards=draw(st.booleans()),
        truncate=truncate,
        steps=steps,
        size=draw(st.integers(1, 3)),
    )


def _evaluate(expression: Expression, names: dict[str, Any], tensor: Any) -> Any:
    kind = expression[0]
    if kind == "leaf":
        return names[expression[1]]
    if kind == "constant":  # float64: PyTensor would make a Python float a float32
        return np.float64(expression[1])
    if kind == "unary":
        operand = _evaluate(expression[2], names, tensor)
        return -operand if expression[1] == "neg" else getattr(tensor, expression[1])(operand)
    a, b = (_evaluate(e, names, tensor) for e in expression[2:])
    return {"add": a + b, "sub": a - b, "mul": a * b}[expression[1]]


def build(recurrence: Recurrence, tensor: Any, scan: Any, grad: Any) -> tuple[list[Any], list[Any]]:
    """The inputs and outputs of ``recurrence`` in one library (``tensor``: its tensor module
    with ``sigmoid``)."""
    x = tensor.dmatrix("x")
    h0 = tensor.dmatrix("h0") if recurrence.two_taps else tensor.dvector("h0")
    w = tensor.dvector("w")

    def step(*arguments: Any) -> Any:
        arguments_left = list(arguments)
        names: dict[str, Any] = {}
        for tap in recurrence.sequence_taps:
            names[_tap_name(tap)] = arguments_left.pop(0)
        if recurrence.two_taps:
            names["h2"] = arguments_left.pop(0)
        names["h1"] = arguments_left.pop(0)
        names["w"] = arguments_left.pop(0)
        decay = np.float64(recurrence.decay)
        h = tensor.tanh(_evaluate(recurrence.expression, names, tensor)) + decay * names["h1"]
        return h, h * names[_tap_name(recurrence.sequence_taps[-1])]

    sequences = [{"input": x, "taps": list(recurrence.sequence_taps)}]
    state = {"initial": h0, "taps": [-2, -1]} if recurrence.two_taps else h0
    (hs, ys), _ = scan(
        step,
        sequences=sequences,
        outputs_info=[state, None],
        non_sequences=[w],
        go_backwards=recurrence.backwards,
        truncate_gradient=recurrence.truncate,
    )
    cost = (hs**2).sum() + ys.sum()
    # "ignore": a step that does not read w; PyTensor calls w disconnected, tracegraph a
    # scan's input (its gradient is zeros either way)
    return [x, h0, w], [hs, ys, *grad(cost, [x, h0, w], disconnected_inputs="ignore")]


def _arguments(recurrence: Recurrence, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    taps = recurrence.sequence_taps
    rows = recurrence.steps + max(*taps, 0) - min(*taps, 0)
    x = rng.uniform(-1, 1, (rows, recurrence.size))
    h0_shape = (2, recurrence.size) if recurrence.two_taps else (recurrence.size,)
    return [x, rng.uniform(-1, 1, h0_shape), rng.uniform(-1, 1, recurrence.size)]


def _pytensor_tensor() -> Any:
    return pt


def check(recurrence: Recurrence, linker: str, seed: int) -> None:
    arguments = _arguments(recurrence, seed)
    inputs, outputs = build(recurrence, T, tracegraph.scan, tracegraph.grad)
    ours = tracegraph.function(inputs, outputs, mode=tracegraph.Mode(linker=linker))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PyTensor's BLAS warnings are not under test
        pt_inputs, pt_outputs = build(recurrence, _pytensor_tensor(), pytensor.scan, pytensor.grad)
        theirs = pytensor.function(pt_inputs, pt_outputs, mode=PYTENSOR_MODE)
        their_results = theirs(*[a.copy() for a in arguments])
    names = ["states", "second output", "d/dx", "d/dh0", "d/dw"]
    for name, mine, their in zip(names, ours(*arguments), their_results, strict=True):
        np.testing.assert_allclose(
            mine, their, rtol=TOLERANCE, atol=1e-12, err_msg=f"{name} of {recurrence}"
        )


@pytest.mark.parametrize("linker", ["numpy", "c"])
def test_tracegraph_and_pytensor_agree_on_random_recurrences(linker: str) -> None:
    @property_settings(12)
    @given(recurrence=recurrences(), seed=st.integers(0, 2**16))
    def recurrences_agree(recurrence: Recurrence, seed: int) -> None:
        check(recurrence, linker, seed)

    recurrences_agree()
