"""``RandomStreams``: random variables drawn from NumPy ``RandomState`` generators, seeded
exactly as Theano seeded them, so Theano's programs print the same numbers.

The recipe: a seed generator ``numpy.random.RandomState(seed)``; the k-th random variable gets
its own ``RandomState(int(seedgen.randint(2**30)))``, held in a shared variable (``rv.rng``),
and each call of a function draws with that generator's method (``uniform(low, high, size)``,
``normal(loc, scale, size)``...), casts real samples to ``floatX`` (or ``dtype``), and stores
the advanced generator, unless the function was compiled with ``no_default_updates``.

>>> from tracegraph import function
>>> srng = RandomStreams(seed=234)
>>> rv_u = srng.uniform((2, 2))
>>> f = function([], rv_u)
>>> f().round(8)
array([[0.12672381, 0.97091597],
       [0.13989098, 0.88754825]])
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import DTypeLike

from tracegraph.ir import ops
from tracegraph.ir.types import Shape
from tracegraph.random.variables import (
    RandomStateSharedVariable,
    RandomStateVariable,
    RandomVariable,
    SizeLike,
    as_parameter,
    default_float_dtype,
    emit_draw,
    sample_shape,
    sample_type,
)
from tracegraph.tensor.variable import TensorLike, TensorVariable

SEED_RANGE = 2**30
"""Each stream's seed is ``seedgen.randint(SEED_RANGE)``, as in Theano."""


