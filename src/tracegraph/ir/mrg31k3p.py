"""MRG31k3p, L'Ecuyer and Touzin's combined multiple recursive generator, as Theano's
``MRG_RandomStreams`` runs it: the NumPy definition every backend reproduces bit for bit.

A state is six int32 numbers: ``x1 = (x11, x12, x13)`` of the first component, modulo
``M1 = 2**31 - 1``, and ``x2 = (x21, x22, x23)`` of the second, modulo ``M2 = 2**31 - 21069``.
One step computes

    x1_new = (2**22 * x12 + (2**7 + 1) * x13) mod M1
    x2_new = (2**15 * x21 + (2**15 + 1) * x23) mod M2

with shifts and masks instead of multiplications (as Theano's C code), shifts the new values
in, and returns ``(x1_new - x2_new) mod M1`` scaled into (0, 1]: times ``2**-31`` in float64,
or, in float32, the float32 rounding of that integer times the float32 ``4.6566126e-10`` (the
largest number keeping results below 1.0; Theano's C code computed float32 samples this way).
The intermediate sums are computed exactly in int64; each reduction subtracts the modulus
once, which gives the same numbers as Theano's int32 arithmetic.

Streams are jumped apart with matrix powers of the two recurrences: ``2**72`` steps between
the streams of one random variable, ``2**134`` steps between random variables.
"""

from __future__ import annotations

from typing import Any, TypeAlias

import numpy as np
from numpy.typing import NDArray

Array: TypeAlias = NDArray[Any]

M1 = 2147483647
"""``2**31 - 1``, the modulus of the first component."""
M2 = 2147462579
"""``2**31 - 21069``, the modulus of the second component."""
MASK12 = 511
MASK13 = 16777215
MASK2 = 65535
MULT2 = 21069
NORM_FLOAT64 = 4.656612873077392578125e-10
"""``2**-31``: float64 samples are ``k * 2**-31`` for an integer ``1 <= k <= M1``."""
NORM_FLOAT32 = np.float32(4.6566126e-10)
"""The float32 scale: the largest float32 that keeps ``float32(M1) * scale`` below 1.0."""

A1P72 = np.array(
    [
        [1516919229, 758510237, 499121365],
        [1884998244, 1516919229, 335398200],
        [601897748, 1884998244, 358115744],
    ],
    dtype=np.int64,
)
"""The first component's transition matrix to the power ``2**72`` (modulo ``M1``)."""
A2P72 = np.array(
    [
        [1228857673, 1496414766, 954677935],
        [1133297478, 1407477216, 1496414766],
        [2002613992, 1639496704, 1407477216],
    ],
    dtype=np.int64,
)
"""The second component's transition matrix to the power ``2**72`` (modulo ``M2``)."""
A1P134 = np.array(
    [
        [1702500920, 1849582496, 1656874625],
        [828554832, 1702500920, 1512419905],
        [1143731069, 828554832, 102237247],
    ],
    dtype=np.int64,
)
"""The first component's transition matrix to the power ``2**134`` (modulo ``M1``)."""
A2P134 = np.array(
    [
        [796789021, 1464208080, 607337906],
        [1241679051, 1431130166, 1464208080],
        [1401213391, 1178684362, 1431130166],
    ],
    dtype=np.int64,
)
"""The second component's transition matrix to the power ``2**134`` (modulo ``M2``)."""


def check_state(state: Any) -> NDArray[np.int32]:
    """``state`` as six int32 numbers, or ``ValueError`` if it is no valid MRG31k3p state: the
    first three must be in ``[0, M1)`` and not all 0, the last three in ``[0, M2)`` and not all 0.

    >>> check_state([12345] * 6)
    array([12345, 12345, 12345, 12345, 12345, 12345], dtype=int32)
    """
    values = np.asarray(state)
    if values.shape != (6,) or values.dtype.kind not in "iu":
        raise ValueError(f"an MRG31k3p state is six integers, got {state!r}")
    first, second = values[:3].astype(np.int64), values[3:].astype(np.int64)
    if (first < 0).any() or (first >= M1).any() or not first.any():
        raise ValueError(
            f"the first 3 values of an MRG31k3p state must be in [0, {M1}) and not all 0, "
            f"got {list(first)}"
        )
    if (second < 0).any() or (second >= M2).any() or not second.any():
        raise ValueError(
            f"the last 3 values of an MRG31k3p state must be in [0, {M2}) and not all 0, "
            f"got {list(second)}"
        )
    return values.astype(np.int32)


def _matrix(array: Array) -> tuple[tuple[int, ...], ...]:
    return tuple(tuple(int(v) for v in row) for row in array)


_JUMPS: dict[int, tuple[tuple[tuple[int, ...], ...], tuple[tuple[int, ...], ...]]] = {
    72: (_matrix(A1P72), _matrix(A2P72)),
    134: (_matrix(A1P134), _matrix(A2P134)),
}


def _jump_ints(values: list[int], power: int) -> list[int]:
    """Six state numbers ``2**power`` steps later (Python integers: exact, and much faster than
    NumPy on six numbers; ``substreams`` makes up to 15,360 jumps)."""
    first, second = _JUMPS[power]
    x1, x2 = values[:3], values[3:]
    new1 = [sum(a * x % M1 for a, x in zip(row, x1, strict=True)) % M1 for row in first]
    new2 = [sum(a * x % M2 for a, x in zip(row, x2, strict=True)) % M2 for row in second]
    return new1 + new2


