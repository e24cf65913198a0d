"""Python numbers as arguments of 0-d inputs take the C call path (``tg_take_scalar``) and
give what the Python path gives: the same value and dtype, or the same error."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

import tracegraph
import tracegraph.tensor as T
from tracegraph.backends.c import CProgram
from tracegraph.compile.io import In

VALUES: list[Any] = [
    0,
    1,
    -1,
    33,
    2**53,
    2**53 + 1,
    -(2**53) - 1,
    2**62,
    2**63 - 1,
    2**63,
    -(2**63),
    -(2**63) - 1,
    2**64,
    1.5,
    -0.0,
    math.nan,
    math.inf,
    -math.inf,
    1e308,
    True,
    False,
    np.float64(2.5),
    np.int64(3),
    np.float32(0.1),
    "3",
    None,
]


def _outcome(call: Any) -> tuple[str, Any]:
    try:
        result = call()
    except Exception as error:  # the same error on both paths, whatever it is
        return "error", type(error)
    return "value", (result.dtype, result.tobytes())


@pytest.mark.parametrize("dtype", ["float64", "int64", "bool", "float32", "int32"])
@pytest.mark.parametrize("strict", [False, True])
def test_a_python_number_gives_on_the_c_path_what_the_python_path_gives(
    dtype: str, strict: bool
) -> None:
    x = T.tensor(dtype, shape=(), name="x")
    output = T.cast(x, "float64") * 3 + x.shape.sum()  # a loop: the C program has a fast path
    f = tracegraph.function([In(x, strict=strict)], output, mode=tracegraph.Mode(linker="c"))
    assert isinstance(f._program, CProgram)
    for value in VALUES:
        fast = _outcome(lambda value=value: f(value))  # positional: the C call path
        python = _outcome(lambda value=value: f(x=value))  # a keyword: the Python path
        assert fast == python, (dtype, strict, value)


def test_a_python_scalar_call_takes_the_c_path() -> None:
    x, y = T.dscalars("x", "y")
    n = T.lscalar("n")
    f = tracegraph.function([x, y, n], x * y + n, mode=tracegraph.Mode(linker="c"))
    calls = 0
    fast = f._fast_call
    assert fast is not None

    def counting(*args: Any) -> Any:
        nonlocal calls
        result = fast(*args)
        calls += result is not NotImplemented
        return result

    f._fast_call = counting
    assert f(33, 1.5, 2) == 51.5
    assert f(33.0, True, 2) == 35.0  # a bool for a float64 input: the Python path
    assert calls == 1
