"""Statistical tests of every distribution of both stream classes, at fixed seeds (so the
outcome is deterministic): the sample mean and variance within 5 standard errors of the
distribution's, a Kolmogorov–Smirnov test for continuous distributions and a chi-square test
of the frequencies for discrete ones, both at the 0.1% level."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray

from tracegraph import function
from tracegraph.random import MRG_RandomStreams, RandomStreams

N = 20_000
KS_CRITICAL = 1.95 / math.sqrt(N)
"""The Kolmogorov–Smirnov critical distance at the 0.1% level for N samples."""

Array = NDArray[Any]


def chi_square_critical(degrees: int) -> float:
    """The 99.9% quantile of the chi-square distribution (Wilson–Hilferty approximation)."""
    z = 3.090232
    return degrees * (1 - 2 / (9 * degrees) + z * math.sqrt(2 / (9 * degrees))) ** 3


def check_moments(sample: Array, mean: float, variance: float) -> None:
    values = sample.astype(np.float64).ravel()
    n = values.size
    assert abs(values.mean() - mean) < 5 * math.sqrt(variance / n), (values.mean(), mean)
    # The variance of the sample variance is about 2 sigma^4 / n for near-normal data and
    # below (mu4 - sigma^4) / n in general; 5 * sqrt(3 / n) covers the distributions here.
    assert abs(values.var() / variance - 1) < 5 * math.sqrt(3 / n), (values.var(), variance)


def check_ks(sample: Array, cdf: Callable[[Array], Array]) -> None:
    values = np.sort(sample.astype(np.float64).ravel())
    n = values.size
    theoretical = cdf(values)
    distance = max(
        np.max(np.arange(1, n + 1) / n - theoretical), np.max(theoretical - np.arange(n) / n)
    )
    assert distance < KS_CRITICAL, distance


def check_frequencies(sample: Array, support: Sequence[int], pmf: Sequence[float]) -> None:
    values = sample.ravel()
    assert set(np.unique(values)) <= set(support)
    observed = np.array([(values == k).sum() for k in support], dtype=np.float64)
    expected = np.array(pmf) * values.size
    kept = expected >= 5  # the chi-square approximation needs enough expected counts
    statistic = (((observed - expected) ** 2)[kept] / expected[kept]).sum()
    assert statistic < chi_square_critical(int(kept.sum()) - 1), statistic


def normal_cdf(x: Array) -> Array:
    return np.array([0.5 * (1 + math.erf(v / math.sqrt(2))) for v in x])


def binomial_pmf(n: int, p: float) -> list[float]:
    return [math.comb(n, k) * p**k * (1 - p) ** (n - k) for k in range(n + 1)]


def poisson_pmf(lam: float, up_to: int) -> list[float]:
    return [math.exp(-lam) * lam**k / math.factorial(k) for k in range(up_to + 1)]


def draw(sample: Any) -> Array:
    result: Array = function([], sample)()
    return result


STREAMS = {"RandomStreams": RandomStreams, "MRG_RandomStreams": MRG_RandomStreams}


@pytest.mark.parametrize("streams", sorted(STREAMS))
def test_uniform(streams: str) -> None:
    sample = draw(STREAMS[streams](seed=101).uniform((N,), low=-1.0, high=3.0))
    assert sample.min() >= -1.0 and sample.max() < 3.0
    check_moments(sample, 1.0, 16 / 12)
    check_ks(sample, lambda x: (x + 1.0) / 4.0)


@pytest.mark.parametrize("streams", sorted(STREAMS))
def test_normal(streams: str) -> None:
    sample = draw(STREAMS[streams](seed=102).normal((N,), avg=2.0, std=3.0))
    check_moments(sample, 2.0, 9.0)
    check_ks(sample, lambda x: normal_cdf((x - 2.0) / 3.0))


@pytest.mark.parametrize("streams", sorted(STREAMS))
def test_bernoulli(streams: str) -> None:
    sample = draw(STREAMS[streams](seed=103).binomial((N,), p=0.3))
    check_moments(sample, 0.3, 0.21)
    check_frequencies(sample, [0, 1], [0.7, 0.3])


def test_binomial() -> None:
    sample = draw(RandomStreams(seed=104).binomial((N,), n=12, p=0.35))
    check_moments(sample, 12 * 0.35, 12 * 0.35 * 0.65)
    check_frequencies(sample, list(range(13)), binomial_pmf(12, 0.35))


def test_poisson() -> None:
    sample = draw(RandomStreams(seed=105).poisson((N,), lam=4.5))
    check_moments(sample, 4.5, 4.5)
    check_frequencies(sample, list(range(40)), poisson_pmf(4.5, 39))


@pytest.mark.parametrize("method", ["random_integers", "randint"])
def test_integers(method: str) -> None:
    srng = RandomStreams(seed=106)
    high = 7 if method == "random_integers" else 8
    sample = draw(getattr(srng, method)((N,), low=-3, high=high))
    check_moments(sample, 2.0, (11**2 - 1) / 12)
    check_frequencies(sample, list(range(-3, 8)), [1 / 11] * 11)


def test_choice_with_probabilities() -> None:
    p = [0.1, 0.2, 0.3, 0.4]
    sample = draw(RandomStreams(seed=107).choice((N,), a=[5, 6, 7, 8], p=p))
    mean = sum(v * q for v, q in zip([5, 6, 7, 8], p, strict=True))
    variance = sum((v - mean) ** 2 * q for v, q in zip([5, 6, 7, 8], p, strict=True))
    check_moments(sample, mean, variance)
    check_frequencies(sample, [5, 6, 7, 8], p)


def test_choice_without_replacement_draws_distinct_values_uniformly() -> None:
    f = function([], RandomStreams(seed=108).choice((3,), a=6, replace=False))
    sample = np.array([f() for _ in range(N // 20)])
    assert (np.diff(np.sort(sample, axis=1), axis=1) > 0).all()
    check_frequencies(sample, list(range(6)), [1 / 6] * 6)


def test_permutation() -> None:
    """Every value is equally likely at every position."""
    sample = draw(RandomStreams(seed=109).permutation((N // 5,), n=5))
    assert (np.sort(sample, axis=1) == np.arange(5)).all()
    for position in range(5):
        check_frequencies(sample[:, position], list(range(5)), [0.2] * 5)


def test_multinomial() -> None:
    p = [0.2, 0.5, 0.3]
    sample = draw(RandomStreams(seed=110).multinomial((N // 10,), n=10, pvals=p))
    assert (sample.sum(axis=1) == 10).all()
    for outcome, q in enumerate(p):
        check_moments(sample[:, outcome], 10 * q, 10 * q * (1 - q))
        check_frequencies(sample[:, outcome], list(range(11)), binomial_pmf(10, q))


def test_mrg_multinomial() -> None:
    p = np.tile([0.25, 0.45, 0.3], (N // 10, 1))
    sample = draw(MRG_RandomStreams(seed=111).multinomial(pvals=p, n=10))
    assert (sample.sum(axis=1) == 10).all()
    for outcome, q in enumerate([0.25, 0.45, 0.3]):
        check_moments(sample[:, outcome], 10 * q, 10 * q * (1 - q))
        check_frequencies(sample[:, outcome], list(range(11)), binomial_pmf(10, q))


def test_the_checks_reject_a_wrong_distribution() -> None:
    """The checks above can fail: a uniform sample is not normal, and a biased coin is not
    fair."""
    sample = draw(RandomStreams(seed=112).uniform((N,), low=-2.0, high=2.0))
    with pytest.raises(AssertionError):
        check_ks(sample, normal_cdf)
    coin = draw(RandomStreams(seed=113).binomial((N,), p=0.52))
    with pytest.raises(AssertionError):
        check_frequencies(coin, [0, 1], [0.5, 0.5])
    with pytest.raises(AssertionError):
        check_moments(coin, 0.5, 0.25)
