"""Variable constructors (``dmatrix``, ``fscalars``...), casts and allocation.

Every Theano constructor name exists: ``scalar vector row col matrix tensor3 tensor4`` with the
prefixes ``b`` (int8), ``w`` (int16), ``i`` (int32), ``l`` (int64), ``f`` (float32), ``d``
(float64), and without a prefix (``config.floatX``, or the ``dtype`` argument); each plural
(``dmatrices('a', 'b')``) returns as many variables as names.

>>> a, b = dmatrices('a', 'b')
>>> (a.name, b.type)
('a', TensorType(float64, shape=(?, ?)))
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import DTypeLike

from tracegraph.config import config
from tracegraph.ir import ops
from tracegraph.ir.types import normalize_dtype, tensor_type
from tracegraph.tensor.elemwise import as_operands, broadcast_shapes, pad_rank
from tracegraph.tensor.types import TensorType
from tracegraph.tensor.variable import (
    ShapeLike,
    TensorLike,
    TensorVariable,
    as_tensor_variable,
    constant,
    emit,
    make_input,
)


def _or_floatx(dtype: DTypeLike | None) -> str:
    """``dtype``'s name, or ``config.floatX`` when it is ``None``."""
    return config.floatX if dtype is None else normalize_dtype(dtype)


class VariableConstructor:
    """A constructor with a fixed dtype, such as ``T.dmatrix(name=None)``."""

    def __init__(self, dtype: str, broadcastable: tuple[bool, ...], kind: str):
        self._type = TensorType(dtype, broadcastable)
        self.__name__ = self.__qualname__ = kind
        self.__doc__ = f"A symbolic {kind} of {dtype}: ``{kind}(name=None)``."

    def __call__(self, name: str | None = None) -> TensorVariable:
        return make_input(self._type, name)


class FloatXConstructor:
    """A constructor whose dtype defaults to ``config.floatX``, such as ``T.matrix``."""

    def __init__(self, broadcastable: tuple[bool, ...], kind: str):
        self._broadcastable = broadcastable
        self.__name__ = self.__qualname__ = kind
        self.__doc__ = f"A symbolic {kind}: ``{kind}(name=None, dtype=config.floatX)``."

    def __call__(self, name: str | None = None, dtype: DTypeLike | None = None) -> TensorVariable:
        return make_input(TensorType(_or_floatx(dtype), self._broadcastable), name)


class PluralConstructor:
    """A constructor of several variables at once, such as ``T.dmatrices('a', 'b')``."""

    def __init__(self, broadcastable: tuple[bool, ...], kind: str, dtype: str | None):
        self._broadcastable = broadcastable
        self._dtype = dtype
        self.__name__ = self.__qualname__ = kind
        self.__doc__ = f"One symbolic variable per name: ``{kind}('a', 'b', ...)``."

    def __call__(self, *names: str, dtype: DTypeLike | None = None) -> tuple[TensorVariable, ...]:
        """One variable per name: ``dmatrices('a', 'b')``; one string of several letters gives
        one variable per letter, as in Theano (``scalars('xy')``).

        >>> import tracegraph.tensor as T
        >>> T.dscalars('xy'), T.dscalars('x', 'y')
        ((x, y), (x, y))
        """
        for name in names:
            if not isinstance(name, str):
                raise TypeError(f"{self.__name__} takes variable names (str), got {name!r}")
        chosen = self._dtype if self._dtype is not None else _or_floatx(dtype)
        t = TensorType(chosen, self._broadcastable)
        if len(names) == 1 and len(names[0]) > 1:
            names = tuple(names[0])
        return tuple(make_input(t, name or None) for name in names)


