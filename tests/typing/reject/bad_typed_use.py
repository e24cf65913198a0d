"""Mistakes that the dtype and rank in a variable's type let mypy catch, with short messages
(``# E: <text>`` marks each line, as in bad_tensor.py)."""

import numpy as np

import tracegraph.tensor as T
from tracegraph import function, shared


def hidden_layer(inputs: T.TensorVariable[T.Float64, T.Matrix]) -> T.TensorVariable:
    return T.tanh(inputs)


def float64_only(v: T.TensorVariable[T.Float64]) -> T.TensorVariable:
    return v * 2


ints = T.ivector("i")
floats = T.fvector("f")
hidden_layer(ints)  # E: "TensorVariable[Int32, Vector]"; expected "TensorVariable[Float64, Matrix]"
hidden_layer(T.dvector("v"))  # E: "TensorVariable[Float64, Vector]"; expected
float64_only(floats)  # E: type "TensorVariable[Float32, Vector]"; expected "TensorVariable[Float64
matrix: T.TensorVariable[T.Float64, T.Matrix] = T.dvector()  # E: assignment

# -- calls take array-likes, not anything ---------------------------------------------------------

x = T.dmatrix("x")
f = function([x], x * 2)
f({"a": 1})  # E: arg-type
f(x=object())  # E: arg-type
state = shared(np.zeros(2))
state.set_value(None)  # E: arg-type
state.set_value({1, 2})  # E: arg-type
