"""``debugprint`` (``dprint``) of variables, lists of them and compiled functions: Theano's tree
with ids for repeated subexpressions, each op's type and the user's line; a function prints its
final graph, outputs then updates, fused loops with the ops they compute."""

from __future__ import annotations

import importlib.util
import io

import numpy as np
import pytest

import tracegraph
import tracegraph.tensor as T
from tracegraph.printing import Print, debugprint, dprint


def test_a_compiled_function_prints_its_outputs_and_updates() -> None:
    x = T.dmatrix("x")
    state = tracegraph.shared(np.zeros(2), "state")
    f = tracegraph.function([x], [T.sum(T.tanh(x)), x.T], updates=[(state, state + x.sum(axis=0))])
    lines = debugprint(f).splitlines()
    assert lines[0].startswith("output 0: tg.fused [id A] tensor<f64> {tg.tanh, tg.sum} at ")
    assert __file__ in lines[0]
    assert lines[1] == " |x tensor<?x?xf64>"
    assert any(line.startswith("output 1: tg.dimshuffle") for line in lines)
    assert any(line.startswith("update of state: tg.add") for line in lines)


def test_repeated_subexpressions_print_once() -> None:
    x = T.dvector("x")
    e = T.exp(x)
    text = dprint([e * e, e + 1])
    assert text.count("tg.exp [id B] tensor") == 1  # printed in full once
    assert "tg.exp [id B] (seen above)" in text


def test_debugprint_writes_to_a_stream() -> None:
    stream = io.StringIO()
    x = T.dscalar("x")
    returned = debugprint(x * 2, file=stream)
    assert stream.getvalue() == returned + "\n"


LINKERS = ["numpy", "c", *(["triton"] if importlib.util.find_spec("triton") else [])]


@pytest.mark.parametrize("linker", LINKERS)
def test_print_prints_on_every_backend(linker: str, capsys: pytest.CaptureFixture[str]) -> None:
    x = T.dvector("x")
    shown = Print("x is", ("__str__", "shape"))(x)
    f = tracegraph.function([x], shown * 2, mode=tracegraph.Mode(linker=linker))
    np.testing.assert_array_equal(f(np.array([1.0, 2.0])), [2.0, 4.0])
    assert capsys.readouterr().out == "x is __str__ = [1. 2.]\nx is shape = (2,)\n"


def test_an_unused_print_does_not_run(capsys: pytest.CaptureFixture[str]) -> None:
    x = T.dvector("x")
    Print("never")(x)
    tracegraph.function([x], x + 1)(np.ones(2))
    assert capsys.readouterr().out == ""


def test_print_refuses_what_it_cannot_print() -> None:
    with pytest.raises(ValueError, match="cannot print"):
        Print("x", ("nothing",))
