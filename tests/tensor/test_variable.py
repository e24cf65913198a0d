"""The frontend's vocabulary: constructor names, variable identity, attributes, errors."""

from __future__ import annotations

import numpy as np
import pytest

import tracegraph
import tracegraph.tensor as T
from tracegraph.tensor import TensorType, TensorVariable

KINDS = {
    "scalar": (),
    "vector": (False,),
    "row": (True, False),
    "col": (False, True),
    "matrix": (False, False),
    "tensor3": (False,) * 3,
    "tensor4": (False,) * 4,
}
PREFIXES = {"b": "int8", "w": "int16", "i": "int32", "l": "int64", "f": "float32", "d": "float64"}


@pytest.mark.parametrize("prefix", sorted(PREFIXES))
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_prefixed_constructor(prefix: str, kind: str) -> None:
    variable = getattr(T, prefix + kind)("v")
    assert variable.dtype == PREFIXES[prefix]
    assert variable.broadcastable == KINDS[kind]
    assert variable.name == "v"


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_unprefixed_constructors_use_floatx_or_dtype(kind: str) -> None:
    constructor = getattr(T, kind)
    assert constructor().dtype == tracegraph.config.floatX
    assert constructor("a", dtype="int16").dtype == "int16"
    assert constructor(dtype=np.float32).broadcastable == KINDS[kind]


@pytest.mark.parametrize("prefix", ["", *sorted(PREFIXES)])
@pytest.mark.parametrize("kind", ["scalar", "vector", "matrix", "row", "col"])
def test_plural_constructors_return_one_variable_per_name(prefix: str, kind: str) -> None:
    plural = "matrices" if kind == "matrix" else kind + "s"
    variables = getattr(T, prefix + plural)("a", "b", "c")
    assert [v.name for v in variables] == ["a", "b", "c"]
    assert all(v.broadcastable == KINDS[kind] for v in variables)
    assert len({id(v) for v in variables}) == 3


def test_tensor_and_tensortype_constructors() -> None:
    x = T.tensor("float32", (False, True), name="x")
    assert x.type == TensorType("float32", (False, True))
    y = TensorType("int8", shape=(3, None))("y")
    assert y.type.shape == (3, None) and y.name == "y"
    with pytest.raises(ValueError, match="contradicts"):
        TensorType("float64", (True,), shape=(3,))
    with pytest.raises(TypeError, match="unsupported dtype"):
        T.tensor("complex128", (False,))


def test_equality_and_hash_are_identity() -> None:
    x = T.dvector("x")
    y = T.dvector("x")
    assert x == x and x != y
    table = {x: 1, y: 2}
    assert table[x] == 1 and table[y] == 2
    assert x in [y, x]
    elementwise = T.eq(x, y)
    assert isinstance(elementwise, TensorVariable) and elementwise.dtype == "bool"


def test_truth_value_iteration_and_len_are_errors() -> None:
    x = T.dvector("x")
    with pytest.raises(TypeError, match="no truth value"):
        bool(x > 0)
    with pytest.raises(TypeError, match="cannot be iterated"):
        iter(x)  # type: ignore[misc]
    with pytest.raises(TypeError, match="no len"):
        len(x)  # type: ignore[arg-type]


def test_variable_attributes() -> None:
    x = T.dmatrix("x")
    assert (x.ndim, x.dtype, x.name) == (2, "float64", "x")
    assert x.T.type == x.type
    assert x.shape.type == TensorType("int64", shape=(2,))
    assert x.shape[0].ndim == 0
    assert x.reshape((3, -1)).type.shape == (3, None)
    assert x.dimshuffle("x", 1, 0).broadcastable == (True, False, False)
    assert x.flatten().ndim == 1
    assert x.astype("int32").dtype == "int32"
    assert x.sum(axis=1).ndim == 1 and x.mean().ndim == 0
    assert x.argmax(axis=0).dtype == "int64"
    assert x.dot(T.dvector()).ndim == 1
    x.name = "renamed"
    assert x.name == "renamed" and repr(x) == "renamed"


def test_python_scalars_are_weak_and_numpy_scalars_strong() -> None:
    f = T.fvector("f")
    assert (f + 1.5).dtype == "float32"
    assert (f + np.float64(1.5)).dtype == "float64"
    assert (T.ivector() + 1).dtype == "int32"
    assert (T.ivector() + 1.5).dtype == "float64"
    assert (T.ivector() / 2).dtype == "float64"
    assert (T.bvector() < 1.5).dtype == "bool"
    with pytest.raises(OverflowError):
        T.bvector() + 300


def test_trace_time_errors_name_the_users_line() -> None:
    a = T.tensor("float64", shape=(3,))
    b = T.tensor("float64", shape=(4,))
    with pytest.raises(tracegraph.ShapeMismatchError, match=r"test_variable\.py"):
        a + b
    with pytest.raises(TypeError, match=r"tg\.invert is not defined for dtypes float64"):
        ~T.dvector()
    with pytest.raises(tracegraph.UnsupportedOperationError, match="newaxis"):
        T.dmatrix()[None, [0, 1]]


def test_nnet_namespace() -> None:
    x = T.dmatrix("x")
    f = tracegraph.function([x], [T.nnet.sigmoid(x), T.nnet.softmax(x), T.nnet.relu(x)])
    data = np.array([[0.0, 1.0], [-1.0, 2.0]])
    sigmoid, softmax, relu = f(data)
    np.testing.assert_allclose(sigmoid, 1 / (1 + np.exp(-data)), rtol=1e-15)
    np.testing.assert_allclose(softmax.sum(axis=1), [1.0, 1.0], rtol=1e-15)
    np.testing.assert_array_equal(relu, np.maximum(data, 0))


def test_expressions_built_on_a_long_lived_variable_are_freed_when_dropped() -> None:
    # Regression: xDSL's use lists kept every expression ever built on an input (and the
    # shared variables in it) alive as long as the input.
    import gc
    import weakref

    import numpy as np

    import tracegraph

    x = T.dvector("x")
    state = tracegraph.shared(np.zeros(3), "state")
    expression = T.exp(x) + state
    dropped = [weakref.ref(expression.value.owner), weakref.ref(state)]
    assert not list(x.value.uses)  # the frontend's ops are not users of their operands
    f = tracegraph.function([x], expression, updates=[(state, state + 1)])
    f(np.zeros(3))
    del expression, state, f
    gc.collect()
    assert [ref() for ref in dropped] == [None, None]
