"""Theano's ``extra_ops`` and the array functions around them: running sums and products,
sorting, ``repeat``, ``tile``, ``roll``, ``diag``/``diagonal``/``trace``, ``eye``, ``squeeze``
and the broadcast-pattern helpers, built from the dialect's ops.

>>> import numpy as np
>>> import tracegraph.tensor as T
>>> T.cumsum(np.array([1, 2, 3])).eval().tolist()
[1, 3, 6]
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import DTypeLike

from tracegraph.ir import ops
from tracegraph.ir.types import tensor_type
from tracegraph.tensor import math as tm
from tracegraph.tensor.basic import alloc, cast
from tracegraph.tensor.shapes import arange, concatenate, dimshuffle, flatten, reshape, stack
from tracegraph.tensor.subtensor import nonzero_indices
from tracegraph.tensor.variable import TensorLike, TensorVariable, as_tensor_variable, emit


def _axis(axis: int, ndim: int, what: str) -> int:
    if not -ndim <= axis < ndim:
        raise ValueError(f"{what}: axis {axis} is out of range for a tensor of rank {ndim}")
    return axis % ndim


def _along_axis(
    op_class: type[ops.AlongAxisOp], x: TensorLike, axis: int | None, dtype: str | None = None
) -> TensorVariable:
    variable = as_tensor_variable(x)
    if axis is None or variable.ndim == 0:
        variable, axis = flatten(variable), 0
    axis = _axis(axis, variable.ndim, op_class.name)
    result = tensor_type(dtype or variable.dtype, variable.type.shape)
    return emit(op_class(variable.value, axis, result))


def _accumulated_dtype(dtype: str) -> str:
    """The dtype NumPy's ``cumsum``/``cumprod`` accumulate ``dtype`` in."""
    return np.cumsum(np.zeros(1, dtype=dtype)).dtype.name


def cumsum(x: TensorLike, axis: int | None = None) -> TensorVariable:
    """Running sum along ``axis`` (over the flattened tensor when ``None``), as NumPy's
    ``cumsum`` (narrow integers and bools accumulate in int64).

    >>> cumsum(np.array([[1, 2], [3, 4]]), axis=0).eval().tolist()
    [[1, 2], [4, 6]]
    """
    dtype = _accumulated_dtype(as_tensor_variable(x).dtype)
    return _along_axis(ops.CumsumOp, x, axis, dtype)


def cumprod(x: TensorLike, axis: int | None = None) -> TensorVariable:
    """Running product along ``axis`` (over the flattened tensor when ``None``).

    >>> cumprod(np.array([1.0, 2.0, 3.0])).eval().tolist()
    [1.0, 2.0, 6.0]
    """
    dtype = _accumulated_dtype(as_tensor_variable(x).dtype)
    return _along_axis(ops.CumprodOp, x, axis, dtype)


def sort(a: TensorLike, axis: int | None = -1, kind: str = "quicksort") -> TensorVariable:
    """``a`` sorted along ``axis``, ascending, NaN last (over the flattened tensor when
    ``None``). ``kind`` is accepted for Theano's signature: every sort gives the same values.

    >>> sort(np.array([3.0, np.nan, 1.0])).eval().tolist()
    [1.0, 3.0, nan]
    """
    _check_kind(kind)
    return _along_axis(ops.SortOp, a, axis)


def argsort(a: TensorLike, axis: int | None = -1, kind: str = "quicksort") -> TensorVariable:
    """The int64 indices that sort ``a`` along ``axis``. Equal values keep their order (a
    stable sort, whatever ``kind``: every backend gives the same indices).

    >>> argsort(np.array([3, 1, 2, 1])).eval().tolist()
    [1, 3, 2, 0]
    """
    _check_kind(kind)
    return _along_axis(ops.ArgsortOp, a, axis, "int64")


def _check_kind(kind: str) -> None:
    if kind not in ("quicksort", "mergesort", "heapsort", "stable"):
        raise ValueError(f"sort: unknown kind {kind!r} (quicksort, mergesort, heapsort, stable)")


def _axis_grids(shape_of: TensorVariable, ndim: int, axis: int) -> list[TensorVariable]:
    """Integer index grids that broadcast to a tensor's shape, one per axis but ``axis``."""
    grids = []
    for other in range(ndim):
        if other == axis:
            continue
        pattern: list[int | str] = ["x"] * ndim
        pattern[other] = 0
        grids.append(dimshuffle(arange(shape_of[other]), pattern))
    return grids


