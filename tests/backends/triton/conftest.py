"""The Triton backend's own tests run on the Triton backend only (where Triton is installed)."""

from __future__ import annotations

import pytest

pytest.importorskip("triton")


@pytest.fixture
def linker_name() -> str:
    """``FAST_RUN`` runs on Triton in these tests (the ``linker`` fixture of the folder above)."""
    return "triton"
