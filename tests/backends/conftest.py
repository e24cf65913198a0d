"""Every test under ``tests/backends`` runs on the NumPy reference, on C, on ``kernels``, a
backend plug-in that walks the kernel dialect with NumPy (``kernel_interpreter.py``), and on
Triton, its kernels under Triton's interpreter.

Triton's interpreter costs about a millisecond per program instance, so the default run takes
the Triton cases of the modules in ``TRITON_DEFAULT_MODULES`` only; the others are marked
``triton_full`` (``pytest -m triton_full tests/backends`` runs them). Every Triton program of
these tests also compiles its kernels to PTX for sm_90 (no GPU needed), and the numerics are
checked (``ptx_problems``: no approximate division or square root).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import pytest

import tracegraph
from tests.backends.kernel_interpreter import kernels_backend

TRITON_DEFAULT_MODULES = frozenset(
    {
        "test_numpy_elementwise.py",
        "test_numpy_casts.py",
        "test_numpy_reductions.py",
        "test_numpy_signed_zeros.py",
        "test_numpy_byte_order.py",
    }
)
"""The modules whose Triton cases the default run takes (the ops Triton computes in loops,
products and reductions)."""

_TRITON = importlib.util.find_spec("triton") is not None


@pytest.fixture(params=["numpy", "c", "kernels", "triton"])
def linker_name(request: pytest.FixtureRequest) -> str:
    """The backends these tests run on (``tests/backends/c`` overrides it: C only)."""
    name: str = request.param
    if name == "triton" and not _TRITON:
        pytest.skip("Triton is not installed (the gpu extra)")
    return name


def _compiled_to_ptx(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every Triton program the test makes also compiles its kernels to PTX for sm_90, whose
    numerics are checked (``ptx_problems``)."""
    from tracegraph.backends.triton.compile import module_kernels, ptx_problems
    from tracegraph.backends.triton.program import TritonProgram

    made = TritonProgram.__init__

    def checked(self: TritonProgram, *args: Any, **kwargs: Any) -> None:
        made(self, *args, **kwargs)
        module = self.compiled_module()
        for name, kernel in module_kernels(module, self.signatures).items():
            problems = ptx_problems(kernel)
            assert not problems, f"{name}: {problems}"

    monkeypatch.setattr(TritonProgram, "__init__", checked)


@pytest.fixture(autouse=True)
def linker(linker_name: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The backend ``FAST_RUN`` uses in this test (``config.linker``); the kernels backend
    is registered for the test that runs on it; on Triton, every program's kernels are also
    compiled to PTX."""
    with ExitStack() as stack:
        if linker_name == "kernels":
            stack.enter_context(kernels_backend())
        if linker_name == "triton":
            _compiled_to_ptx(monkeypatch)
        previous = tracegraph.config.linker
        tracegraph.config.linker = linker_name
        try:
            yield linker_name
        finally:
            tracegraph.config.linker = previous


def _on_triton(item: pytest.Item) -> bool:
    callspec = getattr(item, "callspec", None)
    return callspec is not None and callspec.params.get("linker_name") == "triton"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if _on_triton(item) and item.path.name not in TRITON_DEFAULT_MODULES:
            item.add_marker(pytest.mark.triton_full)
