"""Rewrites of loops (``tg.scan``, Theano's scan "push out" and dead-output rewrites): what a
step computes from the sequences alone is computed for every step at once before the loop, and
what nothing reads is not computed or passed. (The frontend already keeps outside what does not
change between steps; the patterns of the other passes run inside bodies as everywhere.)
"""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.dialects.builtin import TensorType
from xdsl.ir import Attribute, Block, Operation, SSAValue
from xdsl.pattern_rewriter import PatternRewriter, RewritePattern
from xdsl.rewriter import InsertPoint

from tracegraph.ir import ops
from tracegraph.ir.idioms import constant_array
from tracegraph.ir.ops.shape import NEW_AXIS
from tracegraph.ir.ops.subtensor import SCALAR_INDEX, SLICE_STOP
from tracegraph.ir.traits import Elementwise
from tracegraph.ir.types import dtype_of, shape_of, tensor_type
from tracegraph.passes.patterns import op_pattern


def _rebuilt(
    op: ops.ScanOp,
    *,
    sequences: Sequence[SSAValue] | None = None,
    non_sequences: Sequence[SSAValue] | None = None,
    result_types: Sequence[Attribute] | None = None,
) -> ops.ScanOp:
    """``op`` with other sequences, non-sequences or results, and its body (moved)."""
    block = op.body.detach_block(0)
    rebuilt = ops.ScanOp(
        op.n_steps,
        list(op.sequences) if sequences is None else sequences,
        list(op.initial),
        list(op.carried),
        list(op.non_sequences) if non_sequences is None else non_sequences,
        op.get_taps(),
        [r.type for r in op.outputs] if result_types is None else result_types,
        block,
        until=op.until is not None,
        truncate_gradient=op.truncate_gradient.value.data,
    )
    rebuilt.location = op.location
    return rebuilt


def _sequence_arguments(op: ops.ScanOp) -> dict[SSAValue, SSAValue]:
    """Each slice argument of the body and the sequence it comes from."""
    args = list(op.body.block.args)[: len(op.sequences)]
    return dict(zip(args, op.sequences, strict=True))


def _non_sequence_arguments(op: ops.ScanOp) -> dict[SSAValue, SSAValue]:
    """Each non-sequence argument of the body and the value passed for it."""
    args = list(op.body.block.args)
    return dict(zip(args[len(args) - len(op.non_sequences) :], op.non_sequences, strict=True))


def _pushable(op: Operation) -> bool:
    return len(op.results) == 1 and (op.has_trait(Elementwise) or isinstance(op, ops.DimShuffleOp))


class PushSequenceWorkOutOfLoop(RewritePattern):
    """``scan(f(x_t, c))`` -> ``scan(y_t)`` with ``y = f(x[:n], c)``: an elementwise op (or a
    dimshuffle) of the step whose operands are slices of sequences and non-sequences is
    computed for every step at once, before the loop, and read as a new sequence (its values at
    each step are the same; the loop still checks the sequence's length)."""

    @op_pattern
    def match_and_rewrite(self, op: ops.ScanOp, rewriter: PatternRewriter) -> None:
        block = op.body.block
        slices, invariant = _sequence_arguments(op), _non_sequence_arguments(op)
        inner = next(
            (
                candidate
                for candidate in block.ops
                if _pushable(candidate)
                and any(v in slices for v in candidate.operands)
                and all(
                    (v in slices or v in invariant) and isinstance(v.type, TensorType)
                    for v in candidate.operands
                )
            ),
            None,
        )
        if inner is None:
            return
        created: list[Operation] = []

        bounded = _lengths_bounding_steps(op.n_steps)

        def outer(value: SSAValue) -> SSAValue:
            if value in slices:
                sequence = slices[value]
                if _steps_long(sequence, op, bounded, checked=True):
                    return sequence  # already cut to the steps (pushed out before)
                taken = ops.SubtensorOp(
                    sequence,
                    [op.n_steps],
                    [SLICE_STOP],
                    tensor_type(dtype_of(sequence), (None, *shape_of(sequence)[1:])),
                )
                created.append(taken)
                return taken.result
            value = invariant[value]
            rank = len(shape_of(value))
            if isinstance(inner, ops.DimShuffleOp):
                return value
            padded = ops.DimShuffleOp(
                value,
                [NEW_AXIS, *range(rank)],
                tensor_type(dtype_of(value), (1, *shape_of(value))),
            )
            created.append(padded)
            return padded.result

        step_type = inner.results[0].type
        stacked_type = tensor_type(dtype_of(step_type), (None, *shape_of(step_type)))
        operands = [outer(v) for v in inner.operands]
        whole: Operation
        if isinstance(inner, ops.DimShuffleOp):
            order = [0, *(axis + 1 if axis != NEW_AXIS else NEW_AXIS for axis in inner.get_order())]
            whole = ops.DimShuffleOp(operands[0], order, stacked_type)
        else:
            whole = inner.create(
                operands=operands,
                result_types=[stacked_type],
                properties=dict(inner.properties),
                attributes=dict(inner.attributes),
            )
        created.append(whole)
        for new_op in created:
            new_op.location = inner.location
        new_slice = block.insert_arg(step_type, len(op.sequences))
        rewriter.replace_all_uses_with(inner.results[0], new_slice)
        rewriter.erase(inner)
        rewriter.insert(created, InsertPoint.before(op))
        rewriter.replace(op, _rebuilt(op, sequences=[*op.sequences, whole.results[0]]))


