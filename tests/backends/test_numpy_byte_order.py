"""Arrays that are not in native byte order, or not aligned, on both backends: passed by
position (the C backend's fast call path) and by keyword, as every operand kind (an
elementwise chain, a reduction, an index reduction, ``dot``, an index), and as the values of
shared variables; the results are those of the same arrays in native order.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import tracegraph
import tracegraph.tensor as T
from tests.backends.numpy_helpers import Array, in_layout

DTYPES = ("float64", "float32", "int64", "int32", "int16", "uint16", "uint32", "uint64")
KINDS = ("swapped", "misaligned", "swapped and misaligned")


def odd_copy(array: Array, kind: str) -> Array:
    """A copy of ``array`` (in its layout) in the other byte order, or not aligned, or both."""
    dtype = array.dtype.newbyteorder(">" if "swapped" in kind else "=")
    if "misaligned" not in kind:
        return array.astype(dtype)
    storage = np.zeros(array.size * dtype.itemsize + 1, dtype=np.uint8)[1:]
    result = storage.view(dtype).reshape(array.shape)
    result[...] = array
    assert not result.flags.aligned
    return result


def _graphs(dtype: str) -> tuple[Any, list[Any]]:
    m = T.matrix("m", dtype=dtype)
    outputs = [m * 2 + 1, m.sum(), m.max(), T.argmax(m), T.sum(m, axis=0), T.max(m, axis=1)]
    if dtype.startswith("float"):
        outputs += [T.dot(m, m.T), T.exp(m) * 2 + 1]
        # ops run by the reference's kernels from compiled code (host calls)
        square = m[:, :3] + 10 * T.eye(3, dtype=dtype)
        outputs += [T.cumsum(m, axis=1), T.sort(m), T.nlinalg.det(square), m[m > 2]]
    return m, outputs


@pytest.mark.parametrize("layout", ["contiguous", "transposed", "strided"])
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_inputs_in_other_byte_orders(dtype: str, kind: str, layout: str) -> None:
    m, outputs = _graphs(dtype)
    function = tracegraph.function([m], outputs)
    value = in_layout(np.arange(12, dtype=dtype).reshape(3, 4) % 7, layout)
    odd = odd_copy(value, kind)
    expected = function(value)
    for results in (function(odd), function(m=odd)):
        for result, wanted in zip(results, expected, strict=True):
            assert result.dtype == wanted.dtype and result.dtype.isnative
            # exp may differ by an ulp where a copy changes the layout (vectorized libm)
            np.testing.assert_allclose(result, wanted, rtol=1e-6, atol=0)
    np.testing.assert_array_equal(odd, value)  # the argument is left as it was


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("index_dtype", ["int64", "int32", "uint16"])
def test_an_index_in_another_byte_order(index_dtype: str, kind: str) -> None:
    x = T.dvector("x")
    i = T.scalar("i", dtype=index_dtype)
    function = tracegraph.function([x, i], [x[i], x[i:] * 2])
    vector = np.arange(3.0) + 10
    index = odd_copy(np.array(1, dtype=index_dtype), kind)
    for element, tail in (function(vector, index), function(x=vector, i=index)):
        assert element == 11.0
        np.testing.assert_array_equal(tail, [22.0, 24.0])


@pytest.mark.parametrize("kind", KINDS)
def test_shared_values_in_another_byte_order(kind: str) -> None:
    value = np.arange(6.0).reshape(2, 3)
    w = tracegraph.shared(odd_copy(value, kind), name="w")
    x = T.dmatrix("x")
    function = tracegraph.function([x], [x * w, (x * w).sum()], updates=[(w, w + 1)])
    product, total = function(np.ones((2, 3)))
    np.testing.assert_array_equal(product, value)
    assert total == value.sum()
    w.set_value(odd_copy(value, kind), borrow=True)
    product, total = function(np.ones((2, 3)))
    np.testing.assert_array_equal(product, value)
    np.testing.assert_array_equal(w.get_value(), value + 1)


def test_a_strict_input_in_another_byte_order_is_refused_by_position_too() -> None:
    x = T.dvector("x")
    function = tracegraph.function([tracegraph.In(x, strict=True)], x * 2)
    swapped = np.arange(3.0).astype(">f8")
    for call in (lambda: function(swapped), lambda: function(x=swapped)):
        with pytest.raises(TypeError, match="strict input"):
            call()
