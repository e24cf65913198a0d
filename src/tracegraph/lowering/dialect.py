"""The kernel dialect ``tgk``: a function as the kernels a backend runs, one op per kernel.

The ``lower`` pass builds it from the final ``tg`` module for one target (``lowering/lower.py``);
a backend renders it, one method per op. Values are whole tensors, as in ``tg``: a kernel reads
its operands and makes new results, except where ``reuse`` lets a loop write into a buffer that
is read there for the last time.

- ``tgk.loop``: one loop nest over a *domain* (a shape). Each input is read through a *view*
  (``views``: for every domain axis, the axis of the input it walks, or ``-1`` where the input
  stays at index 0: a broadcast); the body computes the ``tg`` elementwise ops per element, and
  ``tgk.yield`` names the outputs: a body value is written out (domain-shaped), the result of a
  ``tg`` reduction in the body is accumulated over ``reduce`` (its axes). ``schedule`` says how
  the nest runs (``single``: one element; ``flat``: one loop over every element; ``nested``: a
  loop per axis over strides; ``flat_or_nested``: flat where the inputs are contiguous, checked
  at run time), ``parallel`` that it may use several threads above the target's threshold,
  ``vectorize`` that the innermost loop of a nest is vectorized (flat loops always are), and
  ``reuse`` which input's buffer each output may take (``-1``: none; absent: no output does).
- ``tgk.blas_dot``: a product of float vectors and matrices by the target's BLAS.
- ``tgk.mrg_uniform``: MRG31k3p draws, bit for bit the reference's.
- ``tgk.view``: a dimshuffle as a view (no copy); loops read through views without this op.
- ``tgk.shape`` and ``tgk.element``: the sizes of a tensor, and ``x[i]`` of a vector.
- ``tgk.host_call``: the reference kernel of the one ``tg`` op in its body runs on the host
  (a target that has no kernel of its own for the op allows it, or lowering refuses).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from xdsl.dialects.builtin import (
    ArrayAttr,
    DenseArrayBase,
    IntegerType,
    StringAttr,
    TensorType,
    UnitAttr,
    i64,
)
from xdsl.ir import Attribute, Block, Dialect, Operation, Region, SSAValue
from xdsl.irdl import (
    AnyAttr,
    IRDLOperation,
    attr_def,
    irdl_op_definition,
    operand_def,
    opt_attr_def,
    region_def,
    result_def,
    traits_def,
    var_operand_def,
    var_result_def,
)
from xdsl.traits import IsTerminator, Pure
from xdsl.utils.exceptions import VerifyException

from tracegraph.ir import ops
from tracegraph.ir.types import Shape, ndim_of, shape_of

BROADCAST = -1
"""In a view: the domain axis reads no axis of the input (it stays at index 0)."""

SCHEDULES = ("single", "flat", "flat_or_nested", "nested")
"""How a loop nest runs; see the module's docstring."""


def int_array(values: Sequence[int]) -> DenseArrayBase[IntegerType]:
    """An ``array<i64: ...>`` attribute (made once per distinct tuple: attributes are
    immutable, and building one costs more than building the op that holds it)."""
    return _int_array(tuple(values))


@functools.lru_cache(maxsize=4096)
def _int_array(values: tuple[int, ...]) -> DenseArrayBase[IntegerType]:
    return DenseArrayBase.from_list(i64, list(values))


def _tuple(array: DenseArrayBase[IntegerType]) -> tuple[int, ...]:
    return tuple(int(v) for v in array.iter_values())