def _hoistable(op: Operation) -> bool:
    """Ops that cannot fail on operands whose types fit: computing one before a loop that might
    run no step raises nothing the loop would not (an index or a product could: they stay)."""
    return (
        len(op.results) == 1
        and isinstance(op.results[0].type, TensorType)
        and (op.has_trait(Elementwise) or isinstance(op, ops.DimShuffleOp | ops.ShapeOp))
    )


class HoistInvariantOutOfLoop(RewritePattern):
    """``scan(f(c))`` -> ``scan(d)`` with ``d = f(c)``: an elementwise op (or dimshuffle, shape)
    of the step whose operands are all non-sequences gives the same value at every step, so it
    is computed once, before the loop, and passed as a new non-sequence (Theano's scan "push
    out" of invariants; ops that may fail stay, as the loop may run no step)."""

    @op_pattern
    def match_and_rewrite(self, op: ops.ScanOp, rewriter: PatternRewriter) -> None:
        block = op.body.block
        invariant = _non_sequence_arguments(op)
        inner = next(
            (
                candidate
                for candidate in block.ops
                if candidate.operands
                and _hoistable(candidate)
                and all(v in invariant for v in candidate.operands)
            ),
            None,
        )
        if inner is None:
            return
        hoisted = inner.clone()
        hoisted.operands = [invariant[v] for v in inner.operands]
        new_argument = block.insert_arg(inner.results[0].type, len(block.args))
        rewriter.replace_all_uses_with(inner.results[0], new_argument)
        rewriter.erase(inner)
        rewriter.insert(hoisted, InsertPoint.before(op))
        non_sequences = [*op.non_sequences, hoisted.results[0]]
        rewriter.replace(op, _rebuilt(op, non_sequences=non_sequences))


class DropUnusedLoopOutput(RewritePattern):
    """A value the step computes only to be collected (a mapped output) that nothing reads is
    not computed: the step no longer yields it."""

    @op_pattern
    def match_and_rewrite(self, op: ops.ScanOp, rewriter: PatternRewriter) -> None:
        first = len(op.initial) + len(op.carried)
        outputs = list(op.outputs)
        unused = {i for i in range(first, first + op.num_mapped) if not outputs[i].uses}
        if not unused or all(not r.uses for r in outputs):
            return  # (a loop nothing reads is dead code)
        block = op.body.block
        yielded = block.last_op
        assert isinstance(yielded, ops.YieldOp)
        kept = [v for i, v in enumerate(yielded.values) if i not in unused]
        rewriter.replace(yielded, ops.YieldOp(kept))
        types = [r.type for i, r in enumerate(outputs) if i not in unused]
        rebuilt = _rebuilt(op, result_types=types)
        results = iter(rebuilt.results)
        rewriter.replace(
            op, rebuilt, [None if i in unused else next(results) for i in range(len(outputs))]
        )


class DropUnusedNonSequence(RewritePattern):
    """A non-sequence the step does not read is not passed to the loop."""

    @op_pattern
    def match_and_rewrite(self, op: ops.ScanOp, rewriter: PatternRewriter) -> None:
        block: Block = op.body.block
        count = len(op.non_sequences)
        args = list(block.args)[len(block.args) - count :]
        unused = {i for i, arg in enumerate(args) if not arg.uses}
        if not unused:
            return
        for i in sorted(unused, reverse=True):
            block.erase_arg(args[i])
        kept = [v for i, v in enumerate(op.non_sequences) if i not in unused]
        rewriter.replace(op, _rebuilt(op, non_sequences=kept))


