"""The array operations of ``tgk.host_call`` steps as torch operations on the device.

``TORCH_OPERATIONS`` maps an op class to a builder: given the op, the function of its operands
(torch tensors on the runtime's device, index values among them) that gives its result, with
NumPy's semantics for the same op (the reference kernels in ``ir/interpreter.py`` are the
oracle; the backend suite runs them against it on CPU tensors with ``TG_TRITON_DEVICE=cpu``).

Where torch's indexing differs from NumPy's, the index is rewritten first:

- a slice with a negative step is taken with the positive step over the same elements and the
  result's axis flipped (torch has no negative steps);
- with integer-array indices, NumPy counts integer indices as arrays too and puts the broadcast
  index dimensions first when the array indices are not adjacent (an ``...`` between them
  separates them, even standing for no axis); torch treats integers as basic indices. So the
  indexed axes are moved first, indexed there (where both agree), and the index dimensions moved
  back to where NumPy puts them;
- indices are checked against the sizes before torch sees them (on a GPU an index out of
  bounds is a device assertion that ends the process, not an error) and made ``int64`` (torch
  reads ``uint8`` and ``bool`` arrays as masks).

Repeated array indices: ``inc_subtensor`` adds every one (``index_put_`` with
``accumulate=True``, as NumPy's ``add.at``); for ``set_subtensor`` NumPy leaves which of the
values lands unspecified, and so does torch on a GPU.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from xdsl.ir import Operation

from tracegraph.errors import (
    IndexOutOfBoundsError,
    InvalidValueError,
    RuntimeOpError,
    ShapeMismatchError,
)
from tracegraph.ir import ops
from tracegraph.ir.ops.subtensor import (
    ARRAY_INDEX,
    EMPTY_ELLIPSIS,
    SCALAR_INDEX,
    SubtensorUpdateOp,
    group_index_operands,
)
from tracegraph.ir.types import dtype_of, is_integer_dtype, shape_of

Operation_ = Callable[..., Any]


def _torch() -> Any:
    import torch

    return torch


def _torch_dtype(dtype: str) -> Any:
    return getattr(_torch(), dtype)


# -- shapes -----------------------------------------------------------------------------------


def _reshape(op: Operation) -> Operation_:
    def reshape(x: Any, shape: Any) -> Any:
        return x.reshape(tuple(int(s) for s in shape.reshape(-1).tolist()))

    return reshape


def _specify_shape(op: Operation) -> Operation_:
    specified = shape_of(op.results[0])

    def check(x: Any) -> Any:
        sizes = tuple(x.shape)
        if any(w is not None and s != w for s, w in zip(sizes, specified, strict=True)):
            shown = "(" + ", ".join("?" if w is None else str(w) for w in specified) + ")"
            raise ShapeMismatchError(f"the shape is {sizes}, specified {shown}")
        return x

    return check


def _flatten(op: Operation) -> Operation_:
    keep = len(shape_of(op.results[0])) - 1

    def flatten(x: Any) -> Any:
        return x.reshape((*x.shape[:keep], math.prod(x.shape[keep:])))

    return flatten


def _alloc(op: Operation) -> Operation_:
    dtype = dtype_of(op.results[0])

    def alloc(value: Any, *dims: Any) -> Any:
        torch = _torch()
        shape = tuple(int(d) for d in dims)
        if any(size < 0 for size in shape):
            raise ShapeMismatchError(f"alloc: negative size in {shape}")
        try:
            filled = torch.broadcast_to(value, shape)
        except RuntimeError as error:
            raise ShapeMismatchError(
                f"alloc: value of shape {tuple(value.shape)} does not broadcast to {shape}"
            ) from error
        # A new tensor (never the operand itself, as NumPy's alloc never is).
        result = torch.empty(shape, dtype=_torch_dtype(dtype), device=value.device)
        return result.copy_(filled)

    return alloc


def _arange(op: Operation) -> Operation_:
    """NumPy's ``arange``: the length ``ceil((stop - start) / step)`` in double precision, the
    first two elements ``start`` and ``start + step`` cast to the dtype and the others
    ``first + i * (second - first)`` computed in the dtype (NumPy's ``fill``; a separate
    multiply and add, never a fused one). Integers in int64, cast at the end (wrapping as
    NumPy's narrower integers do)."""
    dtype = dtype_of(op.results[0])
    integer = is_integer_dtype(dtype)

    def arange(start: Any, stop: Any, step: Any) -> Any:
        torch = _torch()
        first, last, delta = start.item(), stop.item(), step.item()
        if delta == 0:
            raise InvalidValueError("arange: step is zero")
        length = (last - first) / delta
        if not math.isfinite(length):
            raise RuntimeOpError(f"arange: cannot compute the length of ({first}, {last}, {delta})")
        n = max(0, math.ceil(length))
        if dtype == "bool" and n > 2:
            raise RuntimeOpError("arange: no fill-function for data-type bool")  # NumPy's
        device = start.device
        positions = torch.arange(n, dtype=torch.int64, device=device)
        if integer:
            head, second = int(first), int(first + delta)
            limits = np.iinfo(dtype)
            for value in (head, second)[:n]:
                if not limits.min <= value <= limits.max:
                    raise RuntimeOpError(f"arange: {value} is out of bounds for {dtype}")
            values = head + positions * (second - head)
            return values.to(_torch_dtype(dtype))
        kind = np.dtype(dtype).type
        head, second = kind(first), kind(first + delta)
        values = positions.to(_torch_dtype(dtype)) * torch.tensor(
            second - head, dtype=_torch_dtype(dtype), device=device
        )
        values = values + torch.tensor(head, dtype=_torch_dtype(dtype), device=device)
        values[:2] = torch.tensor([head, second][:n], dtype=_torch_dtype(dtype), device=device)
        return values

    return arange


def _join(op: Operation) -> Operation_:
    assert isinstance(op, ops.ConcatenateOp | ops.StackOp)
    axis = op.get_axis()
    dtype = dtype_of(op.result)
    join_name = "cat" if isinstance(op, ops.ConcatenateOp) else "stack"

    def join(*xs: Any) -> Any:
        torch = _torch()
        converted = [x.to(_torch_dtype(dtype)) for x in xs]
        try:
            joined = getattr(torch, join_name)(converted, dim=axis)
        except RuntimeError as error:
            shapes = ", ".join(str(tuple(x.shape)) for x in xs)
            raise ShapeMismatchError(f"{op.name} of shapes {shapes}: {error}") from error
        return joined

    return join


# -- indexing ---------------------------------------------------------------------------------


@dataclass
class _Index:
    """An index rewritten for torch: ``permutation`` of the indexed tensor's axes (or None),
    then ``key`` (tensors, ints and positive slices), then the broadcast index dimensions moved
    from ``0`` to ``place``, then the result axes in ``flipped`` reversed."""

    permutation: list[int] | None
    key: tuple[Any, ...]
    arrays: int
    """How many index dimensions (the broadcast shape's rank); 0 without array indices."""
    place: int
    flipped: list[int]
    shape: tuple[int, ...]
    """The shape of the indexed part."""


def _positive(part: slice, size: int) -> tuple[slice, int, bool]:
    """The slice over the same elements with a positive step, their count, and whether they
    come in reverse order."""
    start, stop, step = part.indices(size)
    count = len(range(start, stop, step))
    if step > 0:
        return slice(start, stop, step), count, False
    if count == 0:
        return slice(0, 0, 1), 0, False
    low = start + (count - 1) * step
    return slice(low, start + 1, -step), count, True


def _bounds_error(
    value: int, axis: int, size: int, shape: tuple[int, ...]
) -> IndexOutOfBoundsError:
    return IndexOutOfBoundsError(
        f"index {value} is out of bounds for axis {axis} with size {size} (indexed shape {shape})"
    )


def _index_array(values: Any, axis: int, size: int, shape: tuple[int, ...]) -> Any:
    """An integer-array index as int64, checked against the axis's size."""
    torch = _torch()
    signed = values.to(torch.int64)
    low = 0 if str(values.dtype).removeprefix("torch.").startswith("uint") else -size
    outside = (signed < low) | (signed >= size)
    if bool(outside.any()):
        first = values[outside].reshape(-1)[0].item()
        raise _bounds_error(int(first), axis, size, shape)
    return signed


def _rewrite_index(
    entries: Sequence[int], values: Sequence[Any], x_shape: tuple[int, ...]
) -> _Index:
    """NumPy's index of ``entries`` and ``values`` on a tensor of ``x_shape``, for torch."""
    torch = _torch()
    groups = group_index_operands(entries, values)
    has_arrays = ARRAY_INDEX in entries
    # (axis, kind, value) per entry that takes an axis; kinds: "slice", "advanced", "int"
    parts: list[tuple[int, str, Any]] = []
    advanced_runs = 0
    previous_advanced = False
    axis = 0
    for entry, group in zip(entries, groups, strict=True):
        if entry == EMPTY_ELLIPSIS:
            previous_advanced = False  # separates the advanced indices around it
            continue
        size = x_shape[axis]
        value: Any
        if entry == SCALAR_INDEX:
            i = int(group[0].item())
            if not -size <= i < size:
                raise _bounds_error(i, axis, size, x_shape)
            kind, value = ("advanced", i) if has_arrays else ("int", i)
        elif entry == ARRAY_INDEX:
            kind, value = "advanced", _index_array(group[0], axis, size, x_shape)
        else:
            bounds = iter(group)
            start = int(next(bounds).item()) if entry & 1 else None
            stop = int(next(bounds).item()) if entry & 2 else None
            step = int(next(bounds).item()) if entry & 4 else None
            if step == 0:
                raise InvalidValueError("slice step cannot be zero")
            kind, value = "slice", slice(start, stop, step)
        if kind == "advanced" and not previous_advanced:
            advanced_runs += 1
        previous_advanced = kind == "advanced"
        parts.append((axis, kind, value))
        axis += 1
    rest = list(range(axis, len(x_shape)))
    if not has_arrays:
        key: list[Any] = []
        flipped: list[int] = []
        shape: list[int] = []
        for axis, kind, value in parts:
            if kind == "int":
                key.append(value)
                continue
            positive, count, reverse = _positive(value, x_shape[axis])
            if reverse:
                flipped.append(len(shape))
            key.append(positive)
            shape.append(count)
        shape += [x_shape[a] for a in rest]
        return _Index(None, tuple(key), 0, 0, flipped, tuple(shape))

    advanced = [(axis, value) for axis, kind, value in parts if kind == "advanced"]
    sliced = [(axis, value) for axis, kind, value in parts if kind == "slice"]
    arrays = [v for _, v in advanced if not isinstance(v, int)]
    try:
        broadcast = tuple(torch.broadcast_shapes(*(a.shape for a in arrays)))
    except RuntimeError as error:
        shapes = " ".join(str(tuple(a.shape)) for a in arrays)
        raise IndexOutOfBoundsError(
            "shape mismatch: indexing arrays could not be broadcast together with shapes "
            f"{shapes} (indexed shape {x_shape})"
        ) from error
    device = arrays[0].device
    key = [
        torch.full(broadcast, v, dtype=torch.int64, device=device)
        if isinstance(v, int)
        else v.expand(broadcast)
        for _, v in advanced
    ]
    # NumPy: adjacent advanced indices put their dimensions where the first of them was;
    # separated ones put them first.
    first_axis = advanced[0][0]
    place = sum(1 for a, _ in sliced if a < first_axis) if advanced_runs == 1 else 0
    flipped = []
    shape = list(broadcast)
    for position, (axis, value) in enumerate(sliced):
        positive, count, reverse = _positive(value, x_shape[axis])
        if reverse:
            flipped.append(position + len(broadcast))
        key.append(positive)
        shape.append(count)
    shape += [x_shape[a] for a in rest]
    if place:
        moved = shape[len(broadcast) : len(broadcast) + place]
        shape = moved + shape[: len(broadcast)] + shape[len(broadcast) + place :]
        flipped = [f - len(broadcast) if f < len(broadcast) + place else f for f in flipped]
    permutation = [a for a, _ in advanced] + [a for a, _ in sliced] + rest
    return _Index(permutation, tuple(key), len(broadcast), place, flipped, tuple(shape))


def _to_torch_layout(value: Any, index: _Index) -> Any:
    """A value in NumPy's layout of the indexed part, in the layout torch's indexing gives."""
    if index.flipped:
        value = value.flip(index.flipped)
    if index.place:
        value = value.movedim(
            list(range(index.place, index.place + index.arrays)), list(range(index.arrays))
        )
    return value


def _from_torch_layout(value: Any, index: _Index) -> Any:
    if index.place:
        value = value.movedim(
            list(range(index.arrays)), list(range(index.place, index.place + index.arrays))
        )
    if index.flipped:
        value = value.flip(index.flipped)
    return value


def _indexed(x: Any, index: _Index) -> Any:
    """The view (or, with arrays, the gather) that ``index.key`` selects, in torch's layout."""
    if index.permutation is not None:
        x = x.permute(index.permutation)
    return x[index.key]


def _subtensor(op: Operation) -> Operation_:
    assert isinstance(op, ops.SubtensorOp)
    entries = op.get_entries()

    def subtensor(x: Any, *values: Any) -> Any:
        index = _rewrite_index(entries, values, tuple(x.shape))
        return _from_torch_layout(_indexed(x, index), index)

    return subtensor


def _fitted(y: Any, shape: tuple[int, ...], op: Operation, *, at: bool) -> Any:
    """``y`` broadcast to ``shape`` as NumPy's assignment does: leading unit axes dropped,
    except into a single element and in ``add.at`` (``at``), which broadcast only."""
    torch = _torch()
    if shape == () and y.dim() > 0:
        raise ShapeMismatchError(f"{op.name}: setting an array element with a sequence")
    while not at and y.dim() > len(shape) and y.shape[0] == 1:
        y = y[0]
    try:
        return torch.broadcast_to(y, shape)
    except RuntimeError as error:
        raise ShapeMismatchError(
            f"{op.name}: cannot broadcast a value of shape {tuple(y.shape)} into {shape}"
        ) from error


def _subtensor_update(op: Operation) -> Operation_:
    assert isinstance(op, SubtensorUpdateOp)
    entries = op.get_entries()
    increment = isinstance(op, ops.IncSubtensorOp)

    def update(x: Any, y: Any, *values: Any) -> Any:
        result = x.clone()
        index = _rewrite_index(entries, values, tuple(x.shape))
        at = increment and index.permutation is not None
        fitted = _fitted(y.to(x.dtype), index.shape, op, at=at)
        value = _to_torch_layout(fitted, index)
        if index.permutation is None:
            target = result[index.key]
            if increment:
                target.add_(value)
            else:
                target.copy_(value)
            return result
        count = sum(1 for k in index.key if not isinstance(k, slice))
        arrays, slices = index.key[:count], index.key[count:]
        view = result.permute(index.permutation)[(slice(None),) * count + slices]
        view.index_put_(arrays, value.contiguous(), accumulate=increment)
        return result

    return update


def _along_axis(op: Operation) -> Operation_:
    """cumsum and cumprod in the result dtype (NumPy's: int64 for narrower integers), and the
    stable sort, which puts NaN last as NumPy does."""
    assert isinstance(op, ops.AlongAxisOp)
    torch = _torch()
    axis = op.get_axis()
    dtype = _torch_dtype(dtype_of(op.result))
    if isinstance(op, ops.CumsumOp | ops.CumprodOp):
        function = torch.cumsum if isinstance(op, ops.CumsumOp) else torch.cumprod
        return lambda x: function(x.to(dtype), dim=axis).to(dtype)  # uint64 gives int64
    if isinstance(op, ops.SortOp):
        return lambda x: torch.sort(x, dim=axis, stable=True).values
    return lambda x: torch.sort(x, dim=axis, stable=True).indices.to(torch.int64)


TORCH_OPERATIONS: dict[type[Operation], Callable[[Operation], Operation_]] = {
    ops.ReshapeOp: _reshape,
    ops.FlattenOp: _flatten,
    ops.SpecifyShapeOp: _specify_shape,
    ops.AllocOp: _alloc,
    ops.ArangeOp: _arange,
    ops.ConcatenateOp: _join,
    ops.StackOp: _join,
    ops.SubtensorOp: _subtensor,
    ops.SetSubtensorOp: _subtensor_update,
    ops.IncSubtensorOp: _subtensor_update,
    ops.CumsumOp: _along_axis,
    ops.CumprodOp: _along_axis,
    ops.SortOp: _along_axis,
    ops.ArgsortOp: _along_axis,
}
"""The host-call ops the torch runtime runs as torch operations on the device: a builder,
given the op, of the function of its operands (views where torch can, as NumPy)."""
