"""Every example of the specification pages that involves neither gradients nor random numbers,
with ``theano`` renamed to ``tracegraph``, printing the values shown (to the digits shown)."""

from __future__ import annotations

import copy
import pickle
from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray

import tracegraph
import tracegraph.tensor as T
from tracegraph import Function, In, Param, SharedVariable, function, pp, shared
from tracegraph.tensor import TensorVariable


def assert_shown(value: object, shown: object, dtype: str | None = None) -> None:
    """``value`` is an ndarray equal to what the page shows, to the digits it shows."""
    assert isinstance(value, np.ndarray)
    np.testing.assert_allclose(value, np.asarray(shown), rtol=0, atol=5e-9)
    if dtype is not None:
        assert value.dtype == dtype


LOGISTIC_SHOWN = [[0.5, 0.73105858], [0.26894142, 0.11920292]]


def test_logistic_function() -> None:
    x = T.dmatrix("x")
    s = 1 / (1 + T.exp(-x))
    logistic = function([x], s)
    assert_shown(logistic([[0, 1], [-1, -2]]), LOGISTIC_SHOWN, "float64")


def test_logistic_function_with_theano_import_style() -> None:
    x = T.dmatrix("x")
    s = 1 / (1 + T.exp(-x))
    logistic = tracegraph.function([x], s)
    assert_shown(logistic([[0, 1], [-1, -2]]), LOGISTIC_SHOWN)


def test_logistic_alternate_form_with_tanh() -> None:
    x = T.dmatrix("x")
    s2 = (1 + T.tanh(x / 2)) / 2
    logistic2 = function([x], s2)
    assert_shown(logistic2([[0, 1], [-1, -2]]), LOGISTIC_SHOWN)


def test_multiple_outputs() -> None:
    a, b = T.dmatrices("a", "b")
    diff = a - b
    abs_diff = abs(diff)
    diff_squared = diff**2
    f = function([a, b], [diff, abs_diff, diff_squared])
    result = f([[1, 1], [1, 1]], [[0, 1], [2, 3]])
    assert isinstance(result, list) and len(result) == 3
    assert_shown(result[0], [[1.0, 0.0], [-1.0, -2.0]])
    assert_shown(result[1], [[1.0, 0.0], [1.0, 2.0]])
    assert_shown(result[2], [[1.0, 0.0], [1.0, 4.0]])


def test_dmatrices_returns_one_variable_per_name() -> None:
    variables = T.dmatrices("a", "b", "c")
    assert [v.name for v in variables] == ["a", "b", "c"]


def test_default_value_with_param() -> None:
    x, y = T.dscalars("x", "y")
    z = x + y
    f = function([x, Param(y, default=1)], z)
    assert_shown(f(33), 34.0, "float64")
    assert_shown(f(33, 2), 35.0)
    assert f(33).shape == ()


def test_default_value_with_in() -> None:
    x, y = T.dscalars("x", "y")
    z = x + y
    f = function([x, In(y, value=1)], z)
    assert_shown(f(33), 34.0)
    assert_shown(f(33, 2), 35.0)


@pytest.mark.parametrize("style", ["Param", "In"])
def test_defaults_set_positionally_or_by_name(style: str) -> None:
    x, y, w = T.dscalars("x", "y", "w")
    z = (x + y) * w
    if style == "Param":
        f = function([x, Param(y, default=1), Param(w, default=2, name="w_by_name")], z)
    else:
        f = function([x, In(y, value=1), In(w, value=2, name="w_by_name")], z)
    assert_shown(f(33), 68.0)
    assert_shown(f(33, 2), 70.0)
    assert_shown(f(33, 0, 1), 33.0)
    assert_shown(f(33, w_by_name=1), 34.0)
    assert_shown(f(33, w_by_name=1, y=0), 33.0)


def make_accumulator() -> tuple[SharedVariable, TensorVariable, Function[NDArray[Any]]]:
    state = shared(0)
    inc = T.iscalar("inc")
    accumulator = function([inc], state, updates=[(state, state + inc)])
    return state, inc, accumulator


def test_shared_variable_accumulator() -> None:
    state, inc, accumulator = make_accumulator()
    assert state.get_value() == 0
    assert_shown(accumulator(1), 0, "int64")
    assert state.get_value() == 1
    assert_shown(accumulator(300), 1)
    assert state.get_value() == 301
    state.set_value(-1)
    assert_shown(accumulator(3), -1)
    assert state.get_value() == 2
    decrementor = function([inc], state, updates=[(state, state - inc)])
    assert_shown(decrementor(2), 2)
    assert state.get_value() == 0


def test_print_of_shared_value_shows_plain_number(capsys: pytest.CaptureFixture[str]) -> None:
    state, _, accumulator = make_accumulator()
    accumulator(1)
    accumulator(300)
    print(state.get_value())
    assert capsys.readouterr().out == "301\n"


def test_givens_replace_a_shared_variable() -> None:
    state, inc, _ = make_accumulator()
    fn_of_state = state * 2 + inc
    # The type of foo must match the shared variable we are replacing with the givens.
    foo = T.scalar(dtype=state.dtype)
    skip_shared = function([inc, foo], fn_of_state, givens=[(state, foo)])
    assert_shown(skip_shared(1, 3), 7)
    assert state.get_value() == 0


def test_copying_functions() -> None:
    state = tracegraph.shared(0)
    inc = T.iscalar("inc")
    accumulator = tracegraph.function([inc], state, updates=[(state, state + inc)])
    assert_shown(accumulator(10), 0)
    assert state.get_value() == 10

    new_state = tracegraph.shared(0)
    new_accumulator = accumulator.copy(swap={state: new_state})
    # The specification README: a copy returns outputs in the original's structure.
    assert_shown(new_accumulator(100), 0)
    assert new_state.get_value() == 100
    assert state.get_value() == 10

    null_accumulator = accumulator.copy(delete_updates=True)
    assert_shown(null_accumulator(9000), 10)
    assert state.get_value() == 10


def test_copy_module_copy_and_pickle_keep_working() -> None:
    state, _, accumulator = make_accumulator()
    copied = copy.copy(accumulator)
    copied(5)
    assert state.get_value() == 5
    restored_function, restored_state = pickle.loads(pickle.dumps((accumulator, state)))
    assert_shown(restored_function(2), 5)
    assert restored_state.get_value() == 7
    assert state.get_value() == 5


def test_maker_env_and_fgraph() -> None:
    x = T.dmatrix("x")
    f = function([x], 2.0 * x)
    assert f.maker.env is f.maker.fgraph
    assert [v.name for v in f.maker.fgraph.inputs] == ["x"]
    assert pp(f.maker.fgraph.outputs[0]) == "(2.0 * x)"
    assert [op.name for op in f.maker.fgraph.toposort()] == ["tg.constant", "tg.mul"]
