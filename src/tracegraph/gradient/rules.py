"""The vector-Jacobian product (VJP) of every op of the ``tg`` dialect, keyed by op class.

A rule receives the op, its operands and result as symbolic variables, and the gradient ``g``
of the cost with respect to the result; it returns one gradient per operand, or ``None`` where
no gradient flows (shape and index operands). Rules build the gradient with the ordinary
frontend functions, so gradients are plain graphs: they can be printed, compiled, reused in
updates and differentiated again. Ops whose result is piecewise constant or integer (compar-
isons, bitwise ops, ``argmax``, ``shape``...) are marked ``NotDifferentiable`` with the reason:
no gradient flows through them, and an input reached only through them gets a zero gradient.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias, TypeVar

import numpy as np
from xdsl.ir import Operation, SSAValue

from tracegraph.errors import GradientError, UndefinedGradientError
from tracegraph.ir import ops
from tracegraph.ir.location import format_location
from tracegraph.ir.ops.shape import NEW_AXIS, JoinOp
from tracegraph.ir.ops.subtensor import ARRAY_INDEX, SubtensorUpdateOp
from tracegraph.ir.python_ops import lookup
from tracegraph.ir.types import tensor_type
from tracegraph.tensor import basic, extra_ops, nnet, shapes
from tracegraph.tensor import math as tm
from tracegraph.tensor.variable import TensorVariable, as_tensor_variable, constant, emit

Gradients: TypeAlias = Sequence[TensorVariable | None]
VJPRule: TypeAlias = Callable[
    [Any, list[TensorVariable], TensorVariable, TensorVariable], Gradients
]
"""``rule(op, operands, result, g)``: the gradient of each operand, ``None`` where none flows."""
OpT = TypeVar("OpT", bound=Operation)


@dataclass(frozen=True)
class NotDifferentiable:
    """Marks an op no gradient flows through, with the reason."""

    reason: str


@dataclass(frozen=True)
class UndefinedGradient:
    """Marks an op whose float results depend on float operands but have no gradient (random
    draws): ``grad`` raises ``UndefinedGradientError`` when a gradient would flow through."""

    reason: str


@dataclass(frozen=True)
class MultiResultRule:
    """The VJP of an op with several results (``tg.scan``, ``tg.ifelse``):
    ``function(op, operands, results, gradients)`` gets one gradient per result (``None``
    where none reaches it) and returns one per operand (``None`` where none flows). Operands
    and results that are not tensors (random states) come as plain variables."""

    function: Callable[[Any, list[Any], list[Any], list[TensorVariable | None]], Gradients]


VJP_RULES: dict[
    type[Operation], VJPRule | MultiResultRule | NotDifferentiable | UndefinedGradient
] = {}
"""The VJP rule of every op class, or ``NotDifferentiable`` / ``UndefinedGradient`` for ops
without a gradient."""


def vjp_rule(*classes: type[OpT]) -> Callable[[VJPRule], VJPRule]:
    """Register a VJP rule for op classes."""

    def register(rule: VJPRule) -> VJPRule:
        for cls in classes:
            VJP_RULES[cls] = rule
        return rule

    return register


def not_differentiable(reason: str, *classes: type[Operation]) -> None:
    """Mark op classes as having no gradient."""
    for cls in classes:
        VJP_RULES[cls] = NotDifferentiable(reason)


def is_float(variable: TensorVariable) -> bool:
    """Whether gradients flow into values of this variable's dtype."""
    return np.dtype(variable.dtype).kind == "f"


def match_type(g: TensorVariable, like: TensorVariable) -> TensorVariable:
    """``g`` summed over the axes where ``like`` was broadcast, in ``like``'s dtype.

    Elementwise operands have the result's rank; an operand of static size 1 on an axis where
    the result is larger received the same value along that axis, so its gradient is the sum.
    """
    axes = [
        axis
        for axis, (mine, theirs) in enumerate(zip(like.type.shape, g.type.shape, strict=True))
        if mine == 1 and theirs != 1
    ]
    if axes:
        g = tm.sum(g, axis=axes, keepdims=True)
    if g.dtype != like.dtype and is_float(like):
        g = basic.cast(g, like.dtype)
    return g


