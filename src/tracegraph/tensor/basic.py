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

import typing
from collections.abc import Sequence
from typing import Any, Generic

import numpy as np
from numpy.typing import DTypeLike

from tracegraph.config import config
from tracegraph.ir import ops
from tracegraph.ir.types import normalize_dtype, tensor_type
from tracegraph.tensor.elemwise import as_operands, broadcast_shapes, pad_rank
from tracegraph.tensor.kinds import (
    DType,
    Float32,
    Float64,
    Int8,
    Int16,
    Int32,
    Int64,
    Matrix,
    Rank,
    Scalar,
    Tensor3,
    Tensor4,
    Tensor5,
    Vector,
)
from tracegraph.tensor.types import TensorType
from tracegraph.tensor.variable import (
    DT,
    RK,
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


class VariableConstructor(Generic[DT, RK]):
    """A constructor with a fixed dtype, such as ``T.dmatrix(name=None)``: its variables are
    ``TensorVariable[DT, RK]`` for the type checker (``dmatrix``: ``[Float64, Matrix]``)."""

    def __init__(self, dtype: type[DT], rank: type[RK], broadcastable: tuple[bool, ...], kind: str):
        assert issubclass(dtype, DType) and issubclass(rank, Rank)
        assert len(broadcastable) == rank.ndim, (kind, rank)
        self.kinds = (dtype, rank)
        """The dtype and rank of its variables for the type checker."""
        self._type = TensorType(dtype.dtype, broadcastable)
        self.__name__ = self.__qualname__ = kind
        self.__doc__ = f"A symbolic {kind} of {dtype.dtype}: ``{kind}(name=None)``."

    def __call__(self, name: str | None = None) -> TensorVariable[DT, RK]:
        return typing.cast("TensorVariable[DT, RK]", make_input(self._type, name))


class FloatXConstructor(Generic[RK]):
    """A constructor whose dtype defaults to ``config.floatX``, such as ``T.matrix``: its
    variables are ``TensorVariable[Any, RK]`` (the dtype is the configuration's)."""

    def __init__(self, rank: type[RK], broadcastable: tuple[bool, ...], kind: str):
        assert issubclass(rank, Rank) and len(broadcastable) == rank.ndim, (kind, rank)
        self.kinds = (DType, rank)
        """The dtype (any: ``config.floatX``) and rank of its variables for the type checker."""
        self._broadcastable = broadcastable
        self.__name__ = self.__qualname__ = kind
        self.__doc__ = f"A symbolic {kind}: ``{kind}(name=None, dtype=config.floatX)``."

    def __call__(
        self, name: str | None = None, dtype: DTypeLike | None = None
    ) -> TensorVariable[Any, RK]:
        return make_input(TensorType(_or_floatx(dtype), self._broadcastable), name)


class PluralConstructor(Generic[DT, RK]):
    """A constructor of several variables at once, such as ``T.dmatrices('a', 'b')``; with the
    ``DType`` marker for its dtype, the dtype is ``config.floatX`` or the ``dtype``
    argument."""

    def __init__(self, dtype: type[DT], rank: type[RK], broadcastable: tuple[bool, ...], kind: str):
        assert issubclass(dtype, DType) and issubclass(rank, Rank)
        assert len(broadcastable) == rank.ndim, (kind, rank)
        self.kinds = (dtype, rank)
        """The dtype (``DType``: ``config.floatX``) and rank of its variables for the type
        checker."""
        self._broadcastable = broadcastable
        self._dtype = dtype.dtype or None
        self.__name__ = self.__qualname__ = kind
        self.__doc__ = f"One symbolic variable per name: ``{kind}('a', 'b', ...)``."

    def __call__(
        self, *names: str, dtype: DTypeLike | None = None
    ) -> tuple[TensorVariable[DT, RK], ...]:
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


def floatx_plural(
    rank: type[RK], broadcastable: tuple[bool, ...], kind: str
) -> PluralConstructor[Any, RK]:
    """The plural constructor of ``config.floatX`` variables of ``rank`` (``T.matrices``)."""
    return PluralConstructor(DType, rank, broadcastable, kind)


scalar = FloatXConstructor(Scalar, (), "scalar")
vector = FloatXConstructor(Vector, (False,), "vector")
row = FloatXConstructor(Matrix, (True, False), "row")
col = FloatXConstructor(Matrix, (False, True), "col")
matrix = FloatXConstructor(Matrix, (False, False), "matrix")
tensor3 = FloatXConstructor(Tensor3, (False,) * 3, "tensor3")
tensor4 = FloatXConstructor(Tensor4, (False,) * 4, "tensor4")
tensor5 = FloatXConstructor(Tensor5, (False,) * 5, "tensor5")
scalars = floatx_plural(Scalar, (), "scalars")
vectors = floatx_plural(Vector, (False,), "vectors")
rows = floatx_plural(Matrix, (True, False), "rows")
cols = floatx_plural(Matrix, (False, True), "cols")
matrices = floatx_plural(Matrix, (False, False), "matrices")
tensor3s = floatx_plural(Tensor3, (False,) * 3, "tensor3s")
tensor4s = floatx_plural(Tensor4, (False,) * 4, "tensor4s")

bscalar = VariableConstructor(Int8, Scalar, (), "bscalar")
bvector = VariableConstructor(Int8, Vector, (False,), "bvector")
brow = VariableConstructor(Int8, Matrix, (True, False), "brow")
bcol = VariableConstructor(Int8, Matrix, (False, True), "bcol")
bmatrix = VariableConstructor(Int8, Matrix, (False, False), "bmatrix")
btensor3 = VariableConstructor(Int8, Tensor3, (False,) * 3, "btensor3")
btensor4 = VariableConstructor(Int8, Tensor4, (False,) * 4, "btensor4")
wscalar = VariableConstructor(Int16, Scalar, (), "wscalar")
wvector = VariableConstructor(Int16, Vector, (False,), "wvector")
wrow = VariableConstructor(Int16, Matrix, (True, False), "wrow")
wcol = VariableConstructor(Int16, Matrix, (False, True), "wcol")
wmatrix = VariableConstructor(Int16, Matrix, (False, False), "wmatrix")
wtensor3 = VariableConstructor(Int16, Tensor3, (False,) * 3, "wtensor3")
wtensor4 = VariableConstructor(Int16, Tensor4, (False,) * 4, "wtensor4")
iscalar = VariableConstructor(Int32, Scalar, (), "iscalar")
ivector = VariableConstructor(Int32, Vector, (False,), "ivector")
irow = VariableConstructor(Int32, Matrix, (True, False), "irow")
icol = VariableConstructor(Int32, Matrix, (False, True), "icol")
imatrix = VariableConstructor(Int32, Matrix, (False, False), "imatrix")
itensor3 = VariableConstructor(Int32, Tensor3, (False,) * 3, "itensor3")
itensor4 = VariableConstructor(Int32, Tensor4, (False,) * 4, "itensor4")
lscalar = VariableConstructor(Int64, Scalar, (), "lscalar")
lvector = VariableConstructor(Int64, Vector, (False,), "lvector")
lrow = VariableConstructor(Int64, Matrix, (True, False), "lrow")
lcol = VariableConstructor(Int64, Matrix, (False, True), "lcol")
lmatrix = VariableConstructor(Int64, Matrix, (False, False), "lmatrix")
ltensor3 = VariableConstructor(Int64, Tensor3, (False,) * 3, "ltensor3")
ltensor4 = VariableConstructor(Int64, Tensor4, (False,) * 4, "ltensor4")
fscalar = VariableConstructor(Float32, Scalar, (), "fscalar")
fvector = VariableConstructor(Float32, Vector, (False,), "fvector")
frow = VariableConstructor(Float32, Matrix, (True, False), "frow")
fcol = VariableConstructor(Float32, Matrix, (False, True), "fcol")
fmatrix = VariableConstructor(Float32, Matrix, (False, False), "fmatrix")
ftensor3 = VariableConstructor(Float32, Tensor3, (False,) * 3, "ftensor3")
ftensor4 = VariableConstructor(Float32, Tensor4, (False,) * 4, "ftensor4")
dscalar = VariableConstructor(Float64, Scalar, (), "dscalar")
dvector = VariableConstructor(Float64, Vector, (False,), "dvector")
drow = VariableConstructor(Float64, Matrix, (True, False), "drow")
dcol = VariableConstructor(Float64, Matrix, (False, True), "dcol")
dmatrix = VariableConstructor(Float64, Matrix, (False, False), "dmatrix")
dtensor3 = VariableConstructor(Float64, Tensor3, (False,) * 3, "dtensor3")
dtensor4 = VariableConstructor(Float64, Tensor4, (False,) * 4, "dtensor4")

bscalars = PluralConstructor(Int8, Scalar, (), "bscalars")
bvectors = PluralConstructor(Int8, Vector, (False,), "bvectors")
bmatrices = PluralConstructor(Int8, Matrix, (False, False), "bmatrices")
brows = PluralConstructor(Int8, Matrix, (True, False), "brows")
bcols = PluralConstructor(Int8, Matrix, (False, True), "bcols")
btensor3s = PluralConstructor(Int8, Tensor3, (False,) * 3, "btensor3s")
btensor4s = PluralConstructor(Int8, Tensor4, (False,) * 4, "btensor4s")
wscalars = PluralConstructor(Int16, Scalar, (), "wscalars")
wvectors = PluralConstructor(Int16, Vector, (False,), "wvectors")
wmatrices = PluralConstructor(Int16, Matrix, (False, False), "wmatrices")
wrows = PluralConstructor(Int16, Matrix, (True, False), "wrows")
wcols = PluralConstructor(Int16, Matrix, (False, True), "wcols")
wtensor3s = PluralConstructor(Int16, Tensor3, (False,) * 3, "wtensor3s")
wtensor4s = PluralConstructor(Int16, Tensor4, (False,) * 4, "wtensor4s")
iscalars = PluralConstructor(Int32, Scalar, (), "iscalars")
ivectors = PluralConstructor(Int32, Vector, (False,), "ivectors")
irows = PluralConstructor(Int32, Matrix, (True, False), "irows")
icols = PluralConstructor(Int32, Matrix, (False, True), "icols")
imatrices = PluralConstructor(Int32, Matrix, (False, False), "imatrices")
itensor3s = PluralConstructor(Int32, Tensor3, (False,) * 3, "itensor3s")
itensor4s = PluralConstructor(Int32, Tensor4, (False,) * 4, "itensor4s")
lscalars = PluralConstructor(Int64, Scalar, (), "lscalars")
lvectors = PluralConstructor(Int64, Vector, (False,), "lvectors")
lrows = PluralConstructor(Int64, Matrix, (True, False), "lrows")
lcols = PluralConstructor(Int64, Matrix, (False, True), "lcols")
lmatrices = PluralConstructor(Int64, Matrix, (False, False), "lmatrices")
ltensor3s = PluralConstructor(Int64, Tensor3, (False,) * 3, "ltensor3s")
ltensor4s = PluralConstructor(Int64, Tensor4, (False,) * 4, "ltensor4s")
fscalars = PluralConstructor(Float32, Scalar, (), "fscalars")
fvectors = PluralConstructor(Float32, Vector, (False,), "fvectors")
frows = PluralConstructor(Float32, Matrix, (True, False), "frows")
fcols = PluralConstructor(Float32, Matrix, (False, True), "fcols")
fmatrices = PluralConstructor(Float32, Matrix, (False, False), "fmatrices")
ftensor3s = PluralConstructor(Float32, Tensor3, (False,) * 3, "ftensor3s")
ftensor4s = PluralConstructor(Float32, Tensor4, (False,) * 4, "ftensor4s")
dscalars = PluralConstructor(Float64, Scalar, (), "dscalars")
dvectors = PluralConstructor(Float64, Vector, (False,), "dvectors")
drows = PluralConstructor(Float64, Matrix, (True, False), "drows")
dcols = PluralConstructor(Float64, Matrix, (False, True), "dcols")
dmatrices = PluralConstructor(Float64, Matrix, (False, False), "dmatrices")
dtensor3s = PluralConstructor(Float64, Tensor3, (False,) * 3, "dtensor3s")
dtensor4s = PluralConstructor(Float64, Tensor4, (False,) * 4, "dtensor4s")


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
