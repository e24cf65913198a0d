"""What mypy knows of symbolic variables and compiled functions: each constructor's dtype and
rank, expressions of any dtype and rank, array-likes as arguments."""

from typing import Any, reveal_type

import numpy as np
from numpy.typing import NDArray

import tracegraph
import tracegraph.tensor as T
from tracegraph import Function, function, shared

# -- constructors: the dtype and rank in the type -------------------------------------------------

reveal_type(T.dmatrix("x"))  # R: TensorVariable[Float64, Matrix]
reveal_type(T.ivector("i"))  # R: TensorVariable[Int32, Vector]
reveal_type(T.fscalar())  # R: TensorVariable[Float32, Scalar]
reveal_type(T.btensor4())  # R: TensorVariable[Int8, Tensor4]
reveal_type(T.wtensor3())  # R: TensorVariable[Int16, Tensor3]
reveal_type(T.lrow())  # R: TensorVariable[Int64, Matrix]
reveal_type(T.matrix())  # R: TensorVariable[Any, Matrix]
reveal_type(T.tensor5())  # R: TensorVariable[Any, Tensor5]
reveal_type(T.dvectors("a", "b"))  # R: tuple[TensorVariable[Float64, Vector], ...]
reveal_type(T.scalars("xy"))  # R: tuple[TensorVariable[Any, Scalar], ...]

# -- expressions: any dtype and rank --------------------------------------------------------------

x = T.dmatrix("x")
reveal_type(T.exp(x) + 1)  # R: TensorVariable[Any, Any]
reveal_type(x.sum())  # R: TensorVariable[Any, Any]


# -- annotating user code -------------------------------------------------------------------------


def hidden_layer(
    inputs: T.TensorVariable[T.Float64, T.Matrix], weights: T.TensorVariable[T.Float64, T.Matrix]
) -> T.TensorVariable:
    """A layer that takes float64 matrices only."""
    return T.tanh(T.dot(inputs, weights))


def any_float64(v: T.TensorVariable[T.Float64]) -> T.TensorVariable:
    """Any rank, float64."""
    return v * 2


w = T.dmatrix("w")
layer = hidden_layer(x, w)
any_float64(T.dvector("v"))
any_float64(x)

# -- calls take array-likes -----------------------------------------------------------------------

f: Function[NDArray[Any]] = function([x, w], layer)
out = f([[1.0, 2.0]], np.ones((2, 3)))
reveal_type(out)  # R: ndarray[tuple[Any, ...], dtype[Any]]
f(np.zeros((1, 2), dtype=np.float32), [[0.5] * 3, [0.25] * 3])

state = shared(np.zeros(3), name="state")
state.set_value([1.0, 2.0, 3.0])
state.set_value(np.arange(3.0))
state.set_value((0, 0, 0))
value = state.get_value()
reveal_type(value)  # R: ndarray[tuple[Any, ...], dtype[Any]]
assert tracegraph.config.floatX in ("float64", "float32")
