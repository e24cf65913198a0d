"""``function``: binding arguments, defaults, updates, givens, copies, pickling, and the typed
errors of part 6 of the core issue."""

from __future__ import annotations

import pickle
import re
from pathlib import Path

import numpy as np
import pytest

import tracegraph
import tracegraph.tensor as T
from tracegraph import (
    ArgumentError,
    GraphTypeError,
    In,
    InputTypeError,
    MissingInputError,
    Mode,
    ShapeMismatchError,
    UnusedInputError,
    function,
    shared,
)

THIS_FILE = Path(__file__).name


# -- calling ------------------------------------------------------------------------------------


def test_single_output_is_an_array_and_a_list_gives_a_list() -> None:
    x = T.dvector("x")
    assert isinstance(function([x], x * 2)(np.ones(2)), np.ndarray)
    result = function([x], [x * 2])(np.ones(2))
    assert isinstance(result, list) and len(result) == 1


def test_no_outputs_returns_an_empty_list() -> None:
    state = shared(0)
    f = function([], updates=[(state, state + 1)])
    assert f() == []
    assert state.get_value() == 1


def test_scalar_results_are_zero_dimensional_arrays() -> None:
    x = T.dvector("x")
    total = function([x], x.sum())(np.array([1.0, 2.0]))
    assert isinstance(total, np.ndarray) and total.shape == () and total == 3.0


def test_too_many_arguments() -> None:
    x = T.dscalar("x")
    f = function([x], x)
    with pytest.raises(ArgumentError, match=r"takes 1 argument\(s\) \(x\), got 2"):
        f(1, 2)


def test_missing_argument_names_the_input() -> None:
    x, y = T.dscalars("x", "y")
    f = function([x, y], x + y)
    with pytest.raises(ArgumentError, match="missing argument 1 'y'"):
        f(1)


def test_unknown_keyword_lists_known_names() -> None:
    x = T.dscalar("x")
    f = function([x], x)
    with pytest.raises(ArgumentError, match=r"unknown keyword argument 'z'.*'x'"):
        f(z=1)


def test_value_given_twice() -> None:
    x = T.dscalar("x")
    f = function([x], x)
    with pytest.raises(ArgumentError, match="multiple values for argument 'x'"):
        f(1, x=2)


def test_wrong_number_of_dimensions() -> None:
    x = T.dmatrix("x")
    f = function([x], x)
    with pytest.raises(InputTypeError, match=r"expected 2 dimensions.*shape \(3,\)") as info:
        f(np.ones(3))
    assert THIS_FILE in str(info.value)


def test_float_passed_for_an_int_input() -> None:
    i = T.iscalar("i")
    f = function([i], i)
    with pytest.raises(InputTypeError, match=r"1\.5 cannot be represented exactly as int32"):
        f(1.5)
    assert f(2) == 2 and f(2).dtype == np.int32


def test_downcast_needs_allow_input_downcast() -> None:
    x = T.fvector("x")
    f = function([x], x)
    with pytest.raises(InputTypeError, match="float64 to float32 could lose precision"):
        f(np.ones(2))
    g = function([x], x, allow_input_downcast=True)
    assert g(np.ones(2)).dtype == np.float32
    h = function([In(x, allow_downcast=True)], x)
    assert h(np.ones(2)).dtype == np.float32


def test_safe_upcast_is_accepted() -> None:
    x = T.dvector("x")
    f = function([x], x)
    assert f(np.ones(2, dtype=np.int32)).dtype == np.float64


def test_strict_input_needs_exact_dtype() -> None:
    x = T.dvector("x")
    f = function([In(x, strict=True)], x)
    with pytest.raises(InputTypeError, match="strict"):
        f([1.0, 2.0])
    f(np.ones(2))


def test_broadcastable_input_must_have_size_one() -> None:
    r = T.drow("r")
    f = function([r], r)
    with pytest.raises(ShapeMismatchError, match="broadcastable"):
        f(np.ones((2, 3)))