__all__ = [
    "FloatXConstructor",
    "PluralConstructor",
    "VariableConstructor",
    "alloc",
    "bcol",
    "bcols",
    "bmatrices",
    "bmatrix",
    "brow",
    "brows",
    "bscalar",
    "bscalars",
    "btensor3",
    "btensor3s",
    "btensor4",
    "btensor4s",
    "bvector",
    "bvectors",
    "cast",
    "col",
    "cols",
    "dcol",
    "dcols",
    "dmatrices",
    "dmatrix",
    "drow",
    "drows",
    "dscalar",
    "dscalars",
    "dtensor3",
    "dtensor3s",
    "dtensor4",
    "dtensor4s",
    "dvector",
    "dvectors",
    "fcol",
    "fcols",
    "fill",
    "fmatrices",
    "fmatrix",
    "frow",
    "frows",
    "fscalar",
    "fscalars",
    "ftensor3",
    "ftensor3s",
    "ftensor4",
    "ftensor4s",
    "fvector",
    "fvectors",
    "icol",
    "icols",
    "imatrices",
    "imatrix",
    "irow",
    "irows",
    "iscalar",
    "iscalars",
    "itensor3",
    "itensor3s",
    "itensor4",
    "itensor4s",
    "ivector",
    "ivectors",
    "lcol",
    "lcols",
    "lmatrices",
    "lmatrix",
    "lrow",
    "lrows",
    "lscalar",
    "lscalars",
    "ltensor3",
    "ltensor3s",
    "ltensor4",
    "ltensor4s",
    "lvector",
    "lvectors",
    "matrices",
    "matrix",
    "ones",
    "ones_like",
    "row",
    "rows",
    "scalar",
    "scalars",
    "second",
    "tensor",
    "tensor3",
    "tensor3s",
    "tensor4",
    "tensor4s",
    "tensor5",
    "vector",
    "vectors",
    "wcol",
    "wcols",
    "wmatrices",
    "wmatrix",
    "wrow",
    "wrows",
    "wscalar",
    "wscalars",
    "wtensor3",
    "wtensor3s",
    "wtensor4",
    "wtensor4s",
    "wvector",
    "wvectors",
    "zeros",
    "zeros_like",
]


scalar = FloatXConstructor((), "scalar")
vector = FloatXConstructor((False,), "vector")
row = FloatXConstructor((True, False), "row")
col = FloatXConstructor((False, True), "col")
matrix = FloatXConstructor((False, False), "matrix")
tensor3 = FloatXConstructor((False,) * 3, "tensor3")
tensor4 = FloatXConstructor((False,) * 4, "tensor4")
tensor5 = FloatXConstructor((False,) * 5, "tensor5")
scalars = PluralConstructor((), "scalars", None)
vectors = PluralConstructor((False,), "vectors", None)
rows = PluralConstructor((True, False), "rows", None)
cols = PluralConstructor((False, True), "cols", None)
matrices = PluralConstructor((False, False), "matrices", None)
tensor3s = PluralConstructor((False,) * 3, "tensor3s", None)
tensor4s = PluralConstructor((False,) * 4, "tensor4s", None)

bscalar = VariableConstructor("int8", (), "bscalar")
bvector = VariableConstructor("int8", (False,), "bvector")
brow = VariableConstructor("int8", (True, False), "brow")
bcol = VariableConstructor("int8", (False, True), "bcol")
bmatrix = VariableConstructor("int8", (False, False), "bmatrix")
btensor3 = VariableConstructor("int8", (False,) * 3, "btensor3")
btensor4 = VariableConstructor("int8", (False,) * 4, "btensor4")
wscalar = VariableConstructor("int16", (), "wscalar")
wvector = VariableConstructor("int16", (False,), "wvector")
wrow = VariableConstructor("int16", (True, False), "wrow")
wcol = VariableConstructor("int16", (False, True), "wcol")
wmatrix = VariableConstructor("int16", (False, False), "wmatrix")
wtensor3 = VariableConstructor("int16", (False,) * 3, "wtensor3")
wtensor4 = VariableConstructor("int16", (False,) * 4, "wtensor4")
iscalar = VariableConstructor("int32", (), "iscalar")
ivector = VariableConstructor("int32", (False,), "ivector")
irow = VariableConstructor("int32", (True, False), "irow")
icol = VariableConstructor("int32", (False, True), "icol")
imatrix = VariableConstructor("int32", (False, False), "imatrix")
itensor3 = VariableConstructor("int32", (False,) * 3, "itensor3")
itensor4 = VariableConstructor("int32", (False,) * 4, "itensor4")
lscalar = VariableConstructor("int64", (), "lscalar")
lvector = VariableConstructor("int64", (False,), "lvector")
lrow = VariableConstructor("int64", (True, False), "lrow")
lcol = VariableConstructor("int64", (False, True), "lcol")
lmatrix = VariableConstructor("int64", (False, False), "lmatrix")
ltensor3 = VariableConstructor("int64", (False,) * 3, "ltensor3")
ltensor4 = VariableConstructor("int64", (False,) * 4, "ltensor4")
fscalar = VariableConstructor("float32", (), "fscalar")
fvector = VariableConstructor("float32", (False,), "fvector")
frow = VariableConstructor("float32", (True, False), "frow")
fcol = VariableConstructor("float32", (False, True), "fcol")
fmatrix = VariableConstructor("float32", (False, False), "fmatrix")
ftensor3 = VariableConstructor("float32", (False,) * 3, "ftensor3")
ftensor4 = VariableConstructor("float32", (False,) * 4, "ftensor4")
dscalar = VariableConstructor("float64", (), "dscalar")
dvector = VariableConstructor("float64", (False,), "dvector")
drow = VariableConstructor("float64", (True, False), "drow")
dcol = VariableConstructor("float64", (False, True), "dcol")
dmatrix = VariableConstructor("float64", (False, False), "dmatrix")
dtensor3 = VariableConstructor("float64", (False,) * 3, "dtensor3")
dtensor4 = VariableConstructor("float64", (False,) * 4, "dtensor4")

