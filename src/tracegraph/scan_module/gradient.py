"""The gradient of ``tg.scan``: backpropagation through time, as a second ``tg.scan`` that runs
the steps backwards (Theano's scan gradient).

At reverse step ``t`` the forward step is computed again from what it read (the sequences'
slices, the states' values at its taps, the non-sequences: the forward scan's outputs give
them all) and differentiated, with the gradient of the step's new state being what the cost
sends it directly plus what later steps sent back through their taps. Carried through the
reverse steps: for each recurrent state, the gradients waiting for its last ``span`` values;
for each non-sequence, the sum of its gradients over the steps. The reverse scan collects the
gradient of each sequence's slice. ``truncate_gradient=k`` runs only the last ``k`` steps
backwards: earlier slices get zeros, and the initial values what those steps sent them (only
a state with taps further back than ``k`` steps has initial values they read).
"""

from __future__ import annotations

from typing import Any

from xdsl.dialects.builtin import TensorType
from xdsl.ir import Block, SSAValue

from tracegraph.gradient.core import vector_jacobian_product
from tracegraph.gradient.rules import VJP_RULES, MultiResultRule
from tracegraph.ir.ops import ScanOp, YieldOp
from tracegraph.ir.regions import build_body, inline_body, plan_body
from tracegraph.ir.types import dtype_of, shape_of, tensor_type
from tracegraph.tensor import basic, math, shapes
from tracegraph.tensor.subtensor import set_subtensor
from tracegraph.tensor.variable import TensorVariable, Variable, wrap_value


def _is_float(variable: Any) -> bool:
    return isinstance(variable, TensorVariable) and variable.dtype.startswith("float")


def _reversed(x: TensorVariable) -> TensorVariable:
    return x[::-1]


class _ReverseStep:
    """The block of the reverse scan and the placeholders of its arguments."""

    def __init__(self) -> None:
        self.block = Block()

    def argument(self, ir_type: Any) -> TensorVariable:
        value = wrap_value(self.block.insert_arg(ir_type, len(self.block.args)))
        assert isinstance(value, TensorVariable)
        return value

    def slice_of(self, sequence: TensorVariable) -> TensorVariable:
        return self.argument(tensor_type(sequence.dtype, sequence.type.shape[1:]))


