"""The walk of ``docs/internals.md`` shows the dumps tracegraph produces now: its generated
part is what ``tracegraph.tools.walkthrough`` renders."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tracegraph.tools import walkthrough

PAGE = Path(__file__).resolve().parents[2] / "docs" / "internals.md"


def test_the_walk_is_current() -> None:
    text = PAGE.read_text(encoding="utf-8")
    assert walkthrough.render() in text, (
        "the walk in docs/internals.md is stale: python -m tracegraph.tools.walkthrough"
    )


def test_the_walk_shows_every_stage_and_the_c() -> None:
    text = walkthrough.render()
    for number, (stage, _) in enumerate(walkthrough.STAGES, start=1):
        assert f"## {number}. {stage}" in text
    assert "TG_KERNEL int tg_step_1(" in text
    assert text.startswith(walkthrough.BEGIN) and text.endswith(walkthrough.END)


def test_update_rewrites_only_between_the_markers(tmp_path: Path) -> None:
    page = tmp_path / "internals.md"
    page.write_text(f"before\n{walkthrough.BEGIN}\nold\n{walkthrough.END}\nafter\n")
    assert walkthrough.update(page)
    text = page.read_text()
    assert text.startswith("before\n") and text.endswith("\nafter\n") and "old" not in text
    assert not walkthrough.update(page)


def test_a_page_without_markers_is_an_error(tmp_path: Path) -> None:
    page = tmp_path / "other.md"
    shutil.copy(PAGE, page)
    page.write_text("no markers here\n")
    with pytest.raises(ValueError, match="no walk markers"):
        walkthrough.update(page)
