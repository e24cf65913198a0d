"""What the pass tests (and the differential suite) share: the pipelines to compare against
the unoptimized reference, the comparison of their results, a record of which rewrite patterns
fire, and every intermediate value of the reference with the checks on them.

A pipeline here is a ``tracegraph.Mode``: each pass of ``tracegraph.passes.pipeline.PASSES``
alone (the others excluded), the full default pipeline, the full pipeline without
``stabilize``, and ``FAST_COMPILE``. A compilation in which no pattern of ``INEXACT_PATTERNS``
fired must give bit-identical results (``assert_identical``); the others may differ by rounding
(``assert_close``).
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeAlias

import numpy as np
from numpy.typing import NDArray
from xdsl.dialects.func import FuncOp, ReturnOp
from xdsl.ir import Operation, SSAValue
from xdsl.pattern_rewriter import PatternRewriter, RewritePattern

import tracegraph
from tracegraph.ir import ops
from tracegraph.ir.interpreter import ReferenceProgram
from tracegraph.passes.canonicalize import CANONICALIZE_PATTERNS
from tracegraph.passes.expand import EXPAND_PATTERNS
from tracegraph.passes.pipeline import PASSES
from tracegraph.passes.stabilize import STABILIZE_PATTERNS

Array: TypeAlias = NDArray[Any]

REFERENCE = tracegraph.Mode(linker="numpy", optimizer=None, name="REFERENCE")
"""The unoptimized reference every pipeline is compared with: the traced graph on the NumPy
backend (``FAST_COMPILE`` stabilizes, so it is one of the pipelines compared)."""


def only(name: str) -> tracegraph.Mode:
    """The default mode with every pass but ``name`` left out."""
    return tracegraph.Mode().excluding(*(other for other in PASSES if other != name))


PIPELINES: dict[str, tracegraph.Mode] = {
    **{f"{name}-only": only(name) for name in PASSES},
    "default": tracegraph.Mode(),
    "without-stabilize": tracegraph.Mode().excluding("stabilize"),
    "fast-compile": tracegraph.FAST_COMPILE,
}
"""Every pipeline the tests run, by a name for test ids and messages."""

ALL_PATTERNS: tuple[type[RewritePattern], ...] = (
    *CANONICALIZE_PATTERNS,
    *STABILIZE_PATTERNS,
    *EXPAND_PATTERNS,
)
PATTERN_NAMES = tuple(pattern.__name__ for pattern in ALL_PATTERNS)

INEXACT_PATTERNS = frozenset(
    {
        # log(exp(x)) and exp(log(x)) round (the rewrite gives x itself), exp overflows above
        # 709 where x is finite, and the sign of a zero follows x.
        "LogOfExp",
        "ExpOfLog",
        # C's pow(x, 2) need not round as x * x does.
        "PowTwoToMul",
        *(pattern.__name__ for pattern in STABILIZE_PATTERNS),
    }
)
"""Patterns whose replacement may round differently from the formula it replaces. Every other
rewrite (and ``cse`` and ``dce``) gives the reference's results bit for bit, signs of zeros
included."""

RELATIVE_TOLERANCE = 1e-12
"""For float64 results. A float32 result is the float32 rounding of float64 values that agree
to this tolerance, so it may differ by that one rounding: one float32 epsilon."""


def tolerance(dtype: np.dtype[Any]) -> float:
    """The relative tolerance for a result of ``dtype``."""
    return RELATIVE_TOLERANCE if dtype == np.float64 else float(np.finfo(dtype).eps)


def assert_close(result: Any, expected: Any, what: str) -> None:
    """Same type, dtype and shape; NaN and each infinity at the same positions; finite values
    equal to :func:`tolerance` (relative; integers and booleans exactly)."""
    assert type(result) is np.ndarray, f"{what}: got {type(result).__name__}"
    assert result.dtype == expected.dtype, f"{what}: dtype {result.dtype}, not {expected.dtype}"
    assert result.shape == expected.shape, f"{what}: shape {result.shape}, not {expected.shape}"
    if expected.dtype.kind == "f":
        np.testing.assert_allclose(
            result,
            expected,
            rtol=tolerance(expected.dtype),
            atol=0,
            equal_nan=True,
            err_msg=what,
        )
    else:
        np.testing.assert_array_equal(result, expected, err_msg=what)


def assert_identical(result: Any, expected: Any, what: str) -> None:
    """The same dtype, shape, values, NaN positions and signs of zeros (a NaN's sign bit, which
    ``-(0 * inf)`` and ``0 * -inf`` set differently, is no value)."""
    assert type(result) is np.ndarray, f"{what}: got {type(result).__name__}"
    assert result.dtype == expected.dtype, f"{what}: dtype {result.dtype}, not {expected.dtype}"
    assert result.shape == expected.shape, f"{what}: shape {result.shape}, not {expected.shape}"
    np.testing.assert_array_equal(result, expected, err_msg=what, strict=True)
    if expected.dtype.kind == "f":  # the sign of zeros (and infinities), not of NaN
        signs = np.where(np.isnan(expected), False, np.signbit(expected))
        np.testing.assert_array_equal(
            np.signbit(result) & ~np.isnan(result), signs, err_msg=f"{what}: sign bits (zeros)"
        )


def compare(results: Sequence[Any], expected: Sequence[Any], exact: bool, what: str) -> None:
    """Compare every result with the reference's: bit for bit if ``exact``, else to
    :func:`tolerance`."""
    assert len(results) == len(expected), f"{what}: {len(results)} results, not {len(expected)}"
    check = assert_identical if exact else assert_close
    for index, (result, reference) in enumerate(zip(results, expected, strict=True)):
        check(result, reference, f"{what}, result {index}")


@contextmanager
def recording_patterns() -> Iterator[Counter[str]]:
    """Count, by pattern name, the rewrites every pattern makes while the block runs."""
    fired: Counter[str] = Counter()
    originals = {pattern: pattern.match_and_rewrite for pattern in ALL_PATTERNS}

    def recording(
        name: str, method: Callable[[RewritePattern, Operation, PatternRewriter], None]
    ) -> Callable[[RewritePattern, Operation, PatternRewriter], None]:
        # functools.wraps keeps the root classes op_pattern attaches to the method.
        @functools.wraps(method)
        def match_and_rewrite(
            self: RewritePattern, op: Operation, rewriter: PatternRewriter
        ) -> None:
            before = rewriter.has_done_action
            method(self, op, rewriter)
            if rewriter.has_done_action and not before:
                fired[name] += 1

        return match_and_rewrite

    try:
        for pattern, method in originals.items():
            pattern.match_and_rewrite = recording(pattern.__name__, method)  # type: ignore[method-assign]
        yield fired
    finally:
        for pattern, method in originals.items():
            pattern.match_and_rewrite = method  # type: ignore[method-assign]


SMALLEST, LARGEST = 1e-3, 1e3
"""The magnitudes every finite non-zero intermediate value must lie between, for results
computed by different formulas to be compared to a relative tolerance (see
``tests/passes/test_pipeline_properties.py``)."""


# -- evaluating the reference ------------------------------------------------------------------


def every_value(
    function: tracegraph.Function[Any], args: Sequence[Array]
) -> tuple[FuncOp, dict[SSAValue, Any]]:
    """A copy of ``function``'s final graph and its every value (arguments and op results),
    computed by the reference interpreter on ``args``."""
    func = function.maker.fgraph.func.clone()
    block = func.body.block
    values: list[SSAValue] = [*block.args]
    for op in block.ops:
        if isinstance(op, ReturnOp):
            block.erase_op(op)
            break
        values.extend(op.results)
    block.add_op(ReturnOp(*values[len(block.args) :]))
    results = ReferenceProgram(func).run(list(args))
    return func, dict(zip(values, [*args, *results], strict=True))


def well_conditioned(values: dict[SSAValue, Any]) -> bool:
    """Whether every finite non-zero float value is in [SMALLEST, LARGEST] in magnitude."""
    for array in values.values():
        array = np.asarray(array)
        if array.dtype.kind != "f":
            continue
        magnitude = np.abs(array[np.isfinite(array) & (array != 0)])
        if magnitude.size and (magnitude.min() < SMALLEST or magnitude.max() > LARGEST):
            return False
    return True


INDETERMINATE = (ops.AddOp, ops.SubOp, ops.MulOp, ops.TrueDivOp)


def infinities_or_zeros_matter(func: FuncOp, values: dict[SSAValue, Any]) -> bool:
    """Whether the reference evaluates an indeterminate form (a NaN of ``+``, ``-``, ``*`` or
    ``/`` from operands that are not NaN), multiplies a zero by a NaN (the zero mask a
    ``switch`` gradient sends the branch not taken, times a NaN of that branch: the switch
    sinks give that branch's gradient as 0, which it is), divides a zero by a NaN (the same
    for ``switch(c, 0, x) / y``) or divides by zero (``/``, or ``**`` with a negative
    exponent): where the stable forms give a better answer (see the module docstring)."""
    for op in func.body.block.ops:
        if not isinstance(op, (*INDETERMINATE, ops.PowOp)):
            continue
        lhs, rhs = (np.asarray(values[operand]) for operand in op.operands)
        result = np.asarray(values[op.results[0]])
        if result.dtype.kind != "f":
            continue
        if isinstance(op, INDETERMINATE) and np.any(
            np.isnan(result) & ~np.isnan(lhs) & ~np.isnan(rhs)
        ):
            return True
        if isinstance(op, ops.MulOp) and np.any(
            ((lhs == 0) & np.isnan(rhs)) | (np.isnan(lhs) & (rhs == 0))
        ):
            return True
        if isinstance(op, ops.TrueDivOp) and np.any((rhs == 0) | ((lhs == 0) & np.isnan(rhs))):
            return True
        if isinstance(op, ops.PowOp) and np.any((lhs == 0) & (rhs < 0)):
            return True
    return False
