"""Indexing: ``x[...]`` with ints, slices, ``None``, ``...`` and integer arrays, and
``set_subtensor`` / ``inc_subtensor``, with NumPy's semantics.

>>> import tracegraph.tensor as T
>>> x = T.dmatrix('x')
>>> x[1:, 0].type
TensorType(float64, shape=(?,))
>>> T.set_subtensor(x[0], 0.0).type == x.type
True
"""

from __future__ import annotations

from collections.abc import Sequence
from types import EllipsisType
from typing import Any, TypeAlias

import numpy as np
from xdsl.ir import SSAValue

from tracegraph.errors import UnsupportedOperationError
from tracegraph.ir import ops
from tracegraph.ir.ops.subtensor import (
    ARRAY_INDEX,
    EMPTY_ELLIPSIS,
    SCALAR_INDEX,
    SLICE_START,
    SLICE_STEP,
    SLICE_STOP,
)
from tracegraph.ir.types import Shape, is_integer_dtype, tensor_type
from tracegraph.tensor.elemwise import as_operands, broadcast_shapes, pad_rank
from tracegraph.tensor.variable import (
    TensorLike,
    TensorVariable,
    as_tensor_variable,
    constant,
    emit,
)

IndexEntry: TypeAlias = (
    "int | slice | EllipsisType | TensorVariable | Sequence[int] | np.ndarray[Any, Any] | None"
)
IndexKey: TypeAlias = "IndexEntry | tuple[IndexEntry, ...]"


def _as_int_variable(value: Any, what: str) -> TensorVariable:
    if isinstance(value, TensorVariable):
        if value.ndim != 0 or not is_integer_dtype(value.dtype):
            raise TypeError(f"{what} must be a 0-d integer, got {value.type}")
        return value
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"{what} must be an int or a 0-d integer variable, not {value!r}")
    return constant(int(value), dtype="int64")


def _slice_size(entry: slice, size: int | None) -> int | None:
    parts = (entry.start, entry.stop, entry.step)
    if all(p is None for p in parts):
        return size
    if size is None or not all(p is None or isinstance(p, int) for p in parts):
        return None
    return len(range(*entry.indices(size)))


class _EmptyEllipsis:
    """Where an ``...`` stood for no axes: NumPy still treats it as separating the advanced
    indices on either side of it."""


EMPTY_ELLIPSIS_MARK = _EmptyEllipsis()


def _expand_key(key: Any, ndim: int) -> list[Any]:
    entries = list(key) if isinstance(key, tuple) else [key]
    if sum(1 for e in entries if e is Ellipsis) > 1:
        raise IndexError("an index can only have a single ellipsis")
    used = sum(1 for e in entries if e is not None and e is not Ellipsis)
    if used > ndim:
        raise IndexError(f"too many indices ({used}) for a {ndim}-d tensor")
    ellipsis_at = [i for i, e in enumerate(entries) if e is Ellipsis]
    if ellipsis_at:
        at = ellipsis_at[0]
        expansion: list[Any] = [slice(None)] * (ndim - used) or [EMPTY_ELLIPSIS_MARK]
        entries[at : at + 1] = expansion
    return entries


def _is_array_entry(entry: Any) -> bool:
    if isinstance(entry, TensorVariable):
        return entry.ndim > 0
    return isinstance(entry, list | np.ndarray)


def _slice_code(entry: slice, axis: int, operands: list[TensorVariable]) -> int:
    code = 0
    for bit, part in (
        (SLICE_START, entry.start),
        (SLICE_STOP, entry.stop),
        (SLICE_STEP, entry.step),
    ):
        if part is not None:
            code |= bit
            operands.append(_as_int_variable(part, f"slice bound on axis {axis}"))
    if isinstance(entry.step, int) and entry.step == 0:
        raise ValueError("slice step cannot be zero")
    return code


def _array_index(entry: Any, axis: int) -> TensorVariable:
    index = entry if isinstance(entry, TensorVariable) else constant(np.asarray(entry))
    if index.dtype == "bool":
        raise UnsupportedOperationError("boolean mask indexing; use T.switch or integer indices")
    if not is_integer_dtype(index.dtype):
        raise IndexError(f"array index on axis {axis} must hold integers, got {index.dtype}")
    return index


