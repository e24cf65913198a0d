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
import tempfile
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


def _keys(variables: Sequence[BaseSharedVariable]) -> list[str]:
    """The name each shared variable has in a checkpoint: its own (``w``), else its position
    (``variable_2``)."""
    keys = [v.name or f"variable_{i}" for i, v in enumerate(variables)]
    repeated = sorted({k for k in keys if keys.count(k) > 1})
    if repeated:
        raise ValueError(f"checkpoint: several shared variables are named {repeated}")
    return keys


def _on_root(action: Any, root: int, what: str) -> Any:
    """``action()`` on rank ``root``; every rank learns whether it succeeded (a rank that
    failed alone would leave the others waiting in the next collective), and raises if not.
    Returns the action's result on the root, None elsewhere."""
    world = current()
    result, error = None, None
    if world.rank == root:
        try:
            result = action()
        except Exception as caught:  # told to every rank, raised on the root as it is
            error = caught
    failed = world.broadcast(np.array([error is not None], dtype=np.int8), root)
    if error is not None:
        raise error
    if failed[0]:
        raise RuntimeError(f"{what} failed on rank {root} (its error is in rank {root}'s output)")
    return result


def save_shared(
    path: str | os.PathLike[str], variables: Sequence[BaseSharedVariable], root: int = 0
) -> None:
    """Checkpoint: rank ``root`` writes the values of the shared ``variables`` to the ``.npz``
    file ``path`` (by name; replaced whole, never left half-written); the other ranks write
    nothing (the replicas are identical) and return once it is written.

    >>> import os, tempfile, tracegraph
    >>> w = tracegraph.shared(np.arange(3.0), "w")
    >>> path = os.path.join(tempfile.mkdtemp(), "step.npz")
    >>> save_shared(path, [w]); w.set_value(np.zeros(3)); load_shared(path, [w])
    >>> w.get_value()
    array([0., 1., 2.])
    """
    keys = _keys(variables)

    def write() -> None:
        values: dict[str, Any] = {
            key: np.asarray(v.get_value()) for key, v in zip(keys, variables, strict=True)
        }
        folder = os.path.dirname(os.path.abspath(path))
        with tempfile.NamedTemporaryFile(dir=folder, suffix=".npz.tmp", delete=False) as out:
            try:
                np.savez(out, **values)
            except BaseException:
                os.unlink(out.name)
                raise
        os.replace(out.name, path)

    _on_root(write, root, f"save_shared({str(path)!r})")


def load_shared(
    path: str | os.PathLike[str], variables: Sequence[BaseSharedVariable], root: int = 0
) -> None:
    """Resume: rank ``root`` reads the ``.npz`` file ``path`` (written by :func:`save_shared`)
    and every rank gets its values for the shared ``variables`` (only the root needs the file).
    Each value must have its variable's dtype and shape; a missing name is an error on every
    rank."""
    keys = _keys(variables)

    def read() -> list[Any]:
        with np.load(path) as saved:
            missing = [key for key in keys if key not in saved.files]
            if missing:
                raise KeyError(f"{path} has no values for {missing} (it has {saved.files})")
            values = [saved[key] for key in keys]
        for key, value, variable in zip(keys, values, variables, strict=True):
            current_value = np.asarray(variable.get_value())
            if value.dtype != current_value.dtype or value.shape != current_value.shape:
                raise ValueError(
                    f"{path}: {key} is {value.dtype}{list(value.shape)}, the variable "
                    f"{current_value.dtype}{list(current_value.shape)}"
                )
        return values

    values = _on_root(read, root, f"load_shared({str(path)!r})")
    world = current()
    for i, variable in enumerate(variables):
        mine = values[i] if values is not None else np.asarray(variable.get_value())
        variable.set_value(world.broadcast(mine, root), borrow=True)


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
    "load_shared",
    "print0",
    "rank",
    "save_shared",
    "seed_for_rank",
    "shard",
    "size",
    "world",
]
