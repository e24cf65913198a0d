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

from tracegraph.backends.profiling import op_time
from tracegraph.backends.registry import (
    Backend,
    Binding,
    StepClock,
    TickedProgram,
    register_backend,
)
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


def _is_constant(op: Any) -> bool:
    return getattr(op, "name", "") == "tg.constant"


class _Thunk:
    """Theano's ``fn`` of a node for ``MonitorMode``: its input and output storage cells."""

    def __init__(self, inputs: list[list[Any]], outputs: list[list[Any]]):
        self.inputs = inputs
        self.outputs = outputs


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

    def compile_monitored(
        self,
        func: FuncOp,
        pre_func: Callable[..., Any] | None,
        post_func: Callable[..., Any] | None,
    ) -> ReferenceProgram:
        """The program of ``func`` that calls Theano's ``MonitorMode`` hooks around each op:
        ``pre_func(i, node, fn)`` before it and ``post_func(i, node, fn)`` after it, where
        ``node`` is the op and ``fn.inputs`` / ``fn.outputs`` hold its values in one-element
        lists, as Theano's storage cells."""
        program = ReferenceProgram(func)
        pending: dict[int, tuple[int, _Thunk]] = {}
        # Theano's nodes: the ops that compute (constants are values, not nodes), numbered
        # in the order they run.
        computing = [step[3] for step in program.steps if not _is_constant(step[3])]
        numbers = {id(op): number for number, op in enumerate(computing)}

        def before(index: int, op: Any, operands: list[Any]) -> None:
            if id(op) not in numbers:
                return
            inputs = [[np.asarray(value)] for value in operands]
            thunk = _Thunk(inputs, [[None] for _ in op.results])
            pending[id(op)] = (numbers[id(op)], thunk)
            if pre_func is not None:
                pre_func(numbers[id(op)], op, thunk)

        def after(op: Any, results: list[Any]) -> None:
            if id(op) not in pending:
                return
            number, thunk = pending.pop(id(op))
            for cell, value in zip(thunk.outputs, results, strict=True):
                cell[0] = np.asarray(value)
            if post_func is not None:
                post_func(number, op, thunk)

        program.before_step = before
        program.check_step = after
        return program

    def compile_profiled(self, func: FuncOp) -> TickedProgram:
        """The program of ``func`` timing each op (``function(..., profile=True)``)."""
        program = ReferenceProgram(func)
        clock = StepClock([op_time(step[3]) for step in program.steps])
        program.before_step = lambda index, op, operands: clock.tick(index)
        return TickedProgram(program, clock)

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