def _lengths_bounding_steps(steps: SSAValue) -> set[SSAValue]:
    """Tensors at least as long as ``steps`` (on the first axis) by construction: ``steps`` is
    ``shape(y)[0]`` (cast), or the minimum of such (what ``scan`` computes from its
    sequences when ``n_steps`` is not given)."""
    producer = steps.owner
    if isinstance(producer, ops.CastOp):
        return _lengths_bounding_steps(producer.x)
    if isinstance(producer, ops.MinimumOp):
        return _lengths_bounding_steps(producer.lhs) | _lengths_bounding_steps(producer.rhs)
    if (
        isinstance(producer, ops.SubtensorOp)
        and producer.get_entries() == (SCALAR_INDEX,)
        and isinstance(producer.x.owner, ops.ShapeOp)
    ):
        index = constant_array(producer.indices[0])
        if index is not None and int(index) == 0:
            return {producer.x.owner.x}
    return set()


def _steps_long(value: SSAValue, op: ops.ScanOp, bounded: set[SSAValue], *, checked: bool) -> bool:
    """Whether ``value`` has exactly ``n_steps`` rows: ``y[:n_steps]`` of a tensor ``y``
    bounding the steps, or (``checked``: while the loop runs, which checks the lengths of its
    sequences) of a sequence of the loop; or an elementwise op or dimshuffle of such a value
    (the other operands invariant, of one row)."""
    producer = value.owner
    if isinstance(producer, ops.SubtensorOp):
        return (
            producer.get_entries() == (SLICE_STOP,)
            and producer.indices[0] == op.n_steps
            and (producer.x in bounded or (checked and producer.x in op.sequences))
        )
    if isinstance(producer, ops.DimShuffleOp):
        return producer.get_order()[:1] == (0,) and _steps_long(
            producer.x, op, bounded, checked=checked
        )
    if isinstance(producer, Operation) and producer.has_trait(Elementwise):
        return any(_steps_long(v, op, bounded, checked=checked) for v in producer.operands)
    return False


class DropUnusedSequence(RewritePattern):
    """A sequence the step does not read is not passed to the loop, when its length check
    cannot fail: ``n_steps`` is its length (as ``scan`` computes it), or it was cut to the
    steps from another sequence, whose check stays (``PushSequenceWorkOutOfLoop``'s)."""

    @op_pattern
    def match_and_rewrite(self, op: ops.ScanOp, rewriter: PatternRewriter) -> None:
        block: Block = op.body.block
        args = list(block.args)[: len(op.sequences)]
        bounded = _lengths_bounding_steps(op.n_steps)
        unused = {
            i
            for i, (arg, sequence) in enumerate(zip(args, op.sequences, strict=True))
            if not arg.uses
            and (sequence in bounded or _steps_long(sequence, op, bounded, checked=True))
        }
        if not unused:
            return
        for i in sorted(unused, reverse=True):
            block.erase_arg(args[i])
        kept = [v for i, v in enumerate(op.sequences) if i not in unused]
        rewriter.replace(op, _rebuilt(op, sequences=kept))


class MappedSliceIsTheSequence(RewritePattern):
    """A step that yields its slice of a sequence ``s`` collects ``s`` itself, when ``s`` has
    exactly ``n_steps`` rows whatever the loop's inputs (``n_steps`` is the length of a tensor
    ``s`` was cut from, as ``scan`` computes it without ``n_steps``: the loop's own length check
    could then never fail, and the loop may go)."""

    @op_pattern
    def match_and_rewrite(self, op: ops.ScanOp, rewriter: PatternRewriter) -> None:
        if op.until is not None:
            return
        block = op.body.block
        yielded = block.last_op
        assert isinstance(yielded, ops.YieldOp)
        slices = _sequence_arguments(op)
        first = len(op.initial) + len(op.carried)
        bounded = _lengths_bounding_steps(op.n_steps)
        for i in range(first, first + op.num_mapped):
            result = op.outputs[i]
            sequence = slices.get(yielded.values[i])
            if (
                result.uses
                and sequence is not None
                and sequence.type == result.type
                and _steps_long(sequence, op, bounded, checked=False)
            ):
                rewriter.replace_all_uses_with(result, sequence)
                return


LOOP_PATTERNS: tuple[type[RewritePattern], ...] = (
    HoistInvariantOutOfLoop,
    PushSequenceWorkOutOfLoop,
    MappedSliceIsTheSequence,
    DropUnusedLoopOutput,
    DropUnusedSequence,
    DropUnusedNonSequence,
)
"""The loop rewrites (canonicalization runs them)."""
