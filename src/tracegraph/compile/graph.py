"""From traced variables to a ``func.func``: collect the subgraph of the outputs and updates,
apply ``givens``, turn inputs and shared variables into arguments, and check it all.

The result keeps side effects explicit: the function's results are the outputs followed by the
new values of the updated shared variables, so no pass can drop an update.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, TypeAlias

from xdsl.dialects.builtin import (
    ArrayAttr,
    DictionaryAttr,
    IntegerAttr,
    ModuleOp,
    StringAttr,
    i64,
)
from xdsl.dialects.func import FuncOp, ReturnOp
from xdsl.ir import Block, Operation, Region, SSAValue

from tracegraph.compile.shared import BaseSharedVariable
from tracegraph.errors import (
    GivensReplaceInputError,
    GraphTypeError,
    MissingInputError,
    UnusedInputError,
)
from tracegraph.ir.ops import InputOp, SharedOp
from tracegraph.tensor.variable import TensorVariable, Variable, attached_variable, variable_of

UnusedInputPolicy: TypeAlias = Literal["raise", "warn", "ignore"]
"""What ``function`` does about an input no output or update uses."""


@dataclass
class TracedFunction:
    """A traced function: the module and what its arguments and results stand for."""

    module: ModuleOp
    inputs: list[TensorVariable]
    """The explicit inputs, in argument order (the first arguments)."""
    shared: list[BaseSharedVariable]
    """The shared variables read, in argument order (after the inputs)."""
    num_outputs: int
    """How many results are outputs; the rest are updates."""
    update_targets: list[BaseSharedVariable]
    """The shared variable written by each update result, in result order."""
    updates: list[tuple[BaseSharedVariable, Variable]] = field(default_factory=list)
    """Every update, default updates included, in result order: tracing again with these and
    no default updates gives the same module, whatever ``default_update`` says by then."""

    @property
    def func(self) -> FuncOp:
        """The module's single ``func.func``."""
        return func_of(self.module)


def func_of(module: ModuleOp) -> FuncOp:
    """The single ``func.func`` of a module built by :func:`trace_function`."""
    op = module.body.block.first_op
    assert isinstance(op, FuncOp)
    return op


def symbol_name(name: str | None) -> str:
    """A valid MLIR symbol name for a function name."""
    if not name:
        return "f"
    cleaned = "".join(c if c.isalnum() or c == "_" else "_" for c in name)
    return cleaned if cleaned[0].isalpha() or cleaned[0] == "_" else "f_" + cleaned


def check_replacement(what: str, original: Variable, replacement: Variable) -> None:
    """``replacement`` may stand for ``original``: tensors of the same dtype and rank with no
    conflicting sizes, or values of one other type (random states)."""
    if not isinstance(original, TensorVariable) or not isinstance(replacement, TensorVariable):
        if original.type != replacement.type:
            raise GraphTypeError(
                f"{what}: {replacement.describe()} cannot replace {original.describe()}: "
                f"types {replacement.type} and {original.type} differ"
            )
        return
    if not original.type.is_compatible(replacement.type):
        raise GraphTypeError(
            f"{what}: {replacement.describe()} cannot replace {original.describe()}: "
            f"types {replacement.type} and {original.type} differ"
            + (
                f"; cast it with T.cast(..., '{original.dtype}')"
                if original.dtype != replacement.dtype
                else ""
            )
        )


class _Collector:
    """Depth-first walk from the roots, in topological order, with givens applied."""

    def __init__(self, givens: dict[SSAValue, SSAValue], inputs: dict[SSAValue, int]):
        self.givens = givens
        self.inputs = inputs
        self.order: list[Operation] = []
        self.visited: set[int] = set()
        self.used_inputs: set[SSAValue] = set()
        self.shared: dict[SSAValue, BaseSharedVariable] = {}

    def resolve(self, value: SSAValue) -> SSAValue:
        seen: set[SSAValue] = set()
        while value in self.givens:
            if value in seen:
                raise ValueError("givens replace a variable by an expression of itself")
            seen.add(value)
            value = self.givens[value]
        return value

    def visit(self, root: SSAValue) -> None:
        stack: list[tuple[SSAValue, bool]] = [(self.resolve(root), False)]
        while stack:
            value, expanded = stack.pop()
            if value in self.inputs:
                self.used_inputs.add(value)
                continue
            op = value.owner
            if not isinstance(op, Operation):
                raise MissingInputError(f"value {value} is not defined by an op of a traced graph")
            if id(op) in self.visited:
                continue
            if expanded:
                self.visited.add(id(op))
                self.order.append(op)
                continue
            if isinstance(op, InputOp):
                self._missing(op)
            if isinstance(op, SharedOp):
                shared = attached_variable(op)
                assert isinstance(shared, BaseSharedVariable)
                self.shared.setdefault(value, shared)
                self.visited.add(id(op))
                continue
            stack.append((value, True))
            for operand in reversed(op.operands):
                resolved = self.resolve(operand)
                owner = resolved.owner
                if resolved in self.inputs or not (
                    isinstance(owner, Operation) and id(owner) in self.visited
                ):
                    stack.append((resolved, False))

    @staticmethod
    def _missing(op: InputOp) -> None:
        variable = variable_of(op.result)
        raise MissingInputError(
            f"input {variable.describe()} is needed to compute the outputs but is not among the "
            "function's inputs (pass it in inputs=, or replace it with givens=)"
        )


