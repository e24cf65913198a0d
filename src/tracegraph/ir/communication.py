"""The communicator the collective ops (``tg.all_reduce``, ``tg.broadcast``,
``tg.all_gather``) run on: the process's, installed by ``tracegraph.distributed.init()`` (MPI
through ``mpi4py``), or, until then, :class:`SingleProcess` (a world of one: every collective
is the identity). Every backend runs the collectives through it, on host arrays.

A GPU implementation (``torch.distributed`` with NCCL, on device tensors) can follow the same
interface: the methods take and return arrays of the caller's kind.

>>> import numpy as np
>>> world = current()
>>> world.size, world.all_reduce(np.array([1.0, 2.0]), "mean")
(1, array([1., 2.]))
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from typing import Any

import numpy as np
from numpy.typing import NDArray

Array = NDArray[Any]


class Communicator(ABC):
    """The processes of a data-parallel job: this one's ``rank`` among ``size``, and the
    collectives. Every rank must call the same collectives in the same order with arrays of
    the same dtype and shape (``all_gather``: the same shape but for the first axis)."""

    rank: int = 0
    size: int = 1

    @abstractmethod
    def all_reduce(self, array: Array, reduction: str) -> Array:
        """``array`` combined over the ranks, elementwise (``sum``, ``mean``, ``max``,
        ``min``); a new array."""

    @abstractmethod
    def broadcast(self, array: Array, root: int) -> Array:
        """Rank ``root``'s ``array``, on every rank; a new array."""

    @abstractmethod
    def all_gather(self, array: Array) -> Array:
        """Every rank's ``array`` joined on the first axis, in rank order; a new array."""

    @abstractmethod
    def agree(self, signature: str) -> None:
        """Check that every rank is at a collective of this ``signature`` (the op, its dtype
        and shape): raise ``CollectiveMismatchError`` naming the ranks that differ."""

    def barrier(self) -> None:
        """Wait until every rank is here (alone: at once)."""
        self.all_reduce(np.zeros(1), "sum")

    def describe(self) -> str:
        """What it is, for messages."""
        return f"{type(self).__name__} (rank {self.rank} of {self.size})"

    def __repr__(self) -> str:
        return f"<{self.describe()}>"


class SingleProcess(Communicator):
    """A world of one process: every collective returns (a copy of) its operand.

    >>> SingleProcess().broadcast(np.arange(3), root=0)
    array([0, 1, 2])
    """

    def all_reduce(self, array: Array, reduction: str) -> Array:
        """A copy of ``array``: the only rank's value is every reduction's."""
        return np.array(array, copy=True)

    def broadcast(self, array: Array, root: int) -> Array:
        """A copy of ``array`` (``root`` must be 0)."""
        if root != 0:
            raise ValueError(f"broadcast from rank {root} in a world of one process")
        return np.array(array, copy=True)

    def all_gather(self, array: Array) -> Array:
        """A copy of ``array``."""
        return np.array(array, copy=True)

    def agree(self, signature: str) -> None:
        """Nothing to check: one rank agrees with itself."""


_current: Communicator = SingleProcess()
_lock = threading.Lock()


def current() -> Communicator:
    """The communicator of this process."""
    return _current


def install(communicator: Communicator) -> Communicator:
    """Make ``communicator`` the process's; returns the one it replaces."""
    global _current
    with _lock:
        previous, _current = _current, communicator
    return previous
