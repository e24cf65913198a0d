"""Random graphs as plain data, so that Hypothesis shows and shrinks them: an ``Expression``
tree of ``Input``, ``Literal`` and ``Apply`` nodes, a ``GraphCase`` (outputs, unused expressions,
inputs), and ``build_case``, which makes its symbolic inputs and outputs with
``tracegraph.tensor`` or another library's Theano-like namespace (``tests/differential`` builds
them with PyTensor). ``tests/passes/random_graphs.py`` draws them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from numpy.typing import NDArray

import tracegraph.tensor as tensor
from tests.tensor.test_properties import BROADCAST, Frame

Array: TypeAlias = NDArray[Any]
PythonScalar: TypeAlias = int | float

Tensor: TypeAlias = Any
"""A Theano-like namespace the graphs are built with: ``tracegraph.tensor``, or an adapter of
another library (``tests/differential``) with the same names."""

UNARY: dict[str, str] = {
    "neg": "neg",
    "exp": "exp",
    "log": "log",
    "log1p": "log1p",
    "expm1": "expm1",
    "sqrt": "sqrt",
    "sqr": "sqr",
    "abs": "abs_",
    "tanh": "tanh",
    "sigmoid": "sigmoid",
    "softplus": "softplus",
}
"""Unary ops, by name in expressions: the name of their function in the namespace."""

BINARY: dict[str, str] = {
    name: name for name in ("add", "sub", "mul", "true_div", "pow", "maximum", "minimum")
}

REDUCTIONS: dict[str, str] = {name: name for name in ("sum", "mean", "max", "min", "prod")}


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

    def variable(self, index: int, T: Tensor = tensor) -> Any:
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


def _sigmoid_formula(T: Tensor, x: Any) -> Any:
    return 1 / (1 + T.exp(-x))


def _exp_over_one_plus_exp(T: Tensor, x: Any) -> Any:
    return T.exp(x) / (1 + T.exp(x))


def _div_one_plus_exp_times_exp(T: Tensor, a: Any, u: Any) -> Any:
    """The form the gradient of ``1 / (1 + exp(u))`` takes: one ``exp(u)`` used twice."""
    e = T.exp(u)
    return (a / (1 + e)) * e


def _switch_positive(T: Tensor, c: Any, a: Any, b: Any) -> Any:
    """``switch(c > 0, a, b)``."""
    return T.switch(c > 0, a, b)


def _softmax_formula(T: Tensor, x: Any, axis: int, dimshuffled: bool) -> Any:
    """``exp(x) / sum(exp(x), axis)``, the axis kept by ``keepdims`` or put back by a
    dimshuffle."""
    if not dimshuffled:
        return T.exp(x) / T.exp(x).sum(axis=axis, keepdims=True)
    kept = [*range(axis), "x", *range(axis, x.ndim - 1)]
    return T.exp(x) / T.exp(x).sum(axis=axis).dimshuffle(*kept)


def _log_softmax_picked(T: Tensor, x: Any, axis: int) -> Any:
    """``log`` of the softmax indexed along its axis by an integer vector (the entries in
    reverse order), as the negative log-likelihood's ``log(p)[rows, labels]`` indexes it."""
    reverse = T.arange(T.shape(x)[axis])[::-1]
    index = (*([slice(None)] * axis), reverse)
    return T.log(T.nnet.softmax_along(x, axis)[index])


def _log_sum_exp(T: Tensor, x: Any, axis: int, keepdims: bool) -> Any:
    """``log(sum(exp(x), axis))``, the axis kept (by ``keepdims`` or a dimshuffle after)."""
    lse = T.log(T.exp(x).sum(axis=axis, keepdims=keepdims))
    return lse if keepdims else lse.dimshuffle(*range(axis), "x", *range(axis, x.ndim - 1))


def _reshape_round_trip(T: Tensor, x: Any, how: str, sizes: tuple[int | None, ...]) -> Any:
    """``x`` flattened (``flatten`` or ``reshape(x, (-1,))``), then reshaped back to ``sizes``
    (``None``: the symbolic size ``x.shape[axis]``; ``"vector"`` uses ``x.shape`` whole)."""
    flat = T.flatten(x) if how == "flatten" else T.reshape(x, (-1,))
    if how == "vector":
        return T.reshape(flat, T.shape(x))
    shape = [T.shape(x)[axis] if size is None else size for axis, size in enumerate(sizes)]
    return T.reshape(flat, shape)


def _alloc(
    T: Tensor,
    value: Any,
    sizes: tuple[int | tuple[int, int], ...],
    inputs: Sequence[Any],
) -> Any:
    """``alloc(value, *sizes)``; a size ``(i, axis)`` is ``inputs[i].shape[axis]``."""
    shape = [size if isinstance(size, int) else T.shape(inputs[size[0]])[size[1]] for size in sizes]
    return T.alloc(value, *shape)


