"""Time per step of a profiled program (``function(..., profile=True)``): the backends' side.

A backend's :meth:`~tracegraph.backends.registry.Backend.compile_profiled` returns a program
with a :class:`~tracegraph.backends.registry.StepClock` as its ``clock``: one entry per step it
runs (an op on the reference backend, a kernel or a host call on C and Triton), each with its
label (the ``tg`` op it stands for, with the ops of a fused loop), the user's line, the time
spent in it and how many times it ran. The reference and Triton programs tick the clock as
they go (Triton waits for the device at each tick, so that a step's time is its own); C counts
in the compiled code and adds what a call counted (``StepClock.add``). A backend without its
own way is timed as one step, the whole program (``registry.WholeProgramClock``).
"""

from __future__ import annotations

from xdsl.ir import Operation

from tracegraph.backends.registry import StepTime
from tracegraph.backends.steps import blames
from tracegraph.ir.location import format_location
from tracegraph.lowering import dialect as tgk


def step_time(kernel: Operation) -> StepTime:
    """The :class:`StepTime` of a step of a lowered function (or an op of a ``tg`` one)."""
    source, name = blames(kernel)[0]
    if isinstance(kernel, tgk.LoopOp):  # its ops, reductions included (constants are no work)
        body = (op.name for op in kernel.body.block.ops if op.name not in _NOT_WORK)
        label = f"loop: {' '.join(dict.fromkeys(body))}"
        return StepTime(label, label, format_location(source.location))
    return StepTime(name, name, format_location(source.location))


_NOT_WORK = frozenset({"tg.constant", "tgk.yield"})


def op_time(op: Operation) -> StepTime:
    """The :class:`StepTime` of an op the reference runs as one step."""
    return StepTime(op.name, op.name, format_location(op.location))
