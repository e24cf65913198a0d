"""Every stage of a compiled function on disk: ``Function.dump_all`` and
``config.dump_ir`` (``TRACEGRAPH_FLAGS=dump_ir=DIR``) write ``DIR/<name>/NN-<stage>.mlir`` and
the backend's source; each dump parses back (in tracegraph and in ``xdsl-opt``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

import tracegraph
import tracegraph.tensor as T
from tracegraph import config
from tracegraph.lowering import parse_lowered


def test_dump_ir_flag_writes_every_stage_of_every_function(tmp_path: Path) -> None:
    x = T.dvector("x")
    config.dump_ir = str(tmp_path)
    try:
        on_c = tracegraph.Mode(linker="c")
        tracegraph.function([x], T.exp(x).sum(), name="model step", mode=on_c)
        tracegraph.function([x], x * 2, name="model step", mode=on_c)
        tracegraph.function([x], x + 1, mode="FAST_COMPILE")
    finally:
        config.dump_ir = ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["function", "model_step", "model_step-2"]
    names = sorted(p.name for p in (tmp_path / "model_step").iterdir())
    assert names == [
        "00-traced.mlir",
        "01-canonicalized.mlir",
        "02-stabilized.mlir",
        "03-final.mlir",
        "04-lowered.mlir",
        "05-source.c",
    ]
    assert len(list((tmp_path / "function").iterdir())) == 4  # the reference: no lowering
    for path in tmp_path.rglob("*.mlir"):
        parse_lowered(path.read_text()).verify()
    assert "tg.exp" in (tmp_path / "model_step" / "00-traced.mlir").read_text()
    assert "PyInit" in (tmp_path / "model_step" / "05-source.c").read_text()


def test_pickled_functions_still_load_after_the_split(tmp_path: Path) -> None:
    import pickle

    x = T.dvector("x")
    f = tracegraph.function([x], x * 3)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(f))(np.ones(2)), [3.0, 3.0])
