"""What the pass tests share: the pipelines to compare against the unoptimized reference, the
comparison of their results, and a record of which rewrite patterns fire.

A pipeline here is a ``tracegraph.Mode``: each pass of ``tracegraph.passes.pipeline.PASSES``
alone (the others excluded), the full default pipeline, and the full pipeline without
``stabilize``. A compilation in which no pattern of ``INEXACT_PATTERNS`` fired must give
bit-identical results (``assert_identical``); the others may differ by rounding
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
from xdsl.ir import Operation
from xdsl.pattern_rewriter import PatternRewriter, RewritePattern

import tracegraph
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
