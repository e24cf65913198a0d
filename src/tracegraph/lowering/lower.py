"""``lower{target=...}``: the final ``tg`` module as the kernel dialect ``tgk`` for one target.

Each op of a function becomes one kernel (``lowering/dialect.py``), chosen from what the target
declares it runs (``lowering/target.py``):

- a ``tg.fused`` op, a lone elementwise op or a lone reduction: a ``tgk.loop`` whose inputs are
  read through views that look through the dimshuffles that made them (a view costs nothing);
- ``tg.dot`` of float operands of one of the target's BLAS dtypes: ``tgk.blas_dot``;
- MRG31k3p draws: ``tgk.mrg_uniform``; a dimshuffle: ``tgk.view``; ``tg.shape``:
  ``tgk.shape``; ``x[i]`` of a vector with an index of a dtype the target reads: ``tgk.element``;
- any other op: ``tgk.host_call`` of its reference kernel where the target allows host calls;
  where it does not, lowering raises, naming the op and the user's line.

Constants stay ``tg.constant``. Views no kernel reads any more are dropped. Loops get their
schedule (see ``tgk.loop``) and their buffer reuse: an output written element by element may
take the buffer of an input the function allocated itself and reads there for the last time
(checked again at run time by the backend: same shape, contiguous, not referenced elsewhere).
Arguments, constants and results are never written into.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.dialects.func import FuncOp, ReturnOp
from xdsl.ir import Block, Operation, SSAValue
from xdsl.passes import ModulePass

from tracegraph.ir import ops
from tracegraph.ir.ops.shape import NEW_AXIS
from tracegraph.ir.ops.subtensor import SCALAR_INDEX
from tracegraph.ir.types import dtype_of, shape_of
from tracegraph.lowering import dialect as tgk
from tracegraph.lowering.target import Target, refuse_host_call, target
from tracegraph.passes.fusion import is_elementwise, is_fused_reduction

View = tuple[SSAValue, tuple[int | None, ...]]
"""An input of a loop: the (lowered) value it reads and, per domain axis, the axis it walks."""


def _view_through(
    value: SSAValue, axes: tuple[int | None, ...], lowered: dict[SSAValue, SSAValue]
) -> View:
    """The view of ``value`` read with ``axes``, looking through the dimshuffles that made it."""
    while isinstance(value.owner, ops.DimShuffleOp):
        order = value.owner.get_order()
        axes = tuple(
            None if axis is None or order[axis] == NEW_AXIS else order[axis] for axis in axes
        )
        value = value.owner.x
    shape = shape_of(value)
    # A size-1 axis broadcasts: the loop stays at index 0 (and needs no stride).
    axes = tuple(None if axis is None or shape[axis] == 1 else axis for axis in axes)
    return lowered[value], axes


def _identity(rank: int) -> tuple[int | None, ...]:
    return tuple(range(rank))


# -- loops ----------------------------------------------------------------------------------------


class _LoopBuilder:
    """The body and inputs of one ``tgk.loop``, built from ``tg`` ops."""

    def __init__(self, rank: int, lowered: dict[SSAValue, SSAValue]):
        self.rank = rank
        self.lowered = lowered
        self.views: list[View] = []
        self.block = Block()
        self.inner: dict[SSAValue, SSAValue] = {}
        """The body value of each ``tg`` value the body reads or computes."""
        self._arg_of: dict[tuple[View, object], SSAValue] = {}
        self.reductions: list[ops.ReductionOp] = []

    def add_input(
        self, body_value: SSAValue, outer: SSAValue, axes: tuple[int | None, ...]
    ) -> None:
        view = _view_through(outer, axes, self.lowered)
        key = (view, body_value.type)
        if key not in self._arg_of:
            self.views.append(view)
            self._arg_of[key] = self.block.insert_arg(body_value.type, len(self.block.args))
        self.inner[body_value] = self._arg_of[key]

    def compute(self, op: Operation) -> None:
        clone = op.clone(value_mapper=self.inner)
        if isinstance(clone, ops.ReductionOp):
            self.reductions.append(clone)
        self.block.add_op(clone)

    def build(self, yielded: list[SSAValue], target_: Target, plans: Plans) -> tgk.LoopOp:
        values = [self.inner[v] for v in yielded]
        self.block.add_op(tgk.YieldOp(values))
        reductions = self.reductions
        reduce: tuple[int, ...] = ()
        keepdims = False
        if reductions:
            reduce, keepdims = reductions[0].get_axes(), reductions[0].get_keepdims()
            if any((r.get_axes(), r.get_keepdims()) != (reduce, keepdims) for r in reductions):
                raise NotImplementedError("a loop reduces one set of axes")
        domain = shape_of(reductions[0].x if reductions else values[0])
        schedule, parallel = _schedule(self.views, domain, reduce, bool(reductions), target_)
        # A nest meets a one-axis domain only when an input is not contiguous (a rare
        # fallback): its loop stays scalar, which compiles much faster than gathers and
        # scatters.
        vectorize = schedule in ("nested", "flat_or_nested") and len(domain) >= 2
        loop = tgk.LoopOp(
            [value for value, _ in self.views],
            [[tgk.BROADCAST if a is None else a for a in axes] for _, axes in self.views],
            self.block,
            [v.type for v in values],
            reduce=reduce,
            keepdims=keepdims,
            schedule=schedule,
            parallel=parallel,
            vectorize=vectorize,
        )
        written = [None if isinstance(v.owner, ops.ReductionOp) else dtype_of(v) for v in values]
        plans[loop] = _LoopPlan(self.views, written, len(domain))
        return loop


@dataclass(frozen=True)
class _LoopPlan:
    """What buffer planning needs of a loop, kept from its building: its views, the dtype of
    each output written element by element (``None``: accumulated) and its rank."""

    views: list[View]
    written: list[str | None]
    rank: int


Plans = dict[tgk.LoopOp, _LoopPlan]


def _schedule(
    views: list[View],
    domain: tuple[int | None, ...],
    reduced: tuple[int, ...],
    reduces: bool,
    target_: Target,
) -> tuple[str, bool]:
    """How a loop runs: ``single`` for one element; ``nested`` where a reduction keeps some
    axes or an input is read through a permuted view; ``flat`` where every input is a
    broadcast scalar; else ``flat_or_nested`` (flat where the inputs are contiguous, checked at
    run time). Only loops that may be larger than the target's threshold may use threads: a
    loop writing elements (a nest shares its outer axis among them), or a nest whose outer
    axis is not reduced."""
    rank = len(domain)
    threshold = target_.parallel_threshold
    if None in domain:
        small = threshold is None  # unknown sizes may be large
    else:
        small = threshold is None or math.prod(s for s in domain if s is not None) <= threshold
    static_total = math.prod(s for s in domain if s is not None) if None not in domain else None
    flat_possible = not reduces or len(reduced) == rank
    if static_total is not None and static_total <= 1 and flat_possible:
        return "single", False
    if not flat_possible:
        return "nested", rank > 0 and 0 not in reduced and not small
    walked = [axes for _, axes in views if any(axis is not None for axis in axes)]
    parallel = not reduces and not small and rank > 0
    if any(axes != _identity(rank) for axes in walked):
        return "nested", parallel  # threads share the outer axis
    return ("flat_or_nested" if walked else "flat"), parallel


def _loop_from_fused(
    op: ops.FusedOp, lowered: dict[SSAValue, SSAValue], t: Target, plans: Plans
) -> tgk.LoopOp:
    block = op.body.block
    yielded = block.last_op
    assert isinstance(yielded, ops.YieldOp)
    reductions = [inner for inner in block.ops if isinstance(inner, ops.ReductionOp)]
    domain_value = reductions[0].x if reductions else yielded.values[0]
    builder = _LoopBuilder(len(shape_of(domain_value)), lowered)
    outer_of: dict[SSAValue, SSAValue] = dict(zip(block.args, op.inputs, strict=True))
    for arg, outer in outer_of.items():
        if any(not isinstance(use.operation, ops.DimShuffleOp) for use in arg.uses):
            builder.add_input(arg, outer, _identity(builder.rank))
    for inner in block.ops:
        if isinstance(inner, ops.DimShuffleOp) and inner.x in outer_of:
            # The dimshuffle's result, read on the domain, reads its operand through it.
            axes = tuple(None if a == NEW_AXIS else a for a in inner.get_order())
            builder.add_input(inner.result, outer_of[inner.x], axes)
        elif not isinstance(inner, ops.YieldOp):
            builder.compute(inner)
    return builder.build(list(yielded.values), t, plans)


def _loop_from_op(
    op: Operation, lowered: dict[SSAValue, SSAValue], t: Target, plans: Plans
) -> tgk.LoopOp:
    """The loop of one elementwise op, or of one reduction."""
    domain_value = op.x if isinstance(op, ops.ReductionOp) else op.results[0]
    builder = _LoopBuilder(len(shape_of(domain_value)), lowered)
    for operand in op.operands:
        builder.add_input(operand, operand, _identity(builder.rank))
    builder.compute(op)
    return builder.build([op.results[0]], t, plans)


def _loop_ops(op: Operation) -> list[Operation]:
    """The ops a loop of ``op`` computes per element or accumulates."""
    if isinstance(op, ops.FusedOp):
        return [
            inner
            for inner in op.body.block.ops
            if not isinstance(inner, ops.YieldOp | ops.DimShuffleOp | ops.ConstantOp)
        ]
    return [op]


# -- other kernels --------------------------------------------------------------------------------


def is_vector_element(op: Operation, index_dtypes: tuple[str, ...]) -> bool:
    """Whether ``op`` reads one element of a vector with one integer index of ``index_dtypes``."""
    return (
        isinstance(op, ops.SubtensorOp)
        and tuple(op.get_entries()) == (SCALAR_INDEX,)
        and len(shape_of(op.x)) == 1
        and dtype_of(op.indices[0]) in index_dtypes
    )


def _is_blas_dot(op: Operation, t: Target) -> bool:
    return (
        isinstance(op, ops.DotOp)
        and dtype_of(op.result) in t.blas_dtypes
        and all(dtype_of(v) == dtype_of(op.result) for v in op.operands)
        and all(len(shape_of(v)) in (1, 2) for v in op.operands)
    )


def _host_call(op: Operation, lowered: dict[SSAValue, SSAValue], t: Target) -> tgk.HostCallOp:
    if not t.host_calls:
        raise refuse_host_call(op, t.name)
    body = Block(arg_types=[v.type for v in op.operands])
    callee = op.clone()
    callee.operands = body.args  # positionally: an op may take one value twice
    body.add_ops([callee, tgk.YieldOp(list(callee.results))])
    return tgk.HostCallOp([lowered[v] for v in op.operands], body, [r.type for r in op.results])


def _kernel_of(
    op: Operation, lowered: dict[SSAValue, SSAValue], t: Target, plans: Plans
) -> Operation:
    """The kernel of one op of the final stage."""
    kernel: Operation
    loop = isinstance(op, ops.FusedOp) or is_elementwise(op) or is_fused_reduction(op)
    if loop and all(t.computes_in_loops(inner) for inner in _loop_ops(op)):
        if isinstance(op, ops.FusedOp):
            kernel = _loop_from_fused(op, lowered, t, plans)
        else:
            kernel = _loop_from_op(op, lowered, t, plans)
    elif _is_blas_dot(op, t):
        assert isinstance(op, ops.DotOp)
        kernel = tgk.BlasDotOp(lowered[op.lhs], lowered[op.rhs], op.result.type)
    elif isinstance(op, ops.MRGUniformOp) and t.mrg_draws:
        kernel = tgk.MRGUniformOp(lowered[op.rstate], lowered[op.shape], op.sample.type)
    elif isinstance(op, ops.DimShuffleOp):
        kernel = tgk.ViewOp(lowered[op.x], op.get_order(), op.result.type)
    elif isinstance(op, ops.ShapeOp):
        kernel = tgk.ShapeOp(lowered[op.x], op.result.type)
    elif is_vector_element(op, t.index_dtypes):
        assert isinstance(op, ops.SubtensorOp)
        kernel = tgk.ElementOp(lowered[op.x], lowered[op.indices[0]], op.result.type)
    else:
        kernel = _host_call(op, lowered, t)
    kernel.location = op.location
    for old, new in zip(op.results, kernel.results, strict=True):
        new.name_hint = old.name_hint
    return kernel


# -- the function ---------------------------------------------------------------------------------


def _drop_dead_views(block: Block) -> None:
    """Remove the views no kernel reads any more (the loops read through them)."""
    for op in reversed(list(block.ops)):
        if isinstance(op, tgk.ViewOp) and not op.result.uses:
            block.erase_op(op)


ALLOCATING = (tgk.LoopOp, tgk.BlasDotOp, tgk.MRGUniformOp, tgk.ShapeOp, tgk.ElementOp)
"""The kernels whose results are arrays they allocate themselves (buffers a loop may take)."""


def _plan_buffers(block: Block, plans: Plans) -> None:
    """Let written outputs of loops take the buffers of inputs read for the last time."""
    kernels = list(block.ops)
    last_read: dict[SSAValue, int] = {}
    for here, op in enumerate(kernels):
        for operand in op.operands:
            last_read[operand] = here
    returned = set(kernels[-1].operands) if isinstance(kernels[-1], ReturnOp) else set()
    for here, op in enumerate(kernels):
        plan = plans.get(op) if isinstance(op, tgk.LoopOp) else None
        if plan is None or all(dtype is None for dtype in plan.written):
            continue  # not a loop, or every output is accumulated
        buffers = [value for value, _ in plan.views]
        # An input the loop may write over: allocated by the function, not returned, read for
        # the last time here, walked in order, and read through no other view (``m + m.T``
        # would overwrite elements the loop has yet to read).
        candidates = [
            (index, buffer)
            for index, (buffer, axes) in enumerate(plan.views)
            if isinstance(buffer.owner, ALLOCATING)
            and buffer not in returned
            and last_read[buffer] == here
            and axes == _identity(plan.rank)
            and len(shape_of(buffer)) == plan.rank
            and buffers.count(buffer) == 1
        ]
        taken: set[SSAValue] = set()
        reuse: list[int | None] = []
        for dtype in plan.written:
            choice = None
            if dtype is not None:
                for index, buffer in candidates:
                    if buffer not in taken and dtype_of(buffer) == dtype:
                        choice = index
                        taken.add(buffer)
                        break
            reuse.append(choice)
        if any(i is not None for i in reuse):
            op.attributes["reuse"] = tgk.int_array(
                [tgk.BROADCAST if i is None else i for i in reuse]
            )


def lower_function(func: FuncOp, t: Target) -> FuncOp:
    """A new function: ``func`` (of the final stage) as kernels of the target ``t``; ``func``
    is left as it is (the kernels take clones of the ops they hold)."""
    old_block = func.body.block
    block = Block(arg_types=[arg.type for arg in old_block.args])
    lowered: dict[SSAValue, SSAValue] = {}
    plans: Plans = {}
    for old_arg, arg in zip(old_block.args, block.args, strict=True):
        arg.name_hint = old_arg.name_hint
        lowered[old_arg] = arg
    for op in old_block.ops:
        if isinstance(op, ReturnOp):
            new: Operation = ReturnOp(*(lowered[v] for v in op.arguments))
            new.location = op.location
        elif isinstance(op, ops.ConstantOp):
            new = op.clone()
        elif isinstance(op, ops.GradientBarrierOp):
            lowered[op.result] = lowered[op.x]  # the identity once gradients are taken
            continue
        else:
            new = _kernel_of(op, lowered, t, plans)
        lowered.update(zip(op.results, new.results, strict=True))
        block.add_op(new)
    _drop_dead_views(block)
    _plan_buffers(block, plans)
    copy = func.clone_without_regions()
    copy.body.add_block(block)
    return copy


@dataclass(frozen=True)
class LowerPass(ModulePass):
    """``lower{target=c}``: every function of the module as kernels of the target.

    >>> from tracegraph.ir import parse_module
    >>> module = parse_module('''
    ... func.func @f(%x: tensor<?xf64>) -> tensor<?xf64> {
    ...   %y = tg.exp %x : tensor<?xf64> -> tensor<?xf64>
    ...   func.return %y : tensor<?xf64>
    ... }''')
    >>> from tracegraph.lowering import lowering_context
    >>> LowerPass("c").apply(lowering_context(), module)
    >>> [op.name for op in module.body.block.first_op.body.block.ops]
    ['tgk.loop', 'func.return']
    """

    name = "lower"
    target: str = "c"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        chosen = target(self.target)
        for func in list(op.walk()):
            if isinstance(func, FuncOp):
                parent = func.parent_block()
                assert parent is not None
                parent.insert_op_before(lower_function(func, chosen), func)
                parent.erase_op(func)
