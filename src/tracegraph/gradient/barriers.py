"""``disconnected_grad``, ``zero_grad`` and ``grad_clip``: the identity on values, each
changing what ``grad`` sends through (ops of ``ir/ops/gradient.py``; Theano's names)."""

from __future__ import annotations

from tracegraph.ir import ops
from tracegraph.tensor.variable import TensorLike, TensorVariable, as_tensor_variable, emit


def disconnected_grad(x: TensorLike) -> TensorVariable:
    """``x``, through which no gradient flows: a variable the cost reaches only through it is
    disconnected (``grad`` raises ``DisconnectedInputError`` unless told otherwise).

    >>> import tracegraph, tracegraph.tensor as T
    >>> x = T.dscalar("x")
    >>> tracegraph.function([x], T.grad(x * disconnected_grad(x), x))(3.0)
    array(3.)
    """
    return emit(ops.DisconnectedGradOp(as_tensor_variable(x).value))


def zero_grad(x: TensorLike) -> TensorVariable:
    """``x``, whose gradient is zero (a variable reached only through it gets zeros, not a
    disconnection error).

    >>> import tracegraph, tracegraph.tensor as T
    >>> x = T.dscalar("x")
    >>> tracegraph.function([x], T.grad(zero_grad(x) ** 2, x))(3.0)
    array(0.)
    """
    return emit(ops.ZeroGradOp(as_tensor_variable(x).value))


def consider_constant(x: TensorLike) -> TensorVariable:
    """Theano's older name of :func:`zero_grad`: ``x``, whose gradient is zero.

    >>> import tracegraph, tracegraph.tensor as T
    >>> x = T.dscalar("x")
    >>> tracegraph.function([x], T.grad(x * consider_constant(x), x))(3.0)
    array(3.)
    """
    return zero_grad(x)


def grad_clip(x: TensorLike, lower_bound: float, upper_bound: float) -> TensorVariable:
    """``x``, whose gradient is clipped to ``[lower_bound, upper_bound]`` elementwise.

    >>> import tracegraph, tracegraph.tensor as T
    >>> x = T.dscalar("x")
    >>> tracegraph.function([x], T.grad(grad_clip(x, -1.0, 1.0) ** 2, x))(3.0)
    array(1.)
    """
    return emit(ops.GradClipOp(as_tensor_variable(x).value, float(lower_bound), float(upper_bound)))
