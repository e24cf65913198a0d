"""The NumPy counterparts every tracegraph test compares against: the binary ops and reductions
of ``tracegraph.tensor`` paired with the NumPy function that computes the same thing, and the
check that a tracegraph result is NumPy's (type, dtype, shape and values to a per-dtype
tolerance).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import tracegraph.tensor as T
from tracegraph.tensor import TensorVariable

RELATIVE_TOLERANCE = {np.dtype("float32"): 1e-6, np.dtype("float64"): 1e-12}

BINARY_OPS: dict[str, tuple[Callable[[Any, Any], TensorVariable], np.ufunc]] = {
    "add": (T.add, np.add),
    "sub": (T.sub, np.subtract),
    "mul": (T.mul, np.multiply),
    "true_div": (T.true_div, np.true_divide),
    "int_div": (T.int_div, np.floor_divide),
    "mod": (T.mod, np.remainder),
    "pow": (T.pow, np.power),
    "maximum": (T.maximum, np.maximum),
    "minimum": (T.minimum, np.minimum),
    "gt": (T.gt, np.greater),
    "ge": (T.ge, np.greater_equal),
    "lt": (T.lt, np.less),
    "le": (T.le, np.less_equal),
    "eq": (T.eq, np.equal),
    "neq": (T.neq, np.not_equal),
    "and": (T.and_, np.bitwise_and),
    "or": (T.or_, np.bitwise_or),
    "xor": (T.xor, np.bitwise_xor),
    "arctan2": (T.arctan2, np.arctan2),
}
"""Binary ops and the NumPy ufunc each must agree with, dtype included."""

REDUCTIONS: dict[str, tuple[Callable[..., TensorVariable], Callable[..., Any]]] = {
    "sum": (T.sum, np.sum),
    "prod": (T.prod, np.prod),
    "max": (T.max, np.max),
    "min": (T.min, np.min),
    "mean": (T.mean, np.mean),
    "argmax": (T.argmax, np.argmax),
    "argmin": (T.argmin, np.argmin),
    "any": (T.any, np.any),
    "all": (T.all, np.all),
}
"""Reductions and the NumPy function each must agree with."""


def assert_matches_numpy(result: Any, expected: Any, precision: str | None = None) -> None:
    """Same type (a real ndarray), dtype and shape as NumPy's result; same values (to a tolerance
    for floats, with NaN and inf at the same places).

    The tolerance is that of the result's dtype, or of ``precision`` when the result was
    computed from values of that (coarser) dtype: a float64 result of a float32 ``log`` carries
    the float32 function's error, and NumPy's float32 functions are not correctly rounded
    (``log(float32(3.3))`` is one ulp off), so another correct implementation may differ there.
    """
    expected = np.asarray(expected)
    assert type(result) is np.ndarray, f"got {type(result).__name__}, not numpy.ndarray"
    assert result.dtype == expected.dtype, f"dtype {result.dtype}, NumPy gives {expected.dtype}"
    assert result.shape == expected.shape, f"shape {result.shape}, NumPy gives {expected.shape}"
    if expected.dtype.kind == "f":
        dtype = expected.dtype if precision is None else np.dtype(precision)
        np.testing.assert_allclose(
            result, expected, rtol=RELATIVE_TOLERANCE[dtype], atol=0, equal_nan=True
        )
    else:
        np.testing.assert_array_equal(result, expected)
