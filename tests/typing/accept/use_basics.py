"""The first steps of the tutorial: compile expressions, call them, read the results."""

from typing import Any, assert_type

import numpy as np
from numpy.typing import NDArray

import tracegraph
import tracegraph.tensor as T
from tracegraph import Function, In, Param, function, pp

# -- one output: the call returns an array --------------------------------------------------------

# A name given variables of several ranks below is declared with the wider type: for mypy, as
# for any variable, the first assignment fixes it (T.dmatrix is a TensorVariable[Float64, Matrix]).
x: T.TensorVariable[T.Float64] = T.dmatrix("x")
s = 1 / (1 + T.exp(-x))
assert_type(s, T.TensorVariable)
logistic = function([x], s)
assert_type(logistic, Function[NDArray[Any]])
out: np.ndarray = logistic([[0, 1], [-1, -2]])
assert out.shape == (2, 2)
assert_type(logistic([[0, 1], [-1, -2]]), NDArray[Any])
rounded: NDArray[np.float64] = logistic(np.zeros((2, 2)))
assert float(rounded[0, 0]) == 0.5

s2 = (1 + T.tanh(x / 2)) / 2
logistic2 = function([x], s2)
assert np.allclose(logistic2([[0, 1], [-1, -2]]), out)

# -- several outputs: the call returns a list of arrays -------------------------------------------

a, b = T.dmatrices("a", "b")
diff = a - b
abs_diff = abs(diff)
diff_squared = diff**2
f = function([a, b], [diff, abs_diff, diff_squared])
assert_type(f, Function[list[NDArray[Any]]])
outs: list[np.ndarray] = f([[1, 1], [1, 1]], [[0, 1], [2, 3]])
first, second, third = f([[1, 1], [1, 1]], [[0, 1], [2, 3]])
assert len(outs) == 3
assert third.tolist() == [[1.0, 0.0], [1.0, 4.0]]
assert first.shape == second.shape

tuple_outputs = function([a, b], (a + b, a * b))
sums_products: list[NDArray[Any]] = tuple_outputs([[1.0]], [[2.0]])
assert [float(v[0, 0]) for v in sums_products] == [3.0, 2.0]

# -- no outputs at all is a (possibly empty) list -------------------------------------------------

nothing = function([a], [], on_unused_input="ignore")
empty: list[np.ndarray] = nothing([[1.0]])
assert empty == []

# -- default values and keyword arguments ---------------------------------------------------------

x, y, w = T.dscalars("x", "y", "w")
z = (x + y) * w
g = function([x, Param(y, default=1), In(w, value=2, name="w_by_name")], z)
assert float(g(33)) == 68.0
assert float(g(33, 2)) == 70.0
assert float(g(33, 0, 1)) == 33.0
assert float(g(33, w_by_name=1)) == 34.0
assert float(g(33, w_by_name=1, y=0)) == 33.0
default_w: np.ndarray = g["w_by_name"]
g["w_by_name"] = 3
assert float(g(1)) == 6.0 and float(default_w) == 2.0

spec = In(y, value=1.5, name="y_value", strict=False, allow_downcast=True)
name: str | None = spec.name
assert name == "y_value" and spec.has_default

h = function([x, In(y, value=1)], x + y, name="adder", mode="FAST_COMPILE")
assert float(h(33)) == 34.0
function_name: str | None = h.name
assert function_name == "adder"

# -- inputs keep their Theano attributes ----------------------------------------------------------

m = T.matrix("m", dtype="float32")
dtype: str = m.dtype
ndim: int = m.ndim
pattern: tuple[bool, ...] = m.broadcastable
variable_name: str | None = m.name
assert (dtype, ndim, pattern, variable_name) == ("float32", 2, (False, False), "m")
scalars: tuple[T.TensorVariable, ...] = T.iscalars("i", "j", "k")
assert len(scalars) == 3
row = T.TensorType("float64", (True, False))("row")
assert row.broadcastable == (True, False)
typed = T.tensor("int8", (False, True), name="typed")
also_typed = T.tensor(dtype="float64", shape=(3, None))
assert typed.type.shape == (None, 1) and also_typed.type.shape == (3, None)

# -- printing -------------------------------------------------------------------------------------

text: str = pp(s)
assert "exp" in text
assert tracegraph.__version__