def take_along_axis(x: TensorLike, indices: TensorLike, axis: int) -> TensorVariable:
    """The elements of ``x`` at ``indices`` along ``axis`` (NumPy's ``take_along_axis``).

    >>> take_along_axis(np.array([[10, 30, 20]]), np.array([[0, 2, 1]]), 1).eval().tolist()
    [[10, 20, 30]]
    """
    variable, index = as_tensor_variable(x), as_tensor_variable(indices)
    if index.ndim != variable.ndim:
        raise ValueError("take_along_axis: indices must have the rank of x")
    axis = _axis(axis, variable.ndim, "take_along_axis")
    grids = _axis_grids(variable.shape, variable.ndim, axis)
    key = [*grids[:axis], index, *grids[axis:]]
    return variable[tuple(key)]


def flip(x: TensorLike, axis: int) -> TensorVariable:
    """``x`` reversed along ``axis``.

    >>> flip(np.array([1, 2, 3]), 0).eval().tolist()
    [3, 2, 1]
    """
    variable = as_tensor_variable(x)
    axis = _axis(axis, variable.ndim, "flip")
    key = [slice(None)] * axis + [slice(None, None, -1)]
    return variable[tuple(key)]


def repeat(x: TensorLike, repeats: int | TensorLike, axis: int | None = None) -> TensorVariable:
    """Each element repeated ``repeats`` times along ``axis`` (NumPy's ``repeat``: over the
    flattened tensor when ``None``); ``repeats`` is an int, or one count per element.

    >>> repeat(np.array([1, 2]), 2).eval().tolist()
    [1, 1, 2, 2]
    >>> repeat(np.array([[1, 2]]), [1, 3], axis=1).eval().tolist()
    [[1, 2, 2, 2]]
    """
    variable = as_tensor_variable(x)
    if axis is None:
        variable, axis = flatten(variable), 0
    axis = _axis(axis, variable.ndim, "repeat")
    counts = as_tensor_variable(repeats)
    if counts.ndim == 0:
        # Element i of the result is element i // repeats of x.
        size = variable.shape[axis] * counts
        source = tm.int_div(arange(size), counts)
    else:
        # The source of each result element: how many boundaries (running sums) lie at or
        # below its position.
        ends = cumsum(counts)
        positions = arange(ends[-1])
        source = tm.sum(tm.ge(dimshuffle(positions, [0, "x"]), dimshuffle(ends, ["x", 0])), axis=1)
    key = [slice(None)] * axis + [source]
    return variable[tuple(key)]


def tile(x: TensorLike, reps: Sequence[int], ndim: int | None = None) -> TensorVariable:
    """``x`` repeated ``reps[i]`` times along axis ``i`` (NumPy's ``tile``; ``reps`` longer
    than the rank adds leading axes).

    >>> tile(np.array([1, 2]), [2]).eval().tolist()
    [1, 2, 1, 2]
    >>> tile(np.array([[1, 2]]), [2, 1]).eval().tolist()
    [[1, 2], [1, 2]]
    """
    variable = as_tensor_variable(x)
    reps = [int(r) for r in reps]
    rank = builtins.max(variable.ndim, len(reps), ndim or 0)
    reps = [1] * (rank - len(reps)) + reps
    variable = dimshuffle(variable, ["x"] * (rank - variable.ndim) + list(range(variable.ndim)))
    # Each axis i becomes (reps[i], size_i): a broadcast copy, then merged by a reshape.
    pattern: list[int | str] = []
    for axis in range(rank):
        pattern += ["x", axis]
    spread = dimshuffle(variable, pattern)
    sizes = [variable.shape[axis] for axis in range(rank)]
    target: list[TensorLike] = []
    for axis in range(rank):
        target += [reps[axis], sizes[axis]]
    copies = alloc(spread, *target)
    return reshape(copies, [reps[axis] * sizes[axis] for axis in range(rank)], ndim=rank)


