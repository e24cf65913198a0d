"""Building elementwise ops: weak Python scalars, rank alignment, static broadcasting, dtypes.

Result dtypes follow NumPy 2 (NEP 50): a Python scalar next to a tensor takes the tensor's kind
of dtype when it fits (``fvector + 1.5`` stays float32), and each op's result dtype is the one
NumPy's ufunc would give. A Python ``int`` stays an integer constant (the smallest integer dtype
that holds it) whenever that gives the same result dtype, as in Theano: ``x ** 2`` keeps an
integer exponent, and ``pp`` prints it as ``2``. One exception: tracegraph has no float16, so
where NumPy would give float16 (``exp`` of an int8) the result is float32.
"""

from __future__ import annotations

import builtins
import contextlib
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

import numpy as np
from xdsl.ir import Operation

from tracegraph.errors import ShapeMismatchError
from tracegraph.ir import ops
from tracegraph.ir.location import format_location, user_location
from tracegraph.ir.numpy_functions import NUMPY_FUNCTIONS
from tracegraph.ir.ops.elementwise import BinaryElementwiseOp, UnaryElementwiseOp
from tracegraph.ir.ops.shape import NEW_AXIS
from tracegraph.ir.types import Shape, tensor_type
from tracegraph.tensor.variable import TensorLike, TensorVariable, emit


@lru_cache(maxsize=4096)
def result_dtype(op_class: type[Operation], dtypes: tuple[str, ...]) -> str:
    """The result dtype of an elementwise op for operand dtypes, as NumPy resolves it (the
    ``typed_as`` ufunc of the op in ``NUMPY_FUNCTIONS``)."""
    ufunc = NUMPY_FUNCTIONS[op_class].typed_as
    if ufunc is None:
        raise TypeError(f"{getattr(op_class, 'name', op_class.__name__)} has no dtype ufunc")
    signature = tuple(np.dtype(d) for d in dtypes) + (None,) * ufunc.nout
    try:
        resolved = ufunc.resolve_dtypes(signature)
    except TypeError as error:
        op_name = getattr(op_class, "name", op_class.__name__)
        raise TypeError(f"{op_name} is not defined for dtypes {', '.join(dtypes)}") from error
    name = resolved[-1].name
    return "float32" if name == "float16" else name


def _is_python_scalar(value: object) -> bool:
    return isinstance(value, bool | int | float) and not isinstance(value, np.generic)


def as_operands(
    args: Sequence[TensorLike], *, pad: bool = False, integer_scalars: bool = False
) -> list[TensorVariable]:
    """Variables for the arguments of an elementwise op, Python scalars weakly typed.

    With ``pad``, non-variable arguments become constants already shaped with leading 1s to
    the highest rank among the arguments (so no dimshuffle is needed for them). With
    ``integer_scalars`` (for ops whose result dtype comes from promoting their operands), a
    Python ``int`` stays an integer constant where that promotes to the same result.
    """
    arrays: list[Any] = []
    strong: list[np.dtype[Any]] = []
    rank = 0
    for arg in args:
        if isinstance(arg, TensorVariable):
            arrays.append(arg)
            strong.append(np.dtype(arg.dtype))
            rank = builtins.max(rank, arg.ndim)
        elif _is_python_scalar(arg):
            arrays.append(arg)
        else:
            array = np.asarray(arg)
            arrays.append(array)
            strong.append(array.dtype)
            rank = builtins.max(rank, array.ndim)
    result: list[TensorVariable] = []
    for value in arrays:
        if isinstance(value, TensorVariable):
            result.append(value)
            continue
        if _is_python_scalar(value):
            value = np.asarray(value, dtype=_weak_scalar_dtype(value, strong, integer_scalars))
        if pad and value.ndim < rank:
            value = value.reshape((1,) * (rank - value.ndim) + value.shape)
        result.append(_constant(value))
    return result


_SMALL_INTEGER_DTYPES = tuple(np.dtype(d) for d in ("int8", "int16", "int32", "int64"))


def _weak_scalar_dtype(
    value: bool | int | float, strong: Sequence[np.dtype[Any]], keep_integer: bool
) -> np.dtype[Any]:
    """The dtype of the constant for a Python scalar among operands of dtypes ``strong``."""
    if not strong:
        return np.asarray(value).dtype
    dtype = np.result_type(*strong, value)
    if dtype == np.float16:
        return np.dtype(np.float32)
    if keep_integer and isinstance(value, int) and not isinstance(value, bool):
        for candidate in _SMALL_INTEGER_DTYPES:
            info = np.iinfo(candidate)
            if info.min <= value <= info.max:
                # Keep the integer only where it promotes exactly as the weak scalar would.
                return candidate if np.result_type(*strong, candidate) == dtype else dtype
    return dtype


def _constant(array: np.ndarray[Any, Any]) -> TensorVariable:
    if array.dtype.kind not in "biuf":
        raise TypeError(f"cannot use {array.dtype} data in a tensor expression")
    return emit(ops.ConstantOp.from_array(array))


