"""Theano's ``T.nnet``: activations, the softmax family and cross-entropies, with Theano's names
and numbers.

``softmax`` and ``logsoftmax`` are ops computed without overflow; ``log(softmax(x))`` is
rewritten to ``logsoftmax(x)`` in every mode and differentiated in the stable ``softmax - y``
form, so a classifier on unscaled inputs trains where the formula as written gives ``inf``.
The cross-entropies are written so that the stabilization finds them (the log of a softmax, of
a sigmoid, of one minus a sigmoid).

>>> import tracegraph.tensor as T
>>> from tracegraph import function
>>> z = T.dmatrix('z')
>>> f = function([z], T.nnet.logsoftmax(z))
>>> f([[1000.0, 0.0]])
array([[    0., -1000.]])
"""

from __future__ import annotations

import numpy as np

from tracegraph.ir import ops
from tracegraph.tensor import basic, shapes
from tracegraph.tensor.elemwise import result_dtype
from tracegraph.tensor.math import (
    abs_,
    argmax,
    clip,
    exp,
    expm1,
    gt,
    log,
    lt,
    sigmoid,
    softplus,
    switch,
)
from tracegraph.tensor.math import max as reduce_max
from tracegraph.tensor.math import sum as reduce_sum
from tracegraph.tensor.nnet import abstract_conv, bn
from tracegraph.tensor.nnet.abstract_conv import conv2d
from tracegraph.tensor.variable import TensorLike, TensorVariable, as_tensor_variable, emit


def _as_float(x: TensorLike) -> TensorVariable:
    """``x``, cast to the float dtype ``exp`` would give it where it is not float."""
    variable = as_tensor_variable(x)
    if np.dtype(variable.dtype).kind == "f":
        return variable
    return basic.cast(variable, result_dtype(ops.ExpOp, (variable.dtype,)))


def _along(
    op_class: type[ops.SoftmaxOp | ops.LogSoftmaxOp], x: TensorLike, axis: int
) -> TensorVariable:
    variable = _as_float(x)
    if not -variable.ndim <= axis < variable.ndim:
        raise ValueError(f"axis {axis} is out of range for {variable.describe()}")
    return emit(op_class(variable.value, axis % variable.ndim, variable.value.type))


def softmax_along(x: TensorLike, axis: int) -> TensorVariable:
    """The softmax of ``x`` over one ``axis`` (``softmax`` is over the rows of a matrix).

    >>> import tracegraph.tensor as T
    >>> softmax_along(T.dtensor3('x'), 0).type
    TensorType(float64, shape=(?, ?, ?))
    """
    return _along(ops.SoftmaxOp, x, axis)


def log_softmax_along(x: TensorLike, axis: int) -> TensorVariable:
    """The log-softmax of ``x`` over one ``axis``.

    >>> import tracegraph.tensor as T
    >>> log_softmax_along(T.fmatrix('x'), 0).dtype
    'float32'
    """
    return _along(ops.LogSoftmaxOp, x, axis)


def _rows(c: TensorLike) -> TensorVariable:
    """A vector as a one-row matrix, as Theano 1.0's softmax took it; other ranks unchanged."""
    variable = _as_float(c)
    if variable.ndim == 0:
        raise ValueError(f"softmax needs at least one axis, got {variable.describe()}")
    return variable.dimshuffle("x", 0) if variable.ndim == 1 else variable


def softmax(c: TensorLike) -> TensorVariable:
    """The softmax of each row of a matrix (of a vector: a ``(1, n)`` matrix, as in Theano
    1.0; of a higher-rank tensor: over the last axis), computed without overflow.

    >>> import tracegraph.tensor as T
    >>> from tracegraph import function
    >>> function([], softmax([[1.0, 1.0], [0.0, 1000.0]]))()
    array([[0.5, 0.5],
           [0. , 1. ]])
    """
    rows = _rows(c)
    return softmax_along(rows, rows.ndim - 1)


def logsoftmax(c: TensorLike) -> TensorVariable:
    """``log(softmax(c))``, finite where the softmax underflows (rows, as :func:`softmax`).

    >>> import tracegraph.tensor as T
    >>> from tracegraph import function
    >>> function([], logsoftmax([0.0, 1000.0]))()
    array([[-1000.,     0.]])
    """
    rows = _rows(c)
    return log_softmax_along(rows, rows.ndim - 1)


def softmax_graph(c: TensorLike) -> TensorVariable:
    """The softmax over the last axis spelled out, ``exp(c) / exp(c).sum(axis=-1,
    keepdims=True)``, as Theano's; the stabilization turns it into :func:`softmax`.

    >>> import tracegraph.tensor as T
    >>> softmax_graph(T.dmatrix('x')).ndim
    2
    """
    variable = _as_float(c)
    return exp(variable) / reduce_sum(exp(variable), axis=-1, keepdims=True)


