"""Reference kernels of ``tg.softmax`` and ``tg.log_softmax`` (``ir/ops/softmax.py``),
registered in ``REFERENCE_RULES`` like every other op's.

Both shift by the maximum along the axis first, as Theano's ``Softmax.perform`` did, and as
the expansion the C pipeline compiles (``passes/expand.py``) does: the same operations, so the
backends agree to the rounding of the sum. Where the maximum is infinite the shift is 0, so a
row with ``inf`` gives what the unshifted formula gives (NaN at the ``inf``, 0 elsewhere) and a
row of ``-inf`` NaN (``0 / 0``); a reduction over an empty axis raises, as ``max`` does.
"""

from __future__ import annotations

from typing import Any, TypeAlias

import numpy as np
from numpy.typing import NDArray

from tracegraph.ir import ops
from tracegraph.ir.reference_rules import Kernel, reference_rule

Array: TypeAlias = NDArray[Any]


def _shifted(x: Array, axis: int) -> Array:
    """``x - m`` with ``m = max(x, axis)``, or 0 where that is infinite: a row with an infinity
    gives what ``exp(x) / sum(exp(x))`` gives (``[inf, 1]``: ``[nan, 0]``), not ``inf - inf``
    everywhere."""
    peak = np.max(x, axis=axis, keepdims=True)
    result: Array = x - np.where(np.abs(peak) == np.inf, np.zeros((), dtype=x.dtype), peak)
    return result


@reference_rule(ops.SoftmaxOp)
def _softmax(op: ops.SoftmaxOp) -> Kernel:
    axis = op.get_axis()

    def kernel(x: Array) -> Array:
        exps = np.exp(_shifted(np.asarray(x), axis))
        result: Array = exps / np.sum(exps, axis=axis, keepdims=True)
        return result

    return kernel


@reference_rule(ops.LogSoftmaxOp)
def _log_softmax(op: ops.LogSoftmaxOp) -> Kernel:
    axis = op.get_axis()

    def kernel(x: Array) -> Array:
        shifted = _shifted(np.asarray(x), axis)
        result: Array = shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))
        return result

    return kernel
