"""Theano's ``conv2d`` (``T.nnet.conv2d``, ``theano.tensor.nnet.abstract_conv``): the
convolution of a batch of images with a bank of filters, as ``tg.conv2d``.

>>> import numpy as np
>>> import tracegraph.tensor as T
>>> images = np.arange(16.0).reshape(1, 1, 4, 4)
>>> T.nnet.conv2d(images, np.ones((1, 1, 2, 2))).eval()[0, 0]
array([[10., 14., 18.],
       [26., 30., 34.],
       [42., 46., 50.]])
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from tracegraph.ir import ops
from tracegraph.ir.conv_kernels import conv_output_size, resolve_padding
from tracegraph.ir.types import tensor_type
from tracegraph.tensor.basic import cast
from tracegraph.tensor.elemwise import as_operands
from tracegraph.tensor.variable import TensorLike, TensorVariable, emit

BorderMode = str | int | tuple[int, int]


def _pair(value: int | Sequence[int], what: str) -> tuple[int, int]:
    if isinstance(value, int | np.integer):
        return int(value), int(value)
    pair = tuple(int(v) for v in value)
    if len(pair) != 2:
        raise ValueError(f"conv2d: {what} must be an int or a pair, got {value!r}")
    return pair[0], pair[1]


def _border(border_mode: BorderMode) -> tuple[str, tuple[int, int]]:
    """The border of ``tg.conv2d`` that ``border_mode`` means, and its explicit padding."""
    if isinstance(border_mode, str):
        if border_mode == "valid":
            return "explicit", (0, 0)
        if border_mode not in ("full", "half"):
            raise ValueError(
                f"conv2d: border_mode must be 'valid', 'full', 'half', an int or a pair, "
                f"not {border_mode!r}"
            )
        return border_mode, (0, 0)
    padding = _pair(border_mode, "border_mode")
    if min(padding) < 0:
        raise ValueError(f"conv2d: padding must be >= 0, got {padding}")
    return "explicit", padding


def _output_size(
    size: int | None, kernel: int | None, padding: int, stride: int, dilation: int
) -> int | None:
    if size is None or kernel is None:
        return None
    return conv_output_size(size, kernel, padding, stride, dilation)


def conv2d(
    input: TensorLike,
    filters: TensorLike,
    input_shape: Any = None,
    filter_shape: Any = None,
    border_mode: BorderMode = "valid",
    subsample: int | Sequence[int] = (1, 1),
    filter_flip: bool = True,
    image_shape: Any = None,
    filter_dilation: int | Sequence[int] = (1, 1),
    num_groups: int = 1,
    unshared: bool = False,
    **kwargs: Any,
) -> TensorVariable:
    """The convolution of ``input`` ``(batch, channels, rows, columns)`` with ``filters``
    ``(filters, channels / num_groups, rows, columns)``: ``border_mode`` ``"valid"``,
    ``"full"``, ``"half"`` or a padding (int or pair), ``subsample`` strides,
    ``filter_dilation``, ``num_groups``; ``filter_flip=False`` correlates instead of
    convolving. ``input_shape``/``filter_shape`` (hints in Theano) are checked against the
    types; ``unshared`` filters are not supported.

    >>> import numpy as np
    >>> conv2d(np.ones((2, 3, 5, 5)), np.ones((4, 3, 3, 3)), border_mode="half",
    ...        subsample=2).eval().shape
    (2, 4, 3, 3)
    """
    if unshared:
        raise NotImplementedError("conv2d: unshared filters are not supported")
    if kwargs:
        raise TypeError(f"conv2d: unexpected arguments {sorted(kwargs)}")
    x, w = as_operands([input, filters])
    if x.ndim != 4 or w.ndim != 4:
        raise ValueError(f"conv2d: needs 4-d images and filters, got ranks {x.ndim} and {w.ndim}")
    dtype = np.result_type(x.dtype, w.dtype, np.float32 if x.dtype == "float32" else np.float64)
    dtype_name = np.dtype(dtype).name
    x, w = cast(x, dtype_name), cast(w, dtype_name)
    for given, variable, what in (
        (input_shape or image_shape, x, "input_shape"),
        (filter_shape, w, "filter_shape"),
    ):
        if given is not None:
            for axis, (hint, known) in enumerate(zip(given, variable.type.shape, strict=True)):
                if hint is not None and known is not None and int(hint) != known:
                    raise ValueError(f"conv2d: {what}[{axis}] is {hint}, the tensor has {known}")
    strides = _pair(subsample, "subsample")
    dilation = _pair(filter_dilation, "filter_dilation")
    kernel = (w.type.shape[2], w.type.shape[3])
    border, padding = _border(border_mode)
    if border != "explicit" and kernel[0] is not None and kernel[1] is not None:
        # The filters' size is known: so are the padding and the result's size.
        padding = resolve_padding(border, padding, (kernel[0], kernel[1]), dilation)
        border = "explicit"
    if num_groups < 1:
        raise ValueError("conv2d: num_groups must be >= 1")
    shape = (
        x.type.shape[0],
        w.type.shape[0],
        *(
            _output_size(x.type.shape[2 + a], kernel[a], padding[a], strides[a], dilation[a])
            if border == "explicit"
            else None
            for a in (0, 1)
        ),
    )
    if any(size is not None and size < 1 for size in shape[2:]):
        raise ValueError(f"conv2d: filters {w.type} do not fit images {x.type}")
    geometry = ops.ConvolutionOp.geometry_properties(
        padding, strides, dilation, num_groups, filter_flip, border
    )
    return emit(ops.Conv2dOp(x.value, w.value, geometry, tensor_type(dtype_name, shape)))