def _new_axis_pattern(key_entries: Sequence[Any], result_ndim: int) -> list[int | str]:
    """The dimshuffle inserting the ``None`` entries of a basic index into its result."""
    pattern: list[int | str] = []
    source = 0
    for entry in key_entries:
        if entry is None:
            pattern.append("x")
        elif isinstance(entry, slice):
            pattern.append(source)
            source += 1
    pattern.extend(range(source, result_ndim))
    return pattern


def nonzero_indices(x: TensorLike) -> tuple[TensorVariable, ...]:
    """The indices of the nonzero elements of ``x``: one int64 vector per axis (NumPy's
    ``nonzero``), of a length known when the function runs."""
    variable = as_tensor_variable(x)
    if variable.ndim == 0:
        raise ValueError("nonzero: needs a tensor of rank 1 or more (NumPy's rule)")
    result_types = [tensor_type("int64", (None,)) for _ in range(variable.ndim)]
    op = ops.NonzeroOp(variable.value, result_types)
    emit(op)
    return tuple(TensorVariable(result) for result in op.results)


def _is_mask(entry: Any) -> bool:
    if isinstance(entry, TensorVariable):
        return entry.dtype == "bool"
    if isinstance(entry, np.ndarray | list):
        return np.asarray(entry).dtype == np.bool_
    return isinstance(entry, bool | np.bool_)


def _masks_as_indices(key: Any, x: TensorVariable) -> Any:
    """``key`` with each boolean mask replaced by the indices of its true elements, one integer
    array per axis it covers, as NumPy defines mask indexing."""
    entries = list(key) if isinstance(key, tuple) else [key]
    if not any(_is_mask(e) for e in entries):
        return key
    expanded: list[Any] = []
    axis = 0
    for entry in entries:
        if not _is_mask(entry):
            expanded.append(entry)
            axis += 0 if entry is None or entry is Ellipsis else 1
            continue
        mask = entry if isinstance(entry, TensorVariable) else constant(np.asarray(entry))
        if mask.ndim == 0:
            raise UnsupportedOperationError("a 0-d boolean index; use T.switch")
        covered = x.type.shape[axis : axis + mask.ndim]
        for dim, (size, mask_size) in enumerate(zip(covered, mask.type.shape, strict=False)):
            if size is not None and mask_size is not None and size != mask_size:
                raise IndexError(
                    f"boolean index did not match indexed tensor along axis {axis + dim}; "
                    f"size of axis is {size} but size of the boolean index is {mask_size}"
                )
        expanded.extend(nonzero_indices(mask))
        axis += mask.ndim
    return tuple(expanded)


def getitem(x: TensorVariable, key: IndexKey) -> TensorVariable:
    """``x[key]``: basic, integer-array and boolean-mask indexing (a mask is the indices of
    its true elements)."""
    key = _masks_as_indices(key, x)
    key_entries = _expand_key(key, x.ndim)
    entries = [e for e in key_entries if e is not None]
    advanced = any(_is_array_entry(e) for e in entries)
    if advanced and len(entries) != len(key_entries):
        raise UnsupportedOperationError("None (newaxis) together with array indices")
    if not advanced:
        entries = [e for e in entries if e is not EMPTY_ELLIPSIS_MARK]
    codes: list[int] = []
    operands: list[TensorVariable] = []
    axis = 0
    for entry in entries:
        if entry is EMPTY_ELLIPSIS_MARK:
            codes.append(EMPTY_ELLIPSIS)
            continue
        if isinstance(entry, slice):
            codes.append(_slice_code(entry, axis, operands))
        elif _is_array_entry(entry):
            codes.append(ARRAY_INDEX)
            operands.append(_array_index(entry, axis))
        else:
            index = _as_int_variable(entry, f"index on axis {axis}")
            size = x.type.shape[axis]
            if (
                isinstance(entry, int | np.integer)
                and size is not None
                and not -size <= entry < size
            ):
                raise IndexError(f"index {entry} is out of bounds for axis {axis} with size {size}")
            codes.append(SCALAR_INDEX)
            operands.append(index)
        axis += 1
    result_shape = indexed_shape(x.type.shape, codes, entries, operands)
    result_type = tensor_type(x.dtype, result_shape)
    values = [v.value for v in operands]
    result = emit(ops.SubtensorOp(x.value, values, codes, result_type))
    if len(entries) != len(key_entries):
        from tracegraph.tensor.shapes import dimshuffle

        result = dimshuffle(result, _new_axis_pattern(key_entries, result.ndim))
    return result


