"""Data-parallel training on many processes (MPI ranks): ``import tracegraph.distributed as tgd``.

A training script that runs on one machine runs on many with three added lines, started the
way clusters start jobs (``mpiexec -n 8 python train.py``, or ``srun`` under Slurm)::

    tgd.init()                                       # the MPI world (one process without mpiexec)
    gw, gb = tgd.all_reduce(T.grad(cost, [w, b]), op="mean")
    train = tracegraph.function([x, y], cost, updates=[(w, w - lr * gw), (b, b - lr * gb)])
    tgd.broadcast_shared([w, b], root=0)             # identical replicas at the start
    for xb, yb in tgd.shard(X, Y, batch_size=256):   # each rank its own part of the data
        train(xb, yb)

The collectives are ops of the graph (``tg.all_reduce``, ``tg.broadcast``, ``tg.all_gather``)
that every backend runs on the process's communicator; without ``init()`` (or without MPI) the
world is this one process and every collective is the identity, so the same script runs alone.

>>> import numpy as np, tracegraph, tracegraph.tensor as T
>>> world = init()
>>> rank(), size()
(0, 1)
>>> x = T.dvector('x')
>>> tracegraph.function([x], all_reduce(x * 2, op="sum"))([1.0, 2.0])
array([2., 4.])
"""

from __future__ import annotations

import builtins
import importlib.util
import os
from collections.abc import Iterator, Sequence
from typing import Any, overload

import numpy as np

from tracegraph.backends.c.threads import available_cores
from tracegraph.compile.shared import BaseSharedVariable, SharedVariable
from tracegraph.config import config
from tracegraph.ir import ops
from tracegraph.ir.communication import Communicator, SingleProcess, current, install
from tracegraph.ir.ops.distributed import REDUCTIONS
from tracegraph.ir.types import tensor_type
from tracegraph.tensor.variable import TensorLike, TensorVariable, as_tensor_variable, emit

LAUNCHERS = ("PMI_RANK", "OMPI_COMM_WORLD_RANK", "PMI_SIZE", "SLURM_PROCID", "HYDRA_CONTROL_FD")
"""Environment variables a launcher (MPICH's ``mpiexec``, Open MPI's, Slurm's ``srun``) sets in
the processes it starts."""


def launched() -> bool:
    """Whether a job launcher started this process (one of :data:`LAUNCHERS` is set)."""
    return any(name in os.environ for name in LAUNCHERS)


def init(communicator: Communicator | None = None) -> Communicator:
    """Join the job: ``communicator``, or MPI's world when a launcher started this process
    (``mpiexec``, ``srun``: needs ``mpi4py``, the ``distributed`` extra), else this process
    alone. Collectives compiled before or after run on it. Returns it.

    >>> init().size
    1
    """
    if communicator is None:
        if not launched():
            communicator = SingleProcess()
        elif importlib.util.find_spec("mpi4py") is None:
            raise ImportError(
                "this process was started by an MPI launcher, but mpi4py is not installed: "
                'pip install "tracegraph[distributed]" (mpi4py and MPICH)'
            )
        else:
            from tracegraph.distributed.mpi import MPICommunicator

            communicator = MPICommunicator()
            _share_the_cores(communicator.local_size)
    install(communicator)
    return communicator


