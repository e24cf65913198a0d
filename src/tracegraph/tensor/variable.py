"""``TensorVariable``: a symbolic tensor, wrapping one SSA value of the ``tg`` dialect.

Every operator on a variable builds one detached ``tg`` op stamped with the user's line and
returns a new variable for its result. Like Theano, ``==`` and ``hash`` are identity so that
variables work as dict keys; ``T.eq`` is the elementwise comparison.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeAlias

import numpy as np
from numpy.typing import DTypeLike, NDArray
from typing_extensions import TypeVar
from xdsl.dialects import builtin
from xdsl.ir import Operation, SSAValue

from tracegraph.config import config
from tracegraph.ir.location import format_location, user_location
from tracegraph.ir.ops import ConstantOp, InputOp
from tracegraph.tensor.types import TensorType

if TYPE_CHECKING:
    from tracegraph.tensor.subtensor import IndexKey

ScalarLike: TypeAlias = "int | float | bool | np.generic"
NestedScalars: TypeAlias = (
    "Sequence[ScalarLike | Sequence[ScalarLike | Sequence[ScalarLike | Sequence[ScalarLike]]]]"
)
TensorLike: TypeAlias = "TensorVariable | ScalarLike | NDArray[Any] | NestedScalars"
ShapeLike: TypeAlias = "TensorVariable | int | Sequence[int | TensorVariable]"
"""A shape: a tuple of ints and symbolic integer scalars, or a symbolic integer vector."""
"""What the tensor functions accept: variables, Python and NumPy scalars, arrays, and nested
lists of numbers up to four levels deep (a ``str`` is not a tensor, so the types reject it)."""

_VARIABLE_ATTRIBUTE = "_tracegraph_variable"

_EVALUATIONS: weakref.WeakKeyDictionary[TensorVariable, dict[tuple[int, ...], tuple[Any, Any]]] = (
    weakref.WeakKeyDictionary()
)
"""``Variable.eval``'s compiled functions, by variable and then by the ids of its inputs (the
inputs themselves are held in the entry, so that an id is not reused while it is cached)."""


class Variable:
    """A symbolic value of a graph: one SSA value of the ``tg`` dialect plus an optional name.

    ``TensorVariable`` is the kind users compute with; other kinds (the state of a random
    stream) share naming, location and description. Like Theano, ``==`` and ``hash`` are
    identity so that variables work as dict keys.

    >>> import tracegraph.tensor as T
    >>> isinstance(T.dscalar('x'), Variable)
    True
    """

    __slots__ = ("__weakref__", "_name", "type", "value")
    value: SSAValue
    type: Any
    """The variable's type: ``TensorType`` for tensors."""

    def __init__(self, value: SSAValue, name: str | None = None):
        self.value = value
        self._name: str | None = None
        if name is not None:
            self.name = name

    # -- identity and description ------------------------------------------------------------

    @property
    def name(self) -> str | None:
        """The variable's name (used for keyword arguments and in printouts)."""
        return self._name

    @name.setter
    def name(self, name: str | None) -> None:
        self._name = name
        if name is None or SSAValue.is_valid_name(name):
            self.value.name_hint = name

    @property
    def owner(self) -> Operation | None:
        """The op that computes this variable (``None`` for block arguments)."""
        owner = self.value.owner
        return owner if isinstance(owner, Operation) else None

    @property
    def location(self) -> str:
        """``file:line:col`` of the user's line that created this variable."""
        owner = self.owner
        return format_location(owner.location) if owner is not None else "<function argument>"

    @property
    def tag(self) -> Any:
        """Free-form annotations, shared by every variable of the same value: Theano's
        ``x.tag.test_value`` (see ``config.compute_test_value``).

        >>> import tracegraph.tensor as T
        >>> x = T.dvector('x')
        >>> x.tag.test_value = [1, 2]
        >>> x.tag.test_value
        array([1., 2.])
        """
        from tracegraph.tensor.test_values import tag_of

        return tag_of(self.value)

    def describe(self) -> str:
        """A short description for error messages: name or op, type and location."""
        owner = self.owner
        what = repr(self.name) if self.name else (owner.name if owner is not None else "value")
        return f"{what} ({self.type}, created at {self.location})"

    def __repr__(self) -> str:
        if self.name is not None:
            return self.name
        owner = self.owner
        return f"<{owner.name if owner else 'arg'} {self.type}>"

    def __bool__(self) -> bool:
        raise TypeError(
            "a symbolic variable has no truth value; use T.switch for conditionals and "
            "T.eq / T.neq for elementwise comparisons"
        )

    if TYPE_CHECKING:
        # Tell type checkers that variables are neither iterable nor sized.
        __iter__: ClassVar[None]
        __len__: ClassVar[None]
    else:

        def __iter__(self) -> Any:
            raise TypeError("symbolic variables cannot be iterated; index them instead")

        def __len__(self) -> int:
            raise TypeError("symbolic variables have no len(); use x.shape[0]")

    __hash__ = object.__hash__


