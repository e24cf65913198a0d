"""All-reduces called from the compiled module: a module compiled while the process's world is
an MPI communicator (``tracegraph.distributed.init()`` under ``mpiexec``) calls
``MPI_Allreduce`` itself for each ``tg.all_reduce`` and ``tg.all_reduce_bucket`` step, on one
flat buffer, without going back to Python (``runtime/tg_mpi.h``).

Such a step still has its host call (the reference kernel, through the communicator): it runs
the first call on each installed communicator, which checks that the ranks agree on the
collective (``Communicator.agree``), and every call while the world installed is not MPI. A
module compiled before ``init()``, or where no ``mpi.h`` matches the MPI library, calls the
reference kernel at every step (the values are the same).
"""

from __future__ import annotations

from pathlib import Path

from xdsl.ir import Operation

from tracegraph.backends.c.prelude import runtime_source
from tracegraph.backends.c.scalar import NPY_TYPES
from tracegraph.ir import communication, ops
from tracegraph.ir.communication import NativeMPI, current
from tracegraph.ir.types import dtype_of

WORLD_STATE_ADDRESS_NAME = "WORLD_STATE_ADDRESS"
"""The attribute of ``ir/communication.py`` a module reads the world's state's address from."""

MPI_DATATYPES: dict[str, str] = {
    "float64": "MPI_DOUBLE",
    "float32": "MPI_FLOAT",
    **{f"int{bits}": f"MPI_INT{bits}_T" for bits in (8, 16, 32, 64)},
    **{f"uint{bits}": f"MPI_UINT{bits}_T" for bits in (8, 16, 32, 64)},
}
"""The MPI datatype of each dtype an all-reduce runs on in the module (the others, booleans
and complex numbers, call the reference kernel)."""

MPI_OPERATIONS: dict[str, str] = {
    "sum": "MPI_SUM",
    "mean": "MPI_SUM",
    "max": "MPI_MAX",
    "min": "MPI_MIN",
}
"""The MPI operation of each reduction (a mean is the sum divided by the ranks after it)."""


def runs_in_module(op: Operation) -> bool:
    """Whether a module compiled in an MPI world calls MPI itself for ``op``.

    >>> from xdsl.ir import Block
    >>> from tracegraph.ir.types import tensor_type
    >>> x = Block(arg_types=[tensor_type("float64", (None,))]).args[0]
    >>> runs_in_module(ops.AllReduceOp(x, "mean")), runs_in_module(ops.BroadcastOp(x, 0))
    (True, False)
    """
    return isinstance(op, ops.AllReduceOp | ops.AllReduceBucketOp) and (
        dtype_of(op.results[0]) in MPI_DATATYPES
    )


def native_mpi(callees: list[Operation]) -> NativeMPI | None:
    """MPI's header and communicator for a module whose host calls run ``callees``: those of
    the process's world, when it is MPI and some callee runs in the module; else None."""
    if not any(runs_in_module(op) for op in callees):
        return None
    return current().native_mpi()


def include_dir(native: NativeMPI) -> str:
    """The directory of MPI's headers, which a module that calls MPI names for its build."""
    return str(Path(native.header).parent)


def preamble(native: NativeMPI) -> list[str]:
    """The lines after the prelude of a module that calls MPI: its header and the runtime."""
    return [
        f"#include <{Path(native.header).name}>",
        *runtime_source("tg_mpi.h").splitlines(),
        "",
    ]


def world_import() -> list[str]:
    """The lines of the module's initialization that find the world's state (its address is
    read at load: the source, and so the cached module, stays the same in every process)."""
    return [
        "    tg_world = (int64_t *)tg_import_address(",
        f'        "{communication.__name__}", "{WORLD_STATE_ADDRESS_NAME}");',
        "    if (tg_world == NULL) return NULL;",
    ]


def step_lines(
    op: ops.AllReduceOp | ops.AllReduceBucketOp, step: int, operands: list[str], results: list[int]
) -> list[str]:
    """The body of the step of ``op``, whose host call is ``tg_host_step_<step>``."""
    count = len(operands)
    dtype = dtype_of(op.results[0])
    reduction = op.get_reduction()
    call = (
        f"tg_all_reduce(ctx, {step}, {count}, xs, rs, {NPY_TYPES[dtype]}, "
        f"{MPI_DATATYPES[dtype]}, {MPI_OPERATIONS[reduction]}, {int(reduction == 'mean')})"
    )
    return [
        "/* MPI from here once the ranks agreed on this collective in the world installed (its",
        "   first call, by the host call); the host call while the world is not MPI. */",
        "static int64_t agreed = -1;",
        "if (tg_world[TG_WORLD_COMM] == 0 || tg_world[TG_WORLD_GENERATION] != agreed) {",
        "    const int64_t generation = tg_world[TG_WORLD_GENERATION];",
        f"    if (tg_host_step_{step}(v, ctx) < 0) return -1;",
        "    agreed = generation;",
        "    return 0;",
        "}",
        f"PyObject *xs[{count}] = {{{', '.join(operands)}}}, *rs[{count}] = {{NULL}};",
        f"if ({call} < 0) return -1;",
        *(f"Py_XSETREF(v[{slot}], rs[{i}]);" for i, slot in enumerate(results)),
        "return 0;",
    ]
