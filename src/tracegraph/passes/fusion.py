"""Fusion: group elementwise ops, and the reductions that consume them, into ``tg.fused`` ops
that a backend computes in one loop nest, with no temporary arrays between the grouped ops.

A group grows from a *root* (an elementwise op, or a reduction of an elementwise value) towards
its operands. A producer joins when it computes on the root's loop *domain* (same rank and
pattern of broadcastable axes) and every use of its value is inside the group or, when the root
is elementwise or a reduction that keeps the outer axis (a row sum: its rows run on several
threads), comes after the root: such a value becomes one more result of the fused op,
which stands where the root stood, so every use still follows its definition (a use before the
root could feed the group and close a cycle). A dimshuffle joins only at the edge of a group:
its operand stays outside and becomes an input seen through the dimshuffle (a view with
permuted or broadcast axes). Single-element constants are copied into the body, where a
backend reads them as literals. Groups of one op stay as they are.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.dialects.func import FuncOp
from xdsl.ir import Block, Operation, SSAValue
from xdsl.passes import ModulePass

from tracegraph.ir import TG_OPERATIONS, ops
from tracegraph.ir.traits import Elementwise, FusibleReduction
from tracegraph.ir.types import shape_of

FUSED_REDUCTIONS: tuple[type[Operation], ...] = tuple(
    op for op in TG_OPERATIONS if op.has_trait(FusibleReduction)
)
"""The ops of the dialect with the ``FusibleReduction`` trait: reductions a loop nest can compute
while it visits the values they reduce."""

Pattern = tuple[bool, ...]


def domain_pattern(value: SSAValue) -> Pattern:
    """The pattern of broadcastable (static size 1) axes of a value."""
    return tuple(size == 1 for size in shape_of(value))


def is_elementwise(op: Operation) -> bool:
    """Whether the op has the ``Elementwise`` trait (casts, comparisons, ``fill`` and ``switch``
    included)."""
    return op.has_trait(Elementwise)


def is_fused_reduction(op: Operation) -> bool:
    """Whether the op has the ``FusibleReduction`` trait."""
    return op.has_trait(FusibleReduction)


def is_scalar_constant(value: SSAValue) -> bool:
    """A constant of one element (copied into a body rather than passed in)."""
    op = value.owner
    if not isinstance(op, ops.ConstantOp):
        return False
    shape = shape_of(value)
    return all(size == 1 for size in shape)


def domain_of(root: Operation) -> SSAValue:
    """The value whose shape is the loop domain of a group rooted at ``root``."""
    return root.operands[0] if is_fused_reduction(root) else root.results[0]


def _keeps_rows(root: Operation) -> bool:
    """Whether the group of ``root`` may also compute values used after it: an elementwise
    root, or a reduction that keeps the outer axis (row sums, a softmax's row maxima), whose
    loop runs its rows on several threads. A reduction of the outer axis runs on one thread
    (its accumulators are shared by the rows), and values computed in it for other uses would
    leave the threads of their own loop."""
    if not isinstance(root, ops.ReductionOp):
        return True
    rank = len(shape_of(root.x))
    return rank > 0 and 0 not in root.get_axes()


@dataclass
class Group:
    """The ops of a group, in block order, and its root (the last of them)."""

    members: list[Operation]
    root: Operation


class _Grouper:
    """Finds the groups of one block, from its last op to its first."""

    def __init__(self, block: Block):
        self.ops = list(block.ops)
        self.index = {op: i for i, op in enumerate(self.ops)}
        self.grouped: set[Operation] = set()

    def groups(self) -> list[Group]:
        found = []
        for root in reversed(self.ops):
            if root in self.grouped or not (is_elementwise(root) or is_fused_reduction(root)):
                continue
            if is_fused_reduction(root) and not self._joins(root.operands[0], root, set()):
                continue
            group = self._grow(root)
            if len(group.members) > 1:
                self.grouped.update(group.members)
                found.append(group)
        return found

    def _joins(self, value: SSAValue, root: Operation, members: set[Operation]) -> bool:
        """Whether the producer of ``value`` may join the group of ``root``: an elementwise op
        or dimshuffle on the domain, not grouped yet, whose every use is a member or, for an
        elementwise op in a group that may compute values for later uses (``_keeps_rows``),
        an op after the root (the value is then a result of the group: one loop computes
        what several loops over the domain would)."""
        producer = value.owner
        if not isinstance(producer, Operation) or producer not in self.index:
            return False
        if producer in self.grouped or producer in members:
            return False
        domain = domain_pattern(domain_of(root))
        if isinstance(producer, ops.DimShuffleOp):
            # A view at the edge: it may broadcast (size-1 axes) into the domain.
            if len(domain_pattern(value)) != len(domain):
                return False
        elif not is_elementwise(producer) or domain_pattern(value) != domain:
            return False
        users = members | {root}
        if isinstance(producer, ops.DimShuffleOp) or not _keeps_rows(root):
            return all(use.operation in users for use in value.uses)
        after = self.index[root]
        return all(
            use.operation in users or self.index.get(use.operation, -1) > after
            for use in value.uses
        )

    def _grow(self, root: Operation) -> Group:
        members: set[Operation] = {root}
        edge: set[SSAValue] = set()  # operands of dimshuffles: they stay inputs
        # Producers are visited latest first, so every use of a producer that could be a member
        # has been decided when the producer is.
        heap: list[tuple[int, int, SSAValue]] = []
        counter = 0

        def push_operands(op: Operation) -> None:
            nonlocal counter
            for operand in op.operands:
                producer = operand.owner
                if isinstance(producer, Operation) and producer in self.index:
                    counter += 1
                    heapq.heappush(heap, (-self.index[producer], counter, operand))

        push_operands(root)
        while heap:
            _, _, value = heapq.heappop(heap)
            producer = value.owner
            assert isinstance(producer, Operation)
            if value in edge or not self._joins(value, root, members):
                continue
            members.add(producer)
            if isinstance(producer, ops.DimShuffleOp):
                edge.add(producer.x)
            else:
                push_operands(producer)
        ordered = sorted(members, key=self.index.__getitem__)
        return Group(ordered, root)


def _fuse(block: Block, group: Group) -> ops.FusedOp:
    """Replace the ops of ``group`` in ``block`` by one ``tg.fused`` op."""
    members = set(group.members)
    inputs: list[SSAValue] = []
    copied_constants: list[ops.ConstantOp] = []
    for op in group.members:
        for operand in op.operands:
            if operand.owner in members or operand in inputs:
                continue
            owner = operand.owner
            if is_scalar_constant(operand) and isinstance(owner, ops.ConstantOp):
                if owner not in copied_constants:
                    copied_constants.append(owner)
                continue
            inputs.append(operand)
    body = Block(arg_types=[value.type for value in inputs])
    mapping: dict[SSAValue, SSAValue] = dict(zip(inputs, body.args, strict=True))
    for op in [*copied_constants, *group.members]:
        copy = op.clone(value_mapper=mapping)
        copy.location = op.location
        body.add_op(copy)
        for old, new in zip(op.results, copy.results, strict=True):
            mapping[old] = new
    # The root's value, then every other member's value that is used outside the group.
    results = [group.root.results[0]]
    for op in group.members:
        if op is not group.root:
            results.extend(
                value
                for value in op.results
                if any(use.operation not in members for use in value.uses)
            )
    body.add_op(ops.YieldOp([mapping[value] for value in results]))
    fused = ops.FusedOp(inputs, [value.type for value in results], body)
    fused.location = group.root.location
    block.insert_op_before(fused, group.root)
    for value, output in zip(results, fused.outputs, strict=True):
        value.replace_all_uses_with(output)
    for op in reversed(group.members):
        block.erase_op(op)
    return fused


def fuse_block(block: Block) -> int:
    """Fuse the groups of ``block``; returns how many ``tg.fused`` ops it made."""
    groups = _Grouper(block).groups()
    for group in groups:
        _fuse(block, group)
    return len(groups)


@dataclass(frozen=True)
class FusionPass(ModulePass):
    """Group elementwise ops and the reductions of their values into ``tg.fused`` ops."""

    name = "fuse"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        for func in op.body.block.ops:
            if isinstance(func, FuncOp):
                fuse_block(func.body.block)
