"""The bad-input battery: wrong dtypes, ranks, shapes and arguments; unusual layouts
(big-endian, misaligned, strided); NaN, infinities and integer corner cases; indices; bad givens
and updates; aliasing. On every backend: a failing call raises the exception class a Python
user catches, its message names the input or the op and the user's line, and no shared value
changed; an unusual but valid input gives NumPy's answer."""

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
    ArgumentError,
    GivensReplaceInputError,
    GraphTypeError,
    IndexOutOfBoundsError,
    InputTypeError,
    MissingInputError,
    ShapeMismatchError,
    UnusedInputError,
)

LINKERS = ["numpy", "c", *(["triton"] if importlib.util.find_spec("triton") else [])]


@dataclass(frozen=True)
class Refused:
    """A call that fails: its inputs and output, the arguments (positional, keyword), the
    builtin class, tracegraph's class and a text the message contains."""

    build: Callable[[], tuple[list[Any], Any]]
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    builtin: type[Exception]
    error: type[Exception]
    says: str


def _x() -> Any:
    return T.dvector("x")


def _xy() -> tuple[list[Any], Any]:
    x, y = T.dvectors("x", "y")
    return [x, y], x + y


REFUSED: dict[str, Refused] = {
    "float for an integer input": Refused(
        lambda: ([i := T.lvector("i")], i * 2), ([1.5],), {}, TypeError, InputTypeError, "'i'"
    ),
    "rank": Refused(
        lambda: ([x := _x()], x * 2), (np.ones((2, 2)),), {}, TypeError, InputTypeError, "'x'"
    ),
    "string": Refused(lambda: ([x := _x()], x * 2), ("abc",), {}, TypeError, InputTypeError, "'x'"),
    "None": Refused(lambda: ([x := _x()], x * 2), (None,), {}, TypeError, InputTypeError, "'x'"),
    "complex": Refused(
        lambda: ([x := _x()], x * 2), (np.ones(2) * 1j,), {}, TypeError, InputTypeError, "'x'"
    ),
    "too many arguments": Refused(
        _xy, (np.ones(2), np.ones(2), np.ones(2)), {}, TypeError, ArgumentError, "takes 2"
    ),
    "missing argument": Refused(_xy, (np.ones(2),), {}, TypeError, ArgumentError, "'y'"),
    "unknown keyword": Refused(
        _xy, (np.ones(2), np.ones(2)), {"z": 1}, TypeError, ArgumentError, "'z'"
    ),
    "argument given twice": Refused(
        _xy, (np.ones(2), np.ones(2)), {"x": np.ones(2)}, TypeError, ArgumentError, "'x'"
    ),
    "shapes": Refused(
        _xy, (np.ones(2), np.ones(3)), {}, ValueError, ShapeMismatchError, "tg.add at"
    ),
    "index": Refused(
        lambda: ([x := _x(), n := T.lscalar("n")], x[n]),
        (np.ones(2), 2),
        {},
        IndexError,
        IndexOutOfBoundsError,
        "tg.subtensor at",
    ),
    "negative index": Refused(
        lambda: ([x := _x(), n := T.lscalar("n")], x[n]),
        (np.ones(2), -3),
        {},
        IndexError,
        IndexOutOfBoundsError,
        "tg.subtensor at",
    ),
    "advanced index": Refused(
        lambda: ([x := _x(), i := T.lvector("i")], x[i]),
        (np.ones(2), [0, 5]),
        {},
        IndexError,
        IndexOutOfBoundsError,
        "tg.subtensor at",
    ),
    "reshape": Refused(
        lambda: ([x := _x()], x.reshape((3, 3))),
        (np.ones(4),),
        {},
        ValueError,
        ShapeMismatchError,
        "tg.reshape at",
    ),
    "dot": Refused(
        lambda: ([m := T.dmatrix("m"), x := _x()], T.dot(m, x)),
        (np.ones((2, 3)), np.ones(2)),
        {},
        ValueError,
        ShapeMismatchError,
        "tg.dot at",
    ),
}


