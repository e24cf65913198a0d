"""The rule table of the reference interpreter: ``REFERENCE_RULES`` and ``reference_rule``.

The table maps each op class to a *kernel builder*: a function that reads the op's properties
once and returns the kernel, a function from operand arrays to the result array. The modules
that define kernels (``interpreter.py``, ``random_kernels.py``, ``softmax_kernels.py``)
register into it; ``tracegraph.ir.interpreter`` imports all of them, so take the table from
there to have it complete.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeAlias, TypeVar

from xdsl.ir import Operation

Kernel: TypeAlias = Callable[..., Any]
"""Takes the operand arrays positionally, returns the result array (a tuple for several)."""
KernelBuilder: TypeAlias = Callable[[Any], Kernel]
OpT = TypeVar("OpT", bound=Operation)

REFERENCE_RULES: dict[type[Operation], KernelBuilder] = {}
"""Kernel builder of every op class the reference backend runs."""


def reference_rule(
    *op_classes: type[OpT],
) -> Callable[[Callable[[OpT], Kernel]], Callable[[OpT], Kernel]]:
    """Register a kernel builder for one or more op classes.

    >>> from tracegraph.ir import ops
    >>> from tracegraph.ir.interpreter import REFERENCE_RULES
    >>> ops.SoftmaxOp in REFERENCE_RULES  # registered by softmax_kernels.py
    True
    """

    def register(builder: Callable[[OpT], Kernel]) -> Callable[[OpT], Kernel]:
        for op_class in op_classes:
            REFERENCE_RULES[op_class] = builder
        return builder

    return register
