"""Lowering: the final ``tg`` module as the kernel dialect ``tgk`` of one target.

``dialect.py`` declares the kernel ops, ``target.py`` what a target says it runs, ``lower.py``
the ``lower{target=...}`` pass. Lowered modules print and parse like every other stage.
"""

from __future__ import annotations

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.dialects.func import FuncOp
from xdsl.parser import Parser

from tracegraph.ir.dialect import make_context
from tracegraph.lowering.dialect import TGK, TGK_OPERATIONS
from tracegraph.lowering.lower import LowerPass, lower_function
from tracegraph.lowering.target import Target, register_target, target


def lowering_context() -> Context:
    """An xDSL context with the builtin, func, tg and tgk dialects loaded.

    >>> lowering_context().get_optional_op("tgk.loop") is not None
    True
    """
    context = make_context()
    context.load_dialect(TGK)
    return context


def parse_lowered(text: str, name: str = "<unknown>") -> ModuleOp:
    """Parse MLIR text that may use the tg and tgk dialects (``name``: the file, for errors).

    >>> parse_lowered("builtin.module {}").ops.first is None
    True
    """
    return Parser(lowering_context(), text, name).parse_module()


def lower_module(module: ModuleOp, target_name: str) -> ModuleOp:
    """``module`` with every function lowered for the target (in place; returned for
    convenience).

    >>> module = lower_module(parse_lowered('''
    ... func.func @f(%x: tensor<?xf64>) -> tensor<?xf64> {
    ...   %y = tg.exp %x : tensor<?xf64> -> tensor<?xf64>
    ...   func.return %y : tensor<?xf64>
    ... }'''), "c")
    >>> [op.name for op in module.body.block.first_op.body.block.ops]
    ['tgk.loop', 'func.return']
    """
    LowerPass(target_name).apply(lowering_context(), module)
    return module


def lowered(func: FuncOp, target_name: str, *, verify: bool = False) -> FuncOp:
    """``func`` (of the final stage) lowered for the target, as a new function; ``func`` is
    unchanged. ``verify`` checks the kernels' verifiers too: the tests do, on every function of
    the backend suite (the ``kernels`` backend) and of the golden files; compiling leaves it
    out, since lowering builds the kernels from ops already verified (it costs as much as the
    lowering itself)."""
    kernels = lower_function(func, target(target_name))
    if verify:
        kernels.verify()
    return kernels


__all__ = [
    "TGK",
    "TGK_OPERATIONS",
    "LowerPass",
    "Target",
    "lower_module",
    "lowered",
    "lowering_context",
    "parse_lowered",
    "register_target",
    "target",
]
