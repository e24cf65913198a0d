"""A Python integer that the dtype of the other operand cannot hold, as NumPy 2 treats it:
comparisons are decided (``uint8 > -1`` is true everywhere), ops whose loop takes it as a float
use it so (``-3 / uint8``), the others raise ``OverflowError`` when the graph is built."""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import tracegraph
import tracegraph.tensor as T

DTYPES = ["uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32"]
COMPARISONS: list[Callable[[Any, Any], Any]] = [
    operator.gt,
    operator.ge,
    operator.lt,
    operator.le,
    T.eq,
    T.neq,
]
NUMPY = {T.eq: np.equal, T.neq: np.not_equal}


def _outside(dtype: str) -> list[int]:
    info = np.iinfo(dtype)
    return [int(info.min) - 1, int(info.max) + 1, -(2**70)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("compare", COMPARISONS, ids=lambda f: f.__name__)
def test_comparisons_with_an_integer_out_of_range_are_numpys(
    dtype: str, compare: Callable[[Any, Any], Any]
) -> None:
    info = np.iinfo(dtype)
    values = np.array([info.min, 0 if info.min < 0 else 1, info.max], dtype=dtype)
    numpy_compare = NUMPY.get(compare, compare)
    x = T.vector("x", dtype=dtype)
    for value in _outside(dtype):
        if value < -(2**63) and dtype == "uint64":
            continue  # NumPy itself refuses a Python int below int64's range next to uint64
        for ordered in [(x, value), (value, x)]:
            f = tracegraph.function([x], compare(*ordered), mode="FAST_COMPILE")
            arrays = [values if a is x else a for a in ordered]
            expected = numpy_compare(*arrays)
            result = f(values)
            assert result.dtype == np.bool_
            np.testing.assert_array_equal(result, expected)


@pytest.mark.parametrize("linker", ["numpy", "c"])
def test_true_division_takes_the_integer_as_a_float(linker: str) -> None:
    u = T.vector("u", dtype="uint8")
    f = tracegraph.function([u], -3 / u, mode=tracegraph.Mode(linker=linker))
    values = np.array([0, 5, 255], dtype=np.uint8)
    with np.errstate(divide="ignore"):
        expected = -3 / values
    result = f(values)
    assert result.dtype == expected.dtype == np.float64
    np.testing.assert_array_equal(result, expected)


def test_other_ops_refuse_it_as_numpy_does_naming_the_line() -> None:
    u = T.vector("u", dtype="uint8")
    with pytest.raises(OverflowError, match=r"tg.add at .*: the Python integer -1 is out of"):
        _ = u + (-1)
    with pytest.raises(OverflowError):
        np.array([1], dtype=np.uint8) + (-1)


def test_integers_in_range_are_unchanged() -> None:
    u = T.vector("u", dtype="uint8")
    f = tracegraph.function([u], [u > 3, u + 1], mode="FAST_COMPILE")
    big, plus = f(np.array([2, 255], dtype=np.uint8))
    np.testing.assert_array_equal(big, [False, True])
    assert plus.dtype == np.uint8 and list(plus) == [3, 0]