@irdl_op_definition
class LoopOp(IRDLOperation):
    """One loop nest over a domain: its inputs read through views, its body's elementwise ops
    computed per element, its outputs written out or accumulated (see the module's
    docstring)."""

    name = "tgk.loop"
    inputs = var_operand_def(TensorType)
    outputs = var_result_def(TensorType)
    views = attr_def(ArrayAttr[DenseArrayBase[IntegerType]])
    reduce = opt_attr_def(DenseArrayBase[IntegerType])
    reuse = opt_attr_def(DenseArrayBase[IntegerType])
    schedule = attr_def(StringAttr)
    keepdims = opt_attr_def(UnitAttr)
    parallel = opt_attr_def(UnitAttr)
    vectorize = opt_attr_def(UnitAttr)
    body = region_def("single_block")
    traits = traits_def(Pure())
    assembly_format = "$inputs attr-dict `:` functional-type($inputs, $outputs) $body"

    def __init__(
        self,
        inputs: Sequence[SSAValue],
        views: Sequence[Sequence[int]],
        body: Block,
        result_types: Sequence[Attribute],
        *,
        reduce: Sequence[int] = (),
        keepdims: bool = False,
        reuse: Sequence[int] | None = None,
        schedule: str = "nested",
        parallel: bool = False,
        vectorize: bool = False,
    ):
        # In the order they print: what the loop reads and reduces, then how it runs.
        attributes: dict[str, Attribute] = {"views": ArrayAttr([int_array(v) for v in views])}
        if reduce:
            attributes["reduce"] = int_array(reduce)
        if keepdims:
            attributes["keepdims"] = UnitAttr()
        attributes["schedule"] = StringAttr(schedule)
        if parallel:
            attributes["parallel"] = UnitAttr()
        if vectorize:
            attributes["vectorize"] = UnitAttr()
        if reuse is not None and any(i != BROADCAST for i in reuse):
            attributes["reuse"] = int_array(reuse)
        # Operation's own constructor: IRDL's argument processing costs twice what the op does
        # here, and lowering builds one op per kernel of every compiled function.
        Operation.__init__(
            self,
            operands=list(inputs),
            result_types=list(result_types),
            attributes=attributes,
            regions=[Region(body)],
        )

    # -- what the backends read --------------------------------------------------------------------

    def get_views(self) -> list[tuple[int | None, ...]]:
        """For each input, the input axis each domain axis walks (``None``: broadcast)."""
        return [
            tuple(None if axis == BROADCAST else axis for axis in _tuple(view))
            for view in self.views.data
        ]

    def get_reduced_axes(self) -> tuple[int, ...]:
        """The domain axes the reductions of the body reduce (none: ``reduce`` is absent)."""
        return _tuple(self.reduce) if self.reduce is not None else ()

    def get_keepdims(self) -> bool:
        """Whether reduced axes stay as size-1 axes of the reductions' results."""
        return self.keepdims is not None

    def get_reuse(self) -> list[int | None]:
        """For each output, the input whose buffer it may take, or ``None`` (all ``None``:
        ``reuse`` is absent)."""
        if self.reuse is None:
            return [None] * len(self.outputs)
        return [None if i == BROADCAST else i for i in _tuple(self.reuse)]

    def get_schedule(self) -> str:
        """``single``, ``flat``, ``flat_or_nested`` or ``nested``."""
        return self.schedule.data

    def is_parallel(self) -> bool:
        """Whether the loop may run on several threads (above the target's threshold)."""
        return self.parallel is not None

    def is_vectorized(self) -> bool:
        """Whether the innermost loop of the nest is vectorized (a flat loop always is)."""
        return self.vectorize is not None

    @property
    def yielded(self) -> Sequence[SSAValue]:
        """The body values that become the outputs (reductions' results or written values)."""
        last = self.body.block.last_op
        assert isinstance(last, YieldOp)
        return last.values

    def output_reduction(self, k: int) -> ops.ReductionOp | None:
        """The reduction whose result output ``k`` is, or ``None`` (the value is written)."""
        owner = self.yielded[k].owner
        return owner if isinstance(owner, ops.ReductionOp) else None

    def output_value(self, k: int) -> SSAValue:
        """The body value output ``k`` writes, or the value its reduction accumulates."""
        reduction = self.output_reduction(k)
        return reduction.x if reduction is not None else self.yielded[k]

    def computed(self) -> list[Operation]:
        """The body's ops computed per element, in order (reductions and the yield left out)."""
        return [op for op in self.body.block.ops if not isinstance(op, ops.ReductionOp | YieldOp)]

    def source_name(self) -> str:
        """The name of the ``tg`` op the loop stands for in errors: its one op, or
        ``tg.fused``."""
        body = [op for op in self.body.block.ops if not isinstance(op, YieldOp)]
        return body[0].name if len(body) == 1 else "tg.fused"

    @property
    def domain(self) -> Shape:
        """The static sizes of the domain (``None``: known at run time)."""
        reduction = next(
            (op for op in self.body.block.ops if isinstance(op, ops.ReductionOp)), None
        )
        return shape_of(reduction.x if reduction is not None else self.yielded[0])

    def verify_(self) -> None:
        block = self.body.block
        if len(block.args) != len(self.inputs) or len(self.views) != len(self.inputs):
            raise VerifyException("tgk.loop: one view and one body argument per input")
        rank = len(self.domain)
        for i, (view, value) in enumerate(zip(self.get_views(), self.inputs, strict=True)):
            if len(view) != rank:
                raise VerifyException(f"tgk.loop: view {i} must map the {rank} domain axes")
            if any(axis is not None and not 0 <= axis < ndim_of(value) for axis in view):
                raise VerifyException(f"tgk.loop: view {i} names an axis its input lacks")
        if any(not 0 <= axis < rank for axis in self.get_reduced_axes()):
            raise VerifyException("tgk.loop: a reduced axis is not a domain axis")
        reduced = (self.get_reduced_axes(), self.get_keepdims())
        for op in block.ops:
            if isinstance(op, ops.ReductionOp) and (op.get_axes(), op.get_keepdims()) != reduced:
                raise VerifyException("tgk.loop: the body's reductions must reduce its axes")
        if not isinstance(block.last_op, YieldOp):
            raise VerifyException("tgk.loop: the body must end with tgk.yield")
        if [v.type for v in self.yielded] != [r.type for r in self.outputs]:
            raise VerifyException("tgk.loop: tgk.yield must give values of the results' types")
        reuse = self.get_reuse()
        if len(reuse) != len(self.outputs):
            raise VerifyException("tgk.loop: one reuse entry per output")
        if any(i is not None and not 0 <= i < len(self.inputs) for i in reuse):
            raise VerifyException("tgk.loop: reuse names an input the loop lacks")
        if self.get_schedule() not in SCHEDULES:
            raise VerifyException(f"tgk.loop: schedule must be one of {', '.join(SCHEDULES)}")


