"""A compile cache that cannot be written (read-only, impossible to create, full) leaves
``function()`` working: the process compiles into a private temporary directory, with one
warning naming the directory and the reason."""

from __future__ import annotations

import contextlib
import errno
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import tracegraph
import tracegraph.tensor as T
from tracegraph.backends.c import build, cache


@pytest.fixture
def fresh_process_cache(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This process's choice of cache directories and its loaded modules forgotten, as in a
    new process (so that each test compiles)."""
    monkeypatch.setattr(cache, "_usable", {})
    monkeypatch.setattr(build, "_LOADED", {})
    yield


def compiled_and_run(tag: float) -> Any:
    """Compile (a module no other test has: ``tag`` is in its source) and run a function on
    the C backend."""
    x = T.dvector("x")
    f = tracegraph.function([x], T.exp(x) * tag, mode=tracegraph.Mode(linker="c"))
    np.testing.assert_allclose(f(np.zeros(2)), [tag, tag])
    return f


def _warns_about(directory: Path, reason: str) -> Any:
    return pytest.warns(
        RuntimeWarning, match=f"the compile cache {directory} cannot be used \\({reason}"
    )


@contextlib.contextmanager
def _small_filesystem(where: Path, size: str, read_only: bool = False) -> Iterator[Path]:
    """A tmpfs of ``size`` mounted at ``where`` (root only)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small or read-only filesystem needs root")
    where.mkdir()
    options = f"size={size}" + (",ro" if read_only else "")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def test_a_directory_that_cannot_be_created(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_process_cache: None
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setattr(tracegraph.config, "compiledir", str(blocker / "cache"))
    with _warns_about(blocker / "cache", "Not a directory"):
        compiled_and_run(1.25)
    private = cache.cache_dir()
    assert private != blocker / "cache" and private.name.startswith("tracegraph-cache-")
    assert list(private.glob("modules/*/*.so"))
    compiled_and_run(1.5)  # the next compile uses it too, without another warning


def test_a_read_only_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_process_cache: None
) -> None:
    if os.geteuid() != 0:  # permissions stop a user (root ignores them)
        directory = tmp_path / "ro"
        directory.mkdir(mode=0o555)
        monkeypatch.setattr(tracegraph.config, "compiledir", str(directory))
        with _warns_about(directory, "Permission denied"):
            compiled_and_run(2.25)
        return
    with _small_filesystem(tmp_path / "ro", "1m", read_only=True) as directory:
        monkeypatch.setattr(tracegraph.config, "compiledir", str(directory))
        with _warns_about(directory, "Read-only file system"):
            compiled_and_run(2.25)
        assert not any(directory.iterdir())


def test_a_full_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_process_cache: None
) -> None:
    # Room for the probe and the module's source, not for the compiled module.
    with _small_filesystem(tmp_path / "full", "48k") as directory:
        monkeypatch.setattr(tracegraph.config, "compiledir", str(directory))
        with _warns_about(directory, "No space left on device"):
            compiled_and_run(3.25)
        assert not list(directory.glob("modules/*/*.tmp-*")), "a temporary file was left"
        assert cache.cache_dir() != directory


def test_a_fault_of_the_cache_while_compiling_moves_the_process_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_process_cache: None
) -> None:
    # The disk fills between the check and the compile: the compile's own error decides.
    monkeypatch.setattr(tracegraph.config, "compiledir", str(tmp_path / "cache"))
    real_compile = build._compile
    failures = []

    def full_once(*args: Any) -> None:
        if not failures:
            failures.append(1)
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_compile(*args)

    monkeypatch.setattr(build, "_compile", full_once)
    with _warns_about(tmp_path / "cache", "No space left on device"):
        compiled_and_run(4.25)
    assert cache.cache_dir() != tmp_path / "cache"


def test_other_errors_of_the_compiler_are_not_hidden(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_process_cache: None
) -> None:
    monkeypatch.setattr(tracegraph.config, "compiledir", str(tmp_path / "cache"))
    toolchain = build.find_toolchain()
    assert toolchain is not None
    with pytest.raises(build.CompileError):
        build.build_module("this is not C;\n", toolchain)
    assert cache.cache_dir() == tmp_path / "cache"


def test_the_cache_command_reads_the_configured_directory(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    env = dict(os.environ, TRACEGRAPH_FLAGS=f"compiledir={blocker / 'cache'}")
    shown = subprocess.run(
        [sys.executable, "-m", "tracegraph", "cache", "where"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert shown.stdout.strip() == str(blocker / "cache")
