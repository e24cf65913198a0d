"""Worlds of several ranks played by one process, for tests of the collectives without MPI."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import numpy as np

from tracegraph.ir.communication import Array, Communicator, install


class ThirdOfThree(Communicator):
    """Rank 1 of 3, whose peers hold 10 times and 100 times its values."""

    rank, size = 1, 3

    def all_reduce(self, array: Array, reduction: str) -> Array:
        self.all_reduced.append(array.shape)
        ranks = [array * 10, array, array * 100]
        stacked = np.stack(ranks)
        combine = {"sum": np.sum, "mean": np.mean, "max": np.max, "min": np.min}[reduction]
        return np.asarray(combine(stacked, axis=0), dtype=array.dtype)

    def broadcast(self, array: Array, root: int) -> Array:
        return np.asarray(array * [10, 1, 100][root], dtype=array.dtype)

    def all_gather(self, array: Array) -> Array:
        return np.concatenate([array * 10, array, array * 100])

    def agree(self, signature: str) -> None:
        self.signatures.append(signature)

    def __init__(self) -> None:
        self.signatures: list[str] = []
        """What each ``agree`` was asked."""
        self.all_reduced: list[tuple[int, ...]] = []
        """The shape of each array all-reduced, in order."""


@contextlib.contextmanager
def playing(world: Communicator) -> Iterator[Communicator]:
    """``world`` is the process's communicator inside the block."""
    previous = install(world)
    try:
        yield world
    finally:
        install(previous)
