"""Every test under ``tests/backends`` runs on the NumPy reference, on C and on ``kernels``, a
backend plug-in that walks the kernel dialect with NumPy (``kernel_interpreter.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack

import pytest

import tracegraph
from tests.backends.kernel_interpreter import kernels_backend


@pytest.fixture(params=["numpy", "c", "kernels"])
def linker_name(request: pytest.FixtureRequest) -> str:
    """The backends these tests run on (``tests/backends/c`` overrides it: C only)."""
    name: str = request.param
    return name


@pytest.fixture(autouse=True)
def linker(linker_name: str) -> Iterator[str]:
    """The backend ``FAST_RUN`` uses in this test (``config.linker``); the kernels backend
    is registered for the test that runs on it."""
    with ExitStack() as stack:
        if linker_name == "kernels":
            stack.enter_context(kernels_backend())
        previous = tracegraph.config.linker
        tracegraph.config.linker = linker_name
        try:
            yield linker_name
        finally:
            tracegraph.config.linker = previous
