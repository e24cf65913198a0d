"""Ops users write in Python, as on Theano's "Extending Theano" pages: subclass ``Op`` with
``make_node`` (returning ``Apply(self, inputs, outputs)``) or ``itypes``/``otypes``, and
``perform``; optionally ``grad`` (or ``L_op``), ``R_op``, ``infer_shape`` and ``__props__``.
``as_op`` makes one of a Python function. Each application is one ``tg.python_op`` of the IR,
which runs ``perform`` on the host on every backend.

>>> import numpy as np
>>> import tracegraph
>>> import tracegraph.tensor as T
>>> class Double(Op):
...     __props__ = ()
...     def make_node(self, x):
...         x = T.as_tensor_variable(x)
...         return Apply(self, [x], [x.type()])
...     def perform(self, node, inputs, output_storage):
...         output_storage[0][0] = inputs[0] * 2
...     def grad(self, inputs, output_grads):
...         return [output_grads[0] * 2]
>>> x = T.dvector('x')
>>> tracegraph.function([x], Double()(x))([1.0, 2.0])
array([2., 4.])
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tracegraph.errors import GraphTypeError
from tracegraph.ir import ops
from tracegraph.ir.python_ops import register
from tracegraph.tensor.types import TensorType
from tracegraph.tensor.variable import (
    TensorVariable,
    Variable,
    as_tensor_variable,
    emit,
    wrap_value,
)


class Apply:
    """One application of an op: ``Apply(op, inputs, outputs)``, as ``make_node`` returns it.
    ``outputs`` give the types of the results (``x.type()``); the application's own result
    variables replace them in ``self.outputs``."""

    def __init__(self, op: Op, inputs: Sequence[Variable], outputs: Sequence[Variable]):
        self.op = op
        self.inputs = [as_tensor_variable(x) if not isinstance(x, Variable) else x for x in inputs]
        types = [output.type for output in outputs]
        for index, type_ in enumerate(types):
            if not isinstance(type_, TensorType):
                raise GraphTypeError(
                    f"{type(op).__name__}.make_node: output {index} must be a tensor variable "
                    "(x.type() or T.dmatrix() ...)"
                )
        key = register(op, perform_of(op))
        tg_op = ops.PythonOp(key, [x.value for x in self.inputs], [t.ir_type() for t in types])
        emit(tg_op)
        self.outputs: list[Any] = [wrap_value(result) for result in tg_op.results]

    @property
    def nin(self) -> int:
        return len(self.inputs)

    @property
    def nout(self) -> int:
        return len(self.outputs)

    @property
    def out(self) -> Any:
        """The only output."""
        if len(self.outputs) != 1:
            raise ValueError(f"this node has {len(self.outputs)} outputs")
        return self.outputs[0]


class Node:
    """What ``perform`` receives as ``node``: the op and its input and output variables."""

    def __init__(self, op: Op, inputs: list[Any], outputs: list[Any]):
        self.op = op
        self.inputs = inputs
        self.outputs = outputs


def perform_of(op: Op) -> Callable[[ops.PythonOp, Sequence[NDArray[Any]]], list[Any]]:
    """How the registry runs ``op``: Theano's ``perform(node, inputs, output_storage)``, with
    one storage cell per output."""

    def run(tg_op: ops.PythonOp, arrays: Sequence[NDArray[Any]]) -> list[Any]:
        node = Node(
            op,
            [wrap_value(operand) for operand in tg_op.operands],
            [wrap_value(result) for result in tg_op.results],
        )
        storage: list[list[Any]] = [[None] for _ in tg_op.results]
        op.perform(node, list(arrays), storage)
        for index, cell in enumerate(storage):
            if cell[0] is None:
                raise GraphTypeError(f"{type(op).__name__}.perform left output {index} unset")
        return [cell[0] for cell in storage]

    return run


class Op:
    """Base of the ops users write (Theano's ``theano.Op``). Subclasses give ``make_node`` or
    ``itypes`` and ``otypes``, and ``perform``; ``__props__`` names the attributes that make
    two ops equal (and their applications mergeable)."""

    itypes: Sequence[Any] | None = None
    otypes: Sequence[Any] | None = None
    check_input = True
    default_output: int | None = None

    def make_node(self, *inputs: Any) -> Apply:
        """The application of this op to ``inputs`` (from ``itypes``/``otypes`` unless a
        subclass says)."""
        if self.itypes is None or self.otypes is None:
            raise NotImplementedError(
                f"{type(self).__name__}: define make_node, or itypes and otypes"
            )
        if len(inputs) != len(self.itypes):
            raise TypeError(
                f"{type(self).__name__} takes {len(self.itypes)} inputs, got {len(inputs)}"
            )
        variables = []
        for index, (value, itype) in enumerate(zip(inputs, self.itypes, strict=True)):
            variable = as_tensor_variable(value)
            wanted = _type_of(itype)
            if variable.type != wanted:
                raise TypeError(
                    f"{type(self).__name__}: input {index} is {variable.type}, itypes says {wanted}"
                )
            variables.append(variable)
        return Apply(self, variables, [_type_of(otype)() for otype in self.otypes])

    def __call__(self, *inputs: Any, **kwargs: Any) -> Any:
        node = self.make_node(*inputs, **kwargs)
        if self.default_output is not None:
            return node.outputs[self.default_output]
        return node.outputs[0] if len(node.outputs) == 1 else node.outputs

    def perform(
        self, node: Any, inputs: list[NDArray[Any]], output_storage: list[list[Any]]
    ) -> None:
        """Compute the outputs into ``output_storage[i][0]``."""
        raise NotImplementedError(f"{type(self).__name__} has no perform")

    def grad(self, inputs: list[Any], output_grads: list[Any]) -> list[Any]:
        """The gradient of a cost with respect to each input, given its gradient with respect
        to each output."""
        raise NotImplementedError(f"{type(self).__name__} defines no grad")

    def L_op(self, inputs: list[Any], outputs: list[Any], output_grads: list[Any]) -> list[Any]:
        """``grad``, given the outputs as well (Theano's ``L_op``)."""
        return self.grad(inputs, output_grads)

    def R_op(self, inputs: list[Any], eval_points: list[Any]) -> list[Any]:
        """The Jacobian times ``eval_points`` (``T.Rop`` computes it from ``grad`` here)."""
        raise NotImplementedError(f"{type(self).__name__} defines no R_op")

    # -- equality by __props__ -----------------------------------------------------------------

    def _props(self) -> tuple[Any, ...]:
        names = getattr(type(self), "__props__", None)
        if names is None:
            return (id(self),)
        return tuple(getattr(self, name) for name in names)

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self._props() == other._props()

    def __hash__(self) -> int:
        return hash((type(self), self._props()))

    def __str__(self) -> str:
        names = getattr(type(self), "__props__", None)
        if not names:
            return type(self).__name__
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in names)
        return f"{type(self).__name__}{{{shown}}}"


def _type_of(kind: Any) -> TensorType:
    """A type given as Theano's pages give it: ``T.fmatrix`` (a constructor) or a type."""
    if isinstance(kind, TensorType):
        return kind
    made = kind()
    if isinstance(made, TensorVariable):
        return made.type
    raise TypeError(f"not a tensor type: {kind!r}")


class FromFunctionOp(Op):
    """The op ``as_op`` makes of a Python function."""

    __props__ = ("fn", "itypes", "otypes", "infer_shape")

    def __init__(
        self,
        fn: Callable[..., Any],
        itypes: Sequence[Any],
        otypes: Sequence[Any],
        infer_shape: Callable[..., Any] | None,
    ):
        self.fn = fn
        self.itypes = tuple(_type_of(t) for t in itypes)
        self.otypes = self._output_types = tuple(_type_of(t) for t in otypes)
        self.infer_shape = infer_shape
        self.__name__ = getattr(fn, "__name__", "as_op")
        self.__doc__ = getattr(fn, "__doc__", None)

    def perform(
        self, node: Any, inputs: list[NDArray[Any]], output_storage: list[list[Any]]
    ) -> None:
        results = self.fn(*inputs)
        if len(self._output_types) == 1:
            results = [results]
        for cell, value, otype in zip(output_storage, results, self._output_types, strict=True):
            cell[0] = np.asarray(value, dtype=otype.dtype)

    def __str__(self) -> str:
        return f"as_op({self.__name__})"


def as_op(
    itypes: Sequence[Any], otypes: Sequence[Any], infer_shape: Callable[..., Any] | None = None
) -> Callable[[Callable[..., Any]], FromFunctionOp]:
    """A decorator making an op of a function of NumPy arrays (Theano's
    ``theano.compile.ops.as_op``): ``itypes`` and ``otypes`` are its input and output types.

    >>> import numpy as np
    >>> import tracegraph
    >>> import tracegraph.tensor as T
    >>> @as_op(itypes=[T.dvector], otypes=[T.dvector])
    ... def cumulative(x):
    ...     return np.cumsum(x)
    >>> v = T.dvector('v')
    >>> tracegraph.function([v], cumulative(v))([1.0, 2.0, 3.0])
    array([1., 3., 6.])
    """

    def decorate(fn: Callable[..., Any]) -> FromFunctionOp:
        return FromFunctionOp(fn, itypes, otypes, infer_shape)

    return decorate


class _ConstantCheck(type):
    def __instancecheck__(cls, instance: object) -> bool:
        return isinstance(instance, Variable) and isinstance(instance.owner, ops.ConstantOp)


class Constant(metaclass=_ConstantCheck):
    """Theano's ``Constant``, for ``isinstance`` checks: a variable whose value is a constant.

    >>> import tracegraph.tensor as T
    >>> isinstance(T.constant(1.0), Constant), isinstance(T.dscalar(), Constant)
    (True, False)
    """

    def __init__(self) -> None:
        raise TypeError("make constants with tracegraph.tensor.constant(value)")
