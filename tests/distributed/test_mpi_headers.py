"""How the MPI communicator finds the ``mpi.h`` that compiled modules include
(``distributed/mpi.py``): the header must be of the very library mpi4py loaded (the same
implementation and release), and an installation whose headers are not beside its library is
found through its ``mpicc`` wrapper."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tracegraph.distributed.mpi import _declares, _wrapper_include_dirs

MPICH_VERSION = "MPICH Version:      5.0.2\nMPICH Release date: Fri Sep 25 2025\n"
OPEN_MPI_VERSION = "Open MPI v4.1.5, package: Debian OpenMPI, ident: 4.1.5, repo rev: v4.1.5"


def _header(folder: Path, text: str) -> Path:
    header = folder / "mpi.h"
    header.write_text(text)
    return header


def test_a_header_declares_its_implementation_and_release(tmp_path: Path) -> None:
    mpich = _header(tmp_path, '#define MPICH_VERSION "5.0.2"\n')
    assert _declares(mpich, MPICH_VERSION)
    assert not _declares(mpich, MPICH_VERSION.replace("5.0.2", "4.2.0"))
    assert not _declares(mpich, OPEN_MPI_VERSION)
    numbers = "".join(
        f"#define OMPI_{part}_VERSION {n}\n"
        for part, n in zip(("MAJOR", "MINOR", "RELEASE"), "415", strict=True)
    )
    open_mpi = _header(tmp_path, numbers)
    assert _declares(open_mpi, OPEN_MPI_VERSION)
    assert not _declares(open_mpi, MPICH_VERSION)
    assert not _declares(_header(tmp_path, "/* some other MPI */\n"), MPICH_VERSION)


def _wrapper(folder: Path, script: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A fake ``mpicc`` beside a fake Python."""
    mpicc = folder / "mpicc"
    mpicc.write_text(f"#!/bin/sh\n{script}\n")
    mpicc.chmod(0o755)
    monkeypatch.setattr(sys, "executable", str(folder / "python"))


def test_the_wrapper_names_the_include_directories(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _wrapper(tmp_path, 'echo "cc -I/opt/mpich/include -L/opt/mpich/lib -lmpi"', monkeypatch)
    assert list(_wrapper_include_dirs()) == [Path("/opt/mpich/include")]


def test_open_mpis_wrapper_is_asked_its_own_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = (
        'if [ "$1" = "--showme:compile" ]; then echo "-I/usr/lib/openmpi/include -pthread"; '
        "else exit 1; fi"
    )
    _wrapper(tmp_path, script, monkeypatch)
    assert list(_wrapper_include_dirs()) == [Path("/usr/lib/openmpi/include")]


def test_without_a_wrapper_there_is_nothing_to_ask(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    monkeypatch.setenv("PATH", str(tmp_path))
    assert list(_wrapper_include_dirs()) == []