def _scan_vjp(
    op: ScanOp, operands: list[Any], results: list[Any], gradients: list[TensorVariable | None]
) -> list[TensorVariable | None]:
    sequence_count, recurrent_count = len(op.sequences), len(op.initial)
    carried_count = len(op.carried)
    sequences = operands[1 : 1 + sequence_count]
    initial = operands[1 + sequence_count : 1 + sequence_count + recurrent_count]
    non_sequences = operands[1 + sequence_count + recurrent_count + carried_count :]
    stacked = results[:recurrent_count]
    mapped = results[recurrent_count + carried_count :]
    g_stacked = gradients[:recurrent_count]
    g_mapped = gradients[recurrent_count + carried_count :]
    taped = _taped_values(op)
    if taped is None:
        return _through_a_taped_copy(op, operands, results, gradients)
    taps = op.get_taps()
    spans = [-min(t) for t in taps]
    steps = (stacked or mapped)[0].shape[0]
    if op.truncate_gradient.value.data >= 0:
        run = basic.cast(math.minimum(steps, op.truncate_gradient.value.data), "int64")
    else:
        run = steps

    step = _ReverseStep()
    reverse_sequences: list[TensorVariable] = []

    def sequence_argument(sequence: TensorVariable) -> TensorVariable:
        reverse_sequences.append(_reversed(sequence[:steps]))
        return step.slice_of(sequence)

    slices = [sequence_argument(s) for s in sequences]
    # What the step computed from its random states, read back from the forward outputs
    given = {value: sequence_argument(mapped[position]).value for value, position in taped.items()}
    tap_values: list[list[TensorVariable]] = []
    for start, state_taps, span, values in zip(initial, taps, spans, stacked, strict=True):
        history = shapes.concatenate([start, values])
        tap_values.append(
            [sequence_argument(history[span + tap : span + tap + steps]) for tap in state_taps]
        )
    g_stacked_slices = [
        sequence_argument(g) if g is not None and _is_float(v) else None
        for g, v in zip(g_stacked, stacked, strict=True)
    ]
    g_mapped_slices = [
        sequence_argument(g) if g is not None and _is_float(v) else None
        for g, v in zip(g_mapped, mapped, strict=True)
    ]
    waiting = [step.argument(s.value.type) if _is_float(s) else None for s in initial]
    sums = [step.argument(n.value.type) if _is_float(n) else None for n in non_sequences]
    inner_non_sequences = [step.argument(n.value.type) for n in non_sequences]

    # The forward step again, on the reverse step's arguments
    forward_args: list[SSAValue] = [s.value for s in slices]
    forward_args += [v.value for values in tap_values for v in values]
    # (a random state is never read: what was computed from it is given)
    forward_args += [
        c.value for c in operands[1 + sequence_count + recurrent_count :][:carried_count]
    ]
    forward_args += [n.value for n in inner_non_sequences]
    computed = inline_body(op.body.block, forward_args, given)
    yielded = [wrap_value(v) if v is not None else None for v in computed]
    known: dict[SSAValue, TensorVariable] = {}

    def send(value: Variable, g: TensorVariable) -> None:  # gradients of a yielded value add
        known[value.value] = known[value.value] + g if value.value in known else g

    for i, new_state in enumerate(yielded[:recurrent_count]):
        if waiting[i] is None or new_state is None or not _is_float(new_state):
            continue
        wait = waiting[i]
        assert wait is not None
        g_slice = g_stacked_slices[i]
        send(new_state, wait[0] + g_slice if g_slice is not None else wait[0])
    step_outputs = yielded[recurrent_count + carried_count :]
    for output, g_slice in zip(step_outputs, g_mapped_slices, strict=False):
        if g_slice is not None and output is not None and _is_float(output):
            send(output, g_slice)

    wrt: list[TensorVariable] = [s for s in slices if _is_float(s)]
    wrt += [v for values in tap_values for v in values if _is_float(v)]
    wrt += [n for n in inner_non_sequences if _is_float(n)]
    found: dict[SSAValue, TensorVariable] = {}
    if known and wrt:
        pairs = [(TensorVariable(v), g) for v, g in known.items()]
        for variable, g in zip(wrt, vector_jacobian_product(pairs, wrt), strict=True):
            found[variable.value] = g

    def gradient_of(variable: TensorVariable) -> TensorVariable:
        return found.get(variable.value, basic.zeros_like(variable))

    new_waiting: list[TensorVariable] = []
    for wait, values, state_taps, span in zip(waiting, tap_values, taps, spans, strict=True):
        if wait is None:
            continue
        rows = []
        for i in range(span):
            row = wait[i + 1] if i + 1 < span else basic.zeros_like(wait[0])
            for tap, value in zip(state_taps, values, strict=True):
                if -tap - 1 == i:
                    row = row + gradient_of(value)
            rows.append(row)
        new_waiting.append(shapes.stack(rows))
    new_sums = [
        s + gradient_of(n) for s, n in zip(sums, inner_non_sequences, strict=True) if s is not None
    ]
    slice_gradients = [gradient_of(s) for s in slices if _is_float(s)]

    roots = [v.value for v in new_waiting + new_sums + slice_gradients]
    sources = set(step.block.args)
    plan = plan_body(roots, sources, lambda _, reads_inside: reads_inside)
    implicit = build_body(step.block, plan, roots, {})
    carried_initial = [basic.zeros_like(s) for s in initial if _is_float(s)]
    carried_initial += [basic.zeros_like(n) for n in non_sequences if _is_float(n)]
    result_types: list[Any] = [c.value.type for c in carried_initial]
    result_types += [
        tensor_type(s.dtype, (None, *s.type.shape[1:])) for s in sequences if _is_float(s)
    ]
    reverse = ScanOp(
        run.value,
        [s.value for s in reverse_sequences],
        [],
        [c.value for c in carried_initial],
        [n.value for n in non_sequences] + implicit,
        [],
        result_types,
        step.block,
    )
    reverse.location = op.location
    outputs = iter(wrap_value(r) for r in reverse.results)
    initial_gradients: list[Variable | None] = [
        next(outputs) if _is_float(s) else None for s in initial
    ]
    sum_gradients = [next(outputs) if _is_float(n) else None for n in non_sequences]
    sequence_gradients: list[TensorVariable | None] = []
    for sequence in sequences:
        if not _is_float(sequence):
            sequence_gradients.append(None)
            continue
        collected = next(outputs)
        assert isinstance(collected, TensorVariable)
        zeros = basic.zeros_like(sequence)
        sequence_gradients.append(set_subtensor(zeros[steps - run : steps], collected[::-1]))
    start_gradients: list[TensorVariable | None] = []
    for waited, span in zip(initial_gradients, spans, strict=True):
        if not isinstance(waited, TensorVariable):
            start_gradients.append(None)
            continue
        g = waited[::-1]  # the waiting gradients are for the last value first
        if op.truncate_gradient.value.data >= 0:
            g = _initial_values_reached(g, span, steps - run)
        start_gradients.append(g)
    as_tensors = [g if isinstance(g, TensorVariable) or g is None else None for g in sum_gradients]
    return [None, *sequence_gradients, *start_gradients, *([None] * carried_count), *as_tensors]


