"""What ``function`` builds around the final graph: the backend's program for the mode
(:func:`make_program`), and Theano's ``f.maker`` (:class:`FunctionMaker`) with its ``fgraph``
(:class:`FunctionGraph`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from xdsl.dialects.func import FuncOp, ReturnOp
from xdsl.ir import Operation

from tracegraph.backends.registry import Program, WholeProgramClock, backend_for, get_backend
from tracegraph.compile.debugmode import DebugProgram
from tracegraph.compile.io import In
from tracegraph.compile.modes import Mode, linker_of
from tracegraph.config import config
from tracegraph.tensor.variable import wrap_value


def make_program(func: FuncOp, mode: Mode, *, profile: bool = False) -> Program:
    """The backend program of ``func`` for ``mode`` on ``config.device``, chosen by the
    backend registry: with the ``"c"`` linker on the CPU, C when a C compiler works and the
    function has something to compile, else the reference. ``profile``: a program with a
    ``clock`` timing its steps (the modes that watch each op are timed as a whole)."""
    program: Any
    if mode.guarded() or mode.monitor is not None:  # the reference backend's watched program
        reference: Any = get_backend("reference")
        if mode.monitor is not None:
            program = reference.compile_monitored(func, *mode.monitor)
        else:
            program = reference.compile_guarded(func, mode.guarded())
        return WholeProgramClock(program, "the whole function") if profile else program
    backend = backend_for(linker_of(mode), config.device)
    if mode.debug:
        program = DebugProgram(func, backend, mode.tolerance)
        return WholeProgramClock(program, "the whole function") if profile else program
    return backend.compile_profiled(func) if profile else backend.compile(func)


class FunctionGraph:
    """The compiled graph of a function, as Theano's ``f.maker.fgraph``: ``inputs`` (explicit
    inputs, then shared variables), ``outputs`` (outputs, then updates) and ``toposort()``."""

    def __init__(self, func: FuncOp, input_names: Sequence[str | None]):
        block = func.body.block
        self.func = func
        self.inputs = [
            wrap_value(arg, input_names[i] if i < len(input_names) else arg.name_hint)
            for i, arg in enumerate(block.args)
        ]
        last = block.last_op
        assert isinstance(last, ReturnOp)
        self.outputs = [wrap_value(value) for value in last.arguments]

    def toposort(self) -> list[Operation]:
        """The ops of the graph in execution order."""
        return [op for op in self.func.body.block.ops if not isinstance(op, ReturnOp)]

    def __repr__(self) -> str:
        return f"FunctionGraph({self.inputs} -> {self.outputs})"


class FunctionMaker:
    """What ``function`` built, as Theano's ``f.maker``: ``fgraph`` (also ``env``), the
    ``inputs`` (``In`` objects) and the ``mode``."""

    def __init__(self, fgraph: FunctionGraph, inputs: list[In], mode: Mode):
        self.fgraph = fgraph
        self.inputs = inputs
        self.mode = mode

    @property
    def env(self) -> FunctionGraph:
        """The older name of ``fgraph``."""
        return self.fgraph
