"""argmax and argmin as Triton kernels (not the runtime's array operation): NumPy's index on
ties, NaN, several axes, several chunks of a row, every dtype kind."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import tracegraph
import tracegraph.tensor as T
from tracegraph.backends.triton.program import TritonProgram
from tracegraph.errors import RuntimeOpError

ROWS = {
    "ties": np.array([[1.0, 3.0, 3.0, 0.0], [2.0, 2.0, 2.0, 2.0]]),
    "nan": np.array([[1.0, np.nan, 5.0, np.nan], [np.nan, 0.0, 0.0, 1.0]]),
    "infinities": np.array([[-np.inf, -np.inf, -np.inf], [np.inf, 1.0, np.inf]]),
    "zeros": np.array([[0.0, -0.0, 0.0], [-0.0, 0.0, -0.0]]),
}


def _compiled(function: Any, x: Any) -> tracegraph.Function[Any]:
    f = tracegraph.function([x], function(x))
    assert isinstance(f._program, TritonProgram)
    assert "tg_arg_" in f._program.source
    return f


@pytest.mark.parametrize("values", list(ROWS.values()), ids=list(ROWS))
@pytest.mark.parametrize("which", ["argmax", "argmin"])
def test_rows_give_numpys_index(values: Any, which: str) -> None:
    f = _compiled(lambda x: getattr(T, which)(x, axis=1), T.dmatrix("x"))
    np.testing.assert_array_equal(f(values), getattr(np, which)(values, axis=1))


@pytest.mark.parametrize("which", ["argmax", "argmin"])
@pytest.mark.parametrize("dtype", ["float32", "int8", "uint16", "int64", "bool"])
def test_several_axes_and_chunks(which: str, dtype: str) -> None:
    rng = np.random.default_rng(5)
    values = (rng.standard_normal((3, 70, 90)) * 50).astype(dtype)
    x = T.tensor(dtype, shape=(None, None, None), name="x")
    for axis in (None, 0, 2, (1, 2)):
        f = _compiled(lambda v, axis=axis: getattr(T, which)(v, axis=axis), x)
        result = f(values)
        if axis is None or isinstance(axis, tuple):
            axes = (0, 1, 2) if axis is None else axis
            other = [a for a in range(3) if a not in axes]
            moved = np.transpose(values, other + list(axes)).reshape(
                [values.shape[a] for a in other] + [-1]
            )
            expected = getattr(np, which)(moved, axis=-1)
        else:
            expected = getattr(np, which)(values, axis=axis)
        np.testing.assert_array_equal(result, expected, err_msg=f"axis {axis}")


def test_an_empty_row_is_the_references_error() -> None:
    f = _compiled(lambda x: T.argmax(x, axis=1), T.dmatrix("x"))
    with pytest.raises(RuntimeOpError, match="attempt to get argmax of an empty sequence"):
        f(np.zeros((2, 0)))
