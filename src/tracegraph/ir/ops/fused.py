"""Fused kernels: groups of elementwise ops, and the reductions of their values, that a backend
computes in one loop nest without temporaries between the ops (built by the ``fuse`` pass).

The body of ``tg.fused`` is a block whose arguments stand for the op's ``inputs``; its ops are
the original ``tg`` ops on whole tensors, so the body means exactly what the ops meant before
fusion (the reference interpreter runs it as it is), and ``tg.yield`` names the values that
become the results. Every elementwise value of the body has the *domain*'s rank and pattern of
broadcastable axes; a reduction in the body reduces a domain value.
"""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.dialects.builtin import TensorType
from xdsl.ir import Attribute, Block, Region, SSAValue
from xdsl.irdl import (
    IRDLOperation,
    irdl_op_definition,
    lazy_traits_def,
    region_def,
    traits_def,
    var_operand_def,
    var_result_def,
)
from xdsl.traits import HasParent, IsTerminator, Pure
from xdsl.utils.exceptions import VerifyException


@irdl_op_definition
class FusedOp(IRDLOperation):
    """One loop nest computing the ops of its body (elementwise ops, and reductions of their
    values) for its ``inputs``; its results are the values its ``tg.yield`` names."""

    name = "tg.fused"
    inputs = var_operand_def(TensorType)
    outputs = var_result_def(TensorType)
    body = region_def("single_block")
    traits = traits_def(Pure())
    assembly_format = "$inputs attr-dict `:` functional-type($inputs, $outputs) $body"

    def __init__(self, inputs: Sequence[SSAValue], result_types: Sequence[Attribute], body: Block):
        super().__init__(
            operands=[list(inputs)], result_types=[list(result_types)], regions=[Region(body)]
        )

    def verify_(self) -> None:
        block = self.body.block
        if [a.type for a in block.args] != [v.type for v in self.inputs]:
            raise VerifyException("tg.fused: the body's arguments must have the inputs' types")
        last = block.last_op
        if not isinstance(last, YieldOp):
            raise VerifyException("tg.fused: the body must end with tg.yield")
        if [v.type for v in last.values] != [r.type for r in self.outputs]:
            raise VerifyException("tg.fused: tg.yield must give values of the results' types")


@irdl_op_definition
class YieldOp(IRDLOperation):
    """The end of a body (of ``tg.fused``, ``tg.scan`` or ``tg.ifelse``): the values it gives
    its op."""

    name = "tg.yield"
    values = var_operand_def()
    traits = lazy_traits_def(lambda: (IsTerminator(), HasParent(FusedOp, *_control_ops()), Pure()))
    assembly_format = "$values attr-dict `:` type($values)"

    def __init__(self, values: Sequence[SSAValue]):
        super().__init__(operands=[list(values)])


def _control_ops() -> tuple[type[IRDLOperation], ...]:
    from tracegraph.ir.ops.control import IfElseOp, ScanOp  # they import YieldOp

    return (ScanOp, IfElseOp)
