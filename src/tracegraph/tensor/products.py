"""Products beyond matrices: ``tensordot``, ``batched_dot``, ``batched_tensordot`` and the
``dot`` of N-d tensors (NumPy's), each moved into one matrix product by transposes and
reshapes, so that every backend runs it as its ``tg.dot`` (BLAS in C, a kernel in Triton).

>>> import numpy as np
>>> import tracegraph.tensor as T
>>> T.tensordot(np.ones((2, 3, 4)), np.ones((4, 3)), axes=[[1, 2], [1, 0]]).eval().tolist()
[12.0, 12.0]
"""

from __future__ import annotations

from collections.abc import Sequence

from tracegraph.tensor import math as tm
from tracegraph.tensor.elemwise import as_operands
from tracegraph.tensor.shapes import dimshuffle, reshape
from tracegraph.tensor.variable import TensorLike, TensorVariable

Axes = int | Sequence[int] | Sequence[Sequence[int]]


def _summed_axes(axes: Axes, a_ndim: int, b_ndim: int) -> tuple[list[int], list[int]]:
    """NumPy's ``axes`` argument as two lists of axes, of ``a`` and of ``b``."""
    if isinstance(axes, int):
        if not 0 <= axes <= min(a_ndim, b_ndim):
            raise ValueError(f"tensordot: cannot sum {axes} axes of ranks {a_ndim} and {b_ndim}")
        return list(range(a_ndim - axes, a_ndim)), list(range(axes))
    pair = list(axes)
    if len(pair) != 2:
        raise ValueError("tensordot: axes must be an int or a pair of axis lists")
    first, second = (_axis_list(entry) for entry in pair)
    if len(first) != len(second):
        raise ValueError("tensordot: the two axis lists must have the same length")
    a_axes = [axis % a_ndim for axis in first]
    b_axes = [axis % b_ndim for axis in second]
    return a_axes, b_axes


def _axis_list(entry: object) -> list[int]:
    if isinstance(entry, int):
        return [entry]
    if isinstance(entry, Sequence):
        return [int(axis) for axis in entry]
    raise TypeError(f"tensordot: an axis list must be an int or a sequence of ints, not {entry!r}")


def tensordot(a: TensorLike, b: TensorLike, axes: Axes = 2) -> TensorVariable:
    """The sum of products over the given axes (NumPy's ``tensordot``): the last ``axes`` of
    ``a`` with the first of ``b``, or the axes of two lists paired in order.

    >>> import numpy as np
    >>> tensordot(np.arange(6.0).reshape(2, 3), np.ones(3), axes=1).eval().tolist()
    [3.0, 12.0]
    """
    x, y = as_operands([a, b])
    a_axes, b_axes = _summed_axes(axes, x.ndim, y.ndim)
    a_free = [axis for axis in range(x.ndim) if axis not in a_axes]
    b_free = [axis for axis in range(y.ndim) if axis not in b_axes]
    x_moved = dimshuffle(x, [*a_free, *a_axes])
    y_moved = dimshuffle(y, [*b_axes, *b_free])
    rows = _product([x.shape[axis] for axis in a_free])
    inner = _product([x.shape[axis] for axis in a_axes])
    columns = _product([y.shape[axis] for axis in b_free])
    matrix = tm.dot(
        reshape(x_moved, [rows, inner], ndim=2), reshape(y_moved, [inner, columns], ndim=2)
    )
    sizes = [x.shape[axis] for axis in a_free] + [y.shape[axis] for axis in b_free]
    return reshape(matrix, sizes, ndim=len(sizes))


def _product(sizes: Sequence[TensorVariable]) -> TensorVariable | int:
    result: TensorVariable | int = 1
    for size in sizes:
        result = size if isinstance(result, int) else result * size
    return result


def nd_dot(a: TensorVariable, b: TensorVariable) -> TensorVariable:
    """NumPy's ``dot`` of tensors of any rank: the last axis of ``a`` with the second-to-last
    of ``b`` (its only axis for a vector)."""
    return tensordot(a, b, [[a.ndim - 1], [max(b.ndim - 2, 0)]])


def batched_dot(a: TensorLike, b: TensorLike) -> TensorVariable:
    """One product per leading (batch) index: ``result[i] = dot(a[i], b[i])`` (Theano's
    ``batched_dot``), computed as a sum of broadcast products.

    >>> import numpy as np
    >>> batched_dot(np.ones((2, 1, 3)), np.ones((2, 3, 4))).eval().shape
    (2, 1, 4)
    >>> batched_dot(np.ones((2, 3)), np.ones((2, 3))).eval().tolist()
    [3.0, 3.0]
    """
    x, y = as_operands([a, b])
    if x.ndim < 2 or y.ndim < 2:
        raise ValueError("batched_dot: both operands need a batch axis and at least one more")
    # x[i] is (..., k) and y[i] is (k, ...) or (k,): align k and sum over it.
    x_rest, y_rest = x.ndim - 2, max(y.ndim - 2, 0)
    x_wide = dimshuffle(x, [*range(x.ndim), *["x"] * y_rest])
    y_pattern: list[int | str] = [0, *["x"] * x_rest, *range(1, y.ndim)]
    y_wide = dimshuffle(y, y_pattern)
    return tm.sum(tm.mul(x_wide, y_wide), axis=x.ndim - 1)


def batched_tensordot(x: TensorLike, y: TensorLike, axes: Axes = 2) -> TensorVariable:
    """``tensordot`` per leading (batch) index (Theano's ``batched_tensordot``): ``axes``
    count from the axis after the batch axis, or name axes of ``x`` and ``y`` (never 0).

    >>> import numpy as np
    >>> batched_tensordot(np.ones((2, 3, 4)), np.ones((2, 4, 5)), axes=[[2], [1]]).eval().shape
    (2, 3, 5)
    """
    a, b = as_operands([x, y])
    if isinstance(axes, int):
        a_axes = list(range(a.ndim - axes, a.ndim))
        b_axes = list(range(1, axes + 1))
    else:
        a_axes, b_axes = _summed_axes(axes, a.ndim, b.ndim)
    if 0 in a_axes or 0 in b_axes:
        raise ValueError("batched_tensordot: the batch axis (0) cannot be summed")
    a_free = [axis for axis in range(1, a.ndim) if axis not in a_axes]
    b_free = [axis for axis in range(1, b.ndim) if axis not in b_axes]
    a_moved = dimshuffle(a, [0, *a_free, *a_axes, *["x"] * len(b_free)])
    # b: batch, (broadcast over a's free axes), summed axes, then its free axes.
    b_moved = dimshuffle(b, [0, *["x"] * len(a_free), *b_axes, *b_free])
    # Sum the summed axes, now at positions 1 + len(a_free) ... of both.
    first = 1 + len(a_free)
    summed = list(range(first, first + len(a_axes)))
    product = tm.mul(a_moved, b_moved)
    return tm.sum(product, axis=summed)