DT = TypeVar("DT", default=Any, covariant=True)
"""The dtype a type checker knows a tensor has (a marker of ``tensor.kinds``; Any: unknown)."""
RK = TypeVar("RK", default=Any, covariant=True)
"""The rank a type checker knows a tensor has (a marker of ``tensor.kinds``; Any: unknown)."""


class TensorVariable(Variable, Generic[DT, RK]):
    """A symbolic tensor: a typed SSA value plus an optional name. For the type checker, a
    ``TensorVariable[DT, RK]`` of a dtype and a rank (``tensor.kinds``: ``T.dmatrix()`` is a
    ``TensorVariable[Float64, Matrix]``); a plain ``TensorVariable`` is one of any dtype and
    rank, as expressions are.

    >>> import tracegraph.tensor as T
    >>> x = T.dmatrix('x')
    >>> y = (x + 1).sum(axis=0)
    >>> y.ndim, y.dtype
    (1, 'float64')
    """

    __slots__ = ()
    type: TensorType

    def __init__(self, value: SSAValue, name: str | None = None):
        self.type = TensorType.from_ir(value.type)
        super().__init__(value, name)

    @property
    def dtype(self) -> str:
        """The dtype name, e.g. ``'float64'``."""
        return self.type.dtype

    @property
    def ndim(self) -> int:
        """The number of dimensions."""
        return self.type.ndim

    @property
    def broadcastable(self) -> tuple[bool, ...]:
        """Theano's pattern: ``True`` where the size is statically 1."""
        return self.type.broadcastable

    # The operators and methods below call the functions of math.py, shapes.py, basic.py and
    # subtensor.py. Those build TensorVariables, so they import this module; each method imports
    # its module when it runs (by then a lookup in sys.modules), so that neither module needs
    # the other while it is being imported.

    # -- arithmetic ----------------------------------------------------------------------------

    def __add__(self, other: TensorLike) -> TensorVariable:
        from tracegraph.tensor import math

        return math.add(self, other)

    def __radd__(self, other: TensorLike) -> TensorVariable:
        from tracegraph.tensor import math

        return math.add(other, self)

    def __sub__(self, other: TensorLike) -> TensorVariable:
        from tracegraph.tensor import math

        return math.sub(self, other)

    def __rsub__(self, other: TensorLike) -> TensorVariable:
        from tracegraph.tensor import math

        return math.sub(other, self)

    def __mul__(self, other: TensorLike) -> TensorVariable:
        from tracegraph.tensor import math

        return math.mul(self, other)

    def __rmul__(self, other: TensorLike) -> TensorVariable:
        from tracegraph.tensor import math

        return math.mul(other, self)

    def __truediv__(self, other: TensorLike) -> TensorVariable:
        from tracegraph.tensor import math

        return math.true_div(self, other)

    def __rtruediv__(self, other: TensorLike) -> TensorVariable:
        from tracegraph.tensor import math

        return math.true_div(other, self)

    def __floordiv__(self, other: TensorLike) -> TensorVariable:
        from tracegraph.tensor import math

        return math.int_div(self, other)

    def __rfloordiv__(self, other: TensorLike) -> TensorVariable:
        from tracegraph.tensor import math

        return math.int_div(other, self)

    def __mod__(self, other: TensorLike) -> TensorVariable:
        from tracegraph.tensor import math

        return math.mod(self, other)

    def __rmod__(self, other: TensorLike) -> TensorVariable:
        from tracegraph.tensor import math

        return math.mod(other, self)

    def __pow__(self, other: TensorLike) -> TensorVariable:
        from tracegraph.tensor import math

        return math.pow(self, other)

    def __rpow__(self, other: TensorLike) -> TensorVariable:
        from tracegraph.tensor import math

        return math.pow(other, self)

    def __matmul__(self, other: TensorLike) -> TensorVariable:
        from tracegraph.tensor import math

        return math.dot(self, other)

    def __rmatmul__(self, other: TensorLike) -> TensorVariable:
        from tracegraph.tensor import math

        return math.dot(other, self)

    def __neg__(self) -> TensorVariable:
        from tracegraph.tensor import math

        return math.neg(self)

    def __pos__(self) -> TensorVariable:
        return self

    def __abs__(self) -> TensorVariable:
        from tracegraph.tensor import math

        return math.abs_(self)

    def __invert__(self) -> TensorVariable:
        from tracegraph.tensor import math

        return math.invert(self)

    def __and__(self, other: TensorLike) -> TensorVariable:
        from tracegraph.tensor import math

        return math.and_(self, other)

    def __rand__(self, other: TensorLike) -> TensorVariable:
        from tracegraph.tensor import math

        return math.and_(other, self)

    def __or__(self, other: TensorLike) -> TensorVariable:
        from tracegraph.tensor import math

        return math.or_(self, other)

    def __ror__(self, other: TensorLike) -> TensorVariable:
        from tracegraph.tensor import math

        return math.or_(other, self)

    def __xor__(self, other: TensorLike) -> TensorVariable:
        from tracegraph.tensor import math

        return math.xor(self, other)

    def __rxor__(self, other: TensorLike) -> TensorVariable:
        from tracegraph.tensor import math

        return math.xor(other, self)

    def __lt__(self, other: TensorLike) -> TensorVariable:
        from tracegraph.tensor import math

        return math.lt(self, other)

    def __le__(self, other: TensorLike) -> TensorVariable:
        from tracegraph.tensor import math

        return math.le(self, other)

    def __gt__(self, other: TensorLike) -> TensorVariable:
        from tracegraph.tensor import math

        return math.gt(self, other)

    def __ge__(self, other: TensorLike) -> TensorVariable:
        from tracegraph.tensor import math

        return math.ge(self, other)

    # -- indexing and shape --------------------------------------------------------------------

    def __getitem__(self, key: IndexKey) -> TensorVariable:
        from tracegraph.tensor import subtensor

        return subtensor.getitem(self, key)

    @property
    def shape(self) -> TensorVariable:
        """The symbolic shape, an int64 vector (``x.shape[0]`` is a symbolic scalar)."""
        from tracegraph.tensor import shapes

        return shapes.shape(self)

    @property
    def T(self) -> TensorVariable:
        """The transpose (axes reversed)."""
        from tracegraph.tensor import shapes

        return shapes.transpose(self)

    def transpose(self, *axes: int) -> TensorVariable:
        """Permute the axes (reverse them when none are given)."""
        from tracegraph.tensor import shapes

        return shapes.transpose(self, axes if axes else None)

    def dimshuffle(self, *pattern: int | str | Sequence[int | str]) -> TensorVariable:
        """Theano's dimshuffle: ``x.dimshuffle('x', 0)`` or ``x.dimshuffle(['x', 0])``."""
        from tracegraph.tensor import shapes

        if len(pattern) == 1 and isinstance(pattern[0], list | tuple):
            return shapes.dimshuffle(self, pattern[0])
        flat: list[int | str] = [p for p in pattern if isinstance(p, int | str)]
        return shapes.dimshuffle(self, flat)

    def reshape(self, new_shape: ShapeLike, ndim: int | None = None) -> TensorVariable:
        """Reshape to ``new_shape`` (a tuple of ints or symbolic scalars, or a vector)."""
        from tracegraph.tensor import shapes

        return shapes.reshape(self, new_shape, ndim)

    def flatten(self, ndim: int = 1) -> TensorVariable:
        """Collapse the trailing axes so the result has ``ndim`` dimensions."""
        from tracegraph.tensor import shapes

        return shapes.flatten(self, ndim)

    def astype(self, dtype: DTypeLike) -> TensorVariable:
        """Cast to ``dtype``."""
        from tracegraph.tensor import basic

        return basic.cast(self, dtype)

    # -- reductions and products ---------------------------------------------------------------

    def sum(
        self, axis: int | Sequence[int] | None = None, keepdims: bool = False
    ) -> TensorVariable:
        """Sum over ``axis`` (all axes by default)."""
        from tracegraph.tensor import math

        return math.sum(self, axis, keepdims)

    def prod(
        self, axis: int | Sequence[int] | None = None, keepdims: bool = False
    ) -> TensorVariable:
        """Product over ``axis``."""
        from tracegraph.tensor import math

        return math.prod(self, axis, keepdims)

    def mean(
        self, axis: int | Sequence[int] | None = None, keepdims: bool = False
    ) -> TensorVariable:
        """Mean over ``axis``."""
        from tracegraph.tensor import math

        return math.mean(self, axis, keepdims)

    def max(
        self, axis: int | Sequence[int] | None = None, keepdims: bool = False
    ) -> TensorVariable:
        """Maximum over ``axis``."""
        from tracegraph.tensor import math

        return math.max(self, axis, keepdims)

    def min(
        self, axis: int | Sequence[int] | None = None, keepdims: bool = False
    ) -> TensorVariable:
        """Minimum over ``axis``."""
        from tracegraph.tensor import math

        return math.min(self, axis, keepdims)

    def argmax(
        self, axis: int | Sequence[int] | None = None, keepdims: bool = False
    ) -> TensorVariable:
        """Index of the maximum over ``axis``."""
        from tracegraph.tensor import math

        return math.argmax(self, axis, keepdims)

    def argmin(
        self, axis: int | Sequence[int] | None = None, keepdims: bool = False
    ) -> TensorVariable:
        """Index of the minimum over ``axis``."""
        from tracegraph.tensor import math

        return math.argmin(self, axis, keepdims)

    def any(
        self, axis: int | Sequence[int] | None = None, keepdims: bool = False
    ) -> TensorVariable:
        """Whether any element is true over ``axis``."""
        from tracegraph.tensor import math

        return math.any(self, axis, keepdims)

    def all(
        self, axis: int | Sequence[int] | None = None, keepdims: bool = False
    ) -> TensorVariable:
        """Whether all elements are true over ``axis``."""
        from tracegraph.tensor import math

        return math.all(self, axis, keepdims)

    def eval(self, inputs_to_values: Mapping[TensorVariable, Any] | None = None) -> Any:
        """The variable's value, given values for the inputs it depends on (Theano's
        ``Variable.eval``): compiled once per variable and set of inputs, then cached.

        >>> import tracegraph.tensor as T
        >>> x = T.dscalar('x')
        >>> float((x * 2).eval({x: 3.0}))
        6.0
        """
        from tracegraph.compile.function import function  # compile sits above tensor

        given = dict(inputs_to_values or {})
        inputs = tuple(given)
        compiled = _EVALUATIONS.setdefault(self, {})
        key = tuple(id(variable) for variable in inputs)
        if key not in compiled:
            compiled[key] = (inputs, function(list(inputs), self, on_unused_input="ignore"))
        _, evaluate = compiled[key]
        return evaluate(*(given[variable] for variable in inputs))

    def dot(self, other: TensorLike) -> TensorVariable:
        """Matrix/vector product with ``other``."""
        from tracegraph.tensor import math

        return math.dot(self, other)


