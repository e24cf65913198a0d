"""The compile cache: many processes compiling into one directory at once, a process killed
while compiling, a warm cache, ``python -m tracegraph cache``, compile errors and the fallback
when no C compiler works. Each test uses a cache directory of its own."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

import tracegraph
import tracegraph.tensor as T
from tracegraph.backends.c import CompileError, cache, find_toolchain
from tracegraph.backends.c.build import build_module

WORKER = textwrap.dedent(
    """
    import json, sys
    import numpy as np
    import tracegraph, tracegraph.tensor as T
    from tracegraph.backends.c import build

    indices = json.loads(sys.argv[1])
    x = T.dvector("x")
    results = {}
    for index in indices:
        f = tracegraph.function([x], T.exp(x) * (index + 0.5) + T.tanh(x) * index)
        value = f(np.arange(3.0))
        expected = np.exp(np.arange(3.0)) * (index + 0.5) + np.tanh(np.arange(3.0)) * index
        assert np.allclose(value, expected), (index, value, expected)
        results[index] = value.tolist()
    print(json.dumps({"compiled": len(build.COMPILED), "results": results}))
    """
)


def _environment(compiledir: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["TRACEGRAPH_FLAGS"] = f"compiledir={compiledir}"
    env.update(extra)
    return env


def _worker(compiledir: Path, indices: list[int], **extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", WORKER, json.dumps(indices)],
        env=_environment(compiledir, **extra),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_eight_processes_compile_overlapping_functions_into_one_cache(tmp_path: Path) -> None:
    """All succeed, every module is complete, and each distinct function is compiled once
    in all (the others wait for it, or find it)."""
    sets = [[(start + k) % 10 for k in range(5)] for start in range(8)]
    workers = [_worker(tmp_path, indices) for indices in sets]
    reports = []
    for worker in workers:
        out, err = worker.communicate(timeout=600)
        assert worker.returncode == 0, err
        reports.append(json.loads(out.strip().splitlines()[-1]))
    distinct = sorted({index for indices in sets for index in indices})
    assert sum(report["compiled"] for report in reports) == len(distinct)
    modules = sorted((tmp_path / "modules").glob("*/*.so"))
    assert len(modules) == len(distinct)
    leftovers = [
        p for p in (tmp_path / "modules").rglob("*") if ".tmp-" in p.name or p.suffix == ".claim"
    ]
    assert not leftovers
    again = _worker(tmp_path, distinct)
    out, err = again.communicate(timeout=600)
    assert again.returncode == 0, err
    assert json.loads(out.strip().splitlines()[-1])["compiled"] == 0  # a warm cache


def _slow_compiler(folder: Path) -> Path:
    """A compiler that sleeps before compiling a module while TG_SLOW is set."""
    compiler = find_toolchain()
    assert compiler is not None
    script = folder / "slow-cc"
    script.write_text(
        "#!/bin/sh\n"
        'case "$*" in *modules/*) [ -n "$TG_SLOW" ] && sleep 60 ;; esac\n'
        f'exec {compiler.compiler} "$@"\n'
    )
    script.chmod(0o755)
    return script


def test_a_process_killed_while_compiling_leaves_nothing_to_trip_over(tmp_path: Path) -> None:
    compiler = _slow_compiler(tmp_path)
    cache_dir = tmp_path / "cache"
    victim = _worker(cache_dir, [3], CC=str(compiler), TG_SLOW="1")
    deadline = time.monotonic() + 120
    while not list(cache_dir.glob("modules/*/*.claim")):
        assert victim.poll() is None, victim.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.05)
    victim.send_signal(signal.SIGKILL)
    victim.communicate()
    assert list(cache_dir.glob("modules/*/*.claim"))  # the dead process's claim is still there
    survivor = _worker(cache_dir, [3], CC=str(compiler))
    out, err = survivor.communicate(timeout=300)
    assert survivor.returncode == 0, err
    assert json.loads(out.strip().splitlines()[-1])["compiled"] == 1
    assert not list(cache_dir.glob("modules/*/*.claim"))
    # Nothing of the killed compile is left: its compiler died with it, and the survivor
    # removed what they had written (the record of the compile in flight, its temporary files).
    assert not list(cache_dir.glob("modules/*/*.tmp-*"))
    assert not list(cache_dir.glob("inflight/*"))


def test_the_cache_command_lists_and_clears(tmp_path: Path) -> None:
    worker = _worker(tmp_path, [1])
    _, err = worker.communicate(timeout=300)
    assert worker.returncode == 0, err
    command = [sys.executable, "-m", "tracegraph", "cache"]
    env = _environment(tmp_path)
    listing = subprocess.run([*command, "list"], env=env, capture_output=True, text=True)
    assert listing.returncode == 0 and "1 compiled modules" in listing.stdout
    assert ".so" in listing.stdout
    cleared = subprocess.run([*command, "clear"], env=env, capture_output=True, text=True)
    assert cleared.returncode == 0 and "removed" in cleared.stdout
    assert not list(tmp_path.glob("modules/*/*.so"))
    listing = subprocess.run([*command, "list"], env=env, capture_output=True, text=True)
    assert "0 compiled modules" in listing.stdout


def test_a_compile_error_names_the_source_file_and_the_compilers_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tracegraph.config, "compiledir", str(tmp_path))
    toolchain = find_toolchain()
    assert toolchain is not None
    with pytest.raises(CompileError, match=r"tg_[0-9a-f]+\.c") as error:
        build_module("this is not C;\n", toolchain)
    assert "error" in str(error.value)
    source = Path(str(error.value).split("module ")[1].split(":")[0])
    assert source.read_text() == "this is not C;\n"


def test_without_a_compiler_functions_run_on_the_reference_backend(tmp_path: Path) -> None:
    script = textwrap.dedent(
        """
        import warnings
        import numpy as np
        import tracegraph, tracegraph.tensor as T
        from tracegraph.backends.reference import ReferenceProgram
        x = T.dvector("x")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            f = tracegraph.function([x], T.exp(x) + 1)
            g = tracegraph.function([x], T.tanh(x) * 2)
        assert isinstance(f._program, ReferenceProgram)
        assert np.allclose(f(np.zeros(2)), 2.0)
        messages = [str(w.message) for w in caught]
        assert len(messages) == 1 and "no working C compiler" in messages[0], messages
        print("ok")
        """
    )
    env = _environment(tmp_path, CC="/nonexistent/cc", PATH=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_a_failed_call_leaves_shared_variables_unchanged() -> None:
    state = tracegraph.shared(np.ones(3), name="state")
    x = T.dvector("x")
    f = tracegraph.function([x], T.exp(x), updates=[(state, state * 2 + x)])
    with pytest.raises(tracegraph.ShapeMismatchError, match=r"tg\.add"):
        f(np.ones(4))
    np.testing.assert_array_equal(state.get_value(), np.ones(3))
    f(np.zeros(3))
    np.testing.assert_array_equal(state.get_value(), 2 * np.ones(3))


def test_entries_and_digest() -> None:
    assert cache.digest("a", "b") != cache.digest("ab")
    assert all(entry.path.suffix == ".so" for entry in cache.entries())


def test_a_claim_its_claimant_has_not_written_yet_is_held(tmp_path: Path) -> None:
    """Between creating its claim and writing its pid, a claimant holds an empty claim: another
    process taking it over then compiled the module a second time (seen under load)."""
    module = tmp_path / "module.so"
    claim = tmp_path / "module.so.claim"
    claim.write_text("")
    with cache._claim(module) as mine:
        assert not mine
    old = time.time() - cache.CLAIM_TIMEOUT - 1
    os.utime(claim, (old, old))
    with cache._claim(module) as mine:
        assert mine  # stale: taken over


def _compile_modules(count: int) -> list[Path]:
    x = T.dvector("x")
    paths = []
    for index in range(count):
        tracegraph.function([x], T.exp(x) * (index + 2))(np.ones(2))
        paths.append(max(cache.entries(), key=lambda e: e.modified).path)
    return paths


def test_pruning_removes_the_least_recently_used_modules_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tracegraph.config, "compiledir", str(tmp_path))
    monkeypatch.setattr(tracegraph.config, "cache_size_limit", 0)
    oldest, middle, newest = _compile_modules(3)
    for age, path in ((300, oldest), (200, middle), (100, newest)):
        then = time.time() - age
        os.utime(path, (then, then))
    cache.touch(oldest)  # used again now: it is the newest
    sizes = {
        p: p.stat().st_size + p.with_suffix(".c").stat().st_size for p in (oldest, middle, newest)
    }
    removed, freed = cache.prune(cache.total_size() - 1)
    assert removed == 1 and freed == sizes[middle]
    assert not middle.exists() and not middle.with_suffix(".c").exists()
    assert oldest.exists() and newest.exists()


def test_the_cache_command_gives_info_and_prunes(tmp_path: Path) -> None:
    env = _environment(tmp_path)
    command = [sys.executable, "-m", "tracegraph", "cache"]
    script = "import numpy as np, tracegraph, tracegraph.tensor as T\n"
    script += "x = T.dvector('x')\ntracegraph.function([x], T.exp(x) * 3)(np.ones(1))\n"
    subprocess.run([sys.executable, "-c", script], env=env, check=True, timeout=300)
    info = subprocess.run([*command, "info"], env=env, capture_output=True, text=True, check=True)
    assert "modules   1" in info.stdout and "limit     2048 MB" in info.stdout
    pruned = subprocess.run(
        [*command, "prune", "--size", "0"], env=env, capture_output=True, text=True, check=True
    )
    assert pruned.stdout.startswith("removed 1 modules")
    assert not list(tmp_path.glob("modules/*/*.so"))