def _share_the_cores(ranks_here: int) -> None:
    """Give each of the ``ranks_here`` ranks on this machine its share of the cores for its
    parallel loops and BLAS, unless the user chose (``config.threads``, ``OMP_NUM_THREADS``):
    each rank would otherwise take every core, and their threads fight (an MLP step on two
    ranks of a 2-core machine took 136 ms instead of 25)."""
    if ranks_here > 1 and not config.threads and "OMP_NUM_THREADS" not in os.environ:
        config.threads = max(1, available_cores() // ranks_here)


def world() -> Communicator:
    """The communicator collectives run on (this process alone until :func:`init`)."""
    return current()


def rank() -> int:
    """This process's rank (0 alone)."""
    return current().rank


def size() -> int:
    """How many ranks the job has (1 alone)."""
    return current().size


def is_root(root: int = 0) -> bool:
    """Whether this process is rank ``root``: for printing and checkpointing once."""
    return rank() == root


def print0(*args: Any, **kwargs: Any) -> None:
    """``print``, on rank 0 only."""
    if is_root():
        builtins.print(*args, **kwargs)


def seed_for_rank(seed: int) -> int:
    """A seed of this rank's own (``seed + rank()``), for random streams that must differ
    between the ranks (dropout); use ``seed`` itself for streams that must not (the initial
    weights, when they are not broadcast)."""
    return seed + rank()


@overload
def all_reduce(x: TensorVariable, op: str = "sum") -> TensorVariable: ...


@overload
def all_reduce(x: Sequence[TensorVariable], op: str = "sum") -> list[TensorVariable]: ...


def all_reduce(
    x: TensorVariable | Sequence[TensorVariable], op: str = "sum"
) -> TensorVariable | list[TensorVariable]:
    """``x`` (or each of a list, as ``T.grad`` returns) combined over the ranks: ``sum``,
    ``mean`` (floats), ``max`` or ``min``; the gradient of a ``sum`` or ``mean`` is the same
    all-reduce of the gradient.

    >>> import tracegraph.tensor as T
    >>> all_reduce([T.dscalar('a'), T.dvector('b')], op="mean")[1].type
    TensorType(float64, shape=(?,))
    """
    if op not in REDUCTIONS:
        raise ValueError(f"all_reduce: op {op!r}; one of {', '.join(REDUCTIONS)}")
    if not isinstance(x, TensorVariable):
        return [all_reduce(item, op) for item in x]
    variable = x
    if op == "mean" and np.dtype(variable.dtype).kind != "f":
        raise TypeError(f"all_reduce(op='mean') of {variable.dtype}: the mean of floats only")
    return emit(ops.AllReduceOp(variable.value, op))


def broadcast(x: TensorLike, root: int = 0) -> TensorVariable:
    """Rank ``root``'s value of ``x``, on every rank."""
    variable = as_tensor_variable(x)
    return emit(ops.BroadcastOp(variable.value, root))


def all_gather(x: TensorLike) -> TensorVariable:
    """Every rank's ``x`` joined on the first axis, in rank order."""
    variable = as_tensor_variable(x)
    shape = (None, *variable.type.shape[1:])
    return emit(ops.AllGatherOp(variable.value, tensor_type(variable.dtype, shape)))


def broadcast_shared(variables: Sequence[BaseSharedVariable], root: int = 0) -> None:
    """Give every rank rank ``root``'s values of the shared ``variables`` (identical replicas
    before training)."""
    world = current()
    for variable in variables:
        if not isinstance(variable, SharedVariable):
            raise TypeError(f"broadcast_shared: {variable!r} is not a tensor shared variable")
        variable.set_value(world.broadcast(variable.get_value(), root), borrow=True)


def shard(
    *arrays: Any, batch_size: int | None = None, drop_last: bool = False
) -> Iterator[tuple[Any, ...]]:
    """This rank's part of the datasets ``arrays`` (NumPy arrays of equal length), in batches
    of ``batch_size`` (None: the whole part at once).

    The samples are split into ``size()`` contiguous parts of equal length, rank ``r`` taking
    part ``r``; the last ``len % size()`` samples go to no rank (so that every rank runs the
    same number of steps, which their collectives need). ``drop_last`` drops a last batch
    shorter than ``batch_size`` (it is the same length on every rank).

    >>> list(shard(np.arange(5), batch_size=2))
    [(array([0, 1]),), (array([2, 3]),), (array([4]),)]
    """
    if not arrays:
        raise TypeError("shard needs at least one array")
    lengths = {len(a) for a in arrays}
    if len(lengths) != 1:
        raise ValueError(f"shard: the arrays have different lengths {sorted(lengths)}")
    length = lengths.pop()
    part = length // size()
    start = rank() * part
    step = part if batch_size is None else batch_size
    if step <= 0:
        raise ValueError(f"shard: batch_size must be positive, not {batch_size}")
    for first in range(start, start + part, step):
        last = builtins.min(first + step, start + part)
        if drop_last and last - first < step:
            break
        yield tuple(a[first:last] for a in arrays)


__all__ = [
    "Communicator",
    "SingleProcess",
    "all_gather",
    "all_reduce",
    "broadcast",
    "broadcast_shared",
    "init",
    "is_root",
    "launched",
    "print0",
    "rank",
    "seed_for_rank",
    "shard",
    "size",
    "world",
]
