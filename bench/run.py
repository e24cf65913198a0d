"""Run every benchmark and print its tables: ``.venv/bin/python bench/run.py``.

Each name in :data:`BENCHMARKS` is a module of this folder exposing
``run(settings: harness.Settings) -> list[harness.Table]``; to add a benchmark, write the module
(see ``tracing.py``) and add its name here. ``--only NAME`` runs some of them; the other options
(``--repeats``, ``--no-compare``, ``--profile``) are passed on to every benchmark.
"""

from __future__ import annotations

import importlib
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import cast

BENCH_DIR = Path(__file__).resolve().parent
if str(BENCH_DIR) not in sys.path:  # also when run as `python -m` or imported from elsewhere
    sys.path.insert(0, str(BENCH_DIR))

from harness import (  # noqa: E402 - needs the path above
    Settings,
    Table,
    argument_parser,
    machine_table,
    print_tables,
    settings_from,
)

BENCHMARKS: tuple[str, ...] = (
    "tracing",
    "compile",
    "logistic",
    "softmax",
    "mlp",
    "kernels",
    "rnn",
    "lenet",
    "distributed",
)
"""The benchmark modules, in the order they run."""

Benchmark = Callable[[Settings], list[Table]]


def load(name: str) -> Benchmark:
    """The ``run`` function of the benchmark module ``name``."""
    module = importlib.import_module(name)
    runner = getattr(module, "run", None)
    if not callable(runner):
        raise SystemExit(f"benchmark module {name!r} has no run(settings) function")
    return cast(Benchmark, runner)


def main() -> None:
    """Parse the command line, run the chosen benchmarks and print their tables."""
    parser = argument_parser(__doc__.splitlines()[0] if __doc__ else "run the benchmarks")
    parser.add_argument(
        "--only",
        action="append",
        choices=BENCHMARKS,
        metavar="NAME",
        help=f"run only this benchmark (repeatable; one of: {', '.join(BENCHMARKS)})",
    )
    arguments = parser.parse_args()
    settings = settings_from(arguments)
    chosen = arguments.only or list(BENCHMARKS)
    print_tables([machine_table()])
    for name in chosen:
        print(f"## {name}\n", flush=True)
        start = time.perf_counter()
        tables = load(name)(settings)
        print_tables(tables)
        print(f"({name} took {time.perf_counter() - start:.0f} s)\n", flush=True)


if __name__ == "__main__":
    main()
