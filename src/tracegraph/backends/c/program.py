"""``CProgram``: a function of the final stage, lowered for the ``c`` target, emitted as C,
built (or found in the cache) and ready to run; a ``Program`` of the backend registry, as the
reference backend's
``ReferenceProgram``."""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from xdsl.dialects.func import FuncOp
from xdsl.ir import Operation

from tracegraph.backends.c.build import build_module, find_toolchain
from tracegraph.backends.c.collectives import native_mpi
from tracegraph.backends.c.context import CallContext, RunContext
from tracegraph.backends.c.control import CONTROL_OPS, control_kernel
from tracegraph.backends.c.module import emit_module
from tracegraph.backends.c.target import C_TARGET
from tracegraph.backends.profiling import step_time
from tracegraph.backends.registry import Binding, StepClock
from tracegraph.backends.steps import STEP_ERRORS, blames
from tracegraph.ir import ops
from tracegraph.ir.interpreter import LOCATED, REFERENCE_RULES, runtime_error
from tracegraph.lowering import dialect as tgk
from tracegraph.lowering import lowered

_warned = False


def c_backend_available() -> bool:
    """Whether a C compiler works; warns (once per process) when it does not."""
    global _warned
    if find_toolchain() is not None:
        return True
    if not _warned:
        _warned = True
        warnings.warn(
            "no working C compiler (tried $CC, gcc and cc with Python's and NumPy's headers): "
            "tracegraph runs functions on its NumPy reference backend",
            RuntimeWarning,
            stacklevel=3,
        )
    return False


def _call(op: Operation) -> Callable[..., Any]:
    """The reference kernel of ``op`` (a loop or condition: with compiled bodies), raising the
    reference's typed errors (run inside the ``np.errstate`` of :meth:`CProgram.run`)."""
    kernel = control_kernel(op) if isinstance(op, CONTROL_OPS) else REFERENCE_RULES[type(op)](op)

    def call(*operands: Any) -> Any:
        try:
            return kernel(*operands)
        except Exception as error:
            raise runtime_error(op, operands, error) from error

    return call


def _behaved(value: Any) -> Any:
    """An array as the compiled code reads it, in native byte order and aligned (a copy where
    it is not); any other value as it is."""
    if isinstance(value, np.ndarray) and not (value.dtype.isnative and value.flags.aligned):
        return np.array(value, dtype=value.dtype.newbyteorder("="))
    return value


