"""Pickling compiled functions: ``Function.__reduce__`` pickles the text of its traced and final
stages and the ops users wrote in Python that they apply; ``restore_function`` parses them back
(registering those ops in the new process under the keys they get there)."""

from __future__ import annotations

from typing import Any

from xdsl.dialects.builtin import ModuleOp

from tracegraph.compile.function import _MISSING, Function
from tracegraph.compile.io import In
from tracegraph.compile.modes import Mode
from tracegraph.compile.shared import BaseSharedVariable
from tracegraph.ir import ops
from tracegraph.ir.dialect import parse_module
from tracegraph.ir.python_ops import lookup, register
from tracegraph.tensor.op import perform_of
from tracegraph.tensor.types import TensorType


def restore_function(
    name: str | None,
    specs: list[tuple[Any, ...]],
    defaults: list[Any],
    shared: list[BaseSharedVariable],
    num_outputs: int,
    update_targets: list[BaseSharedVariable],
    single_output: bool,
    texts: dict[str, str],
    mode: Mode,
    allow_input_downcast: bool | None,
    return_device: bool = False,
    output_keys: tuple[str, ...] | None = None,
    input_updates: tuple[int, ...] = (),
    user_ops: dict[str, Any] | None = None,
) -> Function[Any]:
    parsed: dict[str, ModuleOp] = {}
    stages: dict[str, ModuleOp] = {}
    texts = _with_user_ops_registered(texts, user_ops or {})
    for stage, text in texts.items():
        # Stages that shared one module before pickling share one again (parsed once).
        if text not in parsed:
            parsed[text] = parse_module(text)
        stages[stage] = parsed[text]
    inputs = []
    for dtype, shape, input_name, value, strict, allow, mutable, borrow in specs:
        variable = TensorType(dtype, shape=shape)(input_name)
        inputs.append(
            In(
                variable,
                name=input_name,
                value=value,
                strict=strict,
                allow_downcast=allow,
                mutable=mutable,
                borrow=borrow,
            )
        )
    function: Function[Any] = Function(
        name=name,
        inputs=inputs,
        shared=shared,
        num_outputs=num_outputs,
        update_targets=update_targets,
        single_output=single_output,
        stages=stages,
        mode=mode,
        allow_input_downcast=allow_input_downcast,
        return_device=return_device,
        output_keys=output_keys,
        input_updates=input_updates,
    )
    function._defaults = [_MISSING if d is None else d for d in defaults]
    return function


def user_ops_of(*modules: ModuleOp) -> dict[str, Any]:
    """The ops written in Python that the modules apply, by key: pickled with a function, so
    that another process can run it (their classes must be importable there)."""
    found: dict[str, Any] = {}
    for module in modules:
        for op in module.walk():
            if isinstance(op, ops.PythonOp):
                found[op.get_key()] = lookup(op.get_key()).instance
    return found


def _with_user_ops_registered(texts: dict[str, str], user_ops: dict[str, Any]) -> dict[str, str]:
    """Register the unpickled user ops in this process and name them in ``texts`` by the keys
    they have here (an equal op registered before keeps its key)."""
    renamed = dict(texts)
    for key, instance in user_ops.items():
        new_key = register(instance, perform_of(instance))
        if new_key != key:
            for stage, text in renamed.items():
                renamed[stage] = text.replace(f'"{key}"', f'"{new_key}"')
    return renamed
