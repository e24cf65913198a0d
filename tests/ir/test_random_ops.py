"""The random ops of the dialect: verifiers, printing and parsing, and why no pass merges or
drops a draw (they are not ``Pure``: their effects are unknown to xDSL)."""

from __future__ import annotations

import numpy as np
import pytest
from xdsl.traits import Pure, is_side_effect_free
from xdsl.utils.exceptions import VerifyException

from tracegraph.ir import ops, parse_module, print_module
from tracegraph.ir.dialect import TG_OPERATIONS, make_context
from tracegraph.ir.interpreter import ReferenceProgram
from tracegraph.ir.types import RandomStateIRType, tensor_type
from tracegraph.passes.pipeline import PASSES, make_pass

DRAW_TYPE = (
    "(!tg.random_state, tensor<1xi64>, tensor<f64>, tensor<f64>) "
    "-> (!tg.random_state, tensor<2xf64>)"
)
TWO_DRAWS = f"""
func.func @f(%r: !tg.random_state, %s: tensor<1xi64>, %lo: tensor<f64>, %hi: tensor<f64>)
    -> (tensor<2xf64>, tensor<2xf64>) {{
  %r1, %a = tg.random.uniform %r, %s, %lo, %hi : {DRAW_TYPE}
  %r2, %b = tg.random.uniform %r, %s, %lo, %hi : {DRAW_TYPE}
  %r3, %unused = tg.random.normal %r, %s, %lo, %hi : {DRAW_TYPE}
  func.return %a, %b : tensor<2xf64>, tensor<2xf64>
}}
"""

DRAW_OPS = [op for op in TG_OPERATIONS if issubclass(op, ops.RandomStateDrawOp | ops.MRGUniformOp)]


@pytest.mark.parametrize("op", DRAW_OPS, ids=lambda op: str(op.name))
def test_draws_are_not_pure(op: type[ops.RandomStateDrawOp]) -> None:
    assert not op.has_trait(Pure)


def test_cse_and_dce_keep_every_draw() -> None:
    module = parse_module(TWO_DRAWS)
    context = make_context()
    for name in ("cse", "dce", "canonicalize"):
        make_pass(PASSES[name]).apply(context, module)
    text = print_module(module, locations=False)
    assert text.count("tg.random.uniform") == 2 and text.count("tg.random.normal") == 1
    draw = next(o for o in module.walk() if isinstance(o, ops.UniformOp))
    assert not is_side_effect_free(draw)


def test_the_module_round_trips_and_runs() -> None:
    module = parse_module(TWO_DRAWS)
    module.verify()
    assert print_module(parse_module(print_module(module))) == print_module(module)
    func = module.body.block.first_op
    rng = np.random.RandomState(5)
    a, b = ReferenceProgram(func).run([rng, np.array([2]), np.array(0.0), np.array(1.0)])
    np.testing.assert_array_equal(a, b)  # both read the same state
    np.testing.assert_array_equal(a, np.random.RandomState(5).uniform(size=2))


def test_verifiers() -> None:
    rng = ops.SharedOp("r", RandomStateIRType()).result
    shape = ops.ConstantOp.from_array(np.array([2], dtype=np.int64)).result
    bad_shape = ops.ConstantOp.from_array(np.array([2], dtype=np.int32)).result
    scalar = ops.ConstantOp.from_array(np.array(1.0)).result
    with pytest.raises(VerifyException, match="takes 2 parameters"):
        ops.UniformOp(rng, shape, [scalar], tensor_type("float64", (2,))).verify()
    with pytest.raises(VerifyException, match="int64"):
        ops.UniformOp(rng, bad_shape, [scalar, scalar], tensor_type("float64", (2,))).verify()
    with pytest.raises(VerifyException, match="rank"):
        ops.UniformOp(rng, shape, [scalar, scalar], tensor_type("float64", (2, 2))).verify()
    # Any sample dtype: the draw is cast to it.
    ops.NormalOp(rng, shape, [scalar, scalar], tensor_type("int64", (2,))).verify()
    ops.PoissonOp(rng, shape, [scalar], tensor_type("float64", (2,))).verify()
    with pytest.raises(VerifyException, match="rank"):
        ops.PermutationOp(rng, shape, [scalar], tensor_type("int64", (2,))).verify()
    rstate = ops.ConstantOp.from_array(np.ones((3, 5), dtype=np.int32)).result
    with pytest.raises(VerifyException, match="n×6"):
        ops.MRGUniformOp(rstate, shape, tensor_type("float64", (2,))).verify()
    with pytest.raises(VerifyException, match="int32"):
        ops.MRGUniformOp(shape, shape, tensor_type("float64", (2,))).verify()
