"""The NumPy reference backend: ``mode="FAST_COMPILE"`` and the oracle of every other backend.

It is the interpreter of the ``tg`` dialect (``tracegraph.ir.interpreter``), which lives in the
IR layer so that passes can fold constants with the very kernels the backend runs.
"""

from tracegraph.ir.interpreter import (
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
