"""Loops and conditions as ops with regions, after MLIR's ``scf.for``/``scf.while`` and ``scf.if``.

Both are isolated from above: every value a body reads is an operand of the op, passed to the
body as a block argument (Theano's scan does the same, making the free variables of the step
function implicit non-sequences). Bodies end with ``tg.yield``.

``tg.scan`` (Theano's ``scan``) runs its body ``n_steps`` times. Its operands, in order:

- ``n_steps``: a 0-d integer, the number of steps;
- ``sequences``: tensors whose step ``t`` slice (``seq[t]``) the body gets;
- ``initial``: one per *recurrent* state: the state's last ``span`` values before the first step
  stacked on a new first axis (``span`` is the largest distance of its ``taps``, Theano's
  negative taps of ``outputs_info``: ``[-1]`` reads the previous value, ``[-2, -1]`` the two
  before);
- ``carried``: one per *carried* state: a value threaded through the steps of which only the
  last is a result (shared-variable updates and random states inside the body);
- ``non_sequences``: values the body reads whole at every step.

The body's arguments are the sequences' slices, each recurrent state's taps in the order
``taps`` lists them, the carried states and the non-sequences. ``tg.yield`` gives each
recurrent state's new value, each carried state's new value, then the *mapped* outputs (values
of a step that nothing reads back), then, with ``until``, a 0-d bool: stop after this step when
true. The results: each recurrent state's values over the steps (``n_steps`` on the first
axis; the initial values excluded), each carried state's last value, each mapped output's
values over the steps.

``tg.ifelse`` (Theano's ``ifelse``) runs one of its two bodies, on ``then_inputs`` or on
``else_inputs``, as its 0-d condition says (non-zero: ``then``); its results are what that
body yields. The body not taken is never run.
"""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.dialects.builtin import (
    ArrayAttr,
    DenseArrayBase,
    IntegerAttr,
    IntegerType,
    TensorType,
    UnitAttr,
    i64,
)
from xdsl.ir import Attribute, Block, Region, SSAValue
from xdsl.irdl import (
    AttrSizedOperandSegments,
    IRDLOperation,
    ParsePropInAttrDict,
    irdl_op_definition,
    operand_def,
    opt_prop_def,
    prop_def,
    region_def,
    traits_def,
    var_operand_def,
    var_result_def,
)
from xdsl.traits import IsolatedFromAbove, Pure
from xdsl.utils.exceptions import VerifyException

from tracegraph.ir.ops.fused import YieldOp
from tracegraph.ir.types import dtype_of, is_integer_dtype, shape_of, tensor_type


def _compatible(a: Attribute, b: Attribute) -> bool:
    """Same type, or tensors of one dtype and rank whose static sizes do not conflict."""
    if a == b:
        return True
    if not isinstance(a, TensorType) or not isinstance(b, TensorType):
        return False
    if dtype_of(a) != dtype_of(b) or len(shape_of(a)) != len(shape_of(b)):
        return False
    pairs = zip(shape_of(a), shape_of(b), strict=True)
    return all(x is None or y is None or x == y for x, y in pairs)


def _yielded(name: str, block: Block) -> list[SSAValue]:
    last = block.last_op
    if not isinstance(last, YieldOp):
        raise VerifyException(f"{name}: a body must end with tg.yield")
    return list(last.values)


