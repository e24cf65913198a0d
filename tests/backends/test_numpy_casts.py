"""Casts and mixed-dtype comparisons on bad inputs, on both backends: floats out of every
integer range (NaN, infinities, values just inside and outside each range, negatives into
unsigned types) into every integer dtype and bool, in fused loops and alone, from contiguous,
strided and 0-d arrays; integers to floats at the rounding boundaries; and the six comparisons
of every integer and float dtype with int64 and uint64 at their extremes.

``tg.cast`` of a float to an integer is defined as x86-64 NumPy's ``astype`` of a contiguous
array (``x86_cast`` below spells it out); NumPy itself gives other float-to-uint32 values out
of range in its scalar loop (0-d and strided arrays, the last ``n % 4`` elements of a
contiguous one), which the reference does not follow.
"""

from __future__ import annotations

import math
import platform
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tracegraph
import tracegraph.tensor as T
from tests.backends.numpy_helpers import Array

INTEGERS = ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64")
FLOATS = ("float32", "float64")
X86_64 = platform.machine().lower() in ("x86_64", "amd64")


# -- the semantics, in Python integers -----------------------------------------------------------


def _truncate(x: float, bits: int) -> int:
    """x86's conversion to a signed ``bits``-bit integer: toward zero, or the indefinite."""
    indefinite = -(2 ** (bits - 1))
    if math.isnan(x) or math.isinf(x):
        return indefinite
    t = math.trunc(x)
    return t if -(2 ** (bits - 1)) <= t < 2 ** (bits - 1) else indefinite


def _wrap(value: int, dtype: str) -> int:
    info = np.iinfo(dtype)
    value %= 2**info.bits
    return value - 2**info.bits if value > info.max else value


def x86_cast(x: float, dtype: str) -> Any:
    """``tg.cast`` of one float to ``dtype``."""
    if dtype == "bool":
        return x != 0  # NaN is True
    if dtype == "int64":
        return _truncate(x, 64)
    if dtype == "uint64":
        if x >= 2.0**63:
            return math.trunc(x) if x < 2.0**64 else 0
        return _wrap(_truncate(x, 64), dtype)
    if dtype == "uint32" and x >= 2.0**31:
        return math.trunc(x) if x < 2.0**32 else 0
    return _wrap(_truncate(x, 32), dtype)


def cast_values(source: str) -> list[float]:
    """NaN, infinities, signed zeros, fractions, and each integer range's ends and their
    neighbours in ``source`` (each value once)."""
    kind = np.dtype(source).type
    values = [math.nan, math.inf, -math.inf, -0.0, 0.0, 0.5, -0.5, 0.9999, -0.9999, 1.5, -1.5]
    values += [3.7, -3.7, 255.5, 256.0, -129.0, 1e10, -1e10, 1e19, -1e19, 1e20, -1e20, 3e38]
    for dtype in INTEGERS:
        info = np.iinfo(dtype)
        for end in (info.min, info.max):
            values += [float(end) + step for step in (-1.0, -0.5, 0.0, 0.5, 1.0)]
    for exponent in (7, 8, 15, 16, 31, 32, 63, 64):
        for power in (2.0**exponent, -(2.0**exponent)):
            here = kind(power)
            values += [power, float(np.nextafter(here, kind(0))), float(np.nextafter(here, here))]
            values.append(float(np.nextafter(here, kind(math.copysign(math.inf, power)))))
    unique: dict[bytes, float] = {}
    for value in values:
        unique.setdefault(np.array(value, dtype=source).tobytes(), value)
    return [float(np.array(v, dtype=source)) for v in unique.values()]


def expected_cast(values: Array, dtype: str) -> Array:
    return np.array([x86_cast(float(v), dtype) for v in values.ravel()], dtype=dtype).reshape(
        values.shape
    )


