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
import os
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import pytest

import tracegraph
from tests.backends.kernel_interpreter import kernels_backend
from tracegraph.errors import UnsupportedOperationError

TRITON_DEFAULT_MODULES = frozenset(
    {
        "test_numpy_elementwise.py",
        "test_numpy_casts.py",
        "test_numpy_reductions.py",
        "test_numpy_signed_zeros.py",
        "test_numpy_byte_order.py",
        "test_control_flow.py",
        "test_numpy_extra_ops.py",
        "test_numpy_conv.py",
        "test_lenet.py",
        "test_numpy_linalg.py",
    }
)
"""The modules whose Triton cases the default run takes (the ops Triton computes in loops,
products and reductions)."""

_TRITON = importlib.util.find_spec("triton") is not None

TRITON_SPLIT = int(os.environ.get("TG_TRITON_SPLIT", "1"))
"""Parts the interpreter splits every reduction's rows into, in chunks of 2 columns
(``TG_TRITON_SPLIT=3``: the split path of the GPU, where few long rows are reduced by several
programs each)."""

TRITON_DEVICE = os.environ.get("TG_TRITON_DEVICE")
"""Where the Triton cases run (``TritonProgram``'s device) when set: ``cpu`` runs them on the
torch runtime with CPU tensors (a machine with torch and no GPU); by default the program
chooses (a GPU where torch sees one, else NumPy under the interpreter)."""


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
        for name, signature in self.signatures.items():
            # Launches and specializations address parameters by position.
            assert list(signature) == getattr(module, name).arg_names, name
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
            if TRITON_SPLIT > 1:
                from tracegraph.backends.triton.runtime import InterpreterRuntime

                monkeypatch.setattr(InterpreterRuntime, "split_parts", TRITON_SPLIT)
                monkeypatch.setattr(InterpreterRuntime, "widest_chunk", 2)
            if TRITON_DEVICE:
                import tracegraph.backends.triton.program as program

                monkeypatch.setattr(program, "DEFAULT_DEVICE", TRITON_DEVICE)
        previous = tracegraph.config.linker
        tracegraph.config.linker = linker_name
        try:
            yield linker_name
        finally:
            tracegraph.config.linker = previous


def _triton_case(item: pytest.Item) -> bool:
    """Whether the test is the Triton case of a test of the suite."""
    callspec = getattr(item, "callspec", None)
    return callspec is not None and callspec.params.get("linker_name") == "triton"


def _on_triton(item: pytest.Item) -> bool:
    """Whether the test runs on the Triton backend (a Triton case, or a test of its own)."""
    return _triton_case(item) or item.path.parent.name == "triton"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if _triton_case(item) and item.path.name not in TRITON_DEFAULT_MODULES:
            item.add_marker(pytest.mark.triton_full)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """On the torch runtime (``TG_TRITON_DEVICE``), a case whose function uses an op it has no
    device operation for is an expected failure naming the op (``function()`` refused it), not
    a pass and not a failure."""
    report: pytest.TestReport = yield
    error = call.excinfo.value if call.excinfo is not None else None
    refused = isinstance(error, UnsupportedOperationError) and "on a GPU" in str(error)
    if TRITON_DEVICE and _on_triton(item) and report.failed and refused:
        report.outcome = "skipped"
        report.wasxfail = f"refused on the torch runtime: {error}"
    return report
