"""Shared helpers and sample values of the NumPy-backend op tests (``test_numpy_*.py``): building
symbolic inputs for arrays, compiling and calling graphs while checking that each output's static
type describes its value, putting arrays in other memory layouts, NumPy's result dtypes with
float16 read as float32, and representative sample values of each dtype and domain (comparing
results with NumPy's is ``tests.numpy_oracle.assert_matches_numpy``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, TypeAlias

import numpy as np
from numpy.typing import NDArray

import tracegraph
import tracegraph.tensor as T
from tracegraph.tensor import TensorVariable

Array: TypeAlias = NDArray[Any]

LAYOUTS = ("contiguous", "fortran", "transposed", "strided", "reversed")


# -- helpers -------------------------------------------------------------------------------------


def variable_for(
    array: Array, name: str | None = None, broadcastable: Sequence[bool] | None = None
) -> TensorVariable:
    """A symbolic input of the dtype and rank of ``array`` (no static sizes unless
    ``broadcastable`` says so)."""
    if broadcastable is None:
        broadcastable = (False,) * array.ndim
    return T.tensor(array.dtype.name, broadcastable=tuple(broadcastable), name=name)


def compile_and_call(
    inputs: Sequence[TensorVariable], output: TensorVariable, *arrays: Any, **options: Any
) -> Array:
    """Compile ``output`` with ``tracegraph.function(inputs, output, **options)`` and call it on
    ``arrays``; check that the output's static type describes the result."""
    result = tracegraph.function(list(inputs), output, **options)(*arrays)
    assert_type_describes(output, result)
    return result


def compile_and_call_all(
    inputs: Sequence[TensorVariable],
    outputs: Sequence[TensorVariable],
    *arrays: Any,
    **options: Any,
) -> list[Array]:
    """As :func:`compile_and_call`, for a list of outputs."""
    results = tracegraph.function(list(inputs), list(outputs), **options)(*arrays)
    assert isinstance(results, list)
    for output, result in zip(outputs, results, strict=True):
        assert_type_describes(output, result)
    return results


def assert_type_describes(variable: TensorVariable, value: Any) -> None:
    """The static type of ``variable`` agrees with a value it computed: same dtype and rank, and
    each statically known size is the actual size."""
    assert isinstance(value, np.ndarray)
    assert variable.dtype == value.dtype.name, f"type {variable.type}, value {value.dtype}"
    assert variable.ndim == value.ndim, f"type {variable.type}, value of shape {value.shape}"
    for axis, (static, actual) in enumerate(zip(variable.type.shape, value.shape, strict=True)):
        assert static in (None, actual), f"type {variable.type}: axis {axis} has size {actual}"


def in_layout(array: Array, layout: str) -> Array:
    """An array equal to ``array`` with another memory layout."""
    if array.ndim == 0:
        return array.copy()
    if layout == "contiguous":
        return np.ascontiguousarray(array).copy()
    if layout == "fortran":
        return np.asfortranarray(array).copy(order="F")
    if layout == "transposed":
        return np.ascontiguousarray(array.T).T
    if layout == "strided":
        big = np.zeros(tuple(2 * size for size in array.shape), dtype=array.dtype)
        every_other = tuple(slice(None, None, 2) for _ in array.shape)
        big[every_other] = array
        return big[every_other]
    if layout == "reversed":
        reversed_axes = tuple(slice(None, None, -1) for _ in array.shape)
        return np.ascontiguousarray(array[reversed_axes])[reversed_axes]
    raise ValueError(layout)


def numpy_result_dtype(ufunc: np.ufunc, *dtypes: str) -> np.dtype[Any]:
    """NumPy's result dtype of ``ufunc``, with float16 read as float32 (tracegraph has no
    float16)."""
    result = ufunc.resolve_dtypes((*(np.dtype(d) for d in dtypes), None))[-1]
    return np.dtype(np.float32) if result == np.float16 else result


def numpy_apply(ufunc: np.ufunc, *operands: Any) -> Array:
    """``ufunc`` on the operands, computed in float32 where NumPy would use float16."""
    with np.errstate(all="ignore"):
        result = np.asarray(ufunc(*operands))
        if result.dtype == np.float16:
            widened = [o.astype(np.float32) if isinstance(o, np.ndarray) else o for o in operands]
            result = np.asarray(ufunc(*widened))
    return result


# -- sample values -------------------------------------------------------------------------------

FLOAT_SAMPLES = {
    "any": [-3.7, -2.5, -1.5, -0.5, -0.2, 0.0, 0.3, 0.5, 1.5, 2.5, 2.8, 4.1],
    "positive": [0.01, 0.2, 0.5, 1.0, 1.5, 2.0, 2.5, 3.3, 4.0, 7.5, 10.0, 100.0],
    "nonnegative": [0.0, 0.2, 0.5, 1.0, 1.5, 2.0, 2.5, 3.3, 4.0, 7.5, 10.0, 100.0],
    "above_minus_one": [-0.99, -0.5, -0.1, 0.0, 0.1, 0.5, 1.0, 1.5, 2.0, 3.0, 9.0, 50.0],
    "nonzero": [-3.7, -2.5, -1.5, -0.5, -0.2, 0.25, 0.3, 0.5, 1.5, 2.5, 2.8, 4.1],
    "unit": [-0.99, -0.9, -0.5, -0.3, -0.1, 0.0, 0.05, 0.2, 0.5, 0.7, 0.95, 0.999],
    "at_least_one": [1.0, 1.01, 1.2, 1.5, 2.0, 2.5, 3.3, 4.0, 7.5, 10.0, 50.0, 1e5],
}
INT_SAMPLES = {
    "any": [-5, -3, -2, -1, 0, 0, 1, 2, 3, 4, 5, 7],
    "positive": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
    "nonnegative": [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
    "above_minus_one": [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
    "nonzero": [-5, -3, -2, -1, 1, 1, 2, 3, 4, 5, 6, 7],
    "unit": [-1, 0, 1, 0, -1, 1, 0, 0, 1, -1, 0, 1],
    "at_least_one": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
}
BOOL_SAMPLES = [True, False, True, True, False, False, True, False, True, False, False, True]


def sample(dtype: str, domain: str = "any", shape: tuple[int, ...] = (3, 4)) -> Array:
    """Twelve representative values of ``dtype`` within ``domain``, reshaped (and repeated)."""
    size = math.prod(shape)
    if dtype == "bool":
        values: list[Any] = BOOL_SAMPLES
    elif np.dtype(dtype).kind == "f":
        values = FLOAT_SAMPLES[domain]
    elif np.dtype(dtype).kind == "u":
        values = [abs(v) for v in INT_SAMPLES[domain]]
    else:
        values = INT_SAMPLES[domain]
    return np.resize(np.array(values, dtype=dtype), size).reshape(shape)
