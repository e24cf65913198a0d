"""Linear algebra: ``dot`` of vectors and matrices."""

from __future__ import annotations

from xdsl.dialects.builtin import TensorType
from xdsl.ir import Attribute, SSAValue
from xdsl.irdl import IRDLOperation, irdl_op_definition, operand_def, result_def, traits_def
from xdsl.traits import Pure
from xdsl.utils.exceptions import VerifyException

from tracegraph.ir.types import ndim_of


@irdl_op_definition
class DotOp(IRDLOperation):
    """Inner product of vectors, matrix-vector, vector-matrix or matrix-matrix product.

    Operands are 1-d or 2-d; the result has rank ``ndim(lhs) + ndim(rhs) - 2``, as NumPy's
    ``dot`` (and ``matmul``) on such operands.
    """

    name = "tg.dot"
    lhs = operand_def(TensorType)
    rhs = operand_def(TensorType)
    result = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = (
        "$lhs `,` $rhs attr-dict `:` `(` type($lhs) `,` type($rhs) `)` `->` type($result)"
    )

    def __init__(self, lhs: SSAValue, rhs: SSAValue, result_type: Attribute):
        super().__init__(operands=[lhs, rhs], result_types=[result_type])

    def verify_(self) -> None:
        left, right = ndim_of(self.lhs), ndim_of(self.rhs)
        if left not in (1, 2) or right not in (1, 2):
            raise VerifyException(f"tg.dot: operands must be 1-d or 2-d, got {left}-d, {right}-d")
        if ndim_of(self.result) != left + right - 2:
            raise VerifyException("tg.dot: result rank must be ndim(lhs) + ndim(rhs) - 2")