@irdl_op_definition
class YieldOp(IRDLOperation):
    """The end of a ``tgk.loop`` or ``tgk.host_call`` body: the values that become its
    results."""

    name = "tgk.yield"
    values = var_operand_def(AnyAttr())
    traits = traits_def(IsTerminator(), Pure())
    assembly_format = "$values attr-dict `:` type($values)"

    def __init__(self, values: Sequence[SSAValue]):
        Operation.__init__(self, operands=list(values))  # as LoopOp: without IRDL's processing


@irdl_op_definition
class BlasDotOp(IRDLOperation):
    """``tg.dot`` of float vectors or matrices of one dtype, by the target's BLAS."""

    name = "tgk.blas_dot"
    lhs = operand_def(TensorType)
    rhs = operand_def(TensorType)
    result = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = (
        "$lhs `,` $rhs attr-dict `:` `(` type($lhs) `,` type($rhs) `)` `->` type($result)"
    )

    def __init__(self, lhs: SSAValue, rhs: SSAValue, result_type: Attribute):
        super().__init__(operands=[lhs, rhs], result_types=[result_type])


@irdl_op_definition
class MRGUniformOp(IRDLOperation):
    """MRG31k3p uniform draws, as ``tg.random.mrg_uniform``: the advanced states and the
    sample."""

    name = "tgk.mrg_uniform"
    rstate = operand_def(TensorType)
    shape = operand_def(TensorType)
    new_rstate = result_def(TensorType)
    sample = result_def(TensorType)
    assembly_format = "$rstate `,` $shape attr-dict `:` functional-type(operands, results)"

    def __init__(self, rstate: SSAValue, shape: SSAValue, sample_type: Attribute):
        super().__init__(operands=[rstate, shape], result_types=[rstate.type, sample_type])


