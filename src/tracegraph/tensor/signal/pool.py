"""Theano's ``theano.tensor.signal.pool``: ``pool_2d``, the pooling of the last two axes.

>>> import numpy as np
>>> import tracegraph.tensor as T
>>> T.signal.pool.pool_2d(np.arange(16.0).reshape(4, 4), ws=(2, 2), ignore_border=True).eval()
array([[ 5.,  7.],
       [13., 15.]])
"""

from __future__ import annotations

from collections.abc import Sequence

from tracegraph.ir import ops
from tracegraph.ir.conv_kernels import pool_output_size
from tracegraph.ir.types import tensor_type
from tracegraph.tensor.variable import TensorLike, TensorVariable, as_tensor_variable, emit

_MODES = {
    "max": "max",
    "sum": "sum",
    "average_inc_pad": "average_inc_pad",
    "average_exc_pad": "average_exc_pad",
    "average": "average_inc_pad",
}


def _pair(value: int | Sequence[int], what: str) -> tuple[int, int]:
    if isinstance(value, int):
        return value, value
    pair = tuple(int(v) for v in value)
    if len(pair) != 2:
        raise ValueError(f"pool_2d: {what} must be a pair, got {value!r}")
    return pair[0], pair[1]


def pool_2d(
    input: TensorLike,
    ws: int | Sequence[int] | None = None,
    ignore_border: bool | None = None,
    stride: int | Sequence[int] | None = None,
    pad: int | Sequence[int] = (0, 0),
    mode: str = "max",
    ds: int | Sequence[int] | None = None,
    st: int | Sequence[int] | None = None,
    padding: int | Sequence[int] | None = None,
) -> TensorVariable:
    """Pool the last two axes of ``input`` with windows ``ws``, ``stride`` apart (``ws`` by
    default), after ``pad`` zeros on each side: ``mode`` ``"max"``, ``"sum"``,
    ``"average_inc_pad"`` (``"average"``: the padding counts) or ``"average_exc_pad"``.
    ``ignore_border=False`` (Theano's default) keeps the partial windows at the end;
    ``ds``/``st``/``padding`` are Theano's older names.

    >>> import numpy as np
    >>> pool_2d(np.arange(9.0).reshape(3, 3), (2, 2), ignore_border=False).eval()
    array([[4., 5.],
           [7., 8.]])
    """
    window_given = ws if ws is not None else ds
    if window_given is None:
        raise ValueError("pool_2d: needs the window size ws")
    window = _pair(window_given, "ws")
    strides = _pair(stride if stride is not None else (st if st is not None else window), "stride")
    pads = _pair(padding if padding is not None else pad, "pad")
    border = bool(ignore_border) if ignore_border is not None else False
    if mode not in _MODES:
        raise ValueError(f"pool_2d: mode must be one of {sorted(_MODES)}, not {mode!r}")
    if max(pads) > 0 and not border:
        raise ValueError("pool_2d: padding works only with ignore_border=True")
    if any(p >= w for p, w in zip(pads, window, strict=True)):
        raise ValueError(f"pool_2d: padding {pads} must be smaller than the window {window}")
    x = as_tensor_variable(input)
    if x.ndim < 2:
        raise ValueError(f"pool_2d: pools the last two axes of a tensor of rank >= 2 ({x.type})")
    chosen = _MODES[mode]
    if chosen.startswith("average") and not x.dtype.startswith("float"):
        raise TypeError(f"pool_2d: {mode} pooling needs floats, got {x.dtype}")
    sizes = [
        None if size is None else pool_output_size(size, window[a], strides[a], pads[a], border)
        for a, size in enumerate(x.type.shape[-2:])
    ]
    result = tensor_type(x.dtype, (*x.type.shape[:-2], *sizes))
    pooling = ops.PoolingOp.pooling_properties(window, strides, pads, border, chosen)
    return emit(ops.Pool2dOp(x.value, pooling, result))
