"""Tensor operations: indexing, reductions, products, shapes, conditionals and casts."""

from typing import Any

import numpy as np
from numpy.typing import NDArray

import tracegraph.tensor as T
from tracegraph import function
from tracegraph.tensor import TensorVariable, hessian

x = T.dmatrix("x")
v = T.dvector("v")
i = T.iscalar("i")
data = np.arange(12.0).reshape(3, 4)

# -- indexing and slicing -------------------------------------------------------------------------

pieces: list[TensorVariable] = [
    x[0],
    x[1:, 0],
    x[:, ::2],
    x[..., -1],
    x[None, 0],
    x[i],
    x[[0, 2]],
    x[T.ivector("rows")],
    x[0, 1],
    x[i:, : i + 1],
]
assert [p.ndim for p in pieces] == [1, 1, 2, 1, 2, 1, 2, 2, 0, 2]
first_row = function([x], x[0])
row0: np.ndarray = first_row(data)
assert row0.tolist() == [0.0, 1.0, 2.0, 3.0]
pick = function([x, i], x[i, 1:3])
assert pick(data, 2).tolist() == [9.0, 10.0]
zeroed = function([x], T.set_subtensor(x[0], 0.0))
assert float(zeroed(data).sum()) == 60.0
bumped = function([v], T.inc_subtensor(v[:2], 1.0))
assert bumped([1.0, 1.0, 1.0]).tolist() == [2.0, 2.0, 1.0]

# -- reductions with axis and keepdims ------------------------------------------------------------

reductions = function(
    [x],
    [
        x.sum(),
        x.sum(axis=0),
        x.sum(axis=1, keepdims=True),
        T.sum(x, axis=(0, 1)),
        x.mean(axis=0),
        T.mean(x, axis=[0]),
        x.max(axis=1),
        T.min(x, 0, True),
        x.prod(axis=-1),
        x.argmax(axis=1),
        T.argmin(x, axis=0),
        T.var(x, axis=0),
        T.std(x),
        (x > 3).any(axis=0),
        T.all(x >= 0),
    ],
)
reduced: list[NDArray[Any]] = reductions(data)
shapes = [r.shape for r in reduced]
assert shapes[:4] == [(), (4,), (3, 1), ()]
assert reduced[9].tolist() == [3, 3, 3]

# -- products -------------------------------------------------------------------------------------

y = T.dmatrix("y")
products = function([x, y, v], [T.dot(x, y), x.dot(v), y.T @ x.T, T.outer(v, v), T.matmul(v, v)])
prod_values: list[np.ndarray] = products(data, data.T, np.ones(4))
assert prod_values[0].shape == (3, 3) and prod_values[1].shape == (3,)

# -- shapes ---------------------------------------------------------------------------------------

reshaped = x.reshape((2, 6))
symbolic_reshape = T.reshape(x, (x.shape[0] * 2, -1), ndim=2)
column = v.dimshuffle(0, "x")
column_too = v.dimshuffle([0, "x"])
swapped = x.dimshuffle(1, 0)
flat = x.flatten()
kept = T.flatten(T.dtensor3("t"), ndim=2)
transposed = [x.T, x.transpose(), x.transpose(1, 0), T.transpose(x)]
joined = T.concatenate([x, x], axis=1)
stacked = T.stack([v, v])
size: TensorVariable = x.shape[0]
shape_fn = function([x], [reshaped, symbolic_reshape, swapped, flat, joined, x.shape, size])
shape_values: list[np.ndarray] = shape_fn(data)
assert [s.shape for s in shape_values[:5]] == [(2, 6), (6, 2), (4, 3), (12,), (3, 8)]
assert shape_values[5].tolist() == [3, 4] and int(shape_values[6]) == 3
assert column.broadcastable == (False, True) and column_too.ndim == 2
assert kept.ndim == 2 and stacked.ndim == 2
assert all(t.ndim == 2 for t in transposed)

# -- elementwise math, comparisons and conditionals -----------------------------------------------

a, b = T.dscalars("a", "b")
mx = T.switch(T.lt(a, b), b, a)
mx2 = T.where(a > b, a, b)
clipped = T.clip(T.abs(v) - T.abs_(v) + v, 0.0, 1.0)
math_fn = function(
    [a, b],
    [mx, mx2, T.maximum(a, b), T.sqrt(abs(a)), T.log1p(T.sqr(b)), -a % 3, a // 2, T.sgn(a)],
)
math_values: list[np.ndarray] = math_fn(1.0, 2.0)
assert float(math_values[0]) == 2.0 and float(math_values[1]) == 2.0
assert function([v], clipped)([-1.0, 0.5, 2.0]).tolist() == [0.0, 0.5, 1.0]
same = function([a, b], [T.eq(a, b), T.neq(a, b), (a < b) & (a > 0), ~(a > b) | (b > 0)])
flags: list[np.ndarray] = same(1.0, 1.0)
assert [bool(f) for f in flags] == [True, False, False, True]
neural = function([x], [T.nnet.sigmoid(x), T.nnet.relu(x - 5), T.nnet.softmax(x)])
assert neural(data)[2].shape == (3, 4)
labels = T.lvector("labels")
nll, probabilities = T.nnet.crossentropy_softmax_1hot(x, labels)
losses: list[TensorVariable] = [
    nll,
    T.nnet.categorical_crossentropy(probabilities, labels),
    T.nnet.binary_crossentropy(T.nnet.sigmoid(x), x),
    T.nnet.sigmoid_binary_crossentropy(x, x),
    T.nnet.logsoftmax(x),
    T.nnet.relu(x, alpha=0.1) + T.nnet.elu(x) + T.nnet.softsign(x) + T.nnet.hard_sigmoid(x),
]
loss_values: list[np.ndarray] = function([x, labels], losses)(data, [0, 1, 3])
assert loss_values[0].shape == (3,)

# -- casts ----------------------------------------------------------------------------------------

as_int = T.cast(x, "int32")
as_float32 = x.astype(np.float32)
as_int64 = T.cast(i, np.int64)
assert (as_int.dtype, as_float32.dtype, as_int64.dtype) == ("int32", "float32", "int64")
cast_fn = function([x], as_int)
ints: np.ndarray = cast_fn(data)
assert ints.dtype == np.int32

# -- constants and allocation ---------------------------------------------------------------------

c = T.constant([1.0, 2.0], name="c")
zeros = T.zeros((2, 3))
ones = T.ones_like(v)
filled = T.alloc(0.5, i, 2)
grid = T.arange(0, 10, 2)
const_fn = function([v, i], [c + 1, zeros, ones, filled, grid, T.as_tensor_variable(3)])
const_values: list[np.ndarray] = const_fn([4.0, 5.0], 2)
assert const_values[3].shape == (2, 2) and const_values[4].tolist() == [0, 2, 4, 6, 8]

# -- gradients, re-exported by tracegraph.tensor as in Theano -------------------------------------

pair = T.TensorType("float64", shape=(2,))("pair")
gradient: TensorVariable = T.grad(T.sum(pair**2), pair)
curvature: TensorVariable = hessian(T.sum(pair**3), pair)
rows: TensorVariable = T.jacobian(pair**2, pair)
grad_values: list[np.ndarray] = function([pair], [gradient, curvature, rows])([1.0, 2.0])
assert grad_values[0].tolist() == [2.0, 4.0] and grad_values[1].shape == (2, 2)
