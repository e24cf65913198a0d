"""Lowering: the final module of a function as a *kernel program*, the target-neutral plan a
compiled backend walks (the C backend now; the Triton backend lowers from it too).

Every SSA value of the function gets a *slot*. Each op becomes one kernel:

- a ``LoopKernel`` for a ``tg.fused`` op, a lone elementwise op or a lone reduction: one loop
  nest over a *domain* (a shape), reading its inputs through ``View``s (which array axis each
  domain axis walks, or none: broadcast), computing the body's ops on one element at a time,
  and writing elementwise outputs (domain-shaped) or accumulating reductions;
- a ``DotKernel`` for ``tg.dot`` on floats (BLAS), an ``MRGKernel`` for MRG31k3p draws, a
  ``DimShuffleKernel`` (a view), a ``ShapeKernel`` and an ``ElementKernel`` (one element of
  a vector, as ``shape(x)[0]``);
- a ``CallKernel`` for every other op: its reference kernel runs.

Dimshuffles feeding a loop are read through (a view costs nothing), constants are given once,
and buffers are planned: an elementwise output may take the buffer of an input the program
allocated itself and no one reads after (checked again at run time: same shape, contiguous,
not referenced elsewhere). Results, arguments and shared values are never written into.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeAlias

from xdsl.dialects.func import FuncOp, ReturnOp
from xdsl.ir import Operation, SSAValue

from tracegraph.ir import ops
from tracegraph.ir.ops.shape import NEW_AXIS
from tracegraph.ir.ops.subtensor import SCALAR_INDEX
from tracegraph.ir.types import Shape, dtype_of, is_tensor, shape_of
from tracegraph.passes.fusion import is_elementwise, is_fused_reduction


@dataclass(frozen=True)
class Slot:
    """A value of the program: a tensor (``dtype`` and static ``shape``) or, with ``dtype``
    ``None``, another object (a random state)."""

    index: int
    dtype: str | None
    shape: Shape


@dataclass(frozen=True)
class View:
    """How a loop reads the array in ``slot``: for each domain axis, the array axis it walks,
    or ``None`` where the array stays at index 0 (a new or a size-1 axis: broadcast)."""

    slot: int
    axes: tuple[int | None, ...]

    def is_identity(self, rank: int) -> bool:
        """Whether domain axis ``i`` walks array axis ``i`` for every ``i``."""
        return self.axes == tuple(range(rank))


@dataclass
class LoopOutput:
    """A result of a loop: the body ``value`` written out (``reduction`` is ``None``), or the
    result of ``reduction`` accumulated over the reduced domain axes."""

    slot: int
    value: SSAValue
    reduction: ops.ReductionOp | None = None
    reuse: int | None = None
    """The input (an index into ``inputs``) whose buffer this output may take."""


@dataclass
class LoopKernel:
    """One loop nest over a domain of ``rank`` axes (static sizes ``domain``)."""

    op: Operation
    rank: int
    domain: Shape
    inputs: list[View]
    values: dict[SSAValue, int]
    """The body values that are inputs (an index into ``inputs``)."""
    body: list[Operation]
    """Elementwise ops and single-element constants, in order, computed per element."""
    outputs: list[LoopOutput]
    reduced_axes: tuple[int, ...] = ()
    keepdims: bool = False


@dataclass
class DotKernel:
    """``tg.dot`` of two float tensors of rank 1 or 2 (BLAS)."""

    op: ops.DotOp
    lhs: int
    rhs: int
    result: int


@dataclass
class MRGKernel:
    """An MRG31k3p draw: ``rstate`` and ``shape`` in, ``new_rstate`` and ``sample`` out."""

    op: ops.MRGUniformOp
    rstate: int
    shape: int
    new_rstate: int
    sample: int


@dataclass
class DimShuffleKernel:
    """``tg.dimshuffle``: a view of ``x`` with its axes permuted, added or dropped."""

    op: ops.DimShuffleOp
    x: int
    result: int


@dataclass
class ShapeKernel:
    """``tg.shape``: the sizes of ``x`` as a new int64 vector."""

    op: ops.ShapeOp
    x: int
    result: int


@dataclass
class ElementKernel:
    """``x[i]`` of a vector ``x`` and a 0-d integer ``i`` (negative counts from the end): the
    element as a new 0-d array, such as ``shape(x)[0]`` in the gradient of a mean."""

    op: ops.SubtensorOp
    x: int
    index: int
    result: int


ELEMENT_INDEX_DTYPES = ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32")
"""Index dtypes whose every value an ``npy_int64`` holds (``uint64`` runs the reference)."""


def is_vector_element(op: Operation) -> bool:
    """Whether ``op`` reads one element of a vector with one integer index."""
    return (
        isinstance(op, ops.SubtensorOp)
        and tuple(op.get_entries()) == (SCALAR_INDEX,)
        and len(shape_of(op.x)) == 1
        and dtype_of(op.indices[0]) in ELEMENT_INDEX_DTYPES
    )


@dataclass
class CallKernel:
    """An op the backend does not compile: its reference kernel runs on the operand slots and
    fills the result slots."""

    op: Operation
    operands: tuple[int, ...]
    results: tuple[int, ...]


Kernel: TypeAlias = (
    LoopKernel | DotKernel | MRGKernel | DimShuffleKernel | ShapeKernel | ElementKernel | CallKernel
)


@dataclass
class KernelProgram:
    """A function as kernels: arguments fill the first slots, constants are given once, the
    kernels run in order, and ``returns`` are the slots of the results."""

    slots: list[Slot]
    num_args: int
    constants: dict[int, Any]
    kernels: list[Kernel]
    returns: tuple[int, ...]
    allocated: set[int] = field(default_factory=set)
    """Slots whose arrays the program allocates itself (loop, dot, draw and shape results)."""
    num_inputs: int = 0
    """How many arguments are explicit inputs (the others are shared values)."""
    num_outputs: int = 0
    """How many results are outputs (the others are the new values of shared variables)."""


# -- views ----------------------------------------------------------------------------------------


def _view_through(
    value: SSAValue, axes: tuple[int | None, ...], slot_of: dict[SSAValue, int]
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
    return View(slot_of[value], axes)


def _identity(rank: int) -> tuple[int | None, ...]:
    return tuple(range(rank))


# -- loops ----------------------------------------------------------------------------------------


class _LoopBuilder:
    """Builds the loop kernel of a ``tg.fused`` op or of one elementwise or reduction op."""

    def __init__(self, op: Operation, domain_value: SSAValue, slot_of: dict[SSAValue, int]):
        self.op = op
        self.slot_of = slot_of
        self.rank = len(shape_of(domain_value))
        self.kernel = LoopKernel(op, self.rank, shape_of(domain_value), [], {}, [], [])
        self.reductions: dict[SSAValue, ops.ReductionOp] = {}

    def add_input(
        self, body_value: SSAValue, outer: SSAValue, axes: tuple[int | None, ...]
    ) -> None:
        view = _view_through(outer, axes, self.slot_of)
        if view not in self.kernel.inputs:
            self.kernel.inputs.append(view)
        self.kernel.values[body_value] = self.kernel.inputs.index(view)

    def add_body(self, body: list[Operation], outer_of: dict[SSAValue, SSAValue]) -> None:
        for inner in body:
            if isinstance(inner, ops.DimShuffleOp) and inner.x in outer_of:
                order = inner.get_order()
                # The dimshuffle's result, read on the domain, reads its operand through it.
                axes = tuple(None if a == NEW_AXIS else a for a in order)
                self.add_input(inner.result, outer_of[inner.x], axes)
            elif isinstance(inner, ops.ReductionOp):
                self.set_reduction(inner)
            elif not isinstance(inner, ops.YieldOp):
                self.kernel.body.append(inner)

    def set_reduction(self, reduction: ops.ReductionOp) -> None:
        axes, keepdims = reduction.get_axes(), reduction.get_keepdims()
        kernel = self.kernel
        if kernel.outputs and (kernel.reduced_axes, kernel.keepdims) != (axes, keepdims):
            raise NotImplementedError("a loop reduces one set of axes")
        kernel.reduced_axes, kernel.keepdims = axes, keepdims
        self.reductions[reduction.result] = reduction

    def output(self, body_value: SSAValue, outer_result: SSAValue) -> None:
        reduction = self.reductions.get(body_value)
        value = reduction.x if reduction is not None else body_value
        self.kernel.outputs.append(LoopOutput(self.slot_of[outer_result], value, reduction))


def _loop_from_fused(op: ops.FusedOp, slot_of: dict[SSAValue, int]) -> LoopKernel:
    block = op.body.block
    yielded = block.last_op
    assert isinstance(yielded, ops.YieldOp)
    reductions = [inner for inner in block.ops if isinstance(inner, ops.ReductionOp)]
    domain_value = reductions[0].x if reductions else yielded.values[0]
    builder = _LoopBuilder(op, domain_value, slot_of)
    outer_of: dict[SSAValue, SSAValue] = dict(zip(block.args, op.inputs, strict=True))
    for arg, outer in outer_of.items():
        if any(not isinstance(use.operation, ops.DimShuffleOp) for use in arg.uses):
            builder.add_input(arg, outer, _identity(builder.rank))
    builder.add_body(list(block.ops), outer_of)
    for body_value, result in zip(yielded.values, op.outputs, strict=True):
        builder.output(body_value, result)
    return builder.kernel


def _loop_from_op(op: Operation, slot_of: dict[SSAValue, int]) -> LoopKernel:
    """The loop of one elementwise op, or of one reduction (whose body is empty)."""
    if isinstance(op, ops.ReductionOp):
        builder = _LoopBuilder(op, op.x, slot_of)
        builder.add_input(op.x, op.x, _identity(builder.rank))
        builder.set_reduction(op)
        builder.output(op.result, op.result)
        return builder.kernel
    builder = _LoopBuilder(op, op.results[0], slot_of)
    for operand in op.operands:
        builder.add_input(operand, operand, _identity(builder.rank))
    builder.kernel.body.append(op)
    builder.output(op.results[0], op.results[0])
    return builder.kernel


# -- the program ----------------------------------------------------------------------------------

BLAS_DTYPES = ("float32", "float64")


def _kernel_of(op: Operation, slot_of: dict[SSAValue, int]) -> Kernel:
    if isinstance(op, ops.FusedOp):
        return _loop_from_fused(op, slot_of)
    if is_elementwise(op) or is_fused_reduction(op):
        return _loop_from_op(op, slot_of)
    if (
        isinstance(op, ops.DotOp)
        and dtype_of(op.result) in BLAS_DTYPES
        and all(dtype_of(v) == dtype_of(op.result) for v in op.operands)
        and all(len(shape_of(v)) in (1, 2) for v in op.operands)
    ):
        return DotKernel(op, slot_of[op.lhs], slot_of[op.rhs], slot_of[op.result])
    if isinstance(op, ops.MRGUniformOp):
        return MRGKernel(
            op,
            slot_of[op.rstate],
            slot_of[op.shape],
            slot_of[op.new_rstate],
            slot_of[op.sample],
        )
    if isinstance(op, ops.DimShuffleOp):
        return DimShuffleKernel(op, slot_of[op.x], slot_of[op.result])
    if isinstance(op, ops.ShapeOp):
        return ShapeKernel(op, slot_of[op.x], slot_of[op.result])
    if is_vector_element(op):
        assert isinstance(op, ops.SubtensorOp)
        return ElementKernel(op, slot_of[op.x], slot_of[op.indices[0]], slot_of[op.result])
    return CallKernel(
        op, tuple(slot_of[v] for v in op.operands), tuple(slot_of[r] for r in op.results)
    )


def reads(kernel: Kernel) -> set[int]:
    """The slots a kernel reads."""
    if isinstance(kernel, LoopKernel):
        return {view.slot for view in kernel.inputs}
    if isinstance(kernel, DotKernel):
        return {kernel.lhs, kernel.rhs}
    if isinstance(kernel, MRGKernel):
        return {kernel.rstate, kernel.shape}
    if isinstance(kernel, DimShuffleKernel | ShapeKernel):
        return {kernel.x}
    if isinstance(kernel, ElementKernel):
        return {kernel.x, kernel.index}
    return set(kernel.operands)


def writes(kernel: Kernel) -> set[int]:
    """The slots a kernel writes."""
    if isinstance(kernel, LoopKernel):
        return {output.slot for output in kernel.outputs}
    if isinstance(kernel, DotKernel):
        return {kernel.result}
    if isinstance(kernel, MRGKernel):
        return {kernel.new_rstate, kernel.sample}
    if isinstance(kernel, DimShuffleKernel | ShapeKernel | ElementKernel):
        return {kernel.result}
    return set(kernel.results)


def _drop_dead_views(kernels: list[Kernel], returns: tuple[int, ...]) -> list[Kernel]:
    """Remove the dimshuffles no kernel reads any more (the loops read through them)."""
    needed = set(returns)
    kept: list[Kernel] = []
    for kernel in reversed(kernels):
        pure_view = isinstance(kernel, DimShuffleKernel)
        if pure_view and not (writes(kernel) & needed):
            continue
        needed |= reads(kernel)
        kept.append(kernel)
    return kept[::-1]


def _plan_buffers(program: KernelProgram) -> None:
    """Let elementwise outputs take the buffers of inputs read for the last time."""
    last_read: dict[int, int] = {}
    for position, kernel in enumerate(program.kernels):
        for read in reads(kernel):
            last_read[read] = position
    returned = set(program.returns)
    for position, kernel in enumerate(program.kernels):
        if not isinstance(kernel, LoopKernel):
            continue
        taken: set[int] = set()
        for output in kernel.outputs:
            if output.reduction is not None:
                continue
            for index, view in enumerate(kernel.inputs):
                info = program.slots[view.slot]
                if (
                    view.slot in program.allocated
                    and view.slot not in returned
                    and view.slot not in taken
                    and last_read.get(view.slot) == position
                    and info.dtype == dtype_of(output.value)
                    and view.is_identity(kernel.rank)
                    and len(info.shape) == kernel.rank
                    # Read through another view too (``m + m.T``), the buffer would be
                    # overwritten at elements the loop has yet to read.
                    and sum(other.slot == view.slot for other in kernel.inputs) == 1
                ):
                    output.reuse = index
                    taken.add(view.slot)
                    break


def _interface(func: FuncOp, num_args: int, num_results: int) -> tuple[int, int]:
    """How many arguments are inputs and how many results outputs (``tg.input`` and
    ``tg.output`` attributes; without them, all of each)."""
    inputs, outputs = num_args, num_results
    if func.arg_attrs is not None:
        inputs = sum("tg.input" in attrs.data for attrs in func.arg_attrs.data)
    if func.res_attrs is not None:
        outputs = sum("tg.output" in attrs.data for attrs in func.res_attrs.data)
    return inputs, outputs


def lower(func: FuncOp) -> KernelProgram:
    """The kernel program of a function of the final stage.

    >>> from tracegraph.ir import parse_module
    >>> module = parse_module('''
    ... func.func @f(%x: tensor<?xf64>) -> tensor<?xf64> {
    ...   %y = tg.exp %x : tensor<?xf64> -> tensor<?xf64>
    ...   func.return %y : tensor<?xf64>
    ... }''')
    >>> program = lower(module.body.block.first_op)
    >>> [type(kernel).__name__ for kernel in program.kernels]
    ['LoopKernel']
    """
    block = func.body.block
    slot_of: dict[SSAValue, int] = {}
    slots: list[Slot] = []

    def new_slot(value: SSAValue) -> None:
        slot_of[value] = len(slots)
        tensor = is_tensor(value)
        slots.append(
            Slot(len(slots), dtype_of(value) if tensor else None, shape_of(value) if tensor else ())
        )

    for arg in block.args:
        new_slot(arg)
    constants: dict[int, Any] = {}
    kernels: list[Kernel] = []
    returns: tuple[int, ...] = ()
    for op in block.ops:
        if isinstance(op, ReturnOp):
            returns = tuple(slot_of[v] for v in op.arguments)
            continue
        for result in op.results:
            new_slot(result)
        if isinstance(op, ops.ConstantOp):
            constants[slot_of[op.result]] = op.to_array()
            continue
        kernels.append(_kernel_of(op, slot_of))
    kernels = _drop_dead_views(kernels, returns)
    allocated = {
        slot
        for kernel in kernels
        if isinstance(kernel, LoopKernel | DotKernel | MRGKernel | ShapeKernel | ElementKernel)
        for slot in writes(kernel)
    }
    num_inputs, num_outputs = _interface(func, len(block.args), len(returns))
    program = KernelProgram(
        slots, len(block.args), constants, kernels, returns, allocated, num_inputs, num_outputs
    )
    _plan_buffers(program)
    return program