def test_runtime_shape_mismatch_names_op_line_and_shapes() -> None:
    a, b = T.dvectors("a", "b")
    f = function([a, b], a + b)
    with pytest.raises(ShapeMismatchError) as info:
        f(np.ones(3), np.ones(4))
    message = str(info.value)
    assert "tg.add" in message and THIS_FILE in message
    assert "float64[3]" in message and "float64[4]" in message  # the operands' dtypes, shapes
    assert "sizes 3 and 4 on axis 0" in message


def test_non_broadcastable_size_one_does_not_broadcast() -> None:
    # Theano's rule: only dimensions declared broadcastable broadcast.
    a, b = T.dmatrices("a", "b")
    f = function([a, b], a * b)
    with pytest.raises(ShapeMismatchError, match="declared broadcastable"):
        f(np.ones((1, 3)), np.ones((2, 3)))
    row = T.drow("row")
    g = function([row, b], row * b)
    np.testing.assert_array_equal(g(np.ones((1, 3)), np.full((2, 3), 2.0)), np.full((2, 3), 2.0))


def test_failed_call_leaves_shared_variables_unchanged() -> None:
    state = shared(np.zeros(3), name="state")
    count = shared(0, name="count")
    v = T.dvector("v")
    f = function([v], (state + v).sum(), updates=[(state, state + v), (count, count + 1)])
    with pytest.raises(ShapeMismatchError):
        f(np.ones(4))
    np.testing.assert_array_equal(state.get_value(), np.zeros(3))
    assert count.get_value() == 0


def test_a_shared_variable_keeps_its_value_in_one_cell() -> None:
    """``cell.value`` is what ``get_value(borrow=True)`` returns; ``set_value`` and the updates
    of calls, by either path, assign it and never replace the cell."""
    array = np.zeros(2)
    w = shared(array, borrow=True)
    cell = w.cell
    assert cell.value is array and w.get_value(borrow=True) is array
    w.set_value(np.ones(2))
    x = T.dvector("x")
    f = function([x], [], updates=[(w, w + x)])
    f(np.ones(2))
    f(x=np.ones(2))  # keywords: the general path
    assert w.cell is cell and cell.value is w.get_value(borrow=True)
    np.testing.assert_array_equal(cell.value, [3.0, 3.0])
    restored = pickle.loads(pickle.dumps(w))
    assert restored.cell is not cell
    np.testing.assert_array_equal(restored.cell.value, [3.0, 3.0])


def test_update_with_wrong_runtime_shape_changes_nothing() -> None:
    state = shared(np.zeros(3), shape=(3,))
    count = shared(0)
    v = T.dvector("v")
    f = function([v], [], updates=[(count, count + 1), (state, v)])
    with pytest.raises(ShapeMismatchError, match="update of"):
        f(np.ones(4))
    assert count.get_value() == 0


# -- building -----------------------------------------------------------------------------------


def test_missing_input_names_the_variable_and_its_line() -> None:
    x, y = T.dscalars("x", "y")
    with pytest.raises(MissingInputError, match="'y'") as info:
        function([x], x + y)
    assert THIS_FILE in str(info.value)


def test_unused_input_raises_warns_or_is_ignored() -> None:
    x, y = T.dscalars("x", "y")
    with pytest.raises(UnusedInputError, match="'y'"):
        function([x, y], x * 2)
    with pytest.warns(UserWarning, match="'y'"):
        function([x, y], x * 2, on_unused_input="warn")
    f = function([x, y], x * 2, on_unused_input="ignore")
    assert f(1, 2) == 2


def test_shared_variable_as_explicit_input_is_refused() -> None:
    state = shared(0.0, name="state")
    with pytest.raises(GraphTypeError, match="use givens"):
        function([state], state * 2)


def test_inputs_with_defaults_must_come_last() -> None:
    x, y = T.dscalars("x", "y")
    with pytest.raises(TypeError, match="inputs with defaults must come last"):
        function([In(x, value=1), y], x + y)


