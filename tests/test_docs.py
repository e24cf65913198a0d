"""The documentation: the site builds with Sphinx without a warning, and every Python example
of its pages runs.

On each page, in order and in one namespace (a page reads as one session): a ```` ```python ````
block runs as a script; a ```` ```pycon ```` block (``>>>`` prompts) runs as a doctest whose
printed values must match. Blocks in other languages (``mlir``, ``sh``, ``text``, ``c``) are
shown, not run.
"""

from __future__ import annotations

import doctest
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"
PAGES = sorted(DOCS.rglob("*.md"))
SPHINX = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html"]
"""The build of ``scripts/docs``: warnings are errors."""
FENCE = re.compile(r"^```(\w[\w-]*)[^\n]*\n(.*?)^```\s*$", re.MULTILINE | re.DOTALL)


def examples(page: Path) -> list[tuple[str, str, int]]:
    """The Python blocks of ``page``: (language, code, line of the block's first line)."""
    text = page.read_text(encoding="utf-8")
    found = []
    for match in FENCE.finditer(text):
        language = match.group(1)
        if language in ("python", "pycon"):
            line = text.count("\n", 0, match.start(2)) + 1
            found.append((language, match.group(2), line))
    return found


def test_the_pages_have_examples() -> None:
    tutorial = [page for page in PAGES if page.parent.name == "tutorial"]
    assert tutorial, "no tutorial page"
    for page in tutorial:
        if page.name != "index.md":
            assert examples(page), f"{page.name} has no example"


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(DOCS)) for p in PAGES])
def test_every_example_of_the_page_runs(page: Path, tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)  # examples that write files write them here
    namespace: dict[str, Any] = {"__name__": "__docs__"}
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    for language, code, line in examples(page):
        where = f"{page.relative_to(DOCS)}:{line}"
        if language == "python":
            exec(compile(code, where, "exec"), namespace)
            continue
        test = doctest.DocTestParser().get_doctest(code, namespace, where, str(page), line - 1)
        runner = doctest.DocTestRunner(optionflags=flags)
        report: list[str] = []
        runner.run(test, out=report.append, clear_globs=False)
        namespace.update(test.globs)  # the doctest ran in a copy of the namespace
        assert runner.failures == 0, "".join(report)


def test_the_site_builds_without_warnings(tmp_path: Path) -> None:
    result = subprocess.run(
        [*SPHINX, str(DOCS), str(tmp_path / "html")],
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONWARNINGS="ignore"),
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "html" / "index.html").exists()
    assert (tmp_path / "html" / "api" / "tensor.html").exists()