def softmax_with_bias(x: TensorLike, b: TensorLike) -> TensorVariable:
    """``softmax(x + b)``: a matrix and a bias vector added to each row.

    >>> import tracegraph.tensor as T
    >>> softmax_with_bias(T.dmatrix('x'), T.dvector('b')).ndim
    2
    """
    return softmax(as_tensor_variable(x) + b)


# -- activations -------------------------------------------------------------------------------


def relu(x: TensorLike, alpha: TensorLike = 0) -> TensorVariable:
    """The rectifier, ``x`` where positive and ``alpha * x`` elsewhere (a leaky one for
    ``0 < alpha < 1``), as Theano computes it: ``0.5 * (x + |x|)`` for ``alpha = 0``, else
    ``0.5 * (1 + alpha) * x + 0.5 * (1 - alpha) * |x|``; the gradient at 0 is ``(1 + alpha) /
    2``, as in Theano.

    >>> import tracegraph.tensor as T
    >>> from tracegraph import function
    >>> function([], relu([-2.0, 3.0], alpha=0.5))()
    array([-1.,  3.])
    """
    variable = as_tensor_variable(x)
    if isinstance(alpha, int | float) and alpha == 0:
        return 0.5 * (variable + abs_(variable))
    if isinstance(alpha, int | float):
        # Python numbers stay weak: a float32 x gives a float32 result.
        return 0.5 * (1 + alpha) * variable + 0.5 * (1 - alpha) * abs_(variable)
    slope = as_tensor_variable(alpha)
    return 0.5 * (1 + slope) * variable + 0.5 * (1 - slope) * abs_(variable)


def elu(x: TensorLike, alpha: float = 1.0) -> TensorVariable:
    """The exponential linear unit: ``x`` where positive, ``alpha * (exp(x) - 1)`` elsewhere.

    >>> import tracegraph.tensor as T
    >>> from tracegraph import function
    >>> function([], elu([-1.0, 2.0]))()
    array([-0.63212056,  2.        ])
    """
    variable = as_tensor_variable(x)
    return switch(gt(variable, 0), variable, alpha * expm1(variable))


SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def selu(x: TensorLike) -> TensorVariable:
    """The scaled exponential linear unit: ``SELU_SCALE * elu(x, SELU_ALPHA)``.

    >>> import tracegraph.tensor as T
    >>> from tracegraph import function
    >>> function([], selu([0.0, 1.0]))()
    array([0.        , 1.05070099])
    """
    return SELU_SCALE * elu(x, SELU_ALPHA)


def softsign(x: TensorLike) -> TensorVariable:
    """``x / (1 + |x|)``.

    >>> import tracegraph.tensor as T
    >>> from tracegraph import function
    >>> function([], softsign([-3.0, 1.0]))()
    array([-0.75,  0.5 ])
    """
    variable = _as_float(x)
    return variable / (1 + abs_(variable))


def hard_sigmoid(x: TensorLike) -> TensorVariable:
    """A piecewise linear approximation of the sigmoid, ``clip(0.2 * x + 0.5, 0, 1)``, as
    Theano's.

    >>> import tracegraph.tensor as T
    >>> from tracegraph import function
    >>> function([], hard_sigmoid([-3.0, 0.0, 1.0]))()
    array([0. , 0.5, 0.7])
    """
    variable = _as_float(x)
    return clip(variable * 0.2 + 0.5, 0, 1)


def ultra_fast_sigmoid(x: TensorLike) -> TensorVariable:
    """Theano's piecewise approximation of the sigmoid (within 0.02 of it): ``0.5 * (1 +
    t(x / 2))`` where ``t`` approximates ``tanh`` by ``1.5 a / (1 + a)`` for ``|a| < 1.7``, a
    line up to 3 and a constant beyond, with the sign of ``a``. Unlike Theano's, it has a
    gradient (that of the approximation).

    >>> import tracegraph.tensor as T
    >>> from tracegraph import function
    >>> function([], ultra_fast_sigmoid([-10.0, 0.0, 1.0]))()
    array([0.00247262, 0.5       , 0.75      ])
    """
    half = 0.5 * _as_float(x)
    size = abs_(half)
    tanh_of_size = switch(
        lt(size, 1.7),
        1.5 * size / (1 + size),
        switch(
            lt(size, 3), 0.935409070603099 + 0.0458812946797165 * (size - 1.7), 0.99505475368673
        ),
    )
    # Theano takes the negative branch unless half >= 0, so NaN maps to the far left.
    signed = switch(half >= 0, tanh_of_size, -tanh_of_size)
    return 0.5 * (signed + 1.0)


