"""The variables of random streams: the state of a NumPy ``RandomState`` stream (symbolic and
shared), the random variables the streams return, and what building a draw shares.

A random variable ``rv`` knows its stream: ``rv.rng`` is the shared variable holding the state
it draws from, ``rv.update`` the pair ``(rv.rng, new state)`` that functions apply by default.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any, TypeAlias

import numpy as np
from xdsl.ir import Operation, SSAValue

from tracegraph.backends.registry import ValueCell
from tracegraph.compile.shared import BaseSharedVariable
from tracegraph.config import config
from tracegraph.errors import GraphTypeError, InputTypeError
from tracegraph.ir.location import user_location
from tracegraph.ir.ops import SharedOp
from tracegraph.ir.types import RandomStateIRType, Shape, tensor_type
from tracegraph.tensor.shapes import shape_vector
from tracegraph.tensor.variable import (
    ShapeLike,
    TensorLike,
    TensorVariable,
    Variable,
    as_tensor_variable,
    attach_variable,
    constant,
    forget_uses,
)

RandomState: TypeAlias = np.random.RandomState
SizeLike: TypeAlias = "ShapeLike | None"
"""A sample's size: ints and symbolic integer scalars, a symbolic shape vector (``x.shape``),
or ``None`` for the shape of the broadcast parameters."""


class RandomStateType:
    """The type of a random stream's state: a NumPy ``RandomState``.

    >>> RandomStateType().filter(np.random.RandomState(1)).randint(10)
    5
    """

    __slots__ = ()

    def ir_type(self) -> RandomStateIRType:
        """The IR type, ``!tg.random_state``."""
        return RandomStateIRType()

    def filter(self, value: Any, *, what: str = "value") -> RandomState:
        """``value`` itself if it is a ``RandomState``, else ``InputTypeError``."""
        if not isinstance(value, np.random.RandomState):
            raise InputTypeError(
                f"{what}: a random stream's state must be a numpy.random.RandomState, "
                f"got {type(value).__name__}"
            )
        return value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RandomStateType)

    def __hash__(self) -> int:
        return hash(RandomStateType)

    def __repr__(self) -> str:
        return "RandomStateType"


class RandomStateVariable(Variable):
    """A symbolic random-stream state: the state a draw reads, or the new one it returns."""

    __slots__ = ()
    type: RandomStateType

    def __init__(self, value: SSAValue, name: str | None = None):
        self.type = RandomStateType()
        super().__init__(value, name)


class RandomStateSharedVariable(RandomStateVariable, BaseSharedVariable):
    """A shared variable holding a NumPy ``RandomState`` (``rv.rng`` of a random variable).

    ``get_value(borrow=True)`` returns the live generator: seed it or set its state, then give
    it back with ``set_value(rng, borrow=True)``. A function that draws from it stores a new,
    advanced ``RandomState`` after the call (the one it read is left unchanged).

    >>> rng = RandomStateSharedVariable(np.random.RandomState(3), name='rng')
    >>> rng.get_value(borrow=True).randint(10)
    8
    """

    __slots__ = ("cell", "default_update")
    cell: ValueCell[RandomState]

    def __init__(self, value: RandomState, name: str | None = None, borrow: bool = False):
        op = SharedOp(name or "", RandomStateIRType())
        op.location = user_location()
        super().__init__(op.result, name)
        attach_variable(op, self)
        self.default_update: Variable | None = None
        state = self.type.filter(value, what=self._what())
        self.cell = ValueCell(state if borrow else copy.deepcopy(state))

    def _what(self) -> str:
        return f"random state {self.name!r}" if self.name else "random state"

    def get_value(self, borrow: bool = False) -> RandomState:
        """The generator (a copy unless ``borrow``)."""
        state = self.cell.value
        return state if borrow else copy.deepcopy(state)

    def set_value(self, value: Any, borrow: bool = False) -> None:
        """Replace the generator (copied unless ``borrow``)."""
        state = self.type.filter(value, what=self._what())
        with self.cell.lock:  # not in the middle of a call that updates it
            self.cell.value = state if borrow else copy.deepcopy(state)

    def check_update(self, update: Variable) -> None:
        """The update must be a random-stream state."""
        if not isinstance(update.type, RandomStateType):
            raise GraphTypeError(
                f"the update of {self.describe()} has type {update.type} (created at "
                f"{update.location}); a random state is updated with a random state"
            )

    def new_value(self, result: Any, protected: list[Any]) -> RandomState:
        """The new state a call computed: a generator no other shared variable, argument or
        result holds (copied if it is one of ``protected``, which it then joins)."""
        state = self.type.filter(result, what=f"update of {self.describe()}")
        if any(state is other for other in protected):
            state = copy.deepcopy(state)
        protected.append(state)
        return state

    def __reduce__(self) -> tuple[Any, ...]:
        return (RandomStateSharedVariable, (self.cell.value, self.name, True))

    def __repr__(self) -> str:
        return self.name if self.name is not None else "<random state>"


class RandomVariable(TensorVariable):
    """The sample of a random draw: a tensor that also knows its stream, ``rng`` (the shared
    state it draws from) and ``update`` (``(rng, new state)``, applied by default)."""

    __slots__ = ("rng", "update")
    rng: BaseSharedVariable
    update: tuple[BaseSharedVariable, Variable]

    def __init__(
        self, value: SSAValue, rng: BaseSharedVariable, new_state: Variable, name: str | None = None
    ):
        super().__init__(value, name)
        self.rng = rng
        self.update = (rng, new_state)

    @property
    def rstate(self) -> BaseSharedVariable:
        """``rng``, by the name ``MRG_RandomStreams`` samples use."""
        return self.rng


def emit_draw(op: Operation) -> tuple[SSAValue, SSAValue]:
    """Stamp a draw op with the user's location; its (new state, sample) results."""
    forget_uses(op).location = user_location()
    new_state, sample = op.results
    return new_state, sample


