"""``config.linker`` and ``config.device`` take their choices from the backend registry, at run
time and in ``TRACEGRAPH_FLAGS``; an unknown value is an error naming them."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator

import pytest

import tracegraph
from tracegraph.backends.registry import devices, linker_names


@pytest.fixture(autouse=True)
def _restore_config() -> Iterator[None]:
    linker, device = tracegraph.config.linker, tracegraph.config.device
    yield
    tracegraph.config.linker, tracegraph.config.device = linker, device


def _python(script: str, flags: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TRACEGRAPH_FLAGS": flags}
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_an_unknown_linker_is_an_error_naming_the_choices() -> None:
    with pytest.raises(ValueError, match=r"config\.linker must be one of \('c', .*'numpy'"):
        tracegraph.config.linker = "banana"
    assert tracegraph.config.linker == "numpy"  # unchanged


@pytest.mark.parametrize("linker", linker_names())
def test_every_name_of_the_registry_is_a_linker(linker: str) -> None:
    tracegraph.config.linker = linker
    assert tracegraph.config.linker == linker


def test_an_unknown_device_is_an_error_naming_the_choices() -> None:
    with pytest.raises(ValueError, match=r"config\.device must be one of \('cpu', 'cuda'\)"):
        tracegraph.config.device = "banana"
    assert tracegraph.config.device == "cpu"
    for device in devices():
        tracegraph.config.device = device


def test_unknown_values_in_the_flags_are_errors_at_import() -> None:
    for flags, message in [
        ("device=banana", "config.device must be one of ('cpu', 'cuda'), not 'banana'"),
        ("linker=banana", "config.linker must be one of ('c', "),
    ]:
        result = _python("import tracegraph", flags)
        assert result.returncode != 0
        assert message in result.stderr, result.stderr


def test_device_cuda_in_the_flags_runs_functions_on_the_triton_backend() -> None:
    pytest.importorskip("triton")
    result = _python(
        """
        import numpy, tracegraph, tracegraph.tensor as T
        x = T.dvector("x")
        f = tracegraph.function([x], x * 2)
        print(type(f._program).__name__, f(numpy.array([1.0, 2.0])))
        """,
        "device=cuda,linker=cvm",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "TritonProgram [2. 4.]"