def roll(x: TensorLike, shift: int | TensorLike, axis: int | None = None) -> TensorVariable:
    """``x`` shifted by ``shift`` along ``axis``, elements wrapping around (NumPy's ``roll``;
    over the flattened tensor, reshaped back, when ``None``).

    >>> roll(np.array([1, 2, 3, 4]), 1).eval().tolist()
    [4, 1, 2, 3]
    """
    variable = as_tensor_variable(x)
    if axis is None:
        return reshape(roll(flatten(variable), shift, 0), variable.shape, ndim=variable.ndim)
    axis = _axis(axis, variable.ndim, "roll")
    size = variable.shape[axis]
    start = tm.mod(tm.neg(shift), tm.maximum(size, 1))  # roll by s starts at element -s
    source = tm.mod(arange(size) + start, tm.maximum(size, 1))
    key = [slice(None)] * axis + [source]
    return variable[tuple(key)]


def diagonal(a: TensorLike, offset: int = 0, axis1: int = 0, axis2: int = 1) -> TensorVariable:
    """The diagonal of ``a`` over ``axis1`` and ``axis2``, as the last axis (NumPy's
    ``diagonal``).

    >>> diagonal(np.arange(9).reshape(3, 3), 1).eval().tolist()
    [1, 5]
    """
    variable = as_tensor_variable(a)
    ndim = variable.ndim
    if ndim < 2:
        raise ValueError("diagonal: needs a tensor of rank 2 or more")
    axis1, axis2 = _axis(axis1, ndim, "diagonal"), _axis(axis2, ndim, "diagonal")
    if axis1 == axis2:
        raise ValueError("diagonal: axis1 and axis2 must differ")
    rest = [axis for axis in range(ndim) if axis not in (axis1, axis2)]
    moved = dimshuffle(variable, [*rest, axis1, axis2])
    rows, columns = moved.shape[ndim - 2], moved.shape[ndim - 1]
    if offset >= 0:
        length = tm.maximum(tm.minimum(rows, columns - offset), 0)
        row_index = arange(length)
        column_index = row_index + offset
    else:
        length = tm.maximum(tm.minimum(rows + offset, columns), 0)
        column_index = arange(length)
        row_index = column_index - offset
    key: list[slice | TensorVariable] = [slice(None)] * len(rest) + [row_index, column_index]
    return moved[tuple(key)]


def diag(v: TensorLike, k: int = 0) -> TensorVariable:
    """A vector's diagonal matrix, or a matrix's diagonal (NumPy's ``diag``).

    >>> diag(np.array([1, 2])).eval().tolist()
    [[1, 0], [0, 2]]
    >>> diag(np.array([[1, 2], [3, 4]])).eval().tolist()
    [1, 4]
    """
    from tracegraph.tensor.subtensor import set_subtensor

    variable = as_tensor_variable(v)
    if variable.ndim == 2:
        return diagonal(variable, k)
    if variable.ndim != 1:
        raise ValueError("diag: takes a vector or a matrix")
    size = variable.shape[0] + abs(k)
    square = alloc(cast(0, variable.dtype), size, size)
    index = arange(variable.shape[0])
    rows, columns = (index, index + k) if k >= 0 else (index - k, index)
    return set_subtensor(square[rows, columns], variable)


def trace(a: TensorLike, offset: int = 0, axis1: int = 0, axis2: int = 1) -> TensorVariable:
    """The sum of the diagonal.

    >>> int(trace(np.arange(9).reshape(3, 3)).eval())
    12
    """
    return tm.sum(diagonal(a, offset, axis1, axis2), axis=-1)


def eye(
    n: int | TensorLike,
    m: int | TensorLike | None = None,
    k: int = 0,
    dtype: DTypeLike | None = None,
) -> TensorVariable:
    """An ``n`` by ``m`` matrix of ones on the ``k``-th diagonal (floatX by default).

    >>> eye(2, dtype="int64").eval().tolist()
    [[1, 0], [0, 1]]
    """
    from tracegraph.config import config

    rows = arange(n)
    columns = arange(n if m is None else m)
    on_diagonal = tm.eq(dimshuffle(rows, [0, "x"]) + k, dimshuffle(columns, ["x", 0]))
    return cast(on_diagonal, dtype if dtype is not None else config.floatX)


def identity_like(x: TensorLike) -> TensorVariable:
    """The identity matrix of ``x``'s shape and dtype.

    >>> identity_like(np.zeros((2, 3))).eval().tolist()
    [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]
    """
    variable = as_tensor_variable(x)
    return eye(variable.shape[0], variable.shape[1], dtype=variable.dtype)


