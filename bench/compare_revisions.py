"""Compare tracegraph at two revisions on the benchmarks, in one run.

``.venv/bin/python bench/compare_revisions.py BASE [--rounds 3] [--only NAME ...]`` checks out
the revision ``BASE`` (a commit, tag or branch) into a temporary git worktree and runs
``bench/run.py --no-compare`` (tracegraph only) alternately with the ``src/`` of that worktree
and with the ``src/`` of this checkout (its working tree, uncommitted changes included), the
same benchmark scripts for both, ``--rounds`` times each. Every number of every table (the
median a cell starts with) is reduced to its median over the rounds, and the tables are printed
side by side: ``BASE``, this checkout, and this checkout ÷ ``BASE`` (below 1: faster now).

Alternating the two, on the same machine in the same minutes, is what makes the ratios worth
reading on a shared, noisy machine; a single run of each is not.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent

Cells = dict[tuple[str, str, str], float]
"""(table heading, row label, column) -> the number the cell starts with."""

_NUMBER = re.compile(r"^\s*([0-9][0-9,]*(?:\.[0-9]+)?(?:e[-+]?[0-9]+)?)")


def parse_tables(markdown: str) -> tuple[Cells, dict[str, list[str]], dict[str, list[str]]]:
    """The numeric cells of every table of ``bench/run.py``'s output, with each table's row
    labels and numeric columns in order.

    >>> cells, rows, columns = parse_tables('''### T
    ... | framework | µs/step | ok |
    ... |---|---|---|
    ... | a | 94 (93–95) | yes |
    ... ''')
    >>> cells[("T", "a", "µs/step")], rows["T"], columns["T"]
    (94.0, ['a'], ['µs/step'])
    """
    cells: Cells = {}
    rows: dict[str, list[str]] = defaultdict(list)
    columns: dict[str, list[str]] = defaultdict(list)
    heading = ""
    header: list[str] = []
    for line in markdown.splitlines():
        if line.startswith("#"):
            heading, header = line.lstrip("#").strip(), []
            continue
        if not line.startswith("|"):
            continue
        parts = [part.strip() for part in line.strip().strip("|").split("|")]
        if not header:
            header = parts
            continue
        if set("".join(parts)) <= set("-: "):
            continue
        label = parts[0]
        for column, cell in zip(header[1:], parts[1:], strict=False):
            match = _NUMBER.match(cell)
            if match is None:
                continue
            cells[(heading, label, column)] = float(match[1].replace(",", ""))
            if label not in rows[heading]:
                rows[heading].append(label)
            if column not in columns[heading]:
                columns[heading].append(column)
    return cells, rows, columns


def run_once(source: Path, only: list[str], repeats: int | None) -> str:
    """The tables of one ``bench/run.py --no-compare`` with ``source`` (a ``src/`` folder)."""
    command = [sys.executable, str(BENCH_DIR / "run.py"), "--no-compare"]
    for name in only:
        command += ["--only", name]
    if repeats is not None:
        command += ["--repeats", str(repeats)]
    environment = {**os.environ, "PYTHONPATH": str(source)}
    done = subprocess.run(command, env=environment, capture_output=True, text=True, check=True)
    return done.stdout


def _format(value: float) -> str:
    return f"{value:.3g}" if value < 1000 else f"{value:,.0f}"


def compare(base: Cells, new: Cells, rows: dict[str, list[str]], cols: dict[str, list[str]]) -> str:
    """Markdown tables: per table, each row and numeric column, base, new and new ÷ base."""
    lines: list[str] = []
    for heading, labels in rows.items():
        lines += [
            f"### {heading}",
            "",
            "| row | column | base | new | new ÷ base |",
            "|---|---|---|---|---|",
        ]
        for label in labels:
            for column in cols[heading]:
                key = (heading, label, column)
                if key in base and key in new:
                    ratio = new[key] / base[key] if base[key] else float("nan")
                    lines.append(
                        f"| {label} | {column} | {_format(base[key])} | {_format(new[key])} | "
                        f"{ratio:.2f} |"
                    )
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    """Check out the base, alternate the runs, print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("base", help="the revision to compare this checkout with")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each (default 3)")
    parser.add_argument("--only", action="append", default=[], metavar="NAME")
    parser.add_argument("--repeats", type=int, default=None, help="passed to bench/run.py")
    arguments = parser.parse_args()
    samples: dict[str, list[Cells]] = {"base": [], "new": []}
    rows: dict[str, list[str]] = {}
    columns: dict[str, list[str]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        tree = Path(scratch) / "base"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), arguments.base],
            check=True,
            capture_output=True,
        )
        try:
            for round_ in range(arguments.rounds):
                for side, source in (("base", tree / "src"), ("new", ROOT / "src")):
                    print(f"round {round_ + 1}: {side}", file=sys.stderr)
                    text = run_once(source, arguments.only, arguments.repeats)
                    cells, rows, columns = parse_tables(text)
                    samples[side].append(cells)
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=False
            )
    medians = {
        side: {
            key: statistics.median(run[key] for run in runs if key in run)
            for key in set().union(*runs)
        }
        for side, runs in samples.items()
    }
    print(f"base: {arguments.base}; new: this checkout; medians of {arguments.rounds} runs each\n")
    print(compare(medians["base"], medians["new"], rows, columns))


if __name__ == "__main__":
    main()