def forget_uses(op: Operation) -> Operation:
    """Take ``op`` off its operands' lists of uses, and return it.

    The frontend reads a graph from its outputs to its inputs only (its operands); xDSL's use
    lists point the other way, and would keep every expression ever built on a long-lived
    variable (an input, a shared variable) alive as long as that variable: a program that
    builds and drops graphs in a loop would grow without bound. The op keeps its operands; it
    simply no longer counts as their user (it has no ``_operand_uses`` left, so that a later
    change of its operands removes nothing). Copies of it that ``function`` makes are users as
    usual."""
    for value, use in zip(op.operands, op._operand_uses, strict=True):
        value.remove_use(use)
    op._operand_uses = ()
    return op


def emit(op: Operation) -> TensorVariable:
    """Stamp ``op`` with the user's location and wrap its (first) result (computing its test
    value, or reporting a float64 result, where the flags ask)."""
    forget_uses(op)
    op.location = user_location()
    if config.compute_test_value != "off" or config.warn_float64 != "ignore":
        _check_new_op(op)
    return TensorVariable(op.results[0])


def _check_new_op(op: Operation) -> None:
    from tracegraph.tensor import test_values  # runs the reference kernels: imported on use

    test_values.check_float64(op)
    test_values.compute_test_values(op)


def make_input(type: TensorType, name: str | None = None) -> TensorVariable:
    """A new symbolic input of ``type`` (``T.dmatrix('x')`` and friends call this)."""
    op = InputOp(name or "", type.ir_type())
    op.location = user_location()
    if config.warn_float64 != "ignore":
        _check_new_op(op)
    variable = TensorVariable(op.result, name)
    attach_variable(op, variable)
    return variable


