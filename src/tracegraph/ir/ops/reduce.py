"""Reductions over a set of axes, with ``keepdims`` as in NumPy."""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.dialects.builtin import BoolAttr, DenseArrayBase, TensorType, i1, i64
from xdsl.ir import Attribute, SSAValue
from xdsl.irdl import (
    IRDLOperation,
    ParsePropInAttrDict,
    irdl_op_definition,
    operand_def,
    prop_def,
    result_def,
    traits_def,
)
from xdsl.traits import Pure
from xdsl.utils.exceptions import VerifyException

from tracegraph.ir.ops._verify import verify_axes
from tracegraph.ir.traits import FusibleReduction
from tracegraph.ir.types import ndim_of


class ReductionOp(IRDLOperation):
    """Base of the reductions: reduce ``x`` over ``axes`` (sorted, distinct), keeping them as
    size-1 axes when ``keepdims`` is set."""

    x = operand_def(TensorType)
    axes = prop_def(DenseArrayBase)
    keepdims = prop_def(BoolAttr)
    result = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = "$x attr-dict `:` type($x) `->` type($result)"
    irdl_options = (ParsePropInAttrDict(),)

    def __init__(self, x: SSAValue, axes: Sequence[int], keepdims: bool, result_type: Attribute):
        properties = {
            "axes": DenseArrayBase.from_list(i64, sorted(axes)),
            "keepdims": BoolAttr(keepdims, i1),
        }
        super().__init__(operands=[x], properties=properties, result_types=[result_type])

    def get_axes(self) -> tuple[int, ...]:
        """The reduced axes as a tuple of ints."""
        return tuple(int(v) for v in self.axes.iter_values())

    def get_keepdims(self) -> bool:
        """Whether reduced axes stay as size-1 axes."""
        return bool(self.keepdims.value.data)

    def verify_(self) -> None:
        axes = self.get_axes()
        verify_axes(self.name, axes, ndim_of(self.x))
        expected = ndim_of(self.x) if self.get_keepdims() else ndim_of(self.x) - len(axes)
        if ndim_of(self.result) != expected:
            raise VerifyException(f"{self.name}: result rank should be {expected}")


@irdl_op_definition
class SumOp(ReductionOp):
    """Sum (integers accumulate in NumPy's default integer)."""

    name = "tg.sum"
    traits = traits_def(FusibleReduction())


@irdl_op_definition
class ProdOp(ReductionOp):
    """Product."""

    name = "tg.prod"
    traits = traits_def(FusibleReduction())


@irdl_op_definition
class MaxOp(ReductionOp):
    """Maximum; an empty reduction is an error, as in NumPy."""

    name = "tg.max"
    traits = traits_def(FusibleReduction())


@irdl_op_definition
class MinOp(ReductionOp):
    """Minimum; an empty reduction is an error, as in NumPy."""

    name = "tg.min"
    traits = traits_def(FusibleReduction())


@irdl_op_definition
class MeanOp(ReductionOp):
    """Arithmetic mean (integers give float64)."""

    name = "tg.mean"
    traits = traits_def(FusibleReduction())


@irdl_op_definition
class ArgmaxOp(ReductionOp):
    """Index of the maximum over ``axes`` taken together (C order), as int64."""

    name = "tg.argmax"


@irdl_op_definition
class ArgminOp(ReductionOp):
    """Index of the minimum over ``axes`` taken together (C order), as int64."""

    name = "tg.argmin"


@irdl_op_definition
class AnyOp(ReductionOp):
    """Whether any element is true (result bool)."""

    name = "tg.any"
    traits = traits_def(FusibleReduction())


@irdl_op_definition
class AllOp(ReductionOp):
    """Whether every element is true (result bool)."""

    name = "tg.all"
    traits = traits_def(FusibleReduction())
