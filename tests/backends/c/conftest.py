"""The C backend's own tests run on the C backend only."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import tracegraph


@pytest.fixture(autouse=True, params=["c"])
def linker(request: pytest.FixtureRequest) -> Iterator[str]:
    """``FAST_RUN`` compiles to C in these tests."""
    previous = tracegraph.config.linker
    tracegraph.config.linker = request.param
    try:
        yield request.param
    finally:
        tracegraph.config.linker = previous
