"""The kernel dialect prints and parses back, and its verifiers refuse malformed kernels."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from xdsl.utils.exceptions import VerifyException

import tracegraph
import tracegraph.tensor as T
from tracegraph.backends.c.emit import C_KERNEL_RULES
from tracegraph.ir.dialect import print_module
from tracegraph.lowering import TGK_OPERATIONS, lower_module, parse_lowered
from tracegraph.lowering import dialect as tgk

GOLDEN = Path(__file__).parent.parent / "filecheck" / "lower"


def _round_trips(text: str) -> None:
    printed = print_module(parse_lowered(text))
    again = print_module(parse_lowered(printed))
    assert again == printed


@pytest.mark.parametrize("path", sorted(GOLDEN.glob("*.mlir")), ids=lambda p: p.stem)
def test_every_lowered_golden_module_parses_back_what_it_prints(path: Path) -> None:
    module = lower_module(parse_lowered(path.read_text(encoding="utf-8")), "c")
    module.verify()
    _round_trips(print_module(module, locations=True))
    _round_trips(print_module(module, locations=False))


def test_a_compiled_function_lowers_with_the_users_lines_kept() -> None:
    x, y = T.dmatrix("x"), T.dvector("y")
    w = tracegraph.shared(np.ones(3), name="w")
    cost = T.sum(T.tanh(T.dot(x, w) + y) ** 2)
    f = tracegraph.function([x, y], cost, updates=[(w, w - 0.1 * T.grad(cost, w))])
    text = f.dump_ir("lowered")
    assert "tgk.loop" in text and "tgk.blas_dot" in text
    assert Path(__file__).name in text  # loc(...) of this file
    _round_trips(text)


def test_the_c_emitter_has_a_step_for_every_kernel_op() -> None:
    parts_of_other_kernels = {tgk.YieldOp}
    missing = set(TGK_OPERATIONS) - set(C_KERNEL_RULES) - parts_of_other_kernels
    assert not missing, f"add these ops to C_KERNEL_RULES: {sorted(c.name for c in missing)}"


def test_the_dialect_holds_every_op_class_of_its_module() -> None:
    assert set(TGK_OPERATIONS) == {
        tgk.LoopOp,
        tgk.YieldOp,
        tgk.BlasDotOp,
        tgk.MRGUniformOp,
        tgk.ViewOp,
        tgk.ShapeOp,
        tgk.ElementOp,
        tgk.HostCallOp,
    }


LOOP = """
func.func @f(%x: tensor<?x?xf64>) -> tensor<?x?xf64> {
  %r = tgk.loop %x {
    views = [VIEW], reduce = array<i64>, reuse = array<i64: REUSE>, schedule = SCHEDULE
  } : (tensor<?x?xf64>) -> tensor<?x?xf64> {
  ^bb0(%a: tensor<?x?xf64>):
    %e = tg.exp %a : tensor<?x?xf64> -> tensor<?x?xf64>
    tgk.yield %e : tensor<?x?xf64>
  }
  func.return %r : tensor<?x?xf64>
}
"""


def _loop(view: str = "array<i64: 0, 1>", reuse: str = "-1", schedule: str = '"flat"') -> str:
    return LOOP.replace("VIEW", view).replace("REUSE", reuse).replace("SCHEDULE", schedule)


def test_a_well_formed_loop_verifies() -> None:
    parse_lowered(_loop()).verify()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (_loop(view="array<i64: 0>"), "view 0 must map the 2 domain axes"),
        (_loop(view="array<i64: 0, 2>"), "view 0 names an axis its input lacks"),
        (_loop(reuse="1"), "reuse names an input the loop lacks"),
        (_loop(reuse="-1, -1"), "one reuse entry per output"),
        (_loop(schedule='"tiled"'), "schedule must be one of"),
    ],
)
def test_a_malformed_loop_is_refused(text: str, message: str) -> None:
    with pytest.raises(VerifyException, match=message):
        parse_lowered(text).verify()


def test_a_host_call_body_is_one_op_on_its_arguments() -> None:
    text = """
    func.func @f(%x: tensor<?xf64>) -> tensor<?xf64> {
      %r = tgk.host_call %x : (tensor<?xf64>) -> tensor<?xf64> {
      ^bb0(%a: tensor<?xf64>):
        %e = tg.exp %a : tensor<?xf64> -> tensor<?xf64>
        %f = tg.exp %e : tensor<?xf64> -> tensor<?xf64>
        tgk.yield %f : tensor<?xf64>
      }
      func.return %r : tensor<?xf64>
    }
    """
    with pytest.raises(VerifyException, match=r"the body is one op and tgk\.yield"):
        parse_lowered(text).verify()


def test_a_loop_whose_body_reduces_other_axes_than_it_says_is_refused() -> None:
    text = """
    func.func @f(%x: tensor<?x?xf64>) -> tensor<?xf64> {
      %r = tgk.loop %x {views = [array<i64: 0, 1>], reduce = array<i64: 0>, schedule = "nested"}
          : (tensor<?x?xf64>) -> tensor<?xf64> {
      ^bb0(%a: tensor<?x?xf64>):
        %s = tg.sum %a {axes = array<i64: 1>, keepdims = false} : tensor<?x?xf64> -> tensor<?xf64>
        tgk.yield %s : tensor<?xf64>
      }
      func.return %r : tensor<?xf64>
    }
    """
    with pytest.raises(VerifyException, match="the body's reductions must reduce its axes"):
        parse_lowered(text).verify()
