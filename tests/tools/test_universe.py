"""``xdsl-opt`` reads tracegraph's IR through the ``xdsl.universe`` entry point: every golden
file of the test suite and the dumps of every stage of representative functions parse, verify
and print there, and what it prints parses back in tracegraph to the same text; tracegraph's
passes run in it under ``tg-`` names."""

from __future__ import annotations

import contextlib
import io
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from xdsl.utils.exceptions import VerifyException
from xdsl.xdsl_opt_main import xDSLOptMain

import tracegraph
import tracegraph.tensor as T
from tracegraph.ir.dialect import print_module
from tracegraph.lowering import parse_lowered
from tracegraph.tools.opt import run_passes

GOLDEN = sorted((Path(__file__).resolve().parents[1] / "filecheck").rglob("*.mlir"))


def xdsl_opt(path: Path, *arguments: str) -> str:
    """``xdsl-opt path arguments`` in this process (its main, with the plugins it finds)."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        xDSLOptMain(args=[str(path), *arguments]).run()
    return printed.getvalue()


def _round_trips(path: Path) -> None:
    printed = xdsl_opt(path, "--print-debuginfo")  # with the users' source locations
    again = print_module(parse_lowered(printed))
    assert again.strip() == printed.strip()


@pytest.mark.parametrize("path", GOLDEN, ids=[p.name for p in GOLDEN])
def test_xdsl_opt_reads_every_golden_file(path: Path) -> None:
    _round_trips(path)


def _functions() -> dict[str, Any]:
    x, w = T.dmatrix("x"), T.dmatrix("w")
    images, filters = T.tensor4("images"), T.tensor4("filters")
    s = tracegraph.shared(np.zeros(3), "s")
    values, _ = tracegraph.scan(lambda v, h: h + v, sequences=x, outputs_info=T.zeros(3))
    return {
        "dense": tracegraph.function([x, w], T.sum(T.tanh(T.dot(x, w)) ** 2)),
        "gradient": tracegraph.function([x, w], T.grad(T.sum(T.nnet.softmax(T.dot(x, w))), w)),
        "updates": tracegraph.function([x], s, updates=[(s, s + T.sum(x, axis=0))]),
        "scan": tracegraph.function([x], values[-1]),
        "conv": tracegraph.function([images, filters], T.nnet.conv2d(images, filters)),
        "linalg": tracegraph.function([x], T.nlinalg.matrix_inverse(x)),
        "mask": tracegraph.function([x], x[x > 0]),
    }


@pytest.mark.parametrize("stage", ["traced", "final", "lowered"])
def test_xdsl_opt_reads_every_stage_of_tracegraphs_dumps(stage: str, tmp_path: Path) -> None:
    for name, function in _functions().items():
        path = tmp_path / f"{name}-{stage}.mlir"
        path.write_text(function.dump_ir(stage))
        _round_trips(path)


def test_tracegraphs_passes_run_in_xdsl_opt(tmp_path: Path) -> None:
    path = tmp_path / "f.mlir"
    path.write_text(
        "func.func @f(%x: tensor<f64>) -> tensor<f64> {\n"
        "  %one = tg.constant dense<1.0> : tensor<f64>\n"
        "  %y = tg.mul %x, %one : (tensor<f64>, tensor<f64>) -> tensor<f64>\n"
        "  func.return %y : tensor<f64>\n"
        "}\n"
    )
    printed = xdsl_opt(path, "-p", "tg-canonicalize,tg-stabilize,cse,dce")
    assert "tg.mul" not in printed and "func.return %x" in printed


def test_the_xdsl_opt_command_finds_tracegraph(tmp_path: Path) -> None:
    # The command xdsl installs beside this interpreter (the environment's PATH may not hold it).
    beside = Path(sys.executable).parent / "xdsl-opt"
    command = str(beside) if beside.exists() else shutil.which("xdsl-opt")
    assert command is not None, "xdsl-opt is not installed"
    path = tmp_path / "f.mlir"
    path.write_text(_functions()["dense"].dump_ir("final"))
    done = subprocess.run(
        [command, str(path), "-p", "tg-canonicalize"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "tg.tanh" in done.stdout


def test_tracegraph_opt_verifies_its_input() -> None:
    text = (
        "func.func @f(%x: tensor<3xf64>, %y: tensor<f64>) -> tensor<3xf64> {\n"
        "  %z = tg.mul %x, %y : (tensor<3xf64>, tensor<f64>) -> tensor<3xf64>\n"
        "  func.return %z : tensor<3xf64>\n"
        "}\n"
    )
    with pytest.raises(VerifyException, match="rank"):
        run_passes(text, "canonicalize")
