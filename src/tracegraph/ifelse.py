"""``ifelse``: Theano's lazy condition, as one ``tg.ifelse`` op (``ir/ops/control.py``).

Unlike ``T.switch``, which computes both values and picks elementwise, ``ifelse`` computes only
the branch its scalar condition picks: each branch's computation goes into a body of its own
(all of it that reads no input or shared variable of the function directly: a value both
branches, or the rest of the graph, also need is computed in the branch again).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from xdsl.ir import Block, Operation

from tracegraph.compile.shared import advanced_state
from tracegraph.gradient.rules import VJP_RULES, MultiResultRule
from tracegraph.ir.location import user_location
from tracegraph.ir.ops import IfElseOp, InputOp, SharedOp
from tracegraph.ir.regions import build_body, inline_body, plan_body
from tracegraph.tensor.basic import zeros_like
from tracegraph.tensor.variable import (
    TensorVariable,
    as_tensor_variable,
    forget_uses,
    wrap_value,
)


def _in_branch(op: Operation, reads_inside: bool) -> bool:
    """A branch computes what it needs, down to the function's inputs and shared variables
    (read, not copied) and random draws (which advance their stream whichever branch runs)."""
    return not isinstance(op, InputOp | SharedOp) and advanced_state(op) is None


def _branch(values: Sequence[TensorVariable]) -> tuple[Block, list[Any]]:
    block = Block()
    roots = [v.value for v in values]
    plan = plan_body(roots, (), _in_branch)
    inputs = build_body(block, plan, roots, {})
    return block, inputs


def ifelse(condition: Any, then_branch: Any, else_branch: Any, name: str | None = None) -> Any:
    """``then_branch`` if the 0-d ``condition`` is true (non-zero), else ``else_branch``,
    computing only the branch taken. The branches are variables, or lists of as many
    variables, of the same dtypes and ranks; the result is one variable or a list.

    >>> import numpy as np, tracegraph, tracegraph.tensor as T
    >>> a, b = T.dscalar("a"), T.dscalar("b")
    >>> f = tracegraph.function([a, b], ifelse(T.lt(a, b), a * 10, b * 100))
    >>> float(f(1.0, 2.0)), float(f(3.0, 2.0))
    (10.0, 200.0)
    """
    single = not isinstance(then_branch, list | tuple)
    thens = [as_tensor_variable(v) for v in ([then_branch] if single else then_branch)]
    elses = [as_tensor_variable(v) for v in ([else_branch] if single else else_branch)]
    if len(thens) != len(elses):
        raise ValueError(
            f"ifelse: the branches have {len(thens)} and {len(elses)} values; they must match"
        )
    result_types = []
    for i, (then_value, else_value) in enumerate(zip(thens, elses, strict=True)):
        if then_value.dtype != else_value.dtype or then_value.ndim != else_value.ndim:
            raise TypeError(
                f"ifelse: value {i} of the branches differs in type: {then_value.type} and "
                f"{else_value.type} (cast one of them)"
            )
        shape = tuple(
            a if a == b else None
            for a, b in zip(then_value.type.shape, else_value.type.shape, strict=True)
        )
        result_types.append(then_value.type.__class__(then_value.dtype, shape=shape).ir_type())
    test = as_tensor_variable(condition)
    if test.ndim != 0:
        raise TypeError(f"ifelse: the condition must be a scalar, got {test.describe()}")
    then_block, then_inputs = _branch(thens)
    else_block, else_inputs = _branch(elses)
    op = IfElseOp(test.value, then_inputs, then_block, else_inputs, else_block, result_types)
    forget_uses(op).location = user_location()
    results = [wrap_value(r, name) for r in op.results]
    return results[0] if single else results


def _branch_gradients(
    block: Block, inputs: Sequence[Any], gradients: Sequence[TensorVariable | None]
) -> list[TensorVariable | None]:
    """The gradient of each input of a branch (``None``: not a float tensor), given those of
    its results: the branch computed again from its inputs and differentiated."""
    from tracegraph.gradient.core import vector_jacobian_product

    computed = inline_body(block, [i.value for i in inputs])
    outputs = [wrap_value(v) for v in computed if v is not None]
    assert len(outputs) == len(computed)  # a branch has no state: every value is computed
    pairs = [
        (output, g)
        for output, g in zip(outputs, gradients, strict=True)
        if g is not None and isinstance(output, TensorVariable) and _is_float(output)
    ]
    wrt = [i for i in inputs if _is_float(i)]
    if not pairs or not wrt:
        return [None] * len(inputs)
    found = iter(vector_jacobian_product(pairs, wrt))
    return [next(found) if _is_float(i) else None for i in inputs]


def _is_float(variable: Any) -> bool:
    return isinstance(variable, TensorVariable) and variable.dtype.startswith("float")


def _ifelse_vjp(
    op: IfElseOp, operands: list[Any], results: list[Any], gradients: list[TensorVariable | None]
) -> list[TensorVariable | None]:
    """The gradients of a condition's inputs: the branch taken's, zeros for the other's
    (computed only for the branch taken, by another ``ifelse``)."""
    condition, *rest = operands
    then_inputs, else_inputs = rest[: len(op.then_inputs)], rest[len(op.then_inputs) :]
    then_gradients = _branch_gradients(op.then_body.block, then_inputs, gradients)
    else_gradients = _branch_gradients(op.else_body.block, else_inputs, gradients)
    then_flowing = [
        (i, g) for i, g in zip(then_inputs, then_gradients, strict=True) if g is not None
    ]
    else_flowing = [
        (i, g) for i, g in zip(else_inputs, else_gradients, strict=True) if g is not None
    ]
    if not then_flowing and not else_flowing:
        return [None] * len(operands)
    taken = ifelse(
        condition,
        [g for _, g in then_flowing] + [zeros_like(i) for i, _ in else_flowing],
        [zeros_like(i) for i, _ in then_flowing] + [g for _, g in else_flowing],
    )
    chosen = iter(taken)
    return [
        None,
        *(next(chosen) if g is not None else None for g in then_gradients),
        *(next(chosen) if g is not None else None for g in else_gradients),
    ]


VJP_RULES[IfElseOp] = MultiResultRule(_ifelse_vjp)


__all__ = ["ifelse"]
