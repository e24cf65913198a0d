"""The reference kernels of the convolution and pooling ops (``ir/ops/conv.py``), in NumPy:
convolutions as one matrix product per group over the windows of the padded images (im2col),
their transposes as one product per filter tap, pooling by windows."""

from __future__ import annotations

from typing import Any, TypeAlias

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import NDArray

from tracegraph.errors import ShapeMismatchError
from tracegraph.ir import ops
from tracegraph.ir.reference_rules import Kernel, reference_rule
from tracegraph.ir.types import dtype_of

Array: TypeAlias = NDArray[Any]
Pair: TypeAlias = tuple[int, int]


def conv_output_size(size: int, kernel: int, padding: int, stride: int, dilation: int) -> int:
    """The output size of a convolution along one axis (negative: the kernel does not fit).

    >>> conv_output_size(28, 5, 0, 1, 1), conv_output_size(7, 3, 1, 2, 1)
    (24, 4)
    """
    return (size + 2 * padding - ((kernel - 1) * dilation + 1)) // stride + 1


def resolve_padding(border: str, padding: Pair, kernel: Pair, dilation: Pair) -> Pair:
    """The padding of each side: ``padding`` itself, or that of ``"full"`` (the dilated kernel
    less one) or ``"half"`` (half the dilated kernel).

    >>> resolve_padding("full", (0, 0), (5, 3), (1, 2))
    (4, 4)
    >>> resolve_padding("half", (0, 0), (5, 3), (1, 1))
    (2, 1)
    """
    if border == "explicit":
        return padding
    spans = ((kernel[0] - 1) * dilation[0] + 1, (kernel[1] - 1) * dilation[1] + 1)
    if border == "full":
        return spans[0] - 1, spans[1] - 1
    return spans[0] // 2, spans[1] // 2


def _padded(x: Array, padding: Pair) -> Array:
    if padding == (0, 0):
        return x
    return np.pad(x, ((0, 0), (0, 0), (padding[0],) * 2, (padding[1],) * 2))


def _windows(xp: Array, kernel: Pair, strides: Pair, dilation: Pair, out: Pair) -> Array:
    """The view ``(batch, channels, out rows, out columns, kernel rows, kernel columns)`` of the
    padded images under each position of the (dilated) kernel."""
    span = ((kernel[0] - 1) * dilation[0] + 1, (kernel[1] - 1) * dilation[1] + 1)
    view = sliding_window_view(xp, span, axis=(2, 3))
    view = view[:, :, :: strides[0], :: strides[1], :: dilation[0], :: dilation[1]]
    return view[:, :, : out[0], : out[1]]


def _check_channels(op: str, x_channels: int, w: Array, groups: int) -> None:
    if x_channels % groups or w.shape[0] % groups or w.shape[1] * groups != x_channels:
        raise ShapeMismatchError(
            f"{op}: images of {x_channels} channels, filters {w.shape} in {groups} group(s)"
        )


def conv2d(
    x: Array, w: Array, padding: Pair, strides: Pair, dilation: Pair, groups: int, flip: bool
) -> Array:
    """The convolution of ``tg.conv2d`` (filters flipped when ``flip``)."""
    _check_channels("tg.conv2d", x.shape[1], w, groups)
    if flip:
        w = w[:, :, ::-1, ::-1]
    kernel = (w.shape[2], w.shape[3])
    out = tuple(
        conv_output_size(x.shape[2 + a], kernel[a], padding[a], strides[a], dilation[a])
        for a in (0, 1)
    )
    if min(out) < 1:
        raise ShapeMismatchError(f"tg.conv2d: filters {w.shape} do not fit images {x.shape}")
    windows = _windows(_padded(x, padding), kernel, strides, dilation, (out[0], out[1]))
    batch, channels = x.shape[0], w.shape[1]
    filters = w.shape[0] // groups
    result = np.empty((batch, w.shape[0], out[0], out[1]), dtype=np.result_type(x, w))
    for group in range(groups):
        part = windows[:, group * channels : (group + 1) * channels]
        # im2col: (batch, rows, columns, channels * taps) times (channels * taps, filters)
        columns = part.transpose(0, 2, 3, 1, 4, 5).reshape(batch, out[0], out[1], -1)
        taps = w[group * filters : (group + 1) * filters].reshape(filters, -1)
        product = columns @ taps.T
        result[:, group * filters : (group + 1) * filters] = product.transpose(0, 3, 1, 2)
    return result


