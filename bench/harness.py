"""What every benchmark module shares: settings, timing helpers and result tables.

A benchmark module (listed in ``run.BENCHMARKS``) exposes ``run(settings) -> list[Table]`` and a
``main()`` that parses the common command line and prints its tables, so that it runs alone as
``python bench/NAME.py`` or with the others as ``python bench/run.py``.
"""

from __future__ import annotations

import argparse
import gc
import importlib.metadata
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

R = TypeVar("R")


@dataclass(frozen=True)
class Settings:
    """Options common to every benchmark."""

    repeats: int = 5
    """How many timed samples to take of each measurement (the median is reported)."""
    compare: bool = True
    """Also measure the other frameworks (PyTensor, JAX) where they are installed."""
    profile: bool = False
    """Also print cProfile tables of the tracegraph steps a benchmark measures."""


@dataclass
class Table:
    """A result table: a title, column names, rows of cells and notes printed under it."""

    title: str
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def render(self) -> str:
        """The table as GitHub Markdown (readable as plain text, pasteable into a README)."""
        widths = [len(column) for column in self.columns]
        for row in self.rows:
            widths = [max(width, len(cell)) for width, cell in zip(widths, row, strict=True)]

        def line(cells: Sequence[str]) -> str:
            padded = [cell.ljust(width) for cell, width in zip(cells, widths, strict=True)]
            return "| " + " | ".join(padded) + " |"

        parts = [f"### {self.title}", "", line(self.columns)]
        parts.append("|" + "|".join("-" * (width + 2) for width in widths) + "|")
        parts.extend(line(row) for row in self.rows)
        if self.notes:
            parts.append("")
            parts.extend(f"- {note}" for note in self.notes)
        return "\n".join(parts)


def timed(action: Callable[[], R]) -> tuple[float, R]:
    """Run ``action`` once after a garbage collection; return (seconds, its result).

    The collector stays enabled while it runs: building a graph allocates many objects, and
    the collections that triggers are part of what a user waits for.
    """
    gc.collect()
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def median_call_seconds(call: Callable[[], object], calls: int = 20) -> float:
    """The median time of ``calls`` calls of ``call``, after one untimed warm-up call."""
    call()
    samples = []
    for _ in range(calls):
        start = time.perf_counter()
        call()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def summarize(samples: Sequence[float], unit: str = "s") -> str:
    """``median (min–max)`` of timings in seconds, shown in ``unit`` (``"s"`` or ``"ms"``)."""
    scale = 1000.0 if unit == "ms" else 1.0
    median = statistics.median(samples) * scale
    if len(samples) < 2:
        return f"{median:.3g}"
    return f"{median:.3g} ({min(samples) * scale:.3g}–{max(samples) * scale:.3g})"


def ratio(value: float, reference: float) -> str:
    """``value / reference`` as ``"12.3×"``."""
    return f"{value / reference:.3g}×" if reference > 0 else "n/a"


def best_peer(times: dict[str, float], ours: Sequence[str]) -> tuple[str, float]:
    """The fastest system that is not one of ``ours`` and its time (``("none", 0.0)`` when
    only ours were measured): what every table's ratio is taken against."""
    peers = {name: value for name, value in times.items() if name not in ours}
    if not peers:
        return "none", 0.0
    name = min(peers, key=peers.__getitem__)
    return name, peers[name]


def json_from_process(script: str, *arguments: str, label: str) -> dict[str, Any] | str:
    """Run ``python script *arguments`` in a new process and parse the JSON object its last
    line of output prints; on failure, a note naming ``label`` and the error's last line."""
    command = [sys.executable, script, *arguments]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["failed"])[-1]
        return f"{label} failed or is not installed: {last}"
    parsed: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return parsed


def step_medians(step: Callable[[], object], samples: int, calls: int) -> list[float]:
    """Two warm-up calls of ``step``, then per sample the median seconds of ``calls`` calls."""
    step()
    step()
    medians = []
    for _ in range(samples):
        times = []
        for _ in range(calls):
            begin = time.perf_counter()
            step()
            times.append(time.perf_counter() - begin)
        medians.append(statistics.median(times))
    return medians


def workers(
    script: str, names: Sequence[str], repeats: int, prefix: str
) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """Run ``script --worker NAME --repeats N`` in a process of its own for each name: the
    JSON results by name, and a note for each that failed."""
    results: dict[str, dict[str, Any]] = {}
    notes: list[str] = []
    for name in names:
        print(f"{prefix}: {name}", file=sys.stderr)
        outcome = json_from_process(script, "--worker", name, "--repeats", str(repeats), label=name)
        if isinstance(outcome, str):
            notes.append(f"{name} skipped: {outcome}")
        else:
            results[name] = outcome
    return results, notes


def weights_agreement(weights: Sequence[Any], expected: Sequence[Any], tolerance: float) -> str:
    """``same (d)`` or ``DIFFERENT (d)``: d is the largest max |difference| / max |weight| of
    corresponding weight arrays."""
    import numpy as np

    worst = max(
        float(np.max(np.abs(np.array(w) - np.array(e))) / (np.max(np.abs(np.array(e))) + 1e-300))
        for w, e in zip(weights, expected, strict=True)
    )
    return f"{'same' if worst <= tolerance else 'DIFFERENT'} ({worst:.2g})"


def package_version(name: str) -> str:
    """The installed version of a distribution, or ``"not installed"``."""
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def machine_table() -> Table:
    """Where the numbers were measured: CPU, cores, Python and package versions."""
    table = Table("Machine", ["what", "value"])
    table.rows.append(["cpu", _cpu_model()])
    table.rows.append(["cores (os.cpu_count)", str(os.cpu_count())])
    table.rows.append(["python", f"{platform.python_implementation()} {platform.python_version()}"])
    for package in ("tracegraph", "numpy", "xdsl", "pytensor", "jax", "jaxlib", "numba"):
        table.rows.append([package, package_version(package)])
    return table


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for text in cpuinfo:
                if text.startswith("model name"):
                    return text.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def argument_parser(description: str) -> argparse.ArgumentParser:
    """The command line every benchmark accepts (``run.py`` adds its own options)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--repeats",
        type=int,
        default=Settings.repeats,
        help="timed samples per measurement; the median is reported (default %(default)s)",
    )
    parser.add_argument(
        "--no-compare",
        dest="compare",
        action="store_false",
        help="measure tracegraph only, even where PyTensor or JAX is installed",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also print cProfile tables of the tracegraph steps a benchmark measures",
    )
    return parser


def settings_from(arguments: argparse.Namespace) -> Settings:
    """The settings named on the command line."""
    if arguments.repeats < 1:
        raise SystemExit("--repeats must be at least 1")
    return Settings(repeats=arguments.repeats, compare=arguments.compare, profile=arguments.profile)


def print_tables(tables: Sequence[Table]) -> None:
    """Print tables separated by blank lines."""
    for table in tables:
        print(table.render())
        print()