@pytest.mark.parametrize("linker", LINKERS)
@pytest.mark.parametrize("case", list(REFUSED))
def test_a_refused_call_raises_the_users_class_and_changes_nothing(case: str, linker: str) -> None:
    refused = REFUSED[case]
    inputs, output = refused.build()
    counter = tracegraph.shared(np.int64(0), "counter")
    state = tracegraph.shared(np.arange(3.0), "state")
    f = tracegraph.function(
        inputs,
        output,
        updates=[(counter, counter + 1), (state, state * 2)],
        mode=tracegraph.Mode(linker=linker),
    )
    with pytest.raises(refused.builtin) as caught:
        f(*refused.args, **refused.kwargs)
    assert isinstance(caught.value, refused.error), type(caught.value)
    message = str(caught.value)
    assert refused.says in message, message
    assert __file__ in message or refused.error is ArgumentError, message
    assert int(counter.get_value()) == 0
    np.testing.assert_array_equal(state.get_value(), np.arange(3.0))


def _misaligned(values: np.ndarray) -> np.ndarray:
    raw = np.zeros(values.nbytes + 1, dtype=np.uint8)
    array = raw[1:].view(values.dtype)
    array[:] = values
    assert not array.flags.aligned
    return array


ACCEPTED: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "big-endian": lambda a: a.astype(">f8"),
    "misaligned": _misaligned,
    "strided": lambda a: np.repeat(a, 2)[::2],
    "reversed": lambda a: a[::-1].copy()[::-1],
    "read-only": lambda a: np.frombuffer(a.tobytes()),
    "Fortran matrix row": lambda a: np.asfortranarray(np.stack([a, a]))[0],
    "list": lambda a: a.tolist(),
    "float32": lambda a: a.astype(np.float32),
    "int8": lambda a: a.astype(np.int8),
}


@pytest.mark.parametrize("linker", LINKERS)
@pytest.mark.parametrize("layout", list(ACCEPTED))
def test_unusual_layouts_give_numpys_answer(layout: str, linker: str) -> None:
    x = T.dvector("x")
    f = tracegraph.function(
        [x], [T.exp(x) * 2 + x[::-1], x.sum()], mode=tracegraph.Mode(linker=linker)
    )
    argument = ACCEPTED[layout](np.array([0.5, -1.25, 3.0, 2.0]))
    values = np.asarray(argument, dtype=np.float64)  # what the argument holds, as float64
    before = values.copy()
    out, total = f(argument)
    np.testing.assert_allclose(out, np.exp(values) * 2 + values[::-1], rtol=1e-15)
    np.testing.assert_allclose(total, values.sum(), rtol=1e-15)
    np.testing.assert_array_equal(np.asarray(argument, dtype=np.float64), before)


CORNERS: dict[str, tuple[Callable[[Any], Any], np.ndarray, Callable[[np.ndarray], Any]]] = {
    "nan and infinities": (
        lambda x: T.exp(x) - T.log(x),
        np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1e308]),
        lambda a: np.exp(a) - np.log(a),
    ),
    "max with nan": (
        lambda x: T.max(x),
        np.array([1.0, np.nan, 3.0]),
        np.max,
    ),
    "integer division by zero": (
        lambda x: x // 0,
        np.array([-7, 0, 7], dtype=np.int64),
        lambda a: a // 0,
    ),
    "integer modulo by zero": (
        lambda x: x % 0,
        np.array([-7, 0, 7], dtype=np.int64),
        lambda a: a % 0,
    ),
    "most negative integer over -1": (
        lambda x: x // -1,
        np.array([np.iinfo(np.int64).min, 5], dtype=np.int64),
        lambda a: a // -1,
    ),
    "wrapping int8": (
        lambda x: x * 100,
        np.array([100, -100, 2], dtype=np.int8),
        lambda a: a * np.int8(100),
    ),
    "abs of the most negative": (
        abs,
        np.array([np.iinfo(np.int32).min, -3], dtype=np.int32),
        np.abs,
    ),
}