def is_python_number(value: Any) -> bool:
    """A plain Python ``int`` or ``float`` (NumPy scalars are not: their dtype counts)."""
    return type(value) in (int, float)


def default_float_dtype(*params: TensorLike) -> str:
    """``floatX``, upcast with the dtypes of the parameters that are not Python numbers
    (Python numbers take ``floatX``, as Theano's constants did).

    >>> default_float_dtype(0.0, np.float32(1.0))
    'float64'
    """
    dtypes = [
        np.dtype(p.dtype if isinstance(p, TensorVariable) else np.asarray(p).dtype)
        for p in params
        if not is_python_number(p)
    ]
    result = np.result_type(config.floatX, *dtypes)
    return "float64" if result.kind != "f" else result.name


def sample_shape(
    size: SizeLike, ndim: int | None, param_shapes: Sequence[Shape], what: str
) -> tuple[TensorVariable, tuple[int | None, ...]]:
    """The 1-d int64 shape operand of a draw and the sample's static shape, given the static
    shapes of the parameters that broadcast with the sample.

    ``size=None`` draws the broadcast shape of the parameters (an empty shape operand, as
    NumPy's ``size=None``). ``ndim``, when given, must equal the number of sizes, checked here
    when that number is known (a tuple, a shape vector of static length). A shape vector of
    unknown length takes its length from ``ndim``, and a call whose vector has another length
    raises ``ShapeMismatchError`` (a ``ValueError``, as Theano's at call time): the sample's
    rank is always its type's.
    """
    if size is None:
        static = _broadcast_shape(param_shapes)
        vector = constant(np.zeros(0, dtype=np.int64))
    else:
        if isinstance(size, int | np.integer):
            size = (int(size),)
        if not isinstance(size, TensorVariable):
            negative = [s for s in size if isinstance(s, int | np.integer) and s < 0]
            if negative:
                raise ValueError(f"{what}: sizes must be non-negative, got {tuple(size)}")
        vector, static_shape = shape_vector(size, what, ndim)
        static = list(static_shape)
        for param_shape in param_shapes:
            if len(param_shape) > len(static):
                raise ValueError(
                    f"{what}: a parameter of rank {len(param_shape)} does not fit a sample of "
                    f"rank {len(static)} (size={size})"
                )
    if ndim is not None and ndim != len(static):
        raise ValueError(f"{what}: ndim={ndim} but the size has {len(static)} entries")
    return vector, tuple(static)


def _broadcast_shape(shapes: Sequence[Shape]) -> list[int | None]:
    """Static shapes broadcast (NumPy's rules: sizes of 1 stretch)."""
    rank = max((len(s) for s in shapes), default=0)
    shape: list[int | None] = []
    for axis in range(rank):
        sizes = [s[axis - rank + len(s)] for s in shapes if axis >= rank - len(s)]
        known = {s for s in sizes if s not in (None, 1)}
        if len(known) == 1:
            shape.append(known.pop())
        elif all(s == 1 for s in sizes):
            shape.append(1)
        else:
            shape.append(None)
    return shape


def sample_type(dtype: str, shape: tuple[int | None, ...]) -> Any:
    """The IR type of a sample."""
    return tensor_type(np.dtype(dtype).name, shape)


def as_parameter(value: TensorLike, dtype: str | None = None) -> TensorVariable:
    """A distribution parameter as a tensor: cast to ``dtype`` when given; a Python float
    becomes a ``floatX`` constant (under ``floatX=float32`` Theano passed ``float32(0.1)``, not
    ``0.1``, to the generator, which changes the numbers drawn).

    >>> as_parameter(0.5).dtype == config.floatX
    True
    """
    if type(value) is float and dtype is None:
        return constant(value, dtype=config.floatX)
    variable = as_tensor_variable(value)
    if dtype is not None and variable.dtype != dtype:
        from tracegraph.tensor.basic import cast

        variable = cast(variable, dtype)
    return variable