def squeeze(x: TensorLike, axis: int | Sequence[int] | None = None) -> TensorVariable:
    """``x`` without its broadcastable (size-1) axes, or only those of ``axis``.

    >>> squeeze(np.zeros((1, 3, 1))).type.shape
    (3,)
    """
    variable = as_tensor_variable(x)
    if axis is None:
        dropped = {i for i, b in enumerate(variable.broadcastable) if b}
    else:
        axes = [axis] if isinstance(axis, int) else list(axis)
        dropped = {_axis(a, variable.ndim, "squeeze") for a in axes}
        for a in dropped:
            if not variable.broadcastable[a]:
                raise ValueError(f"squeeze: axis {a} is not broadcastable (size 1)")
    return dimshuffle(variable, [i for i in range(variable.ndim) if i not in dropped])


def shape_padleft(t: TensorLike, n_ones: int = 1) -> TensorVariable:
    """``t`` with ``n_ones`` broadcastable axes added on the left."""
    variable = as_tensor_variable(t)
    return dimshuffle(variable, ["x"] * n_ones + list(range(variable.ndim)))


def shape_padright(t: TensorLike, n_ones: int = 1) -> TensorVariable:
    """``t`` with ``n_ones`` broadcastable axes added on the right.

    >>> shape_padright(np.zeros(3)).type.shape
    (3, 1)
    """
    variable = as_tensor_variable(t)
    return dimshuffle(variable, list(range(variable.ndim)) + ["x"] * n_ones)


def shape_padaxis(t: TensorLike, axis: int) -> TensorVariable:
    """``t`` with one broadcastable axis inserted at ``axis`` (negative counts from the end of
    the result).

    >>> shape_padaxis(np.zeros((2, 3)), 1).type.shape
    (2, 1, 3)
    """
    variable = as_tensor_variable(t)
    ndim = variable.ndim + 1
    if not -ndim <= axis < ndim:
        raise ValueError(f"shape_padaxis: axis {axis} is out of range for rank {ndim}")
    axis %= ndim
    pattern: list[int | str] = list(range(variable.ndim))
    pattern.insert(axis, "x")
    return dimshuffle(variable, pattern)


def join(axis: int, *tensors: TensorLike) -> TensorVariable:
    """Theano's ``join``: ``concatenate(tensors, axis)``, the axis first."""
    return concatenate(list(tensors), axis)


def vertical_stack(*tensors: TensorLike) -> TensorVariable:
    """Matrices joined along their rows (NumPy's ``vstack`` of matrices)."""
    return concatenate(list(tensors), 0)


def horizontal_stack(*tensors: TensorLike) -> TensorVariable:
    """Matrices joined along their columns (NumPy's ``hstack`` of matrices)."""
    return concatenate(list(tensors), 1)


def specify_shape(x: TensorLike, shape: Sequence[int | None]) -> TensorVariable:
    """``x``, known to have ``shape`` (``None``: any size on that axis). The sizes are checked
    when the function runs; passes and backends may rely on them.

    >>> import tracegraph.tensor as T
    >>> T.specify_shape(T.dmatrix(), (None, 3)).type
    TensorType(float64, shape=(?, 3))
    """
    variable = as_tensor_variable(x)
    sizes = tuple(None if size is None else int(size) for size in shape)
    if len(sizes) != variable.ndim:
        raise ValueError(
            f"specify_shape: {len(sizes)} sizes given for a tensor of rank {variable.ndim}"
        )
    for axis, (known, wanted) in enumerate(zip(variable.type.shape, sizes, strict=True)):
        if known is not None and wanted is not None and known != wanted:
            raise ValueError(f"specify_shape: axis {axis} has size {known}, not {wanted}")
    # An axis specified as unknown keeps what the operand's type knows of it.
    merged = tuple(
        w if w is not None else k for k, w in zip(variable.type.shape, sizes, strict=True)
    )
    return _retyped(variable, merged)


def _retyped(variable: TensorVariable, shape: tuple[int | None, ...]) -> TensorVariable:
    if shape == variable.type.shape:
        return variable
    return emit(ops.SpecifyShapeOp(variable.value, tensor_type(variable.dtype, shape)))