class CProgram:
    """A ``func.func`` compiled to a CPython extension module.

    >>> from tracegraph.ir import parse_module
    >>> module = parse_module('''
    ... func.func @f(%x: tensor<?xf64>) -> tensor<?xf64> {
    ...   %y = tg.add %x, %x : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
    ...   func.return %y : tensor<?xf64>
    ... }''')
    >>> CProgram(module.body.block.first_op).run([np.array([1.0, 2.0])])
    [array([2., 4.])]
    """

    def __init__(self, function: FuncOp, kernels: FuncOp | None = None, *, profile: bool = False):
        """``kernels``: ``function`` already lowered; ``profile``: time each step (the
        program's :attr:`clock`)."""
        toolchain = find_toolchain()
        if toolchain is None:
            raise RuntimeError("no working C compiler")
        self.kernels: FuncOp = lowered(function, C_TARGET.name) if kernels is None else kernels
        """The function lowered for the ``c`` target (the kernel dialect)."""
        self.source = emit_module(self.kernels, profile=profile)
        module = build_module(self.source, toolchain)
        self._run: Callable[..., tuple[Any, ...]] = module.run
        steps = [op for op in self.kernels.body.block.ops if op.name.startswith("tgk.")]
        self.clock: StepClock | None = None
        """The time of each step, when profiled."""
        if profile:
            self.clock = StepClock([step_time(kernel) for kernel in steps])
            self._run = self._counted(module.profile, self._run)
        calls = tuple(_call(k.callee) for k in steps if isinstance(k, tgk.HostCallOp))
        constants = tuple(
            _behaved(op.to_array())
            for op in self.kernels.body.block.ops
            if isinstance(op, ops.ConstantOp)
        )
        named = [blames(kernel) for kernel in steps]

        def raise_error(step: int, blame: int, kind: str, message: Any, operands: Any) -> None:
            op, name = named[step][blame]
            if kind == "error":  # an exception the step raised without naming the op
                if getattr(message, LOCATED, False) or not isinstance(message, Exception):
                    raise message
                raise runtime_error(op, list(operands or ()), message, name=name) from message
            error = STEP_ERRORS[kind](message)
            raise runtime_error(op, list(operands or ()), error, name=name) from None

        self._context = RunContext(calls, constants, raise_error)
        self._calls_numpy = bool(calls)
        self.fast_call: Callable[..., Any] | None = getattr(module, "call", None)
        if profile and self.fast_call is not None:
            self.fast_call = self._counted(module.profile, self.fast_call)
        """``call(call_context, *inputs)`` (see ``module._emit_call_function``), if the module
        has it."""

    def _counted(self, counters: Callable[[], Any], call: Callable[..., Any]) -> Callable[..., Any]:
        """``call``, adding to :attr:`clock` what the module's counters counted during it (the
        module may serve other functions too)."""
        clock = self.clock
        assert clock is not None

        def counted(*args: Any) -> Any:
            seconds_before, calls_before = counters()
            try:
                return call(*args)
            finally:
                seconds, calls = counters()
                clock.add(
                    [now - before for now, before in zip(seconds, seconds_before, strict=True)],
                    [now - before for now, before in zip(calls, calls_before, strict=True)],
                )

        return counted

    def call_context(self, binding: Binding) -> CallContext:
        """The first argument of :attr:`fast_call` for a function bound with ``binding``: the
        cells of its shared variables and update targets, the targets' static shapes, its
        output structure and the inputs that may be cast safely to their dtype."""
        return CallContext(
            run_context=self._context,
            shared=tuple(binding.shared),
            targets=tuple(binding.update_targets),
            target_shapes=tuple(binding.target_shapes),
            single_output=binding.single_output,
            convertible=tuple(binding.convertible),
        )

    def bind(self, binding: Binding) -> Callable[..., Any] | None:
        """A whole call of the function in C for ``binding`` (see the ``Program`` protocol):
        :attr:`fast_call` with its :meth:`call_context`, under NumPy's floating-point warnings
        off when some step runs a reference kernel; None when the module has no ``call``. The
        C code reads and assigns the ``value`` of the binding's cells."""
        fast_call = self.fast_call
        if fast_call is None:
            return None
        context = self.call_context(binding)
        if not self._calls_numpy:
            return functools.partial(fast_call, context)

        def call(*args: Any) -> Any:
            with np.errstate(all="ignore"):
                return fast_call(context, *args)

        return call

    @property
    def calls_numpy(self) -> bool:
        """Whether some step runs a reference kernel (which needs NumPy's warnings off)."""
        return self._calls_numpy

    @classmethod
    def if_worth_compiling(cls, function: FuncOp, *, profile: bool = False) -> CProgram | None:
        """The compiled program of ``function``, or None when it has nothing to compile (no
        loop, product, draw, or all-reduce that the module calls MPI for: every step would
        call a reference kernel anyway)."""
        kernels = lowered(function, C_TARGET.name)
        steps = [op for op in kernels.body.block.ops if op.name.startswith("tgk.")]
        callees = [k.callee for k in steps if isinstance(k, tgk.HostCallOp)]
        if (
            len(callees) == len(steps)
            and not any(isinstance(callee, CONTROL_OPS) for callee in callees)
            and native_mpi(callees) is None
        ):
            return None
        return cls(function, kernels, profile=profile)

    def run(self, args: Sequence[Any]) -> list[Any]:
        """Run on the argument arrays; return the results."""
        if self._calls_numpy:
            # NumPy's floating-point warnings are off in the reference kernels (Theano's
            # semantics: inf and NaN, never warnings); one context for the whole call.
            with np.errstate(all="ignore"):
                return list(self._run(self._context, *args))
        return list(self._run(self._context, *args))


__all__ = ["CProgram", "c_backend_available"]
