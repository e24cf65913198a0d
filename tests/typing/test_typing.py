"""Typing tests of the public API.

- ``accept/*.py`` is user code in the style of the documentation: it must pass
  ``mypy --strict`` and run without error.
- A line of an ``accept`` file may end with ``# R: <type>``: mypy's ``reveal_type`` on it must
  reveal exactly ``<type>``, written without module paths (``TensorVariable[Float64, Matrix]``
  for ``tracegraph.tensor.variable.TensorVariable[tracegraph.tensor.kinds.Float64, ...]``).
- ``reject/*.py`` holds lines that ``mypy --strict`` must reject; each such line ends with
  ``# E: <text>``, and every error mypy reports on it must contain ``<text>``. Lines without
  the marker must have no error.

mypy runs once, on both folders, with this checkout's ``src`` first on its search path; its
errors in ``src`` itself are not checked here (``mypy --strict src`` is).
"""

from __future__ import annotations

import json
import os
import re
import runpy
import subprocess
import sys
import tokenize
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
ACCEPT = sorted((HERE / "accept").glob("*.py"))
REJECT = sorted((HERE / "reject").glob("*.py"))
MARKER = re.compile(r"#\s*E:\s*(.+?)\s*$")  # in a comment: "# E: arg-type"
REVEALED = re.compile(r"#\s*R:\s*(.+?)\s*$")  # in a comment: "# R: builtins.int"


@dataclass(frozen=True)
class MypyError:
    path: Path
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}: {self.text}"


@pytest.fixture(scope="session")
def mypy_errors(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> dict[Path, list[MypyError]]:
    """The errors of one ``mypy --strict`` run over accept/ and reject/, by file."""
    pytest.importorskip("mypy")
    cache = getattr(request.config, "cache", None)
    cache_dir = cache.mkdir("mypy-typing") if cache is not None else tmp_path_factory.mktemp("mypy")
    env = {**os.environ, "MYPYPATH": str(ROOT / "src")}
    env.pop("MYPY_FORCE_COLOR", None)
    command = [
        sys.executable,
        "-m",
        "mypy",
        "--strict",
        "--output",
        "json",
        "--cache-dir",
        str(cache_dir),
        "--config-file",
        str(ROOT / "pyproject.toml"),
        *(str(path) for path in ACCEPT + REJECT),
    ]
    completed = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    if completed.returncode not in (0, 1):
        pytest.fail(f"mypy failed to run:\n{completed.stdout}\n{completed.stderr}")
    errors: dict[Path, list[MypyError]] = defaultdict(list)
    for line in completed.stdout.splitlines():
        if not line.startswith("{"):
            continue
        record = json.loads(line)
        path = (ROOT / record["file"]).resolve()
        if record["severity"] == "note" and record["message"].startswith("Revealed type is"):
            errors[path].append(MypyError(path, int(record["line"]), record["message"]))
            continue
        if record["severity"] != "error":
            continue
        errors[path].append(
            MypyError(path, int(record["line"]), f"{record['message']}  [{record['code']}]")
        )
    return errors


def _markers(path: Path, marker: re.Pattern[str] = MARKER) -> dict[int, str]:
    """The expected text of each marked line, by line number (comments only)."""
    markers: dict[int, str] = {}
    with tokenize.open(path) as source:
        for token in tokenize.generate_tokens(source.readline):
            if token.type == tokenize.COMMENT and (match := marker.match(token.string)):
                markers[token.start[0]] = match.group(1)
    return markers


MODULE_PATH = re.compile(r"\b(?:[a-z_]\w*\.)+(?=[A-Za-z_])")
"""The module path before a name in a type as mypy prints it (``numpy.``, ``builtins.``)."""


def _revealed(found: list[MypyError]) -> tuple[dict[int, str], list[MypyError]]:
    """The revealed types, by line and without module paths, and the errors."""
    revealed = {
        e.line: MODULE_PATH.sub("", e.text) for e in found if e.text.startswith("Revealed type is")
    }
    return revealed, [e for e in found if not e.text.startswith("Revealed type is")]


def test_files_exist() -> None:
    assert ACCEPT, "no accept files"
    assert REJECT, "no reject files"
    for path in REJECT:
        assert _markers(path), f"{path.name} marks no line with '# E:'"


@pytest.mark.parametrize("path", ACCEPT, ids=lambda p: p.name)
def test_accept_file_typechecks(path: Path, mypy_errors: dict[Path, list[MypyError]]) -> None:
    revealed, errors = _revealed(mypy_errors.get(path.resolve(), []))
    assert not errors, "mypy --strict rejects:\n" + "\n".join(map(str, errors))
    expected = _markers(path, REVEALED)
    wrong = [
        f"line {line}: expected {want!r}, {revealed.get(line, 'no reveal_type')}"
        for line, want in sorted(expected.items())
        if revealed.get(line) != f'Revealed type is "{want}"'
    ]
    unmarked = sorted(set(revealed) - set(expected))
    assert not wrong, "\n".join(wrong)
    assert not unmarked, f"reveal_type without a '# R:' marker on lines {unmarked}"


@pytest.mark.parametrize("path", REJECT, ids=lambda p: p.name)
def test_reject_file_errors(path: Path, mypy_errors: dict[Path, list[MypyError]]) -> None:
    markers = _markers(path)
    by_line: dict[int, list[MypyError]] = defaultdict(list)
    for error in _revealed(mypy_errors.get(path.resolve(), []))[1]:
        by_line[error.line].append(error)
    problems: list[str] = []
    for line, expected in sorted(markers.items()):
        found = by_line.get(line, [])
        if not found:
            problems.append(f"line {line}: no error, expected one containing {expected!r}")
        for error in found:
            if expected not in error.text:
                problems.append(f"line {line}: expected {expected!r} in: {error.text}")
    for line, found in sorted(by_line.items()):
        if line not in markers:
            problems.extend(f"unexpected error: {error}" for error in found)
    assert not problems, f"{path.name}:\n" + "\n".join(problems)


@pytest.mark.parametrize("path", ACCEPT, ids=lambda p: p.name)
def test_accept_file_runs(path: Path) -> None:
    runpy.run_path(str(path), run_name="__accept__")
