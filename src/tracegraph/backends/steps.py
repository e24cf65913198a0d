"""What the compiled backends share about the steps of a lowered function (one step per
kernel): the error each kind of failure raises, and the ops a step's errors may name."""

from __future__ import annotations

from xdsl.ir import Operation

from tracegraph.errors import (
    IndexOutOfBoundsError,
    InvalidValueError,
    RuntimeOpError,
    ShapeMismatchError,
    TracegraphError,
)
from tracegraph.ir import ops
from tracegraph.lowering import dialect as tgk

STEP_ERRORS: dict[str, type[TracegraphError]] = {
    "shape": ShapeMismatchError,
    "index": IndexOutOfBoundsError,
    "value": InvalidValueError,
    "runtime": RuntimeOpError,
}
"""The error of each kind of failure a step reports (``shape``, ``index``, ``value``,
``runtime``); the kind ``error`` hands over an exception the step's code raised without naming
the op (NumPy's ``MemoryError`` of an allocation), to be raised again, located."""

NUMPY_REDUCTION_NAMES = {"tg.max": "maximum", "tg.min": "minimum"}
"""The names NumPy's message of an empty reduction gives these ops."""


def empty_reduction_message(name: str) -> str:
    """What a maximum or minimum of nothing says after the shape of its operand, in NumPy's
    words (the reference's message is ``<op> of an array of shape <shape>: <this>``).

    >>> empty_reduction_message("tg.max")
    'zero-size array to reduction operation maximum which has no identity'
    """
    reduction = NUMPY_REDUCTION_NAMES.get(name, name.removeprefix("tg."))
    return f"zero-size array to reduction operation {reduction} which has no identity"


def reduction_blame(loop: tgk.LoopOp, reduction: ops.ReductionOp) -> int:
    """The position of ``reduction`` among the ops a step's errors may name (:func:`blames`)."""
    reductions = [op for op in loop.body.block.ops if isinstance(op, ops.ReductionOp)]
    return 1 + len(loop.computed()) + reductions.index(reduction)


def blames(kernel: Operation) -> list[tuple[Operation, str]]:
    """The ops a step's errors may name, with the names the user knows them by: the ``tg``
    op a kernel stands for (0), then the ops of a loop's body computed per element (1 + their
    position), then its reductions (:func:`reduction_blame`).

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
        reductions = [op for op in kernel.body.block.ops if isinstance(op, ops.ReductionOp)]
        computed = [*kernel.computed(), *reductions]
        return [(kernel, kernel.source_name()), *((op, op.name) for op in computed)]
    if isinstance(kernel, tgk.HostCallOp):
        return [(kernel.callee, kernel.callee.name)]
    return [(kernel, tgk.SOURCE_NAMES[type(kernel)])]
