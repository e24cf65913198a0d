"""Data-parallel training under ``mpiexec`` on this machine: 2 and 4 ranks train the tutorial's
logistic regression to the weights one process gets on the whole batch (to 1e-12 relative),
with bit-identical replicas; a rank that dies makes the job fail at once, not hang."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

HERE = Path(__file__).resolve().parent
MPIEXEC = Path(sys.executable).with_name("mpiexec")
needs_mpi = pytest.mark.skipif(
    not MPIEXEC.exists(),
    reason='mpiexec is not installed beside Python (pip install "tracegraph[distributed]")',
)


def _run(
    ranks: int,
    script: Path,
    *args: str,
    timeout: float = 300,
    flags: str = "",
) -> subprocess.CompletedProcess[str]:
    command = [str(MPIEXEC), "-n", str(ranks), sys.executable, str(script), *args]
    if ranks == 1:
        command = [sys.executable, str(script), *args]
    env = dict(os.environ, TG_TEST_REPORTS=str(_reports_folder(script)))
    if flags:
        env["TRACEGRAPH_FLAGS"] = flags
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env)


def _reports_folder(script: Path) -> Path:
    """Where the ranks running ``script`` write what they :func:`report`."""
    return script.with_suffix(".reports")


def _reported(script: Path) -> list[str]:
    """The lines every rank running ``script`` reported, sorted."""
    files = sorted(_reports_folder(script).glob("rank-*.txt"))
    return sorted(line for file in files for line in file.read_text().splitlines())


PREAMBLE = """\
import os
import numpy as np
import tracegraph, tracegraph.tensor as T
import tracegraph.distributed as tgd

tgd.init()
x = T.dvector("x")


def report(*parts):
    # A file per rank: lines the ranks print at once can interleave in mpiexec's output
    # (unbuffered, "rankrank 1 ..." was seen), however short.
    folder = os.environ["TG_TEST_REPORTS"]
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, f"rank-{tgd.rank()}.txt"), "a") as out:
        out.write(" ".join(map(str, parts)) + "\\n")