def broadcast_shapes(shapes: Sequence[Shape], what: str = "elementwise op") -> Shape:
    """The static shape of broadcasting shapes of equal rank (``None`` = unknown size)."""
    result: list[int | None] = []
    for axis, sizes in enumerate(zip(*shapes, strict=True)):
        known = {size for size in sizes if size is not None and size != 1}
        if len(known) > 1:
            raise ShapeMismatchError(
                f"{what} at {format_location(user_location())}: sizes {sorted(known)} on axis "
                f"{axis} cannot broadcast (shapes {[tuple(s) for s in shapes]})"
            )
        if known:
            result.append(known.pop())
        elif builtins.all(size == 1 for size in sizes):
            result.append(1)
        else:
            result.append(None)
    return tuple(result)


def pad_rank(variable: TensorVariable, ndim: int) -> TensorVariable:
    """Add leading broadcastable axes so that ``variable`` has ``ndim`` dimensions."""
    missing = ndim - variable.ndim
    if missing <= 0:
        return variable
    order = [NEW_AXIS] * missing + list(range(variable.ndim))
    shape = (1,) * missing + variable.type.shape
    return emit(ops.DimShuffleOp(variable.value, order, tensor_type(variable.dtype, shape)))


COMPARISONS: dict[type[Operation], Callable[[int, int], bool]] = {
    ops.GtOp: lambda a, b: a > b,
    ops.GeOp: lambda a, b: a >= b,
    ops.LtOp: lambda a, b: a < b,
    ops.LeOp: lambda a, b: a <= b,
    ops.EqOp: lambda a, b: a == b,
    ops.NeqOp: lambda a, b: a != b,
}
"""The comparisons, on Python integers."""


def _integer_out_of_range(
    op_class: type[Operation], args: Sequence[TensorLike]
) -> tuple[Sequence[TensorLike], TensorVariable | None]:
    """NumPy 2's rules for a Python ``int`` next to an integer tensor whose dtype cannot hold
    it (``uint8 > -1``, ``-3 / uint8``): a comparison is true or false for every element
    (returned: a boolean tensor of that value); an op whose NumPy loop takes the integer as a
    float (``true_divide``, ``arctan2``) gets it as such; any other op raises
    ``OverflowError``, as NumPy does. Returns the arguments (the integer converted where it
    must be) and the decided result, if any."""
    positions = [i for i, a in enumerate(args) if type(a) is int]
    if len(positions) != 1 or not isinstance(args[1 - positions[0]], TensorVariable):
        return args, None
    scalar_at = positions[0]
    value = args[scalar_at]
    assert isinstance(value, int)
    tensor = args[1 - scalar_at]
    assert isinstance(tensor, TensorVariable)
    dtype = np.dtype(tensor.dtype)
    if dtype.kind not in "iu" or np.iinfo(dtype).min <= value <= np.iinfo(dtype).max:
        return args, None
    compare = COMPARISONS.get(op_class)
    if compare is not None:
        # Every element lies on the same side of the value: compare with any of them.
        bound = int(np.iinfo(dtype).min)
        truth = compare(bound, value) if scalar_at == 1 else compare(value, bound)
        from tracegraph.tensor.basic import ones_like, zeros_like

        return args, (ones_like if truth else zeros_like)(tensor, dtype="bool")
    ufunc = NUMPY_FUNCTIONS[op_class].typed_as
    loop = None
    if ufunc is not None:
        signature: list[Any] = [dtype, dtype, None]
        signature[scalar_at] = int
        with contextlib.suppress(TypeError):
            loop = ufunc.resolve_dtypes(tuple(signature))[scalar_at]
    if loop is None or loop.kind != "f":
        raise OverflowError(
            f"{op_class.name} at {format_location(user_location())}: the Python integer "
            f"{value} is out of bounds for {dtype} (the dtype of the other operand, as NumPy "
            "converts it)"
        )
    converted = list(args)
    converted[scalar_at] = np.asarray(value, dtype=loop)
    return converted, None


def elementwise(
    op_class: type[UnaryElementwiseOp | BinaryElementwiseOp], *args: TensorLike
) -> TensorVariable:
    """Apply an elementwise op to arguments, promoting Python scalars and broadcasting ranks."""
    arguments: Sequence[TensorLike] = args
    if len(args) == 2:
        arguments, decided = _integer_out_of_range(op_class, args)
        if decided is not None:
            return decided
    operands = as_operands(arguments, pad=True, integer_scalars=True)
    ndim = builtins.max(v.ndim for v in operands)
    operands = [pad_rank(v, ndim) for v in operands]
    shape = broadcast_shapes([v.type.shape for v in operands], op_class.name)
    dtype = result_dtype(op_class, tuple(v.dtype for v in operands))
    values = [v.value for v in operands]
    build: Callable[..., Operation] = op_class  # unary and binary ops take operands, then type
    return emit(build(*values, tensor_type(dtype, shape)))
