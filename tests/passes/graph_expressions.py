"""Random graphs as plain data, so that Hypothesis shows and shrinks them: an ``Expression``
tree of ``Input``, ``Literal`` and ``Apply`` nodes, a ``GraphCase`` (outputs, unused expressions,
inputs), and ``build_case``, which makes its symbolic inputs and outputs.
``tests/passes/random_graphs.py`` draws them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from numpy.typing import NDArray

import tracegraph.tensor as T
from tests.tensor.test_properties import BROADCAST, Frame
from tracegraph.tensor import TensorVariable

Array: TypeAlias = NDArray[Any]
PythonScalar: TypeAlias = int | float

UNARY: dict[str, Callable[[TensorVariable], TensorVariable]] = {
    "neg": T.neg,
    "exp": T.exp,
    "log": T.log,
    "log1p": T.log1p,
    "expm1": T.expm1,
    "sqrt": T.sqrt,
    "sqr": T.sqr,
    "abs": T.abs_,
    "tanh": T.tanh,
    "sigmoid": T.sigmoid,
    "softplus": T.softplus,
}

BINARY: dict[str, Callable[[Any, Any], TensorVariable]] = {
    "add": T.add,
    "sub": T.sub,
    "mul": T.mul,
    "true_div": T.true_div,
    "pow": T.pow,
    "maximum": T.maximum,
    "minimum": T.minimum,
}

REDUCTIONS: dict[str, Callable[..., TensorVariable]] = {
    "sum": T.sum,
    "mean": T.mean,
    "max": T.max,
    "min": T.min,
    "prod": T.prod,
}


# -- graphs as data ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Input:
    """The symbolic input number ``index``."""

    index: int

    def __repr__(self) -> str:
        return f"x{self.index}"


@dataclass(frozen=True)
class Literal:
    """A Python scalar operand."""

    value: PythonScalar

    def __repr__(self) -> str:
        return repr(self.value)


@dataclass(frozen=True)
class Apply:
    """``op`` (a key of ``BUILDERS``) applied to ``operands``, with static ``params``."""

    op: str
    operands: tuple[Expression, ...]
    params: tuple[Any, ...] = ()

    def __repr__(self) -> str:
        arguments = [repr(operand) for operand in self.operands]
        arguments += [repr(param) for param in self.params]
        return f"{self.op}({', '.join(arguments)})"


Expression: TypeAlias = Input | Literal | Apply


@dataclass(frozen=True)
class InputSpec:
    """One input: dtype, frame, which labelled axes have a static size, and its value."""

    dtype: str
    frame: Frame
    static: tuple[bool, ...]
    array: Array = field(repr=False)

    def variable(self, index: int) -> TensorVariable:
        shape = [
            1 if entry == BROADCAST else (size if static else None)
            for entry, size, static in zip(self.frame, self.array.shape, self.static, strict=True)
        ]
        return T.tensor(self.dtype, shape=shape, name=f"x{index}")


@dataclass(frozen=True)
class GraphCase:
    """Outputs (and expressions built but not used) over ``inputs``; with ``gradient``, the
    gradients of ``sum(outputs[0])`` with respect to every float input are outputs too."""

    outputs: tuple[Expression, ...]
    unused: tuple[Expression, ...]
    gradient: bool
    inputs: tuple[InputSpec, ...]


# -- building the symbolic graph --------------------------------------------------------------


def _sigmoid_formula(x: TensorVariable) -> TensorVariable:
    return 1 / (1 + T.exp(-x))


def _exp_over_one_plus_exp(x: TensorVariable) -> TensorVariable:
    return T.exp(x) / (1 + T.exp(x))


def _div_one_plus_exp_times_exp(a: TensorVariable, u: TensorVariable) -> TensorVariable:
    """The form the gradient of ``1 / (1 + exp(u))`` takes: one ``exp(u)`` used twice."""
    e = T.exp(u)
    return (a / (1 + e)) * e


def _switch_positive(c: TensorVariable, a: Any, b: Any) -> TensorVariable:
    """``switch(c > 0, a, b)``."""
    return T.switch(c > 0, a, b)


def _softmax_formula(x: TensorVariable, axis: int, dimshuffled: bool) -> TensorVariable:
    """``exp(x) / sum(exp(x), axis)``, the axis kept by ``keepdims`` or put back by a
    dimshuffle."""
    if not dimshuffled:
        return T.exp(x) / T.exp(x).sum(axis=axis, keepdims=True)
    kept = [*range(axis), "x", *range(axis, x.ndim - 1)]
    return T.exp(x) / T.exp(x).sum(axis=axis).dimshuffle(*kept)


def _log_softmax_picked(x: TensorVariable, axis: int) -> TensorVariable:
    """``log`` of the softmax indexed along its axis by an integer vector (the entries in
    reverse order), as the negative log-likelihood's ``log(p)[rows, labels]`` indexes it."""
    reverse = T.arange(T.shape(x)[axis])[::-1]
    index = (*([slice(None)] * axis), reverse)
    return T.log(T.nnet.softmax_along(x, axis)[index])


