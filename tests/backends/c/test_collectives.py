"""The all-reduces a C module calls MPI for (``backends/c/collectives.py``): what the module of
a function compiled in an MPI world holds. Running them takes ranks: ``tests/distributed/
test_mpi.py`` runs such modules under ``mpiexec`` against the communicator's own values."""

from __future__ import annotations

import tracegraph
import tracegraph.distributed as tgd
import tracegraph.tensor as T
from tests.distributed.worlds import ThirdOfThree, playing
from tracegraph.backends.c.build import module_include_dirs
from tracegraph.ir.communication import NativeMPI

WRITTEN_ONLY = tracegraph.Mode(linker="numpy")
"""The functions here run on the reference: their C modules are only written."""


class PretendMPI(ThirdOfThree):
    """A world that says compiled code may call MPI (whose header is nowhere: the modules are
    only written here, not compiled)."""

    def native_mpi(self) -> NativeMPI:
        return NativeMPI(header="/opt/mpi/include/mpi.h", comm=7)


def _source(world: ThirdOfThree) -> str:
    x, i = T.dvector("x"), T.lvector("i")
    with playing(world):
        f = tracegraph.function(
            [x, i],
            [
                *tgd.all_reduce([x * 2, x.sum()], "mean"),
                tgd.all_reduce(i, "max"),
                tgd.all_reduce(x > 0, "max"),  # booleans: the reference kernel
            ],
            mode=WRITTEN_ONLY,
        )
        return f.source("c")


def test_a_module_compiled_in_an_mpi_world_calls_mpi_itself() -> None:
    source = _source(PretendMPI())
    assert module_include_dirs(source) == ["-I/opt/mpi/include"]
    assert source.index('#include "tg_prelude.h"') < source.index("#include <mpi.h>")
    assert source.count("static int tg_host_step_") == 2  # the bucket's and the max's
    assert "MPI_DOUBLE, MPI_SUM, 1)" in source  # the bucket of the means: one call
    assert "MPI_INT64_T, MPI_MAX, 0)" in source
    assert source.count("tg_all_reduce(ctx, ") == 2  # not the booleans'
    assert "tg_world = (int64_t *)tg_import_address(" in source


def test_a_module_compiled_in_another_world_calls_the_communicator() -> None:
    source = _source(ThirdOfThree())
    assert "<mpi.h>" not in source and "MPI_" not in source and "tg_world" not in source
    assert not module_include_dirs(source)


def test_an_mpi_module_waits_for_the_ranks_to_agree_before_calling_mpi() -> None:
    # Its first call on each installed world runs the host call, whose kernel checks.
    source = _source(PretendMPI())
    guard = "if (tg_world[TG_WORLD_COMM] == 0 || tg_world[TG_WORLD_GENERATION] != agreed) {"
    assert source.count(guard) == 2
    first_step = source[source.index(guard) :]
    assert first_step.index("tg_host_step_") < first_step.index("tg_all_reduce(ctx, ")