# -- not differentiable ---------------------------------------------------------------------------

not_differentiable("a leaf of the graph has no operands", ops.ConstantOp, ops.InputOp, ops.SharedOp)
not_differentiable(
    "a comparison has a boolean result",
    ops.GtOp,
    ops.GeOp,
    ops.LtOp,
    ops.LeOp,
    ops.EqOp,
    ops.NeqOp,
)
not_differentiable("the result is a boolean", ops.IsNanOp, ops.IsInfOp)
not_differentiable(
    "bitwise ops take integers or booleans", ops.AndOp, ops.OrOp, ops.XorOp, ops.InvertOp
)
not_differentiable(
    "the result is an integer index or a boolean",
    ops.ArgsortOp,
    ops.NonzeroOp,
    ops.ArgmaxOp,
    ops.ArgminOp,
    ops.AnyOp,
    ops.AllOp,
)
not_differentiable("the result is a shape or a range of integers", ops.ShapeOp, ops.ArangeOp)
not_differentiable(
    "the sample depends on the generator state only (an integer matrix)", ops.MRGUniformOp
)
not_differentiable("the result counts outcomes", ops.MultinomialFromUniformOp)
not_differentiable(
    "fused kernels appear only after the passes, never in a graph being differentiated",
    ops.FusedOp,
    ops.YieldOp,
)
not_differentiable(
    "disconnected_grad: no gradient flows through, and grad does not look past it",
    ops.DisconnectedGradOp,
)


not_differentiable(
    "zero_grad: the gradient through it is zero by request (and connected)", ops.ZeroGradOp
)


@vjp_rule(ops.GradClipOp)
def _grad_clip(
    op: ops.GradClipOp, operands: list[TensorVariable], result: TensorVariable, g: TensorVariable
) -> Gradients:
    lower, upper = op.lower.value.data, op.upper.value.data
    return [tm.maximum(tm.minimum(g, upper), lower)]


for _draw in ops.RANDOM_STATE_DRAWS:
    VJP_RULES[_draw] = UndefinedGradient(
        "random sampling has no gradient with respect to the distribution's parameters"
    )


# -- elementwise ----------------------------------------------------------------------------------


@vjp_rule(ops.FloorOp, ops.CeilOp, ops.RoundOp, ops.TruncOp, ops.SignOp, ops.IntDivOp)
def _piecewise_constant(
    op: Operation, xs: list[TensorVariable], out: TensorVariable, g: TensorVariable
) -> Gradients:
    # The result is constant between jumps: the gradient is zero almost everywhere.
    return [basic.zeros_like(x) if is_float(x) else None for x in xs]


@vjp_rule(ops.NegOp)
def _neg(
    op: ops.NegOp, xs: list[TensorVariable], out: TensorVariable, g: TensorVariable
) -> Gradients:
    return [-g]


def _unary(
    derivative: Callable[[TensorVariable, TensorVariable, TensorVariable], TensorVariable],
) -> VJPRule:
    """A rule for ``y = f(x)``: ``derivative(g, x, y)`` is ``g * f'(x)``."""

    def rule(
        op: Operation, xs: list[TensorVariable], out: TensorVariable, g: TensorVariable
    ) -> Gradients:
        return [derivative(g, xs[0], out)]

    return rule


