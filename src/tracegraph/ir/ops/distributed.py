"""Collective communication between the processes of a data-parallel job (MPI ranks):
``tg.all_reduce``, ``tg.broadcast`` and ``tg.all_gather``.

They have effects: every rank must run the same collectives in the same order, so no pass may
drop, merge or reorder them (they are not ``Pure``: CSE leaves two equal ones apart and DCE
keeps an unused one) and fusion never takes them into a loop. Each runs on the communicator of
the process (``ir/communication.py``; one process alone when no job is set up), whatever the
backend.
"""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.dialects.builtin import AnyFloat, IntegerAttr, StringAttr, TensorType, i64
from xdsl.ir import Attribute, SSAValue
from xdsl.irdl import (
    IRDLOperation,
    ParsePropInAttrDict,
    irdl_op_definition,
    operand_def,
    prop_def,
    result_def,
    var_operand_def,
    var_result_def,
)
from xdsl.utils.exceptions import VerifyException

REDUCTIONS = ("sum", "mean", "max", "min")
"""How ``tg.all_reduce`` combines the ranks' values."""


def _verify_reduction(op_name: str, reduction: str, x: Attribute) -> None:
    """A reduction of :data:`REDUCTIONS`; ``mean`` of floats only (the sum divided by the
    ranks has no integer dtype)."""
    if reduction not in REDUCTIONS:
        raise VerifyException(f"{op_name}: reduction {reduction!r}; one of {REDUCTIONS}")
    if (
        reduction == "mean"
        and isinstance(x, TensorType)
        and not isinstance(x.element_type, AnyFloat)
    ):
        raise VerifyException(f"{op_name}: the mean of floats only, not of {x.element_type}")


@irdl_op_definition
class AllReduceOp(IRDLOperation):
    """``x`` combined over every rank (``reduction``: ``sum``, ``mean``, ``max`` or ``min``),
    elementwise; every rank gets the result."""

    name = "tg.all_reduce"
    x = operand_def(TensorType)
    reduction = prop_def(StringAttr)
    result = result_def(TensorType)
    assembly_format = "$x attr-dict `:` type($x) `->` type($result)"
    irdl_options = (ParsePropInAttrDict(),)

    def __init__(self, x: SSAValue, reduction: str):
        super().__init__(
            operands=[x], properties={"reduction": StringAttr(reduction)}, result_types=[x.type]
        )

    def get_reduction(self) -> str:
        """``sum``, ``mean``, ``max`` or ``min``."""
        return self.reduction.data

    def verify_(self) -> None:
        if self.x.type != self.result.type:
            raise VerifyException("tg.all_reduce: the result has the operand's type")
        _verify_reduction(self.name, self.get_reduction(), self.x.type)


@irdl_op_definition
class AllReduceBucketOp(IRDLOperation):
    """Several ``tg.all_reduce`` of one reduction and one dtype in one message, as Horovod's
    and DDP's gradient buckets: the operands joined into one flat buffer, combined over the
    ranks by one collective, and split again (the results in the operands' order, each of its
    operand's type). The ``bucket-all-reduce`` pass makes it from the all-reduces of a step."""

    name = "tg.all_reduce_bucket"
    xs = var_operand_def(TensorType)
    reduction = prop_def(StringAttr)
    outs = var_result_def(TensorType)
    assembly_format = "$xs attr-dict `:` type($xs) `->` type($outs)"
    irdl_options = (ParsePropInAttrDict(),)

    def __init__(self, xs: Sequence[SSAValue], reduction: str):
        super().__init__(
            operands=[list(xs)],
            properties={"reduction": StringAttr(reduction)},
            result_types=[[x.type for x in xs]],
        )

    def get_reduction(self) -> str:
        """``sum``, ``mean``, ``max`` or ``min``."""
        return self.reduction.data

    def verify_(self) -> None:
        types = [x.type for x in self.xs]
        if not types:
            raise VerifyException("tg.all_reduce_bucket: at least one operand")
        if types != [r.type for r in self.outs]:
            raise VerifyException("tg.all_reduce_bucket: each result has its operand's type")
        if len({t.element_type for t in types if isinstance(t, TensorType)}) != 1:
            raise VerifyException("tg.all_reduce_bucket: the operands have one dtype")
        _verify_reduction(self.name, self.get_reduction(), types[0])


@irdl_op_definition
class BroadcastOp(IRDLOperation):
    """The value of ``x`` on rank ``root``, on every rank."""

    name = "tg.broadcast"
    x = operand_def(TensorType)
    root = prop_def(IntegerAttr)
    result = result_def(TensorType)
    assembly_format = "$x attr-dict `:` type($x) `->` type($result)"
    irdl_options = (ParsePropInAttrDict(),)

    def __init__(self, x: SSAValue, root: int):
        super().__init__(
            operands=[x], properties={"root": IntegerAttr(root, i64)}, result_types=[x.type]
        )

    def get_root(self) -> int:
        """The rank whose value every rank gets."""
        return self.root.value.data

    def verify_(self) -> None:
        if self.x.type != self.result.type:
            raise VerifyException("tg.broadcast: the result has the operand's type")
        if self.get_root() < 0:
            raise VerifyException("tg.broadcast: the root is a rank, at least 0")


@irdl_op_definition
class AllGatherOp(IRDLOperation):
    """Every rank's ``x`` joined on the first axis, in rank order, on every rank (the result's
    first axis is the ranks' first axes together)."""

    name = "tg.all_gather"
    x = operand_def(TensorType)
    result = result_def(TensorType)
    assembly_format = "$x attr-dict `:` type($x) `->` type($result)"
    irdl_options = (ParsePropInAttrDict(),)

    def __init__(self, x: SSAValue, result_type: Attribute):
        super().__init__(operands=[x], result_types=[result_type])

    def verify_(self) -> None:
        x, result = self.x.type, self.result.type
        assert isinstance(x, TensorType) and isinstance(result, TensorType)
        if x.element_type != result.element_type or x.get_num_dims() != result.get_num_dims():
            raise VerifyException("tg.all_gather: the result has the operand's dtype and rank")
        if x.get_num_dims() == 0:
            raise VerifyException("tg.all_gather: the operand has a first axis to join on")
