"""The compile cache: compiled modules in ``config.compiledir`` (``TRACEGRAPH_FLAGS=compiledir=``,
by default ``~/.cache/tracegraph``), named by a hash of everything that decides the binary.

Any number of processes may compile into one cache at once. Nothing is ever written in place:
a module is compiled to a file of its own (``*.tmp-<pid>-<random>``) and renamed to its final
name, so a reader sees a complete module or none, and a process killed mid-compile leaves at
most a temporary file no one reads (``clear`` removes them). So that processes do not compile
the same module side by side, the first one *claims* it (a ``.claim`` file created exclusively,
holding its pid); the others wait for the module while the claimant lives and is not stale,
and compile it themselves otherwise.

Faults degrade instead of stopping the program: a cache directory that cannot be written
(read-only, impossible to create, or full) is replaced, for the rest of the process, by a
private temporary directory (removed at exit), with one warning naming the directory and the
reason (:func:`cache_dir`, :func:`give_up`). A compile in progress is recorded in
``inflight/`` (its process and its temporary files); the first process to use the cache after
one was killed mid-compile removes what it left (:func:`clean_after_killed_compiles`).
"""

from __future__ import annotations

import atexit
import contextlib
import errno
import hashlib
import os
import secrets
import shutil
import tempfile
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from tracegraph.config import config

CLAIM_TIMEOUT = 120.0
"""Seconds after which a claim is stale, its claimant alive or not."""

POLL_INTERVAL = 0.01
"""Seconds between two looks for a module another process is compiling."""


_usable: dict[Path, Path] = {}
"""For each configured directory this process has used: the directory it compiles into (the
configured one, or a private one when that cannot be written)."""
_lock = threading.Lock()

CACHE_FAULTS = frozenset(
    {
        errno.EACCES,
        errno.EPERM,
        errno.EROFS,
        errno.ENOSPC,
        errno.EDQUOT,
        errno.EFBIG,
        errno.ENOENT,
        errno.ENOTDIR,
    }
)
"""The errors of writing into the cache that make it unusable (not the compiler's)."""


def configured_dir() -> Path:
    """The cache directory the configuration names (``config.compiledir``)."""
    return Path(config.compiledir).expanduser()


def cache_dir() -> Path:
    """The directory of the compiled modules: the configured one, unless it cannot be written
    (checked once per process), then a private temporary directory (:func:`give_up`)."""
    configured = configured_dir()
    chosen = _usable.get(configured)
    if chosen is not None:
        return chosen
    with _lock:
        if configured not in _usable:
            reason = _unwritable(configured)
            if reason is None:
                _usable[configured] = configured
                clean_after_killed_compiles(configured)
            else:
                _usable[configured] = _private(configured, reason)
        return _usable[configured]


def _unwritable(directory: Path) -> str | None:
    """Why files cannot be written in ``directory`` (None: they can)."""
    probe = directory / f".probe-{os.getpid()}-{secrets.token_hex(4)}"
    try:
        directory.mkdir(parents=True, exist_ok=True)
        probe.write_bytes(b"tracegraph")
        probe.unlink()
    except OSError as error:
        with contextlib.suppress(OSError):
            probe.unlink()
        return error.strerror or str(error)
    return None


def _private(configured: Path, reason: str) -> Path:
    """A temporary directory of this process's own in place of ``configured`` (removed at
    exit), announced by one warning."""
    private = Path(tempfile.mkdtemp(prefix="tracegraph-cache-"))
    atexit.register(shutil.rmtree, private, True)
    warnings.warn(
        f"the compile cache {configured} cannot be used ({reason}): this process compiles "
        f"into {private} instead (removed at exit; set config.compiledir to a writable "
        "directory to keep the modules)",
        RuntimeWarning,
        stacklevel=4,
    )
    return private


def give_up(error: OSError) -> bool:
    """After ``error`` while writing into the cache: when it is a fault of the cache (full,
    read-only...) and the configured directory is in use, switch this process to a private
    directory (one warning) and return True, for the caller to try again there; else False."""
    configured = configured_dir()
    with _lock:
        if error.errno not in CACHE_FAULTS or _usable.get(configured, configured) != configured:
            return False
        _usable[configured] = _private(configured, error.strerror or str(error))
    return True


def digest(*parts: str) -> str:
    """A hex key for the parts (SHA-256, 32 digits)."""
    hasher = hashlib.sha256()
    for part in parts:
        hasher.update(part.encode())
        hasher.update(b"\0")
    return hasher.hexdigest()[:32]


def temporary_path(final: Path) -> Path:
    """A path of this process's own beside ``final``, for writing before the rename."""
    return final.with_name(f"{final.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}")