@irdl_op_definition
class ViewOp(IRDLOperation):
    """A dimshuffle as a view of ``x``: ``order`` lists, for each result axis, the axis of
    ``x`` it is (``-1``: a new size-1 axis); size-1 axes of ``x`` not listed are dropped."""

    name = "tgk.view"
    x = operand_def(TensorType)
    result = result_def(TensorType)
    order = attr_def(DenseArrayBase[IntegerType])
    traits = traits_def(Pure())
    assembly_format = "$x attr-dict `:` type($x) `->` type($result)"

    def __init__(self, x: SSAValue, order: Sequence[int], result_type: Attribute):
        super().__init__(
            operands=[x], result_types=[result_type], attributes={"order": int_array(order)}
        )

    def get_order(self) -> tuple[int, ...]:
        """The axis of ``x`` of each result axis (``-1``: new)."""
        return _tuple(self.order)


@irdl_op_definition
class ShapeOp(IRDLOperation):
    """The sizes of ``x`` as a new int64 vector."""

    name = "tgk.shape"
    x = operand_def(TensorType)
    result = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = "$x attr-dict `:` type($x) `->` type($result)"

    def __init__(self, x: SSAValue, result_type: Attribute):
        super().__init__(operands=[x], result_types=[result_type])


@irdl_op_definition
class ElementOp(IRDLOperation):
    """``x[index]`` of a vector ``x`` and a 0-d integer ``index`` (negative counts from the
    end) as a new 0-d tensor; out of range is an error."""

    name = "tgk.element"
    x = operand_def(TensorType)
    index = operand_def(TensorType)
    result = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = "$x `[` $index `]` attr-dict `:` functional-type(operands, results)"

    def __init__(self, x: SSAValue, index: SSAValue, result_type: Attribute):
        super().__init__(operands=[x, index], result_types=[result_type])

    def verify_(self) -> None:
        if ndim_of(self.x) != 1 or ndim_of(self.index) != 0:
            raise VerifyException("tgk.element: x must be a vector and the index 0-d")


@irdl_op_definition
class HostCallOp(IRDLOperation):
    """The reference kernel of the one ``tg`` op of the body, run on the host: the body's
    arguments stand for the operands, ``tgk.yield`` gives the op's results."""

    name = "tgk.host_call"
    arguments = var_operand_def(AnyAttr())
    outputs = var_result_def(AnyAttr())
    body = region_def("single_block")
    assembly_format = "$arguments attr-dict `:` functional-type($arguments, $outputs) $body"

    def __init__(
        self, arguments: Sequence[SSAValue], body: Block, result_types: Sequence[Attribute]
    ):
        super().__init__(
            operands=[list(arguments)], result_types=[list(result_types)], regions=[Region(body)]
        )

    @property
    def callee(self) -> Operation:
        """The ``tg`` op whose reference kernel runs."""
        first = self.body.block.first_op
        assert first is not None
        return first

    def verify_(self) -> None:
        block = self.body.block
        body_ops = list(block.ops)
        if len(body_ops) != 2 or not isinstance(body_ops[1], YieldOp):
            raise VerifyException("tgk.host_call: the body is one op and tgk.yield")
        callee = body_ops[0]
        if list(callee.operands) != list(block.args):
            raise VerifyException("tgk.host_call: the op must take the body's arguments in order")
        if list(body_ops[1].operands) != list(callee.results):
            raise VerifyException("tgk.host_call: tgk.yield must give the op's results")
        if [r.type for r in callee.results] != [r.type for r in self.outputs]:
            raise VerifyException("tgk.host_call: the results must have the op's types")


TGK_OPERATIONS: tuple[type[Operation], ...] = tuple(
    cls
    for cls in list(globals().values())
    if isinstance(cls, type)
    and issubclass(cls, IRDLOperation)
    and str(getattr(cls, "name", "")).startswith("tgk.")
)
"""Every op of the kernel dialect (the op classes of this module); the emitters' rule tables
are tested against it."""

SOURCE_NAMES: dict[type[Operation], str] = {
    BlasDotOp: "tg.dot",
    MRGUniformOp: "tg.random.mrg_uniform",
    ViewOp: "tg.dimshuffle",
    ShapeOp: "tg.shape",
    ElementOp: "tg.subtensor",
}
"""The ``tg`` op each one-op kernel stands for, as errors name it."""

TGK = Dialect("tgk", list(TGK_OPERATIONS), [])
