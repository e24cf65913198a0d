"""What the C backend's tests share: compiling a graph on both backends from one final module,
and comparing the C results with the reference's."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from xdsl.ir import Operation

import tracegraph
from tracegraph.backends.c import CProgram
from tracegraph.ir.interpreter import ReferenceProgram
from tracegraph.tensor import TensorVariable

TRANSCENDENTAL_TOLERANCE = {np.dtype("float32"): 2e-6, np.dtype("float64"): 1e-13}
"""libm (vectorized) against NumPy's own implementations: a few ulps."""


def both_programs(
    inputs: Sequence[TensorVariable], outputs: Sequence[TensorVariable], **options: Any
) -> tuple[CProgram, ReferenceProgram]:
    """The C program and the reference program of one final module (after every pass)."""
    function = tracegraph.function(list(inputs), list(outputs), on_unused_input="ignore", **options)
    func = function.maker.fgraph.func
    return CProgram(func), ReferenceProgram(func)


def assert_same(
    result: Any, expected: Any, what: str, exact: bool = False, working: Any = None
) -> None:
    """Same type, dtype and shape; equal values (floats: NaN and infinities at the same places,
    finite values to a few ulps of the array's largest magnitude unless ``exact``: an ulp of
    difference in an intermediate, say ``exp``, stays an ulp of the operands' scale when a later
    subtraction cancels, and sums add in another order). ``working``: the least precise float
    dtype the graph computes in (a float32 ``log`` cast to float64 keeps float32's ulps)."""
    expected = np.asarray(expected)
    assert type(result) is np.ndarray, f"{what}: {type(result).__name__}"
    assert result.dtype == expected.dtype, f"{what}: dtype {result.dtype} != {expected.dtype}"
    assert result.shape == expected.shape, f"{what}: shape {result.shape} != {expected.shape}"
    if expected.dtype.kind == "f" and not exact:
        finite = np.abs(expected[np.isfinite(expected)])
        scale = max(1.0, float(finite.max())) if finite.size else 1.0
        precision = (
            expected.dtype
            if working is None
            else min(expected.dtype, np.dtype(working), key=lambda d: d.itemsize)
        )
        tolerance = TRANSCENDENTAL_TOLERANCE[precision]
        np.testing.assert_allclose(
            result, expected, rtol=tolerance, atol=tolerance * scale, equal_nan=True, err_msg=what
        )
    else:
        np.testing.assert_array_equal(result, expected, err_msg=what)


def _working_precision(outputs: Sequence[TensorVariable]) -> Any:
    """The least precise float dtype among the values the outputs are computed from."""
    seen: set[int] = set()
    stack = [o.value for o in outputs]
    dtypes = []
    while stack:
        value = stack.pop()
        dtype = getattr(value.type, "element_type", None)
        if dtype is not None:
            name = str(dtype)
            if name in ("f32", "f64"):
                dtypes.append(np.dtype("float32" if name == "f32" else "float64"))
        owner = value.owner
        if isinstance(owner, Operation) and id(owner) not in seen:
            seen.add(id(owner))
            stack.extend(owner.operands)
    return min(dtypes, key=lambda d: d.itemsize) if dtypes else None


def run_both(
    inputs: Sequence[TensorVariable],
    outputs: Sequence[TensorVariable],
    args: Sequence[Any],
    exact: bool = False,
    c_args: Sequence[Any] | None = None,
    **options: Any,
) -> list[Any]:
    """Run the graph on both backends; assert the C results are the reference's; return them.
    ``c_args``: the same values in other memory layouts, for the C program only."""
    c_program, reference = both_programs(inputs, outputs, **options)
    arrays = [np.asarray(a) for a in args]
    given = arrays if c_args is None else [np.asarray(a) for a in c_args]
    for array, laid_out in zip(arrays, given, strict=True):
        np.testing.assert_array_equal(array, laid_out)
    copies = [a.copy() for a in given]
    with np.errstate(all="ignore"):
        expected = reference.run(arrays)
    results = c_program.run(given)
    working = _working_precision(outputs)
    for index, (result, wanted) in enumerate(zip(results, expected, strict=True)):
        assert_same(result, wanted, f"output {index}", exact, working)
    for before, after in zip(copies, given, strict=True):
        np.testing.assert_array_equal(before, after, err_msg="an input was modified")
    return results
