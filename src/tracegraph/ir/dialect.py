"""The ``tg`` dialect object, and printing/parsing of modules that use it."""

from __future__ import annotations

import io

from xdsl.context import Context
from xdsl.dialects.builtin import Builtin, ModuleOp
from xdsl.dialects.func import Func
from xdsl.ir import Dialect, Operation
from xdsl.parser import Parser
from xdsl.printer import Printer

from tracegraph.ir import ops
from tracegraph.ir.types import RandomStateIRType

TG_OPERATIONS: tuple[type[Operation], ...] = tuple(
    cls
    for cls in vars(ops).values()
    if isinstance(cls, type)
    and issubclass(cls, Operation)
    and isinstance(getattr(cls, "name", None), str)
    and str(getattr(cls, "name", "")).startswith("tg.")
)
"""Every op class of the dialect; rule tables are tested against this tuple."""

TG = Dialect("tg", list(TG_OPERATIONS), [RandomStateIRType])


def make_context() -> Context:
    """An xDSL context with the builtin, func and tg dialects loaded.

    >>> make_context().get_optional_op("tg.add") is not None
    True
    """
    context = Context()
    context.load_dialect(Builtin)
    context.load_dialect(Func)
    context.load_dialect(TG)
    return context


def print_module(module: Operation, *, locations: bool = True) -> str:
    """MLIR text of a module (or any op), with ``loc(...)`` of every op when ``locations``."""
    stream = io.StringIO()
    Printer(stream=stream, print_debuginfo=locations).print_op(module)
    return stream.getvalue() + "\n"


def parse_module(text: str) -> ModuleOp:
    """Parse MLIR text that uses the tg dialect back into a module.

    >>> module = parse_module('builtin.module {}')
    >>> isinstance(module, ModuleOp)
    True
    """
    return Parser(make_context(), text).parse_module()
