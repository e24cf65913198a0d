"""Run-time failures raise the builtin exception a Python user catches (``MemoryError``,
``ValueError``, ``IndexError``...), as a tracegraph error naming the op, its operands and the
user's line, with the same class on every backend; and a failed call changes no shared value
or random state."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

import tracegraph
import tracegraph.tensor as T
from tracegraph.errors import (
    AllocationError,
    IndexOutOfBoundsError,
    InvalidValueError,
    RuntimeOpError,
    ShapeMismatchError,
    TracegraphError,
)
from tracegraph.tensor.shared_randomstreams import RandomStreams

LINKERS = ["numpy", "c", *(["triton"] if importlib.util.find_spec("triton") else [])]
HUGE = 10**7
"""A size whose square of float64 (800 TB) no machine allocates."""


@dataclass(frozen=True)
class Case:
    builtin: type[Exception]
    error: type[TracegraphError]
    op: str
    build: Callable[[], tuple[list[Any], Any, tuple[Any, ...]]]
    """The inputs, the output and the arguments of a call that fails."""


def _n() -> Any:
    return T.lscalar("n")


CASES: dict[str, Case] = {
    "zeros": Case(
        MemoryError, AllocationError, "tg.alloc", lambda: ([n := _n()], T.zeros((n, n)), (HUGE,))
    ),
    "arange": Case(
        MemoryError, AllocationError, "tg.arange", lambda: ([n := _n()], T.arange(n), (HUGE**2,))
    ),
    "loop output": Case(
        MemoryError,
        AllocationError,
        "tg.add",
        lambda: (
            [v := T.dvector("v")],
            v.dimshuffle(0, "x") + v.dimshuffle("x", 0),
            (np.zeros(HUGE),),
        ),
    ),
    "random draw": Case(
        MemoryError,
        AllocationError,
        "tg.random.uniform",
        lambda: ([n := _n()], RandomStreams(seed=1).uniform((n, n)), (HUGE,)),
    ),
    "max of nothing": Case(
        ValueError,
        InvalidValueError,
        "tg.max",
        lambda: ([v := T.dvector("v")], T.max(v), (np.zeros(0),)),
    ),
    "max of nothing, axis 0": Case(
        ValueError,
        InvalidValueError,
        "tg.max",
        lambda: ([m := T.dmatrix("m")], T.max(T.exp(m), axis=0), (np.zeros((0, 3)),)),
    ),
    "min of nothing, axis 1": Case(
        ValueError,
        InvalidValueError,
        "tg.min",
        lambda: ([m := T.dmatrix("m")], T.min(m * 2, axis=1), (np.zeros((3, 0)),)),
    ),
    "negative power": Case(
        ValueError,
        InvalidValueError,
        "tg.pow",
        lambda: ([i := T.lvector("i"), j := T.lvector("j")], i**j, ([2], [-1])),
    ),
    "slice step 0": Case(
        ValueError,
        InvalidValueError,
        "tg.subtensor",
        lambda: ([v := T.dvector("v"), n := _n()], v[::n], (np.ones(3), 0)),
    ),
    "arange step 0": Case(
        ValueError,
        InvalidValueError,
        "tg.arange",
        lambda: ([n := _n()], T.arange(0, 5, n), (0,)),
    ),
    "negative draw size": Case(
        ValueError,
        InvalidValueError,
        "tg.random.uniform",
        lambda: ([n := _n()], RandomStreams(seed=1).uniform((n,)), (-1,)),
    ),
    "index": Case(
        IndexError,
        IndexOutOfBoundsError,
        "tg.subtensor",
        lambda: ([v := T.dvector("v"), n := _n()], v[n], (np.ones(3), 7)),
    ),
    "shapes": Case(
        ValueError,
        ShapeMismatchError,
        "tg.add",
        lambda: ([v := T.dvector("v"), w := T.dvector("w")], v + w, (np.ones(3), np.ones(2))),
    ),
}


@pytest.mark.parametrize("linker", LINKERS)
@pytest.mark.parametrize("case", list(CASES))
def test_the_builtin_class_and_the_op_on_every_backend(case: str, linker: str) -> None:
    expected = CASES[case]
    inputs, output, args = expected.build()
    counter = tracegraph.shared(np.int64(0), "counter")
    f = tracegraph.function(
        inputs,
        output,
        updates=[(counter, counter + 1)],
        mode=tracegraph.Mode(linker=linker),
    )
    with pytest.raises(expected.builtin) as caught:
        f(*args)
    error = caught.value
    assert isinstance(error, expected.error), type(error)
    message = str(error)
    assert message.startswith(f"{expected.op} at {__file__}:"), message
    assert "failed on operands (" in message
    assert int(counter.get_value()) == 0, "a failed call changed a shared value"
    if issubclass(expected.error, RuntimeOpError):
        assert isinstance(error, RuntimeError)  # RuntimeOpError stays a common base


def test_a_random_state_is_unchanged_by_a_failed_call() -> None:
    streams = RandomStreams(seed=5)
    n = _n()
    draw = tracegraph.function([n], streams.uniform((n,)))
    before = streams.state_updates[0][0].get_value().get_state()[1].copy()
    with pytest.raises(ValueError):
        draw(-1)
    after = streams.state_updates[0][0].get_value().get_state()[1]
    np.testing.assert_array_equal(after, before)
    assert draw(2).shape == (2,)


@pytest.mark.parametrize("case", list(CASES))
def test_the_message_is_the_same_on_every_backend(case: str) -> None:
    messages = {}
    for linker in LINKERS:
        inputs, output, args = CASES[case].build()
        f = tracegraph.function(inputs, output, mode=tracegraph.Mode(linker=linker))
        with pytest.raises(CASES[case].builtin) as caught:
            f(*args)
        messages[linker] = str(caught.value)
    assert messages == dict.fromkeys(LINKERS, messages["numpy"])


def test_nan_guard_mode_raises_a_floating_point_error() -> None:
    x = T.dvector("x")
    guarded = tracegraph.function([x], T.log(x), mode="NanGuardMode")
    with pytest.raises(FloatingPointError) as caught:
        guarded(np.array([1.0, -1.0]))
    assert isinstance(caught.value, tracegraph.errors.NonFiniteError)
    assert str(caught.value).startswith(f"tg.log at {__file__}:")
