"""The NumPy reference backend: ``mode="FAST_COMPILE"`` and the oracle of every other backend.

It is the interpreter of the ``tg`` dialect (``tracegraph.ir.interpreter``), which lives in the
IR layer so that passes can fold constants with the very kernels the backend runs; this module
registers it as the ``reference`` backend (also ``numpy`` and Theano's ``py``). Its source is
the final ``tg`` function the interpreter walks, one kernel per op.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from xdsl.dialects.func import FuncOp

from tracegraph.backends.registry import Backend, Binding, register_backend
from tracegraph.ir.dialect import print_module
from tracegraph.ir.interpreter import (
    ELEMENTWISE_FUNCTIONS,
    REFERENCE_RULES,
    reference_rule,
    runtime_error,
)
from tracegraph.ir.interpreter import ReferenceProgram as _Interpreted


class ReferenceProgram(_Interpreted):
    """The interpreter's program of a ``func.func``, as the backend's ``Program``: it has no
    fast call path, every call goes through :meth:`run`.

    >>> from tracegraph.ir import parse_module
    >>> import numpy as np
    >>> module = parse_module('''
    ... func.func @f(%x: tensor<?xf64>) -> tensor<?xf64> {
    ...   %y = tg.add %x, %x : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
    ...   func.return %y : tensor<?xf64>
    ... }''')
    >>> ReferenceProgram(module.body.block.first_op).run([np.array([1.0, 2.0])])
    [array([2., 4.])]
    """

    def bind(self, binding: Binding) -> Callable[..., Any] | None:
        """None: no fast call path."""
        return None


BIG = 1e10
"""What ``NanGuardMode(big_is_error=True)`` calls too big (Theano's threshold)."""


def nan_guard_program(func: FuncOp, checks: frozenset[str]) -> ReferenceProgram:
    """The reference program of ``func`` that raises at the first op whose result holds a NaN
    (``"nan"`` in ``checks``), an infinity (``"inf"``) or a magnitude above :data:`BIG`
    (``"big"``): ``NanGuardMode``.

    >>> from tracegraph.ir import parse_module
    >>> import numpy as np
    >>> module = parse_module(
    ...     "func.func @f(%x: tensor<?xf64>) -> tensor<?xf64> {"
    ...     "  %y = tg.log %x : tensor<?xf64> -> tensor<?xf64>"
    ...     "  func.return %y : tensor<?xf64>"
    ...     "}")
    >>> program = nan_guard_program(module.body.block.first_op, frozenset({"nan"}))
    >>> try:
    ...     program.run([np.array([-1.0])])
    ... except Exception as error:
    ...     print(str(error).split(": ", 1)[1])
    NanGuardMode: the result holds NaN
    """
    program = ReferenceProgram(func)

    def check(op: Any, results: list[Any]) -> None:
        for result in results:
            if not isinstance(result, np.ndarray) or result.dtype.kind != "f":
                continue
            if "nan" in checks and np.isnan(result).any():
                raise FloatingPointError("NanGuardMode: the result holds NaN")
            if "inf" in checks and np.isinf(result).any():
                raise FloatingPointError("NanGuardMode: the result holds an infinity")
            if "big" in checks and (np.abs(result[np.isfinite(result)]) > BIG).any():
                raise FloatingPointError(f"NanGuardMode: the result holds a value above {BIG:g}")

    program.check_step = check
    return program


class ReferenceBackend(Backend):
    """The ``reference`` backend: it interprets the final ``tg`` function with NumPy."""

    name = "reference"
    title = "NumPy reference"
    language = "tg IR (MLIR text)"

    def compile(self, func: FuncOp) -> ReferenceProgram:
        """The interpreter's program of ``func``."""
        return ReferenceProgram(func)

    def compile_guarded(self, func: FuncOp, checks: frozenset[str]) -> ReferenceProgram:
        """The program of ``func`` that checks every op's results (``NanGuardMode``)."""
        return nan_guard_program(func, checks)

    def source(self, func: FuncOp) -> str:
        """The ``tg`` function the interpreter runs, one kernel per op, with the user's
        locations."""
        return print_module(func)


register_backend(ReferenceBackend())

__all__ = [
    "ELEMENTWISE_FUNCTIONS",
    "REFERENCE_RULES",
    "ReferenceBackend",
    "ReferenceProgram",
    "nan_guard_program",
    "reference_rule",
    "runtime_error",
]
