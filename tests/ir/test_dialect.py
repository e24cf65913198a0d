"""The tg dialect: printing and parsing, locations, constants, verifiers."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from xdsl.dialects.builtin import FileLineColLoc, ModuleOp
from xdsl.ir import Operation
from xdsl.utils.exceptions import VerifyException

import tracegraph.tensor as T
from tracegraph import function, shared
from tracegraph.ir import TG_OPERATIONS, ops, parse_module, print_module, tensor_type
from tracegraph.ir.types import DTYPES, dtype_of, shape_of

THIS_FILE = Path(__file__).name


def sample_function() -> str:
    x = T.dmatrix("x")
    v = T.dvector("v")
    state = shared(np.zeros(3), name="state")
    y = T.exp(-x).sum(axis=1, keepdims=True) + T.dot(x, v).dimshuffle(0, "x")
    z = T.set_subtensor(x[1:, 0], T.switch(v[:2] > 0, 1.0, 2.0)).reshape((-1,))
    f = function([x, v], [y, z.mean(), T.concatenate([v, v]).argmax()], updates={state: state + v})
    return f.dump_ir()


def test_dump_ir_parses_back_to_the_same_text() -> None:
    text = sample_function()
    module = parse_module(text)
    module.verify()
    assert print_module(module) == text


def test_dump_ir_names_the_users_lines() -> None:
    text = sample_function()
    assert f'"{Path(__file__)}"' in text or THIS_FILE in text
    assert "tg.exp" in text and "loc(" in text


def test_every_traced_op_carries_this_files_location() -> None:
    x = T.dvector("x")
    y = T.tanh(x) * 2
    owner = y.owner
    assert owner is not None
    assert isinstance(owner.location, FileLineColLoc)
    assert owner.location.filename.data.endswith(THIS_FILE)


@pytest.mark.parametrize("dtype", DTYPES)
def test_constants_round_trip_every_dtype(dtype: str) -> None:
    values = np.array([[0, 1, 1], [1, 0, 1]]).astype(dtype)
    op = ops.ConstantOp.from_array(values)
    assert dtype_of(op.result) == dtype and shape_of(op.result) == (2, 3)
    np.testing.assert_array_equal(op.to_array(), values)
    assert op.to_array().dtype == dtype


def test_float_constants_keep_nan_inf_and_negative_zero_through_text() -> None:
    values = np.array([np.nan, np.inf, -np.inf, -0.0, 0.1, 1e-300, 12345678.0, 1e22, 1 / 3])
    x = T.dvector("x")
    f = function([x], x + values)
    module = parse_module(f.dump_ir())
    constants = [op for op in module.walk() if isinstance(op, ops.ConstantOp)]
    assert len(constants) == 1
    parsed = constants[0].to_array()
    np.testing.assert_array_equal(parsed, values)
    assert np.signbit(parsed[3])


@pytest.mark.parametrize(
    "values", [[-0.0, 0.0], [0.0, -0.0, 0.0], [-0.0, -0.0], [[0.0], [-0.0]]], ids=str
)
def test_zeros_of_both_signs_survive_printing(values: list[Any]) -> None:
    # Regression: xDSL printed [-0.0, 0.0] as the splat dense<-0.0> (the values compare equal).
    array = np.array(values)
    module = ModuleOp([ops.ConstantOp.from_array(array)])
    op = parse_module(print_module(module)).body.block.first_op
    assert isinstance(op, ops.ConstantOp)
    np.testing.assert_array_equal(np.signbit(op.to_array()), np.signbit(array))


def test_scalar_constants_stay_zero_dimensional() -> None:
    op = ops.ConstantOp.from_array(np.asarray(2.0))
    assert shape_of(op.result) == ()


def test_elementwise_verifier_rejects_rank_mismatch() -> None:
    a = ops.ConstantOp.from_array(np.ones((2, 3)))
    b = ops.ConstantOp.from_array(np.ones(3))
    bad = ops.AddOp(a.result, b.result, tensor_type("float64", (2, 3)))
    with pytest.raises(VerifyException, match="rank"):
        bad.verify()


def test_comparison_verifier_requires_bool_result() -> None:
    a = ops.ConstantOp.from_array(np.ones(3))
    bad = ops.GtOp(a.result, a.result, tensor_type("float64", (3,)))
    with pytest.raises(VerifyException, match="bool"):
        bad.verify()


def test_dimshuffle_verifier_refuses_dropping_a_non_broadcastable_axis() -> None:
    a = ops.ConstantOp.from_array(np.ones((2, 3)))
    bad = ops.DimShuffleOp(a.result, [1], tensor_type("float64", (3,)))
    with pytest.raises(VerifyException, match="cannot drop axis 0"):
        bad.verify()


def test_reduction_verifier_checks_axes() -> None:
    a = ops.ConstantOp.from_array(np.ones((2, 3)))
    bad = ops.SumOp(a.result, [2], False, tensor_type("float64", (2,)))
    with pytest.raises(VerifyException, match="bad axes"):
        bad.verify()


def test_all_reduce_verifiers_take_the_mean_of_floats_only() -> None:
    """The mean's division has no integer dtype: a module's MPI call would give the sum."""
    integers = ops.ConstantOp.from_array(np.arange(3)).result
    floats = ops.ConstantOp.from_array(np.ones(3)).result
    for bad in (
        ops.AllReduceOp(integers, "mean"),
        ops.AllReduceBucketOp([integers, integers], "mean"),
    ):
        with pytest.raises(VerifyException, match="the mean of floats only, not of i64"):
            bad.verify()
    with pytest.raises(VerifyException, match="reduction 'product'"):
        ops.AllReduceBucketOp([floats], "product").verify()
    with pytest.raises(VerifyException, match="one dtype"):
        ops.AllReduceBucketOp([floats, integers], "sum").verify()
    ops.AllReduceOp(integers, "sum").verify()
    ops.AllReduceBucketOp([floats, floats], "mean").verify()


def test_the_dialect_has_every_op_the_op_modules_define() -> None:
    """The op set comes from the op modules (``ir/ops/<family>.py``), not from an export list:
    every op class named ``tg.*`` that one defines or imports is an op of the dialect, once."""
    defined = {
        value
        for info in pkgutil.iter_modules(ops.__path__)
        for value in vars(importlib.import_module(f"{ops.__name__}.{info.name}")).values()
        if isinstance(value, type)
        and issubclass(value, Operation)
        and str(getattr(value, "name", "")).startswith("tg.")
    }
    assert set(TG_OPERATIONS) == defined
    names = [str(getattr(op, "name", "")) for op in TG_OPERATIONS]
    assert len(names) == len(set(names))
    families = {op.__module__.rsplit(".", 1)[-1] for op in TG_OPERATIONS}
    assert families == {
        "along_axis", "control", "conv", "core", "debug", "decompositions", "distributed",
        "elementwise", "fused", "gradient", "linalg", "python", "random", "reduce", "shape",
        "softmax", "subtensor",
    }  # fmt: skip
    one_of_each = {
        "tg.constant", "tg.add", "tg.fused", "tg.dot", "tg.random.uniform", "tg.sum",
        "tg.dimshuffle", "tg.softmax", "tg.subtensor",
    }  # fmt: skip
    assert one_of_each <= set(names)