def addbroadcast(x: TensorLike, *axes: int) -> TensorVariable:
    """``x`` with ``axes`` made broadcastable (size 1, checked when the function runs).

    >>> import tracegraph.tensor as T
    >>> T.addbroadcast(T.dmatrix(), 0).broadcastable
    (True, False)
    """
    variable = as_tensor_variable(x)
    chosen = {_axis(axis, variable.ndim, "addbroadcast") for axis in axes}
    shape = tuple(1 if axis in chosen else size for axis, size in enumerate(variable.type.shape))
    return _retyped(variable, shape)


def unbroadcast(x: TensorLike, *axes: int) -> TensorVariable:
    """``x`` with ``axes`` no longer broadcastable (their size unknown to the type).

    >>> import tracegraph.tensor as T
    >>> T.unbroadcast(T.row(), 0).broadcastable
    (False, False)
    """
    variable = as_tensor_variable(x)
    chosen = {_axis(axis, variable.ndim, "unbroadcast") for axis in axes}
    shape = tuple(
        None if axis in chosen and size == 1 else size
        for axis, size in enumerate(variable.type.shape)
    )
    return _retyped(variable, shape)


def patternbroadcast(x: TensorLike, broadcastable: Sequence[bool]) -> TensorVariable:
    """``x`` with the broadcastable pattern ``broadcastable`` (Theano's ``patternbroadcast``).

    >>> import tracegraph.tensor as T
    >>> T.patternbroadcast(T.dmatrix(), (False, True)).broadcastable
    (False, True)
    """
    variable = as_tensor_variable(x)
    pattern = tuple(bool(b) for b in broadcastable)
    if len(pattern) != variable.ndim:
        raise ValueError(
            f"patternbroadcast: a pattern of {len(pattern)} for a tensor of rank {variable.ndim}"
        )
    shape = tuple(
        1 if wanted else (None if size == 1 else size)
        for wanted, size in zip(pattern, variable.type.shape, strict=True)
    )
    return _retyped(variable, shape)


class _Grid:
    """Theano's ``mgrid`` and ``ogrid``: ``mgrid[0:2, 0:3]`` is one int64 tensor per slice, the
    index grids of NumPy's ``mgrid`` (a list); ``ogrid``'s broadcast instead of being filled."""

    def __init__(self, sparse: bool):
        self._sparse = sparse

    def __getitem__(self, key: slice | tuple[slice, ...]) -> list[TensorVariable]:
        slices = key if isinstance(key, tuple) else (key,)
        ndim = len(slices)
        grids = []
        for axis, part in enumerate(slices):
            if not isinstance(part, slice) or part.stop is None:
                raise TypeError("mgrid/ogrid take slices with a stop, as mgrid[0:5, 1:4]")
            values = arange(part.start or 0, part.stop, part.step or 1)
            pattern: list[int | str] = ["x"] * ndim
            pattern[axis] = 0
            grids.append(dimshuffle(values, pattern))
        if self._sparse:
            return grids
        sizes = [grid.shape[axis] for axis, grid in enumerate(grids)]
        return [alloc(grid, *sizes) for grid in grids]


mgrid = _Grid(sparse=False)
"""``mgrid[0:2, 0:3]``: the dense index grids (a list of tensors), as Theano's.

>>> [g.eval().tolist() for g in mgrid[0:2, 0:2]]
[[[0, 0], [1, 1]], [[0, 1], [0, 1]]]
"""
ogrid = _Grid(sparse=True)
"""``ogrid[0:2, 0:3]``: the index grids as broadcastable vectors, as Theano's."""


def nonzero(a: TensorLike, return_matrix: bool = False) -> Any:
    """The indices of the nonzero elements of ``a``: a tuple of one int64 vector per axis, or
    with ``return_matrix`` one int64 matrix of a row per axis (Theano's ``nonzero``).

    >>> [i.eval().tolist() for i in nonzero(np.array([[0, 3], [4, 0]]))]
    [[0, 1], [1, 0]]
    """
    indices = nonzero_indices(a)
    if return_matrix:
        return stack(list(indices))
    return indices


def flatnonzero(a: TensorLike) -> TensorVariable:
    """The indices of the nonzero elements of the flattened ``a``.

    >>> flatnonzero(np.array([[0, 3], [4, 0]])).eval().tolist()
    [1, 2]
    """
    return nonzero_indices(flatten(as_tensor_variable(a)))[0]


