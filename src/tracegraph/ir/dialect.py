"""The ``tg`` dialect object, and printing/parsing of modules that use it."""

from __future__ import annotations

import importlib
import io
import pkgutil
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType

from xdsl.context import Context
from xdsl.dialects.builtin import Builtin, ModuleOp
from xdsl.dialects.func import Func
from xdsl.ir import Dialect, Operation
from xdsl.irdl import IRDLOperation
from xdsl.parser import Parser
from xdsl.printer import Printer

from tracegraph.ir import ops
from tracegraph.ir.types import RandomStateIRType


def operations_of(module: ModuleType) -> list[type[Operation]]:
    """The op classes of the dialect that ``module`` defines: its IRDL op classes named ``tg.*``
    (not the bases they derive from, which have no name, nor classes it imports).

    >>> from tracegraph.ir.ops import linalg
    >>> [op.name for op in operations_of(linalg)]
    ['tg.dot']
    """
    return [
        cls
        for cls in vars(module).values()
        if isinstance(cls, type)
        and issubclass(cls, IRDLOperation)
        and cls.__module__ == module.__name__
        and str(getattr(cls, "name", "")).startswith("tg.")
    ]


def op_modules() -> list[ModuleType]:
    """Every module of the package ``tracegraph.ir.ops`` (one op family each)."""
    return [
        importlib.import_module(f"{ops.__name__}.{info.name}")
        for info in pkgutil.iter_modules(ops.__path__)
    ]


TG_OPERATIONS: tuple[type[Operation], ...] = tuple(
    op for module in op_modules() for op in operations_of(module)
)
"""Every op class of the dialect: the ``tg.*`` IRDL op classes the modules of
``tracegraph.ir.ops`` define, whatever ``ir/ops/__init__.py`` exports; rule tables are tested
against it."""

TG = Dialect("tg", list(TG_OPERATIONS), [RandomStateIRType])

_REGISTERED_MODULES: list[ModuleType] = []
"""Modules whose ops :func:`registered_op_module` adds to the dialect for a while (tests)."""


def tg_operations() -> tuple[type[Operation], ...]:
    """The op classes of the dialect now: ``TG_OPERATIONS`` and the ops of the modules a test
    registered with :func:`registered_op_module`.

    >>> tg_operations() == TG_OPERATIONS
    True
    """
    return TG_OPERATIONS + tuple(
        op for module in _REGISTERED_MODULES for op in operations_of(module)
    )


@contextmanager
def registered_op_module(module: ModuleType) -> Iterator[list[type[Operation]]]:
    """For tests: while the block runs, the ops ``module`` defines belong to the dialect, found
    as the ops of ``tracegraph.ir.ops`` are (:func:`operations_of`): :func:`tg_operations` lists
    them and :func:`make_context` parses them. Yields those op classes.

    >>> import types
    >>> with registered_op_module(types.ModuleType("no_ops")) as added:
    ...     added
    []
    """
    _REGISTERED_MODULES.append(module)
    try:
        yield operations_of(module)
    finally:
        _REGISTERED_MODULES.remove(module)


def make_context() -> Context:
    """An xDSL context with the builtin, func and tg dialects loaded.

    >>> make_context().get_optional_op("tg.add") is not None
    True
    """
    context = Context()
    context.load_dialect(Builtin)
    context.load_dialect(Func)
    if _REGISTERED_MODULES:
        context.load_dialect(Dialect("tg", list(tg_operations()), list(TG.attributes)))
    else:
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
