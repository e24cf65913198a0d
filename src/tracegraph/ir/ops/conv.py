"""Convolutions and pooling of images ``(batch, channels, rows, columns)``, as Theano's
``T.nnet.conv2d`` and ``pool_2d`` compute them, and the ops of their gradients.

``tg.conv2d`` correlates ``x`` with ``w`` ``(filters, channels / groups, rows, columns)`` (the
filters flipped first when ``flip``, a true convolution, Theano's default), after zero
``padding`` of each side (``border`` ``"explicit"``; ``"full"`` and ``"half"`` pad by the
filters' size, known when the function runs), taking every ``strides``-th position, the
filter's taps ``dilation`` apart, channels and filters split into ``groups``.
``tg.conv2d_grad_input`` and ``tg.conv2d_grad_weights`` are its two transposes (the gradients
with respect to ``x`` and to ``w``), each given the spatial size of what it computes (an
operand: an int64 pair), which the strides leave ambiguous.

``tg.pool2d`` reduces windows ``window`` of the last two axes, ``strides`` apart, after zero
``padding`` (the padding takes part only in ``average_inc_pad``); ``ignore_border`` drops the
partial windows at the end (else they are reduced over what they hold). ``tg.pool2d_grad`` is
its gradient.
"""

from __future__ import annotations

from typing import Any

from xdsl.dialects.builtin import (
    BoolAttr,
    DenseArrayBase,
    IntegerAttr,
    StringAttr,
    TensorType,
    i1,
    i64,
)
from xdsl.ir import Attribute, SSAValue
from xdsl.irdl import (
    IRDLOperation,
    ParsePropInAttrDict,
    irdl_op_definition,
    operand_def,
    prop_def,
    result_def,
    traits_def,
)
from xdsl.traits import Pure
from xdsl.utils.exceptions import VerifyException

from tracegraph.ir.types import dtype_of, is_float_dtype, ndim_of

POOL_MODES = ("max", "sum", "average_inc_pad", "average_exc_pad")


def _pair(values: tuple[int, int]) -> DenseArrayBase:
    return DenseArrayBase.from_list(i64, [int(v) for v in values])


def _pair_of(attribute: Any) -> tuple[int, int]:
    first, second = (int(v) for v in attribute.iter_values())
    return first, second


class ConvolutionOp(IRDLOperation):
    """Base of the convolution ops: two 4-d float operands, a size operand for the
    gradients, and the geometry of the convolution."""

    border = prop_def(StringAttr)
    padding = prop_def(DenseArrayBase)
    strides = prop_def(DenseArrayBase)
    dilation = prop_def(DenseArrayBase)
    groups = prop_def(IntegerAttr)
    flip = prop_def(BoolAttr)
    result = result_def(TensorType)
    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(),)

    @staticmethod
    def geometry_properties(
        padding: tuple[int, int],
        strides: tuple[int, int],
        dilation: tuple[int, int],
        groups: int,
        flip: bool,
        border: str = "explicit",
    ) -> dict[str, Attribute]:
        """The properties of a convolution's geometry."""
        return {
            "border": StringAttr(border),
            "padding": _pair(padding),
            "strides": _pair(strides),
            "dilation": _pair(dilation),
            "groups": IntegerAttr(groups, i64),
            "flip": BoolAttr(flip, i1),
        }

    def border_mode(self) -> str:
        """``"explicit"`` (``padding``), ``"full"`` or ``"half"``."""
        return self.border.data

    def geometry(self) -> tuple[tuple[int, int], tuple[int, int], tuple[int, int], int, bool]:
        """``(padding, strides, dilation, groups, flip)`` (the padding of ``"explicit"``)."""
        return (
            _pair_of(self.padding),
            _pair_of(self.strides),
            _pair_of(self.dilation),
            self.groups.value.data,
            bool(self.flip.value.data),
        )

    def _verify_images(self, *values: SSAValue) -> None:
        for value in (*values, self.result):
            if ndim_of(value) != 4 or not is_float_dtype(dtype_of(value)):
                raise VerifyException(f"{self.name}: operands and result are 4-d float tensors")
        padding, strides, dilation, groups, _ = self.geometry()
        if self.border_mode() not in ("explicit", "full", "half"):
            raise VerifyException(f"{self.name}: border {self.border_mode()!r} is not known")
        if min(padding) < 0 or min(strides) < 1 or min(dilation) < 1 or groups < 1:
            raise VerifyException(f"{self.name}: bad geometry {self.geometry()}")


@irdl_op_definition
class Conv2dOp(ConvolutionOp):
    """The convolution of images ``x`` with filters ``w``."""

    name = "tg.conv2d"
    x = operand_def(TensorType)
    w = operand_def(TensorType)
    assembly_format = "$x `,` $w attr-dict `:` `(` type($x) `,` type($w) `)` `->` type($result)"

    def __init__(self, x: SSAValue, w: SSAValue, geometry: dict[str, Attribute], result: Attribute):
        super().__init__(operands=[x, w], properties=geometry, result_types=[result])

    def verify_(self) -> None:
        self._verify_images(self.x, self.w)


