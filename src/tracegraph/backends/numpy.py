"""The older name of :mod:`tracegraph.backends.reference`, the NumPy reference backend."""

from tracegraph.backends.reference import (
    ELEMENTWISE_FUNCTIONS,
    REFERENCE_RULES,
    ReferenceProgram,
    reference_rule,
    runtime_error,
)

__all__ = [
    "ELEMENTWISE_FUNCTIONS",
    "REFERENCE_RULES",
    "ReferenceProgram",
    "reference_rule",
    "runtime_error",
]
