"""``TensorType``: a dtype plus a static shape (Theano's broadcastable pattern is the special case
where the only known sizes are 1)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray
from xdsl.ir import Attribute

from tracegraph.config import config
from tracegraph.errors import InputTypeError, ShapeMismatchError
from tracegraph.ir.types import (
    IRTensorType,
    Shape,
    dtype_of,
    normalize_dtype,
    shape_of,
    tensor_type,
)

if TYPE_CHECKING:
    from tracegraph.tensor.variable import TensorVariable


class TensorType:
    """The type of a symbolic tensor: ``dtype`` and a static ``shape`` (``None`` = unknown).

    ``TensorType('float64', (False, True))`` uses Theano's broadcastable pattern (``True`` marks a
    dimension of size 1); ``TensorType('float64', shape=(3, None))`` gives static sizes. Calling a
    type makes a new symbolic input of that type.

    >>> t = TensorType('float64', (False, True))
    >>> t.shape, t.broadcastable
    ((None, 1), (False, True))
    >>> t('x').type == t
    True
    """

    __slots__ = ("dtype", "shape")
    dtype: str
    shape: Shape

    def __init__(
        self,
        dtype: str | np.dtype[Any] | type,
        broadcastable: Sequence[bool] | None = None,
        shape: Sequence[int | None] | None = None,
    ):
        if broadcastable is not None and shape is not None:
            if len(broadcastable) != len(shape) or any(
                b and s not in (None, 1) for b, s in zip(broadcastable, shape, strict=True)
            ):
                raise ValueError(f"broadcastable {broadcastable} contradicts shape {shape}")
            shape = tuple(1 if b else s for b, s in zip(broadcastable, shape, strict=True))
        elif broadcastable is not None:
            shape = tuple(1 if b else None for b in broadcastable)
        elif shape is None:
            raise TypeError("TensorType needs a broadcastable pattern or a shape")
        for size in shape:
            if size is not None and (not isinstance(size, int | np.integer) or size < 0):
                raise ValueError(f"bad static size {size!r} in shape {tuple(shape)}")
        object.__setattr__(self, "dtype", normalize_dtype(dtype))
        object.__setattr__(self, "shape", tuple(None if s is None else int(s) for s in shape))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("TensorType is immutable")

    def __reduce__(self) -> tuple[Any, ...]:
        # Immutable: rebuilt by the constructor, not by setting attributes.
        return (TensorType, (self.dtype, None, self.shape))

    @property
    def ndim(self) -> int:
        """Number of dimensions."""
        return len(self.shape)

    @property
    def broadcastable(self) -> tuple[bool, ...]:
        """Theano's pattern: ``True`` where the size is statically 1."""
        return tuple(size == 1 for size in self.shape)

    def ir_type(self) -> IRTensorType:
        """The xDSL tensor type of this type."""
        return tensor_type(self.dtype, self.shape)

    @staticmethod
    def from_ir(attr: Attribute) -> TensorType:
        """The ``TensorType`` of an xDSL tensor type (one shared instance per IR type)."""
        return _type_of_ir(attr)

    def __call__(self, name: str | None = None) -> TensorVariable:
        from tracegraph.tensor.variable import make_input

        return make_input(self, name)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, TensorType)
            and self.dtype == other.dtype
            and self.shape == other.shape
        )

    def __hash__(self) -> int:
        return hash((self.dtype, self.shape))

    def __repr__(self) -> str:
        sizes = ", ".join("?" if s is None else str(s) for s in self.shape)
        return f"TensorType({self.dtype}, shape=({sizes}{',' if self.ndim == 1 else ''}))"

    def is_compatible(self, other: TensorType) -> bool:
        """Whether values of ``other`` can stand where this type is expected: same dtype and
        rank, and no two known sizes that differ."""
        return (
            self.dtype == other.dtype
            and self.ndim == other.ndim
            and all(
                a is None or b is None or a == b
                for a, b in zip(self.shape, other.shape, strict=True)
            )
        )

    def fits_shape(self, value: NDArray[Any]) -> bool:
        """Whether an array's shape has this type's rank and static sizes."""
        shape = value.shape
        return len(shape) == len(self.shape) and all(
            static is None or static == size for static, size in zip(self.shape, shape, strict=True)
        )

    def check_shape(self, value: NDArray[Any], what: str) -> None:
        """Raise ``ShapeMismatchError`` if an array's shape contradicts the static sizes."""
        for axis, (size, static) in enumerate(zip(value.shape, self.shape, strict=True)):
            if static is not None and size != static:
                raise ShapeMismatchError(
                    f"{what}: axis {axis} has size {size} but the type {self} requires {static}"
                    + (" (broadcastable dimension)" if static == 1 else "")
                )

    def filter(
        self,
        data: Any,
        *,
        strict: bool = False,
        allow_downcast: bool | None = None,
        what: str = "value",
    ) -> NDArray[Any]:
        """Convert ``data`` to an array of this type, with Theano's rules.

        - ``strict``: ``data`` must already be an ``ndarray`` of exactly this dtype;
        - ``allow_downcast=True``: any value is cast to the dtype;
        - otherwise an ``ndarray`` is accepted when its dtype casts safely to this one, and
          Python data when converting it loses nothing (or, with ``allow_downcast=None``, when
          it is a Python float and this dtype is ``config.floatX``).

        >>> TensorType('int32', ()).filter(3)
        array(3, dtype=int32)
        """
        converted = self._convert(data, strict, allow_downcast, what)
        if converted.ndim != self.ndim:
            raise InputTypeError(
                f"{what}: expected {self.ndim} dimensions ({self}), got an array of shape "
                f"{converted.shape}"
            )
        self.check_shape(converted, what)
        return converted

    def _convert(
        self, data: Any, strict: bool, allow_downcast: bool | None, what: str
    ) -> NDArray[Any]:
        target = np.dtype(self.dtype)
        if strict:
            if not isinstance(data, np.ndarray) or data.dtype != target:
                got = data.dtype if isinstance(data, np.ndarray) else type(data).__name__
                raise InputTypeError(
                    f"{what}: strict input needs an ndarray of {target}, got {got}"
                )
            return data
        if allow_downcast:
            return np.asarray(data).astype(target, copy=False)
        if isinstance(data, np.ndarray | np.generic):
            source = np.asarray(data)
            if source.dtype == target:
                return source
            if np.can_cast(source.dtype, target, "safe"):
                return source.astype(target)
            raise InputTypeError(
                f"{what}: converting an array of {source.dtype} to {target} could lose precision; "
                f"cast it first, or pass allow_input_downcast=True to function()"
            )
        try:
            original = np.asarray(data)
        except ValueError as error:
            raise InputTypeError(
                f"{what}: cannot convert {type(data).__name__}: {error}"
            ) from error
        if original.dtype == object or original.dtype.kind not in "biuf":
            raise InputTypeError(f"{what}: cannot convert {original.dtype} data to {target}")
        with np.errstate(all="ignore"):
            converted = original.astype(target)
        if original.shape == converted.shape and np.array_equal(
            converted, original, equal_nan=original.dtype.kind == "f"
        ):
            return converted
        if allow_downcast is None and isinstance(data, float) and self.dtype == config.floatX:
            return converted
        raise InputTypeError(
            f"{what}: {data!r} cannot be represented exactly as {target}; pass "
            f"allow_input_downcast=True to function() to round it"
        )


@lru_cache(maxsize=4096)
def _type_of_ir(attr: Attribute) -> TensorType:
    return TensorType(dtype_of(attr), shape=shape_of(attr))