VJP_RULES[ops.AbsOp] = _unary(lambda g, x, y: g * tm.sign(x))
VJP_RULES[ops.ExpOp] = _unary(lambda g, x, y: g * y)
VJP_RULES[ops.LogOp] = _unary(lambda g, x, y: g / x)
VJP_RULES[ops.Log1pOp] = _unary(lambda g, x, y: g / (1 + x))
VJP_RULES[ops.Expm1Op] = _unary(lambda g, x, y: g * (y + 1))
VJP_RULES[ops.SqrtOp] = _unary(lambda g, x, y: g * 0.5 / y)
VJP_RULES[ops.SqrOp] = _unary(lambda g, x, y: g * 2 * x)
VJP_RULES[ops.TanhOp] = _unary(lambda g, x, y: g * (1 - y * y))
VJP_RULES[ops.ArcsinhOp] = _unary(lambda g, x, y: g / tm.sqrt(x * x + 1))
VJP_RULES[ops.SigmoidOp] = _unary(lambda g, x, y: g * (y * (1 - y)))
VJP_RULES[ops.SoftplusOp] = _unary(lambda g, x, y: g * tm.sigmoid(x))
VJP_RULES[ops.SinOp] = _unary(lambda g, x, y: g * tm.cos(x))
VJP_RULES[ops.CosOp] = _unary(lambda g, x, y: g * -tm.sin(x))
VJP_RULES[ops.ErfOp] = _unary(lambda g, x, y: g * (2 / math.sqrt(math.pi)) * tm.exp(-(x * x)))
VJP_RULES[ops.ErfcOp] = _unary(lambda g, x, y: g * (-2 / math.sqrt(math.pi)) * tm.exp(-(x * x)))
VJP_RULES[ops.ErfinvOp] = _unary(lambda g, x, y: g * (math.sqrt(math.pi) / 2) * tm.exp(y * y))
VJP_RULES[ops.Log2Op] = _unary(lambda g, x, y: g / (x * math.log(2)))
VJP_RULES[ops.Log10Op] = _unary(lambda g, x, y: g / (x * math.log(10)))
VJP_RULES[ops.TanOp] = _unary(lambda g, x, y: g * (1 + y * y))
VJP_RULES[ops.ArcsinOp] = _unary(lambda g, x, y: g / tm.sqrt(1 - x * x))
VJP_RULES[ops.ArccosOp] = _unary(lambda g, x, y: -g / tm.sqrt(1 - x * x))
VJP_RULES[ops.ArctanOp] = _unary(lambda g, x, y: g / (1 + x * x))
VJP_RULES[ops.SinhOp] = _unary(lambda g, x, y: g * tm.cosh(x))
VJP_RULES[ops.CoshOp] = _unary(lambda g, x, y: g * tm.sinh(x))
VJP_RULES[ops.ArccoshOp] = _unary(lambda g, x, y: g / tm.sqrt(x * x - 1))
VJP_RULES[ops.ArctanhOp] = _unary(lambda g, x, y: g / (1 - x * x))
VJP_RULES[ops.GammaOp] = _unary(lambda g, x, y: g * y * tm.psi(x))
VJP_RULES[ops.GammalnOp] = _unary(lambda g, x, y: g * tm.psi(x))
VJP_RULES[ops.PsiOp] = _unary(lambda g, x, y: g * tm.tri_gamma(x))
VJP_RULES[ops.TrigammaOp] = UndefinedGradient(
    "the derivative of trigamma, polygamma(2, x), is not implemented (as in Theano)"
)


@vjp_rule(ops.CastOp)
def _cast(
    op: ops.CastOp, xs: list[TensorVariable], out: TensorVariable, g: TensorVariable
) -> Gradients:
    (x,) = xs
    # Only a ``wrt`` of an integer dtype is ever asked for the gradient of an integer operand:
    # it receives it as a float, as in Theano.
    return [basic.cast(g, x.dtype) if is_float(x) else g]


def _binary(
    derivatives: Callable[
        [TensorVariable, TensorVariable, TensorVariable, TensorVariable],
        tuple[TensorVariable, TensorVariable],
    ],
) -> VJPRule:
    """A rule for ``z = f(x, y)``: ``derivatives(g, x, y, z)`` gives both products."""

    def rule(
        op: Operation, xs: list[TensorVariable], out: TensorVariable, g: TensorVariable
    ) -> Gradients:
        x, y = xs
        gx, gy = derivatives(g, x, y, out)
        return [match_type(gx, x), match_type(gy, y)]

    return rule


