"""Theano's interactive API: ``eval``, ``clone``, dict outputs, ``Out``, ``In(update=)``,
``tag.test_value`` with ``config.compute_test_value``, ``config.warn_float64``, Theano's flags
(supported, ignored with a warning, unknown with the closest name), and Theano's import paths."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import tracegraph
import tracegraph.tensor as T
from tracegraph import config
from tracegraph.errors import GraphTypeError, ShapeMismatchError, UnusedInputError


@pytest.fixture(autouse=True)
def _restore_flags() -> object:
    saved = {
        name: getattr(config, name)
        for name in ("compute_test_value", "warn_float64", "optimizer", "on_unused_input")
    }
    yield None
    for name, value in saved.items():
        setattr(config, name, value)


def test_eval_compiles_once_per_set_of_inputs() -> None:
    x, y = T.dscalars("x", "y")
    z = x * 2 + y
    assert float(z.eval({x: 1.0, y: 3.0})) == 5.0
    assert float(z.eval({x: 2.0, y: 3.0})) == 7.0
    from tracegraph.tensor.variable import _EVALUATIONS

    assert len(_EVALUATIONS[z]) == 1
    assert T.constant(4.0).eval() == 4.0


def test_clone_replaces_and_shares_the_rest() -> None:
    x, y = T.dvectors("x", "y")
    w = tracegraph.shared(np.array([1.0, 2.0]), "w")
    cost = T.sum((x * w) ** 2)
    cloned = tracegraph.clone(cost, replace={x: y + 1})
    f = tracegraph.function([y], cloned)
    assert float(f(np.array([0.0, 1.0]))) == pytest.approx(1.0 + 16.0)
    original = tracegraph.function([x], cost)
    assert float(original(np.array([1.0, 1.0]))) == pytest.approx(5.0)
    with pytest.raises(GraphTypeError, match="another type"):
        tracegraph.clone(cost, replace={x: T.dmatrix("m")})
    both = tracegraph.clone([cost, x * 3], replace=[(x, y)])
    assert isinstance(both, list) and len(both) == 2


def test_clone_without_sharing_inputs_makes_new_ones() -> None:
    x = T.dvector("x")
    (copied,) = tracegraph.clone([x + 1], share_inputs=False)
    new_input = copied.owner.operands[0]
    assert new_input is not x.value
    assert new_input.name_hint == "x"


def test_outputs_as_a_dict_and_out() -> None:
    x = T.dvector("x")
    f = tracegraph.function([x], {"double": x * 2, "total": tracegraph.Out(T.sum(x), borrow=True)})
    result = f(np.array([1.0, 2.0]))
    assert set(result) == {"double", "total"}
    np.testing.assert_array_equal(result["double"], [2.0, 4.0])
    assert float(result["total"]) == 3.0
    restored = pickle.loads(pickle.dumps(f))
    assert float(restored(np.array([1.0]))["total"]) == 1.0


def test_input_with_an_update_keeps_its_state() -> None:
    x = T.dscalar("x")
    counter = tracegraph.function([tracegraph.In(x, value=0.0, update=x + 1)], x * 10)
    assert [float(counter()) for _ in range(3)] == [0.0, 10.0, 20.0]
    assert float(counter(5.0)) == 50.0
    assert float(counter()) == 60.0
    assert float(counter["x"]) == 7.0
    with pytest.raises(ValueError, match="value="):
        tracegraph.In(x, update=x + 1)


def test_test_values_catch_shape_errors_where_the_graph_is_built() -> None:
    config.compute_test_value = "raise"
    x, w = T.dmatrices("x", "w")
    x.tag.test_value = np.ones((2, 3))
    w.tag.test_value = np.ones((4, 5))
    with pytest.raises(ShapeMismatchError, match=r"tg\.dot .*test_interactive\.py"):
        T.dot(x, w)
    h = T.tanh(x) + 1
    np.testing.assert_allclose(h.tag.test_value, np.tanh(1.0) + 1)
    with pytest.raises(ValueError, match="no test value"):
        T.dvector("v") * 2


def test_missing_test_values_warn_or_are_ignored() -> None:
    config.compute_test_value = "warn"
    with pytest.warns(UserWarning, match="no test value"):
        T.dvector("v") + 1
    config.compute_test_value = "ignore"
    assert not hasattr((T.dvector("v") + 1).tag, "test_value")


def test_a_test_value_is_converted_to_the_type() -> None:
    x = T.fvector("x")
    x.tag.test_value = [1, 2]
    assert x.tag.test_value.dtype == np.float32
    with pytest.raises(TypeError):
        x.tag.test_value = np.ones((2, 2))


def test_warn_float64_finds_the_float64_of_a_float32_model() -> None:
    config.warn_float64 = "raise"
    x = T.fvector("x")
    y = x * 2  # stays float32
    with pytest.raises(TypeError, match="float64"):
        T.cast(y, "float64")
    config.warn_float64 = "warn"
    with pytest.warns(UserWarning, match="float64"):
        T.dvector("d")


def test_the_optimizer_flag_chooses_the_passes_of_fast_run() -> None:
    x = T.dvector("x")
    config.optimizer = "None"
    untouched = tracegraph.function([x], x * 1.0)
    assert "tg.mul" in untouched.dump_ir("final")
    config.optimizer = "fast_run"
    folded = tracegraph.function([x], x * 1.0)
    assert "tg.mul" not in folded.dump_ir("final")


def test_the_on_unused_input_flag_is_the_default_of_function() -> None:
    x, y = T.dscalars("x", "y")
    with pytest.raises(UnusedInputError):
        tracegraph.function([x, y], x)
    config.on_unused_input = "ignore"
    assert float(tracegraph.function([x, y], x)(1.0, 2.0)) == 1.0


def test_flags_theano_has_and_tracegraph_ignores_warn() -> None:
    with pytest.warns(UserWarning, match="does nothing in tracegraph"):
        config.allow_gc = False
    assert config.allow_gc is False
    with pytest.warns(UserWarning, match="does nothing in tracegraph"):
        setattr(config, "blas.ldflags", "-lblas")
    with pytest.warns(UserWarning, match="nothing more than the default"):
        config.cast_policy = "numpy+floatX"
    config.cast_policy = "custom"


def test_an_unknown_flag_names_the_closest_known_one() -> None:
    with pytest.raises(AttributeError, match="did you mean 'floatX'"):
        config.floatx = "float32"
    with pytest.raises(AttributeError, match="did you mean 'compute_test_value'"):
        _ = config.compute_test_values
    with pytest.raises(ValueError, match="must be one of"):
        config.compute_test_value = "sometimes"


def test_theano_import_paths() -> None:
    from tracegraph.compile.function_module import UnusedInputError as FromModule
    from tracegraph.compile.pfunc import pfunc
    from tracegraph.compile.sharedvalue import SharedVariable, shared
    from tracegraph.gradient import DisconnectedInputError, NullTypeGradError

    assert FromModule is UnusedInputError
    assert issubclass(DisconnectedInputError, tracegraph.TracegraphError)
    assert NullTypeGradError is tracegraph.UndefinedGradientError
    x = T.dscalar("x")
    assert float(pfunc([x], x + 1)(1.0)) == 2.0
    assert float(tracegraph.compile.pfunc([x], x + 2)(1.0)) == 3.0
    assert isinstance(shared(1.0), SharedVariable)
    assert isinstance(T._shared(np.zeros(2)), SharedVariable)
    assert tracegraph.grad is tracegraph.gradient.grad
    assert float(tracegraph.function([x], tracegraph.grad(x**2, x))(3.0)) == 6.0
