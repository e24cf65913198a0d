"""Memory stays bounded: many calls and many compiles grow the process's resident memory by a
bounded amount, and functions and shared variables that are dropped are freed."""

from __future__ import annotations

import gc
import resource
import weakref

import numpy as np
import pytest

import tracegraph
import tracegraph.tensor as T
from tracegraph.tensor.shared_randomstreams import RandomStreams

CALLS = 100_000
COMPILES = 300


def resident_mb() -> float:
    """The process's resident memory now (Linux: /proc/self/statm), in MB."""
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * resource.getpagesize() / 2**20


@pytest.mark.parametrize("linker", ["numpy", "c"])
def test_many_calls_do_not_grow_memory(linker: str) -> None:
    x = T.dvector("x")
    total = tracegraph.shared(np.zeros(100), "total")
    step = tracegraph.function(
        [x], (x * 2).sum(), updates=[(total, total + x)], mode=tracegraph.Mode(linker=linker)
    )
    values = np.ones(100)
    calls = CALLS if linker == "c" else CALLS // 10  # the reference is slower per call
    for _ in range(1000):  # warm up: first-call allocations, caches
        step(values)
    before = resident_mb()
    for _ in range(calls):
        step(values)
    growth = resident_mb() - before
    assert growth < 5, f"{calls} calls grew resident memory by {growth:.1f} MB"
    assert float(total.get_value()[0]) == calls + 1000


def test_many_compiles_do_not_grow_memory_without_bound() -> None:
    x = T.dvector("x")

    def compile_one(k: int) -> None:
        f = tracegraph.function([x], T.tanh(x * (k % 7 + 1)) + k, mode="FAST_COMPILE")
        assert f(np.zeros(1))[0] == k

    for k in range(30):  # warm up: caches that fill once
        compile_one(k)
    gc.collect()
    before = resident_mb()
    for k in range(COMPILES):
        compile_one(k)
    gc.collect()
    growth = resident_mb() - before
    assert growth < 30, f"{COMPILES} compiles grew resident memory by {growth:.1f} MB"


@pytest.mark.parametrize("linker", ["numpy", "c"])
def test_a_dropped_function_and_its_shared_variables_are_freed(linker: str) -> None:
    x = T.dvector("x")
    state = tracegraph.shared(np.zeros(1000), "state")
    streams = RandomStreams(seed=1)
    f = tracegraph.function(
        [x],
        x + streams.uniform((1000,)),
        updates=[(state, state + x)],
        mode=tracegraph.Mode(linker=linker),
    )
    f(np.ones(1000))
    dropped = [weakref.ref(f), weakref.ref(state)]
    del f, state, streams
    gc.collect()
    assert [ref() for ref in dropped] == [None, None]
