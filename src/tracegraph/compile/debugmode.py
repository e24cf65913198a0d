"""Theano's ``DebugMode``: every op run on the chosen backend and on the NumPy reference, their
results compared, and the first that differs raised, naming the op and the user's line.

A ``DebugMode`` function runs the optimized graph without fusion on the reference backend, one
op after the other. After each op it runs that op alone, compiled by the chosen backend (the
mode's linker, or ``config.device``'s backend), on the same operands, and compares the results:
integers and booleans exactly, floats to a relative and absolute tolerance (Theano's by
default: 1e-5 and 1e-8 for float64, 1e-5 and 1e-5 for float32). Once every op has agreed, it
runs the whole function as the chosen backend runs it (fused) and compares its outputs and
updates with the reference's, which catches what only the fused kernels get wrong. The
first difference raises :class:`~tracegraph.errors.DebugModeError`.

Ops that draw random numbers, print, or call the user's Python code are not checked alone
(their effects would happen once more); the whole-function comparison checks their results.
The function still runs more than once per call, as Theano's ``DebugMode`` did: a
``printing.Print`` prints for the reference run and for the whole run, and once more for
each check of a loop or a condition that holds it.

>>> import tracegraph, tracegraph.tensor as T
>>> x = T.dvector('x')
>>> f = tracegraph.function([x], T.exp(x).sum(), mode="DebugMode")
>>> f([0.0, 1.0])
array(3.71828183)
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

import numpy as np
from xdsl.context import Context
from xdsl.dialects.builtin import FunctionType, ModuleOp
from xdsl.dialects.func import FuncOp, ReturnOp
from xdsl.ir import Block, Operation, Region, SSAValue
from xdsl.traits import ConstantLike, Pure
from xdsl.transforms.dead_code_elimination import DeadCodeElimination

from tracegraph.backends.registry import Backend, Binding, Program
from tracegraph.compile.modes import DebugMode
from tracegraph.errors import DebugModeError
from tracegraph.ir.dialect import make_context
from tracegraph.ir.interpreter import ReferenceProgram
from tracegraph.ir.location import format_location
from tracegraph.passes.fusion import FusionPass

__all__ = ["DebugMode", "DebugModeError", "DebugProgram", "difference"]

TOLERANCES: dict[str, tuple[float, float]] = {
    "float16": (1e-3, 1e-3),
    "float32": (1e-5, 1e-5),
    "float64": (1e-5, 1e-8),
    "complex64": (1e-5, 1e-5),
    "complex128": (1e-5, 1e-8),
}
"""Theano's ``(rtol, atol)`` for each float dtype, what ``DebugMode`` allows by default."""

UNREPEATABLE = frozenset({"tg.print", "tg.python_op"})
"""Ops not run a second time: their effects (printing, the user's code) would happen twice."""


def difference(got: Any, expected: Any, tolerance: tuple[float, float] | None = None) -> str | None:
    """How ``got`` differs from ``expected`` (None: it does not), comparing floats within
    ``tolerance`` (``(rtol, atol)``; None: :data:`TOLERANCES` by dtype), with NaN equal to NaN,
    and everything else exactly.

    >>> difference(np.array([1.0, 2.0]), np.array([1.0, 2.0 + 1e-12])) is None
    True
    >>> difference(np.array([1.0, 2.5]), np.array([1.0, 2.0]))
    '1 of 2 elements differ, the first at index (1,): 2.5 where the reference has 2.0'
    >>> difference(np.zeros(2, np.int32), np.zeros(3, np.int32))
    'shape (2,) where the reference has shape (3,)'
    """
    if hasattr(expected, "get_state"):  # a random stream's state (a NumPy RandomState)
        same = hasattr(got, "get_state") and _same_state(got.get_state(), expected.get_state())
        return None if same else "a random state other than the reference's"
    got, expected = np.asarray(got), np.asarray(expected)
    if got.shape != expected.shape:
        return f"shape {got.shape} where the reference has shape {expected.shape}"
    if got.dtype != expected.dtype:
        return f"dtype {got.dtype} where the reference has dtype {expected.dtype}"
    if expected.dtype.kind in "fc":
        rtol, atol = tolerance or TOLERANCES.get(expected.dtype.name, TOLERANCES["float64"])
        close = np.isclose(got, expected, rtol=rtol, atol=atol, equal_nan=True)
    else:
        close = got == expected
    if bool(np.all(close)):
        return None
    wrong = np.argwhere(~np.asarray(close))
    first = tuple(int(i) for i in wrong[0])
    return (
        f"{len(wrong)} of {expected.size} elements differ, the first at index {first}: "
        f"{got[first].item()!r} where the reference has {expected[first].item()!r}"
    )


