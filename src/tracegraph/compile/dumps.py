"""Dumps of every stage of a compiled function (``Function.dump_all``, and
``TRACEGRAPH_FLAGS=dump_ir=DIR`` for every function compiled)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tracegraph.passes.pipeline import STAGES

if TYPE_CHECKING:
    from tracegraph.compile.function import Function


def write_stages(function: Function[Any], folder: Path, backend: str) -> list[Path]:
    """Write ``NN-<stage>.mlir`` for every pipeline stage of ``function`` into ``folder``, then,
    for the C or Triton ``backend``, its lowered kernels and source. Returns the files."""
    folder.mkdir(parents=True, exist_ok=True)
    written = [(f"{stage}.mlir", function.dump_ir(stage)) for stage in STAGES]
    if backend in ("c", "triton"):
        written.append(("lowered.mlir", function.dump_ir("lowered", target=backend)))
        suffix = "c" if backend == "c" else "py"
        written.append((f"source.{suffix}", function.source(backend)))
    paths = []
    for number, (name, text) in enumerate(written):
        path = folder / f"{number:02d}-{name}"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


_DUMPED: dict[str, int] = {}
"""How many functions of each name ``config.dump_ir`` has written in this process."""


def dump_folder(root: Path, name: str | None) -> Path:
    """``root/<name>`` for the first function of a name, ``root/<name>-2``... after.

    >>> dump_folder(Path("/tmp/x"), "a b").name
    'a_b'
    """
    base = re.sub(r"[^A-Za-z0-9_.-]", "_", name or "function")
    _DUMPED[base] = _DUMPED.get(base, 0) + 1
    count = _DUMPED[base]
    return root / (base if count == 1 else f"{base}-{count}")
