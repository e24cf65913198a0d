"""``debugprint`` (``dprint``) of variables, lists of them and compiled functions: Theano's tree
with ids for repeated subexpressions, each op's type and the user's line; a function prints its
final graph, outputs then updates, fused loops with the ops they compute."""

from __future__ import annotations

import importlib.util
import io
import shutil
from pathlib import Path
from typing import Any

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


# -- pydotprint ------------------------------------------------------------------------------------


def _picture_model() -> tracegraph.Function[list[np.ndarray]]:
    x = T.dvector("x")
    w = tracegraph.shared(1.0, "w")
    return tracegraph.function([x], [T.exp(x).sum() * w, x[1:]], updates=[(w, w * 2)])


def test_the_graph_of_a_function_in_theanos_colors() -> None:
    from tracegraph.printing import pydot_graph

    source = pydot_graph(_picture_model(), with_ids=True).source
    lines = [line.strip() for line in source.splitlines()]
    assert 'out0 [label="output 0" color=dodgerblue shape=box style=filled]' in lines
    assert 'out2 [label="update of w" color=dodgerblue shape=box style=filled]' in lines
    assert "n2 [label=x color=limegreen shape=box style=filled]" in lines
    assert "n3 [label=w color=cyan shape=box style=filled]" in lines  # shared: cyan
    fused = next(line for line in lines if "tg.fused" in line)
    assert 'label="tg.fused\\ntg.exp tg.sum\\nid=n1" color=gold' in fused
    assert f'tooltip="{__file__}:' in fused  # the user's line
    assert 'n1 -> n0 [label="0 tensor<f64>"]' in lines  # operand position and type
    assert "n5 [label=1 color=lightgrey shape=box style=filled]" in lines  # a constant


def test_the_graph_of_variables_draws_shared_subexpressions_once() -> None:
    from tracegraph.printing import pydot_graph

    x = T.dvector("x")
    e = T.exp(x)
    source = pydot_graph([e + e, e * 2], max_label_size=8).source
    assert source.count('label="tg.exp"') == 1
    assert 'n3 -> out1 [label="tenso..."]' in source  # labels clipped to max_label_size


@pytest.mark.skipif(
    not shutil.which("dot"),
    reason="Graphviz's dot program is not installed (apt-get install graphviz)",
)
@pytest.mark.parametrize("format", ["svg", "png"])
def test_pydotprint_draws_into_a_file(format: str, tmp_path: Path, capsys: Any) -> None:
    path = tmp_path / f"model.{format}"
    assert tracegraph.pydotprint(_picture_model(), str(path), format=format) is None
    assert capsys.readouterr().out == f"The output file is available at {path}\n"
    data = path.read_bytes()
    assert data.startswith(b"\x89PNG") if format == "png" else b"<svg" in data
    image = tracegraph.pydotprint(_picture_model(), format="svg", return_image=True)
    assert image is not None and b"tg.fused" in image


def test_without_dot_the_error_says_how_to_install_it(monkeypatch: Any) -> None:
    monkeypatch.setenv("PATH", "")
    with pytest.raises(RuntimeError, match="apt-get install graphviz"):
        tracegraph.pydotprint(_picture_model(), format="svg", return_image=True)
