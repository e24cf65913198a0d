"""Modes choose the passes: ``Mode(optimizer=None)`` runs none, ``FAST_COMPILE`` only the
stabilization, and every mode can leave out passes or single patterns, as Theano's
``optimizer_excluding``."""

from __future__ import annotations

import numpy as np
import pytest

import tracegraph
import tracegraph.tensor as T
from tracegraph.compile.modes import excluded_passes, get_mode
from tracegraph.config import config


def _ops(f: tracegraph.Function[np.ndarray], stage: str = "final") -> str:
    return f.dump_ir(stage, locations=False)


@pytest.mark.parametrize(
    "mode",
    [
        tracegraph.Mode(optimizer=None),
        tracegraph.Mode(linker="numpy", optimizer=None),
        tracegraph.Mode().excluding("stabilize", "canonicalize", "cse", "dce", "fuse"),
    ],
)
def test_unoptimized_modes_keep_the_traced_graph(mode: tracegraph.Mode) -> None:
    x = T.dscalar("x")
    f = tracegraph.function([x], T.log(T.nnet.sigmoid(x)) + x**2 * 1, mode=mode)
    assert _ops(f) == _ops(f, "traced")
    assert float(f(3.0)) == pytest.approx(9.0 + np.log(1 / (1 + np.exp(-3.0))))
    assert float(f(-800.0)) == -np.inf  # the formula as written


@pytest.mark.parametrize("mode", ["FAST_COMPILE", tracegraph.FAST_COMPILE, "FAST_RUN", None])
def test_every_predefined_mode_stabilizes(mode: str | tracegraph.Mode | None) -> None:
    # log(sigmoid(-800)) is -800, not -inf, whatever the mode (it was -inf in FAST_COMPILE).
    x = T.dscalar("x")
    f = tracegraph.function([x], T.log(T.nnet.sigmoid(x)), mode=mode)
    assert float(f(-800.0)) == -800.0
    assert "tg.softplus" in _ops(f)


def test_fast_compile_runs_the_stabilization_only() -> None:
    x = T.dscalar("x")
    f = tracegraph.function([x], x**2 * 1, mode="FAST_COMPILE")
    assert _ops(f) == _ops(f, "traced")  # no canonicalization: x ** 2 * 1 stays
    assert float(f(3.0)) == 9.0


def test_unknown_optimizer() -> None:
    with pytest.raises(ValueError, match="unknown optimizer 'fast'"):
        tracegraph.Mode(optimizer="fast")


def test_default_mode_optimizes() -> None:
    x = T.dscalar("x")
    f = tracegraph.function([x], x**2 * 1)
    assert "tg.pow" not in _ops(f) and "tg.pow" in _ops(f, "traced")
    assert float(f(3.0)) == 9.0


@pytest.mark.parametrize(
    "mode",
    [
        tracegraph.Mode().excluding("PowTwoToMul"),
        "FAST_RUN:optimizer_excluding=PowTwoToMul",
        "FAST_RUN:optimizer_excluding=cse:PowTwoToMul",
    ],
)
def test_excluding_a_pattern(mode: str | tracegraph.Mode) -> None:
    x = T.dscalar("x")
    f = tracegraph.function([x], x**2 * 1, mode=mode)
    final = _ops(f)
    assert "tg.pow" in final and "tg.mul" not in final  # FoldMulOne still ran


def test_excluding_a_pass() -> None:
    x = T.dvector("x")
    stabilized = tracegraph.function([x], T.log(1 + x))
    assert "tg.log1p" in _ops(stabilized)
    plain = tracegraph.function([x], T.log(1 + x), mode=tracegraph.Mode().excluding("stabilize"))
    assert "tg.log1p" not in _ops(plain) and "tg.log" in _ops(plain)


def test_optimizer_excluding_flag_applies_to_every_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(config, "optimizer_excluding", "stabilize:cse")
    assert excluded_passes(get_mode("FAST_RUN")) == {"stabilize", "cse"}
    x = T.dvector("x")
    f = tracegraph.function([x], T.log(1 + x))
    assert "tg.log1p" not in _ops(f)


def test_unknown_names_are_errors() -> None:
    x = T.dscalar("x")
    with pytest.raises(ValueError, match="unknown passes or patterns to exclude: NoSuchPass"):
        tracegraph.function([x], x * 2, mode=tracegraph.Mode().excluding("NoSuchPass"))
    with pytest.raises(ValueError, match="unknown mode"):
        get_mode("FAST_WALK")
    with pytest.raises(ValueError, match="optimizer_excluding"):
        get_mode("FAST_RUN:including=cse")


def test_dump_ir_names_every_stage() -> None:
    x = T.dvector("x")
    f = tracegraph.function([x], T.log(1 + T.exp(x)) * 1)
    assert "tg.mul" in _ops(f, "traced")
    assert "tg.mul" not in _ops(f, "canonicalized") and "tg.log" in _ops(f, "canonicalized")
    assert "tg.softplus" in _ops(f, "stabilized")
    assert _ops(f, "final") == _ops(f, "stabilized")
    assert "tgk.loop" in f.dump_ir("lowered")  # the kernel dialect, for the C target
    with pytest.raises(ValueError, match=r"unknown stage 'fused'; stages are .*, lowered"):
        f.dump_ir("fused")
