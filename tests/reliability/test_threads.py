"""Calls from many threads: a function that updates shared variables or draws random numbers
gives the same final values and the same draws as the same calls made one after another, on
every backend; pure functions take no lock."""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import tracegraph
import tracegraph.tensor as T
from tracegraph.sandbox.rng_mrg import MRG_RandomStreams
from tracegraph.tensor.shared_randomstreams import RandomStreams

LINKERS = ["numpy", "c", *(["triton"] if importlib.util.find_spec("triton") else [])]
THREADS = 8
CALLS = 1000


def in_threads(work: Callable[[], None], threads: int = THREADS) -> None:
    """Run ``work`` in ``threads`` threads at once (released together); re-raise a failure."""
    start = threading.Barrier(threads)
    failures: list[BaseException] = []

    def run() -> None:
        start.wait()
        try:
            work()
        except BaseException as error:  # reported below
            failures.append(error)

    pool = [threading.Thread(target=run) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    assert not failures, failures


def mode(linker: str) -> Any:
    return "FAST_COMPILE" if linker == "numpy" else tracegraph.Mode(linker=linker)


@pytest.mark.parametrize("linker", LINKERS)
def test_an_accumulator_loses_no_increment(linker: str) -> None:
    total = tracegraph.shared(np.int64(0), "total")
    accumulate = tracegraph.function([], total, updates=[(total, total + 1)], mode=mode(linker))

    def work() -> None:
        for _ in range(CALLS):
            accumulate()

    in_threads(work)
    assert int(total.get_value()) == THREADS * CALLS


@pytest.mark.parametrize("linker", LINKERS)
def test_an_increment_of_a_subtensor_loses_nothing(linker: str) -> None:
    counts = tracegraph.shared(np.zeros(5, dtype=np.int64), "counts")
    i = T.lvector("i")
    count = tracegraph.function(
        [i], [], updates=[(counts, T.inc_subtensor(counts[i], 1))], mode=mode(linker)
    )
    everywhere = np.arange(5)

    def work() -> None:
        for _ in range(CALLS):
            count(everywhere)

    in_threads(work)
    np.testing.assert_array_equal(counts.get_value(), [THREADS * CALLS] * 5)


@pytest.mark.parametrize("linker", LINKERS)
def test_two_functions_updating_one_variable_lose_nothing(linker: str) -> None:
    total = tracegraph.shared(np.int64(0), "total")
    other = tracegraph.shared(np.int64(0), "other")
    by_one = tracegraph.function([], [], updates=[(total, total + 1)], mode=mode(linker))
    by_two = tracegraph.function(
        [], [], updates=[(other, other + 1), (total, total + 2)], mode=mode(linker)
    )

    pairs = CALLS // 10 if linker == "triton" else CALLS // 2  # the interpreter is slow

    def work() -> None:
        for _ in range(pairs):
            by_one()
            by_two()

    in_threads(work)
    assert int(total.get_value()) == THREADS * pairs * 3
    assert int(other.get_value()) == THREADS * pairs


@pytest.mark.parametrize("streams", [RandomStreams, MRG_RandomStreams])
@pytest.mark.parametrize("linker", LINKERS)
def test_draws_from_threads_are_the_draws_made_one_after_another(linker: str, streams: Any) -> None:
    # Triton's interpreter runs the MRG kernels slowly: fewer calls there (8 x 200).
    calls = CALLS // 5 if linker == "triton" and streams is MRG_RandomStreams else CALLS
    draw = tracegraph.function([], streams(seed=11).uniform((2,)), mode=mode(linker))
    serial = tracegraph.function([], streams(seed=11).uniform((2,)), mode=mode(linker))
    expected = {tuple(serial()) for _ in range(THREADS * calls)}
    drawn: list[tuple[float, ...]] = []

    def work() -> None:
        for _ in range(calls):
            drawn.append(tuple(draw()))

    in_threads(work)
    assert len(drawn) == THREADS * calls
    assert len(set(drawn)) == len(drawn), "a draw was repeated"
    assert set(drawn) == expected


def test_a_pure_function_takes_no_lock_and_runs_from_threads() -> None:
    x = T.dvector("x")
    double = tracegraph.function([x], x * 2, mode=tracegraph.Mode(linker="c"))
    assert double._lock is None
    values = np.arange(100.0)

    def work() -> None:
        for _ in range(CALLS):
            np.testing.assert_array_equal(double(values), values * 2)

    in_threads(work)


def test_set_value_waits_for_a_call_that_updates_the_variable() -> None:
    total = tracegraph.shared(np.int64(0), "total")
    accumulate = tracegraph.function([], [], updates=[(total, total + 1)], mode="FAST_COMPILE")
    resets = 0

    def work() -> None:
        nonlocal resets
        for _ in range(CALLS // 10):
            with total.cell.lock:  # what set_value holds: a reset between two calls
                before = int(total.get_value())
                total.set_value(np.int64(0))
                resets += before
            accumulate()

    in_threads(work)
    assert resets + int(total.get_value()) == THREADS * (CALLS // 10)
