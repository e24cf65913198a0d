"""Building generated C: the compiler and its flags, the precompiled prelude, compiling a module
into the cache and importing it.

The compiler is ``$CC``, else ``gcc``, else ``cc``, the first that compiles a test module with
the flags; ``find_toolchain`` returns ``None`` when none does (the caller then warns and uses
the reference backend). Flags: ``-O3 -march=native -fno-math-errno -fno-trapping-math
-ffp-contract=off -fopenmp`` (vectorized libm through ``omp declare simd``, without
``-ffast-math`` or fused multiply-adds: IEEE results, each operation rounded as NumPy rounds it)
with vectorization limited to the loops the emitter marks ``omp simd``, and BLAS from
``scipy-openblas32``.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import functools
import importlib.machinery
import importlib.util
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import sysconfig
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import numpy as np

from tracegraph.backends.c import cache, threads
from tracegraph.backends.c.module import INCLUDE_DIR_MARK, LOOP_MARK, MAX_PARTS, MODULE_NAME
from tracegraph.backends.c.prelude import PRELUDE
from tracegraph.config import config
from tracegraph.errors import TracegraphError

COMPILE_FLAGS: tuple[str, ...] = (
    "-O3",
    "-march=native",
    "-fno-math-errno",
    # Floating-point traps are never enabled, so no operation may trap: GCC can then compute
    # both sides of a select (sigmoid, softplus, switch) and vectorize the loop. Results stay
    # IEEE's; only the (unused) exception flags may differ.
    "-fno-trapping-math",
    # No fused multiply-add contraction: x * y + z rounds twice, as NumPy (the reference)
    # computes it. With -march=native GCC would otherwise fuse it where the CPU has FMA, and a
    # quarter of the elements of x * y + z differed from the reference by an ulp, enough to
    # move a value across a comparison or a clip bound (a gradient of 0 instead of 0.2).
    "-ffp-contract=off",
    "-fopenmp",
    # Only the loops marked `omp simd` are vectorized (OpenMP forces them even so): the
    # emitter marks the loops worth it, and GCC's own attempts at every other loop (strided
    # fallbacks, the runtime's loops) were a third of a module's compile time.
    "-fno-tree-vectorize",
    # No second, narrower vector loop for the last few elements of a vectorized one.
    "--param=vect-epilogues-nomask=0",
    "-fPIC",
    "-Wno-unused-function",
    "-Winvalid-pch",
    "-Werror=implicit-function-declaration",
)
"""The flags of every compilation (the precompiled header's too)."""

PRELUDE_NAME = "tg_prelude.h"


class CompileError(TracegraphError, RuntimeError):
    """The C compiler failed on a generated module (the message names the source file)."""


@dataclass(frozen=True)
class Toolchain:
    """A working C compiler and what compiling against Python, NumPy and BLAS takes."""

    compiler: str
    version: str
    include_dirs: tuple[str, ...]
    link_args: tuple[str, ...]

    def key(self) -> str:
        """What, besides the source, decides the binary."""
        from tracegraph import __version__

        return cache.digest(
            self.compiler,
            self.version,
            " ".join(COMPILE_FLAGS),
            " ".join(self.include_dirs),
            " ".join(self.link_args),
            __version__,
            sys.version,
            np.__version__,
            platform.machine(),
            _cpu_flags(),
        )


def _cpu_flags() -> str:
    """The CPU's feature flags (``-march=native`` binaries depend on them)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("flags"):
                return line
    except OSError:
        pass
    return platform.processor()


def _blas_paths() -> tuple[str, str, str]:
    """The include directory, library directory and library name of scipy-openblas32.

    Read from the package's files where they are where its own functions look (``include``,
    and ``lib/libscipy_openblas*``): importing the package reads its version through
    ``importlib.metadata``, some 20 ms that a warm ``function()`` would otherwise spend."""
    spec = importlib.util.find_spec("scipy_openblas32")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("scipy_openblas32 is not installed")
    package = Path(next(iter(spec.submodule_search_locations))).resolve()
    libraries = sorted((package / "lib").glob("libscipy_openblas*.so*"))
    if (package / "include" / "cblas.h").exists() and libraries:
        library = libraries[0].name.removeprefix("lib").split(".so")[0]
        return str(package / "include"), str(package / "lib"), library
    import scipy_openblas32  # type: ignore[import-untyped]

    return (
        str(scipy_openblas32.get_include_dir()),
        str(scipy_openblas32.get_lib_dir()),
        str(scipy_openblas32.get_library()),
    )


def _candidates() -> list[str]:
    names = [os.environ["CC"]] if os.environ.get("CC") else []
    return [*names, "gcc", "cc"]


@functools.cache
def find_toolchain() -> Toolchain | None:
    """The first C compiler that builds a test module with the flags, or ``None``.

    A compiler that worked once is remembered in the cache (``toolchains/*.json``, keyed by the
    compiler file, the flags, the include directories and the prelude), so that later processes
    run nothing to find it again."""
    try:
        blas_include, blas_lib, blas_name = _blas_paths()
    except ImportError:
        return None
    include_dirs = (sysconfig.get_paths()["include"], np.get_include(), blas_include)
    link_args = (f"-L{blas_lib}", f"-l{blas_name}", f"-Wl,-rpath,{blas_lib}", "-lmvec", "-lm")
    if not Path(include_dirs[0], "Python.h").exists():
        return None
    for candidate in _candidates():
        compiler = shutil.which(candidate.split()[0]) if candidate else None
        if compiler is None:
            continue
        record = _record_path(compiler, include_dirs, link_args)
        with contextlib.suppress(OSError, ValueError, KeyError):
            return Toolchain(
                compiler, json.loads(record.read_text())["version"], include_dirs, link_args
            )
        try:
            version = subprocess.run(
                [compiler, "--version"], capture_output=True, text=True, timeout=30, check=True
            ).stdout.splitlines()[0]
        except (OSError, subprocess.SubprocessError, IndexError):
            continue
        toolchain = Toolchain(compiler, version, include_dirs, link_args)
        if _works(toolchain):
            with contextlib.suppress(OSError):
                cache.write_atomically(record, json.dumps({"version": version}))
            return toolchain
    return None


def _record_path(compiler: str, include_dirs: tuple[str, ...], link_args: tuple[str, ...]) -> Path:
    """Where a compiler that works is remembered (only successes are: a failure may be
    mended, by installing headers, without the key changing)."""
    stat = os.stat(compiler)
    key = cache.digest(
        compiler,
        str(stat.st_mtime_ns),
        str(stat.st_size),
        " ".join(COMPILE_FLAGS),
        " ".join(include_dirs),
        " ".join(link_args),
        PRELUDE,
        sys.version,
        np.__version__,
    )
    return cache.cache_dir() / "toolchains" / f"{key}.json"


def _works(toolchain: Toolchain) -> bool:
    """Whether the toolchain builds a module that includes the prelude: the prelude checked
    (``-fsyntax-only``: the compiler, the flags and the headers) while a module of nothing
    links against BLAS and libmvec, at once. Some 0.1 s on an empty cache, where precompiling
    the prelude and building a module that included it took 0.3 s (the precompilation now
    follows the first module: ``_precompile_prelude``)."""
    probe = cache.cache_dir() / "probe"
    probe.mkdir(parents=True, exist_ok=True)
    empty = probe / f"empty-{os.getpid()}.c"
    linked = probe / f"empty-{os.getpid()}.so"
    header = _header_dir(toolchain) / PRELUDE_NAME
    includes = [f"-I{d}" for d in toolchain.include_dirs]
    try:
        empty.write_text("int tg_probe(void) { return 0; }\n")
        commands = [
            [
                toolchain.compiler,
                *COMPILE_FLAGS,
                *includes,
                "-fsyntax-only",
                "-x",
                "c",
                str(header),
            ],
            [
                toolchain.compiler,
                *COMPILE_FLAGS,
                "-shared",
                str(empty),
                "-o",
                str(linked),
                *toolchain.link_args,
            ],
        ]
        running = [
            subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for command in commands
        ]
        return all([process.wait(timeout=120) == 0 for process in running])
    except (OSError, subprocess.SubprocessError):
        return False
    finally:
        for path in (empty, linked):
            path.unlink(missing_ok=True)


def _command(
    toolchain: Toolchain, source: Path, target: Path, header_dir: Path, extra: Sequence[str]
) -> list[str]:
    """The command that compiles ``source`` and links it into the module ``target``."""
    return [
        *_compile_command(toolchain, header_dir, extra),
        "-shared",
        str(source),
        "-o",
        str(target),
        *toolchain.link_args,
    ]


def _compile_command(
    toolchain: Toolchain, header_dir: Path, extra: Sequence[str] = ()
) -> list[str]:
    """The compiler with the flags and include directories (no input, no output; ``extra``:
    the module's own include directories, ``-I`` flags)."""
    includes = [f"-I{header_dir}", *(f"-I{d}" for d in toolchain.include_dirs), *extra]
    return [toolchain.compiler, *COMPILE_FLAGS, *includes]


def module_include_dirs(source: str) -> list[str]:
    """The ``-I`` flags of the directories a module's source names (``INCLUDE_DIR_MARK``).

    >>> module_include_dirs("// tg-include-dir: /opt/mpi/include\\n#include <mpi.h>")
    ['-I/opt/mpi/include']
    """
    return [
        f"-I{line.removeprefix(INCLUDE_DIR_MARK)}"
        for line in source.splitlines()
        if line.startswith(INCLUDE_DIR_MARK)
    ]


LOOPS_PER_PART = 4
"""A module is compiled in parts only when each part gets at least this many loop kernels
(each part costs a compiler process and the module a link step)."""


def part_count(source: str) -> int:
    """How many parts to compile a module's source in at once: one per available core, at
    most ``MAX_PARTS``, with at least ``LOOPS_PER_PART`` loop kernels in each."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_PARTS, source.count(LOOP_MARK) // LOOPS_PER_PART))


def _compile(
    toolchain: Toolchain,
    c_path: Path,
    target: Path,
    header_dir: Path,
    parts: int,
    extra: Sequence[str],
) -> None:
    """Compile the module at ``c_path`` into ``target``: in one command, or in ``parts`` parts
    at once (each to an object file next to ``target``) and a link."""
    if parts == 1:
        _run_compiler(_command(toolchain, c_path, target, header_dir, extra), c_path)
        return
    objects = [target.with_name(f"{target.name}.part{part}.o") for part in range(parts)]
    running: list[tuple[list[str], subprocess.Popen[str]]] = []
    try:
        for part, obj in enumerate(objects):
            command = [
                *_compile_command(toolchain, header_dir, extra),
                f"-DTG_PARTS={parts}",
                f"-DTG_PART={part}",
                "-c",
                str(c_path),
                "-o",
                str(obj),
            ]
            process = subprocess.Popen(
                command, stderr=subprocess.PIPE, text=True, preexec_fn=_die_with_parent
            )
            running.append((command, process))
        for command, process in running:
            _, stderr = process.communicate(timeout=600)
            if process.returncode != 0:
                raise _compile_error(c_path, command, stderr)
        link = [
            toolchain.compiler,
            "-shared",
            "-fopenmp",
            *map(str, objects),
            "-o",
            str(target),
            *toolchain.link_args,
        ]
        _run_compiler(link, c_path)
    finally:
        for _, process in running:
            if process.poll() is None:
                process.kill()
            process.communicate()  # waits, and closes its pipe
        for obj in objects:
            obj.unlink(missing_ok=True)


def _die_with_parent() -> None:
    """In a compiler's process before it starts (Linux): be killed when the process that
    started it dies, so that a program killed mid-compile leaves no compiler writing into the
    cache after it (what it wrote is cleaned by the next process: ``cache.clean_after_killed_
    compiles``)."""
    if sys.platform == "linux":
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


PR_SET_PDEATHSIG = 1
"""Linux's ``prctl`` option: the signal a process gets when its parent dies."""


def _run_compiler(command: list[str], c_path: Path) -> None:
    result = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        preexec_fn=_die_with_parent,
    )
    if result.returncode != 0:
        raise _compile_error(c_path, command, result.stderr)


def _compile_error(c_path: Path, command: list[str], stderr: str) -> CompileError:
    return CompileError(
        f"the C compiler failed on the generated module {c_path}:\n"
        f"{' '.join(command)}\n{stderr.strip()}"
    )


_PRECOMPILING: dict[Path, threading.Thread] = {}
"""The precompilations of the prelude this process started, by header directory."""


def _header_dir(toolchain: Toolchain) -> Path:
    """The directory of the prelude for this toolchain and, once built
    (:func:`_precompile_prelude`), its precompiled form, which the compiler takes when it is
    there (renamed into place whole)."""
    folder = cache.cache_dir() / "headers" / cache.digest(toolchain.key(), PRELUDE)
    header = folder / PRELUDE_NAME
    if not header.exists():
        cache.write_atomically(header, PRELUDE)
    return folder


def _precompile_prelude(toolchain: Toolchain) -> None:
    """Precompile the prelude in a thread of its own, unless it is done or under way.

    Precompiling (some 0.3 s) saves each later module's compilation parsing the prelude (some
    0.07 s). Done after a process's first compiled module, not before it: on two cores, a
    precompilation alongside the first module's compilation slowed it by as much as it would
    later save, and an empty cache's first ``function()`` is what a new user waits for. A
    failed precompilation leaves the plain header, which works, only slower. The thread is not
    a daemon: a process that ends first waits for it, leaving no half-written file behind."""
    folder = _header_dir(toolchain)
    precompiled = folder / (PRELUDE_NAME + ".gch")
    if precompiled.exists() or folder in _PRECOMPILING:
        return

    def build(temporary: Path) -> None:
        includes = [f"-I{d}" for d in toolchain.include_dirs]
        command = [toolchain.compiler, *COMPILE_FLAGS, *includes, "-x", "c-header"]
        subprocess.run(
            [*command, str(folder / PRELUDE_NAME), "-o", str(temporary)],
            capture_output=True,
            timeout=300,
            check=True,
        )

    def precompile() -> None:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            cache.build_once(precompiled, build)

    thread = threading.Thread(target=precompile, name="tracegraph-precompile-prelude")
    _PRECOMPILING[folder] = thread
    thread.start()


def wait_for_precompiled_prelude() -> None:
    """Wait for the precompilations of the prelude this process started (tests, benchmarks)."""
    for thread in list(_PRECOMPILING.values()):
        thread.join()


_LOADED: dict[str, ModuleType] = {}

COMPILED: list[Path] = []
"""The modules this process compiled itself (not found in the cache), in order."""


def module_path(toolchain: Toolchain, source: str) -> tuple[str, Path]:
    """The name and cache path of the module built from ``source``."""
    key = cache.digest(toolchain.key(), PRELUDE, source)
    name = f"tg_{key}"
    return name, cache.cache_dir() / "modules" / key[:2] / f"{name}.so"


def build_module(source: str, toolchain: Toolchain) -> ModuleType:
    """The module compiled from ``source`` (named ``TG_MODULE_NAME`` there): from this process's
    modules, from the cache, or compiled now. When the cache cannot be written (full,
    read-only), the process moves to a private cache (one warning) and compiles there."""
    try:
        return _build_module(source, toolchain)
    except (OSError, CompileError) as error:
        fault = error if isinstance(error, OSError) else _cache_fault(error)
        if fault is None or not cache.give_up(fault):
            raise
    return _build_module(source, toolchain)


def _cache_fault(error: CompileError) -> OSError | None:
    """The fault of the cache the compiler reports (it could not write its output), if any."""
    for number in sorted(cache.CACHE_FAULTS - {errno.ENOENT}):
        if os.strerror(number) in str(error):
            return OSError(number, os.strerror(number))
    return None


def _build_module(source: str, toolchain: Toolchain) -> ModuleType:
    name, path = module_path(toolchain, source)
    if name in _LOADED:
        return _LOADED[name]
    if path.exists():
        cache.touch(path)  # used now: pruning removes the modules unused longest
    else:
        text = source.replace(MODULE_NAME, name)
        c_path = path.with_suffix(".c")
        if not c_path.exists():
            cache.write_atomically(c_path, text)
        header_dir = _header_dir(toolchain)

        def compile_to(temporary: Path) -> None:
            extra = module_include_dirs(source)
            _compile(toolchain, c_path, temporary, header_dir, part_count(source), extra)
            COMPILED.append(path)

        cache.build_once(path, compile_to)
        _precompile_prelude(toolchain)
        _keep_the_cache_in_its_limit()
    module = _load(name, path)
    _LOADED[name] = module
    return module


_BUILDS_BETWEEN_PRUNES = 16
"""Modules compiled between two checks of the cache's size (a check reads every file's size)."""
_builds = 0


def _keep_the_cache_in_its_limit() -> None:
    """After a module is compiled (every few): prune the cache to ``config.cache_size_limit``
    megabytes, the least recently used modules first (0: no limit)."""
    global _builds
    _builds += 1
    limit = config.cache_size_limit
    if limit and _builds % _BUILDS_BETWEEN_PRUNES == 1:
        cache.prune(limit * 2**20)


def _load(name: str, path: Path) -> ModuleType:
    module = _import(name, path)
    if not _LOADED:  # the first module loaded OpenBLAS into the process
        threads.bind_blas(_blas_library())
    return module


def _blas_library() -> Path:
    """The file of the BLAS library modules link to (see ``_blas_paths``)."""
    _, directory, name = _blas_paths()
    return Path(directory) / f"lib{name}.so"


def _import(name: str, path: Path) -> ModuleType:
    loader = importlib.machinery.ExtensionFileLoader(name, str(path))
    spec = importlib.util.spec_from_file_location(name, str(path), loader=loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module