def conv2d_grad_input(
    gy: Array,
    w: Array,
    size: Pair,
    padding: Pair,
    strides: Pair,
    dilation: Pair,
    groups: int,
    flip: bool,
) -> Array:
    """The transpose of ``conv2d`` in its images: one product per group gives every tap's
    share of each output (the columns of im2col), added back under its window (col2im)."""
    if flip:
        w = w[:, :, ::-1, ::-1]
    batch, _, out_rows, out_columns = gy.shape
    per_group, kh, kw = w.shape[1], w.shape[2], w.shape[3]
    filters = w.shape[0] // groups
    rows, columns = size[0] + 2 * padding[0], size[1] + 2 * padding[1]
    grad = np.zeros((batch, per_group * groups, rows, columns), dtype=np.result_type(gy, w))
    for group in range(groups):
        g = gy[:, group * filters : (group + 1) * filters].transpose(0, 2, 3, 1)  # b, h, w, k
        taps = w[group * filters : (group + 1) * filters].reshape(filters, -1)
        shares = (g @ taps).reshape(batch, out_rows, out_columns, per_group, kh, kw)
        shares = shares.transpose(0, 3, 4, 5, 1, 2)  # b, c, i, j, h, w
        target = grad[:, group * per_group : (group + 1) * per_group]
        for i in range(kh):
            for j in range(kw):
                row, column = i * dilation[0], j * dilation[1]
                target[
                    :,
                    :,
                    row : row + strides[0] * out_rows : strides[0],
                    column : column + strides[1] * out_columns : strides[1],
                ] += shares[:, :, i, j]
    return grad[:, :, padding[0] : padding[0] + size[0], padding[1] : padding[1] + size[1]]


def conv2d_grad_weights(
    x: Array,
    gy: Array,
    size: Pair,
    padding: Pair,
    strides: Pair,
    dilation: Pair,
    groups: int,
    flip: bool,
) -> Array:
    """The transpose of ``conv2d`` in its filters: the windows of ``x`` against ``gy``."""
    out = (gy.shape[2], gy.shape[3])
    windows = _windows(_padded(x, padding), size, strides, dilation, out)
    channels = x.shape[1] // groups
    filters = gy.shape[1] // groups
    grad = np.empty((gy.shape[1], channels, size[0], size[1]), dtype=np.result_type(x, gy))
    for group in range(groups):
        part = windows[:, group * channels : (group + 1) * channels]
        g = gy[:, group * filters : (group + 1) * filters]
        grad[group * filters : (group + 1) * filters] = np.tensordot(
            g, part, axes=([0, 2, 3], [0, 2, 3])
        )
    return grad[:, :, ::-1, ::-1] if flip else grad


def _geometry_kernel(op: ops.ConvolutionOp, function: Any) -> Kernel:
    given, strides, dilation, groups, flip = op.geometry()
    border = op.border_mode()
    dtype = np.dtype(dtype_of(op.result))

    def kernel(*arrays: Array) -> Array:
        *data, last = arrays
        if isinstance(op, ops.Conv2dOp):
            w = last
            padding = resolve_padding(border, given, (w.shape[2], w.shape[3]), dilation)
            result = function(*data, last, padding, strides, dilation, groups, flip)
        else:
            size = (int(last[0]), int(last[1]))
            # The kernel: the filters' operand, or (filters' gradient) the size computed.
            kernel_size = size if isinstance(op, ops.Conv2dGradWeightsOp) else data[1].shape[2:]
            padding = resolve_padding(border, given, kernel_size, dilation)
            result = function(*data, size, padding, strides, dilation, groups, flip)
        return np.ascontiguousarray(result, dtype=dtype)

    return kernel


@reference_rule(ops.Conv2dOp)
def _conv2d(op: ops.Conv2dOp) -> Kernel:
    return _geometry_kernel(op, conv2d)


@reference_rule(ops.Conv2dGradInputOp)
def _conv2d_grad_input(op: ops.Conv2dGradInputOp) -> Kernel:
    return _geometry_kernel(op, conv2d_grad_input)


@reference_rule(ops.Conv2dGradWeightsOp)
def _conv2d_grad_weights(op: ops.Conv2dGradWeightsOp) -> Kernel:
    return _geometry_kernel(op, conv2d_grad_weights)


# -- pooling ----------------------------------------------------------------------------------