"""
"""What every job script of these tests starts with; ``report`` is their ``print``."""


def _job_script(folder: Path, name: str, body: str) -> Path:
    """``folder/name.py``: :data:`PREAMBLE`, then ``body``."""
    script = folder / f"{name}.py"
    script.write_text(PREAMBLE + textwrap.dedent(body))
    return script


@needs_mpi
@pytest.mark.parametrize("ranks", [2, 4])
def test_ranks_train_to_the_weights_of_one_process_on_the_whole_batch(
    ranks: int, tmp_path: Path
) -> None:
    script = HERE / "train_logistic.py"
    alone = _run(1, script, str(tmp_path / "alone"))
    assert alone.returncode == 0, alone.stderr
    job = _run(ranks, script, str(tmp_path / "job"))
    assert job.returncode == 0, job.stderr
    expected = np.load(tmp_path / "alone-0.npy")
    replicas = [np.load(tmp_path / f"job-{rank}.npy") for rank in range(ranks)]
    for replica in replicas[1:]:
        np.testing.assert_array_equal(replica, replicas[0])  # bit-identical replicas
    np.testing.assert_allclose(replicas[0], expected, rtol=1e-12, atol=1e-15)


@needs_mpi
def test_a_rank_that_dies_fails_the_job_without_hanging(tmp_path: Path) -> None:
    script = _job_script(
        tmp_path,
        "dies",
        """
            import os

            step = tracegraph.function([x], tgd.all_reduce(x, op="sum"))
            step(np.ones(3))
            if tgd.rank() == 1:
                os._exit(3)  # dies between two collectives
            step(np.ones(3))  # rank 0 waits for rank 1 here
            report("rank", tgd.rank(), "finished")
        """,
    )
    started = time.monotonic()
    job = _run(2, script, timeout=120)
    assert job.returncode != 0
    assert time.monotonic() - started < 60
    assert _reported(script) == []


@needs_mpi
def test_ranks_running_different_graphs_are_told_at_the_first_step(tmp_path: Path) -> None:
    script = _job_script(
        tmp_path,
        "mismatch",
        """
            from tracegraph.errors import CollectiveMismatchError

            step = tracegraph.function([x], tgd.all_reduce(x, op="sum"))
            try:
                step(np.ones(3 + tgd.rank()))  # rank 1's gradient has another shape
            except CollectiveMismatchError as error:
                report("rank", tgd.rank(), "told:", error)
        """,
    )
    job = _run(2, script, timeout=120)
    assert job.returncode == 0, job.stderr
    told = _reported(script)
    assert len(told) == 2
    for line in told:
        assert "tg.all_reduce at" in line
        assert (
            "rank 0: all_reduce(sum) of float64[3]; rank 1: all_reduce(sum) of float64[4]" in line
        )


@needs_mpi
def test_the_collectives_across_two_ranks_on_every_backend(tmp_path: Path) -> None:
    script = _job_script(
        tmp_path,
        "collectives",
        """
            import importlib.util, json, sys

            linkers = ["numpy", "c"] + (["triton"] if importlib.util.find_spec("triton") else [])
            for linker in linkers:
                f = tracegraph.function(
                    [x],
                    [tgd.all_reduce(x, "sum"), tgd.all_reduce(x, "max"), tgd.broadcast(x, 1),
                     tgd.all_gather(x[: 2 + tgd.rank()]), tgd.all_reduce(x.sum(), "mean")],
                    mode=tracegraph.Mode(linker=linker),
                )
                values = (np.arange(3.0) + 10 * tgd.rank()).astype(">f8")  # big-endian too
                with open(f"{sys.argv[1]}-{linker}-{tgd.rank()}.json", "w") as out:
                    json.dump([v.tolist() for v in f(values)], out)
        """,
    )
    job = _run(2, script, str(tmp_path / "result"), timeout=300)
    assert job.returncode == 0, job.stderr
    files = sorted(tmp_path.glob("result-*.json"))
    assert len(files) >= 4  # two backends at least, two ranks
    for file in files:
        total, largest, broadcast, gathered, mean = json.loads(file.read_text())
        assert total == [10.0, 12.0, 14.0]
        assert largest == [10.0, 11.0, 12.0]
        assert broadcast == [10.0, 11.0, 12.0]
        assert gathered == [0.0, 1.0, 10.0, 11.0, 12.0]
        assert mean == 18.0  # a 0-d value stays 0-d (MPI's buffers made it a vector once)


@needs_mpi
def test_a_checkpoint_is_written_by_rank_0_and_read_by_every_rank(tmp_path: Path) -> None:
    script = _job_script(
        tmp_path,
        "checkpoint",
        """
            import sys

            w = tracegraph.shared(np.arange(4.0) * (tgd.rank() + 1), "w")
            tgd.save_shared(sys.argv[1], [w])  # rank 0's values
            w.set_value(np.full(4, -1.0))
            tgd.load_shared(sys.argv[1], [w])
            report("rank", tgd.rank(), "loaded", w.get_value().tolist())
            try:
                tgd.load_shared(sys.argv[1] + ".missing", [w])  # rank 0 fails to read
            except (OSError, RuntimeError) as error:
                report("rank", tgd.rank(), "told:", type(error).__name__)
        """,
    )
    job = _run(2, script, str(tmp_path / "w.npz"), timeout=120)
    assert job.returncode == 0, job.stderr
    assert _reported(script) == [
        "rank 0 loaded [0.0, 1.0, 2.0, 3.0]",
        "rank 0 told: FileNotFoundError",
        "rank 1 loaded [0.0, 1.0, 2.0, 3.0]",
        "rank 1 told: RuntimeError",  # rank 0's failure, not a hang
    ]


@needs_mpi
def test_compiled_functions_call_mpi_themselves(tmp_path: Path) -> None:
    """After ``init()``, a C module calls ``MPI_Allreduce`` itself (after a first call through
    the communicator, which checks that the ranks agree), with the communicator's values."""
    script = _job_script(
        tmp_path,
        "native",
        """
            import json, sys
            from tracegraph.distributed.mpi import MPICommunicator

            def outputs(x):
                floats = T.fvector("f")
                ints = T.lmatrix("i")
                return [x, floats, ints], [
                    *tgd.all_reduce([x * 2, x.sum(), floats], "mean"),  # a bucket of two, alone
                    tgd.all_reduce(ints, "sum"),
                    tgd.all_reduce(ints, "max"),
                    tgd.all_reduce(x[:0], "sum"),  # empty
                ]

            rank = tgd.rank()
            values = [
                (np.arange(3.0) + 10 * rank).astype(">f8"),  # big-endian
                np.float32([0.1, 0.2]) * (rank + 1),
                np.arange(4).reshape(2, 2) * (rank + 1),
            ]
            results = {}
            for native in (True, False):
                tgd.init(MPICommunicator(native=native))
                inputs, reduced = outputs(x)
                f = tracegraph.function(inputs, reduced, mode=tracegraph.Mode(linker="c"))
                assert ("tg_all_reduce(ctx" in f.source("c")) == native
                calls = [f(*values), f(*values), f(*values)]
                results[native] = [[v.tolist() for v in call] for call in calls]
                for call in calls[1:]:
                    for first, later in zip(calls[0], call):
                        assert first.dtype == later.dtype and first.shape == later.shape
            with open(f"{sys.argv[1]}-{rank}.json", "w") as out:
                json.dump(results[True], out)
            assert results[True] == results[False], (results[True], results[False])
        """,
    )
    job = _run(2, script, str(tmp_path / "result"), timeout=300)
    assert job.returncode == 0, job.stderr
    for rank in (0, 1):
        calls = json.loads((tmp_path / f"result-{rank}.json").read_text())
        for twice, total, floats, ints, largest, empty in calls:
            assert twice == [10.0, 12.0, 14.0] and total == 18.0
            ranks_floats = [np.float32([0.1, 0.2]) * np.float32(r + 1) for r in (0, 1)]
            assert floats == ((ranks_floats[0] + ranks_floats[1]) / np.float32(2)).tolist()
            assert ints == [[0, 3], [6, 9]] and largest == [[0, 2], [4, 6]]
            assert empty == []


@needs_mpi
@pytest.mark.parametrize(
    ("linker", "waiting_in"),
    [("numpy", "all_reduce(sum)"), ("c", "an all-reduce called by a compiled function")],
)
def test_a_rank_that_hangs_ends_the_job_after_the_timeout(
    linker: str, waiting_in: str, tmp_path: Path
) -> None:
    script = _job_script(
        tmp_path,
        "hangs",
        f"""
            import time

            mode = tracegraph.Mode(linker="{linker}")
            step = tracegraph.function([x], tgd.all_reduce(x, op="sum"), mode=mode)
            step(np.ones(3))
            step(np.ones(3))  # the module's own MPI call after the first
            if tgd.rank() == 1:
                time.sleep(120)  # stuck, alive
            step(np.ones(3))
            report("rank", tgd.rank(), "finished")
        """,
    )
    started = time.monotonic()
    job = _run(2, script, timeout=100, flags="distributed_timeout=2")
    assert job.returncode != 0
    assert time.monotonic() - started < 60
    assert f"rank 0 waited 2 s for the other ranks in {waiting_in}" in job.stderr
    assert _reported(script) == []