bscalars = PluralConstructor((), "bscalars", "int8")
bvectors = PluralConstructor((False,), "bvectors", "int8")
bmatrices = PluralConstructor((False, False), "bmatrices", "int8")
brows = PluralConstructor((True, False), "brows", "int8")
bcols = PluralConstructor((False, True), "bcols", "int8")
btensor3s = PluralConstructor((False,) * 3, "btensor3s", "int8")
btensor4s = PluralConstructor((False,) * 4, "btensor4s", "int8")
wscalars = PluralConstructor((), "wscalars", "int16")
wvectors = PluralConstructor((False,), "wvectors", "int16")
wmatrices = PluralConstructor((False, False), "wmatrices", "int16")
wrows = PluralConstructor((True, False), "wrows", "int16")
wcols = PluralConstructor((False, True), "wcols", "int16")
wtensor3s = PluralConstructor((False,) * 3, "wtensor3s", "int16")
wtensor4s = PluralConstructor((False,) * 4, "wtensor4s", "int16")
iscalars = PluralConstructor((), "iscalars", "int32")
ivectors = PluralConstructor((False,), "ivectors", "int32")
irows = PluralConstructor((True, False), "irows", "int32")
icols = PluralConstructor((False, True), "icols", "int32")
imatrices = PluralConstructor((False, False), "imatrices", "int32")
itensor3s = PluralConstructor((False,) * 3, "itensor3s", "int32")
itensor4s = PluralConstructor((False,) * 4, "itensor4s", "int32")
lscalars = PluralConstructor((), "lscalars", "int64")
lvectors = PluralConstructor((False,), "lvectors", "int64")
lrows = PluralConstructor((True, False), "lrows", "int64")
lcols = PluralConstructor((False, True), "lcols", "int64")
lmatrices = PluralConstructor((False, False), "lmatrices", "int64")
ltensor3s = PluralConstructor((False,) * 3, "ltensor3s", "int64")
ltensor4s = PluralConstructor((False,) * 4, "ltensor4s", "int64")
fscalars = PluralConstructor((), "fscalars", "float32")
fvectors = PluralConstructor((False,), "fvectors", "float32")
frows = PluralConstructor((True, False), "frows", "float32")
fcols = PluralConstructor((False, True), "fcols", "float32")
fmatrices = PluralConstructor((False, False), "fmatrices", "float32")
ftensor3s = PluralConstructor((False,) * 3, "ftensor3s", "float32")
ftensor4s = PluralConstructor((False,) * 4, "ftensor4s", "float32")
dscalars = PluralConstructor((), "dscalars", "float64")
dvectors = PluralConstructor((False,), "dvectors", "float64")
drows = PluralConstructor((True, False), "drows", "float64")
dcols = PluralConstructor((False, True), "dcols", "float64")
dmatrices = PluralConstructor((False, False), "dmatrices", "float64")
dtensor3s = PluralConstructor((False,) * 3, "dtensor3s", "float64")
dtensor4s = PluralConstructor((False,) * 4, "dtensor4s", "float64")


def tensor(
    dtype: DTypeLike | None = None,
    broadcastable: Sequence[bool] | None = None,
    name: str | None = None,
    shape: Sequence[int | None] | None = None,
) -> TensorVariable:
    """A symbolic tensor of any rank: ``T.tensor('float32', (False, True), name='x')``.

    >>> tensor('int8', (False, True)).broadcastable
    (False, True)
    """
    if broadcastable is None and shape is None:
        raise TypeError("tensor() needs a broadcastable pattern or a shape")
    return make_input(TensorType(_or_floatx(dtype), broadcastable, shape), name)


