"""Every test under ``tests/backends`` runs on both backends: the NumPy reference and C."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import tracegraph


@pytest.fixture(params=["numpy", "c"])
def linker_name(request: pytest.FixtureRequest) -> str:
    """The backends these tests run on (``tests/backends/c`` overrides it: C only)."""
    name: str = request.param
    return name


@pytest.fixture(autouse=True)
def linker(linker_name: str) -> Iterator[str]:
    """The backend ``FAST_RUN`` uses in this test (``config.linker``)."""
    previous = tracegraph.config.linker
    tracegraph.config.linker = linker_name
    try:
        yield linker_name
    finally:
        tracegraph.config.linker = previous
