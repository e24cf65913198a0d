"""Shape manipulation: ``shape``, ``dimshuffle``, ``transpose``, ``reshape``, ``flatten``,
``concatenate``, ``stack`` and ``arange``.

>>> import tracegraph.tensor as T
>>> T.dmatrix().dimshuffle('x', 1, 0).broadcastable
(True, False, False)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, overload

import numpy as np
from numpy.typing import DTypeLike

from tracegraph.ir import ops
from tracegraph.ir.ops.shape import NEW_AXIS
from tracegraph.ir.types import normalize_dtype, tensor_type
from tracegraph.tensor.elemwise import as_operands
from tracegraph.tensor.variable import (
    ShapeLike,
    TensorLike,
    TensorVariable,
    as_tensor_variable,
    constant,
    emit,
)


def shape(x: TensorLike) -> TensorVariable:
    """The shape of ``x`` as an int64 vector."""
    variable = as_tensor_variable(x)
    return emit(ops.ShapeOp(variable.value, tensor_type("int64", (variable.ndim,))))


def dimshuffle(x: TensorLike, pattern: Sequence[int | str]) -> TensorVariable:
    """Reorder axes; ``'x'`` inserts a broadcastable axis; left-out axes (which must be
    broadcastable) are dropped. ``dimshuffle(v, ['x', 0])`` turns a vector into a row."""
    variable = as_tensor_variable(x)
    order: list[int] = []
    for entry in pattern:
        if entry == "x":
            order.append(NEW_AXIS)
        elif isinstance(entry, int | np.integer) and 0 <= int(entry) < variable.ndim:
            order.append(int(entry))
        else:
            raise ValueError(f"dimshuffle: bad entry {entry!r} for a {variable.ndim}-d tensor")
    if len(set(a for a in order if a != NEW_AXIS)) != len([a for a in order if a != NEW_AXIS]):
        raise ValueError(f"dimshuffle: repeated axis in {list(pattern)}")
    for axis, size in enumerate(variable.type.shape):
        if axis not in order and size != 1:
            raise ValueError(
                f"dimshuffle: cannot drop axis {axis} of {variable.describe()}: it is not "
                "broadcastable"
            )
    if order == list(range(variable.ndim)):
        return variable
    result_shape = tuple(1 if a == NEW_AXIS else variable.type.shape[a] for a in order)
    result_type = tensor_type(variable.dtype, result_shape)
    return emit(ops.DimShuffleOp(variable.value, order, result_type))


def transpose(x: TensorLike, axes: Sequence[int] | None = None) -> TensorVariable:
    """Permute the axes (reverse them by default)."""
    variable = as_tensor_variable(x)
    if axes is None:
        axes = list(reversed(range(variable.ndim)))
    if sorted(int(a) % max(variable.ndim, 1) for a in axes) != list(range(variable.ndim)):
        raise ValueError(f"transpose: {list(axes)} is not a permutation of the axes")
    return dimshuffle(variable, [int(a) % variable.ndim for a in axes])


def shape_vector(
    new_shape: ShapeLike, what: str = "reshape", ndim: int | None = None
) -> tuple[TensorVariable, tuple[int | None, ...]]:
    """The 1-d int64 shape operand of ``what`` (a reshape, a random draw...) and the static
    sizes it implies (``None`` for symbolic sizes and negative ones). A symbolic shape vector of
    unknown length needs ``ndim``, and a call where it has another length raises
    ``ShapeMismatchError``.

    >>> vector, static = shape_vector((2, 3))
    >>> vector.type, static
    (TensorType(int64, shape=(2,)), (2, 3))
    """
    from tracegraph.tensor.basic import cast

    if isinstance(new_shape, TensorVariable):
        if new_shape.ndim != 1:
            raise ValueError(f"{what}: a symbolic shape must be a vector")
        if not new_shape.dtype.startswith(("int", "uint")):
            raise TypeError(f"{what}: a symbolic shape must hold integers, not {new_shape.dtype}")
        length = new_shape.type.shape[0]
        vector = cast(new_shape, "int64")
        if length is None:
            if ndim is None:
                raise ValueError(f"{what}: a symbolic shape must have a known length (pass ndim=)")
            # The length comes from ndim: a vector of another length fails the reshape to
            # (ndim,) when the function runs, instead of giving a result of another rank than
            # its type's (Theano raised ValueError too).
            length = ndim
            vector = reshape(vector, (length,))
        return vector, (None,) * length
    entries: list[int | TensorVariable] = (
        [new_shape] if isinstance(new_shape, int | np.integer) else list(new_shape)
    )
    for entry in entries:
        if isinstance(entry, TensorVariable):
            if entry.ndim != 0 or not entry.dtype.startswith(("int", "uint")):
                raise TypeError(f"{what}: each size must be an integer scalar, got {entry.type}")
        elif not isinstance(entry, int | np.integer) or isinstance(entry, bool):
            raise TypeError(f"{what}: each size must be an integer, got {entry!r}")
    static = tuple(
        int(e) if isinstance(e, int | np.integer) and int(e) >= 0 else None for e in entries
    )
    if not any(isinstance(e, TensorVariable) for e in entries):
        return constant(np.array(entries, dtype="int64")), static
    parts = [cast(as_tensor_variable(e), "int64") for e in entries]
    return stack(parts), static


def reshape(x: TensorLike, new_shape: ShapeLike, ndim: int | None = None) -> TensorVariable:
    """``x`` with a new shape (one entry may be -1, as in NumPy).

    >>> import tracegraph.tensor as T
    >>> T.dvector().reshape((2, -1)).type
    TensorType(float64, shape=(2, ?))
    """
    variable = as_tensor_variable(x)
    shape_operand, static = shape_vector(new_shape, ndim=ndim)
    if ndim is not None and ndim != len(static):
        raise ValueError(f"reshape: ndim={ndim} but the shape has {len(static)} entries")
    result_type = tensor_type(variable.dtype, static)
    return emit(ops.ReshapeOp(variable.value, shape_operand.value, result_type))


def flatten(x: TensorLike, ndim: int = 1) -> TensorVariable:
    """Keep the first ``ndim - 1`` axes and collapse the rest into one."""
    variable = as_tensor_variable(x)
    if not 1 <= ndim <= max(variable.ndim, 1):
        raise ValueError(f"flatten: ndim must be in [1, {max(variable.ndim, 1)}], got {ndim}")
    kept = variable.type.shape[: ndim - 1]
    rest = variable.type.shape[ndim - 1 :]
    last: int | None = 1
    for size in rest:
        last = None if last is None or size is None else last * size
    result_type = tensor_type(variable.dtype, (*kept, last))
    return emit(ops.FlattenOp(variable.value, result_type))


def _join_operands(tensors: Sequence[TensorLike]) -> tuple[list[TensorVariable], str]:
    if not tensors:
        raise ValueError("need at least one tensor to join")
    variables = as_operands(list(tensors))
    dtype = np.result_type(*[v.dtype for v in variables]).name
    return variables, dtype


def concatenate(tensors: Sequence[TensorLike], axis: int = 0) -> TensorVariable:
    """Join tensors along an existing axis.

    >>> import tracegraph.tensor as T
    >>> concatenate([T.dvector(), T.dvector()]).ndim
    1
    """
    variables, dtype = _join_operands(tensors)
    ndim = variables[0].ndim
    if ndim == 0 or any(v.ndim != ndim for v in variables):
        raise ValueError("concatenate: tensors must have the same rank >= 1")
    axis = _normalize_axis(axis, ndim)
    shape: list[int | None] = []
    for a in range(ndim):
        sizes = [v.type.shape[a] for v in variables]
        if a == axis:
            shape.append(None if None in sizes else sum(s for s in sizes if s is not None))
        else:
            known = {s for s in sizes if s is not None}
            shape.append(known.pop() if len(known) == 1 else None)
    result_type = tensor_type(dtype, tuple(shape))
    return emit(ops.ConcatenateOp([v.value for v in variables], axis, result_type))


@overload
def stack(tensors: Sequence[TensorLike], axis: int = 0) -> TensorVariable: ...


@overload
def stack(*tensors: TensorVariable, axis: int = 0) -> TensorVariable: ...


def stack(tensors: Any = None, *more: Any, axis: int = 0) -> TensorVariable:
    """Join tensors of equal shape along a new axis: ``stack([a, b], axis)``, or Theano's
    older spelling ``stack(a, b, axis=axis)``.

    >>> import tracegraph.tensor as T
    >>> stack([T.dvector(), T.dvector()], 1).ndim, stack(T.dscalar(), T.dscalar()).ndim
    (2, 1)
    """
    if tensors is None:
        raise ValueError("stack: need at least one tensor to join")
    if isinstance(tensors, list | tuple):
        if len(more) > 1:
            raise TypeError("stack: takes a list of tensors and an axis")
        axis = int(more[0]) if more else axis
        variables, dtype = _join_operands(tensors)
    else:
        variables, dtype = _join_operands([tensors, *more])
    ndim = variables[0].ndim
    if any(v.ndim != ndim for v in variables):
        raise ValueError("stack: tensors must have the same rank")
    axis = _normalize_axis(axis, ndim + 1)
    shape: list[int | None] = []
    for a in range(ndim):
        known = {v.type.shape[a] for v in variables if v.type.shape[a] is not None}
        shape.append(known.pop() if len(known) == 1 else None)
    shape.insert(axis, len(variables))
    result_type = tensor_type(dtype, tuple(shape))
    return emit(ops.StackOp([v.value for v in variables], axis, result_type))


def _normalize_axis(axis: int, ndim: int) -> int:
    if not -ndim <= axis < ndim:
        raise ValueError(f"axis {axis} is out of range for rank {ndim}")
    return axis % ndim


def arange(
    start: TensorLike,
    stop: TensorLike | None = None,
    step: TensorLike = 1,
    dtype: DTypeLike | None = None,
) -> TensorVariable:
    """``arange(stop)`` or ``arange(start, stop, step)``: NumPy's values. The dtype is ``dtype``
    when given, else the promoted dtype of the arguments as in Theano (``arange(iscalar)`` is
    int32 where NumPy would give int64; Python ints give int64).

    >>> arange(5).dtype
    'int64'
    """
    if stop is None:
        start, stop = 0, start
    operands = as_operands([start, stop, step])
    if any(v.ndim != 0 for v in operands):
        raise ValueError("arange: start, stop and step must be scalars")
    result_dtype = (
        np.result_type(*[v.dtype for v in operands]).name
        if dtype is None
        else normalize_dtype(dtype)
    )
    if result_dtype == "bool":
        result_dtype = "int64"
    from tracegraph.tensor.basic import cast

    start_v, stop_v, step_v = (cast(v, result_dtype) for v in operands)
    result_type = tensor_type(np.dtype(result_dtype).name, (None,))
    return emit(ops.ArangeOp(start_v.value, stop_v.value, step_v.value, result_type))