def _same_state(a: Any, b: Any) -> bool:
    if isinstance(a, tuple | list):
        return len(a) == len(b) and all(_same_state(x, y) for x, y in zip(a, b, strict=True))
    return bool(np.array_equal(a, b))


def _copy(value: Any) -> Any:
    """A copy of an argument, which the program it is given to may change (a random state)."""
    if isinstance(value, np.ndarray | np.generic | bool | int | float | complex):
        return np.array(value, copy=True)  # an array, as compiled programs take
    return copy.deepcopy(value)


def single_op_function(op: Operation) -> FuncOp:
    """A function whose arguments are ``op``'s distinct operands and whose results are its
    results: ``op`` alone, as a backend compiles it."""
    operands: list[SSAValue] = list(dict.fromkeys(op.operands))
    block = Block(arg_types=[value.type for value in operands])
    alone = op.clone(value_mapper=dict(zip(operands, block.args, strict=True)))
    block.add_op(alone)
    block.add_op(ReturnOp(*alone.results))
    signature = FunctionType.from_lists(
        [value.type for value in operands], [result.type for result in alone.results]
    )
    return FuncOp("debug_" + op.name.replace(".", "_"), signature, Region(block))


def fused(func: FuncOp) -> FuncOp:
    """A copy of ``func`` with its elementwise ops fused, as ``FAST_RUN`` compiles it."""
    module = ModuleOp([func.clone()])
    context: Context = make_context()
    FusionPass().apply(context, module)
    DeadCodeElimination().apply(context, module)
    result = module.body.block.first_op
    assert isinstance(result, FuncOp)
    return result


def _checked_alone(op: Operation) -> bool:
    return (
        op.has_trait(Pure)
        and not op.has_trait(ConstantLike)
        and op.name not in UNREPEATABLE
        and len(op.results) > 0
    )


class DebugProgram:
    """The program of a ``DebugMode`` function: the reference program of ``func`` (unfused),
    each of whose ops is checked against ``backend``'s compilation of it alone, then
    ``backend``'s program of the fused ``func``, checked against the reference's results."""

    def __init__(
        self, func: FuncOp, backend: Backend, tolerance: tuple[float, float] | None = None
    ):
        self.backend = backend
        self.tolerance = tolerance
        self.reference = ReferenceProgram(func)
        self.reference.check_step = self._check_op
        self.whole = backend.compile(fused(func))
        last = func.body.block.last_op
        assert isinstance(last, ReturnOp)
        self._returned = list(last.operands)
        self._alone: dict[int, Program] = {}
        self._operands: dict[int, list[Any]] = {}
        self.reference.before_step = self._keep_operands

    def _keep_operands(self, index: int, op: Operation, operands: list[Any]) -> None:
        if _checked_alone(op):
            self._operands[id(op)] = [_copy(value) for value in operands]

    def _check_op(self, op: Operation, results: list[Any]) -> None:
        operands = self._operands.pop(id(op), None)
        if operands is None:
            return
        program = self._alone.get(id(op))
        if program is None:
            program = self._alone[id(op)] = self.backend.compile(single_op_function(op))
        distinct = list(dict.fromkeys(op.operands))
        by_value = dict(zip(op.operands, operands, strict=True))
        got = program.run([by_value[value] for value in distinct])
        for number, (value, expected) in enumerate(zip(got, results, strict=True)):
            how = difference(value, expected, self.tolerance)
            if how is not None:
                which = f"result {number}" if len(results) > 1 else "the result"
                raise DebugModeError(
                    f"DebugMode: {which} on {self.backend.describe()} differs from the "
                    f"reference's: {how}"
                )

    def run(self, args: Sequence[Any]) -> list[Any]:
        """Run ``args`` on the reference, op by op, then on the chosen backend whole; return
        the reference's results."""
        copies = [_copy(arg) for arg in args]
        expected = self.reference.run(args)
        got = self.whole.run(copies)
        for number, (value, reference) in enumerate(zip(got, expected, strict=True)):
            how = difference(value, reference, self.tolerance)
            if how is None:
                continue
            returned = self._returned[number]
            owner = returned.owner
            message = (
                f"DebugMode: result {number} of the function (fused, as {self.backend.describe()}"
                f" runs it) differs from the reference's: {how}"
            )
            if isinstance(owner, Operation):  # else an argument returned as it is
                message = f"{owner.name} at {format_location(owner.location)}: {message}"
            raise DebugModeError(message)
        return expected

    def bind(self, binding: Binding) -> None:
        """None: every call takes the general path, through :meth:`run`."""
        return None