def test_input_given_twice_is_refused() -> None:
    x = T.dscalar("x")
    with pytest.raises(ValueError, match="given twice"):
        function([x, x], x)


def test_givens_of_mismatched_type() -> None:
    x = T.dvector("x")
    i = T.ivector("i")
    with pytest.raises(GraphTypeError, match="cannot replace"):
        function([i], x * 2, givens={x: i})
    m = T.dmatrix("m")
    with pytest.raises(GraphTypeError, match="cannot replace"):
        function([m], x * 2, givens=[(x, m)])


def test_givens_cannot_replace_an_explicit_input() -> None:
    """Regression: ``function([x], x * 2, givens={x: y + 1})`` ignored the givens and returned
    ``2 * x`` (with ``[x, y]`` as inputs the error blamed ``y``). Theano and PyTensor refuse to
    replace an input; the error names the input and its line, whatever the other inputs."""
    x, y = T.dvectors("x", "y")
    for inputs in ([x], [x, y], [y, x]):
        position = inputs.index(x)
        with pytest.raises(UnusedInputError, match="replaced by givens") as info:
            function(inputs, x * 2, givens={x: y + 1})
        message = str(info.value)
        assert f"input {position} 'x'" in message and THIS_FILE in message
        assert "'y'" not in message.split("replaced by givens")[0]
    intermediate = x * 3
    with pytest.raises(UnusedInputError, match=r"input 0 .*replaced by givens"):
        function([intermediate], intermediate + 1, givens=[(intermediate, y)])
    # Theano and PyTensor raise RuntimeError here: code catching it still does.
    with pytest.raises(RuntimeError, match="replaced by givens"):
        function([x], x * 2, givens={x: y + 1})
    # Replacing something else than an input still works, also next to the input it uses.
    f = function([y], x * 2, givens={x: y + 1})
    np.testing.assert_array_equal(f(np.array([1.0, 2.0])), [4.0, 6.0])


def test_updates_of_mismatched_type() -> None:
    state = shared(0.0, name="state")
    i = T.iscalar("i")
    with pytest.raises(GraphTypeError, match=r"cast it with T\.cast"):
        function([i], [], updates=[(state, T.cast(i, "float32"))])
    v = shared(np.zeros(2))
    with pytest.raises(GraphTypeError, match="must match"):
        function([], [], updates=[(v, T.dmatrix("m").sum())])
    with pytest.raises(TypeError, match="only shared variables"):
        function([i], [], updates=[(i, i + 1)])


def test_an_update_cannot_change_the_broadcast_pattern_of_its_shared_variable() -> None:
    """Regression: an update of static shape (1, 1) turned a (3, 3) shared matrix into (1, 1).
    As in Theano, an update's type must be its shared variable's: a broadcastable axis (static
    size 1) only where the shared variable declares one, no other known size that differs. The
    error names the shared variable and the update's line, for explicit and default updates."""
    w = shared(np.zeros((3, 3)), name="w")
    with pytest.raises(
        GraphTypeError, match=r"'w'.*shape=\(1, 1\).*axes 0, 1 of the update"
    ) as info:
        function([], [], updates=[(w, T.zeros((1, 1)))])
    assert THIS_FILE in str(info.value)
    with pytest.raises(GraphTypeError, match="axis 1 of the update is broadcastable"):
        function([], [], updates=[(w, T.zeros((3, 1)))])
    w.default_update = T.zeros((1, 1))
    with pytest.raises(GraphTypeError, match=r"'w'.*axes 0, 1"):
        function([], w)
    w.default_update = None
    np.testing.assert_array_equal(w.get_value(), np.zeros((3, 3)))
    # Known sizes other than 1 are non-broadcastable, as the shared variable's axes.
    grow = function([], [], updates=[(w, T.ones((5, 4)))])
    grow()
    np.testing.assert_array_equal(w.get_value(), np.ones((5, 4)))
    row = shared(np.zeros((1, 3)), name="row", broadcastable=(True, False))
    function([], [], updates=[(row, T.ones((1, 3)))])()
    np.testing.assert_array_equal(row.get_value(), np.ones((1, 3)))
    with pytest.raises(GraphTypeError, match=r"'row'.*must match"):
        function([], [], updates=[(row, T.ones((2, 3)))])
    sized = shared(np.zeros(3), name="sized", shape=(3,))
    with pytest.raises(GraphTypeError, match=r"'sized'.*must match"):
        function([], [], updates=[(sized, T.zeros((1,)))])