def trace_function(
    name: str | None,
    inputs: Sequence[TensorVariable],
    outputs: Sequence[Variable],
    updates: Sequence[tuple[BaseSharedVariable, Variable]],
    givens: Sequence[tuple[Variable, Variable]],
    no_default_updates: bool | Sequence[BaseSharedVariable],
    on_unused_input: UnusedInputPolicy,
) -> TracedFunction:
    """Build the module of a function (see the module docstring)."""
    input_index = {variable.value: i for i, variable in enumerate(inputs)}
    for original, replacement in givens:
        _check_not_an_input(original, replacement, inputs, input_index)
        check_replacement("givens", original, replacement)
    given = {original.value: replacement.value for original, replacement in givens}
    collector = _Collector(given, input_index)
    for output in outputs:
        collector.visit(output.value)
    all_updates = list(updates)
    for _, update in all_updates:
        collector.visit(update.value)
    _add_default_updates(collector, all_updates, no_default_updates)
    _check_unused(inputs, collector.used_inputs, on_unused_input)

    block = Block(arg_types=[v.value.type for v in inputs])
    mapping: dict[SSAValue, SSAValue] = {}
    arg_attrs: list[DictionaryAttr] = []
    for arg, variable in zip(block.args, inputs, strict=True):
        _name_argument(arg, variable)
        mapping[variable.value] = arg
        arg_attrs.append(DictionaryAttr({"tg.input": StringAttr(variable.name or "")}))
    shared = list(collector.shared.values())
    for shared_variable in shared:
        arg = block.insert_arg(shared_variable.value.type, len(block.args))
        _name_argument(arg, shared_variable)
        mapping[shared_variable.value] = arg
        arg_attrs.append(DictionaryAttr({"tg.shared": StringAttr(shared_variable.name or "")}))

    for op in collector.order:
        operands = [mapping[collector.resolve(v)] for v in op.operands]
        # Bodies (tg.scan, tg.ifelse) are copied whole: they read only their own arguments.
        clone = (
            op.clone_without_regions(mapping, clone_operands=False)
            if not op.regions
            else op.clone()
        )
        clone.operands = operands
        for result, copied in zip(op.results, clone.results, strict=True):
            mapping[result] = copied
        block.add_op(clone)

    roots = [o.value for o in outputs] + [u.value for _, u in all_updates]
    results = [mapping[collector.resolve(v)] for v in roots]
    block.add_op(ReturnOp(*results))
    res_attrs: list[DictionaryAttr] = [
        DictionaryAttr({"tg.output": IntegerAttr(i, i64)}) for i in range(len(outputs))
    ] + [DictionaryAttr({"tg.update": StringAttr(target.name or "")}) for target, _ in all_updates]
    func = FuncOp(
        symbol_name(name),
        ([a.type for a in block.args], [r.type for r in results]),
        Region(block),
        arg_attrs=ArrayAttr(arg_attrs),
        res_attrs=ArrayAttr(res_attrs),
    )
    module = ModuleOp([func])
    return TracedFunction(
        module, list(inputs), shared, len(outputs), [t for t, _ in all_updates], all_updates
    )


def _check_not_an_input(
    original: Variable,
    replacement: Variable,
    inputs: Sequence[TensorVariable],
    input_index: dict[SSAValue, int],
) -> None:
    """A variable cannot be both an input and replaced by ``givens``: the value passed for it
    would never be read (Theano and PyTensor refuse it too)."""
    position = input_index.get(original.value)
    if position is None:
        return
    raise GivensReplaceInputError(
        f"input {position} {inputs[position].describe()} is also replaced by givens (with "
        f"{replacement.describe()}), so the value passed for it would never be used; a "
        "variable cannot be both an input and replaced by givens. To compute f(x) from "
        "another input y, make y the input: function([y], f(x), givens={x: g(y)})"
    )


def _name_argument(arg: SSAValue, variable: Variable) -> None:
    if variable.name and SSAValue.is_valid_name(variable.name):
        arg.name_hint = variable.name
    owner = variable.owner
    if owner is not None and isinstance(arg, SSAValue) and hasattr(arg, "location"):
        arg.location = owner.location


def _add_default_updates(
    collector: _Collector,
    updates: list[tuple[BaseSharedVariable, Variable]],
    no_default_updates: bool | Sequence[BaseSharedVariable],
) -> None:
    if no_default_updates is True:
        return
    skipped = (
        {id(v) for v in no_default_updates} if not isinstance(no_default_updates, bool) else set()
    )
    done: set[int] = set()
    while True:
        targets = {id(target) for target, _ in updates}
        pending = [
            shared
            for shared in collector.shared.values()
            if shared.default_update is not None
            and id(shared) not in targets
            and id(shared) not in skipped
            and id(shared) not in done
        ]
        if not pending:
            return
        for shared in pending:
            done.add(id(shared))
            assert shared.default_update is not None
            shared.check_update(shared.default_update)
            updates.append((shared, shared.default_update))
            collector.visit(shared.default_update.value)


def _check_unused(
    inputs: Sequence[TensorVariable], used: set[SSAValue], on_unused_input: UnusedInputPolicy
) -> None:
    if on_unused_input not in ("raise", "warn", "ignore"):
        raise ValueError(
            f"on_unused_input must be 'raise', 'warn' or 'ignore', not {on_unused_input!r}"
        )
    for position, variable in enumerate(inputs):
        if variable.value in used or on_unused_input == "ignore":
            continue
        message = (
            f"input {position} {variable.describe()} is not used to compute any output or update"
            " (pass on_unused_input='warn' or 'ignore' to allow it)"
        )
        if on_unused_input == "raise":
            raise UnusedInputError(message)
        warnings.warn(message, stacklevel=4)