class RandomStreams:
    """A source of random variables, each with its own ``RandomState`` stream.

    ``seed`` starts the seed generator (``None``: seeded from the operating system, as NumPy).
    ``state_updates`` lists ``(rv.rng, new state)`` for every variable drawn, in creation order;
    ``seed(s)`` reseeds all of their streams.

    A draw's ``size`` is a tuple of ints and symbolic integer scalars, a symbolic shape vector,
    or ``None`` (the broadcast shape of the parameters). A shape vector of unknown length
    (``T.lvector()``) needs ``ndim``; a call whose vector has another length raises
    ``ValueError``, as in Theano.

    >>> srng = RandomStreams(seed=234)
    >>> rv = srng.normal((3,))
    >>> len(srng.state_updates), rv.rng is srng.state_updates[0][0]
    (1, True)
    """

    def __init__(self, seed: int | None = None):
        self.state_updates: list[tuple[RandomStateSharedVariable, RandomStateVariable]] = []
        self.default_instance_seed = seed
        self.gen_seedgen = np.random.RandomState(seed)

    def updates(self) -> list[tuple[RandomStateSharedVariable, RandomStateVariable]]:
        """The ``(shared state, new state)`` pairs of every variable drawn (a new list)."""
        return list(self.state_updates)

    def seed(self, seed: int | None = None) -> None:
        """Reseed every stream, in creation order, from a fresh ``RandomState(seed)`` (``None``:
        the seed given to the constructor).

        >>> from tracegraph import function
        >>> srng = RandomStreams(seed=1)
        >>> f = function([], srng.uniform((2,)))
        >>> first = f()
        >>> srng.seed(1)
        >>> bool((f() == first).all())
        True
        """
        if seed is None:
            seed = self.default_instance_seed
        seedgen = np.random.RandomState(seed)
        for shared_state, _ in self.state_updates:
            stream_seed = int(seedgen.randint(SEED_RANGE))
            shared_state.set_value(np.random.RandomState(stream_seed), borrow=True)

    # -- drawing --------------------------------------------------------------------------------

    def _draw(
        self,
        op_class: type[ops.RandomStateDrawOp],
        what: str,
        size: SizeLike,
        ndim: int | None,
        params: Sequence[TensorVariable],
        dtype: DTypeLike,
        *,
        broadcast_with: Sequence[Shape] | None = None,
        added_sizes: Shape = (),
        **properties: Any,
    ) -> RandomVariable:
        """A new stream and the random variable that draws from it with ``op_class``.

        ``broadcast_with`` are the static shapes that broadcast with the sample when ``size``
        is ``None`` (the parameters' by default); ``added_sizes`` the sizes of the axes the
        op adds after ``size``'s (``op_class.ADDED_AXES`` of them).
        """
        shapes = [p.type.shape for p in params] if broadcast_with is None else broadcast_with
        shape, static = sample_shape(size, ndim, shapes, what)
        assert len(added_sizes) == op_class.ADDED_AXES
        seed = int(self.gen_seedgen.randint(SEED_RANGE))
        rng = RandomStateSharedVariable(np.random.RandomState(seed), borrow=True)
        op = op_class(
            rng.value,
            shape.value,
            [p.value for p in params],
            sample_type(np.dtype(dtype).name, (*static, *added_sizes)),
            **properties,
        )
        new_state_value, sample_value = emit_draw(op)
        new_state = RandomStateVariable(new_state_value)
        rng.default_update = new_state
        self.state_updates.append((rng, new_state))
        return RandomVariable(sample_value, rng, new_state)

    def uniform(
        self,
        size: SizeLike = None,
        low: TensorLike = 0.0,
        high: TensorLike = 1.0,
        ndim: int | None = None,
        dtype: DTypeLike | None = None,
    ) -> RandomVariable:
        """Numbers drawn uniformly from ``[low, high)`` (``floatX`` unless ``dtype`` says).

        >>> RandomStreams(seed=1).uniform((2, 3)).type
        TensorType(float64, shape=(2, 3))
        """
        dtype = dtype or default_float_dtype(low, high)
        params = [as_parameter(low), as_parameter(high)]
        return self._draw(ops.UniformOp, "uniform", size, ndim, params, dtype)

    def normal(
        self,
        size: SizeLike = None,
        avg: TensorLike = 0.0,
        std: TensorLike = 1.0,
        ndim: int | None = None,
        dtype: DTypeLike | None = None,
    ) -> RandomVariable:
        """Normal numbers of mean ``avg`` and standard deviation ``std``.

        >>> RandomStreams(seed=1).normal((4,), avg=10.0).dtype
        'float64'
        """
        dtype = dtype or default_float_dtype(avg, std)
        params = [as_parameter(avg), as_parameter(std)]
        return self._draw(ops.NormalOp, "normal", size, ndim, params, dtype)

    def binomial(
        self,
        size: SizeLike = None,
        n: TensorLike = 1,
        p: TensorLike = 0.5,
        ndim: int | None = None,
        dtype: DTypeLike = "int64",
    ) -> RandomVariable:
        """Successes in ``n`` trials of probability ``p``.

        >>> RandomStreams(seed=1).binomial((2,), n=10, p=0.3).dtype
        'int64'
        """
        params = [as_parameter(n, "int64"), as_parameter(p)]
        return self._draw(ops.BinomialOp, "binomial", size, ndim, params, dtype)

    def poisson(
        self,
        size: SizeLike = None,
        lam: TensorLike = 1.0,
        ndim: int | None = None,
        dtype: DTypeLike = "int64",
    ) -> RandomVariable:
        """Poisson counts of mean ``lam``.

        >>> RandomStreams(seed=1).poisson((5,), lam=3.0).ndim
        1
        """
        params = [as_parameter(lam)]
        return self._draw(ops.PoissonOp, "poisson", size, ndim, params, dtype)

    def random_integers(
        self,
        size: SizeLike = None,
        low: TensorLike = 0,
        high: TensorLike = 1,
        ndim: int | None = None,
        dtype: DTypeLike = "int64",
    ) -> RandomVariable:
        """Integers between ``low`` and ``high``, both inclusive (they may be tensors that
        broadcast with the sample).

        >>> RandomStreams(seed=1).random_integers((3,), low=1, high=6).dtype
        'int64'
        """
        params = [as_parameter(low, "int64"), as_parameter(high, "int64")]
        return self._draw(ops.RandomIntegersOp, "random_integers", size, ndim, params, dtype)

    def randint(
        self,
        size: SizeLike = None,
        low: TensorLike = 0,
        high: TensorLike = 2,
        ndim: int | None = None,
        dtype: DTypeLike = "int64",
    ) -> RandomVariable:
        """Integers in ``[low, high)``, NumPy's ``randint`` convention (``random_integers``
        with ``high - 1``).

        >>> RandomStreams(seed=1).randint((3,), high=10).type
        TensorType(int64, shape=(3,))
        """
        params = [as_parameter(low, "int64"), as_parameter(high, "int64") - 1]
        return self._draw(ops.RandomIntegersOp, "randint", size, ndim, params, dtype)

    def choice(
        self,
        size: SizeLike = None,
        a: TensorLike = 2,
        replace: bool = True,
        p: TensorLike | None = None,
        ndim: int | None = None,
        dtype: DTypeLike = "int64",
    ) -> RandomVariable:
        """Entries of ``a`` (a vector, or an integer for ``range(a)``) chosen with probabilities
        ``p`` (equal ones by default), with or without replacement.

        >>> RandomStreams(seed=1).choice((2,), a=[10, 20, 30], replace=False).ndim
        1
        """
        population = as_parameter(a)
        if population.ndim > 1:
            raise ValueError(f"choice: a must be a scalar or a vector, got {population.type}")
        probabilities = as_parameter(np.zeros(0) if p is None else p, "float64")
        if probabilities.ndim != 1:
            raise ValueError(f"choice: p must be a vector, got {probabilities.type}")
        # a and p do not broadcast with the sample: size=None draws one value.
        return self._draw(
            ops.ChoiceOp,
            "choice",
            () if size is None else size,
            ndim,
            [population, probabilities],
            dtype,
            broadcast_with=[],
            replace=bool(replace),
        )

    def permutation(
        self,
        size: SizeLike = None,
        n: TensorLike = 1,
        ndim: int | None = None,
        dtype: DTypeLike = "int64",
    ) -> RandomVariable:
        """Permutations of ``range(n)``, one per index of ``size``: the sample has one more
        axis than ``size``, of length ``n``.

        >>> RandomStreams(seed=1).permutation((2,), n=5).ndim
        2
        """
        count = as_parameter(n, "int64")
        if count.ndim != 0:
            raise ValueError(f"permutation: n must be a scalar, got {count.type}")
        length = int(n) if isinstance(n, int | np.integer) else None
        if size is None or size == ():
            # One permutation: Theano's ndim is then the sample's (None or 1).
            if ndim not in (None, 1):
                raise TypeError("permutation: one permutation (no size) has ndim 1")
            size, ndim = (), None
        return self._draw(
            ops.PermutationOp,
            "permutation",
            size,
            ndim,
            [count],
            dtype,
            broadcast_with=[],
            added_sizes=(length,),
        )

    def multinomial(
        self,
        size: SizeLike = None,
        n: TensorLike = 1,
        pvals: TensorLike | None = None,
        ndim: int | None = None,
        dtype: DTypeLike = "int64",
    ) -> RandomVariable:
        """Counts of ``n`` draws among the outcomes of ``pvals`` (its last axis; the other axes,
        and ``n``, broadcast with ``size``): the sample has one more axis, the outcomes.

        >>> RandomStreams(seed=1).multinomial((4,), n=10, pvals=[0.2, 0.3, 0.5]).type
        TensorType(int64, shape=(4, 3))
        """
        counts = as_parameter(n, "int64")
        probabilities = as_parameter([0.5, 0.5] if pvals is None else pvals)
        if probabilities.ndim < 1:
            raise ValueError("multinomial: pvals needs an axis of outcomes")
        return self._draw(
            ops.MultinomialOp,
            "multinomial",
            size,
            ndim,
            [counts, probabilities],
            dtype,
            broadcast_with=[counts.type.shape, probabilities.type.shape[:-1]],
            added_sizes=(probabilities.type.shape[-1],),
        )