@pytest.mark.parametrize("linker", LINKERS)
@pytest.mark.parametrize("case", list(CORNERS))
def test_numeric_corner_cases_give_numpys_answer(case: str, linker: str) -> None:
    build, values, numpy = CORNERS[case]
    x = T.vector("x", dtype=values.dtype.name)
    f = tracegraph.function([x], build(x), mode=tracegraph.Mode(linker=linker))
    with np.errstate(all="ignore"):
        expected = numpy(values)
    result = f(values)
    assert result.dtype == np.asarray(expected).dtype
    np.testing.assert_array_equal(result, expected)


GRAPH_ERRORS: dict[str, tuple[Callable[[], Any], type[Exception], type[Exception], str]] = {
    "update of another dtype": (
        lambda: tracegraph.function(
            [], [], updates=[((s := tracegraph.shared(np.zeros(2), "s")), s.astype("int32"))]
        ),
        TypeError,
        GraphTypeError,
        "s",
    ),
    "update of another rank": (
        lambda: tracegraph.function(
            [], [], updates=[((s := tracegraph.shared(np.zeros(2), "s")), s.sum())]
        ),
        TypeError,
        GraphTypeError,
        "s",
    ),
    "update of an input": (
        lambda: tracegraph.function([x := _x()], x, updates=[(x, x + 1)]),
        TypeError,
        TypeError,
        "",
    ),
    "givens of another type": (
        lambda: tracegraph.function(
            [y := T.lvector("y")], (x := _x()) * 2, givens=[(x, y)], on_unused_input="ignore"
        ),
        TypeError,
        GraphTypeError,
        "",
    ),
    "givens replacing an input": (
        lambda: tracegraph.function([x := _x()], x * 2, givens=[(x, _x())]),
        RuntimeError,
        GivensReplaceInputError,
        "",
    ),
    "a missing input": (
        lambda: tracegraph.function([_x()], _x() * 2),
        ValueError,
        MissingInputError,
        "'x'",
    ),
    "an unused input": (
        lambda: tracegraph.function([_x(), y := _x()], y * 2),
        ValueError,
        UnusedInputError,
        "",
    ),
    "an input given twice": (
        lambda: tracegraph.function([x := _x(), x], x * 2),
        ValueError,
        ValueError,
        "",
    ),
}


@pytest.mark.parametrize("case", list(GRAPH_ERRORS))
def test_a_bad_graph_is_refused_by_function(case: str) -> None:
    build, builtin, error, says = GRAPH_ERRORS[case]
    with pytest.raises(builtin) as caught:
        build()
    assert isinstance(caught.value, error), type(caught.value)
    assert says in str(caught.value)


@pytest.mark.parametrize("linker", LINKERS)
def test_outputs_and_updates_never_alias_what_the_caller_holds(linker: str) -> None:
    x = T.dvector("x")
    state = tracegraph.shared(np.zeros(3), "state")
    f = tracegraph.function(
        [x], [x, state, x * 1], updates=[(state, x)], mode=tracegraph.Mode(linker=linker)
    )
    values = np.arange(3.0)
    same, old_state, doubled = f(values)
    same[0] = 100.0
    doubled[1] = 100.0
    np.testing.assert_array_equal(values, np.arange(3.0))  # the argument is not the output
    stored = state.get_value(borrow=True)
    values[2] = -5.0
    assert stored[2] == 2.0  # the update does not alias the argument
    old_state[:] = 7.0
    assert state.get_value()[0] == 0.0


@pytest.mark.parametrize("linker", LINKERS)
def test_one_array_for_two_inputs(linker: str) -> None:
    x, y = T.dvectors("x", "y")
    f = tracegraph.function([x, y], [x + y, x * y], mode=tracegraph.Mode(linker=linker))
    values = np.array([1.0, 2.0, 3.0])
    total, product = f(values, values)
    np.testing.assert_array_equal(total, values * 2)
    np.testing.assert_array_equal(product, values**2)


def test_set_value_of_the_wrong_kind_changes_nothing() -> None:
    state = tracegraph.shared(np.zeros(3), "state")
    for bad in ["text", np.zeros((2, 2)), None, np.ones(3) * 1j]:
        with pytest.raises(TypeError):
            state.set_value(bad)  # type: ignore[arg-type]
        np.testing.assert_array_equal(state.get_value(), np.zeros(3))
