"""Which backend the tests run on.

``function`` compiles to C by default (``config.linker = "c"``), and building a C module takes
about 0.2 s, most of it the compiler's. The tests of what does not depend on the backend (the
frontend, the passes, gradients, random streams, ``function``'s arguments) run on the NumPy
reference backend, which compiles nothing; the tests about backends run on both:

- ``tests/backends`` runs every op test on the reference, on the C backend and on ``toy``, a
  plug-in that registers the reference interpreter under another name (the ``linker`` fixture
  of ``tests/backends/conftest.py``), and ``tests/backends/c`` holds the C backend's own tests
  (its kernels against the reference, the compile cache);
- ``tests/spec`` runs the specification on the default backend, C, and so do the examples of
  the documentation (``tests/test_docs.py``), as a reader's program would.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import tracegraph

ROOT = Path(__file__).parent
ON_THE_DEFAULT_BACKEND = (ROOT / "backends", ROOT / "spec", ROOT / "test_docs.py")


@pytest.fixture(autouse=True)
def _reference_backend_unless_testing_backends(request: pytest.FixtureRequest) -> Iterator[None]:
    path = Path(str(request.node.path))
    if any(path.is_relative_to(folder) for folder in ON_THE_DEFAULT_BACKEND):
        yield
        return
    previous = tracegraph.config.linker
    tracegraph.config.linker = "numpy"
    try:
        yield
    finally:
        tracegraph.config.linker = previous