def _initial_values_reached(g: TensorVariable, span: int, skipped: Any) -> TensorVariable:
    """The gradient of a state's ``span`` initial values when the first ``skipped`` steps did
    not run backwards (truncated): ``g`` is for the ``span`` values before the earliest step
    that did, positions ``skipped`` onwards of the history the initial values start (0 to
    ``span - 1``). Initial value ``i`` gets ``g[i - skipped]``, zeros before: with taps
    further back than one step, a step inside the window reads some initial values."""
    shift = math.minimum(skipped, span)
    padded = shapes.concatenate([basic.zeros_like(g), g])
    return padded[span - shift : 2 * span - shift]


def _is_state(value: SSAValue) -> bool:
    """A value no gradient is taken of and no tensor op reads: a random state."""
    return not isinstance(value.type, TensorType)


def _taped_values(op: ScanOp) -> dict[SSAValue, int] | None:
    """For a loop whose carried states are all random states: each tensor the step computes
    from one (a draw's sample) and the position of the mapped output that yields it, which the
    reverse loop reads back instead of drawing again. None when a carried state is a tensor
    (its value at each step is needed) or a drawn value is not yielded: the loop must be
    copied with those values stacked (:func:`_through_a_taped_copy`)."""
    if any(not _is_state(c) for c in op.carried):
        return None
    block = op.body.block
    yielded = list(block.last_op.operands) if block.last_op is not None else []
    first_mapped = len(op.initial) + len(op.carried)
    mapped = yielded[first_mapped : first_mapped + op.num_mapped]
    taped: dict[SSAValue, int] = {}
    for inner in block.ops:
        if not any(_is_state(v) for v in inner.operands):
            continue
        for result in inner.results:
            if _is_state(result):
                continue
            if result not in mapped:
                return None
            taped[result] = mapped.index(result)
    return taped


