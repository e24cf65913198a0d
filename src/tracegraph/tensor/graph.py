"""Copies of graphs: ``clone(outputs, replace=...)`` (Theano's ``theano.clone``), which
rebuilds the ops between the outputs and the replaced variables.

>>> import tracegraph.tensor as T
>>> x, y = T.dscalars('x', 'y')
>>> z = T.exp(x) + 1
>>> float(clone(z, replace={x: y * 2}).eval({y: 0.0}))
2.0
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, overload

from xdsl.ir import Operation, SSAValue

from tracegraph.errors import GraphTypeError
from tracegraph.ir import ops
from tracegraph.tensor.variable import (
    TensorVariable,
    Variable,
    as_tensor_variable,
    attach_variable,
    variable_of,
)

_LEAVES = (ops.InputOp, ops.SharedOp, ops.ConstantOp)


@overload
def clone(
    output: TensorVariable,
    replace: Mapping[Variable, Any] | Sequence[tuple[Variable, Any]] | None = None,
    strict: bool = True,
    share_inputs: bool = True,
) -> TensorVariable: ...


@overload
def clone(
    output: Sequence[TensorVariable],
    replace: Mapping[Variable, Any] | Sequence[tuple[Variable, Any]] | None = None,
    strict: bool = True,
    share_inputs: bool = True,
) -> list[TensorVariable]: ...


def clone(
    output: TensorVariable | Sequence[TensorVariable],
    replace: Mapping[Variable, Any] | Sequence[tuple[Variable, Any]] | None = None,
    strict: bool = True,
    share_inputs: bool = True,
) -> TensorVariable | list[TensorVariable]:
    """A copy of the graph of ``output`` (a variable or a list) in which each key of
    ``replace`` is its value: every op between them is rebuilt; inputs, shared variables and
    constants stay shared (inputs are copied too with ``share_inputs=False``). With ``strict``
    a replacement must have the type of what it replaces; without, any type its users accept.

    >>> import tracegraph.tensor as T
    >>> a = T.dvector('a')
    >>> b, c = clone([a + 1, a * 2], replace={a: T.dvector('d')})
    >>> b.owner.operands[0].name_hint, c.owner.operands[0].name_hint
    ('d', 'd')
    """
    outputs = [output] if isinstance(output, Variable) else list(output)
    pairs = list(replace.items()) if isinstance(replace, Mapping) else list(replace or [])
    mapping: dict[SSAValue, SSAValue] = {}
    for old, new in pairs:
        replacement = new if isinstance(new, Variable) else as_tensor_variable(new)
        if strict and replacement.type != old.type:
            raise GraphTypeError(
                f"clone: {old.describe()} is replaced by {replacement.describe()}, of another "
                "type (strict=True: give a replacement of the same type)"
            )
        mapping[old.value] = replacement.value
    copied = _Copier(mapping, share_inputs)
    results = [variable_of(copied.value(out.value)) for out in outputs]
    tensors = [r for r in results if isinstance(r, TensorVariable)]
    if len(tensors) != len(results):
        raise GraphTypeError("clone: outputs must be tensors")
    return tensors[0] if isinstance(output, Variable) else tensors


class _Copier:
    """Copies ops on demand, each once, operands first (an explicit stack: graphs may be
    deeper than Python's recursion limit)."""

    def __init__(self, mapping: dict[SSAValue, SSAValue], share_inputs: bool):
        self.mapping = mapping
        self.share_inputs = share_inputs

    def value(self, root: SSAValue) -> SSAValue:
        stack = [root]
        while stack:
            value = stack[-1]
            if value in self.mapping:
                stack.pop()
                continue
            owner = value.owner
            if not isinstance(owner, Operation) or self._kept(owner):
                self.mapping[value] = value
                stack.pop()
                continue
            pending = [o for o in owner.operands if o not in self.mapping]
            if pending:
                stack.extend(pending)
                continue
            self._copy(owner)
            stack.pop()
        return self.mapping[root]

    def _kept(self, op: Operation) -> bool:
        if isinstance(op, ops.InputOp):
            return self.share_inputs
        return isinstance(op, _LEAVES)

    def _copy(self, op: Operation) -> None:
        copy = op.clone(value_mapper=dict(self.mapping))
        copy.location = op.location
        if isinstance(op, ops.InputOp):  # share_inputs=False: a new input of the same name
            variable = variable_of(op.results[0])
            attach_variable(copy, TensorVariable(copy.results[0], variable.name))
        for old, new in zip(op.results, copy.results, strict=True):
            self.mapping[old] = new
