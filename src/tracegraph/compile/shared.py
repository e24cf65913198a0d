"""Shared variables: symbolic variables with a value that lives between function calls.

``BaseSharedVariable`` is what ``function`` needs of any of them (the value, its update, the
check of a new value); ``SharedVariable`` is the tensor kind users create with ``shared``.
The state of a random stream is another kind (``tracegraph.random``). Each keeps its value in
its ``cell``, a :class:`~tracegraph.backends.registry.ValueCell`: the one object through which
backends read and update it.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from xdsl.ir import Operation

from tracegraph.backends.registry import DeviceValue, ValueCell
from tracegraph.errors import GraphTypeError
from tracegraph.ir.location import user_location
from tracegraph.ir.ops import SharedOp
from tracegraph.tensor.types import TensorType
from tracegraph.tensor.variable import (
    TensorVariable,
    Variable,
    attach_variable,
    attached_variable,
)


class BaseSharedVariable(Variable):
    """A variable whose value lives between function calls: ``get_value`` / ``set_value``
    read and replace it, a function's updates compute its next value, and
    ``default_update``, when set, is the update a function applies when given none.

    The value lives in ``cell``, a :class:`ValueCell` made with the variable and never replaced
    (functions bind to it once): ``cell.value`` is the current value, as ``get_value(borrow=
    True)`` returns it, and :meth:`store` and ``set_value`` assign it. Each subclass declares
    the ``cell`` slot (two bases with slots of their own cannot be combined)."""

    __slots__ = ()
    default_update: Variable | None
    cell: ValueCell[Any]
    """Where the value lives (see the class)."""

    def get_value(self, borrow: bool = False) -> Any:
        """The current value (a copy unless ``borrow``)."""
        raise NotImplementedError

    def set_value(self, value: Any, borrow: bool = False) -> None:
        """Replace the value."""
        raise NotImplementedError

    def check_update(self, update: Variable) -> None:
        """Raise ``GraphTypeError`` unless ``update`` can be this variable's new value."""
        raise NotImplementedError

    def new_value(self, result: Any, protected: list[Any]) -> Any:
        """The value to store from what a call computed as this variable's update (``protected``
        holds the arrays it must not share memory with)."""
        raise NotImplementedError

    def store(self, value: Any) -> None:
        """Hold ``value``, a result of :meth:`new_value`, as the new value (no checks)."""
        self.cell.value = value


class HeldTogether:
    """Several locks held as one, always taken in the same order (by identity), so that two
    functions that update some of the same shared variables cannot wait for each other."""

    __slots__ = ("_locks",)

    def __init__(self, locks: Sequence[Any]):
        self._locks = sorted(locks, key=id)

    def acquire(self) -> None:
        """Take every lock, in order."""
        for lock in self._locks:
            lock.acquire()

    def release(self) -> None:
        """Release every lock, in reverse order."""
        for lock in reversed(self._locks):
            lock.release()

    def __enter__(self) -> None:
        self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


def update_lock(targets: Sequence[BaseSharedVariable], own: Any = None) -> Any:
    """What a call of a function that updates ``targets`` (and, with ``own``, a state of its
    own: inputs given ``In(update=...)``) holds from reading their values to storing the new
    ones: the lock of each variable's cell, as one; None when it updates nothing (its calls
    run in parallel where the backend lets them).

    >>> import numpy as np
    >>> from tracegraph import shared
    >>> a, b = shared(np.zeros(1)), shared(np.zeros(1))
    >>> update_lock([]) is None, update_lock([a]) is a.cell.lock
    (True, True)
    >>> with update_lock([a, b]):
    ...     pass
    """
    locks = list({id(t.cell.lock): t.cell.lock for t in targets}.values())
    if own is not None:
        locks.append(own)
    if not locks:
        return None
    return locks[0] if len(locks) == 1 else HeldTogether(locks)


def owned_value(result: Any, protected: list[Any]) -> Any:
    """A result the caller may keep: an array as :func:`owned_array` gives it; another object
    (a random state) copied if it is one of ``protected`` (which it then joins)."""
    if isinstance(result, np.ndarray | np.generic | int | float | bool):
        return owned_array(result, protected)
    if any(result is other for other in protected):
        result = copy.deepcopy(result)
    protected.append(result)
    return result


def owned_array(result: Any, protected: list[Any]) -> NDArray[Any]:
    """``result`` as an array the caller may keep and modify: copied when it is read-only or
    may share memory with an array of ``protected`` (which it then joins)."""
    array = np.asarray(result)
    if not array.flags.writeable or any(
        isinstance(p, np.ndarray) and np.may_share_memory(array, p) for p in protected
    ):
        array = array.copy()
    protected.append(array)
    return array


