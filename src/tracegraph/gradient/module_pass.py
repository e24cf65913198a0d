"""``tg-grad``: the gradient rules as a pass on IR modules.

For every ``func.func`` whose first result is a float scalar (the cost), the pass appends the
gradient of the cost with respect to the function's float arguments (or the arguments listed
in ``wrt``, by position) as new results marked ``tg.grad = "<argument name>"``. It runs the
same engine as ``grad``, so a module and the frontend give the same gradient graph; the new
ops take the location of the op that computes the cost.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from xdsl.context import Context
from xdsl.dialects.builtin import ArrayAttr, DictionaryAttr, FunctionType, ModuleOp, StringAttr
from xdsl.dialects.func import FuncOp, ReturnOp
from xdsl.ir import Block, Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.utils.exceptions import PassFailedException

from tracegraph.gradient.core import grad
from tracegraph.ir.types import dtype_of, is_tensor, shape_of
from tracegraph.tensor.variable import TensorVariable


def _new_ops(roots: list[SSAValue]) -> list[Operation]:
    """The detached ops (not yet in a block) the roots depend on, in topological order."""
    order: list[Operation] = []
    seen: set[int] = set()
    stack: list[tuple[Operation, bool]] = []
    for root in roots:
        if isinstance(root.owner, Operation) and root.owner.parent is None:
            stack.append((root.owner, False))
    while stack:
        op, expanded = stack.pop()
        if expanded:
            order.append(op)
            continue
        if id(op) in seen:
            continue
        seen.add(id(op))
        stack.append((op, True))
        for operand in op.operands:
            producer = operand.owner
            if isinstance(producer, Operation) and producer.parent is None:
                stack.append((producer, False))
    return order


def _drop_stray_users(block: Block) -> None:
    """Detach the ops the gradient rules built but no gradient uses (a rule computes the
    gradient of every operand, including constants): they still count as users of the
    function's values, and a later pass would trip over users that are in no block."""
    stray: list[Operation] = []
    seen: set[int] = set()
    values = [*block.args, *(r for op in block.ops for r in op.results)]
    stack = [use.operation for value in values for use in value.uses]
    while stack:
        op = stack.pop()
        if op.parent is not None or id(op) in seen:
            continue
        seen.add(id(op))
        stray.append(op)
        stack.extend(use.operation for result in op.results for use in result.uses)
    for op in stray:
        op.drop_all_references()


@dataclass(frozen=True)
class GradPass(ModulePass):
    """Append the gradient of each function's first result with respect to its arguments."""

    name = "tg-grad"

    wrt: str = ""
    """Comma-separated argument positions; empty means every float argument."""

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        for func in [o for o in op.body.block.ops if isinstance(o, FuncOp)]:
            self._differentiate(func)

    def _differentiate(self, func: FuncOp) -> None:
        block = func.body.block
        ret = block.last_op
        if not isinstance(ret, ReturnOp) or not ret.arguments:
            raise PassFailedException(f"tg-grad: @{func.sym_name.data} returns nothing")
        cost = ret.arguments[0]
        if shape_of(cost) != () or np.dtype(dtype_of(cost)).kind != "f":
            raise PassFailedException(
                f"tg-grad: the first result of @{func.sym_name.data} must be a float scalar, "
                f"not {cost.type}"
            )
        if self.wrt.strip():
            positions = [int(p) for p in self.wrt.split(",")]
        else:
            positions = [
                i
                for i, a in enumerate(block.args)
                if is_tensor(a) and np.dtype(dtype_of(a)).kind == "f"
            ]
        targets = [TensorVariable(block.args[i]) for i in positions]
        gradients = grad(TensorVariable(cost), targets, disconnected_inputs="ignore")
        values = [g.value for g in gradients]
        location = cost.owner.location if isinstance(cost.owner, Operation) else func.location
        for new_op in _new_ops(values):
            new_op.location = location
            # The frontend's ops are no users of their operands (tensor.variable.forget_uses);
            # in the function they must be, for the passes that follow.
            new_op.operands = list(new_op.operands)
            block.insert_op_before(new_op, ret)
        _drop_stray_users(block)
        ret.operands = [*ret.arguments, *values]
        func.function_type = FunctionType.from_lists(
            list(func.function_type.inputs), [v.type for v in ret.arguments]
        )
        names = [block.args[i].name_hint or str(i) for i in positions]
        if func.res_attrs is not None:
            marks = [DictionaryAttr({"tg.grad": StringAttr(name)}) for name in names]
            func.res_attrs = ArrayAttr([*func.res_attrs.data, *marks])
