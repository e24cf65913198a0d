"""Every test under ``tests/backends`` runs on both backends: the NumPy reference and C."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import tracegraph


@pytest.fixture(autouse=True, params=["numpy", "c"])
def linker(request: pytest.FixtureRequest) -> Iterator[str]:
    """The backend ``FAST_RUN`` uses in this test (``config.linker``)."""
    previous = tracegraph.config.linker
    tracegraph.config.linker = request.param
    try:
        yield request.param
    finally:
        tracegraph.config.linker = previous
