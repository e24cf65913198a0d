"""The C backend's own tests run on the C backend only."""

from __future__ import annotations

import pytest


@pytest.fixture
def linker_name() -> str:
    """``FAST_RUN`` compiles to C in these tests (the ``linker`` fixture of the folder above)."""
    return "c"
