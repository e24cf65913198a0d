"""The VJP rules of the convolution and pooling ops (``ir/ops/conv.py``), registered into
``VJP_RULES``. A convolution is linear in each operand, and its two gradients are its
transposes: each of the three ops differentiates into the other two (so second derivatives
exist); pooling differentiates into ``tg.pool2d_grad``."""

from __future__ import annotations

from typing import Any

from tracegraph.gradient.rules import VJP_RULES, Gradients, UndefinedGradient, vjp_rule
from tracegraph.ir import ops
from tracegraph.ir.types import tensor_type
from tracegraph.tensor import shapes
from tracegraph.tensor.variable import TensorVariable, emit


def _geometry(op: ops.ConvolutionOp) -> dict[str, Any]:
    padding, strides, dilation, groups, flip = op.geometry()
    return ops.ConvolutionOp.geometry_properties(
        padding, strides, dilation, groups, flip, op.border_mode()
    )


def _spatial_size(x: TensorVariable) -> TensorVariable:
    return shapes.shape(x)[2:]


def conv(
    op: ops.ConvolutionOp, x: TensorVariable, w: TensorVariable, like: TensorVariable
) -> TensorVariable:
    """``tg.conv2d`` of ``x`` and ``w`` with ``op``'s geometry, of ``like``'s type."""
    return emit(ops.Conv2dOp(x.value, w.value, _geometry(op), like.value.type))


def grad_input(
    op: ops.ConvolutionOp, gy: TensorVariable, w: TensorVariable, like: TensorVariable
) -> TensorVariable:
    """The images' gradient (``like``'s type and size)."""
    size = _spatial_size(like)
    result = tensor_type(like.dtype, like.type.shape)
    return emit(ops.Conv2dGradInputOp(gy.value, w.value, size.value, _geometry(op), result))


def grad_weights(
    op: ops.ConvolutionOp, x: TensorVariable, gy: TensorVariable, like: TensorVariable
) -> TensorVariable:
    """The filters' gradient (``like``'s type and size)."""
    size = _spatial_size(like)
    result = tensor_type(like.dtype, like.type.shape)
    return emit(ops.Conv2dGradWeightsOp(x.value, gy.value, size.value, _geometry(op), result))


@vjp_rule(ops.Conv2dOp)
def _conv2d(
    op: ops.Conv2dOp, xs: list[TensorVariable], out: TensorVariable, g: TensorVariable
) -> Gradients:
    x, w = xs
    return [grad_input(op, g, w, x), grad_weights(op, x, g, w)]


@vjp_rule(ops.Conv2dGradInputOp)
def _conv2d_grad_input(
    op: ops.Conv2dGradInputOp, xs: list[TensorVariable], out: TensorVariable, g: TensorVariable
) -> Gradients:
    # out = A(gy, w), the images' gradient: linear in gy (its transpose is the convolution)
    # and in w (its transpose is the filters' gradient, of the images g against gy).
    gy, w, _ = xs
    return [conv(op, g, w, gy), grad_weights(op, g, gy, w), None]


@vjp_rule(ops.Conv2dGradWeightsOp)
def _conv2d_grad_weights(
    op: ops.Conv2dGradWeightsOp, xs: list[TensorVariable], out: TensorVariable, g: TensorVariable
) -> Gradients:
    # out = B(x, gy), the filters' gradient: in x its transpose is the images' gradient of gy
    # through the filters g; in gy, the convolution of x with g.
    x, gy, _ = xs
    return [grad_input(op, gy, g, x), conv(op, x, g, gy), None]


@vjp_rule(ops.Pool2dOp)
def _pool2d(
    op: ops.Pool2dOp, xs: list[TensorVariable], out: TensorVariable, g: TensorVariable
) -> Gradients:
    (x,) = xs
    window, strides, padding, ignore_border, mode = op.pooling()
    pooling = ops.PoolingOp.pooling_properties(window, strides, padding, ignore_border, mode)
    result = tensor_type(x.dtype, x.type.shape)
    return [emit(ops.Pool2dGradOp(x.value, out.value, g.value, pooling, result))]


VJP_RULES[ops.Pool2dGradOp] = UndefinedGradient(
    "the gradient of a pooling's gradient (second derivatives through pooling) is not implemented"
)
