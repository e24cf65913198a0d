"""Bodies of ops with regions (``tg.scan``, ``tg.ifelse``) from traced graphs.

A body is built the way Theano built its inner graphs: the user's function is called on
placeholders (the arguments of a new block), and the ops between its results and those
placeholders are copied into the block. A value the body reads from outside becomes an operand
of the op and an argument of the block (an implicit non-sequence, in Theano's words): regions
are isolated from above. Which ops go inside is the caller's rule (``inside``): a loop keeps
outside what does not change between steps, a branch takes inside all that only it needs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from xdsl.dialects.func import FuncOp, ReturnOp
from xdsl.ir import Block, Operation, Region, SSAValue

from tracegraph.ir.ops import YieldOp

Inside = Callable[[Operation, bool], bool]
"""Whether an op goes into the body, given it and whether any of its operands is a value of
the body."""


@dataclass
class BodyPlan:
    """The ops of a body, in an order that defines values before their uses."""

    ops: list[Operation] = field(default_factory=list)
    inside: set[SSAValue] = field(default_factory=set)
    """The values the body computes (results of ``ops``) or is given (``sources``)."""


def plan_body(roots: Iterable[SSAValue], sources: Iterable[SSAValue], inside: Inside) -> BodyPlan:
    """The ops between ``roots`` and the body's ``sources`` (its arguments, and values it
    binds to arguments) that ``inside`` takes into the body."""
    plan = BodyPlan(inside=set(sources))
    decided: dict[int, bool] = {}
    for root in roots:
        stack: list[tuple[SSAValue, bool]] = [(root, False)]
        while stack:
            value, expanded = stack.pop()
            op = value.owner
            if value in plan.inside or not isinstance(op, Operation) or id(op) in decided:
                continue
            if not expanded:
                stack.append((value, True))
                stack.extend((operand, False) for operand in reversed(op.operands))
                continue
            taken = inside(op, any(v in plan.inside for v in op.operands))
            decided[id(op)] = taken
            if taken:
                plan.ops.append(op)
                plan.inside.update(op.results)
    return plan


def build_body(
    block: Block, plan: BodyPlan, roots: Sequence[SSAValue], bound: dict[SSAValue, SSAValue]
) -> list[SSAValue]:
    """Copy the planned ops into ``block`` and end it with ``tg.yield`` of ``roots``.
    ``bound`` maps the values the block already has an argument for (its own arguments map to
    themselves); every other outside value the body reads gets a new argument at the end of
    the block. Returns those outside values, in argument order."""
    mapping = dict(bound)
    for arg in block.args:
        mapping.setdefault(arg, arg)
    implicit: list[SSAValue] = []

    def inner(value: SSAValue) -> SSAValue:
        if value not in mapping:
            mapping[value] = block.insert_arg(value.type, len(block.args))
            implicit.append(value)
        return mapping[value]

    for op in plan.ops:
        operands = [inner(v) for v in op.operands]
        clone = op.clone()  # a region inside reads only its own values (isolated)
        clone.operands = operands
        for original, copied in zip(op.results, clone.results, strict=True):
            mapping[original] = copied
        block.add_op(clone)
    block.add_op(YieldOp([inner(root) for root in roots]))
    return implicit


def inline_body(
    block: Block, values: Sequence[SSAValue], given: dict[SSAValue, SSAValue] | None = None
) -> list[SSAValue | None]:
    """What ``block`` yields, computed outside it from ``values`` (one per argument): its ops
    copied, detached, with its arguments replaced (a gradient differentiates a body so).
    ``given`` maps values of the body to values to use instead: an op with a result there is
    not copied (its other results are then unknown, and yielded as None).

    >>> from tracegraph.ir import parse_module
    >>> f = parse_module('''
    ... func.func @f(%x: tensor<f64>) -> tensor<f64> {
    ...   %y = tg.fused %x : (tensor<f64>) -> tensor<f64> {
    ...   ^bb0(%a: tensor<f64>):
    ...     %b = tg.neg %a : tensor<f64> -> tensor<f64>
    ...     tg.yield %b : tensor<f64>
    ...   }
    ...   func.return %y : tensor<f64>
    ... }''').body.block.first_op
    >>> body = f.body.block.first_op.body.block
    >>> [v.owner.name for v in inline_body(body, list(f.body.block.args))]
    ['tg.neg']
    """
    mapping: dict[SSAValue, SSAValue] = dict(zip(block.args, values, strict=True))
    yielded, _ = _copied(block, mapping, given or {})
    return [mapping.get(v) for v in yielded.values]


def _copied(
    block: Block, mapping: dict[SSAValue, SSAValue], given: dict[SSAValue, SSAValue]
) -> tuple[YieldOp, list[Operation]]:
    """Copies of the ops of ``block`` before its ``tg.yield`` (detached), reading ``mapping``'s
    values for the block's and adding their own; an op with a result in ``given`` is not copied
    (``given``'s values stand for its results). Returns the yield and the copies, in order."""
    copies: list[Operation] = []
    for op in block.ops:
        if isinstance(op, YieldOp):
            return op, copies
        if any(r in given for r in op.results):
            mapping.update((r, given[r]) for r in op.results if r in given)
            continue
        clone = op.clone()  # a region inside reads only its own values (isolated)
        clone.operands = [mapping[v] for v in op.operands]
        mapping.update(zip(op.results, clone.results, strict=True))
        copies.append(clone)
    raise ValueError("a body ends with tg.yield")


def body_function(block: Block, name: str) -> FuncOp:
    """A ``func.func`` computing what ``block`` yields from its arguments (a copy): a body a
    backend compiles as a function of its own.

    >>> from tracegraph.ir import parse_module, print_module
    >>> f = parse_module('''
    ... func.func @f(%x: tensor<f64>) -> tensor<f64> {
    ...   %y = tg.fused %x : (tensor<f64>) -> tensor<f64> {
    ...   ^bb0(%a: tensor<f64>):
    ...     %b = tg.neg %a : tensor<f64> -> tensor<f64>
    ...     tg.yield %b : tensor<f64>
    ...   }
    ...   func.return %y : tensor<f64>
    ... }''').body.block.first_op
    >>> body = f.body.block.first_op.body.block
    >>> print(print_module(body_function(body, "step"), locations=False).strip())
    func.func @step(%a: tensor<f64>) -> tensor<f64> {
      %b = tg.neg %a : tensor<f64> -> tensor<f64>
      func.return %b : tensor<f64>
    }
    """
    copy = Block(arg_types=[a.type for a in block.args])
    mapping: dict[SSAValue, SSAValue] = dict(zip(block.args, copy.args, strict=True))
    for original, arg in zip(block.args, copy.args, strict=True):
        arg.name_hint = original.name_hint
    yielded, copies = _copied(block, mapping, {})
    copy.add_ops(copies)
    results = [mapping[v] for v in yielded.values]
    return_op = ReturnOp(*results)
    return_op.location = yielded.location
    copy.add_op(return_op)
    return FuncOp(name, ([a.type for a in copy.args], [r.type for r in results]), Region(copy))
