"""Building modules: a large module is compiled in parts at once (one per core) and linked,
with the results of the module compiled whole; a part that fails names the source file."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

import tracegraph
import tracegraph.tensor as T
from tracegraph.backends.c import CompileError, build, find_toolchain
from tracegraph.backends.c.module import LOOP_MARK


@pytest.fixture
def four_cores(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache directory of the test's own, on a machine that seems to have four cores."""
    monkeypatch.setattr(tracegraph.config, "compiledir", str(tmp_path))
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2, 3}, raising=False)
    return tmp_path


def test_the_part_count_follows_the_cores_and_the_loops(four_cores: Path) -> None:
    def source(loops: int) -> str:
        return f"{LOOP_MARK}0)\n" * loops

    assert build.part_count(source(0)) == 1
    assert build.part_count(source(build.LOOPS_PER_PART * 2)) == 2
    assert build.part_count(source(build.LOOPS_PER_PART * 100)) == 4  # one per core


def test_a_module_of_many_loops_is_compiled_in_parts_that_compute_what_one_part_does(
    four_cores: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    xs = [T.dvector(f"x{k}") for k in range(8)]
    outputs = [T.exp(x) * (k + 1) + T.tanh(x) for k, x in enumerate(xs)]  # a loop for each
    args = [np.linspace(-1, 1, 5) + k for k in range(8)]
    monkeypatch.setattr(build, "LOOPS_PER_PART", 2)
    in_parts = tracegraph.function(xs, outputs)
    assert build.part_count(in_parts.source("c")) == 4
    (module,) = four_cores.glob("modules/*/*.so")
    assert b"tg_import_part_3" in module.read_bytes()  # the fourth part's import, linked in
    assert not list(four_cores.rglob("*.o"))  # the parts' objects are gone
    monkeypatch.setattr(build, "LOOPS_PER_PART", 100)
    monkeypatch.setattr(tracegraph.config, "compiledir", str(four_cores / "whole"))
    whole = tracegraph.function(xs, outputs)
    for got, expected in zip(in_parts(*args), whole(*args), strict=True):
        np.testing.assert_array_equal(got, expected)
    for got, x, k in zip(in_parts(*args), args, range(8), strict=True):
        np.testing.assert_allclose(got, np.exp(x) * (k + 1) + np.tanh(x), rtol=1e-13)


def test_a_part_that_fails_to_compile_names_the_source_file(
    four_cores: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(build, "LOOPS_PER_PART", 1)
    source = (
        "#ifndef TG_PART\n#define TG_PART 0\n#endif\n#define TG_PART_HAS(loop) 1\n"
        + f"{LOOP_MARK}0)\n#endif\n" * 2
        + "#if TG_PART == 1\nthis is not C;\n#endif\n"
    )
    toolchain = find_toolchain()
    assert toolchain is not None
    with pytest.raises(CompileError, match=r"tg_[0-9a-f]+\.c") as error:
        build.build_module(source, toolchain)
    assert "-DTG_PART=1" in str(error.value) and "error" in str(error.value)
    assert not list(four_cores.rglob("*.o")) and not list(four_cores.rglob("*.so*"))


def test_the_blas_paths_are_the_packages_own_without_importing_it() -> None:
    import scipy_openblas32  # type: ignore[import-untyped]

    assert build._blas_paths() == (
        scipy_openblas32.get_include_dir(),
        scipy_openblas32.get_lib_dir(),
        scipy_openblas32.get_library(),
    )


def test_an_empty_cache_finds_the_compiler_then_precompiles_the_prelude_after_a_module(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tracegraph.config, "compiledir", str(tmp_path))
    find_toolchain.cache_clear()
    try:
        toolchain = find_toolchain()
        assert toolchain is not None
        assert list((tmp_path / "toolchains").glob("*.json"))  # remembered
        assert not list((tmp_path / "probe").iterdir())  # the probe's files are gone
        (header_dir,) = (tmp_path / "headers").iterdir()
        assert (header_dir / "tg_prelude.h").exists()
        assert not (header_dir / "tg_prelude.h.gch").exists()  # not before the first module
        x = T.dvector("x")
        f = tracegraph.function([x], T.exp(x) + 1.5)  # compiled with the plain header
        build.wait_for_precompiled_prelude()
        assert (header_dir / "tg_prelude.h.gch").exists()
        g = tracegraph.function([x], T.exp(x) + 2.5)  # with the precompiled one
        np.testing.assert_allclose(f(np.zeros(3)) + 1.0, g(np.zeros(3)))
    finally:
        find_toolchain.cache_clear()


def test_a_compiler_that_cannot_link_the_libraries_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tracegraph.config, "compiledir", str(tmp_path))
    toolchain = find_toolchain()
    assert toolchain is not None
    broken = build.Toolchain(
        toolchain.compiler, toolchain.version, toolchain.include_dirs, ("-lno_such_library",)
    )
    assert not build._works(broken)
    missing_headers = build.Toolchain(
        toolchain.compiler, toolchain.version, ("/nonexistent",), toolchain.link_args
    )
    assert not build._works(missing_headers)
    assert build._works(toolchain)
    assert not list((tmp_path / "probe").iterdir())