class SharedVariable(TensorVariable, BaseSharedVariable):
    """A variable whose value is shared by every function that uses it.

    Read it with ``get_value()``, replace it with ``set_value()``; functions change it through
    their ``updates``. ``default_update``, when set, is the update a function applies if it is
    given none for this variable (random streams use it).

    >>> from tracegraph import shared
    >>> state = shared(0)
    >>> state.set_value(5)
    >>> state.get_value()
    array(5)
    """

    __slots__ = ("allow_downcast", "cell", "default_update", "strict")
    cell: ValueCell[NDArray[Any]]

    def __init__(
        self,
        type: TensorType,
        value: NDArray[Any],
        name: str | None = None,
        strict: bool = False,
        allow_downcast: bool | None = None,
    ):
        op = SharedOp(name or "", type.ir_type())
        op.location = user_location()
        super().__init__(op.result, name)
        attach_variable(op, self)
        self.strict = strict
        self.allow_downcast = allow_downcast
        self.default_update: TensorVariable | None = None
        self.cell = ValueCell(
            type.filter(value, strict=strict, allow_downcast=allow_downcast, what=self._what())
        )

    def _what(self) -> str:
        return f"shared variable {self.name!r}" if self.name else "shared variable"

    def get_value(self, borrow: bool = False) -> NDArray[Any]:
        """The current value (a copy unless ``borrow``); a value on a device (the Triton
        backend's) is copied to the host."""
        value = self.cell.value
        if isinstance(value, DeviceValue):
            value = value.to_host()
        return value if borrow else value.copy()

    def set_value(self, value: ArrayLike, borrow: bool = False) -> None:
        """Replace the value; it must fit the variable's type (dtype, rank, static sizes)."""
        converted = self.type.filter(
            value, strict=self.strict, allow_downcast=self.allow_downcast, what=self._what()
        )
        if converted is value and not borrow:
            converted = converted.copy()
        with self.cell.lock:  # not in the middle of a call that updates it
            self.cell.value = converted

    def check_update(self, update: Variable) -> None:
        """The update's static type must be one this variable's values can have, with Theano's
        rule for broadcastable axes: the same dtype and rank, no known size that differs from
        one of this variable's, and no static size 1 (broadcastable) on an axis this variable
        declares non-broadcastable. A size the update leaves unknown is checked against this
        variable's static sizes when a call computes it (:meth:`new_value`)."""
        if not isinstance(update, TensorVariable) or not self.type.is_compatible(update.type):
            cast_hint = (
                f"; cast it with T.cast(..., '{self.dtype}')"
                if isinstance(update, TensorVariable) and self.dtype != update.dtype
                else ""
            )
            raise GraphTypeError(
                f"the update of {self.describe()} has type {update.type} (created at "
                f"{update.location}); it must match {self.type}{cast_hint}"
            )
        broadcast = [
            axis
            for axis, (size, new_size) in enumerate(
                zip(self.type.shape, update.type.shape, strict=True)
            )
            if size is None and new_size == 1
        ]
        if broadcast:
            axes = (
                f"axis {broadcast[0]} of the update is"
                if len(broadcast) == 1
                else f"axes {', '.join(map(str, broadcast))} of the update are"
            )
            raise GraphTypeError(
                f"the update of {self.describe()} has type {update.type} (created at "
                f"{update.location}); it must match {self.type}: {axes} broadcastable (static "
                "size 1), not the shared variable's (declare the shared variable with "
                "broadcastable= or shape= if it only holds size 1 there)"
            )

    def new_value(self, result: Any, protected: list[Any]) -> NDArray[Any]:
        """The update's array, owned, checked against the static sizes of the type."""
        value = owned_array(result, protected)
        if not self.type.fits_shape(value):
            self.type.check_shape(value, f"update of {self.describe()}")
        return value

    def __reduce__(self) -> tuple[Any, ...]:
        return (
            _restore_shared,
            (
                self.type.dtype,
                self.type.shape,
                self.get_value(borrow=True),
                self.name,
                self.strict,
                self.allow_downcast,
            ),
        )

    def __repr__(self) -> str:
        return self.name if self.name is not None else f"<shared {self.type}>"


def _restore_shared(
    dtype: str,
    shape: tuple[int | None, ...],
    value: NDArray[Any],
    name: str | None,
    strict: bool,
    allow_downcast: bool | None,
) -> SharedVariable:
    return SharedVariable(TensorType(dtype, shape=shape), value, name, strict, allow_downcast)


def shared(
    value: Any,
    name: str | None = None,
    strict: bool = False,
    allow_downcast: bool | None = None,
    borrow: bool = False,
    shape: Sequence[int | None] | None = None,
    broadcastable: Sequence[bool] | None = None,
) -> SharedVariable:
    """A new shared variable holding ``value`` (copied unless ``borrow``).

    Python ints become int64, floats float64, bools bool; arrays keep their dtype. Every
    dimension is non-broadcastable unless ``broadcastable`` or ``shape`` says otherwise (the
    value may change size between calls).

    >>> w = shared([[1.0, 2.0]], name='w', broadcastable=(True, False))
    >>> w.type
    TensorType(float64, shape=(1, ?))
    """
    array = value if borrow and isinstance(value, np.ndarray) else np.array(value)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"shared() needs numeric data, got {array.dtype} ({type(value).__name__})")
    if shape is None and broadcastable is None:
        broadcastable = (False,) * array.ndim
    variable_type = TensorType(array.dtype, broadcastable, shape)
    return SharedVariable(variable_type, array, name, strict, allow_downcast)


def advanced_state(op: Operation) -> BaseSharedVariable | None:
    """The shared variable ``op`` advances: one it reads whose default update is a result of
    ``op`` (a random stream's draw), or None."""
    for operand in op.operands:
        owner = operand.owner
        if not isinstance(owner, SharedOp):
            continue
        shared = attached_variable(owner)
        if not isinstance(shared, BaseSharedVariable) or shared.default_update is None:
            continue
        if shared.default_update.value.owner is op:
            return shared
    return None
