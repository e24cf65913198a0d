"""Theano's ``MonitorMode``: ``pre_func(i, node, fn)`` before each op and ``post_func`` after it,
with the op's values in ``fn.inputs`` / ``fn.outputs``, as Theano's documentation uses it."""

from __future__ import annotations

from typing import Any

import numpy as np

import tracegraph
import tracegraph.tensor as T
from tracegraph.compile import MonitorMode


def test_theanos_inspect_example() -> None:
    seen: list[tuple[str, int, str, list[Any]]] = []

    def inspect_inputs(i: int, node: Any, fn: Any) -> None:
        seen.append(("in", i, node.name, [value[0] for value in fn.inputs]))

    def inspect_outputs(i: int, node: Any, fn: Any) -> None:
        seen.append(("out", i, node.name, [value[0] for value in fn.outputs]))

    x = T.dscalar("x")
    f = tracegraph.function(
        [x], [5 * x], mode=MonitorMode(pre_func=inspect_inputs, post_func=inspect_outputs)
    )
    assert [float(v) for v in f(3.0)] == [15.0]
    assert [(kind, i, name) for kind, i, name, _ in seen] == [
        ("in", 0, "tg.mul"),
        ("out", 0, "tg.mul"),
    ]
    assert [float(v) for v in seen[0][3]] == [5.0, 3.0]
    assert float(seen[1][3][0]) == 15.0


def test_a_nan_finder_as_theanos_docs_write_it() -> None:
    found: list[str] = []

    def detect_nan(i: int, node: Any, fn: Any) -> None:
        for output in fn.outputs:
            if np.isnan(output[0]).any():
                found.append(node.name)

    x = T.dmatrix("x")
    f = tracegraph.function([x], [T.log(x) * x], mode=MonitorMode(post_func=detect_nan))
    f(np.array([[-1.0]]))
    assert found[0] == "tg.log"