@pytest.mark.skipif(not X86_64, reason="the semantics are x86-64 NumPy's")
@pytest.mark.parametrize("target", [*INTEGERS, "bool"])
@pytest.mark.parametrize("source", FLOATS)
def test_the_cast_semantics_are_numpys_on_contiguous_arrays(source: str, target: str) -> None:
    """The model is what NumPy computes for a contiguous array (every element of 64 copies of
    each value), and, except for uint32, for 0-d and strided arrays too."""
    for value in cast_values(source):
        expected = x86_cast(value, target)
        with np.errstate(all="ignore"):
            contiguous = np.full(64, value, dtype=source).astype(target)
            zero_d = np.array(value, dtype=source).astype(target)
            strided = np.full(128, value, dtype=source)[::2].astype(target)
        assert set(contiguous.tolist()) == {expected}, (value, contiguous[:4])
        if target != "uint32":
            assert zero_d.item() == expected and set(strided.tolist()) == {expected}, value


# -- casts on both backends ----------------------------------------------------------------------

CAST_LAYOUTS = ("contiguous", "strided", "0-d", "long")


def _arrays_in(values: Array, layout: str) -> list[Array]:
    """The values as arguments in one layout (0-d: one call per value; long: repeated past the
    size from which the C backend's loops run on several threads)."""
    if layout == "0-d":
        return [np.array(v, dtype=values.dtype) for v in values]
    if layout == "strided":
        return [np.repeat(values, 2)[::2]]
    if layout == "long":
        return [np.resize(values, 2**17 + 5)]
    return [values.copy()]


@pytest.mark.parametrize("layout", CAST_LAYOUTS)
@pytest.mark.parametrize("target", [*INTEGERS, "bool"])
@pytest.mark.parametrize("source", FLOATS)
def test_float_to_integer_casts_alone_and_fused(source: str, target: str, layout: str) -> None:
    """Alone; inside a loop with arithmetic on both sides (the cast's result read back as a
    float: gcc computed 256 there for uint8); every value as NumPy's contiguous astype."""
    values = np.array(cast_values(source), dtype=source)
    x = T.tensor(source, shape=(None,) * (0 if layout == "0-d" else 1), name="x")
    alone = tracegraph.function([x], T.cast(x, target))
    fused = tracegraph.function([x], T.cast(T.cast(x * 1, target), "float64") + 0.5)
    expected_arrays = _arrays_in(expected_cast(values, target), layout)
    for array, expected in zip(_arrays_in(values, layout), expected_arrays, strict=True):
        np.testing.assert_array_equal(alone(array), expected, err_msg=f"{array}")
        np.testing.assert_array_equal(fused(array), expected.astype("float64") + 0.5)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(FLOATS),
    st.sampled_from([*INTEGERS, "bool"]),
    st.lists(st.floats(allow_nan=True, allow_infinity=True), min_size=1, max_size=40),
)
def test_float_to_integer_casts_of_any_value(source: str, target: str, values: list[float]) -> None:
    with np.errstate(all="ignore"):
        array = np.array(values, dtype=source)
    x = T.tensor(source, shape=(None,), name="x")
    result = tracegraph.function([x], T.cast(x, target))(array)
    np.testing.assert_array_equal(result, expected_cast(array, target))


def _integer_edges(dtype: str) -> list[int]:
    info = np.iinfo(dtype)
    values = {int(info.min), int(info.max), 0, 1}
    for exponent in (7, 8, 15, 16, 24, 31, 32, 53, 63):
        for offset in (-3, -1, 0, 1, 3):
            values.update({2**exponent + offset, -(2**exponent) + offset})
    values.update({2**53 + 2**10 + 1, 2**63 + 2**10 + 1, 2**64 - 2**11 - 1, 2**62 + 2**38 + 1})
    return sorted(v for v in values if info.min <= v <= info.max)


@pytest.mark.parametrize("layout", CAST_LAYOUTS)
@pytest.mark.parametrize("source", [*INTEGERS, "bool"])
def test_integer_and_bool_casts(source: str, layout: str) -> None:
    """Integers to every other dtype: smaller integers wrap, floats round to nearest (uint64
    and int64 at the rounding boundaries of float32 and float64), bool is ``!= 0``; and
    float64 to float32 overflows to infinity: all as NumPy, which agrees with itself here."""
    values = np.array([0, 1] if source == "bool" else _integer_edges(source), dtype=source)
    x = T.tensor(source, shape=(None,) * (0 if layout == "0-d" else 1), name="x")
    targets = [d for d in (*INTEGERS, *FLOATS, "bool") if d != source]
    function = tracegraph.function([x], [T.cast(x, d) for d in targets])
    for array in _arrays_in(values, layout):
        for target, result in zip(targets, function(array), strict=True):
            np.testing.assert_array_equal(result, array.astype(target), err_msg=target)
            assert result.dtype == target


