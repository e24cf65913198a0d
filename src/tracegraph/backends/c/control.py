"""Loops and conditions on the C backend: the body of a ``tg.scan`` (each branch of a
``tg.ifelse``) compiled as a function of its own, through the same pipeline (so its
elementwise ops fuse into loops and its products call BLAS), and run by the host loop of the
op's kernel (``ir/control_kernels.py``): one call into compiled code per step.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from xdsl.dialects.builtin import ModuleOp
from xdsl.dialects.func import FuncOp
from xdsl.ir import Block, Operation

from tracegraph.ir import ops
from tracegraph.ir.control_kernels import Body, ifelse_kernel, scan_kernel
from tracegraph.ir.regions import body_function
from tracegraph.passes.pipeline import run_pipeline

CONTROL_OPS = (ops.ScanOp, ops.IfElseOp)
"""The ops whose bodies the C backend compiles."""


def compiled_body(block: Block, name: str) -> Body:
    """``block`` compiled by the C backend (or run by the reference where it has nothing to
    compile), as a function of its arguments."""
    from tracegraph.backends.c.backend import CBackend

    module = ModuleOp([body_function(block, name)])
    final = run_pipeline(module, keep=(), in_place=True)["final"]
    function = final.body.block.first_op
    assert isinstance(function, FuncOp)
    return CBackend().compile(function).run


def control_kernel(op: Operation) -> Callable[..., Any]:
    """The kernel of a scan or an ifelse with compiled bodies."""
    if isinstance(op, ops.ScanOp):
        return scan_kernel(op, compiled_body(op.body.block, "scan_step"))
    assert isinstance(op, ops.IfElseOp)
    return ifelse_kernel(
        op,
        compiled_body(op.then_body.block, "ifelse_then"),
        compiled_body(op.else_body.block, "ifelse_else"),
    )