# -- cross-entropies ---------------------------------------------------------------------------


def binary_crossentropy(output: TensorLike, target: TensorLike) -> TensorVariable:
    """``-(target * log(output) + (1 - target) * log(1 - output))``, elementwise. With
    ``output = sigmoid(x)`` it is computed (and differentiated) in the stable softplus form.

    >>> import tracegraph.tensor as T
    >>> from tracegraph import function
    >>> function([], binary_crossentropy([0.5, 0.9], [1.0, 0.0]))()
    array([0.69314718, 2.30258509])
    """
    out, t = as_tensor_variable(output), as_tensor_variable(target)
    return -(t * log(out) + (1.0 - t) * log(1.0 - out))


def sigmoid_binary_crossentropy(output: TensorLike, target: TensorLike) -> TensorVariable:
    """``binary_crossentropy(sigmoid(output), target)`` from the logits ``output``, computed as
    Theano does (``softplus(-|output|) + output * ((output > 0) - target)``, finite for any
    logit) with Theano's gradient ``sigmoid(output) - target`` (at ``output = 0`` too: ``-|o|``
    is written so that its derivative there is the one that gives ``0.5 - target``).

    >>> import tracegraph.tensor as T
    >>> from tracegraph import function
    >>> function([], sigmoid_binary_crossentropy([0.0, 1000.0], [1.0, 0.0]))()
    array([6.93147181e-01, 1.00000000e+03])
    """
    logits, t = _as_float(output), as_tensor_variable(target)
    positive = gt(logits, 0)
    return softplus(switch(positive, -logits, logits)) + logits * (positive - t)


def _class_of_each_row(scores: TensorVariable, classes: TensorVariable) -> TensorVariable:
    """``scores[i, classes[i]]`` for each row ``i``. A vector of classes of another length than
    the rows raises (a ``ShapeMismatchError``, a ``ValueError`` as Theano's): in the advanced
    index, one class would be broadcast to every row."""
    rows = shapes.shape(scores)[0]
    one_per_row = shapes.reshape(classes, (rows,))
    return scores[shapes.arange(rows), one_per_row]


def crossentropy_categorical_1hot(
    coding_dist: TensorLike, true_one_of_n: TensorLike
) -> TensorVariable:
    """``-log(coding_dist[i, true_one_of_n[i]])`` for each row ``i`` of a matrix of
    probabilities and an integer vector of classes.

    >>> import tracegraph.tensor as T
    >>> from tracegraph import function
    >>> function([], crossentropy_categorical_1hot([[0.5, 0.5], [0.1, 0.9]], [0, 1]))()
    array([0.69314718, 0.10536052])
    """
    coding, classes = as_tensor_variable(coding_dist), as_tensor_variable(true_one_of_n)
    if coding.ndim != 2:
        raise TypeError(
            f"crossentropy_categorical_1hot: coding_dist must be a matrix, got {coding.describe()}"
        )
    if classes.ndim != 1 or np.dtype(classes.dtype).kind not in "iu":
        raise TypeError(
            "crossentropy_categorical_1hot: true_one_of_n must be an integer vector, got "
            f"{classes.describe()} of type {classes.type}"
        )
    return -log(_class_of_each_row(coding, classes))


def categorical_crossentropy(coding_dist: TensorLike, true_dist: TensorLike) -> TensorVariable:
    """The cross-entropy ``-sum(true_dist * log(coding_dist))`` over the last axis, or, for an
    integer ``true_dist`` of one rank less (the class of each row), ``-log`` of the
    probability of that class. With ``coding_dist = softmax(x)`` it is computed from
    ``logsoftmax(x)`` and its gradient is ``softmax(x) - y``.

    >>> import tracegraph.tensor as T
    >>> from tracegraph import function
    >>> function([], categorical_crossentropy([[0.25, 0.75]], [[0.0, 1.0]]))()
    array([0.28768207])
    """
    coding, truth = as_tensor_variable(coding_dist), as_tensor_variable(true_dist)
    if truth.ndim == coding.ndim:
        return -reduce_sum(truth * log(coding), axis=coding.ndim - 1)
    if truth.ndim == coding.ndim - 1:
        return crossentropy_categorical_1hot(coding, truth)
    raise TypeError(
        "categorical_crossentropy: rank mismatch between coding and true distributions "
        f"({coding.ndim} and {truth.ndim})"
    )


