"""Reductions split into parts (the GPU's path for few long rows: each part's accumulators
written by a program of its own, then combined in order by a second kernel), here under the
interpreter with three parts of two-column chunks: the reference's results exactly where it
promises them (the fold of a maximum, NaN, the sign of zero), sums to rounding.
``TG_TRITON_SPLIT=3 pytest -k triton tests/backends`` runs the whole suite this way."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

import tracegraph
import tracegraph.tensor as T
from tests.numpy_oracle import assert_matches_numpy
from tracegraph.backends.triton.runtime import InterpreterRuntime


@pytest.fixture(autouse=True)
def split(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(InterpreterRuntime, "split_parts", 3)
    monkeypatch.setattr(InterpreterRuntime, "widest_chunk", 2)
    yield


VALUES = np.array(
    [[1.5, -0.0, np.nan, 4.0, 0.0, -2.0, 0.0, 3.0, -0.0, 1.0, 2.0, 0.5, 7.0]], dtype=np.float64
)

CASES: dict[str, tuple[Any, Any]] = {
    "sum": (lambda x: x.sum(axis=1), lambda v: v.sum(axis=1)),
    "mean": (lambda x: T.mean(x, axis=1), lambda v: v.mean(axis=1)),
    "max": (lambda x: T.max(x, axis=1), lambda v: v.max(axis=1)),
    "min": (lambda x: T.min(x, axis=1), lambda v: v.min(axis=1)),
    "prod": (lambda x: T.prod(x, axis=1), lambda v: v.prod(axis=1)),
    "any": (lambda x: T.any(x, axis=1), lambda v: v.any(axis=1)),
    "all": (lambda x: T.all(x, axis=1), lambda v: v.all(axis=1)),
}


@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.parametrize("finite", [True, False], ids=["finite", "with NaN"])
def test_split_reductions_are_the_references(name: str, finite: bool) -> None:
    ours, numpy = CASES[name]
    values = np.nan_to_num(VALUES, nan=6.0) if finite else VALUES
    x = T.dmatrix("x")
    f = tracegraph.function([x], ours(x))
    assert "tg_parts_" in f._program.source
    assert_matches_numpy(f(values), numpy(values))


def test_the_last_of_equal_zeros_wins_across_parts() -> None:
    x = T.dvector("x")
    f = tracegraph.function([x], [T.max(x), T.min(x)])
    for values in ([0.0] * 5 + [-0.0], [-0.0] * 5 + [0.0], [-0.0, 0.0, -0.0, 0.0, 0.0, -0.0]):
        largest, smallest = f(np.array(values))
        assert np.signbit(largest) == np.signbit(values[-1])
        assert np.signbit(smallest) == np.signbit(values[-1])


def test_elements_written_beside_a_split_reduction() -> None:
    x = T.fmatrix("x")
    f = tracegraph.function([x], T.nnet.softmax(x))
    values = np.random.default_rng(1).standard_normal((2, 11)).astype(np.float32)
    expected = np.exp(values - values.max(axis=1, keepdims=True))
    expected /= expected.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(f(values), expected, rtol=1e-6)
