"""Six processes on one fresh cache, on each compiling backend: every process gets the right
numbers, every module is complete, nothing temporary is left. (The C backend's claims, a
warm cache and a process killed mid-compile: ``tests/backends/c/test_cache.py``.)"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

LINKERS = ["c", *(["triton"] if importlib.util.find_spec("triton") else [])]
PROCESSES = 6

WORKER = textwrap.dedent(
    """
    import json, sys
    import numpy as np
    import tracegraph, tracegraph.tensor as T

    linker, indices = sys.argv[1], json.loads(sys.argv[2])
    x = T.dvector("x")
    total = tracegraph.shared(np.zeros(3), "total")
    for index in indices:
        f = tracegraph.function(
            [x], T.exp(x) * (index + 0.5), updates=[(total, total + x * index)],
            mode=tracegraph.Mode(linker=linker),
        )
        value = f(np.arange(3.0))
        assert np.allclose(value, np.exp(np.arange(3.0)) * (index + 0.5)), (index, value)
    expected = np.arange(3.0) * sum(indices)
    assert np.allclose(total.get_value(), expected), (total.get_value(), expected)
    print(json.dumps({"ok": len(indices)}))
    """
)


@pytest.mark.parametrize("linker", LINKERS)
def test_six_processes_on_one_fresh_cache(linker: str, tmp_path: Path) -> None:
    env = dict(os.environ, TRACEGRAPH_FLAGS=f"compiledir={tmp_path}")
    sets = [[(start + k) % 4 for k in range(3)] for start in range(PROCESSES)]
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, linker, json.dumps(indices)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for indices in sets
    ]
    for worker in workers:
        out, err = worker.communicate(timeout=900)
        assert worker.returncode == 0, err
        assert json.loads(out.strip().splitlines()[-1]) == {"ok": 3}
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert not [p for p in files if ".tmp-" in p.name or p.suffix == ".claim"], files
    assert not list(tmp_path.glob("inflight/*"))
    if linker == "c":
        assert len(list(tmp_path.glob("modules/*/*.so"))) == 4
    else:
        assert len(list(tmp_path.glob("triton/*.py"))) >= 4