def _log_sum_exp(x: TensorVariable, axis: int, keepdims: bool) -> TensorVariable:
    """``log(sum(exp(x), axis))``, the axis kept (by ``keepdims`` or a dimshuffle after)."""
    lse = T.log(T.exp(x).sum(axis=axis, keepdims=keepdims))
    return lse if keepdims else lse.dimshuffle(*range(axis), "x", *range(axis, x.ndim - 1))


def _reshape_round_trip(
    x: TensorVariable, how: str, sizes: tuple[int | None, ...]
) -> TensorVariable:
    """``x`` flattened (``flatten`` or ``reshape(x, (-1,))``), then reshaped back to ``sizes``
    (``None``: the symbolic size ``x.shape[axis]``; ``"vector"`` uses ``x.shape`` whole)."""
    flat = T.flatten(x) if how == "flatten" else T.reshape(x, (-1,))
    if how == "vector":
        return T.reshape(flat, T.shape(x))
    shape = [T.shape(x)[axis] if size is None else size for axis, size in enumerate(sizes)]
    return T.reshape(flat, shape)


def _alloc(
    value: TensorVariable | PythonScalar,
    sizes: tuple[int | tuple[int, int], ...],
    inputs: Sequence[TensorVariable],
) -> TensorVariable:
    """``alloc(value, *sizes)``; a size ``(i, axis)`` is ``inputs[i].shape[axis]``."""
    shape = [size if isinstance(size, int) else T.shape(inputs[size[0]])[size[1]] for size in sizes]
    return T.alloc(value, *shape)


BUILDERS: dict[str, Callable[..., Any]] = {
    **{name: function for name, function in UNARY.items()},
    **{name: function for name, function in BINARY.items()},
    "cast": T.cast,
    "dimshuffle": lambda x, pattern: x.dimshuffle(*pattern),
    "reshape_round_trip": _reshape_round_trip,
    "fill": T.fill,
    "zeros_like": T.zeros_like,
    "ones_like": T.ones_like,
    "sigmoid_formula": _sigmoid_formula,
    "exp_over_one_plus_exp": _exp_over_one_plus_exp,
    "div_one_plus_exp_times_exp": _div_one_plus_exp_times_exp,
    "constant": lambda value: T.constant(value, dtype="float64"),
    "switch_positive": _switch_positive,
    "softmax": T.nnet.softmax_along,
    "log_softmax": T.nnet.log_softmax_along,
    "softmax_formula": _softmax_formula,
    "log_of_softmax": lambda x, axis: T.log(T.nnet.softmax_along(x, axis)),
    "log_of_softmax_formula": lambda x, axis: T.log(_softmax_formula(x, axis, False)),
    "log_softmax_picked": _log_softmax_picked,
    "log_sum_exp": _log_sum_exp,
    "log_one_minus_exp": lambda x: T.log(1 - T.exp(x)),
    "log1p_neg_exp": lambda x: T.log1p(-T.exp(x)),
    "clip": T.clip,
}


def build(expression: Expression, inputs: Sequence[TensorVariable]) -> Any:
    """The symbolic graph of ``expression`` (each occurrence of a repeated subexpression is built
    again: the graph then holds identical ops, which CSE merges)."""
    match expression:
        case Input(index):
            return inputs[index]
        case Literal(value):
            return value
        case Apply("alloc", (value,), (sizes,)):
            return _alloc(build(value, inputs), sizes, inputs)
        case Apply("reduce", (operand,), (op, axis, keepdims)):
            return REDUCTIONS[op](build(operand, inputs), axis=axis, keepdims=keepdims)
        case Apply(op, operands, params):
            return BUILDERS[op](*[build(operand, inputs) for operand in operands], *params)
    raise AssertionError(f"unknown expression {expression!r}")


def build_case(case: GraphCase) -> tuple[list[TensorVariable], list[TensorVariable]]:
    """The input variables and the output variables of ``case``."""
    variables = [spec.variable(index) for index, spec in enumerate(case.inputs)]
    outputs = [build(expression, variables) for expression in case.outputs]
    for expression in case.unused:
        build(expression, variables)
    if case.gradient:
        wrt = [v for v, spec in zip(variables, case.inputs, strict=True) if spec.dtype[0] == "f"]
        if wrt:
            cost = T.sum(outputs[0])
            outputs += T.grad(cost, wrt, disconnected_inputs="ignore")
    return variables, outputs