def attach_variable(op: Operation, variable: Variable) -> None:
    """Remember the variable of a leaf op (input or shared), so graphs lead back to it."""
    setattr(op, _VARIABLE_ATTRIBUTE, variable)


def attached_variable(op: Operation) -> Variable | None:
    """The variable attached to a leaf op by :func:`attach_variable`, if any."""
    variable = getattr(op, _VARIABLE_ATTRIBUTE, None)
    return variable if isinstance(variable, Variable) else None


def wrap_value(value: SSAValue, name: str | None = None) -> Variable:
    """A new variable for an SSA value: a ``TensorVariable`` for a tensor, else a plain
    ``Variable`` whose type is the IR type."""
    if isinstance(value.type, builtin.TensorType):
        return TensorVariable(value, name)
    variable = Variable(value, name)
    variable.type = value.type
    return variable


def variable_of(value: SSAValue) -> Variable:
    """The variable for an SSA value: the attached one for leaves, else a new wrapper."""
    owner = value.owner
    if isinstance(owner, Operation):
        attached = attached_variable(owner)
        if attached is not None:
            return attached
    return wrap_value(value, value.name_hint)


def constant(value: Any, name: str | None = None, dtype: DTypeLike | None = None) -> TensorVariable:
    """A constant tensor holding a copy of ``value`` (NumPy's dtype unless ``dtype`` is given).

    >>> constant([1.0, 2.0]).type
    TensorType(float64, shape=(2,))
    """
    array = np.asarray(value) if dtype is None else np.asarray(value, dtype=dtype)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"cannot make a tensor constant of {array.dtype} data")
    variable = emit(ConstantOp.from_array(array))
    if name is not None:
        variable.name = name
    return variable


def as_tensor_variable(value: TensorLike, name: str | None = None) -> TensorVariable:
    """``value`` itself if it is a variable, else a constant holding it.

    >>> as_tensor_variable(2.0).dtype
    'float64'
    """
    if isinstance(value, TensorVariable):
        return value
    return constant(value, name)