@irdl_op_definition
class ScanOp(IRDLOperation):
    """A loop of ``n_steps`` steps over sequences, with recurrent and carried states (see the
    module docstring)."""

    name = "tg.scan"
    n_steps = operand_def(TensorType)
    sequences = var_operand_def(TensorType)
    initial = var_operand_def(TensorType)
    carried = var_operand_def()
    non_sequences = var_operand_def()
    outputs = var_result_def()
    taps = prop_def(ArrayAttr[DenseArrayBase[IntegerType]])
    """Per recurrent state, the (negative) taps its body arguments read."""
    until = opt_prop_def(UnitAttr)
    """Whether the body yields a condition to stop after the step."""
    truncate_gradient = prop_def(IntegerAttr)
    """Theano's ``truncate_gradient``: how many steps back gradients flow (-1: all)."""
    body = region_def("single_block")
    traits = traits_def(Pure(), IsolatedFromAbove())
    irdl_options = (AttrSizedOperandSegments(as_property=True), ParsePropInAttrDict())
    assembly_format = (
        "`steps` $n_steps `:` type($n_steps) "
        "`sequences` `(` $sequences `:` type($sequences) `)` "
        "`initial` `(` $initial `:` type($initial) `)` "
        "`carried` `(` $carried `:` type($carried) `)` "
        "`non_sequences` `(` $non_sequences `:` type($non_sequences) `)` "
        "attr-dict `->` `(` type($outputs) `)` $body"
    )

    def __init__(
        self,
        n_steps: SSAValue,
        sequences: Sequence[SSAValue],
        initial: Sequence[SSAValue],
        carried: Sequence[SSAValue],
        non_sequences: Sequence[SSAValue],
        taps: Sequence[Sequence[int]],
        result_types: Sequence[Attribute],
        body: Block,
        *,
        until: bool = False,
        truncate_gradient: int = -1,
    ):
        properties: dict[str, Attribute] = {
            "taps": ArrayAttr([DenseArrayBase.from_list(i64, list(t)) for t in taps]),
            "truncate_gradient": IntegerAttr(truncate_gradient, i64),
        }
        if until:
            properties["until"] = UnitAttr()
        super().__init__(
            operands=[n_steps, list(sequences), list(initial), list(carried), list(non_sequences)],
            result_types=[list(result_types)],
            properties=properties,
            regions=[Region(body)],
        )

    def get_taps(self) -> list[tuple[int, ...]]:
        """Each recurrent state's taps."""
        return [tuple(int(v) for v in t.get_values()) for t in self.taps]

    @property
    def num_mapped(self) -> int:
        """How many mapped outputs (values of a step that nothing reads back)."""
        return len(self.outputs) - len(self.initial) - len(self.carried)

    def verify_(self) -> None:
        name = self.name
        if shape_of(self.n_steps) != () or not is_integer_dtype(dtype_of(self.n_steps)):
            raise VerifyException(f"{name}: n_steps must be a 0-d integer")
        taps = self.get_taps()
        if len(taps) != len(self.initial):
            raise VerifyException(f"{name}: one list of taps per recurrent state")
        if any(not t or any(tap >= 0 for tap in t) for t in taps):
            raise VerifyException(f"{name}: the taps of a recurrent state are negative")
        args = list(self.body.block.args)
        expected: list[Attribute] = []
        for sequence in self.sequences:
            if not shape_of(sequence):
                raise VerifyException(f"{name}: a sequence has at least one axis")
            expected.append(tensor_type(dtype_of(sequence), shape_of(sequence)[1:]))
        for initial, state_taps in zip(self.initial, taps, strict=True):
            if not shape_of(initial):
                raise VerifyException(f"{name}: the initial values of a state are stacked")
            state = tensor_type(dtype_of(initial), shape_of(initial)[1:])
            expected += [state] * len(state_taps)
        expected += [v.type for v in self.carried] + [v.type for v in self.non_sequences]
        if len(args) != len(expected) or not all(
            _compatible(a.type, t) for a, t in zip(args, expected, strict=False)
        ):
            raise VerifyException(
                f"{name}: the body's arguments must be the sequences' slices, the states' taps, "
                "the carried states and the non-sequences"
            )
        yielded = _yielded(name, self.body.block)
        recurrent, carried = len(self.initial), len(self.carried)
        states = args[len(self.sequences) :]
        if len(yielded) != len(self.outputs) + (1 if self.until is not None else 0):
            raise VerifyException(f"{name}: tg.yield must give one value per result")
        position = 0
        for i, state_taps in enumerate(taps):
            if not _compatible(yielded[i].type, states[position].type):
                raise VerifyException(
                    f"{name}: recurrent state {i} is {states[position].type} but its step "
                    f"gives {yielded[i].type}"
                )
            position += len(state_taps)
        for i in range(carried):
            if not _compatible(yielded[recurrent + i].type, self.carried[i].type):
                raise VerifyException(f"{name}: carried state {i} changes type in the body")
        if self.until is not None:
            condition = yielded[-1]
            if shape_of(condition) != () or dtype_of(condition) != "bool":
                raise VerifyException(f"{name}: the stop condition must be a 0-d bool")


@irdl_op_definition
class IfElseOp(IRDLOperation):
    """One of two bodies, as a 0-d condition says (see the module docstring)."""

    name = "tg.ifelse"
    condition = operand_def(TensorType)
    then_inputs = var_operand_def()
    else_inputs = var_operand_def()
    outputs = var_result_def()
    then_body = region_def("single_block")
    else_body = region_def("single_block")
    traits = traits_def(Pure(), IsolatedFromAbove())
    irdl_options = (AttrSizedOperandSegments(as_property=True), ParsePropInAttrDict())
    assembly_format = (
        "$condition `:` type($condition) "
        "`then` `(` $then_inputs `:` type($then_inputs) `)` $then_body "
        "`else` `(` $else_inputs `:` type($else_inputs) `)` $else_body "
        "attr-dict `->` `(` type($outputs) `)`"
    )

    def __init__(
        self,
        condition: SSAValue,
        then_inputs: Sequence[SSAValue],
        then_body: Block,
        else_inputs: Sequence[SSAValue],
        else_body: Block,
        result_types: Sequence[Attribute],
    ):
        super().__init__(
            operands=[condition, list(then_inputs), list(else_inputs)],
            result_types=[list(result_types)],
            regions=[Region(then_body), Region(else_body)],
        )

    def verify_(self) -> None:
        if shape_of(self.condition) != ():
            raise VerifyException("tg.ifelse: the condition must be 0-d")
        for inputs, region in (
            (self.then_inputs, self.then_body),
            (self.else_inputs, self.else_body),
        ):
            block = region.block
            if [a.type for a in block.args] != [v.type for v in inputs]:
                raise VerifyException("tg.ifelse: a body's arguments must have its inputs' types")
            yielded = _yielded(self.name, block)
            if len(yielded) != len(self.outputs) or not all(
                _compatible(v.type, r.type) for v, r in zip(yielded, self.outputs, strict=True)
            ):
                raise VerifyException(
                    "tg.ifelse: each body must yield values of the results' types"
                )