@irdl_op_definition
class Conv2dGradInputOp(ConvolutionOp):
    """The gradient of ``tg.conv2d`` with respect to its images: ``gy`` (the gradient of its
    result) through the filters ``w``, to images of spatial size ``size``."""

    name = "tg.conv2d_grad_input"
    gy = operand_def(TensorType)
    w = operand_def(TensorType)
    size = operand_def(TensorType)
    assembly_format = (
        "$gy `,` $w `,` $size attr-dict `:` `(` type($gy) `,` type($w) `,` type($size) `)` "
        "`->` type($result)"
    )

    def __init__(
        self,
        gy: SSAValue,
        w: SSAValue,
        size: SSAValue,
        geometry: dict[str, Attribute],
        result: Attribute,
    ):
        super().__init__(operands=[gy, w, size], properties=geometry, result_types=[result])

    def verify_(self) -> None:
        self._verify_images(self.gy, self.w)


@irdl_op_definition
class Conv2dGradWeightsOp(ConvolutionOp):
    """The gradient of ``tg.conv2d`` with respect to its filters: the images ``x`` against
    ``gy``, to filters of spatial size ``size``."""

    name = "tg.conv2d_grad_weights"
    x = operand_def(TensorType)
    gy = operand_def(TensorType)
    size = operand_def(TensorType)
    assembly_format = (
        "$x `,` $gy `,` $size attr-dict `:` `(` type($x) `,` type($gy) `,` type($size) `)` "
        "`->` type($result)"
    )

    def __init__(
        self,
        x: SSAValue,
        gy: SSAValue,
        size: SSAValue,
        geometry: dict[str, Attribute],
        result: Attribute,
    ):
        super().__init__(operands=[x, gy, size], properties=geometry, result_types=[result])

    def verify_(self) -> None:
        self._verify_images(self.x, self.gy)


class PoolingOp(IRDLOperation):
    """Base of the pooling ops: the window, strides, padding, border rule and mode."""

    window = prop_def(DenseArrayBase)
    strides = prop_def(DenseArrayBase)
    padding = prop_def(DenseArrayBase)
    ignore_border = prop_def(BoolAttr)
    mode = prop_def(StringAttr)
    result = result_def(TensorType)
    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(),)

    @staticmethod
    def pooling_properties(
        window: tuple[int, int],
        strides: tuple[int, int],
        padding: tuple[int, int],
        ignore_border: bool,
        mode: str,
    ) -> dict[str, Attribute]:
        """The properties of a pooling."""
        return {
            "window": _pair(window),
            "strides": _pair(strides),
            "padding": _pair(padding),
            "ignore_border": BoolAttr(ignore_border, i1),
            "mode": StringAttr(mode),
        }

    def pooling(self) -> tuple[tuple[int, int], tuple[int, int], tuple[int, int], bool, str]:
        """``(window, strides, padding, ignore_border, mode)``."""
        return (
            _pair_of(self.window),
            _pair_of(self.strides),
            _pair_of(self.padding),
            bool(self.ignore_border.value.data),
            self.mode.data,
        )

    def _verify_pooling(self, x: SSAValue) -> None:
        window, strides, padding, ignore_border, mode = self.pooling()
        if ndim_of(x) < 2 or ndim_of(self.result) != ndim_of(x):
            raise VerifyException(f"{self.name}: pools the last two axes of a tensor of rank >= 2")
        if mode not in POOL_MODES:
            raise VerifyException(f"{self.name}: mode {mode!r} is not one of {POOL_MODES}")
        if min(window) < 1 or min(strides) < 1 or min(padding) < 0:
            raise VerifyException(f"{self.name}: bad window, strides or padding")
        if any(p >= w for p, w in zip(padding, window, strict=True)) or (
            max(padding) > 0 and not ignore_border
        ):
            raise VerifyException(
                f"{self.name}: padding must be smaller than the window, with ignore_border"
            )


@irdl_op_definition
class Pool2dOp(PoolingOp):
    """The pooling of the last two axes of ``x``."""

    name = "tg.pool2d"
    x = operand_def(TensorType)
    assembly_format = "$x attr-dict `:` type($x) `->` type($result)"

    def __init__(self, x: SSAValue, pooling: dict[str, Attribute], result: Attribute):
        super().__init__(operands=[x], properties=pooling, result_types=[result])

    def verify_(self) -> None:
        self._verify_pooling(self.x)


@irdl_op_definition
class Pool2dGradOp(PoolingOp):
    """The gradient of ``tg.pool2d`` with respect to ``x``, given its result ``y`` (for max
    pooling: every element equal to its window's maximum gets the window's gradient, as in
    Theano) and the gradient ``gy`` of that result."""

    name = "tg.pool2d_grad"
    x = operand_def(TensorType)
    y = operand_def(TensorType)
    gy = operand_def(TensorType)
    assembly_format = (
        "$x `,` $y `,` $gy attr-dict `:` `(` type($x) `,` type($y) `,` type($gy) `)` "
        "`->` type($result)"
    )

    def __init__(
        self,
        x: SSAValue,
        y: SSAValue,
        gy: SSAValue,
        pooling: dict[str, Attribute],
        result: Attribute,
    ):
        super().__init__(operands=[x, y, gy], properties=pooling, result_types=[result])

    def verify_(self) -> None:
        self._verify_pooling(self.x)


CONVOLUTION_OPS: tuple[type[IRDLOperation], ...] = (
    Conv2dOp,
    Conv2dGradInputOp,
    Conv2dGradWeightsOp,
    Pool2dOp,
    Pool2dGradOp,
)
"""The convolution and pooling ops (backends run them alike)."""
