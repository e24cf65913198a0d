"""Reference kernels of the random ops (``ir/ops/random.py``), registered in
``REFERENCE_RULES`` like every other op's.

A ``RandomStreams`` draw calls the NumPy ``RandomState`` method Theano called, with the same
arguments, on a *copy* of the state: the operand stays as it was (a function called with
``no_default_updates`` draws the same numbers every time, and a call that fails leaves every
shared state unchanged), and the copy, advanced, is the op's new state. MRG31k3p draws run
``ir/mrg31k3p.py``.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from typing import Any, TypeAlias

import numpy as np
from numpy.typing import NDArray

from tracegraph.ir import mrg31k3p, ops
from tracegraph.ir.reference_rules import Kernel, reference_rule
from tracegraph.ir.types import dtype_of

Array: TypeAlias = NDArray[Any]
RandomState: TypeAlias = np.random.RandomState
Size: TypeAlias = tuple[int, ...] | None
Draw: TypeAlias = Callable[..., Any]
"""``draw(rng, size, *params)``: the sample (NumPy's ``size``: ``None`` or a tuple)."""


def _size(shape: Array) -> Size:
    """The ``size`` argument of a draw: ``None`` for an empty shape operand."""
    sizes = tuple(int(s) for s in np.asarray(shape))
    if any(s < 0 for s in sizes):
        raise ValueError(f"a random sample cannot have a negative size: {sizes}")
    return sizes or None


def _advanced_copy(rng: Any) -> RandomState:
    if not isinstance(rng, np.random.RandomState):
        raise TypeError(f"a random stream's state must be a numpy RandomState, got {rng!r}")
    return copy.deepcopy(rng)


def _draw_kernel(op: ops.RandomStateDrawOp, draw: Draw) -> Kernel:
    dtype = dtype_of(op.sample)

    def kernel(rng: RandomState, shape: Array, *params: Array) -> tuple[RandomState, Array]:
        state = _advanced_copy(rng)
        sample = draw(state, _size(shape), *params)
        return state, np.asarray(sample).astype(dtype, copy=False)

    return kernel


def _uniform(rng: RandomState, size: Size, low: Array, high: Array) -> Any:
    return rng.uniform(low, high, size)


def _normal(rng: RandomState, size: Size, loc: Array, scale: Array) -> Any:
    return rng.normal(loc, scale, size)


def _binomial(rng: RandomState, size: Size, n: Array, p: Array) -> Any:
    return rng.binomial(n, p, size)


def _poisson(rng: RandomState, size: Size, lam: Array) -> Any:
    return rng.poisson(lam, size)


def _random_integers(rng: RandomState, size: Size, low: Array, high: Array) -> Any:
    """Theano drew ``rng.random_integers(low, high)`` (which is ``randint(low, high + 1)``) once
    per element in C order; NumPy's broadcasting ``randint`` consumes the generator the same
    way (``tests/random`` checks it against the element-by-element loop)."""
    if size is None:
        size = np.broadcast_shapes(np.shape(low), np.shape(high))
    low_b = np.broadcast_to(np.asarray(low, dtype=np.int64), size)
    high_b = np.broadcast_to(np.asarray(high, dtype=np.int64), size)
    if (high_b < low_b).any():
        raise ValueError("random_integers: low > high")
    return rng.randint(low_b, high_b + 1, size=size)


def _choice(replace: bool) -> Draw:
    def draw(rng: RandomState, size: Size, a: Array, p: Array) -> Any:
        if np.ndim(a) > 1:
            raise ValueError(f"choice: a must be a scalar or a vector, got shape {np.shape(a)}")
        if np.ndim(p) != 1:
            raise ValueError(f"choice: p must be a vector, got shape {np.shape(p)}")
        population = int(a) if np.ndim(a) == 0 else np.asarray(a)
        return rng.choice(population, size, replace, p if np.size(p) else None)

    return draw


def _permutation(rng: RandomState, size: Size, n: Array) -> Any:
    if np.ndim(n) != 0:
        raise ValueError(f"permutation: n must be a scalar, got shape {np.shape(n)}")
    count = int(n)
    shape = size or ()
    out = np.empty((*shape, count), dtype=np.int64)
    for index in np.ndindex(*shape):
        out[index] = rng.permutation(count)
    return out


def _multinomial(rng: RandomState, size: Size, n: Array, pvals: Array) -> Any:
    """Theano's ``multinomial_helper``: one ``rng.multinomial`` per index of ``size`` in C
    order. Each row is summed in its own dtype, and one whose probabilities add up to a little
    over 1 (or whose last probability is below 5e-5) is scaled by ``1 - 5e-5`` in that dtype,
    as Theano did; NumPy then gets it in float64."""
    n, pvals = np.asarray(n), np.asarray(pvals)
    if pvals.ndim < 1:
        raise ValueError("multinomial: pvals needs at least one axis (the outcomes)")
    if pvals.dtype.kind != "f":
        pvals = pvals.astype(np.float64)
    if size is None:
        size = np.broadcast_shapes(n.shape, pvals.shape[:-1])
    n_b = np.broadcast_to(n, size)
    pvals_b = np.broadcast_to(pvals, (*size, pvals.shape[-1]))
    if pvals.size and pvals.min() < 0:
        raise ValueError("multinomial: probabilities must be non-negative")
    out = np.empty((*size, pvals.shape[-1]), dtype=np.int64)
    for index in np.ndindex(*size):
        row = pvals_b[index]
        total = row.sum()
        if 1.0 < total < 1.0 + 1e-5 or row[-1] < 5e-5:
            row = row * (1.0 - 5e-5)
            total = row.sum()
        if total > 1.0:
            raise ValueError(f"multinomial: probabilities {list(row)} add up to {total} > 1")
        out[index] = rng.multinomial(int(n_b[index]), row.astype(np.float64))
    return out


DRAWS: dict[type[ops.RandomStateDrawOp], Draw] = {
    ops.UniformOp: _uniform,
    ops.NormalOp: _normal,
    ops.BinomialOp: _binomial,
    ops.PoissonOp: _poisson,
    ops.RandomIntegersOp: _random_integers,
    ops.PermutationOp: _permutation,
    ops.MultinomialOp: _multinomial,
}
"""How each ``RandomStreams`` op without properties draws."""


@reference_rule(*DRAWS)
def _random_state_draw(op: ops.RandomStateDrawOp) -> Kernel:
    return _draw_kernel(op, DRAWS[type(op)])


@reference_rule(ops.ChoiceOp)
def _random_choice(op: ops.ChoiceOp) -> Kernel:
    return _draw_kernel(op, _choice(bool(op.replace.value.data)))


@reference_rule(ops.MRGUniformOp)
def _mrg_uniform(op: ops.MRGUniformOp) -> Kernel:
    dtype = dtype_of(op.sample)

    def kernel(rstate: Array, shape: Array) -> tuple[Array, Array]:
        size = _size(shape) or ()
        new_rstate, sample = mrg31k3p.uniform(rstate, math.prod(size), dtype)
        return new_rstate, sample.reshape(size)

    return kernel


@reference_rule(ops.MultinomialFromUniformOp)
def _multinomial_from_uniform(op: ops.MultinomialFromUniformOp) -> Kernel:
    """Row ``r`` gets one count per draw ``c``: the first outcome whose cumulative probability
    (summed in float64) exceeds ``unis[c * rows + r]``; none when no outcome does (probabilities
    adding up to less than the uniform number), as in Theano's C code."""
    dtype = dtype_of(op.result)

    def kernel(pvals: Array, unis: Array, n: Array) -> Array:
        rows, outcomes = pvals.shape
        draws = int(n)
        if unis.shape != (rows * draws,):
            raise ValueError(
                f"{rows} rows of {draws} draws need {rows * draws} uniform numbers, "
                f"got {unis.shape[0]}"
            )
        cumulative = np.cumsum(pvals, axis=1, dtype=np.float64)
        by_row = unis.reshape(draws, rows)
        counts = np.zeros((rows, outcomes), dtype=dtype)
        for row in range(rows):
            chosen = np.searchsorted(cumulative[row], by_row[:, row], side="right")
            counts[row] += np.bincount(chosen[chosen < outcomes], minlength=outcomes).astype(dtype)
        return counts

    return kernel