@pytest.mark.parametrize("mode", ["FAST_RUN", "FAST_COMPILE"])
def test_updates_of_unknown_size_are_checked_against_static_sizes_at_run_time(mode: str) -> None:
    """An update whose size is unknown may be stored into a shared variable of static sizes;
    a value that contradicts them fails the call, which changes nothing."""
    sized = shared(np.zeros(3), name="sized", shape=(3,))
    row = shared(np.zeros((1, 2)), name="row", broadcastable=(True, False))
    count = shared(0, name="count")
    v, m = T.dvector("v"), T.dmatrix("m")
    f = function([v, m], [], updates=[(count, count + 1), (sized, v), (row, m)], mode=mode)
    with pytest.raises(ShapeMismatchError, match=r"update of 'sized'.*requires 3"):
        f(np.ones(4), np.ones((1, 2)))
    with pytest.raises(ShapeMismatchError, match=r"update of 'row'.*broadcastable"):
        f(np.ones(3), np.ones((2, 2)))
    assert count.get_value() == 0
    np.testing.assert_array_equal(sized.get_value(), np.zeros(3))
    f(np.ones(3), np.full((1, 5), 2.0))
    assert count.get_value() == 1
    np.testing.assert_array_equal(sized.get_value(), np.ones(3))
    np.testing.assert_array_equal(row.get_value(), np.full((1, 5), 2.0))


def test_updates_as_dict_and_all_computed_before_writing() -> None:
    a = shared(1.0, name="a")
    b = shared(2.0, name="b")
    swap = function([], [], updates={a: b, b: a})
    swap()
    assert (a.get_value(), b.get_value()) == (2.0, 1.0)
    # the new values do not alias each other or the old ones
    a.get_value(borrow=True)[...] = 5.0
    assert b.get_value() == 1.0


def test_givens_replace_an_intermediate_expression() -> None:
    x = T.dscalar("x")
    y = x * 3
    z = y + 1
    w = T.dscalar("w")
    f = function([w], z, givens=[(y, w)])
    assert f(10) == 11


def test_intermediate_variable_can_be_an_input() -> None:
    x = T.dscalar("x")
    y = x * 3
    f = function([y], y + 1)
    assert f(2) == 3


def test_outputs_never_alias_inputs_shared_values_or_each_other() -> None:
    x = T.dmatrix("x")
    state = shared(np.zeros(2))
    f = function([x], [x, x.T, state, x])
    data = np.ones((2, 2))
    out = f(data)
    for array in out:
        assert not np.shares_memory(array, data)
        assert not np.shares_memory(array, state.get_value(borrow=True))
    assert not np.shares_memory(out[0], out[3])


def test_constant_output_can_be_modified_by_the_caller() -> None:
    x = T.dscalar("x")
    f = function([x], [x, T.constant(np.arange(3.0))])
    first = f(1)[1]
    first[0] = 100.0
    assert f(1)[1][0] == 0.0


def test_default_values_can_be_read_and_changed_by_name() -> None:
    x, y = T.dscalars("x", "y")
    f = function([x, In(y, value=1)], x + y)
    assert f["y"] == 1
    f["y"] = 5
    assert f(1) == 6


