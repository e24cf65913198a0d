"""Bucketing: the all-reduces of a step in as few collectives as their dependences allow.

Data-parallel training all-reduces one gradient per parameter; each ``tg.all_reduce`` is one
message, whose latency (tens of microseconds between processes of one machine, more between
machines) a step pays once per parameter. As Horovod and PyTorch's DDP do, the
``bucket-all-reduce`` pass joins them: ``all_reduce(a); all_reduce(b) ->
all_reduce_bucket(a, b)``, one message of the operands joined into one flat buffer.

Two all-reduces share a bucket when they combine the same way (``sum``, ``mean``...) in the
same dtype and neither depends on the other. Each is given a *level*: 0 when no all-reduce
comes before it in its operand's graph, else one more than the highest level there. The
all-reduces of one (reduction, dtype, level) are independent, and a bucket depends only on
buckets of lower levels, so bucketing never makes a cycle; the gradients of a step are all of
level 0, one bucket per dtype. The block is then put in an order that respects the new
dependences (each op as early as its original place allows; ops with effects other than the
collectives, and prints, keep their order among themselves).

The values are the same: each element is combined over the ranks as it would be alone (a
collective may choose another algorithm for a longer message, which may round differently when
more than two ranks sum floats, as with any change of message size). Every rank runs the same
pass on the same graph, so the ranks' collectives still match.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Block, Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.traits import IsTerminator, Pure

from tracegraph.ir import ops
from tracegraph.ir.types import dtype_of

COLLECTIVES = (ops.AllReduceOp, ops.AllReduceBucketOp, ops.BroadcastOp, ops.AllGatherOp)
"""Ops whose relative order every rank derives from the same graph (so the reordering may
move them, deterministically)."""

# Ops with effects keep their order among themselves; so do prints, which are pure (unused, a
# pass may drop them) but whose lines should come in the order of the program.


def _used_values(op: Operation) -> Iterator[SSAValue]:
    """The operands of ``op`` and of every op in its regions (values from above included)."""
    for inner in op.walk():
        yield from inner.operands


def _defined_in(block: Block, op: Operation) -> list[Operation]:
    """The ops of ``block`` whose results ``op`` (or its regions) uses."""
    owners: list[Operation] = []
    for value in _used_values(op):
        owner = value.owner
        if isinstance(owner, Operation) and owner.parent is block and owner is not op:
            owners.append(owner)
    return owners


def _levels(block: Block) -> dict[ops.AllReduceOp, int]:
    """The level of each all-reduce of ``block``: 1 + the highest level of the all-reduces its
    operand depends on (0 for none)."""
    reach: dict[Operation, int] = {}  # the highest level each op depends on (-1: none)
    levels: dict[ops.AllReduceOp, int] = {}
    for op in block.ops:
        below = max((reach[owner] for owner in _defined_in(block, op)), default=-1)
        if isinstance(op, ops.AllReduceOp):
            levels[op] = below + 1
            below += 1
        reach[op] = below
    return levels


@dataclass
class _Node:
    """One op of the new order (a bucket stands for its all-reduces): where it was first and
    what it waits for."""

    op: Operation
    first: int
    waits_for: set[int]


def _buckets(block: Block) -> list[list[ops.AllReduceOp]]:
    """The groups of two or more all-reduces of ``block`` to join, each in block order."""
    groups: dict[tuple[str, str, int], list[ops.AllReduceOp]] = {}
    for op, level in _levels(block).items():
        key = (op.get_reduction(), dtype_of(op.result), level)
        groups.setdefault(key, []).append(op)
    return [members for members in groups.values() if len(members) > 1]


def bucket_block(block: Block) -> int:
    """Join the all-reduces of ``block`` into buckets and reorder it; returns how many
    all-reduces were joined."""
    buckets = _buckets(block)
    if not buckets:
        return 0
    original = list(block.ops)
    position = {op: index for index, op in enumerate(original)}
    node_of: dict[Operation, int] = {}
    nodes: list[_Node] = []
    made: list[tuple[list[ops.AllReduceOp], ops.AllReduceBucketOp]] = []
    for members in buckets:
        bucket = ops.AllReduceBucketOp([m.x for m in members], members[0].get_reduction())
        bucket.location = members[0].location
        made.append((members, bucket))
        for member in members:
            node_of[member] = len(nodes)
        nodes.append(_Node(bucket, position[members[0]], set()))
    for op in original:
        if op not in node_of:
            node_of[op] = len(nodes)
            nodes.append(_Node(op, position[op], set()))
    effects_before: int | None = None
    for op in original:
        node = node_of[op]
        nodes[node].waits_for.update(node_of[owner] for owner in _defined_in(block, op))
        nodes[node].waits_for.discard(node)  # a bucket's members are independent
        if isinstance(op, ops.PrintOp) or not (op.has_trait(Pure) or isinstance(op, COLLECTIVES)):
            if effects_before is not None:
                nodes[node].waits_for.add(effects_before)
            effects_before = node
    order = _schedule(nodes)
    for members, bucket in made:
        for member, result in zip(members, bucket.outs, strict=True):
            result.name_hint = member.result.name_hint
            member.result.replace_all_uses_with(result)
    for op in original:
        block.detach_op(op)
    for index in order:
        block.add_op(nodes[index].op)
    for members in buckets:
        for member in members:
            member.erase()
    return sum(len(members) for members in buckets)


def _schedule(nodes: list[_Node]) -> list[int]:
    """The nodes in an order where each comes after what it waits for: at each point the one
    first in the original order among those ready, and the terminator last."""
    waiting = [len(node.waits_for) for node in nodes]
    waited_by: list[list[int]] = [[] for _ in nodes]
    for index, node in enumerate(nodes):
        for other in node.waits_for:
            waited_by[other].append(index)
    terminal = [i for i, node in enumerate(nodes) if node.op.has_trait(IsTerminator)]
    ready = [(node.first, i) for i, node in enumerate(nodes) if not waiting[i]]
    ready = [(first, i) for first, i in ready if i not in terminal]
    heapq.heapify(ready)
    order: list[int] = []
    while ready:
        _, index = heapq.heappop(ready)
        order.append(index)
        for other in waited_by[index]:
            waiting[other] -= 1
            if not waiting[other] and other not in terminal:
                heapq.heappush(ready, (nodes[other].first, other))
    order += terminal
    if len(order) != len(nodes):
        raise AssertionError("bucket-all-reduce: the buckets made a cycle (a bug)")
    return order


@dataclass(frozen=True)
class BucketAllReducePass(ModulePass):
    """``all_reduce(a); all_reduce(b) -> all_reduce_bucket(a, b)`` in every block: the
    independent all-reduces of one reduction and dtype, one message."""

    name = "bucket-all-reduce"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        blocks = [
            block for inner in op.walk() for region in inner.regions for block in region.blocks
        ]
        for block in blocks:
            bucket_block(block)
