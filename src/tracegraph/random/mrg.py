"""``MRG_RandomStreams``: random variables from the MRG31k3p generator, as Theano's
``theano.sandbox.rng_mrg`` drew them (the generator itself is ``ir/mrg31k3p.py``).

Each random variable gets an ``rstate`` matrix, a shared n×6 int32 tensor of ``nstreams``
generator states ``2**72`` steps apart starting at the object's ``rstate``, which then moves
``2**134`` steps on. A draw of ``size`` numbers takes number ``i`` from stream ``i mod n``.
``nstreams`` defaults to Theano's guess: the sample's size over 6 (at most 15,360) when the size
is known when the variable is built, else 15,360. ``uniform`` scales the numbers into
``(low, high)``; ``normal`` transforms pairs of them (Box–Muller), ``binomial`` and
``multinomial`` compare them with probabilities: every other distribution is a graph over
uniform numbers, so every backend that computes the generator the same way gives the same
samples.

>>> from tracegraph import function
>>> srng = MRG_RandomStreams(seed=12345)
>>> f = function([], srng.uniform((4,), nstreams=1))
>>> f().round(8)
array([0.73532445, 0.61420744, 0.11007806, 0.64877417])
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import DTypeLike, NDArray

from tracegraph.compile.shared import SharedVariable, shared
from tracegraph.ir import mrg31k3p, ops
from tracegraph.random.variables import (
    RandomVariable,
    SizeLike,
    as_parameter,
    default_float_dtype,
    emit_draw,
    sample_shape,
    sample_type,
)
from tracegraph.tensor import basic, shapes
from tracegraph.tensor import math as tm
from tracegraph.tensor.variable import (
    TensorLike,
    TensorVariable,
    Variable,
    as_tensor_variable,
    emit,
)

MAX_STREAMS = 60 * 256
"""The most streams Theano's guess gives a random variable (and its guess for symbolic sizes)."""


def guess_n_streams(size: SizeLike) -> int:
    """Theano's number of streams for a sample of ``size``: the number of elements over 6 (the
    number itself up to 6), at most ``MAX_STREAMS``; ``MAX_STREAMS`` when a size is not a
    sequence of Python ints (Theano's test: a NumPy integer or a symbolic size counts as
    unknown).

    >>> guess_n_streams((10, 20)), guess_n_streams((3,)), guess_n_streams((1000, 1000))
    (33, 3, 15360)
    """
    if isinstance(size, tuple | list) and all(isinstance(s, int) for s in size):
        count = math.prod(int(s) for s in size)
        if count > 6:
            count //= 6
        return min(max(count, 1), MAX_STREAMS)
    return MAX_STREAMS


