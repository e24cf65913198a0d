"""Every VJP rule agrees with central finite differences (``verify_grad``).

``CASES`` maps each differentiable op class of ``VJP_RULES`` to the expressions that exercise
its rule: several ranks, operands with a dimension of size 1 (``verify_grad`` declares those
broadcastable) and operands of lower rank. A test checks that the keys of ``CASES`` are exactly
the differentiable ops, so a new rule without test cases fails; another checks that each case
really contains the op it is filed under. ``COMPOSITIONS`` chains several rules the way models
do. Every point lies away from the places where the function is not differentiable (``abs`` at
0, ties of ``max``, jumps of ``floor`` and ``mod``, ``log`` of negatives, ``pow`` of a negative
base with a variable exponent).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeAlias

import numpy as np
import pytest
from numpy.typing import NDArray
from xdsl.ir import Operation

import tracegraph.distributed as tgd
import tracegraph.gradient as tracegraph_gradient
import tracegraph.tensor as T
from tracegraph import Apply, Op
from tracegraph.errors import GradientError
from tracegraph.gradient import VJP_RULES, NotDifferentiable, verify_grad
from tracegraph.gradient.rules import UndefinedGradient
from tracegraph.ir import ops
from tracegraph.printing import Print
from tracegraph.tensor import TensorVariable
from tracegraph.tensor.variable import emit

Array: TypeAlias = NDArray[Any]
Shape: TypeAlias = tuple[int, ...]
Expression: TypeAlias = Callable[..., TensorVariable]

_RNG = np.random.default_rng(20240611)


# -- ops written in Python (Theano's "Extending Theano") ------------------------------------------


class _AXPB(Op):
    """a * x + b, with its gradient."""

    __props__ = ("a", "b")

    def __init__(self, a: float, b: float):
        self.a, self.b = a, b

    def make_node(self, x: Any) -> Apply:
        x = T.as_tensor_variable(x)
        return Apply(self, [x], [x.type()])

    def perform(self, node: Any, inputs: list[Any], output_storage: list[list[Any]]) -> None:
        output_storage[0][0] = self.a * inputs[0] + self.b

    def grad(self, inputs: list[Any], output_grads: list[Any]) -> list[Any]:
        return [output_grads[0] * self.a]


class _ProductAndSum(Op):
    """Two outputs, two inputs: x * y and x + y."""

    __props__ = ()

    def make_node(self, x: Any, y: Any) -> Apply:
        x, y = T.as_tensor_variable(x), T.as_tensor_variable(y)
        return Apply(self, [x, y], [x.type(), x.type()])

    def perform(self, node: Any, inputs: list[Any], output_storage: list[list[Any]]) -> None:
        x, y = inputs
        output_storage[0][0] = x * y
        output_storage[1][0] = x + y

    def grad(self, inputs: list[Any], output_grads: list[Any]) -> list[Any]:
        (x, y), (g_product, g_sum) = inputs, output_grads
        return [g_product * y + g_sum, g_product * x + g_sum]


def _pair(size: int) -> tuple[Any, Any]:
    return _RNG.uniform(-1.0, 1.0, size), _RNG.uniform(-1.0, 1.0, size)


# -- points -----------------------------------------------------------------------------------


def values(*shape: int) -> Array:
    """Anything in [-1, 1]: for functions smooth everywhere."""
    return _RNG.uniform(-1.0, 1.0, shape)


def positive(*shape: int) -> Array:
    """In [0.5, 2]: for ``log``, ``sqrt``, a base of ``pow``, a divisor."""
    return _RNG.uniform(0.5, 2.0, shape)


def inside_unit(*shape: int) -> Array:
    """In [-0.8, 0.8]: for ``arcsin``, ``arctanh``, ``erfinv`` (away from their poles at 1)."""
    return _RNG.uniform(-0.8, 0.8, shape)


def above_one(*shape: int) -> Array:
    """In [1.5, 3]: for ``arccosh``."""
    return _RNG.uniform(1.5, 3.0, shape)


def well_conditioned(n: int) -> Array:
    """A random n x n matrix near the identity: invertible, away from singularity."""
    return np.eye(n) * 2.0 + _RNG.uniform(-0.5, 0.5, (n, n))


def positive_definite(n: int) -> Array:
    """A random symmetric positive-definite matrix."""
    m = _RNG.uniform(-1.0, 1.0, (n, n))
    return m @ m.T + n * np.eye(n)


def spread_symmetric(n: int) -> Array:
    """A symmetric matrix with well separated eigenvalues (eigh's gradient divides by gaps)."""
    q, _ = np.linalg.qr(_RNG.standard_normal((n, n)))
    return (q * np.arange(1.0, n + 1.0)) @ q.T


def nonzero(*shape: int) -> Array:
    """Magnitude in [0.5, 1.5], random sign: for ``abs`` and ``sign``."""
    return _RNG.choice([-1.0, 1.0], shape) * _RNG.uniform(0.5, 1.5, shape)


def distinct(*shape: int) -> Array:
    """All different, at least 0.2 apart, in random order: no ties for ``max``/``min``."""
    size = int(np.prod(shape, dtype=np.int64))
    spread = _RNG.permutation(size) * 0.3 - 0.15 * size + _RNG.uniform(-0.05, 0.05, size)
    return spread.reshape(shape)


def fractional(*shape: int) -> Array:
    """Integers plus a fraction in [0.2, 0.4] or [0.6, 0.8]: away from the jumps of ``floor``,
    ``ceil`` and ``round``."""
    whole = _RNG.integers(-3, 3, shape)
    fraction = _RNG.uniform(0.2, 0.4, shape) + _RNG.choice([0.0, 0.4], shape)
    return np.asarray(whole + fraction, dtype=np.float64)


def with_quotient_fraction(divisor: Array) -> Array:
    """``x`` such that ``x / divisor`` is an integer plus a fraction in [0.2, 0.8]: away from the
    jumps of ``x // divisor`` and ``x % divisor``."""
    whole = _RNG.integers(-2, 3, divisor.shape)
    return divisor * (whole + _RNG.uniform(0.2, 0.8, divisor.shape))


def f32(array: Array) -> Array:
    return array.astype(np.float32)


# -- cases ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One ``verify_grad`` call: ``fun`` applied to symbolic inputs shaped like ``point``."""

    name: str
    fun: Expression
    point: tuple[Array, ...]
    eps: float | None = None
    """Finite-difference step and tolerances, where the defaults for the dtype do not fit."""
    abs_tol: float | None = None
    rel_tol: float | None = None

    def verify(self) -> None:
        point = [p.copy() for p in self.point]
        verify_grad(self.fun, point, eps=self.eps, abs_tol=self.abs_tol, rel_tol=self.rel_tol)


def case(
    name: str,
    fun: Expression,
    *point: Array,
    eps: float | None = None,
    abs_tol: float | None = None,
    rel_tol: float | None = None,
) -> Case:
    return Case(name, fun, point, eps, abs_tol, rel_tol)


def unary_cases(
    fun: Callable[[TensorVariable], TensorVariable], make: Callable[..., Array]
) -> list[Case]:
    """A unary elementwise op on a 0-d, 1-d, 2-d and 3-d input (one with a size-1 axis)."""
    shapes: list[Shape] = [(), (3,), (2, 3), (2, 1, 3)]
    return [case(f"{len(s)}d", fun, make(*s)) for s in shapes] + [
        case("float32", fun, f32(make(2, 3)))
    ]


def binary_cases(
    fun: Callable[[TensorVariable, TensorVariable], TensorVariable],
    make_x: Callable[..., Array],
    make_y: Callable[..., Array],
) -> list[Case]:
    """A binary elementwise op on equal shapes of every rank, size-1 axes broadcast on either
    side or both, and operands of different ranks."""
    pairs: list[tuple[str, Shape, Shape]] = [
        ("0d", (), ()),
        ("1d", (3,), (3,)),
        ("2d", (2, 3), (2, 3)),
        ("3d", (2, 2, 3), (2, 2, 3)),
        ("row-broadcast", (2, 3), (1, 3)),
        ("column-broadcast", (2, 1), (2, 3)),
        ("both-broadcast", (2, 1), (1, 3)),
        ("3d-broadcast", (2, 1, 3), (1, 2, 1)),
        ("scalar-and-matrix", (), (2, 3)),
        ("matrix-and-vector", (2, 3), (3,)),
        ("vector-and-3d", (3,), (2, 2, 3)),
    ]
    return [case(name, fun, make_x(*sx), make_y(*sy)) for name, sx, sy in pairs] + [
        case("float32", fun, f32(make_x(2, 3)), f32(make_y(1, 3)))
    ]


def mod_cases() -> list[Case]:
    shapes: list[tuple[str, Shape, Shape]] = [
        ("0d", (), ()),
        ("2d", (2, 3), (2, 3)),
        ("row-broadcast", (2, 3), (1, 3)),
        ("scalar-divisor", (2, 3), ()),
    ]
    cases = []
    for name, sx, sy in shapes:
        y = positive(*sy)
        x = with_quotient_fraction(np.broadcast_to(y, np.broadcast_shapes(sx, sy)).copy())
        cases.append(case(name, lambda a, b: a % b, x, y))
    negative = -positive(3)
    return [
        *cases,
        case("negative-divisor", lambda a, b: a % b, with_quotient_fraction(negative), negative),
        case("constant-divisor", lambda a: a % 1.5, with_quotient_fraction(np.full(3, 1.5))),
    ]


def int_div_cases() -> list[Case]:
    y = positive(2, 3)
    return [
        case("2d", lambda a, b: a // b, with_quotient_fraction(y), y),
        case(
            "row-broadcast",
            lambda a, b: a // b,
            with_quotient_fraction(np.full((2, 3), 1.25)),
            np.full((1, 3), 1.25),
        ),
        case("times-input", lambda a: (a // 0.5) * a, fractional(2, 3) / 2),
    ]


def reduction_cases(
    reduce: Callable[..., TensorVariable], make: Callable[..., Array]
) -> list[Case]:
    """A reduction over no axis given, one axis (also negative), a tuple of axes, with and
    without ``keepdims``, and over an axis of size 1."""

    def over(axis: int | tuple[int, ...] | None, keepdims: bool = False) -> Expression:
        return lambda x: reduce(x, axis=axis, keepdims=keepdims)

    return [
        case("0d", over(None), make()),
        case("1d-all", over(None), make(4)),
        case("1d-axis0-keepdims", over(0, keepdims=True), make(4)),
        case("2d-all", over(None), make(3, 4)),
        case("2d-all-keepdims", over(None, keepdims=True), make(3, 4)),
        case("2d-axis0", over(0), make(3, 4)),
        case("2d-axis1", over(1), make(3, 4)),
        case("2d-axis-1-keepdims", over(-1, keepdims=True), make(3, 4)),
        case("3d-axes02", over((0, 2)), make(2, 3, 2)),
        case("3d-axes12-keepdims", over((1, 2), keepdims=True), make(2, 3, 2)),
        case("3d-axes012", over((0, 1, 2)), make(2, 2, 2)),
        case("size-1-axis", over(1), make(3, 1)),
        case("float32", over(1), f32(make(2, 3))),
    ]


def with_zeros(*positions: tuple[int, int]) -> Array:
    x = positive(3, 4) * _RNG.choice([-1.0, 1.0], (3, 4))
    for position in positions:
        x[position] = 0.0
    return np.asarray(x)


def prod_cases() -> list[Case]:
    # Row 0 holds one zero and row 2 two; column 1 holds one zero and column 3 two.
    zeros = with_zeros((0, 1), (2, 3), (1, 3))
    two_in_a_row = with_zeros((2, 0), (2, 2))
    return [
        *reduction_cases(T.prod, nonzero),
        case("one-zero-all", lambda x: T.prod(x), with_zeros((1, 2))),
        case("two-zeros-all", lambda x: T.prod(x), with_zeros((1, 2), (2, 0))),
        case("zeros-axis0", lambda x: T.prod(x, axis=0), zeros),
        case("zeros-axis1", lambda x: T.prod(x, axis=1), zeros),
        case("two-zeros-axis1-keepdims", lambda x: T.prod(x, axis=1, keepdims=True), two_in_a_row),
        case("zeros-1d", lambda x: T.prod(x), np.array([2.0, 0.0, -1.5])),
        case("all-zeros", lambda x: T.prod(x, axis=0), np.zeros((2, 3))),
    ]


def dot_cases() -> list[Case]:
    dot = T.dot
    return [
        case("vector-vector", dot, values(3), values(3)),
        case("vector-matrix", dot, values(3), values(3, 2)),
        case("matrix-vector", dot, values(2, 3), values(3)),
        case("matrix-matrix", dot, values(2, 3), values(3, 4)),
        case("row-column", dot, values(1, 3), values(3, 1)),
        case("column-row", dot, values(3, 1), values(1, 2)),
        case("matmul-operator", lambda a, b: a @ b, values(2, 3), values(3, 2)),
        case("float32", dot, f32(values(2, 3)), f32(values(3, 2))),
        case("same-input-twice", lambda a: dot(a, a.T), values(2, 3)),
    ]


def subtensor_cases() -> list[Case]:
    return [
        case("slice-start", lambda x: x[1:], values(4)),
        case("slice-step", lambda x: x[::2], values(5)),
        case("negative-step", lambda x: x[::-1], values(4)),
        case("slices-2d", lambda x: x[1:3, ::-2], values(4, 3)),
        case("scalar", lambda x: x[1], values(3)),
        case("negative-scalar", lambda x: x[-1], values(3, 2)),
        case("two-scalars-to-0d", lambda x: x[1, 2], values(2, 3)),
        case("scalar-and-slice", lambda x: x[:, 1], values(2, 3)),
        case("3d-mixed", lambda x: x[1, :, ::2], values(2, 3, 4)),
        case("ellipsis", lambda x: x[..., 0], values(2, 2, 3)),
        case("newaxis", lambda x: x[None, 1:], values(3)),
        case("array-repeated", lambda x: x[[0, 2, 0, 0]], values(3)),
        case("array-rows-repeated", lambda x: x[np.array([1, 1, 0])], values(2, 3)),
        case("array-columns-repeated", lambda x: x[:, [2, 0, 2]], values(2, 3)),
        case("two-arrays", lambda x: x[[0, 1, 1], [2, 2, 2]], values(2, 3)),
        case("2d-array-index", lambda x: x[np.array([[0, 1], [1, 1]])], values(2, 3)),
        case("scalar-variable-index", lambda x: x[T.cast(T.constant(1), "int32")], values(3)),
    ]


def update_cases(update: Callable[[TensorVariable, TensorVariable], TensorVariable]) -> list[Case]:
    """``update(x[index], y)`` with gradients for both ``x`` and ``y``, ``y`` broadcast."""
    return [
        case("slice", lambda x, y: update(x[1:], y), values(4), values(3)),
        case("slice-2d", lambda x, y: update(x[:, 1:], y), values(2, 3), values(2, 2)),
        case("scalar-index", lambda x, y: update(x[1], y), values(3, 2), values(2)),
        case("to-0d", lambda x, y: update(x[1, 0], y), values(2, 2), values()),
        case("y-0d-broadcast", lambda x, y: update(x[:2], y), values(3, 2), values()),
        case("y-row-broadcast", lambda x, y: update(x[1:], y), values(3, 2), values(1, 2)),
        case("y-lower-rank", lambda x, y: update(x[:, :2], y), values(3, 3), values(2)),
        case("array-index", lambda x, y: update(x[[2, 0]], y), values(3, 2), values(2, 2)),
        case("step", lambda x, y: update(x[::2], y), values(5), values(3)),
        case("float32", lambda x, y: update(x[1:], y), f32(values(3)), f32(values(2))),
        case("then-square", lambda x, y: update(x[1:], y) ** 2, values(3), values(2)),
    ]


def inc_subtensor_cases() -> list[Case]:
    return [
        *update_cases(T.inc_subtensor),
        case(
            "repeated-array-index",
            lambda x, y: T.inc_subtensor(x[[0, 1, 0]], y),
            values(3),
            values(3),
        ),
        case(
            "repeated-array-index-broadcast",
            lambda x, y: T.inc_subtensor(x[[1, 1]], y),
            values(2, 3),
            values(1, 3),
        ),
    ]


def set_subtensor_cases() -> list[Case]:
    # Regression: with repeated array indices only the last write reaches the result, so the
    # other writes get no gradient (the rule used to give every write the gradient).
    return [
        *update_cases(T.set_subtensor),
        case(
            "repeated-array-index",
            lambda x, y: T.set_subtensor(x[[0, 1, 0]], y),
            values(3),
            values(3),
        ),
        case(
            "repeated-array-index-broadcast",
            lambda x, y: T.set_subtensor(x[[1, 1]], y),
            values(2, 3),
            values(1, 3),
        ),
        case(
            "repeated-pairs-of-indices",
            lambda x, y: T.set_subtensor(x[[0, 1, 0], [2, 2, 2]], y) * x,
            values(2, 3),
            values(3),
        ),
    ]


def join_cases(join: Callable[..., TensorVariable]) -> list[Case]:
    def along(axis: int) -> Expression:
        return lambda *xs: join(list(xs), axis=axis)

    return [
        case("1d", along(0), values(2), values(3)),
        case("axis0", along(0), values(2, 3), values(1, 3), values(2, 3)),
        case("axis1", along(1), values(2, 3), values(2, 1)),
        case("axis-1-3d", along(-1), values(2, 2, 1), values(2, 2, 3)),
        case("same-input-twice", lambda x: join([x, x * 2], axis=0), values(3)),
        case("float32", along(0), f32(values(2)), f32(values(3))),
    ]


def stack_cases() -> list[Case]:
    def along(axis: int) -> Expression:
        return lambda *xs: T.stack(list(xs), axis=axis)

    return [
        case("0d", along(0), values(), values(), values()),
        case("1d-axis0", along(0), values(3), values(3)),
        case("1d-axis1", along(1), values(3), values(3)),
        case("2d-axis1", along(1), values(2, 3), values(2, 3)),
        case("2d-axis-1", along(-1), values(2, 3), values(2, 3), values(2, 3)),
        case("same-input-twice", lambda x: T.stack([x, -x], axis=1), values(2)),
    ]


def dimshuffle_cases() -> list[Case]:
    return [
        case("transpose", lambda x: x.T, values(2, 3)),
        case("permute-3d", lambda x: x.dimshuffle(2, 0, 1), values(2, 3, 2)),
        case("add-axes", lambda x: x.dimshuffle("x", 0, "x", 1), values(2, 3)),
        case("0d-to-2d", lambda x: x.dimshuffle("x", "x"), values()),
        case("drop-axis", lambda x: x.dimshuffle(1), values(1, 3)),
        case("drop-to-0d", lambda x: x.dimshuffle(), values(1, 1)),
        case("drop-add-permute", lambda x: x.dimshuffle(2, "x", 0), values(2, 1, 3)),
        case("then-broadcast", lambda x, y: x.dimshuffle(0, "x") * y, values(2), values(2, 3)),
    ]


def scan_cases() -> list[Case]:
    """Backpropagation through time: sequences, recurrent states (one and two taps back),
    non-sequences, outer values the step reads, mapped outputs, reversed loops, early stops,
    loops inside loops."""
    import tracegraph

    def rnn(x: TensorVariable, w: TensorVariable, h0: TensorVariable) -> TensorVariable:
        hs, _ = tracegraph.scan(
            lambda xt, h, w: T.tanh(T.dot(xt, w) + h), sequences=x, outputs_info=h0,
            non_sequences=w,
        )  # fmt: skip
        return hs

    def two_taps(x0: TensorVariable, a: TensorVariable) -> TensorVariable:
        hs, _ = tracegraph.scan(
            lambda h2, h1: h2 * a + T.sin(h1),
            outputs_info=dict(initial=x0, taps=[-2, -1]),
            n_steps=4,
        )
        return hs

    def mapped_backwards(x: TensorVariable, y: TensorVariable) -> TensorVariable:
        (running, products), _ = tracegraph.scan(
            lambda xt, acc: (acc * 0.5 + xt * y, T.exp(xt) * y),
            sequences=x,
            outputs_info=[T.zeros_like(y), None],
            go_backwards=True,
        )
        return running.sum() + products.sum(axis=0) * running[-1]

    def until_a_bound(a: TensorVariable) -> TensorVariable:
        def grow(p: TensorVariable) -> Any:
            return p * a, tracegraph.scan_module.until(p.sum() > 100.0)

        powers, _ = tracegraph.scan(grow, outputs_info=T.ones_like(a), n_steps=6)
        return powers

    def nested(x: TensorVariable, w: TensorVariable) -> TensorVariable:
        def row(xt: TensorVariable) -> TensorVariable:
            inner, _ = tracegraph.scan(lambda v, acc: acc * w + v, sequences=xt,
                                       outputs_info=T.zeros_like(w))  # fmt: skip
            return inner[-1]

        rows, _ = tracegraph.scan(row, sequences=x)
        return rows

    return [
        case("rnn", rnn, values(5, 3), values(3, 3) * 0.5, values(3)),
        case("two-taps", two_taps, values(2, 3), values(3)),
        case("mapped-go-backwards", mapped_backwards, values(4, 2), values(2)),
        case("until", until_a_bound, positive(3) + 1.0),
        case("nested", nested, values(3, 4), values()),
    ]


def ifelse_cases() -> list[Case]:
    """The branch taken gets the gradient; the other's inputs get zeros."""
    from tracegraph.ifelse import ifelse

    def pick(first: bool) -> Expression:
        def choose(x: TensorVariable, y: TensorVariable) -> TensorVariable:
            condition = T.lt(0.0, 1.0) if first else T.gt(0.0, 1.0)
            return ifelse(condition, T.tanh(x * y), T.exp(x) + y)

        return choose

    def several(x: TensorVariable, y: TensorVariable) -> TensorVariable:
        a, b = ifelse(T.lt(x.sum(), 100.0), [x * y, y**2], [x, y])
        return a * b

    def data_condition(x: TensorVariable, y: TensorVariable) -> TensorVariable:
        return ifelse(T.lt(x[0], y[0]), (x - y).sum() * x, T.sin(y) * x[1])

    return [
        case("then", pick(True), values(2, 3), values(2, 3)),
        case("else", pick(False), values(2, 3), values(2, 3)),
        case("several-outputs", several, values(3), values(3)),
        case("condition-on-data", data_condition, distinct(3), distinct(3)),
    ]


def _bucket(x: TensorVariable, y: TensorVariable, op: str) -> list[TensorVariable]:
    """``x`` and ``y`` all-reduced in one bucket (what the bucket-all-reduce pass makes)."""
    bucket = ops.AllReduceBucketOp([x.value, y.value], op)
    emit(bucket)
    return [TensorVariable(result) for result in bucket.outs]


CASES: dict[type[Operation], list[Case]] = {
    # unary elementwise
    ops.NegOp: unary_cases(lambda x: -x, values),
    ops.AbsOp: [
        *unary_cases(abs, nonzero),
        case("relu-nnet", T.nnet.relu, nonzero(2, 3)),
        case("leaky-relu-nnet", lambda a: T.nnet.relu(a, alpha=0.1), nonzero(2, 3)),
    ],
    ops.ExpOp: unary_cases(T.exp, values),
    ops.LogOp: unary_cases(T.log, positive),
    ops.Log1pOp: unary_cases(T.log1p, values),
    ops.Expm1Op: unary_cases(T.expm1, values),
    ops.SqrtOp: unary_cases(T.sqrt, positive),
    ops.SqrOp: unary_cases(T.sqr, values),
    ops.TanhOp: unary_cases(T.tanh, values),
    ops.ArcsinhOp: unary_cases(T.arcsinh, values),
    ops.SigmoidOp: [
        *unary_cases(T.sigmoid, values),
        case("large", T.sigmoid, np.array([-8.0, 8.0])),
    ],
    ops.SoftplusOp: [
        *unary_cases(T.softplus, values),
        case("large", T.softplus, np.array([-8.0, 8.0])),
    ],
    ops.SinOp: unary_cases(T.sin, values),
    ops.CosOp: unary_cases(T.cos, values),
    ops.ErfOp: unary_cases(T.erf, values),
    ops.ErfcOp: unary_cases(T.erfc, values),
    ops.ErfinvOp: unary_cases(T.erfinv, inside_unit),
    ops.Log2Op: unary_cases(T.log2, positive),
    ops.Log10Op: unary_cases(T.log10, positive),
    ops.TanOp: unary_cases(T.tan, values),
    ops.ArcsinOp: unary_cases(T.arcsin, inside_unit),
    ops.ArccosOp: unary_cases(T.arccos, inside_unit),
    ops.ArctanOp: unary_cases(T.arctan, values),
    ops.SinhOp: unary_cases(T.sinh, values),
    ops.CoshOp: unary_cases(T.cosh, values),
    ops.ArccoshOp: unary_cases(T.arccosh, above_one),
    ops.ArctanhOp: unary_cases(T.arctanh, inside_unit),
    ops.GammaOp: [
        *unary_cases(T.gamma, positive),
        case("negative", T.gamma, -positive(3) + 0.25),
    ],
    ops.GammalnOp: [
        *unary_cases(T.gammaln, positive),
        case("negative", T.gammaln, -positive(3) + 0.25),
    ],
    ops.PsiOp: [
        *unary_cases(T.psi, positive),
        case("negative", T.psi, -positive(3) + 0.25),
    ],
    ops.TruncOp: [
        *unary_cases(T.trunc, fractional),
        case("times-x", lambda x: T.trunc(x) * x, fractional(3)),
    ],
    # piecewise constant: zero gradient between the jumps
    ops.FloorOp: [
        *unary_cases(T.floor, fractional),
        case("times-x", lambda x: T.floor(x) * x, fractional(3)),
    ],
    ops.CeilOp: [
        *unary_cases(T.ceil, fractional),
        case("times-x", lambda x: T.ceil(x) * x, fractional(3)),
    ],
    ops.RoundOp: [
        *unary_cases(T.round, fractional),
        case("times-x", lambda x: T.round(x) * x, fractional(3)),
    ],
    ops.SignOp: [
        *unary_cases(T.sign, nonzero),
        case("times-x", lambda x: T.sign(x) * x, nonzero(3)),
    ],
    ops.IntDivOp: int_div_cases(),
    # casts
    ops.CastOp: [
        case(
            "float64-to-float32",
            lambda x: T.cast(T.exp(x), "float32"),
            values(2, 3),
            eps=1e-3,
            abs_tol=1e-2,
            rel_tol=1e-2,
        ),
        case("float32-to-float64", lambda x: T.exp(T.cast(x, "float64")), f32(values(2, 3))),
        case(
            "round-trip",
            lambda x: T.cast(T.cast(x, "float32"), "float64") * x,
            values(3),
            eps=1e-3,
            abs_tol=1e-2,
            rel_tol=1e-2,
        ),
        case("through-int-is-constant", lambda x: T.cast(x, "int32") * x, fractional(2, 3)),
        case("astype", lambda x: x.astype("float64") ** 2, f32(values(3))),
    ],
    # binary elementwise
    ops.AddOp: [
        *binary_cases(lambda a, b: a + b, values, values),
        case("three-operands", lambda a, b, c: T.add(a, b, c), values(2, 3), values(3), values()),
        case("python-scalar", lambda a: a + 2, values(3)),
    ],
    ops.SubOp: [
        *binary_cases(lambda a, b: a - b, values, values),
        case("reflected", lambda a: 1 - a, values(3)),
    ],
    ops.MulOp: [
        *binary_cases(lambda a, b: a * b, values, values),
        case("same-input", lambda a: a * a, values(3)),
    ],
    ops.TrueDivOp: [
        *binary_cases(lambda a, b: a / b, values, nonzero),
        case("reflected", lambda a: 1 / a, nonzero(3)),
    ],
    ops.ModOp: mod_cases(),
    ops.Arctan2Op: binary_cases(T.arctan2, nonzero, nonzero),
    ops.PowOp: [
        *binary_cases(lambda a, b: a**b, positive, values),
        case("integer-exponent-negative-base", lambda a: a**3, nonzero(2, 3)),
        case("constant-base", lambda b: 2.0**b, values(3)),
        case("same-input", lambda a: a**a, positive(3)),
    ],
    ops.MaximumOp: [
        *binary_cases(T.maximum, distinct, distinct),
        case("relu", lambda a: T.maximum(a, 0), nonzero(2, 3)),
    ],
    ops.MinimumOp: [
        *binary_cases(T.minimum, distinct, distinct),
        case("clip", lambda a: T.clip(a, -0.5, 0.5), np.array([-0.9, -0.25, 0.1, 0.75])),
    ],
    ops.FillOp: [
        case("scalar-value", lambda m, v: T.fill(m, v), values(2, 3), values()),
        case("row-value", lambda m, v: T.fill(m, v), values(2, 3), values(1, 3)),
        case("both-broadcast", lambda m, v: T.fill(m, v), values(2, 1), values(1, 3)),
        case("same-shape", lambda m, v: T.fill(m, v) * m, values(3), values(3)),
        case("ones-like", lambda m: T.ones_like(m) * m, values(3)),
    ],
    ops.SwitchOp: [
        case("0d", lambda c, a, b: T.switch(c > 0, a, b), nonzero(), values(), values()),
        case(
            "2d", lambda c, a, b: T.switch(c > 0, a, b), nonzero(2, 3), values(2, 3), values(2, 3)
        ),
        case(
            "broadcast",
            lambda c, a, b: T.switch(c > 0, a, b),
            nonzero(2, 1),
            values(1, 3),
            values(),
        ),
        case("piecewise", lambda x: T.switch(x > 0, x**2, T.sin(x)), nonzero(2, 3)),
        case("constant-branch", lambda x: T.switch(x < 0, 0.0, x), nonzero(4)),
    ],
    # reductions
    ops.SumOp: [
        *reduction_cases(T.sum, values),
        case("method", lambda x: x.sum(axis=0) ** 2, values(2, 3)),
    ],
    ops.MeanOp: [
        *reduction_cases(T.mean, values),
        case("static-shape", lambda x: x.reshape((2, 3)).mean(axis=1), values(6)),
    ],
    ops.ProdOp: prod_cases(),
    ops.MaxOp: reduction_cases(T.max, distinct),
    # In this process's world of one, an all-reduce is the identity: its rule (the same
    # all-reduce of the gradient) is checked here; tests/distributed checks it across ranks.
    ops.AllReduceOp: [
        case("sum", lambda x: tgd.all_reduce(x**2, op="sum").sum(), values(3)),
        case("mean", lambda x: T.exp(tgd.all_reduce(T.sin(x), op="mean")), values(2, 3)),
        case("twice", lambda x: tgd.all_reduce(tgd.all_reduce(x, "sum") * x, "mean"), values(4)),
    ],
    ops.AllReduceBucketOp: [
        case("sum", lambda x, y: (_bucket(x, y**2, "sum")[1] * x).sum(), values(3), values(3)),
        case(
            "mean-one-used",
            lambda x, y: T.exp(_bucket(T.sin(x), y, "mean")[0]).sum(),
            values(2, 3),
            values(),
        ),
        case(
            "both-used",
            lambda x, y: (lambda r: T.sum(r[0] * r[1] ** 2))(_bucket(x, y, "mean")),
            values(2, 3),
            values(3),
        ),
    ],
    ops.PrintOp: [
        case("value", lambda x: Print("x")(x) ** 2, values(3)),
        case("shape", lambda x: Print("x", ("shape",))(x) * x, values(2, 2)),
        case("inside", lambda x: T.exp(Print("e")(T.sin(x))), values(2, 3)),
    ],
    ops.SpecifyShapeOp: [
        case("specified", lambda x: T.specify_shape(x, (2, 3)) ** 2, values(2, 3)),
        case(
            "addbroadcast",
            lambda x: T.addbroadcast(T.unbroadcast(x, 0), 0) * np.ones((3, 1)),
            values(1, 3),
        ),
        case("unbroadcast", lambda x: T.unbroadcast(x.dimshuffle("x", 0), 0) ** 3, values(3)),
    ],
    ops.PythonOp: [
        case("axpb", lambda x: _AXPB(3.0, 1.0)(x) ** 2, values(2, 3)),
        case("axpb-of-axpb", lambda x: _AXPB(2.0, 0.0)(_AXPB(3.0, 1.0)(x)) * x, values(3)),
        case(
            "two-outputs", lambda x, y: T.sum(_ProductAndSum()(x, y)[0] ** 2), values(3), values(3)
        ),
        case(
            "second-output-only", lambda x, y: _ProductAndSum()(x, y)[1] * x, values(3), values(3)
        ),
    ],
    # convolutions and pooling
    ops.Conv2dOp: [
        case("valid", lambda x, w: T.nnet.conv2d(x, w), values(2, 2, 5, 4), values(3, 2, 2, 3)),
        case(
            "full-strided",
            lambda x, w: T.nnet.conv2d(x, w, border_mode="full", subsample=(2, 1)),
            values(1, 1, 4, 4),
            values(2, 1, 3, 2),
        ),
        case(
            "half-dilated-correlation",
            lambda x, w: T.nnet.conv2d(
                x, w, border_mode="half", filter_dilation=2, filter_flip=False
            ),
            values(1, 2, 6, 5),
            values(1, 2, 3, 3),
        ),
        case(
            "groups-padding",
            lambda x, w: T.nnet.conv2d(x, w, border_mode=(1, 2), num_groups=2),
            values(1, 4, 3, 3),
            values(4, 2, 2, 2),
        ),
    ],
    ops.Conv2dGradInputOp: [
        case(
            "second-order-valid",
            lambda x, w: T.grad(T.sum(T.nnet.conv2d(x, w) ** 2), x) * x,
            values(1, 2, 4, 4),
            values(2, 2, 2, 2),
        ),
        case(
            "second-order-strided",
            lambda x, w: T.grad(T.sum(T.nnet.conv2d(x, w, subsample=2) ** 2), x) ** 2,
            values(1, 1, 5, 5),
            values(1, 1, 2, 3),
        ),
        case(
            "second-order-groups-flip",
            lambda x, w: T.grad(
                T.sum(T.nnet.conv2d(x, w, num_groups=2, border_mode="half") ** 3), x
            ),
            values(1, 2, 3, 3),
            values(2, 1, 3, 3),
        ),
    ],
    ops.Conv2dGradWeightsOp: [
        case(
            "second-order-valid",
            lambda x, w: T.grad(T.sum(T.nnet.conv2d(x, w) ** 2), w) * w,
            values(2, 1, 4, 3),
            values(2, 1, 2, 2),
        ),
        case(
            "second-order-dilated",
            lambda x, w: T.grad(T.sum(T.nnet.conv2d(x, w, filter_dilation=(2, 1)) ** 2), w),
            values(1, 2, 5, 4),
            values(1, 2, 2, 2),
        ),
        case(
            "second-order-full-correlation",
            lambda x, w: T.grad(
                T.sum(T.nnet.conv2d(x, w, border_mode="full", filter_flip=False) ** 3), w
            ),
            values(1, 1, 3, 3),
            values(2, 1, 2, 2),
        ),
    ],
    ops.Pool2dOp: [
        case(
            "max",
            lambda x: T.signal.pool.pool_2d(x, (2, 2), ignore_border=True),
            distinct(1, 2, 4, 4),
        ),
        case(
            "max-partial-windows",
            lambda x: T.signal.pool.pool_2d(x, (2, 2), ignore_border=False, stride=(1, 2)),
            distinct(2, 3, 3),
        ),
        case(
            "average-inc-pad",
            lambda x: T.signal.pool.pool_2d(
                x, (3, 2), ignore_border=True, pad=(1, 1), mode="average_inc_pad"
            ),
            values(1, 1, 4, 5),
        ),
        case(
            "average-exc-pad-sum",
            lambda x: (
                T.signal.pool.pool_2d(
                    x, (2, 3), ignore_border=True, pad=(1, 1), mode="average_exc_pad"
                )
                + T.sum(T.signal.pool.pool_2d(x, (2, 2), ignore_border=False, mode="sum"))
            ),
            values(1, 3, 4),
        ),
    ],
    # linear algebra
    ops.MatrixInverseOp: [
        case("2x2", T.nlinalg.matrix_inverse, well_conditioned(2)),
        case("3x3-squared", lambda a: T.nlinalg.matrix_inverse(a) ** 2, well_conditioned(3)),
        case("times-x", lambda a: T.dot(T.nlinalg.matrix_inverse(a), a.T), well_conditioned(3)),
    ],
    ops.DetOp: [
        case("2x2", T.nlinalg.det, well_conditioned(2)),
        case("3x3", T.nlinalg.det, well_conditioned(3)),
        case("squared", lambda a: T.nlinalg.det(a * 2) ** 2, well_conditioned(3)),
    ],
    ops.CholeskyOp: [
        case("lower", T.slinalg.cholesky, positive_definite(3)),
        case("upper", lambda a: T.slinalg.cholesky(a, lower=False) ** 2, positive_definite(3)),
        case("of-a-product", lambda m: T.slinalg.cholesky(T.dot(m, m.T)), well_conditioned(3)),
    ],
    ops.EighOp: [
        case("values", lambda a: T.nlinalg.eigh(a)[0], spread_symmetric(3)),
        case("vectors-squared", lambda a: T.nlinalg.eigh(a)[1] ** 2, spread_symmetric(3)),
        case(
            "both-upper",
            lambda a: T.sum(T.nlinalg.eigh(a, "U")[0]) * T.nlinalg.eigh(a, "U")[1] ** 2,
            spread_symmetric(3),
        ),
    ],
    ops.SolveOp: [
        case("general-vector", T.slinalg.solve, well_conditioned(3), values(3)),
        case("general-matrix", T.slinalg.solve, well_conditioned(3), values(3, 2)),
        case("lower", T.slinalg.solve_lower_triangular, well_conditioned(3), values(3)),
        case("upper", T.slinalg.solve_upper_triangular, well_conditioned(3), values(3, 2)),
        case("symmetric", T.slinalg.solve_symmetric, positive_definite(3), values(3)),
    ],
    # along one axis
    ops.CumsumOp: [
        case("flattened", lambda x: T.cumsum(x) * x.flatten(), values(2, 3)),
        case("axis-0", lambda x: T.cumsum(x, axis=0), values(3, 2)),
        case("axis-1-squared", lambda x: T.cumsum(x, axis=1) ** 2, values(2, 3)),
        case("float32", lambda x: T.cumsum(x, axis=-1), f32(values(2, 3))),
    ],
    ops.CumprodOp: [
        case("vector", T.cumprod, nonzero(4)),
        case("axis-0", lambda x: T.cumprod(x, axis=0), nonzero(3, 2)),
        case("axis-1-times-x", lambda x: T.cumprod(x, axis=1) * x, nonzero(2, 3)),
    ],
    ops.SortOp: [
        case("vector-weighted", lambda x: T.sort(x) * np.arange(5.0), distinct(5)),
        case("rows", lambda x: T.sort(x, axis=1) ** 2, distinct(2, 3)),
        case("columns", lambda x: T.sort(x, axis=0) * x, distinct(3, 2)),
        case("flattened", lambda x: T.sort(x, axis=None) * np.arange(6.0), distinct(2, 3)),
    ],
    ops.MinOp: reduction_cases(T.min, distinct),
    # normalizations
    ops.SoftmaxOp: [
        case("rows", T.nnet.softmax, values(2, 3)),
        case("vector-as-one-row", T.nnet.softmax, values(4)),
        case("axis-0", lambda x: T.nnet.softmax_along(x, 0), values(3, 2)),
        case("3d-times-x", lambda x: T.nnet.softmax(x) * x, values(2, 2, 3)),
        case("float32", T.nnet.softmax, f32(values(2, 3))),
    ],
    ops.LogSoftmaxOp: [
        case("rows", T.nnet.logsoftmax, values(2, 3)),
        case("vector-as-one-row", T.nnet.logsoftmax, values(4)),
        case("axis-0", lambda x: T.nnet.log_softmax_along(x, 0), values(3, 2)),
        case("picked", lambda x: T.nnet.logsoftmax(x)[[0, 1], [2, 0]], values(2, 3)),
        case("float32", T.nnet.logsoftmax, f32(values(2, 3))),
    ],
    # linear algebra
    ops.DotOp: dot_cases(),
    # shapes
    ops.DimShuffleOp: dimshuffle_cases(),
    ops.ReshapeOp: [
        case("2d-to-2d", lambda x: x.reshape((3, 2)), values(2, 3)),
        case("1d-to-2d", lambda x: x.reshape((2, 3)), values(6)),
        case("minus-one", lambda x: x.reshape((-1,)), values(2, 2, 3)),
        case("0d-to-1d", lambda x: x.reshape((1,)), values()),
        case("to-0d", lambda x: x.reshape(()), values(1, 1)),
        case("symbolic-shape", lambda x, y: x.reshape(y.shape) * y, values(6), values(2, 3)),
    ],
    ops.FlattenOp: [
        case("2d", lambda x: x.flatten(), values(2, 3)),
        case("3d-ndim2", lambda x: x.flatten(2), values(2, 3, 2)),
        case("1d", lambda x: T.flatten(x) * x, values(3)),
        case("0d", lambda x: x.flatten(), values()),
    ],
    ops.AllocOp: [
        case("0d-value", lambda v: T.alloc(v, 2, 3), values()),
        case("1d-value", lambda v: T.alloc(v, 2, 3), values(3)),
        case("size-1-value", lambda v: T.alloc(v, 2, 4, 3), values(1, 3)),
        case("same-rank", lambda v: T.alloc(v, 2, 3), values(2, 3)),
        case(
            "symbolic-size",
            lambda v, m: T.alloc(v, m.shape[0], 2) * m[:, :1],
            values(2),
            values(3, 1),
        ),
        case("zeros-plus", lambda v: T.zeros((2, 3)) + v, values(3)),
    ],
    ops.ConcatenateOp: join_cases(T.concatenate),
    ops.StackOp: stack_cases(),
    # indexing
    ops.SubtensorOp: subtensor_cases(),
    ops.SetSubtensorOp: set_subtensor_cases(),
    ops.IncSubtensorOp: inc_subtensor_cases(),
    # gradient barriers (clipping bounds the finite differences stay inside)
    ops.GradClipOp: [
        case(
            "inside-bounds",
            lambda x: tracegraph_gradient.grad_clip(x, -5.0, 5.0) ** 2,
            values(2, 3),
        ),
        case("0d", lambda x: T.exp(tracegraph_gradient.grad_clip(x, -10.0, 10.0)), values()),
        case(
            "then-product",
            lambda x, y: tracegraph_gradient.grad_clip(x * y, -9.0, 9.0),
            values(3),
            values(3),
        ),
    ],
    # control flow
    ops.ScanOp: scan_cases(),
    ops.IfElseOp: ifelse_cases(),
}


def differentiable_ops() -> set[type[Operation]]:
    return {
        op
        for op, rule in VJP_RULES.items()
        if not isinstance(rule, NotDifferentiable | UndefinedGradient)
    }


def _op_name(op: type[Operation]) -> str:
    return str(getattr(op, "name", op.__name__))


def test_every_differentiable_op_has_cases() -> None:
    missing = differentiable_ops() - set(CASES)
    stale = set(CASES) - differentiable_ops()
    assert not missing, f"add verify_grad cases for {sorted(map(_op_name, missing))}"
    assert not stale, f"these ops have cases but no VJP rule: {sorted(map(_op_name, stale))}"
    assert all(len(cases) >= 3 for cases in CASES.values())


def test_not_differentiable_markers_give_a_reason() -> None:
    markers = [rule for rule in VJP_RULES.values() if isinstance(rule, NotDifferentiable)]
    assert markers
    assert all(isinstance(m.reason, str) and m.reason for m in markers)


def _params() -> Iterator[Any]:
    for op, cases in CASES.items():
        for c in cases:
            yield pytest.param(op, c, id=f"{_op_name(op)}-{c.name}")


def _op_classes(output: TensorVariable) -> set[type[Operation]]:
    """The classes of the ops ``output`` is computed from."""
    seen: set[int] = set()
    classes: set[type[Operation]] = set()
    stack = [output.value]
    while stack:
        owner = stack.pop().owner
        if not isinstance(owner, Operation) or id(owner) in seen:
            continue
        seen.add(id(owner))
        classes.add(type(owner))
        stack.extend(owner.operands)
    return classes


def _symbolic_inputs(point: tuple[Array, ...]) -> list[TensorVariable]:
    # The inputs verify_grad makes: size-1 dimensions are broadcastable.
    return [
        T.tensor(str(p.dtype), shape=tuple(1 if n == 1 else None for n in p.shape)) for p in point
    ]


@pytest.mark.parametrize(("op", "c"), list(_params()))
def test_vjp_rule_matches_finite_differences(op: type[Operation], c: Case) -> None:
    assert op in _op_classes(c.fun(*_symbolic_inputs(c.point))), "the case does not use its op"
    c.verify()


# -- compositions -----------------------------------------------------------------------------


def _mlp(
    x: TensorVariable, w1: TensorVariable, b1: TensorVariable, w2: TensorVariable
) -> TensorVariable:
    hidden = T.tanh(T.dot(x, w1) + b1)
    return T.nnet.softmax(T.dot(hidden, w2))


def _cross_entropy(x: TensorVariable, w: TensorVariable, b: TensorVariable) -> TensorVariable:
    targets = T.constant(np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]))
    probabilities = T.nnet.softmax(T.dot(x, w) + b)
    return -T.mean(T.sum(targets * T.log(probabilities), axis=1))


def _logistic_loss(x: TensorVariable, w: TensorVariable, b: TensorVariable) -> TensorVariable:
    labels = T.constant(np.array([1.0, 0.0, 1.0]))
    p = T.sigmoid(T.dot(x, w) + b)
    return -T.mean(labels * T.log(p) + (1 - labels) * T.log(1 - p))


def _logistic_softplus(x: TensorVariable, w: TensorVariable) -> TensorVariable:
    labels = T.constant(np.array([1.0, 0.0, 1.0]))
    z = T.dot(x, w)
    return T.sum(labels * T.softplus(-z) + (1 - labels) * T.softplus(z))


def _attention(q: TensorVariable, k: TensorVariable, v: TensorVariable) -> TensorVariable:
    scores = T.dot(q, k.T) / np.sqrt(3.0)
    return T.dot(T.nnet.softmax(scores), v)


def _layer_norm(x: TensorVariable, gain: TensorVariable) -> TensorVariable:
    centered = x - x.mean(axis=1, keepdims=True)
    scale = T.sqrt(T.mean(centered**2, axis=1, keepdims=True) + 1e-5)
    return centered / scale * gain


def _rnn(x: TensorVariable, w: TensorVariable, h0: TensorVariable) -> TensorVariable:
    h = h0
    states = []
    for t in range(3):
        h = T.tanh(T.dot(h, w) + x[t])
        states.append(h)
    return T.stack(states)


COMPOSITIONS: list[Case] = [
    case("mlp-softmax", _mlp, values(2, 3), values(3, 4), values(4), values(4, 3)),
    case("softmax-1d-rows", T.nnet.softmax, values(3, 4)),
    case("softmax-cross-entropy", _cross_entropy, values(2, 4), values(4, 3), values(3)),
    case("logistic-cross-entropy", _logistic_loss, values(3, 2), values(2), values()),
    case("logistic-softplus", _logistic_softplus, values(3, 2), values(2)),
    case("attention", _attention, values(2, 3), values(4, 3), values(4, 2)),
    case("layer-norm", _layer_norm, values(2, 4), values(4)),
    case("rnn", _rnn, values(3, 2), values(2, 2), values(2)),
    case(
        "nested-reductions", lambda x: T.max(T.sum(x**2, axis=2), axis=0).mean(), distinct(2, 3, 2)
    ),
    case("sum-of-prod", lambda x: T.sum(T.prod(x, axis=1) * T.mean(x, axis=1)), nonzero(3, 2)),
    case("index-then-reduce", lambda x: x[[0, 2, 2]].sum(axis=0).prod(), positive(3, 2)),
    case("slice-then-max", lambda x: T.max(x[1:, ::2], axis=1), distinct(3, 4)),
    case("variance-std", lambda x: T.var(x, axis=0) + T.std(x), values(4, 2)),
    case(
        "tensordot",
        lambda a, b: T.tensordot(a, b, [[1, 2], [0, 1]]),
        values(2, 3, 2),
        values(3, 2, 2),
    ),
    case("dot-3d", lambda a, b: T.dot(a, b) ** 2, values(2, 2, 3), values(3, 2)),
    case("batched-dot", lambda a, b: T.batched_dot(a, b), values(2, 2, 3), values(2, 3, 2)),
    case("boolean-mask", lambda x: T.sum(x[x > 0] ** 2) + T.sum(x[T.lt(x, 0)]), nonzero(3, 4)),
    case("repeat", lambda x: T.repeat(x, 2, axis=1) * np.arange(6.0), values(2, 3)),
    case("repeat-counts", lambda x: T.repeat(x, [2, 0, 1]) ** 2, values(3)),
    case("tile", lambda x: T.tile(x, [2, 2]) * np.arange(24.0).reshape(4, 6), values(2, 3)),
    case("roll", lambda x: T.roll(x, 1, axis=0) * np.arange(3.0), values(3)),
    case("diag-trace", lambda x: T.trace(x) * T.diag(x), values(3, 3)),
    case("diag-of-vector", lambda v: T.diag(v, 1) ** 2, values(3)),
    case("norm", lambda x: T.sqrt(T.sum(x**2)), nonzero(3)),
    case("outer", lambda a, b: T.outer(a, b) * a.dimshuffle(0, "x"), values(3), values(2)),
    case(
        "set-then-dot",
        lambda x, w: T.dot(T.set_subtensor(x[:, 0], 1.0), w),
        values(2, 3),
        values(3, 2),
    ),
    case(
        "scatter-add-embedding",
        lambda table: T.inc_subtensor(T.zeros((2, 2))[[0, 1, 0]], table[[1, 1, 0]]) ** 2,
        values(2, 2),
    ),
    case("reshape-dot", lambda x: T.dot(x.flatten(), x.reshape((3, 2)).T.flatten()), values(2, 3)),
    case(
        "concatenate-then-stats",
        lambda a, b: T.std(T.concatenate([a, T.exp(b)], axis=1), axis=1),
        values(2, 2),
        values(2, 1),
    ),
    case("erf-gelu", lambda x: 0.5 * x * (1 + T.erf(x / np.sqrt(2.0))), values(2, 3)),
    case(
        "float32-mlp",
        _mlp,
        *(f32(v) for v in (values(2, 3), values(3, 4), values(4), values(4, 3))),
    ),
]


@pytest.mark.parametrize("c", COMPOSITIONS, ids=[c.name for c in COMPOSITIONS])
def test_composition_matches_finite_differences(c: Case) -> None:
    c.verify()


def test_verify_grad_catches_a_wrong_gradient(monkeypatch: pytest.MonkeyPatch) -> None:
    # The tests above are only as good as verify_grad: a rule off by a factor must fail.
    wrong = VJP_RULES[ops.SqrOp]
    assert not isinstance(wrong, NotDifferentiable)

    def half_the_gradient(
        op: Operation, xs: list[TensorVariable], out: TensorVariable, g: TensorVariable
    ) -> list[TensorVariable]:
        return [g * xs[0]]  # the derivative of x**2 is 2 * x

    sqr: type[Operation] = ops.SqrOp
    monkeypatch.setitem(VJP_RULES, sqr, half_the_gradient)
    with pytest.raises(GradientError, match="input 0"):
        verify_grad(T.sqr, [values(3)])