# -- casts and allocation ---------------------------------------------------------------------


def cast(x: TensorLike, dtype: DTypeLike) -> TensorVariable:
    """``x`` converted to ``dtype`` (a no-op when it already has it).

    >>> cast(dscalar(), 'int32').dtype
    'int32'
    """
    variable = as_tensor_variable(x)
    target = normalize_dtype(dtype)
    if variable.dtype == target:
        return variable
    result_type = tensor_type(target, variable.type.shape)
    return emit(ops.CastOp(variable.value, result_type))


def fill(model: TensorLike, value: TensorLike) -> TensorVariable:
    """Theano's ``fill``: ``value`` broadcast to the shape of ``model`` (dtype of ``value``)."""
    model_v, value_v = as_operands([model, value], pad=True)
    ndim = max(model_v.ndim, value_v.ndim)
    model_v, value_v = pad_rank(model_v, ndim), pad_rank(value_v, ndim)
    shape = broadcast_shapes([model_v.type.shape, value_v.type.shape], "fill")
    result_type = tensor_type(value_v.dtype, shape)
    return emit(ops.FillOp(model_v.value, value_v.value, result_type))


second = fill


def zeros_like(model: TensorLike, dtype: DTypeLike | None = None) -> TensorVariable:
    """Zeros of the shape (and, unless ``dtype`` is given, dtype) of ``model``."""
    model_v = as_tensor_variable(model)
    return fill(model_v, constant(0, dtype=model_v.dtype if dtype is None else dtype))


def ones_like(model: TensorLike, dtype: DTypeLike | None = None) -> TensorVariable:
    """Ones of the shape (and, unless ``dtype`` is given, dtype) of ``model``."""
    model_v = as_tensor_variable(model)
    return fill(model_v, constant(1, dtype=model_v.dtype if dtype is None else dtype))


def _size_operand(size: TensorLike) -> tuple[TensorVariable, int | None]:
    if isinstance(size, TensorVariable):
        if size.ndim != 0 or not size.dtype.startswith(("int", "uint")):
            raise TypeError(f"a size must be a 0-d integer tensor, got {size.type}")
        return cast(size, "int64"), None
    if not isinstance(size, int | np.integer):
        raise TypeError(f"a size must be an int or a 0-d integer variable, not {size!r}")
    return constant(int(size), dtype="int64"), int(size)


def alloc(value: TensorLike, *shape: TensorLike) -> TensorVariable:
    """A new tensor of ``shape`` filled with ``value`` (broadcast).

    >>> alloc(0.0, 2, 3).type
    TensorType(float64, shape=(2, 3))
    """
    value_v = as_tensor_variable(value)
    if value_v.ndim > len(shape):
        raise ValueError(f"alloc: value of rank {value_v.ndim} does not fit in {len(shape)} axes")
    sizes = [_size_operand(size) for size in shape]
    static = tuple(known for _, known in sizes)
    result_type = tensor_type(value_v.dtype, static)
    dims = [v.value for v, _ in sizes]
    return emit(ops.AllocOp(value_v.value, dims, result_type))


def _shape_args(shape: ShapeLike) -> list[TensorLike]:
    if isinstance(shape, TensorVariable):
        if shape.ndim == 0:
            return [shape]
        from tracegraph.tensor.subtensor import getitem

        length = shape.type.shape[0]
        if length is None:
            raise ValueError("zeros/ones need a shape of known length")
        return [getitem(shape, i) for i in range(length)]
    if isinstance(shape, int | np.integer):
        return [shape]
    return list(shape)


def zeros(shape: ShapeLike, dtype: DTypeLike | None = None) -> TensorVariable:
    """A tensor of zeros (``config.floatX`` unless ``dtype`` is given).

    >>> zeros((2, 3)).dtype
    'float64'
    """
    return alloc(constant(0, dtype=_or_floatx(dtype)), *_shape_args(shape))


def ones(shape: ShapeLike, dtype: DTypeLike | None = None) -> TensorVariable:
    """A tensor of ones (``config.floatX`` unless ``dtype`` is given)."""
    return alloc(constant(1, dtype=_or_floatx(dtype)), *_shape_args(shape))