class MRG_RandomStreams:
    """A source of MRG31k3p random variables.

    ``seed`` is an integer in ``[1, 2147462579)`` (used for all six state numbers) or six
    integers (a full MRG31k3p state). ``rstate`` is the state the next random variable's
    streams start from; it can be read and assigned (copying it between two objects makes
    the variables they create draw the same numbers). ``state_updates`` lists
    ``(shared rstate, new rstate)`` for every variable drawn, in creation order. A ``size`` is
    given as to ``RandomStreams`` (a shape vector of unknown length needs ``ndim``, and a call
    whose vector has another length raises ``ValueError``), but never ``None``.

    >>> srng = MRG_RandomStreams(seed=42)
    >>> srng.rstate.tolist()
    [42, 42, 42, 42, 42, 42]
    """

    def __init__(self, seed: int | Sequence[int] = 12345):
        self.state_updates: list[tuple[SharedVariable, Variable, SizeLike, int | None]] = []
        """``(shared rstate, new rstate, size, nstreams)`` of every variable drawn, as Theano."""
        self.default_instance_seed = seed
        self._rstate = np.zeros(6, dtype=np.int32)
        self.set_rstate(seed)

    # -- the generator state --------------------------------------------------------------------

    @property
    def rstate(self) -> NDArray[np.int32]:
        """The state the next random variable's streams start from (six int32)."""
        return self._rstate

    @rstate.setter
    def rstate(self, state: Any) -> None:
        self._rstate = mrg31k3p.check_state(state)

    def set_rstate(self, seed: int | Sequence[int]) -> None:
        """Set ``rstate`` from a seed: one integer (repeated six times) or six."""
        if isinstance(seed, int | np.integer):
            if seed <= 0:
                raise ValueError(f"an MRG_RandomStreams seed must be positive, got {seed}")
            if seed >= mrg31k3p.M2:
                raise ValueError(f"an MRG_RandomStreams seed must be below {mrg31k3p.M2}")
            self._rstate = np.full(6, seed, dtype=np.int32)
        elif isinstance(seed, Sequence | np.ndarray) and len(seed) == 6:
            self.rstate = seed
        else:
            raise TypeError(f"seed should be 1 integer or 6 integers, got {seed!r}")

    def inc_rstate(self) -> None:
        """Move ``rstate`` ``2**134`` steps on: the start of the next variable's streams."""
        self._rstate = mrg31k3p.jump(self._rstate, 134)

    def get_substream_rstates(self, n_streams: int, inc_rstate: bool = True) -> NDArray[np.int32]:
        """An ``n_streams``×6 matrix of states ``2**72`` steps apart, starting at ``rstate``
        (which then moves on unless ``inc_rstate`` is false)."""
        if n_streams <= 0:
            raise ValueError(f"nstreams must be positive, got {n_streams}")
        rows = mrg31k3p.substreams(self._rstate, n_streams)
        if inc_rstate:
            self.inc_rstate()
        return rows

    def n_streams(self, size: SizeLike) -> int:
        """The number of streams a variable of ``size`` gets by default."""
        return guess_n_streams(size)

    def seed(self, seed: int | Sequence[int] | None = None) -> None:
        """Start again from ``seed`` (``None``: the constructor's) and give every variable drawn
        so far, in creation order, the streams it would have had.

        >>> from tracegraph import function
        >>> srng = MRG_RandomStreams(seed=7)
        >>> f = function([], srng.uniform((3,)))
        >>> first = f()
        >>> srng.seed()
        >>> bool((f() == first).all())
        True
        """
        self.set_rstate(self.default_instance_seed if seed is None else seed)
        for shared_state, _, size, nstreams in self.state_updates:
            count = self.n_streams(size) if nstreams is None else nstreams
            shared_state.set_value(self.get_substream_rstates(count), borrow=True)

    def updates(self) -> list[tuple[SharedVariable, Variable]]:
        """The ``(shared rstate, new rstate)`` pairs of every variable drawn."""
        return [(shared_state, new_state) for shared_state, new_state, _, _ in self.state_updates]

    # -- distributions --------------------------------------------------------------------------

    def _uniform_numbers(
        self, size: SizeLike, ndim: int | None, dtype: str, nstreams: int | None
    ) -> RandomVariable:
        """The raw MRG31k3p numbers in (0, 1] of a new random variable."""
        if size is None:
            raise ValueError("MRG_RandomStreams needs the size of the sample")
        if dtype not in ("float32", "float64"):
            raise ValueError(f"MRG_RandomStreams draws float32 or float64 numbers, not {dtype}")
        if type(size) is int:
            size = (size,)
        shape, static = sample_shape(size, ndim, [], "MRG uniform")
        count = self.n_streams(size) if nstreams is None else int(nstreams)
        rstate = shared(self.get_substream_rstates(count))
        op = ops.MRGUniformOp(rstate.value, shape.value, sample_type(dtype, static))
        new_value, sample_value = emit_draw(op)
        new_rstate = TensorVariable(new_value)
        rstate.default_update = new_rstate
        self.state_updates.append((rstate, new_rstate, size, nstreams))
        return RandomVariable(sample_value, rstate, new_rstate)

    def uniform(
        self,
        size: SizeLike,
        low: TensorLike = 0.0,
        high: TensorLike = 1.0,
        ndim: int | None = None,
        dtype: DTypeLike | None = None,
        nstreams: int | None = None,
    ) -> TensorVariable:
        """Numbers uniform in ``(low, high)``: ``u * (high - low) + low`` for MRG31k3p numbers
        ``u`` in (0, 1] (``floatX``, or ``dtype``).

        >>> MRG_RandomStreams().uniform((2, 3)).type
        TensorType(float64, shape=(2, 3))
        """
        name = np.dtype(dtype).name if dtype is not None else default_float_dtype(low, high)
        u = self._uniform_numbers(size, ndim, name, nstreams)
        low_v = basic.cast(as_parameter(low), name)
        high_v = basic.cast(as_parameter(high), name)
        result = u * (high_v - low_v) + low_v
        if result.type.broadcastable != u.type.broadcastable:
            raise NotImplementedError(
                "MRG_RandomStreams.uniform: low and high broadcast beyond the size; increase "
                "the size to match their broadcasting pattern"
            )
        return result

    def normal(
        self,
        size: SizeLike,
        avg: TensorLike = 0.0,
        std: TensorLike = 1.0,
        ndim: int | None = None,
        dtype: DTypeLike | None = None,
        nstreams: int | None = None,
        truncate: bool = False,
    ) -> TensorVariable:
        """Normal numbers of mean ``avg`` and deviation ``std``, by Box–Muller as Theano: an
        even number of uniforms (the sample's size, rounded up), the first half ``u1`` and the
        second ``u2`` give ``sqrt(-2 log u1) * cos(2 pi u2)`` then ``... * sin(2 pi u2)``,
        joined, cut to the size and reshaped.

        >>> MRG_RandomStreams().normal((3, 2)).type
        TensorType(float64, shape=(3, 2))
        """
        if truncate:
            raise NotImplementedError("MRG_RandomStreams.normal(truncate=True)")
        name = np.dtype(dtype).name if dtype is not None else default_float_dtype(avg, std)
        if size is None:
            raise ValueError("MRG_RandomStreams needs the size of the sample")
        shape, _ = sample_shape(size, ndim, [], "MRG normal")
        # Theano counted the elements symbolically: the uniform numbers have a symbolic size,
        # so the default number of streams is MAX_STREAMS whatever the size.
        count = tm.prod(shape)
        even = count + count % 2
        numbers = self._uniform_numbers((even,), 1, name, nstreams)
        half = even // 2
        u1, u2 = numbers[:half], numbers[half:]
        radius = tm.sqrt(-2.0 * tm.log(u1))
        theta = basic.cast(as_tensor_variable(2.0 * np.pi), name) * u2
        joined = shapes.concatenate([radius * tm.cos(theta), radius * tm.sin(theta)])
        samples = shapes.reshape(
            joined[:count], size if not isinstance(size, TensorVariable) else shape
        )
        avg_v = basic.cast(as_tensor_variable(avg), name)
        std_v = basic.cast(as_tensor_variable(std), name)
        return samples * std_v + avg_v

    def binomial(
        self,
        size: SizeLike = None,
        n: int = 1,
        p: TensorLike = 0.5,
        ndim: int | None = None,
        dtype: DTypeLike = "int64",
        nstreams: int | None = None,
    ) -> TensorVariable:
        """One trial of probability ``p`` per element (``n`` must be 1): ``cast(u < p)``.

        >>> MRG_RandomStreams().binomial((5,), p=0.2).dtype
        'int64'
        """
        if n != 1:
            raise NotImplementedError("MRG_RandomStreams.binomial with n > 1")
        u = self.uniform(size, ndim=ndim, nstreams=nstreams)
        return basic.cast(tm.lt(u, p), np.dtype(dtype).name)

    def multinomial(
        self,
        size: None = None,
        n: int = 1,
        pvals: TensorLike | None = None,
        ndim: None = None,
        dtype: DTypeLike = "int64",
        nstreams: int | None = None,
    ) -> TensorVariable:
        """Counts of ``n`` draws from each row of the matrix ``pvals`` (uniform numbers, one
        per draw and row, compared with the cumulative probabilities).

        >>> MRG_RandomStreams().multinomial(pvals=[[0.2, 0.8], [0.5, 0.5]]).type
        TensorType(int64, shape=(2, 2))
        """
        if pvals is None:
            raise TypeError("MRG_RandomStreams.multinomial needs pvals")
        if size is not None or ndim is not None:
            raise ValueError("MRG_RandomStreams.multinomial takes no size or ndim (see pvals)")
        probabilities = as_tensor_variable(pvals)
        if probabilities.ndim != 2:
            raise NotImplementedError("MRG_RandomStreams.multinomial needs a matrix of pvals")
        draws = as_tensor_variable(n)
        rows = shapes.shape(probabilities)[0] * draws
        numbers = self.uniform(shapes.stack([rows]), ndim=1, nstreams=nstreams)
        result_type = sample_type(np.dtype(dtype).name, probabilities.type.shape)
        return emit(
            ops.MultinomialFromUniformOp(
                probabilities.value, numbers.value, basic.cast(draws, "int64").value, result_type
            )
        )
