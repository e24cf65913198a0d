"""The MPI communicator, through ``mpi4py`` (the ``distributed`` extra installs it with MPICH):
the collectives of ``ir/communication.py`` on host arrays, with MPI's buffer interface (no
pickling)."""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import numpy as np

from tracegraph.config import config
from tracegraph.errors import CollectiveMismatchError
from tracegraph.ir.communication import Array, Communicator

_OPS = {"sum": "SUM", "mean": "SUM", "max": "MAX", "min": "MIN"}

WATCH_INTERVAL = 1.0
"""Seconds between two looks of the watchdog at the collective in progress."""


def _native(array: Array) -> Array:
    """``array`` contiguous and in native byte order (what MPI's buffers describe)."""
    return np.asarray(array, dtype=np.asarray(array).dtype.newbyteorder("="), order="C")


class MPICommunicator(Communicator):
    """The ranks of an MPI communicator (by default ``MPI.COMM_WORLD``: the processes
    ``mpiexec -n N`` or ``srun`` started)."""

    def __init__(self, comm: Any = None):
        from mpi4py import MPI

        self._mpi = MPI
        self.comm = MPI.COMM_WORLD if comm is None else comm
        self.rank = int(self.comm.Get_rank())
        self.size = int(self.comm.Get_size())
        local = self.comm.Split_type(MPI.COMM_TYPE_SHARED)
        self.local_size = int(local.Get_size())
        """How many ranks share this machine (they share its cores)."""
        local.Free()
        self._in: tuple[str, float] | None = None
        """The collective in progress and when it began (None: none)."""
        threading.Thread(target=self._watch, name="tracegraph-mpi-watchdog", daemon=True).start()

    @contextlib.contextmanager
    def _watched(self, what: str) -> Iterator[None]:
        """Run a blocking collective under the watchdog: past ``config.distributed_timeout``
        seconds in it, the watchdog says so and ends this process, and the launcher the job
        (the other ranks are waiting for one that is stuck, and would wait forever). The
        collective itself stays MPI's blocking call: polling from Python slowed a step on
        ranks sharing a core 50 times."""
        self._in = (what, time.monotonic())
        try:
            yield
        finally:
            self._in = None

    def _watch(self) -> None:
        """The watchdog thread: looks at the collective in progress once a second."""
        while True:
            time.sleep(WATCH_INTERVAL)
            current, timeout = self._in, config.distributed_timeout
            if current is not None and timeout and time.monotonic() - current[1] > timeout:
                print(
                    f"tracegraph.distributed: rank {self.rank} waited {timeout} s for the other "
                    f"ranks in {current[0]} (config.distributed_timeout): a rank is stuck or "
                    "gone; ending the job",
                    file=sys.stderr,
                    flush=True,
                )
                os._exit(1)  # the launcher ends the other ranks, as when a rank dies

    def all_reduce(self, array: Array, reduction: str) -> Array:
        """``array`` combined over the ranks (``mean``: the sum divided by the number of
        ranks, in the array's float dtype)."""
        source = _native(array)
        result = np.empty_like(source)
        with self._watched(f"all_reduce({reduction})"):
            self.comm.Allreduce(source, result, op=getattr(self._mpi, _OPS[reduction]))
        if reduction == "mean":
            result /= self.size
        return result

    def broadcast(self, array: Array, root: int) -> Array:
        """Rank ``root``'s ``array`` on every rank."""
        result = np.array(_native(array), copy=True)
        with self._watched(f"broadcast(root {root})"):
            self.comm.Bcast(result, root=root)
        return result

    def all_gather(self, array: Array) -> Array:
        """Every rank's ``array`` joined on the first axis, in rank order (first axes may
        differ between the ranks; the other axes may not)."""
        source = _native(array)
        with self._watched("all_gather"):
            rows = self.comm.allgather(int(source.shape[0]))
        row_size = int(np.prod(source.shape[1:], dtype=np.int64))
        result = np.empty((sum(rows), *source.shape[1:]), dtype=source.dtype)
        counts = [r * row_size for r in rows]
        with self._watched("all_gather"):
            self.comm.Allgatherv(source, [result, counts])
        return result

    def agree(self, signature: str) -> None:
        """Every rank's signature gathered and compared (a small message, once per collective
        op of a program: its first call)."""
        with self._watched("the check that the ranks agree"):
            signatures = self.comm.allgather(signature)
        differing = [r for r, theirs in enumerate(signatures) if theirs != signatures[0]]
        if differing:
            described = "; ".join(f"rank {r}: {s}" for r, s in enumerate(signatures))
            raise CollectiveMismatchError(
                f"the ranks reached different collectives here ({described}): every rank "
                "must run the same graph"
            )

    def barrier(self) -> None:
        """Wait until every rank is here."""
        self.comm.Barrier()
