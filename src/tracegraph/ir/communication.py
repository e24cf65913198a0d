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
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

Array = NDArray[Any]


WORLD_STATE = np.array([0, 0, 1, 0], dtype=np.int64)
"""What compiled modules read of the process's world (the C backend's ``runtime/tg_mpi.h``), by
position: :data:`GENERATION`, :data:`COMM`, :data:`SIZE`, :data:`SINCE`."""
WORLD_STATE_ADDRESS: int = WORLD_STATE.ctypes.data
"""Where :data:`WORLD_STATE` is (never moved): modules that call MPI import it at load."""
GENERATION, COMM, SIZE, SINCE = range(4)
"""The entries of :data:`WORLD_STATE`: how many communicators were installed (a module checks
that the ranks agree on each collective once per communicator), the handle of the installed
communicator's MPI communicator (0: it has none), its size, and the time on the monotonic clock
(nanoseconds) at which the collective a module is in began (0: none; the MPI communicator's
watchdog reads it)."""


@dataclass(frozen=True)
class NativeMPI:
    """What compiled code needs to call MPI itself (the C backend's modules do, for the
    all-reduces): the ``mpi.h`` of the MPI library the process runs on, and the handle of the
    communicator (``MPI_Comm``, as an integer)."""

    header: str
    comm: int


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

    def native_mpi(self) -> NativeMPI | None:
        """How compiled code may call MPI itself on this communicator; None (the default): it
        calls the methods above."""
        return None

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
    native = communicator.native_mpi()
    with _lock:
        previous, _current = _current, communicator
        WORLD_STATE[COMM] = 0 if native is None else native.comm
        WORLD_STATE[SIZE] = communicator.size
        WORLD_STATE[GENERATION] += 1
    return previous