def nonzero_values(a: TensorLike) -> TensorVariable:
    """The nonzero elements of ``a``, flattened in C order.

    >>> nonzero_values(np.array([[0, 3], [4, 0]])).eval().tolist()
    [3, 4]
    """
    flat = flatten(as_tensor_variable(a))
    return flat[nonzero_indices(flat)[0]]


def tri(
    N: TensorLike, M: TensorLike | None = None, k: int = 0, dtype: DTypeLike | None = None
) -> TensorVariable:
    """The ``N`` by ``M`` matrix of ones at and below the ``k``-th diagonal (floatX).

    >>> tri(3, 2, dtype="int8").eval().tolist()
    [[1, 0], [1, 1], [1, 1]]
    """
    from tracegraph.config import config

    rows = dimshuffle(arange(N), [0, "x"])
    columns = dimshuffle(arange(N if M is None else M), ["x", 0])
    return cast(tm.ge(rows + k, columns), dtype if dtype is not None else config.floatX)


def tril(m: TensorLike, k: int = 0) -> TensorVariable:
    """The lower triangle of a matrix (at and below the ``k``-th diagonal), zeros above.

    >>> tril(np.ones((2, 2))).eval().tolist()
    [[1.0, 0.0], [1.0, 1.0]]
    """
    x = as_tensor_variable(m)
    mask = tri(x.shape[0], x.shape[1], k, dtype="bool")
    return tm.switch(mask, x, cast(0, x.dtype))


def triu(m: TensorLike, k: int = 0) -> TensorVariable:
    """The upper triangle of a matrix (at and above the ``k``-th diagonal), zeros below.

    >>> triu(np.ones((2, 2))).eval().tolist()
    [[1.0, 1.0], [0.0, 1.0]]
    """
    x = as_tensor_variable(m)
    mask = tri(x.shape[0], x.shape[1], k - 1, dtype="bool")
    return tm.switch(mask, cast(0, x.dtype), x)


def diff(x: TensorLike, n: int = 1, axis: int = -1) -> TensorVariable:
    """The ``n``-th differences along ``axis`` (NumPy's ``diff``).

    >>> diff(np.array([1, 4, 9, 16]), 2).eval().tolist()
    [2, 2]
    """
    variable = as_tensor_variable(x)
    axis = _axis(axis, variable.ndim, "diff")
    for _ in range(n):
        later = [slice(None)] * axis + [slice(1, None)]
        earlier = [slice(None)] * axis + [slice(None, -1)]
        after, before = variable[tuple(later)], variable[tuple(earlier)]
        # NumPy's diff of booleans is "changed" (bool subtraction is an error).
        variable = tm.neq(after, before) if variable.dtype == "bool" else after - before
    return variable


def fill_diagonal(a: TensorLike, val: TensorLike) -> TensorVariable:
    """``a`` with ``val`` on its main diagonal (Theano's ``fill_diagonal``, of a matrix).

    >>> fill_diagonal(np.zeros((2, 3)), 7.0).eval().tolist()
    [[7.0, 0.0, 0.0], [0.0, 7.0, 0.0]]
    """
    from tracegraph.tensor.subtensor import set_subtensor

    x = as_tensor_variable(a)
    if x.ndim != 2:
        raise ValueError("fill_diagonal: takes a matrix")
    index = arange(tm.minimum(x.shape[0], x.shape[1]))
    return set_subtensor(x[index, index], cast(val, x.dtype))  # NumPy casts the value


def to_one_hot(y: TensorLike, nb_class: int, dtype: DTypeLike | None = None) -> TensorVariable:
    """A matrix of one row per label of ``y``, 1 in the label's column (Theano's
    ``to_one_hot``; floatX by default).

    >>> to_one_hot(np.array([2, 0]), 3, dtype="int64").eval().tolist()
    [[0, 0, 1], [1, 0, 0]]
    """
    from tracegraph.config import config

    labels = as_tensor_variable(y)
    hits = tm.eq(dimshuffle(labels, [0, "x"]), dimshuffle(arange(nb_class), ["x", 0]))
    return cast(hits, dtype if dtype is not None else config.floatX)