def test_function_and_shared_pickle_together() -> None:
    w = shared(np.array([1.0, 2.0]), name="w")
    x = T.dvector("x")
    scale = T.dscalar("scale")
    f = function([x, In(scale, value=2.0)], (w * x).sum() * scale, updates=[(w, w * 2)])
    f_copy, w_copy = pickle.loads(pickle.dumps((f, w)))
    assert f_copy(np.ones(2)) == 6.0
    assert f_copy(np.ones(2), scale=1.0) == 6.0
    np.testing.assert_array_equal(w_copy.get_value(), [4.0, 8.0])
    np.testing.assert_array_equal(w.get_value(), [1.0, 2.0])
    assert f_copy.dump_ir() == f.dump_ir()


def test_copy_with_swap_checks_types() -> None:
    state = shared(0)
    inc = T.iscalar("inc")
    acc = function([inc], state, updates=[(state, state + inc)])
    with pytest.raises(GraphTypeError):
        acc.copy(swap={state: shared(np.zeros(2))})
    named = acc.copy(name="other")
    assert named.name == "other"


def test_dump_ir_stages_and_unknown_stage() -> None:
    x = T.dvector("x")
    f = function([x], T.exp(x))
    assert "tg.exp" in f.dump_ir("traced")
    assert "loc(" not in f.dump_ir(locations=False)
    with pytest.raises(ValueError, match="unknown stage"):
        f.dump_ir("nonsense")


def test_mode_strings_and_objects() -> None:
    x = T.dvector("x")
    for mode in ("FAST_RUN", "FAST_COMPILE", Mode(optimizer=None), None):
        assert function([x], x + 1, mode=mode)(np.zeros(1)) == 1.0
    with pytest.raises(ValueError, match="unknown mode"):
        function([x], x, mode="SLOW")


def test_default_updates_are_collected_unless_disabled() -> None:
    counter = shared(0, name="counter")
    counter.default_update = counter + 1
    x = T.dscalar("x")
    f = function([x], x + counter)
    f(0)
    assert counter.get_value() == 1
    g = function([x], x + counter, no_default_updates=True)
    g(0)
    assert counter.get_value() == 1
    h = function([x], x + counter, no_default_updates=[counter])
    h(0)
    assert counter.get_value() == 1
    explicit = function([x], x + counter, updates=[(counter, counter + 10)])
    explicit(0)
    assert counter.get_value() == 11


def test_function_repr_and_names() -> None:
    x = T.dscalar("x")
    f = function([x], x, name="identity")
    assert re.search(r"identity\(x\)", repr(f))
    assert "@identity" in f.dump_ir()


def test_config_floatx_picks_constructor_dtype() -> None:
    old = tracegraph.config.floatX
    try:
        tracegraph.config.floatX = "float32"
        assert T.matrix().dtype == "float32"
        assert T.matrix(dtype="int8").dtype == "int8"
    finally:
        tracegraph.config.floatX = old
    with pytest.raises(ValueError, match="floatX"):
        tracegraph.config.floatX = "float16"


def test_the_traced_stage_is_traced_again_as_it_was_compiled() -> None:
    """function() rewrites the traced module in place and traces it again for dump_ir: with
    the updates resolved at compile time, so a default_update changed since is not in it."""
    s = tracegraph.shared(0.0, name="s")
    s.default_update = s + 1
    x = T.dscalar("x")
    f = tracegraph.function([x], x * 3 + s)
    s.default_update = s * 5
    traced = f.dump_ir("traced", locations=False)
    assert traced.count("tg.add") == 2 and traced.count("tg.mul") == 1  # x * 3 + s; s + 1
    assert traced == f.copy().dump_ir("traced", locations=False)
    assert "tg.add" in pickle.loads(pickle.dumps(f)).dump_ir("traced", locations=False)
    f(1.0)
    assert s.get_value() == 1.0  # the update compiled: s + 1


def test_tracing_again_warns_no_second_time_about_an_unused_input() -> None:
    x, unused = T.dscalars("x", "unused")
    with pytest.warns(UserWarning, match="unused"):
        f = tracegraph.function([x, unused], x * 2, on_unused_input="warn")
    assert "tg.mul" in f.dump_ir("traced")  # warnings are errors here: none may be raised
