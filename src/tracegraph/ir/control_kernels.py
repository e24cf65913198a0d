"""Reference kernels of ``tg.scan`` and ``tg.ifelse`` (``ir/ops/control.py``): their bodies run
by the interpreter, one step at a time, registered in ``REFERENCE_RULES`` like every other op's.

A scan checks what Theano's checked: a negative step count, a sequence shorter than the steps,
initial values fewer than the taps reach, a state whose shape changes between steps. An
``ifelse`` runs only the body its condition picks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeAlias

import numpy as np
from numpy.typing import NDArray
from xdsl.dialects.builtin import TensorType

from tracegraph.errors import InvalidValueError, ShapeMismatchError
from tracegraph.ir import ops
from tracegraph.ir.reference_rules import Kernel, reference_rule
from tracegraph.ir.types import dtype_of, shape_of

Array: TypeAlias = NDArray[Any]


def _stacked(values: Sequence[Array], dtype: str, step_shape: tuple[int, ...] | None) -> Array:
    """The values of the steps on a new first axis (none: an empty array of ``step_shape``)."""
    if values:
        return np.stack([np.asarray(v) for v in values]).astype(dtype, copy=False)
    if step_shape is None:
        raise ShapeMismatchError(
            "scan ran no step, and the shape of an output made only by the steps is not known "
            "statically"
        )
    return np.empty((0, *step_shape), dtype=dtype)


def _single(results: Sequence[Any]) -> Any:
    return results[0] if len(results) == 1 else tuple(results)


Body = Callable[[Sequence[Any]], list[Any]]
"""A body, ready to run: its arguments in, what it yields out (``ReferenceProgram.run`` of the
block, or a backend's program of it)."""


@reference_rule(ops.ScanOp)
def _scan(op: ops.ScanOp) -> Kernel:
    from tracegraph.ir.interpreter import ReferenceProgram  # it imports this module

    return scan_kernel(op, ReferenceProgram(op.body.block).run)


def scan_kernel(op: ops.ScanOp, body: Body) -> Kernel:
    """The kernel of a scan whose body runs as ``body`` does (the loop itself is the same on
    every backend that runs it on the host)."""
    taps = op.get_taps()
    spans = [-min(t) for t in taps]
    counts = (len(op.sequences), len(op.initial), len(op.carried), op.num_mapped)
    sequences_count, recurrent, carried_count, mapped = counts
    until = op.until is not None
    dtypes = [dtype_of(r) if isinstance(r.type, TensorType) else "" for r in op.outputs]
    mapped_shapes: list[tuple[int, ...] | None] = []
    for result in list(op.outputs)[recurrent + carried_count :]:
        step_shape = shape_of(result)[1:]
        known = all(s is not None for s in step_shape)
        mapped_shapes.append(tuple(int(s) for s in step_shape if s is not None) if known else None)

    def kernel(n_steps: Array, *operands: Any) -> Any:
        n = int(n_steps)
        if n < 0:
            raise InvalidValueError(f"scan: the number of steps is {n}; it cannot be negative")
        sequences = operands[:sequences_count]
        position = sequences_count
        initial = operands[position : position + recurrent]
        position += recurrent
        carried = list(operands[position : position + carried_count])
        non_sequences = list(operands[position + carried_count :])
        for i, sequence in enumerate(sequences):
            if len(sequence) < n:
                raise ShapeMismatchError(
                    f"scan: sequence {i} has {len(sequence)} steps, fewer than the {n} to run"
                )
        histories: list[list[Array]] = []
        for i, (values, span) in enumerate(zip(initial, spans, strict=True)):
            if len(values) != span:
                raise ShapeMismatchError(
                    f"scan: recurrent state {i} reads {span} steps back and needs {span} "
                    f"initial values, not {len(values)}"
                )
            histories.append([np.asarray(v) for v in np.asarray(values)])  # arrays, even 0-d
        stacked: list[list[Array]] = [[] for _ in range(recurrent + mapped)]
        for t in range(n):
            args: list[Any] = [np.asarray(sequence[t]) for sequence in sequences]
            for history, state_taps in zip(histories, taps, strict=True):
                args += [history[len(history) + tap] for tap in state_taps]
            results = body([*args, *carried, *non_sequences])
            for i, history in enumerate(histories):
                value = np.asarray(results[i])
                if value.shape != np.shape(history[-1]):
                    raise ShapeMismatchError(
                        f"scan: recurrent state {i} has shape {np.shape(history[-1])} but step "
                        f"{t} gives shape {value.shape}"
                    )
                history.append(value)
                del history[0]
                stacked[i].append(value)
            carried = list(results[recurrent : recurrent + carried_count])
            for i in range(mapped):
                stacked[recurrent + i].append(results[recurrent + carried_count + i])
            if until and bool(results[-1]):
                break
        outputs: list[Any] = [
            _stacked(stacked[i], dtypes[i], tuple(np.shape(initial[i])[1:]))
            for i in range(recurrent)
        ]
        outputs += carried
        outputs += [
            _stacked(stacked[recurrent + i], dtypes[recurrent + carried_count + i], shape)
            for i, shape in enumerate(mapped_shapes)
        ]
        return _single(outputs)

    return kernel


@reference_rule(ops.IfElseOp)
def _ifelse(op: ops.IfElseOp) -> Kernel:
    from tracegraph.ir.interpreter import ReferenceProgram

    then_body = ReferenceProgram(op.then_body.block).run
    return ifelse_kernel(op, then_body, ReferenceProgram(op.else_body.block).run)


def ifelse_kernel(op: ops.IfElseOp, then_body: Body, else_body: Body) -> Kernel:
    """The kernel of an ``ifelse`` whose branches run as ``then_body`` and ``else_body`` do."""
    then_count = len(op.then_inputs)

    def kernel(condition: Array, *operands: Any) -> Any:
        if bool(np.asarray(condition)):
            return _single(then_body(operands[:then_count]))
        return _single(else_body(operands[then_count:]))

    return kernel
