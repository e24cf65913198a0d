"""The threads of the C backend: one pool of OpenMP threads for the loops and BLAS's products.

Generated loops run on OpenMP's threads (GCC's libgomp) and products on OpenBLAS's threads.
Left to their defaults these are two pools, each spinning for a while after its work: on a
training step that alternates products and loops, each took the cores the other needed (an
MLP step took 16 ms where one pool takes 3.7). So:

- **one pool**: every module's init gives OpenBLAS a threads callback (``tg_blas_threads`` in
  the runtime) that runs its threaded work on the loops' OpenMP threads;
- **short spinning**: the first generated module is loaded with ``GOMP_SPINCOUNT`` set to
  :data:`SPIN_COUNT` (libgomp reads it once, when it is loaded; the environment is restored
  right after). Threads that spin a little after a loop start the next one in about a
  microsecond, where sleeping threads take some 50 µs to wake here (``OMP_WAIT_POLICY=
  PASSIVE``); libgomp's default spins some milliseconds, long enough to take the cores from
  other thread pools of the process (NumPy's BLAS) between calls. A user's own
  ``OMP_WAIT_POLICY`` or ``GOMP_SPINCOUNT`` is kept, and where libgomp was already loaded (by
  another library) its policy is what that library left: :func:`openmp_policy` says which;
- **one thread count**, :func:`thread_count` (``config.threads``, else ``OMP_NUM_THREADS``,
  else the cores this process may use), for every parallel loop (``num_threads`` of each
  parallel region reads it through :data:`THREAD_COUNT_ADDRESS`, which each module takes at
  its import) and for OpenBLAS; assigning ``config.threads`` applies to the next call;
- loops use threads only above a work (``PARALLEL_THRESHOLD`` in ``prelude.py``: elements
  times the cost of one), so small loops stay on one thread.

>>> from tracegraph import config
>>> thread_count() == (config.threads or _environment_threads() or available_cores())
True
"""

from __future__ import annotations

import contextlib
import ctypes
import math
import os
from collections.abc import Iterator
from pathlib import Path

from tracegraph.config import config, observe

_count = ctypes.c_int(1)
THREAD_COUNT_ADDRESS: int = ctypes.addressof(_count)
"""The address of the C ``int`` holding :func:`thread_count`, which every generated module's
parallel regions read (``TG_THREADS`` in the runtime)."""

SPIN_COUNT = 10_000
"""How long (in ``pause`` loops, some 0.1 ms here) OpenMP's threads spin after a loop before
they sleep; measured on the MLP step, it is as fast as libgomp's default of 300,000."""
_SPIN_ENVIRONMENT = {"GOMP_SPINCOUNT": str(SPIN_COUNT)}
"""What the first module's OpenMP runtime is loaded with, unless the user set a wait policy."""
_USER_WAIT_SETTINGS = ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT")

_blas: ctypes.CDLL | None = None
_openmp_policy = "not loaded yet"


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
    ``OMP_NUM_THREADS``, else :func:`available_cores`.

    >>> from tracegraph import config
    >>> config.threads = 1
    >>> thread_count()
    1
    >>> config.threads = 0
    """
    return config.threads or _environment_threads() or available_cores()


def openmp_policy() -> str:
    """How the loops' OpenMP threads wait between loops: ``"short spin"`` (tracegraph loaded
    libgomp with :data:`SPIN_COUNT`), ``"user"`` (the environment chose), ``"already
    loaded"`` (libgomp was in the process before tracegraph's first module: its policy is what
    that library left) or ``"not loaded yet"`` (no generated module imported so far)."""
    return _openmp_policy


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


def _libgomp_loaded() -> bool:
    try:
        return "libgomp" in Path("/proc/self/maps").read_text()
    except OSError:
        return False


@contextlib.contextmanager
def first_module_environment(blas_library: Path) -> Iterator[None]:
    """The environment the first generated module is imported in: OpenMP's spin count set to
    :data:`SPIN_COUNT` (unless the user set a policy, or libgomp is already loaded), restored
    afterwards; then OpenBLAS (``blas_library``, which the module loaded) takes the thread
    count."""
    global _blas, _openmp_policy
    added: dict[str, str] = {}
    if any(name in os.environ for name in _USER_WAIT_SETTINGS):
        _openmp_policy = "user"
    elif _libgomp_loaded():
        _openmp_policy = "already loaded"
    else:
        added = _SPIN_ENVIRONMENT
        _openmp_policy = "short spin"
    os.environ.update(added)
    try:
        yield
    finally:
        for name in added:
            os.environ.pop(name, None)
    try:
        blas = ctypes.CDLL(str(blas_library))
        blas.scipy_openblas_set_num_threads.argtypes = [ctypes.c_int]
        blas.scipy_openblas_set_num_threads.restype = None
        blas.scipy_openblas_get_num_threads.restype = ctypes.c_int
    except (OSError, AttributeError):
        blas = None  # a BLAS without these functions keeps its own count
    _blas = blas
    apply_thread_count()


observe("threads", apply_thread_count)
apply_thread_count()

__all__ = [
    "THREAD_COUNT_ADDRESS",
    "apply_thread_count",
    "available_cores",
    "blas_threads",
    "first_module_environment",
    "openmp_policy",
    "thread_count",
]
