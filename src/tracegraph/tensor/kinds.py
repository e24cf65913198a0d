"""What a type checker knows of a symbolic tensor: its dtype and its rank, as the two parameters
of :class:`~tracegraph.tensor.variable.TensorVariable`.

``T.dmatrix('x')`` is a ``TensorVariable[Float64, Matrix]``, ``T.ivector('i')`` a
``TensorVariable[Int32, Vector]``; an expression whose dtype or rank tracegraph does not work
out statically is a ``TensorVariable`` (``TensorVariable[Any, Any]``). The markers are
classes, never instantiated, so that mypy's messages name them shortly
(``"TensorVariable[Float64, Matrix]" has no attribute ...``). Annotate user code with them:

>>> import tracegraph.tensor as T
>>> def layer(x: T.TensorVariable[T.Float64, T.Matrix]) -> T.TensorVariable:
...     return T.tanh(x)
>>> layer(T.dmatrix('x')).type
TensorType(float64, shape=(?, ?))

Each marker names what it stands for at run time (``Float64.dtype``, ``Matrix.ndim``); a test
checks every constructor's markers against the variables it makes.
"""

from __future__ import annotations


class DType:
    """A dtype, for the type checker (``dtype``: its NumPy name)."""

    dtype = ""


class Bool(DType):
    """``bool``."""

    dtype = "bool"


class Int8(DType):
    """``int8`` (Theano's ``b`` constructors)."""

    dtype = "int8"


class Int16(DType):
    """``int16`` (Theano's ``w`` constructors)."""

    dtype = "int16"


class Int32(DType):
    """``int32`` (Theano's ``i`` constructors)."""

    dtype = "int32"


class Int64(DType):
    """``int64`` (Theano's ``l`` constructors)."""

    dtype = "int64"


class UInt8(DType):
    """``uint8``."""

    dtype = "uint8"


class Float32(DType):
    """``float32`` (Theano's ``f`` constructors)."""

    dtype = "float32"


class Float64(DType):
    """``float64`` (Theano's ``d`` constructors)."""

    dtype = "float64"


class Rank:
    """A number of dimensions, for the type checker (``ndim``)."""

    ndim = -1


class Scalar(Rank):
    """0 dimensions."""

    ndim = 0


class Vector(Rank):
    """1 dimension."""

    ndim = 1


class Matrix(Rank):
    """2 dimensions (Theano's rows and columns too: matrices with a broadcastable axis)."""

    ndim = 2


class Tensor3(Rank):
    """3 dimensions."""

    ndim = 3


class Tensor4(Rank):
    """4 dimensions."""

    ndim = 4


class Tensor5(Rank):
    """5 dimensions."""

    ndim = 5


DTYPES: tuple[type[DType], ...] = (Bool, Int8, Int16, Int32, Int64, UInt8, Float32, Float64)
RANKS: tuple[type[Rank], ...] = (Scalar, Vector, Matrix, Tensor3, Tensor4, Tensor5)

__all__ = [
    "Bool",
    "DType",
    "Float32",
    "Float64",
    "Int8",
    "Int16",
    "Int32",
    "Int64",
    "Matrix",
    "Rank",
    "Scalar",
    "Tensor3",
    "Tensor4",
    "Tensor5",
    "UInt8",
    "Vector",
]
