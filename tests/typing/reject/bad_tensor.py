"""Misuses of the tensor frontend that mypy --strict must reject.

Each rejected line ends with ``# E: <text>``; the error mypy reports on it must contain the
text, and no other line may have an error.
"""

import tracegraph.tensor as T

x = T.dmatrix("x")
v = T.dvector("v")

# -- constructors ---------------------------------------------------------------------------------

named = T.dmatrix(3)  # E: arg-type
plural = T.dmatrices("a", 2)  # E: expected "str"
floatx = T.matrix("m", dtype=32)  # E: arg-type
typed = T.TensorType("float64", (False,))(3)  # E: arg-type
pattern = T.tensor("float64", broadcastable=(False, "x"))  # E: arg-type

unknown = T.nonexistent  # E: Module has no attribute "nonexistent"

# -- attributes of variables ----------------------------------------------------------------------

missing = x.nonexistent  # E: "TensorVariable[Float64, Matrix]" has no attribute "nonexistent"
x.name = 3  # E: assignment
x.dtype = "int32"  # E: read-only
x.ndim = 3  # E: read-only
rank: str = x.ndim  # E: assignment
size: int = x.shape[0]  # E: assignment

# -- operators ------------------------------------------------------------------------------------

nothing = x + None  # E: for + ("TensorVariable[Float64, Matrix]" and "None")
mapping = x * {1: 2}  # E: operator
negated = -"x"  # E: operator

# -- indexing -------------------------------------------------------------------------------------

by_float = x[1.5]  # E: Invalid index type "float"
by_name = x["a"]  # E: index
by_floats = x[0.5, 1]  # E: index

# -- methods and functions ------------------------------------------------------------------------

axis_text = x.sum(axis="0")  # E: arg-type
axis_float = T.sum(x, axis=1.0)  # E: arg-type
keep = x.mean(keepdims="yes")  # E: arg-type
flat = x.flatten("1")  # E: arg-type
shuffled = v.dimshuffle(0, 1.5)  # E: arg-type
transposed = x.transpose((1, 0))  # E: arg-type
one_operand = T.dot(x)  # E: Missing positional argument "y" in call to "dot"
two_branches = T.switch(x > 0, x)  # E: call-arg
exp_none = T.exp(None)  # E: arg-type
joined = T.concatenate(x)  # E: arg-type
softmax_axis = T.nnet.softmax(x, axis=0)  # E: Unexpected keyword argument "axis"
not_indexed = T.set_subtensor(3, x)  # E: arg-type
cast_int = T.cast(x, 32)  # E: arg-type

# -- strings are not tensors; variables are neither iterable nor sized ----------------------------

text_sum = x + "a"  # E: operator
text_exp = T.exp("a")  # E: arg-type
first, second = v  # E: not iterable
for _row in x:  # E: not callable
    pass
count = len(v)  # E: arg-type
