"""What the compiled backends share about the steps of a lowered function (one step per
kernel): the error each kind of failure raises, and the ops a step's errors may name."""

from __future__ import annotations

from xdsl.ir import Operation

from tracegraph.errors import (
    IndexOutOfBoundsError,
    RuntimeOpError,
    ShapeMismatchError,
    TracegraphError,
)
from tracegraph.lowering import dialect as tgk

STEP_ERRORS: dict[str, type[TracegraphError]] = {
    "shape": ShapeMismatchError,
    "index": IndexOutOfBoundsError,
    "runtime": RuntimeOpError,
}
"""The error of each kind of failure a step reports (``shape``, ``index``, ``runtime``)."""


def blames(kernel: Operation) -> list[tuple[Operation, str]]:
    """The ops a step's errors may name, with the names the user knows them by: the ``tg``
    op a kernel stands for (0), then the ops of a loop's body (1 + their position).

    >>> from tracegraph.lowering import lower_module, parse_lowered
    >>> module = lower_module(parse_lowered('''
    ... func.func @f(%x: tensor<?xf64>) -> tensor<?xf64> {
    ...   %y = tg.exp %x : tensor<?xf64> -> tensor<?xf64>
    ...   func.return %y : tensor<?xf64>
    ... }'''), "c")
    >>> loop = module.body.block.first_op.body.block.first_op
    >>> [name for _, name in blames(loop)]
    ['tg.exp', 'tg.exp']
    """
    if isinstance(kernel, tgk.LoopOp):
        return [(kernel, kernel.source_name()), *((op, op.name) for op in kernel.computed())]
    if isinstance(kernel, tgk.HostCallOp):
        return [(kernel.callee, kernel.callee.name)]
    return [(kernel, tgk.SOURCE_NAMES[type(kernel)])]
