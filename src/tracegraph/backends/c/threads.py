"""The threads of the C backend: one pool of OpenMP threads for the loops and BLAS's products.

Generated loops run on OpenMP's threads (GCC's libgomp) and products on OpenBLAS's threads.
Left to their defaults these are two pools, each spinning for a while after its work: on a
training step that alternates products and loops, each took the cores the other needed (an
MLP step took 16 ms where one pool takes 3.5). So:

- **one pool**: every module's init gives OpenBLAS a threads callback (``tg_blas_threads`` in
  the runtime) that runs its threaded work on the loops' OpenMP threads. libgomp's own wait
  policy is kept (its threads spin a few milliseconds after a loop, then sleep): on this
  2-vCPU virtual machine a sleeping thread took 50 µs to several milliseconds to wake, and
  shorter spinning (``GOMP_SPINCOUNT=10000``, or ``OMP_WAIT_POLICY=PASSIVE``) made a softmax
  regression step wait for it after every host call, 2.9 ms where spinning takes 0.5 ms. A
  user's ``OMP_WAIT_POLICY`` or ``GOMP_SPINCOUNT`` applies as always;
- **one thread count**, :func:`thread_count` (``config.threads``, else ``OMP_NUM_THREADS``,
  else the cores this process may use), for every parallel loop (``num_threads`` of each
  parallel region reads it through :data:`THREAD_COUNT_ADDRESS`, which each module takes at
  its import) and for OpenBLAS; assigning ``config.threads`` applies to the next call;
- loops use threads only above a work (``PARALLEL_THRESHOLD`` in ``prelude.py``: elements
  times the cost of one), so small loops stay on one thread;
- **a forked child runs on one thread**: libgomp cannot start threads again in a child of
  ``fork`` once its parent has used them (the child's next parallel loop or product waited
  forever), so a child made by ``fork`` (``multiprocessing``'s default on Linux) computes on
  one thread whatever ``config.threads`` says; a child made by ``spawn`` or ``forkserver``
  starts afresh and uses every thread.

>>> from tracegraph import config
>>> thread_count() == (config.threads or _environment_threads() or available_cores())
True
"""

from __future__ import annotations

import ctypes
import math
import os
from pathlib import Path

from tracegraph.config import config, observe

_count = ctypes.c_int(1)
THREAD_COUNT_ADDRESS: int = ctypes.addressof(_count)
"""The address of the C ``int`` holding :func:`thread_count`, which every generated module's
parallel regions read (``TG_THREADS`` in the runtime)."""

_blas: ctypes.CDLL | None = None
_forked = False
"""Whether this process is a child of ``fork`` (see the module's docstring)."""


def available_cores() -> int:
    """The cores this process may run on: its CPU affinity, bounded by its cgroup's CPU quota
    (a container limited to 2 CPUs on a 64-core host gets 2).

    >>> 1 <= available_cores() <= (os.cpu_count() or 1)
    True
    """
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    try:
        quota, period = Path("/sys/fs/cgroup/cpu.max").read_text().split()[:2]
        if quota != "max":
            cores = min(cores, max(1, math.ceil(int(quota) / int(period))))
    except (OSError, ValueError):
        pass
    return max(1, cores)


def _environment_threads() -> int:
    """``OMP_NUM_THREADS`` (its first number) where it is a positive whole number, else 0."""
    try:
        return max(0, int(os.environ.get("OMP_NUM_THREADS", "").split(",")[0]))
    except ValueError:
        return 0


def thread_count() -> int:
    """The threads parallel loops and BLAS products use: ``config.threads``, else
    ``OMP_NUM_THREADS``, else :func:`available_cores`; 1 in a child of ``fork``.

    >>> from tracegraph import config
    >>> config.threads = 1
    >>> thread_count()
    1
    >>> config.threads = 0
    """
    if _forked:
        return 1
    return config.threads or _environment_threads() or available_cores()


def apply_thread_count() -> None:
    """Give :func:`thread_count` to the loops and, once loaded, to OpenBLAS (called when
    ``config.threads`` is assigned and before the first module is imported)."""
    count = thread_count()
    _count.value = count
    if _blas is not None:
        _blas.scipy_openblas_set_num_threads(count)


def blas_threads() -> int | None:
    """The threads OpenBLAS uses, as it reports them (``None`` before the first module, which
    loads it).

    >>> blas_threads() in (None, thread_count())
    True
    """
    return None if _blas is None else int(_blas.scipy_openblas_get_num_threads())


def bind_blas(blas_library: Path) -> None:
    """Give the thread count to OpenBLAS (``blas_library``, which the first generated module
    loaded), now and whenever ``config.threads`` changes."""
    global _blas
    try:
        blas = ctypes.CDLL(str(blas_library))
        blas.scipy_openblas_set_num_threads.argtypes = [ctypes.c_int]
        blas.scipy_openblas_set_num_threads.restype = None
        blas.scipy_openblas_get_num_threads.restype = ctypes.c_int
    except (OSError, AttributeError):
        blas = None  # a BLAS without these functions keeps its own count
    _blas = blas
    apply_thread_count()


def _after_fork_in_child() -> None:
    global _forked
    _forked = True
    apply_thread_count()


observe("threads", apply_thread_count)
os.register_at_fork(after_in_child=_after_fork_in_child)
apply_thread_count()

__all__ = [
    "THREAD_COUNT_ADDRESS",
    "apply_thread_count",
    "available_cores",
    "bind_blas",
    "blas_threads",
    "thread_count",
]