def crossentropy_softmax_argmax_1hot_with_bias(
    x: TensorLike, b: TensorLike, y_idx: TensorLike
) -> tuple[TensorVariable, TensorVariable, TensorVariable]:
    """For a matrix of scores ``x``, a bias vector ``b`` and an integer vector of classes:
    the negative log-likelihood of each row's class under ``softmax(x + b)`` (from the
    log-softmax, finite for any scores), that softmax, and the argmax of each row of ``x + b``.

    >>> import tracegraph.tensor as T
    >>> nll, sm, am = crossentropy_softmax_argmax_1hot_with_bias(
    ...     T.dmatrix('x'), T.dvector('b'), T.lvector('y'))
    >>> nll.ndim, sm.ndim, am.dtype
    (1, 2, 'int64')
    """
    scores = as_tensor_variable(x) + b
    if scores.ndim != 2:
        raise ValueError(f"x + b must be a matrix, got {scores.describe()}")
    nll = -_class_of_each_row(logsoftmax(scores), as_tensor_variable(y_idx))
    return nll, softmax(scores), argmax(scores, axis=1)


def crossentropy_softmax_1hot_with_bias(
    x: TensorLike, b: TensorLike, y_idx: TensorLike
) -> tuple[TensorVariable, TensorVariable]:
    """The negative log-likelihood of each row's class and ``softmax(x + b)``.

    >>> import tracegraph.tensor as T
    >>> from tracegraph import function
    >>> nll, sm = crossentropy_softmax_1hot_with_bias([[0.0, 0.0]], [0.0, 1000.0], [0])
    >>> function([], nll)()
    array([1000.])
    """
    nll, sm, _ = crossentropy_softmax_argmax_1hot_with_bias(x, b, y_idx)
    return nll, sm


def crossentropy_softmax_1hot(
    x: TensorLike, y_idx: TensorLike
) -> tuple[TensorVariable, TensorVariable]:
    """The negative log-likelihood of each row's class under ``softmax(x)``, and the softmax.

    >>> import tracegraph.tensor as T
    >>> nll, sm = crossentropy_softmax_1hot(T.dmatrix('x'), T.lvector('y'))
    >>> nll.ndim
    1
    """
    scores = as_tensor_variable(x)
    return crossentropy_softmax_1hot_with_bias(scores, basic.zeros_like(scores[0, :]), y_idx)


def crossentropy_softmax_max_and_argmax_1hot_with_bias(
    x: TensorLike, b: TensorLike, y_idx: TensorLike
) -> tuple[TensorVariable, TensorVariable, TensorVariable, TensorVariable]:
    """The negative log-likelihood, ``softmax(x + b)``, and the largest probability of each
    row with its index.

    >>> import tracegraph.tensor as T
    >>> outs = crossentropy_softmax_max_and_argmax_1hot_with_bias(
    ...     T.dmatrix('x'), T.dvector('b'), T.lvector('y'))
    >>> [o.ndim for o in outs]
    [1, 2, 1, 1]
    """
    nll, sm = crossentropy_softmax_1hot_with_bias(x, b, y_idx)
    return nll, sm, reduce_max(sm, axis=-1), argmax(sm, axis=-1)


def crossentropy_softmax_max_and_argmax_1hot(
    x: TensorLike, y_idx: TensorLike
) -> tuple[TensorVariable, TensorVariable, TensorVariable, TensorVariable]:
    """:func:`crossentropy_softmax_max_and_argmax_1hot_with_bias` without a bias.

    >>> import tracegraph.tensor as T
    >>> len(crossentropy_softmax_max_and_argmax_1hot(T.dmatrix('x'), T.lvector('y')))
    4
    """
    scores = as_tensor_variable(x)
    return crossentropy_softmax_max_and_argmax_1hot_with_bias(
        scores, basic.zeros_like(scores[0, :]), y_idx
    )


__all__ = [
    "SELU_ALPHA",
    "SELU_SCALE",
    "abstract_conv",
    "binary_crossentropy",
    "bn",
    "categorical_crossentropy",
    "conv2d",
    "crossentropy_categorical_1hot",
    "crossentropy_softmax_1hot",
    "crossentropy_softmax_1hot_with_bias",
    "crossentropy_softmax_argmax_1hot_with_bias",
    "crossentropy_softmax_max_and_argmax_1hot",
    "crossentropy_softmax_max_and_argmax_1hot_with_bias",
    "elu",
    "hard_sigmoid",
    "log_softmax_along",
    "logsoftmax",
    "relu",
    "selu",
    "sigmoid",
    "sigmoid_binary_crossentropy",
    "softmax",
    "softmax_along",
    "softmax_graph",
    "softmax_with_bias",
    "softplus",
    "softsign",
    "ultra_fast_sigmoid",
]
