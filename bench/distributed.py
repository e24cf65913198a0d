"""Data-parallel training on this machine: the tutorial's logistic regression (400x784) and an
MLP (784-512-10, batch 1024) at 1, 2 and 4 MPI ranks (``mpiexec -n N``), each rank a part of
the same global batch, the gradients averaged by ``tracegraph.distributed.all_reduce``.

Measured per rank count (one job each, ``--repeats`` samples of the median step time, in the
job's rank 0): the step time, the speed-up over one process on the whole batch, and the share of
the step spent in the all-reduces (timed by running the same step with the all-reduce of a world
of one: the difference is the communication and the waiting), and the step as before bucketing
(one message per gradient, each through mpi4py from a host call). The machine has 2 cores: 4 ranks
oversubscribe it, which the table shows.

Run it alone with ``python bench/distributed.py`` or via ``bench/run.py --only distributed``.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
if str(BENCH_DIR) not in sys.path:
    sys.path.insert(0, str(BENCH_DIR))

from harness import Settings, Table, argument_parser, settings_from, step_medians  # noqa: E402

RANKS = (1, 2, 4)
CALLS = 20
MODELS = ("logistic", "mlp")


def _model(name: str, mode: Any = None) -> tuple[Any, Any, tuple[Any, ...]]:
    """The training function of ``name`` (compiled with ``mode``), the function without its
    all-reduces (the same step computed alone), and this rank's share of the global batch."""
    import numpy as np

    import tracegraph
    import tracegraph.distributed as tgd
    import tracegraph.tensor as T

    rng = np.random.default_rng(0)
    if name == "logistic":
        data = (rng.standard_normal((400, 784)), rng.integers(0, 2, 400).astype(np.float64))
        x, y = T.dmatrix("x"), T.dvector("y")
        w = tracegraph.shared(np.zeros(784), "w")
        b = tracegraph.shared(0.0, "b")
        p_1 = 1 / (1 + T.exp(-T.dot(x, w) - b))
        cost = (-y * T.log(p_1) - (1 - y) * T.log(1 - p_1)).mean() + 0.01 * (w**2).sum()
        params = [w, b]
    else:
        data = (rng.standard_normal((1024, 784)), rng.integers(0, 10, 1024))
        x, labels = T.dmatrix("x"), T.lvector("y")
        y = labels
        w1 = tracegraph.shared(rng.standard_normal((784, 512)) * 0.01, "w1")
        b1 = tracegraph.shared(np.zeros(512), "b1")
        w2 = tracegraph.shared(rng.standard_normal((512, 10)) * 0.01, "w2")
        b2 = tracegraph.shared(np.zeros(10), "b2")
        hidden = T.tanh(T.dot(x, w1) + b1)
        probabilities = T.nnet.softmax(T.dot(hidden, w2) + b2)
        cost = T.nnet.categorical_crossentropy(probabilities, labels).mean()
        params = [w1, b1, w2, b2]
    grads = T.grad(cost, params)
    reduced = tgd.all_reduce(grads, op="mean")
    train = tracegraph.function(
        [x, y],
        cost,
        updates=[(p, p - 0.1 * g) for p, g in zip(params, reduced, strict=True)],
        mode=mode,
    )
    alone = tracegraph.function(
        [x, y], cost, updates=[(p, p - 0.1 * g) for p, g in zip(params, grads, strict=True)]
    )
    part = next(tgd.shard(*data))
    return train, alone, part


def worker(name: str, repeats: int) -> dict[str, Any]:
    """One rank's measurements (run under mpiexec; rank 0 prints them)."""
    import tracegraph
    import tracegraph.distributed as tgd
    from tracegraph.distributed.mpi import MPICommunicator

    world = tgd.init()
    train, alone, part = _model(name)
    # As before bucketing: one message per gradient, each through mpi4py from a host call (a
    # module compiled in a world without native MPI calls the communicator installed).
    tgd.init(MPICommunicator(native=False))
    one_by_one, _, _ = _model(name, tracegraph.Mode().excluding("bucket-all-reduce"))
    tgd.init(world)
    variants = {"step": train, "local": alone, "one_by_one": one_by_one}
    samples: dict[str, list[float]] = {key: [] for key in variants}
    for _ in range(repeats):  # the variants in turn: the machine's drifts touch each alike
        for key, step in variants.items():
            tgd.world().barrier()
            samples[key] += step_medians(lambda step=step: step(*part), 1, CALLS)
    return {key: statistics.median(values) for key, values in samples.items()}


def run(settings: Settings) -> list[Table]:
    """One job per model and rank count; the step and all-reduce tables."""
    mpiexec = Path(sys.executable).with_name("mpiexec")
    table = Table(
        "Data-parallel training step on this machine (ms; median over "
        f"{settings.repeats} samples of the median of {CALLS} steps, rank 0)",
        [
            "model",
            "ranks",
            "ms/step",
            "speed-up over 1",
            "all-reduce + wait share",
            "ms/step, a message per gradient via mpi4py",
        ],
    )
    if not mpiexec.exists():
        table.notes.append('mpiexec is not installed: pip install -e ".[distributed]"')
        return [table]
    for model in MODELS:
        single = None
        for ranks in RANKS:
            command = [str(mpiexec), "-n", str(ranks), sys.executable, __file__]
            command += ["--worker", model, "--repeats", str(settings.repeats)]
            done = subprocess.run(command, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                table.notes.append(f"{model} at {ranks} ranks failed: {done.stderr[-300:]}")
                continue
            result = json.loads(done.stdout.strip().splitlines()[-1])
            single = single or result["step"]
            share = max(0.0, 1 - result["local"] / result["step"])
            table.rows.append(
                [model, str(ranks), f"{result['step'] * 1e3:.2f}",
                 f"{single / result['step']:.2f}x", f"{share:.0%}",
                 f"{result['one_by_one'] * 1e3:.2f}"]
            )  # fmt: skip
    table.notes.extend(
        [
            "each rank computes the step on its part of the same global batch (logistic: 400 "
            "samples, MLP: 1024), so the speed-up is what a rank's smaller part saves minus "
            "what the all-reduces cost",
            "all-reduce share: 1 - (the step without its all-reduces) / (the step): the messages "
            "(logistic: 785 doubles; MLP: 407,050) and the ranks waiting for each other",
            "the step sends one message (the bucket-all-reduce pass), which the C module sends "
            "itself (MPI_Allreduce); the last column is the same step with one message per "
            "gradient, each sent through mpi4py from a host call (as before bucketing)",
            "2 cores: at 4 ranks two processes share each core",
        ]
    )
    return [table]


def main() -> None:
    """``--worker NAME`` measures one rank (under mpiexec); else runs the whole benchmark."""
    parser = argument_parser(__doc__.splitlines()[0] if __doc__ else "distributed")
    parser.add_argument("--worker", choices=MODELS)
    arguments = parser.parse_args()
    settings = settings_from(arguments)
    if arguments.worker:
        import tracegraph.distributed as tgd

        result = worker(arguments.worker, settings.repeats)
        if tgd.is_root():
            print(json.dumps(result))
        return
    for table in run(settings):
        print(table.render(), "\n")


if __name__ == "__main__":
    main()
