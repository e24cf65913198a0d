"""Mapping between NumPy dtypes and xDSL tensor types.

A tracegraph tensor type is an xDSL ``TensorType``: the element type encodes the dtype
(``i1`` for bool, signless ``i8``-``i64`` for signed integers, ``ui8``-``ui64`` for unsigned ones,
``f32``/``f64`` for floats) and the shape holds a static size where one is known (``1`` for
Theano's broadcastable dimensions) and ``?`` elsewhere.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, TypeAlias

import numpy as np
from xdsl.dialects.builtin import (
    DYNAMIC_INDEX,
    AnyFloat,
    Float32Type,
    Float64Type,
    IntegerType,
    Signedness,
    TensorType,
)
from xdsl.ir import Attribute, ParametrizedAttribute, SSAValue, TypeAttribute
from xdsl.irdl import irdl_attr_definition

IRTensorType: TypeAlias = TensorType[Attribute]
Shape: TypeAlias = tuple[int | None, ...]
"""A static shape: an ``int`` where the size is known, ``None`` where it is not."""

DTYPES: tuple[str, ...] = (
    "bool",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "float32",
    "float64",
)
FLOAT_DTYPES = ("float32", "float64")


def _element_type(dtype: str) -> Attribute:
    if dtype == "bool":
        return IntegerType(1)
    if dtype == "float32":
        return Float32Type()
    if dtype == "float64":
        return Float64Type()
    if dtype.startswith("uint"):
        return IntegerType(int(dtype[4:]), Signedness.UNSIGNED)
    if dtype.startswith("int"):
        return IntegerType(int(dtype[3:]))
    raise TypeError(f"unsupported dtype {dtype!r}; tracegraph supports {', '.join(DTYPES)}")


_ELEMENT_TYPES: dict[str, Attribute] = {dtype: _element_type(dtype) for dtype in DTYPES}


def normalize_dtype(dtype: Any) -> str:
    """Return the canonical name of a dtype given as a string, NumPy dtype or type.

    >>> normalize_dtype("float")
    'float64'
    """
    name: str = np.dtype(dtype).name
    if name not in _ELEMENT_TYPES:
        raise TypeError(f"unsupported dtype {name!r}; tracegraph supports {', '.join(DTYPES)}")
    return name


def element_type(dtype: str) -> Attribute:
    """The xDSL element type of a dtype name."""
    try:
        return _ELEMENT_TYPES[dtype]
    except KeyError:
        return _element_type(normalize_dtype(dtype))


def dtype_of_element(element: Attribute) -> str:
    """The dtype name of an xDSL element type (the inverse of :func:`element_type`)."""
    if isinstance(element, IntegerType):
        width = element.width.data
        if width == 1:
            return "bool"
        if element.signedness.data == Signedness.UNSIGNED:
            return f"uint{width}"
        return f"int{width}"
    if isinstance(element, Float32Type):
        return "float32"
    if isinstance(element, Float64Type):
        return "float64"
    raise TypeError(f"tracegraph has no dtype for element type {element}")


@lru_cache(maxsize=4096)
def tensor_type(dtype: str, shape: Shape) -> IRTensorType:
    """The xDSL tensor type of a dtype and a static shape (``None`` for unknown sizes).

    >>> str(tensor_type("float64", (None, 1)))
    'tensor<?x1xf64>'
    """
    dims = [DYNAMIC_INDEX if size is None else size for size in shape]
    return TensorType(element_type(dtype), dims)


def as_tensor_type(attr: Attribute) -> IRTensorType:
    """Check that an attribute is a tensor type of a supported dtype and return it."""
    if not isinstance(attr, TensorType):
        raise TypeError(f"expected a tensor type, got {attr}")
    dtype_of_element(attr.element_type)
    return attr


@lru_cache(maxsize=4096)
def _type_info(attr: Attribute) -> tuple[str, Shape]:
    tensor = as_tensor_type(attr)
    shape = tuple(None if d == DYNAMIC_INDEX else d for d in tensor.get_shape())
    return dtype_of_element(tensor.element_type), shape


_INFO_BY_ID: dict[int, tuple[Attribute, tuple[str, Shape]]] = {}
"""``_type_info`` by the identity of the type object: hashing an xDSL type hashes its
parameters every time, which made it the largest cost of emitting C; the entry holds the
type, so its id is not reused while the entry lives."""


_SSA_VALUE_CLASSES: set[type] = set()
"""The classes of SSA values seen so far: ``isinstance`` against xDSL's abstract ``SSAValue``
goes through ``ABCMeta.__instancecheck__``, as slow as the rest of the lookup together."""


def _info(value: SSAValue | Attribute) -> tuple[str, Shape]:
    cls = type(value)
    if cls in _SSA_VALUE_CLASSES:
        attr = value.type  # type: ignore[union-attr]
    elif isinstance(value, SSAValue):
        _SSA_VALUE_CLASSES.add(cls)
        attr = value.type
    else:
        attr = value
    entry = _INFO_BY_ID.get(id(attr))
    if entry is None or entry[0] is not attr:
        if len(_INFO_BY_ID) > 65536:
            _INFO_BY_ID.clear()
        entry = (attr, _type_info(attr))
        _INFO_BY_ID[id(attr)] = entry
    return entry[1]


def dtype_of(value: SSAValue | Attribute) -> str:
    """The dtype name of a value (or of a tensor type)."""
    return _info(value)[0]


def shape_of(value: SSAValue | Attribute) -> Shape:
    """The static shape of a value (or of a tensor type); ``None`` marks unknown sizes."""
    return _info(value)[1]


def ndim_of(value: SSAValue | Attribute) -> int:
    """The number of dimensions of a value (or of a tensor type)."""
    return len(_info(value)[1])


@irdl_attr_definition
class RandomStateIRType(ParametrizedAttribute, TypeAttribute):
    """The type of a NumPy ``RandomState`` carried through a graph (``!tg.random_state``): the
    state a ``RandomStreams`` draw reads and returns advanced."""

    name = "tg.random_state"


def is_tensor(value: SSAValue | Attribute) -> bool:
    """Whether a value (or type) is a tensor (and not, say, a random state)."""
    return isinstance(value.type if isinstance(value, SSAValue) else value, TensorType)


def is_float_dtype(dtype: str) -> bool:
    """Whether a dtype name is a floating-point dtype."""
    return dtype in FLOAT_DTYPES


def is_integer_dtype(dtype: str) -> bool:
    """Whether a dtype name is an integer dtype (bool excluded)."""
    return dtype.startswith(("int", "uint"))


__all__ = [
    "DTYPES",
    "FLOAT_DTYPES",
    "AnyFloat",
    "IRTensorType",
    "RandomStateIRType",
    "Shape",
    "as_tensor_type",
    "dtype_of",
    "dtype_of_element",
    "element_type",
    "is_float_dtype",
    "is_integer_dtype",
    "is_tensor",
    "ndim_of",
    "normalize_dtype",
    "shape_of",
    "tensor_type",
]