def write_atomically(path: Path, content: str) -> None:
    """Write ``content`` to ``path`` through a temporary file and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = temporary_path(path)
    temporary.write_text(content)
    os.replace(temporary, path)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def _claim(path: Path) -> Iterator[bool]:
    """Claim the right to build ``path``: yields True if this process holds the claim (it is
    released afterwards), False if a live process has held it since less than
    ``CLAIM_TIMEOUT`` seconds."""
    claim = path.with_name(path.name + ".claim")
    try:
        descriptor = os.open(claim, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
        try:
            text = claim.read_text()
            age = time.time() - claim.stat().st_mtime
        except OSError:
            # The claim went away in between (its module is built, or being built again):
            # look again.
            yield False
            return
        # An empty claim is one its claimant has created and not yet written its pid into:
        # held (taking it over there compiled one module twice under load).
        pid = int(text) if text.strip().isdigit() else None
        if age < CLAIM_TIMEOUT and (pid is None or _alive(pid)):
            yield False
            return
        # The claimant died (or is stuck): take over.
        with contextlib.suppress(OSError):
            claim.unlink()
        yield True
        return
    with os.fdopen(descriptor, "w") as handle:
        handle.write(str(os.getpid()))
    try:
        yield True
    finally:
        with contextlib.suppress(OSError):
            claim.unlink()


@contextlib.contextmanager
def _in_flight(temporary: Path) -> Iterator[None]:
    """Record, while a build writes ``temporary`` (and its parts, ``temporary.*``), that this
    process is writing them: a process killed meanwhile leaves the record for the next one to
    clean after it (:func:`clean_after_killed_compiles`)."""
    record = cache_dir() / "inflight" / f"{os.getpid()}-{secrets.token_hex(4)}"
    try:
        record.parent.mkdir(parents=True, exist_ok=True)
        record.write_text(str(temporary))
    except OSError:
        record = Path()  # nothing recorded: nothing to remove
    try:
        yield
    finally:
        if record != Path():
            with contextlib.suppress(OSError):
                record.unlink()


def clean_after_killed_compiles(directory: Path) -> int:
    """Remove the temporary files of the compiles that processes killed since left in
    ``directory`` (from their ``inflight/`` records); returns how many files went."""
    removed = 0
    records = directory / "inflight"
    for record in records.glob("*-*") if records.is_dir() else []:
        pid = record.name.split("-", 1)[0]
        if not pid.isdigit() or _alive(int(pid)):
            continue
        with contextlib.suppress(OSError):
            temporary = Path(record.read_text())
            if temporary.is_relative_to(directory):
                for path in [temporary, *temporary.parent.glob(temporary.name + ".*")]:
                    with contextlib.suppress(OSError):
                        path.unlink()
                        removed += 1
            record.unlink()
    return removed


def build_once(path: Path, build: Callable[[Path], None]) -> None:
    """Make sure ``path`` exists: build it (``build(temporary)`` writes a temporary file that is
    then renamed to ``path``) unless it is there, or another process is building it, in which
    case wait for it while that process lives."""
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + CLAIM_TIMEOUT
    while not path.exists():
        with _claim(path) as mine:
            if mine:
                if path.exists():
                    return
                temporary = temporary_path(path)
                try:
                    with _in_flight(temporary):
                        build(temporary)
                        os.replace(temporary, path)
                finally:
                    with contextlib.suppress(OSError):
                        temporary.unlink()
                return
        if time.monotonic() > deadline:
            break
        time.sleep(POLL_INTERVAL)
    if not path.exists():
        temporary = temporary_path(path)
        build(temporary)
        os.replace(temporary, path)


@dataclass(frozen=True)
class Entry:
    """A compiled module of the cache."""

    path: Path
    size: int
    modified: float


def entries(directory: Path | None = None) -> list[Entry]:
    """The compiled modules in the cache (``directory``, by default the one in use), newest
    first."""
    root = (directory or cache_dir()) / "modules"
    if not root.exists():
        return []
    found = []
    for path in root.glob("*/*.so"):
        with contextlib.suppress(OSError):
            stat = path.stat()
            found.append(Entry(path, stat.st_size, stat.st_mtime))
    return sorted(found, key=lambda entry: entry.modified, reverse=True)


def touch(path: Path) -> None:
    """Mark a module as used now (its modification time: what pruning keeps longest)."""
    with contextlib.suppress(OSError):
        os.utime(path)


def _files_of(entry: Entry) -> list[Path]:
    """A module's files: the library, its source and any part objects left beside them."""
    stem = entry.path.with_suffix("")
    return [entry.path, *entry.path.parent.glob(stem.name + ".*")]


def total_size(directory: Path | None = None) -> int:
    """Bytes of the compiled modules and their sources in the cache (``directory``, by default
    the one in use)."""
    root = (directory or cache_dir()) / "modules"
    size = 0
    for path in root.glob("*/*") if root.exists() else []:
        with contextlib.suppress(OSError):
            size += path.stat().st_size
    return size


def prune(limit: int, directory: Path | None = None) -> tuple[int, int]:
    """Remove the least recently used modules (with their sources) until the cache's modules
    (in ``directory``, by default the one in use) take at most ``limit`` bytes; returns how
    many modules went and the bytes freed."""
    size = total_size(directory)
    removed = freed = 0
    for entry in reversed(entries(directory)):  # oldest first
        if size <= limit:
            break
        for path in set(_files_of(entry)):
            with contextlib.suppress(OSError):
                bytes_ = path.stat().st_size
                path.unlink()
                size -= bytes_
                freed += bytes_
        removed += 1
    return removed, freed


def clear(directory: Path | None = None) -> int:
    """Remove every file of the cache (``directory``, by default the one in use: modules,
    sources, precompiled headers, temporary files and claims); returns how many files were
    removed."""
    root = directory or cache_dir()
    removed = 0
    for folder in ("modules", "headers"):
        base = root / folder
        if not base.exists():
            continue
        for path in sorted(base.rglob("*"), reverse=True):
            with contextlib.suppress(OSError):
                if path.is_dir():
                    path.rmdir()
                else:
                    path.unlink()
                    removed += 1
        with contextlib.suppress(OSError):
            base.rmdir()
    return removed