def indexed_shape(
    shape: Shape, codes: Sequence[int], entries: Sequence[Any], operands: Sequence[TensorVariable]
) -> Shape:
    """The static shape of ``x[index]`` by NumPy's rules (advanced indices broadcast together
    and stay in place when adjacent, else move to the front)."""
    advanced = any(code == ARRAY_INDEX for code in codes)
    groups = ops.subtensor.group_index_operands(codes, list(operands))
    basic: list[int | None] = []
    advanced_shapes: list[Shape] = []
    advanced_positions: list[int] = []
    axis = 0
    for position, (code, entry, group) in enumerate(zip(codes, entries, groups, strict=True)):
        if code == EMPTY_ELLIPSIS:
            continue  # no axis, but it separates the advanced indices around it
        if code == ARRAY_INDEX or (advanced and code == SCALAR_INDEX):
            advanced_shapes.append(group[0].type.shape)
            advanced_positions.append(position)
            if len(advanced_positions) == 1:
                basic.append(-1)  # placeholder where adjacent advanced dims go
        elif code != SCALAR_INDEX:
            basic.append(_slice_size(entry, shape[axis]))
        axis += 1
    basic.extend(shape[axis:])
    if not advanced:
        return tuple(basic)
    ndim = max(len(s) for s in advanced_shapes)
    padded = [(1,) * (ndim - len(s)) + tuple(s) for s in advanced_shapes]
    index_shape = broadcast_shapes(padded, "array index")
    adjacent = advanced_positions == list(range(advanced_positions[0], advanced_positions[-1] + 1))
    at = basic.index(-1)
    rest = basic[:at] + basic[at + 1 :]
    if adjacent:
        return tuple(rest[:at]) + index_shape + tuple(rest[at:])
    return index_shape + tuple(rest)


def _indexed_parts(x_sub: TensorVariable, what: str) -> ops.SubtensorOp:
    owner = x_sub.owner
    if not isinstance(owner, ops.SubtensorOp):
        raise TypeError(f"{what}: the first argument must be an indexed variable such as x[1:3]")
    return owner


def _update(
    op_class: type[ops.SetSubtensorOp | ops.IncSubtensorOp],
    x_sub: TensorVariable,
    y: TensorLike,
    what: str,
) -> TensorVariable:
    owner = _indexed_parts(x_sub, what)
    x_dtype = x_sub.dtype
    (y_var,) = as_operands([y])
    if y_var.ndim > x_sub.ndim:
        raise ValueError(
            f"{what}: y has rank {y_var.ndim}, more than the indexed part's {x_sub.ndim}"
        )
    if y_var.dtype != x_dtype:
        if not np.can_cast(y_var.dtype, x_dtype, "same_kind"):
            raise TypeError(f"{what}: cannot write {y_var.dtype} values into a {x_dtype} tensor")
        from tracegraph.tensor.basic import cast

        y_var = cast(y_var, x_dtype)
    y_var = pad_rank(y_var, x_sub.ndim)
    broadcast_shapes([x_sub.type.shape, y_var.type.shape], what)
    values: list[SSAValue] = list(owner.indices)
    return emit(op_class(owner.x, y_var.value, values, owner.get_entries()))


def set_subtensor(x_sub: TensorVariable, y: TensorLike) -> TensorVariable:
    """A copy of the tensor indexed by ``x_sub`` with that part replaced by ``y``.

    >>> import tracegraph.tensor as T
    >>> v = T.dvector('v')
    >>> set_subtensor(v[:2], 0.0).type
    TensorType(float64, shape=(?,))
    """
    return _update(ops.SetSubtensorOp, x_sub, y, "set_subtensor")


def inc_subtensor(x_sub: TensorVariable, y: TensorLike) -> TensorVariable:
    """A copy of the tensor indexed by ``x_sub`` with ``y`` added to that part (repeated array
    indices add repeatedly)."""
    return _update(ops.IncSubtensorOp, x_sub, y, "inc_subtensor")