def jump(state: Array, power: int) -> NDArray[np.int32]:
    """``state`` ``2**power`` steps later, ``power`` being 72 (the next stream of a random
    variable) or 134 (the next random variable)."""
    if power not in _JUMPS:
        raise ValueError(f"MRG31k3p jumps 2**72 or 2**134 steps, not 2**{power}")
    values = [int(v) for v in np.asarray(state)]
    return np.array(_jump_ints(values, power), dtype=np.int32)


def _square(matrix: Array, modulus: int) -> Array:
    """``matrix @ matrix`` modulo ``modulus`` (exact: Python integers)."""
    rows = [[int(v) for v in row] for row in matrix]
    product = [
        [sum(rows[i][k] * rows[k][j] for k in range(3)) % modulus for j in range(3)]
        for i in range(3)
    ]
    return np.array(product, dtype=np.int64)


def _apply(matrix: Array, states: Array, modulus: int) -> Array:
    """Each row of ``states`` (int64, below 2**31) times ``matrix``, modulo ``modulus``;
    every product is reduced before the sum, so nothing overflows int64."""
    products: Array = (states[:, None, :] * matrix[None, :, :]) % modulus
    result: Array = products.sum(axis=2) % modulus
    return result


def substreams(state: Array, count: int) -> NDArray[np.int32]:
    """``count`` stream states, ``2**72`` steps apart, starting at ``state``: the rows of an
    ``rstate`` matrix.

    Row ``i`` is ``state`` jumped ``i`` times; the rows are filled by doubling (rows
    ``[n, 2n)`` are rows ``[0, n)`` jumped ``n`` times), which gives the same numbers as
    jumping one row after the other in far fewer NumPy calls.

    >>> substreams(np.array([12345] * 6), 2)[1].tolist() == jump([12345] * 6, 72).tolist()
    True
    """
    rows = np.empty((count, 6), dtype=np.int64)
    rows[0] = np.asarray(state, dtype=np.int64)
    first, second = A1P72, A2P72
    filled = 1
    while filled < count:
        take = min(filled, count - filled)
        rows[filled : filled + take, :3] = _apply(first, rows[:take, :3], M1)
        rows[filled : filled + take, 3:] = _apply(second, rows[:take, 3:], M2)
        filled += take
        first, second = _square(first, M1), _square(second, M2)
    return rows.astype(np.int32)


def _reduce(value: Array, modulus: int) -> Array:
    """``value - modulus`` where ``value >= modulus``: one step of a modular sum."""
    return np.where(value >= modulus, value - modulus, value)


def _step(columns: list[Array]) -> Array:
    """Advance the states held column-wise in ``columns`` (int64 arrays, updated in place) by
    one step; returns the integers ``k`` in ``[1, M1]`` of the outputs."""
    x11, x12, x13, x21, x22, x23 = columns
    y1 = ((x12 & MASK12) << 22) + (x12 >> 9) + ((x13 & MASK13) << 7) + (x13 >> 24)
    first = _reduce(_reduce(y1, M1) + x13, M1)
    y1 = _reduce(((x21 & MASK2) << 15) + MULT2 * (x21 >> 16), M2)
    y2 = _reduce(((x23 & MASK2) << 15) + MULT2 * (x23 >> 16), M2)
    second = _reduce(_reduce(y2 + x23, M2) + y1, M2)
    columns[:] = [first, x11, x12, second, x21, x22]
    return np.where(first <= second, first - second + M1, first - second)


def to_unit_interval(k: Array, dtype: str) -> Array:
    """The samples of the output integers ``k`` (see the module docstring)."""
    if dtype == "float32":
        return k.astype(np.float32) * NORM_FLOAT32
    if dtype == "float64":
        return k.astype(np.float64) * NORM_FLOAT64
    raise ValueError(f"MRG31k3p samples are float32 or float64, not {dtype}")


def uniform(rstate: Array, size: int, dtype: str) -> tuple[NDArray[np.int32], Array]:
    """``size`` numbers in (0, 1] from the streams of ``rstate`` (an n×6 int32 matrix), number
    ``i`` from stream ``i mod n``; returns the advanced ``rstate`` (a new array) and the flat
    sample.

    >>> _, sample = uniform(np.array([[12345] * 6], dtype=np.int32), 2, "float64")
    >>> sample.round(8)
    array([0.73532445, 0.61420744])
    """
    states = np.asarray(rstate)
    if states.ndim != 2 or states.shape[1] != 6 or states.dtype != np.int32:
        raise ValueError(f"rstate must be an n×6 int32 matrix, got {states.dtype}{states.shape}")
    if states.shape[0] == 0:
        raise ValueError("rstate has no streams")
    if size > M1:
        raise ValueError(f"MRG31k3p draws at most 2**31 - 1 numbers at once, not {size}")
    streams = states.shape[0]
    columns = [states[:, j].astype(np.int64) for j in range(6)]
    k = np.empty(size, dtype=np.int64)
    for start in range(0, size, streams):
        active = min(streams, size - start)
        # Copies: the step shifts values between columns, which views would alias.
        part = [column[:active].copy() for column in columns]
        k[start : start + active] = _step(part)
        for column, advanced in zip(columns, part, strict=True):
            column[:active] = advanced
    new_states = np.stack(columns, axis=1).astype(np.int32)
    return new_states, to_unit_interval(k, dtype)