def _through_a_taped_copy(
    op: ScanOp, operands: list[Any], results: list[Any], gradients: list[TensorVariable | None]
) -> list[TensorVariable | None]:
    """The gradients through a copy of the loop that also stacks, over the steps, the values
    of its tensor carried states (as recurrent states) and what it draws from its random
    states (as mapped outputs): the copy's reverse loop reads them back. The copy draws the
    same numbers (it starts from the same states)."""
    body = op.body.block
    sequence_count, recurrent_count, carried_count = (
        len(op.sequences), len(op.initial), len(op.carried),
    )  # fmt: skip
    taps = op.get_taps()
    tap_count = sum(len(t) for t in taps)
    carried = operands[1 + sequence_count + recurrent_count :][:carried_count]
    tensor_carried = [i for i in range(carried_count) if not _is_state(op.carried[i])]
    state_carried = [i for i in range(carried_count) if _is_state(op.carried[i])]
    old_args = list(body.args)
    block = Block()
    mapping: dict[SSAValue, SSAValue] = {}

    def argument_for(old: SSAValue) -> None:
        mapping[old] = block.insert_arg(old.type, len(block.args))

    for old in old_args[: sequence_count + tap_count]:
        argument_for(old)
    carried_args = old_args[sequence_count + tap_count :][:carried_count]
    for i in tensor_carried + state_carried:
        argument_for(carried_args[i])
    for old in old_args[sequence_count + tap_count + carried_count :]:
        argument_for(old)
    taped: list[SSAValue] = []
    yield_op = body.last_op
    assert yield_op is not None
    for inner in body.ops:
        if inner is yield_op:
            break
        clone = inner.clone()
        clone.operands = [mapping[v] for v in inner.operands]
        mapping.update(zip(inner.results, clone.results, strict=True))
        block.add_op(clone)
        if any(_is_state(v) for v in inner.operands):
            taped += [mapping[r] for r in inner.results if not _is_state(r)]
    old_yield = [mapping[v] for v in yield_op.operands]
    new_states = old_yield[recurrent_count : recurrent_count + carried_count]
    first_mapped = recurrent_count + carried_count
    yielded = old_yield[:recurrent_count] + [new_states[i] for i in tensor_carried]
    yielded += [new_states[i] for i in state_carried]
    yielded += old_yield[first_mapped : first_mapped + op.num_mapped] + taped
    yielded += old_yield[first_mapped + op.num_mapped :]  # the stop condition
    block.add_op(YieldOp(yielded))

    def stacked_type(value: SSAValue) -> Any:
        return tensor_type(dtype_of(value), (None, *shape_of(value)))

    result_types: list[Any] = [r.type for r in op.outputs[:recurrent_count]]
    result_types += [stacked_type(op.carried[i]) for i in tensor_carried]
    result_types += [op.carried[i].type for i in state_carried]
    result_types += [r.type for r in op.outputs[first_mapped:]]
    result_types += [stacked_type(v) for v in taped]
    padded = [carried[i].dimshuffle("x", *range(carried[i].ndim)) for i in tensor_carried]
    initial = operands[1 + sequence_count : 1 + sequence_count + recurrent_count]
    copy = ScanOp(
        operands[0].value,
        [v.value for v in operands[1 : 1 + sequence_count]],
        [v.value for v in initial] + [p.value for p in padded],
        [carried[i].value for i in state_carried],
        [v.value for v in operands[1 + sequence_count + recurrent_count + carried_count :]],
        [*taps, *([(-1,)] * len(tensor_carried))],
        result_types,
        block,
        until=op.until is not None,
        truncate_gradient=op.truncate_gradient.value.data,
    )
    copy.location = op.location
    copied = [wrap_value(r) for r in copy.results]
    # Each result of the loop, as a value of the copy
    same: list[Any] = list(copied[:recurrent_count])
    carried_values: list[Any] = [None] * carried_count
    for position, i in enumerate(tensor_carried):
        values = TensorVariable(copy.results[recurrent_count + position])
        history = shapes.concatenate([padded[position], values])
        carried_values[i] = history[-1]
    same += carried_values
    mapped_start = recurrent_count + carried_count
    same += copied[mapped_start : mapped_start + op.num_mapped]
    pairs = [
        (value, g)
        for value, g in zip(same, gradients, strict=True)
        if g is not None and _is_float(value)
    ]
    positions = [i for i, v in enumerate(operands) if i > 0 and _is_float(v)]
    if not pairs or not positions:
        return [None] * len(operands)
    found = vector_jacobian_product(pairs, [operands[i] for i in positions])
    by_position = dict(zip(positions, found, strict=True))
    return [by_position.get(i) for i in range(len(operands))]


VJP_RULES[ScanOp] = MultiResultRule(_scan_vjp)
