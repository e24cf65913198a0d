"""The MPI communicator, through ``mpi4py`` (the ``distributed`` extra installs it with MPICH):
the collectives of ``ir/communication.py`` on host arrays, with MPI's buffer interface (no
pickling)."""

from __future__ import annotations

import contextlib
import ctypes
import itertools
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from tracegraph.config import config
from tracegraph.errors import CollectiveMismatchError
from tracegraph.ir.communication import SINCE, WORLD_STATE, Array, Communicator, NativeMPI

_OPS = {"sum": "SUM", "mean": "SUM", "max": "MAX", "min": "MIN"}

WATCH_INTERVAL = 1.0
"""Seconds between two looks of the watchdog at the collective in progress."""


def _native(array: Array) -> Array:
    """``array`` contiguous and in native byte order (what MPI's buffers describe)."""
    return np.asarray(array, dtype=np.asarray(array).dtype.newbyteorder("="), order="C")


class MPICommunicator(Communicator):
    """The ranks of an MPI communicator (by default ``MPI.COMM_WORLD``: the processes
    ``mpiexec -n N`` or ``srun`` started). The C backend's modules compiled while it is the
    process's world call ``MPI_Allreduce`` themselves, unless ``native`` is False."""

    def __init__(self, comm: Any = None, *, native: bool = True):
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
        self._native = _find_native(self.comm) if native else None
        """What compiled modules need to call MPI themselves (``native=False``, or no header
        matching the library: None, and they call this communicator)."""
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
        """The watchdog thread: looks at the collective in progress once a second (this
        communicator's, or a compiled module's: ``WORLD_STATE[SINCE]``)."""
        while True:
            time.sleep(WATCH_INTERVAL)
            current, timeout = self._in, config.distributed_timeout
            in_module = int(WORLD_STATE[SINCE])
            if current is None and in_module:
                current = ("an all-reduce called by a compiled function", in_module / 1e9)
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

    def native_mpi(self) -> NativeMPI | None:
        """The ``mpi.h`` of the MPI library this process runs on, and this communicator's
        handle: compiled modules call MPI themselves (None where no header matches the
        library: they call this communicator)."""
        return self._native

    def barrier(self) -> None:
        """Wait until every rank is here."""
        self.comm.Barrier()


def _find_native(comm: Any) -> NativeMPI | None:
    """:class:`NativeMPI` for ``comm``: the header of an MPI installation (``include/mpi.h``
    beside the ``lib/`` of the ``libmpi.so`` this process loaded, else where ``mpicc`` looks)
    whose version is the library's, on Linux; the library made global, so that the modules
    that call it find its functions (mpi4py loads it for itself alone). None when there is no
    such header."""
    if not sys.platform.startswith("linux"):
        return None
    from mpi4py import MPI

    with open("/proc/self/maps", encoding="utf-8") as maps:
        loaded = sorted({line.split()[-1] for line in maps if "/libmpi.so" in line})
    if not loaded:
        return None
    version = MPI.Get_library_version()
    beside = (Path(library).parent.parent / "include" for library in loaded)
    for folder in itertools.chain(beside, _wrapper_include_dirs()):  # mpicc only if need be
        header = folder / "mpi.h"
        if header.is_file() and _declares(header, version):
            ctypes.CDLL(loaded[0], mode=os.RTLD_GLOBAL | os.RTLD_NOLOAD)
            return NativeMPI(str(header), int(comm.handle))
    return None


def _wrapper_include_dirs() -> Iterator[Path]:
    """The include directories MPI's compiler wrapper names (``mpicc -show``: MPICH's, Intel's;
    ``--showme:compile``: Open MPI's), for installations whose headers are not beside their
    library (Debian's Open MPI); none when there is no ``mpicc``."""
    beside_python = Path(sys.executable).with_name("mpicc")
    wrapper = str(beside_python) if beside_python.exists() else shutil.which("mpicc")
    if wrapper is None:
        return
    for flag in ("-show", "--showme:compile"):
        try:
            shown = subprocess.run(
                [wrapper, flag], capture_output=True, text=True, timeout=10, check=True
            ).stdout
        except (OSError, subprocess.SubprocessError):
            continue
        folders = [Path(word[2:]) for word in shown.split() if word.startswith("-I")]
        if folders:
            yield from folders
            return


def _declares(header: Path, version: str) -> bool:
    """Whether an ``mpi.h`` is of the library whose version string is ``version`` (MPICH's
    ``MPICH Version: 5.0.2``, Open MPI's ``Open MPI v4.1.5``): the same implementation and
    release."""
    text = header.read_text(encoding="utf-8", errors="replace")
    mpich = re.search(r'#define\s+MPICH_VERSION\s+"([^"]+)"', text)
    if mpich:
        return (
            "MPICH" in version
            and re.search(rf"\b{re.escape(mpich.group(1))}\b", version) is not None
        )
    found = [
        re.search(rf"#define\s+OMPI_{part}_VERSION\s+(\d+)", text)
        for part in ("MAJOR", "MINOR", "RELEASE")
    ]
    numbers = [match.group(1) for match in found if match]
    return len(numbers) == 3 and f"Open MPI v{'.'.join(numbers)}" in version
