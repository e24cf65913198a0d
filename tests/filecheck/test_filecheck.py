"""Golden IR tests: every ``.mlir`` file under ``tests/filecheck`` is run as LLVM's lit would.

A file holds a small module in the ``tg`` dialect, one or more ``// RUN:`` lines and the
``// CHECK:`` lines (``CHECK-NEXT``, ``CHECK-NOT``, ``CHECK-LABEL``...) that its output must
match::

    // RUN: tracegraph-opt %s -p canonicalize,dce --no-locations | filecheck %s

A RUN line is a pipe of ``tracegraph-opt`` stages (the command line of
:func:`tracegraph.tools.opt.main`, run in this process; ``%s`` is the file, and a later stage
reads the output of the one before) ending in ``filecheck %s [flags]``, which runs the
``filecheck`` package (a Python port of LLVM's FileCheck) in a subprocess. A line
``// XFAIL: <reason>`` marks a file whose checks are known to fail (strictly: once they pass,
the test fails until the marker is removed).

Each canonicalization, stabilization and expansion pattern has a file named after it
(``canonicalize/FoldMulOne.mlir``) with the cases it must rewrite and those it must leave alone.
"""

from __future__ import annotations

import contextlib
import io
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tracegraph.passes.canonicalize import CANONICALIZE_PATTERNS
from tracegraph.passes.expand import EXPAND_PATTERNS
from tracegraph.passes.stabilize import STABILIZE_PATTERNS
from tracegraph.tools import opt

ROOT = Path(__file__).parent
FILES = sorted(ROOT.rglob("*.mlir"))

_RUN = re.compile(r"^\s*//\s*RUN:(.*)$")
_XFAIL = re.compile(r"^\s*//\s*XFAIL:(.*)$")


@dataclass(frozen=True)
class Run:
    """One RUN line: the ``tracegraph-opt`` stages and the ``filecheck`` arguments."""

    line: str
    stages: tuple[tuple[str, ...], ...]
    filecheck_args: tuple[str, ...]


def parse_runs(path: Path) -> list[Run]:
    """The RUN lines of a file, with ``%s`` replaced by its path."""
    runs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        match = _RUN.match(line)
        if match is None:
            continue
        tokens = [str(path) if token == "%s" else token for token in shlex.split(match[1])]
        commands: list[list[str]] = [[]]
        for token in tokens:
            if token == "|":
                commands.append([])
            else:
                commands[-1].append(token)
        *stages, check = commands
        if not stages or any(not s or s[0] != "tracegraph-opt" for s in stages):
            raise ValueError(f"{path.name}: RUN must start with tracegraph-opt stages: {line}")
        if not check or check[0] != "filecheck":
            raise ValueError(f"{path.name}: RUN must end with '| filecheck %s': {line}")
        runs.append(Run(line.strip(), tuple(tuple(s[1:]) for s in stages), tuple(check[1:])))
    return runs


def run_opt(args: tuple[str, ...], previous: str | None, scratch: Path) -> str:
    """Run one ``tracegraph-opt`` stage in this process; a stage after the first reads the
    previous stage's output (from a file, as it would from a pipe)."""
    argv = list(args)
    if previous is not None:
        scratch.write_text(previous, encoding="utf-8")
        argv.append(str(scratch))
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        opt.main(argv)
    return output.getvalue()


def _params() -> list[object]:
    params: list[object] = []
    for path in FILES:
        reasons = [m[1].strip() for m in map(_XFAIL.match, path.read_text().splitlines()) if m]
        marks = [pytest.mark.xfail(strict=True, reason=reason) for reason in reasons]
        params.append(pytest.param(path, id=path.relative_to(ROOT).as_posix(), marks=marks))
    return params


@pytest.mark.parametrize("path", _params())
def test_golden(path: Path, tmp_path: Path) -> None:
    assert path.read_text().startswith("// RUN:"), f"{path.name} must start with '// RUN:'"
    runs = parse_runs(path)
    for run in runs:
        text: str | None = None
        for index, args in enumerate(run.stages):
            try:
                text = run_opt(args, text, tmp_path / f"stage{index}.mlir")
            except (Exception, SystemExit) as error:
                failure = f"{type(error).__name__}: {error}"
            else:
                continue
            pytest.fail(f"{run.line}\ntracegraph-opt {shlex.join(args)}: {failure}", pytrace=False)
        result = subprocess.run(
            [sys.executable, "-m", "filecheck", *run.filecheck_args],
            input=text,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            pytest.fail(
                f"{run.line}\n--- output of tracegraph-opt ---\n{text}"
                f"--- filecheck ---\n{result.stdout}{result.stderr}",
                pytrace=False,
            )


@pytest.mark.parametrize(
    ("folder", "patterns"),
    [
        ("canonicalize", CANONICALIZE_PATTERNS),
        ("stabilize", STABILIZE_PATTERNS),
        ("expand", EXPAND_PATTERNS),
    ],
)
def test_every_pattern_has_a_golden_file(folder: str, patterns: tuple[type, ...]) -> None:
    names = {pattern.__name__ for pattern in patterns}
    missing = sorted(name for name in names if not (ROOT / folder / f"{name}.mlir").is_file())
    assert not missing, f"patterns without tests/filecheck/{folder}/<Pattern>.mlir: {missing}"
    for path in (ROOT / folder).glob("*.mlir"):
        # CamelCase files are named after a pattern (``FoldMulOne-negative.mlir`` too).
        stem = path.stem.removesuffix("-negative")
        if stem[:1].isupper():
            assert stem in names, f"{path.name}: no pattern {stem} in the {folder} pass"
        assert all(folder in run.line for run in parse_runs(path)), f"{path.name}: no {folder}"
