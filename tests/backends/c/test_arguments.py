"""Arrays in the other byte order or not aligned, at every entry into the compiled code: the
arguments of ``run`` and the results of the reference kernels it calls."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

import tracegraph.tensor as T
from tests.backends.c.helpers import both_programs
from tests.backends.numpy_helpers import Array
from tests.backends.test_numpy_byte_order import KINDS, odd_copy


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("dtype", ["float64", "float32", "int64", "uint16"])
def test_run_reads_odd_arguments_as_native_ones(dtype: str, kind: str) -> None:
    m = T.matrix("m", dtype=dtype)
    i = T.lscalar("i")
    outputs = [m * 2 + 1, m.sum(), m.max(axis=0), m[0][i]]
    c_program, reference = both_programs([m, i], outputs)
    value = np.arange(12, dtype=dtype).reshape(3, 4).T
    index = np.array(2)
    expected = reference.run([value, index])
    results = c_program.run([odd_copy(value, kind), odd_copy(index, kind)])
    for result, wanted in zip(results, expected, strict=True):
        assert result.dtype.isnative
        np.testing.assert_array_equal(result, wanted)


@pytest.mark.parametrize("kind", KINDS)
def test_results_of_reference_kernels_are_made_native(kind: str) -> None:
    x = T.dvector("x")
    reshaped = T.reshape(x, (2, 3))
    c_program, _ = both_programs([x], [reshaped * 2 + 1, reshaped.sum(axis=1)])
    calls, constants, raise_error = c_program._context
    assert len(calls) == 1  # the reshape runs its reference kernel

    def odd(call: Callable[..., Array]) -> Callable[..., Array]:
        return lambda *operands: odd_copy(np.asarray(call(*operands)), kind)

    c_program._context = (tuple(odd(call) for call in calls), constants, raise_error)
    value = np.arange(6.0)
    doubled, sums = c_program.run([value])
    np.testing.assert_array_equal(doubled, value.reshape(2, 3) * 2 + 1)
    np.testing.assert_array_equal(sums, value.reshape(2, 3).sum(axis=1))


def test_run_with_too_few_arguments_says_how_many_it_got() -> None:
    """The count the message gives includes the context, and says so (it read "takes the
    context and 2 arguments, got 2" for one argument and the context)."""
    x, y = T.dvector("x"), T.dvector("y")
    c_program, _ = both_programs([x, y], [x + y])
    with pytest.raises(TypeError, match=r"takes the context and 2 arguments, got 2 in all"):
        c_program.run([np.ones(2)])