def _gradient_barrier(T: Tensor, x: Any, kind: str) -> Any:
    """``disconnected_grad(x)``, ``zero_grad(x)`` or ``grad_clip(x, -1, 1)`` (the identity on
    values): tracegraph's, or the namespace's own (PyTensor's ``pytensor.gradient``)."""
    if T is tensor:
        from tracegraph import gradient as functions
    else:
        functions = T
    if kind == "clip":
        return functions.grad_clip(x, -1.0, 1.0)
    return (functions.disconnected_grad if kind == "disconnected" else functions.zero_grad)(x)


def _loop(T: Tensor, x: Any, kind: str) -> Any:
    """``exp(x * 0.5)`` computed by a ``scan`` over ``x``'s first axis in tracegraph (a 0-d
    ``x``, or one whose first axis is broadcastable, as one row): ``"map"`` the steps
    independent and elementwise (with a non-sequence), ``"unread"`` with a second collected
    output, a reduction nothing reads. In another library's namespace, ``exp(x * 0.5)``
    itself: the same values, with no loop to compile."""
    if T is not tensor:
        return T.exp(x * 0.5)
    import tracegraph

    whole = x.ndim > 0 and x.type.shape[0] != 1
    rows = x if whole else x.dimshuffle("x", *range(x.ndim))
    if kind == "map":
        ys, _ = tracegraph.scan(
            lambda v, c: T.exp(v * T.sqr(c)), sequences=rows, non_sequences=T.constant(0.5**0.5)
        )
    else:
        (ys, _unread), _ = tracegraph.scan(
            lambda v, c: [T.exp(v * c), T.sin(v.sum())],
            sequences=rows,
            non_sequences=T.constant(0.5),
        )
    return ys if whole else ys[0]


def _named(name: str) -> Callable[..., Any]:
    """The builder calling the namespace's function ``name``."""

    def call(T: Tensor, *args: Any) -> Any:
        return getattr(T, name)(*args)

    return call


BUILDERS: dict[str, Callable[..., Any]] = {
    **{name: _named(function) for name, function in UNARY.items()},
    **{name: _named(function) for name, function in BINARY.items()},
    **{name: _named(name) for name in ("cast", "fill", "zeros_like", "ones_like", "clip")},
    "dimshuffle": lambda T, x, pattern: x.dimshuffle(*pattern),
    "gradient_barrier": _gradient_barrier,
    "loop": _loop,
    "reshape_round_trip": _reshape_round_trip,
    "sigmoid_formula": _sigmoid_formula,
    "exp_over_one_plus_exp": _exp_over_one_plus_exp,
    "div_one_plus_exp_times_exp": _div_one_plus_exp_times_exp,
    "constant": lambda T, value: T.constant(value, dtype="float64"),
    "switch_positive": _switch_positive,
    "softmax": lambda T, x, axis: T.nnet.softmax_along(x, axis),
    "log_softmax": lambda T, x, axis: T.nnet.log_softmax_along(x, axis),
    "softmax_formula": _softmax_formula,
    "log_of_softmax": lambda T, x, axis: T.log(T.nnet.softmax_along(x, axis)),
    "log_of_softmax_formula": lambda T, x, axis: T.log(_softmax_formula(T, x, axis, False)),
    "log_softmax_picked": _log_softmax_picked,
    "log_sum_exp": _log_sum_exp,
    "log_one_minus_exp": lambda T, x: T.log(1 - T.exp(x)),
    "log1p_neg_exp": lambda T, x: T.log1p(-T.exp(x)),
}
"""How each ``Apply`` op is built: ``builder(namespace, *operands, *params)``."""


def build(expression: Expression, inputs: Sequence[Any], T: Tensor = tensor) -> Any:
    """The symbolic graph of ``expression`` built with the namespace ``T`` (each occurrence of a
    repeated subexpression is built again: the graph then holds identical ops, which CSE
    merges)."""
    match expression:
        case Input(index):
            return inputs[index]
        case Literal(value):
            return value
        case Apply("alloc", (value,), (sizes,)):
            return _alloc(T, build(value, inputs, T), sizes, inputs)
        case Apply("reduce", (operand,), (op, axis, keepdims)):
            return getattr(T, REDUCTIONS[op])(
                build(operand, inputs, T), axis=axis, keepdims=keepdims
            )
        case Apply(op, operands, params):
            return BUILDERS[op](T, *[build(operand, inputs, T) for operand in operands], *params)
    raise AssertionError(f"unknown expression {expression!r}")


def build_case(case: GraphCase, T: Tensor = tensor) -> tuple[list[Any], list[Any]]:
    """The input variables and the output variables of ``case``, built with ``T``."""
    variables = [spec.variable(index, T) for index, spec in enumerate(case.inputs)]
    outputs = [build(expression, variables, T) for expression in case.outputs]
    for expression in case.unused:
        build(expression, variables, T)
    if case.gradient:
        wrt = [v for v, spec in zip(variables, case.inputs, strict=True) if spec.dtype[0] == "f"]
        if wrt:
            cost = T.sum(outputs[0])
            outputs += T.grad(cost, wrt, disconnected_inputs="ignore")
    return variables, outputs