def test_float64_to_float32_rounds_and_overflows_as_numpy() -> None:
    largest = float(np.finfo(np.float32).max)
    values = np.array([1e300, -1e300, largest, largest + 2.0**103, largest + 2.0**104, 1e-46])
    values = np.concatenate([values, [7e-46, -1e-46, -0.0, math.nan, 1 + 2.0**-24]])
    x = T.dvector("x")
    result = tracegraph.function([x], T.cast(x, "float32") * 1)(values)
    with np.errstate(over="ignore"):
        expected = values.astype(np.float32)
    np.testing.assert_array_equal(result, expected)
    np.testing.assert_array_equal(np.signbit(result), np.signbit(expected))


# -- comparisons ---------------------------------------------------------------------------------

COMPARISONS = {
    "lt": (T.lt, np.less),
    "le": (T.le, np.less_equal),
    "gt": (T.gt, np.greater),
    "ge": (T.ge, np.greater_equal),
    "eq": (T.eq, np.equal),
    "neq": (T.neq, np.not_equal),
}


def _comparison_values(dtype: str) -> Array:
    if dtype == "bool":
        return np.array([False, True])
    if np.dtype(dtype).kind == "f":
        edges = [0.0, -0.0, 1.0, -1.0, math.nan, math.inf, -math.inf, 2.0**53, 2.0**53 + 2]
        edges += [2.0**63, -(2.0**63), 2.0**64, 2.0**31, 2.0**32, 0.5]
        return np.array(edges, dtype=dtype)
    info = np.iinfo(dtype)
    edges = [int(info.min), int(info.max), 0, 1, -1, 2**31, 2**32 - 1, 2**53 + 1, 2**63 - 1]
    edges += [2**63, 2**63 + 1, 2**64 - 1, -(2**53) - 1]
    return np.array(sorted({v for v in edges if info.min <= v <= info.max}), dtype=dtype)


@pytest.mark.parametrize("wide", ["int64", "uint64"])
@pytest.mark.parametrize("other", [*INTEGERS, "bool", *FLOATS])
def test_comparisons_with_64_bit_integers(other: str, wide: str) -> None:
    """Every pairing of a dtype with int64 and uint64, both ways round, at their extremes: NumPy
    compares integers exactly (int64 with uint64 too) and an int64 or uint64 with a float in
    float64; maximum, minimum and switch compute in NumPy's result dtype."""
    a_values, b_values = _comparison_values(other), _comparison_values(wide)
    left = np.repeat(a_values, len(b_values))
    right = np.tile(b_values, len(a_values))
    a = T.tensor(other, shape=(None,), name="a")
    b = T.tensor(wide, shape=(None,), name="b")
    for x, y, xv, yv in ((a, b, left, right), (b, a, right, left)):
        outputs = [build(x, y) for build, _ in COMPARISONS.values()]
        outputs += [T.maximum(x, y), T.minimum(x, y), T.switch(T.lt(x, y), x, y)]
        results = tracegraph.function([x, y], outputs)(xv, yv)
        with np.errstate(all="ignore"):
            expected = [ufunc(xv, yv) for _, ufunc in COMPARISONS.values()]
            expected += [np.maximum(xv, yv), np.minimum(xv, yv), np.where(xv < yv, xv, yv)]
        for name, result, wanted in zip(
            [*COMPARISONS, "max", "min", "switch"], results, expected, strict=True
        ):
            assert result.dtype == wanted.dtype, name
            np.testing.assert_array_equal(result, wanted, err_msg=f"{name}({x.dtype}, {y.dtype})")


def test_uint32_below_a_uint64_above_two_to_the_63() -> None:
    a = T.TensorType("uint32", shape=())("a")
    b = T.TensorType("uint64", shape=())("b")
    f = tracegraph.function([a, b], [a < b, a >= b, T.eq(b, a)])
    assert [bool(r) for r in f(np.uint32(1), np.uint64(2**63 + 5))] == [True, False, False]