VJP_RULES[ops.AddOp] = _binary(lambda g, x, y, z: (g, g))
VJP_RULES[ops.SubOp] = _binary(lambda g, x, y, z: (g, -g))
VJP_RULES[ops.MulOp] = _binary(lambda g, x, y, z: (g * y, g * x))
# -(g * z) / y rather than -g * x / y**2: y**2 overflows first, and the stabilizer
# recognizes the sigmoid's gradient in this form.
VJP_RULES[ops.TrueDivOp] = _binary(lambda g, x, y, z: (g / y, -(g * z) / y))
VJP_RULES[ops.ModOp] = _binary(lambda g, x, y, z: (g, g * -(x // y)))
# d(x ** y)/dy = x ** y * log(x) is 0 * -inf at x = 0; the limit there is 0 (as in Theano).
VJP_RULES[ops.Arctan2Op] = _binary(
    lambda g, y, x, z: (g * x / (x * x + y * y), -(g * y) / (x * x + y * y))
)
VJP_RULES[ops.PowOp] = _binary(
    lambda g, x, y, z: (
        g * y * x ** (y - 1),
        tm.switch(tm.eq(x, 0), 0, g * z * tm.log(x)),
    )
)


def _extremum_pair(
    g: TensorVariable, x: TensorVariable, y: TensorVariable, z: TensorVariable
) -> tuple[TensorVariable, TensorVariable]:
    """``maximum``/``minimum``: the operand the result equals gets the gradient; at a tie the
    whole gradient goes to ``x`` (a subgradient, as in Theano: giving it to both operands
    would count it twice, so ``maximum(x, x)`` would have gradient 2)."""
    took_x = tm.eq(z, x)
    return g * took_x, g * tm.invert(took_x)


VJP_RULES[ops.MaximumOp] = _binary(_extremum_pair)
VJP_RULES[ops.MinimumOp] = _binary(_extremum_pair)


@vjp_rule(ops.FillOp)
def _fill(
    op: ops.FillOp, xs: list[TensorVariable], out: TensorVariable, g: TensorVariable
) -> Gradients:
    _model, value = xs
    return [None, match_type(g, value)]


@vjp_rule(ops.SwitchOp)
def _switch(
    op: ops.SwitchOp, xs: list[TensorVariable], out: TensorVariable, g: TensorVariable
) -> Gradients:
    condition, if_true, if_false = xs
    return [
        None,
        match_type(tm.switch(condition, g, 0), if_true),
        match_type(tm.switch(condition, 0, g), if_false),
    ]


# -- reductions -----------------------------------------------------------------------------------


def expand_reduced(g: TensorVariable, op: ops.ReductionOp, x: TensorVariable) -> TensorVariable:
    """``g`` (of a reduction's result) with the reduced axes back as broadcastable axes."""
    if op.get_keepdims():
        return g
    axes = op.get_axes()
    kept = iter(range(g.ndim))
    order = [NEW_AXIS if axis in axes else next(kept) for axis in range(x.ndim)]
    return g.dimshuffle(*["x" if a == NEW_AXIS else a for a in order])


def _reduced_count(op: ops.ReductionOp, x: TensorVariable, dtype: str) -> TensorVariable | float:
    """The number of elements each result of a reduction combines."""
    sizes = [x.type.shape[axis] for axis in op.get_axes()]
    if all(size is not None for size in sizes):
        return float(math.prod(size for size in sizes if size is not None))
    shape = shapes.shape(x)
    count: TensorVariable = basic.cast(shape[op.get_axes()[0]], dtype)
    for axis in op.get_axes()[1:]:
        count = count * basic.cast(shape[axis], dtype)
    return count


@vjp_rule(ops.SumOp)
def _sum(
    op: ops.SumOp, xs: list[TensorVariable], out: TensorVariable, g: TensorVariable
) -> Gradients:
    (x,) = xs
    return [match_type(basic.fill(x, expand_reduced(g, op, x)), x)]


@vjp_rule(ops.MeanOp)
def _mean(
    op: ops.MeanOp, xs: list[TensorVariable], out: TensorVariable, g: TensorVariable
) -> Gradients:
    (x,) = xs
    spread = basic.fill(x, expand_reduced(g, op, x))
    return [match_type(spread / _reduced_count(op, x, g.dtype), x)]


@vjp_rule(ops.ProdOp)
def _prod(
    op: ops.ProdOp, xs: list[TensorVariable], out: TensorVariable, g: TensorVariable
) -> Gradients:
    (x,) = xs
    axes = op.get_axes()
    # The partial derivative for x[j] is the product of the other elements. prod / x[j] fails
    # where x[j] is 0, so the zeros and the other elements are multiplied separately. The
    # expression must also have the right derivative (for second derivatives), so the zeros
    # enter as values of x, not as constants: where x[j] is not 0, it is
    # (product of the zeros) * (product of the nonzeros) / x[j]; where x[j] is 0, it is the
    # product of the nonzeros times the other zero if there are two (their sum minus x[j]),
    # times 1 if x[j] is the only zero, and 0 (with zero derivative) if there are three or more.
    is_zero = tm.eq(x, 0)
    zeros = tm.sum(is_zero, axis=axes, keepdims=True)
    zeros_only = tm.switch(is_zero, x, 0)
    nonzero_product = tm.prod(tm.switch(is_zero, 1, x), axis=axes, keepdims=True)
    zero_product = tm.prod(tm.switch(is_zero, x, 1), axis=axes, keepdims=True)
    other_zero = tm.sum(zeros_only, axis=axes, keepdims=True) - zeros_only
    at_zero = tm.switch(
        tm.eq(zeros, 1),
        nonzero_product,
        tm.switch(tm.eq(zeros, 2), nonzero_product * other_zero, 0),
    )
    elsewhere = zero_product * nonzero_product / tm.switch(is_zero, 1, x)
    partial = tm.switch(is_zero, at_zero, elsewhere)
    return [match_type(expand_reduced(g, op, x) * partial, x)]


@vjp_rule(ops.CumsumOp)
def _cumsum(
    op: ops.CumsumOp, xs: list[TensorVariable], out: TensorVariable, g: TensorVariable
) -> Gradients:
    # x[j] enters every running sum from j on: the gradient is the running sum of g from the end.
    axis = op.get_axis()
    reversed_sums = extra_ops.cumsum(extra_ops.flip(g, axis), axis)
    return [match_type(extra_ops.flip(reversed_sums, axis), xs[0])]


@vjp_rule(ops.CumprodOp)
def _cumprod(
    op: ops.CumprodOp, xs: list[TensorVariable], out: TensorVariable, g: TensorVariable
) -> Gradients:
    # Theano's: d out[i] / d x[j] = out[i] / x[j] for i >= j (so undefined where x[j] is 0).
    (x,) = xs
    axis = op.get_axis()
    reversed_sums = extra_ops.cumsum(extra_ops.flip(g * out, axis), axis)
    return [match_type(extra_ops.flip(reversed_sums, axis) / x, x)]


@vjp_rule(ops.SortOp)
def _sort(
    op: ops.SortOp, xs: list[TensorVariable], out: TensorVariable, g: TensorVariable
) -> Gradients:
    # out = x[perm]: each x[j] receives the gradient of the place it was sorted to, which the
    # inverse permutation (argsort of the permutation) reads back.
    (x,) = xs
    axis = op.get_axis()
    places = extra_ops.argsort(extra_ops.argsort(x, axis), axis)
    return [match_type(extra_ops.take_along_axis(g, places, axis), x)]


def _python_op_vjp(
    op: ops.PythonOp,
    operands: list[Any],
    results: list[Any],
    gradients: list[TensorVariable | None],
) -> Gradients:
    """The user's ``L_op`` (``grad`` by default), given a gradient for every output (zeros
    where none reaches one, as Theano gives a disconnected output)."""
    user_op = lookup(op.get_key()).instance
    given = [
        g if g is not None else basic.zeros_like(r) for g, r in zip(gradients, results, strict=True)
    ]
    try:
        returned = user_op.L_op(list(operands), list(results), given)
    except NotImplementedError as error:
        raise UndefinedGradientError(
            f"{op.get_key()} at {format_location(op.location)}: {error}"
        ) from error
    if len(returned) != len(operands):
        raise GradientError(
            f"{op.get_key()}.grad returned {len(returned)} gradients for {len(operands)} inputs"
        )
    return [
        None if g is None or not is_float(x) else match_type(as_tensor_variable(g), x)
        for g, x in zip(returned, operands, strict=True)
    ]


VJP_RULES[ops.PythonOp] = MultiResultRule(_python_op_vjp)


@vjp_rule(ops.MaxOp, ops.MinOp)
def _extremum(
    op: ops.ReductionOp, xs: list[TensorVariable], out: TensorVariable, g: TensorVariable
) -> Gradients:
    (x,) = xs
    # The elements equal to the extremum share the gradient equally (a subgradient, as in JAX
    # and torch.amax): the gradient sums to the upstream gradient however many tie. Where the
    # extremum is NaN no element equals it, and no element gets a gradient.
    hits = tm.eq(x, expand_reduced(out, op, x))
    count = tm.sum(hits, axis=list(op.get_axes()), keepdims=True)
    share = expand_reduced(g, op, x) / basic.cast(tm.maximum(count, 1), g.dtype)
    return [match_type(share * hits, x)]


@vjp_rule(ops.SoftmaxOp)
def _softmax(
    op: ops.SoftmaxOp, xs: list[TensorVariable], out: TensorVariable, g: TensorVariable
) -> Gradients:
    # Theano's SoftmaxGrad: g * sm - sum(g * sm) * sm along the axis.
    weighted = g * out
    return [weighted - tm.sum(weighted, axis=op.get_axis(), keepdims=True) * out]


@vjp_rule(ops.LogSoftmaxOp)
def _log_softmax(
    op: ops.LogSoftmaxOp, xs: list[TensorVariable], out: TensorVariable, g: TensorVariable
) -> Gradients:
    # g - sum(g) * softmax(x): no division, finite where the softmax underflows.
    axis = op.get_axis()
    return [g - tm.sum(g, axis=axis, keepdims=True) * nnet.softmax_along(xs[0], axis)]


# -- linear algebra -------------------------------------------------------------------------------


@vjp_rule(ops.DotOp)
def _dot(
    op: ops.DotOp, xs: list[TensorVariable], out: TensorVariable, g: TensorVariable
) -> Gradients:
    a, b = xs
    if a.ndim == 2 and b.ndim == 2:
        ga, gb = tm.dot(g, b.T), tm.dot(a.T, g)
    elif a.ndim == 2:
        ga, gb = tm.outer(g, b), tm.dot(a.T, g)
    elif b.ndim == 2:
        ga, gb = tm.dot(b, g), tm.outer(a, g)
    else:
        ga, gb = g * b, g * a
    return [match_type(ga, a), match_type(gb, b)]


# -- shapes ---------------------------------------------------------------------------------------


@vjp_rule(ops.DimShuffleOp)
def _dimshuffle(
    op: ops.DimShuffleOp, xs: list[TensorVariable], out: TensorVariable, g: TensorVariable
) -> Gradients:
    (x,) = xs
    order = op.get_order()
    # Each input axis takes back the output axis it became; dropped (size-1) axes come back
    # as new axes, and the output's new axes (size 1) are dropped.
    inverse = [order.index(axis) if axis in order else NEW_AXIS for axis in range(x.ndim)]
    result_type = tensor_type(g.dtype, x.type.shape)
    return [emit(ops.DimShuffleOp(g.value, inverse, result_type))]


@vjp_rule(ops.ReshapeOp, ops.FlattenOp)
def _reshape(
    op: Operation, xs: list[TensorVariable], out: TensorVariable, g: TensorVariable
) -> Gradients:
    x = xs[0]
    shape = shapes.shape(x)
    reshaped = emit(ops.ReshapeOp(g.value, shape.value, tensor_type(g.dtype, x.type.shape)))
    return [reshaped, *([None] * (len(xs) - 1))]


@vjp_rule(ops.PrintOp)
def _print(
    op: ops.PrintOp, xs: list[TensorVariable], out: TensorVariable, g: TensorVariable
) -> Gradients:
    return [g]  # the identity (Theano's Print passes the gradient on)


@vjp_rule(ops.SpecifyShapeOp)
def _specify_shape(
    op: ops.SpecifyShapeOp, xs: list[TensorVariable], out: TensorVariable, g: TensorVariable
) -> Gradients:
    # The identity, the gradient given the operand's type (checked where it is more specific).
    (x,) = xs
    return [emit(ops.SpecifyShapeOp(g.value, tensor_type(g.dtype, x.type.shape)))]


@vjp_rule(ops.AllocOp)
def _alloc(
    op: ops.AllocOp, xs: list[TensorVariable], out: TensorVariable, g: TensorVariable
) -> Gradients:
    value, *dims = xs
    leading = g.ndim - value.ndim
    if leading:
        g = tm.sum(g, axis=list(range(leading)))
    return [match_type(g, value), *([None] * len(dims))]


@vjp_rule(ops.ConcatenateOp, ops.StackOp)
def _join(
    op: JoinOp, xs: list[TensorVariable], out: TensorVariable, g: TensorVariable
) -> Gradients:
    axis = op.get_axis()
    before: tuple[slice, ...] = (slice(None),) * axis
    if isinstance(op, ops.StackOp):
        picks: list[tuple[slice | int, ...]] = [(*before, i) for i in range(len(xs))]
        return [match_type(g[pick], x) for pick, x in zip(picks, xs, strict=True)]
    grads: list[TensorVariable | None] = []
    start: int | TensorVariable = 0
    for x in xs:
        size = x.type.shape[axis]
        stop = start + (size if size is not None else shapes.shape(x)[axis])
        grads.append(match_type(g[(*before, slice(start, stop))], x))
        start = stop
    return grads


# -- indexing -------------------------------------------------------------------------------------


def _indexed_part(
    x: TensorVariable, op: ops.SubtensorOp | SubtensorUpdateOp, ndim: int
) -> TensorVariable:
    """``x[index]`` with the index of ``op`` (whose indexed part has ``ndim`` axes)."""
    indices: list[SSAValue] = list(op.indices)
    part_type = tensor_type(x.dtype, (None,) * ndim)
    return emit(ops.SubtensorOp(x.value, indices, op.get_entries(), part_type))


@vjp_rule(ops.SubtensorOp)
def _subtensor(
    op: ops.SubtensorOp, xs: list[TensorVariable], out: TensorVariable, g: TensorVariable
) -> Gradients:
    x, *indices = xs
    # Repeated array indices add up: inc_subtensor accumulates.
    zeros = basic.zeros_like(x)
    index_values = [v.value for v in indices]
    spread = emit(ops.IncSubtensorOp(zeros.value, g.value, index_values, op.get_entries()))
    return [spread, *([None] * len(indices))]


@vjp_rule(ops.SetSubtensorOp, ops.IncSubtensorOp)
def _subtensor_update(
    op: SubtensorUpdateOp, xs: list[TensorVariable], out: TensorVariable, g: TensorVariable
) -> Gradients:
    _x, y, *indices = xs
    index_values = [v.value for v in indices]
    gy = _indexed_part(g, op, y.ndim)
    if isinstance(op, ops.SetSubtensorOp):
        zero = emit(ops.ConstantOp.from_array(np.zeros((1,) * y.ndim, dtype=g.dtype)))
        gx = emit(ops.SetSubtensorOp(g.value, zero.value, index_values, op.get_entries()))
        if ARRAY_INDEX in op.get_entries():
            gy = gy * _surviving_writes(g, op, y.ndim)
    else:
        gx = g
    return [gx, match_type(gy, y), *([None] * len(indices))]


def _surviving_writes(like: TensorVariable, op: ops.SetSubtensorOp, ndim: int) -> TensorVariable:
    """Where ``set_subtensor`` with repeated array indices writes an element several times,
    only the write that stays (the last, as in NumPy) reaches the result: a boolean mask of the
    indexed part, true for those writes. It is found by writing the position of each element
    of the part and reading back which position each element holds."""
    index_values = list(op.indices)
    entries = op.get_entries()
    part_shape = shapes.shape(_indexed_part(like, op, ndim))
    positions = shapes.arange(tm.prod(part_shape)).reshape(part_shape, ndim=ndim)
    unwritten = basic.fill(like, constant(-1, dtype=positions.dtype))
    written = emit(ops.SetSubtensorOp(unwritten.value, positions.value, index_values, entries))
    return tm.eq(_indexed_part(written, op, ndim), positions)
