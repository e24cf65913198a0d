"""The support page (``docs/support.md``) is what ``tracegraph.tools.support`` generates from
the code now, and its tables are honest: every one of Theano's names is supported or has a
reason, and every reason is for a name that needs one."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracegraph.tools import support

PAGE = Path(__file__).resolve().parents[2] / "docs" / "support.md"


def test_the_page_is_current() -> None:
    assert PAGE.read_text(encoding="utf-8") == support.render(), (
        "docs/support.md is stale: python -m tracegraph.tools.support > docs/support.md"
    )


def test_every_name_is_supported_or_has_a_reason() -> None:
    missing = [(module, name) for module, name, state, _ in support.rows() if state == "missing"]
    assert not missing, f"give these a reason in tools/support.py (or implement them): {missing}"


@pytest.mark.parametrize("table", ["NOT_PLANNED", "NOT_YET"])
def test_a_name_with_a_reason_to_lack_it_is_really_lacking(table: str) -> None:
    present = [key for key in getattr(support, table) if support._lookup(*key)]
    assert not present, f"tracegraph has these now: take them out of {table}: {present}"


def test_every_reason_names_one_of_theanos_names() -> None:
    for table in (support.NOT_PLANNED, support.NOT_YET, support.PARTIAL):
        for module, name in table:
            assert name in support.THEANO[module].split(), (module, name)