def pool_output_size(size: int, window: int, stride: int, padding: int, ignore_border: bool) -> int:
    """Theano's output size of a pooling along one axis.

    >>> pool_output_size(5, 2, 2, 0, True), pool_output_size(5, 2, 2, 0, False)
    (2, 3)
    """
    size += 2 * padding
    if ignore_border:
        return max(0, (size - window) // stride + 1)
    if stride >= window:
        return (size - 1) // stride + 1
    return max(0, (size - 1 - window + stride) // stride) + 1


def _pool_windows(
    shape: tuple[int, ...],
    window: Pair,
    strides: Pair,
    padding: Pair,
    ignore_border: bool,
    mode: str,
) -> tuple[Pair, list[tuple[slice, slice, int]]]:
    """The output size and, per output position, the window (in the unpadded array) and the
    count an average divides by."""
    rows, columns = shape[-2], shape[-1]
    out = (
        pool_output_size(rows, window[0], strides[0], padding[0], ignore_border),
        pool_output_size(columns, window[1], strides[1], padding[1], ignore_border),
    )
    padded = (rows + 2 * padding[0], columns + 2 * padding[1])
    spans = []
    for r in range(out[0]):
        for c in range(out[1]):
            starts = (r * strides[0], c * strides[1])
            ends = (min(starts[0] + window[0], padded[0]), min(starts[1] + window[1], padded[1]))
            inside = [
                (
                    max(starts[a], padding[a]) - padding[a],
                    min(ends[a], (rows, columns)[a] + padding[a]) - padding[a],
                )
                for a in (0, 1)
            ]
            if mode == "average_inc_pad":
                count = (ends[0] - starts[0]) * (ends[1] - starts[1])
            else:
                count = max(inside[0][1] - inside[0][0], 0) * max(inside[1][1] - inside[1][0], 0)
            spans.append((slice(*inside[0]), slice(*inside[1]), count))
    return out, spans


def _tiles(
    x: Array, window: Pair, strides: Pair, padding: Pair, ignore_border: bool
) -> Array | None:
    """The view ``(..., out rows, window rows, out columns, window columns)`` of ``x`` when its
    windows tile it (no padding, strides equal to the window, and every window whole), else
    ``None``: the common case, reduced in one NumPy call."""
    if padding != (0, 0) or strides != window:
        return None
    rows, columns = x.shape[-2] // window[0], x.shape[-1] // window[1]
    exact = x.shape[-2] % window[0] == 0 and x.shape[-1] % window[1] == 0
    if not (ignore_border or exact) or rows == 0 or columns == 0:
        return None
    whole = x[..., : rows * window[0], : columns * window[1]]
    return whole.reshape((*x.shape[:-2], rows, window[0], columns, window[1]))


def pool2d(
    x: Array, window: Pair, strides: Pair, padding: Pair, ignore_border: bool, mode: str
) -> Array:
    """Theano's ``pool_2d`` of the last two axes of ``x``."""
    tiles = _tiles(x, window, strides, padding, ignore_border)
    if tiles is not None:
        if mode == "max":
            return np.asarray(tiles.max(axis=(-3, -1)))
        total = tiles.sum(axis=(-3, -1))
        return np.asarray(total if mode == "sum" else total / (window[0] * window[1]))
    out, spans = _pool_windows(x.shape, window, strides, padding, ignore_border, mode)
    result = np.empty((*x.shape[:-2], out[0] * out[1]), dtype=x.dtype)
    if mode == "max" and 0 in x.shape[-2:]:
        raise ShapeMismatchError(f"tg.pool2d: max of an empty window (images {x.shape})")
    for index, (rows, columns, count) in enumerate(spans):
        part = x[..., rows, columns]
        if mode == "max":
            result[..., index] = part.max(axis=(-2, -1))
        else:
            total = part.sum(axis=(-2, -1))
            result[..., index] = total if mode == "sum" else total / max(count, 1)
    return result.reshape((*x.shape[:-2], out[0], out[1]))


def pool2d_grad(
    x: Array,
    y: Array,
    gy: Array,
    window: Pair,
    strides: Pair,
    padding: Pair,
    ignore_border: bool,
    mode: str,
) -> Array:
    """The gradient of ``pool2d``: each output's gradient back to its window (for max, to each
    element equal to the window's maximum; for averages, divided by the count)."""
    grad = np.zeros(x.shape, dtype=np.result_type(x, gy))
    tiles = _tiles(x, window, strides, padding, ignore_border)
    if tiles is not None:
        target = _tiles(grad, window, strides, padding, ignore_border)
        assert target is not None
        g = gy[..., :, None, :, None]
        if mode == "max":
            target[...] = g * (tiles == y[..., :, None, :, None])
        else:
            target[...] = g if mode == "sum" else g / (window[0] * window[1])
        return grad
    _, spans = _pool_windows(x.shape, window, strides, padding, ignore_border, mode)
    flat_y = y.reshape((*y.shape[:-2], -1))
    flat_g = gy.reshape((*gy.shape[:-2], -1))
    for index, (rows, columns, count) in enumerate(spans):
        g = flat_g[..., index][..., None, None]
        if mode == "max":
            hits = x[..., rows, columns] == flat_y[..., index][..., None, None]
            grad[..., rows, columns] += g * hits
        elif mode == "sum":
            grad[..., rows, columns] += g
        else:
            grad[..., rows, columns] += g / max(count, 1)
    return grad


@reference_rule(ops.Pool2dOp)
def _pool2d(op: ops.Pool2dOp) -> Kernel:
    window, strides, padding, ignore_border, mode = op.pooling()

    def kernel(x: Array) -> Array:
        return pool2d(np.asarray(x), window, strides, padding, ignore_border, mode)

    return kernel


@reference_rule(ops.Pool2dGradOp)
def _pool2d_grad(op: ops.Pool2dGradOp) -> Kernel:
    window, strides, padding, ignore_border, mode = op.pooling()
    dtype = np.dtype(dtype_of(op.result))

    def kernel(x: Array, y: Array, gy: Array) -> Array:
        grad = pool2d_grad(x, y, gy, window, strides, padding, ignore_border, mode)
        return grad.astype(dtype, copy=False)

    return kernel
