"""A compiled backend's steps after a host call read its result as the graph's dtype and rank:
a reference kernel that broke its op's type (an all-reduce once made a 0-d value 1-d, which the
C loops read as its first element) would give wrong numbers silently, so the C module and the
Triton launcher check each host call's result, in the same words."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import tracegraph
import tracegraph.tensor as T
from tracegraph.errors import RuntimeOpError
from tracegraph.ir import ops
from tracegraph.ir.interpreter import REFERENCE_RULES

COMPILED = ["c", *(["triton"] if importlib.util.find_spec("triton") else [])]


@pytest.mark.parametrize("linker", COMPILED)
def test_a_host_call_result_of_another_type_than_the_graphs_is_an_error(
    linker: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(op: Any) -> Callable[..., Any]:
        return lambda *arrays: np.concatenate(arrays).astype(np.float32)[None]  # rank 2, f32

    monkeypatch.setitem(REFERENCE_RULES, ops.ConcatenateOp, broken)
    x = T.dvector("x")
    f = tracegraph.function([x], T.concatenate([x, x]) * 2, mode=tracegraph.Mode(linker=linker))
    with pytest.raises(
        RuntimeOpError,
        match=r"tg.concatenate at .*its reference kernel returned a float32 array of rank 2 "
        r"where the graph has a float64 array of rank 1 \(a bug of tracegraph's\)",
    ):
        f(np.ones(2))
    monkeypatch.undo()
    # The kernel's own result passes: the same function, compiled again, gives its numbers.
    g = tracegraph.function([x], T.concatenate([x, x]) * 2, mode=tracegraph.Mode(linker=linker))
    np.testing.assert_array_equal(g(np.ones(2)), [2.0, 2.0, 2.0, 2.0])
