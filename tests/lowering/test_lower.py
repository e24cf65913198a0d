"""``lower``: targets declare what they run, and lowering follows them."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from xdsl.dialects.func import FuncOp
from xdsl.ir import Operation

import tracegraph
import tracegraph.tensor as T
from tracegraph.backends.registry import (
    Backend,
    Program,
    get_backend,
    register_backend,
    unregister_backend,
)
from tracegraph.compile.graph import func_of
from tracegraph.errors import UnsupportedOperationError
from tracegraph.ir import ops
from tracegraph.lowering import Target, lowered, register_target, target
from tracegraph.lowering import dialect as tgk
from tracegraph.lowering.target import _TARGETS


def _final(outputs: list[T.TensorVariable], inputs: list[T.TensorVariable]) -> FuncOp:
    f = tracegraph.function(inputs, outputs)
    return func_of(f._stages["final"])


def _kernels(func: FuncOp) -> list[str]:
    return [op.name for op in func.body.block.ops]


@pytest.fixture
def device_target() -> Iterator[Target]:
    """A target with loops and float32 BLAS only, and no host: as a GPU target would be."""

    def loops(op: Operation) -> bool:
        return isinstance(op, ops.ExpOp | ops.AddOp | ops.SumOp | ops.MulOp)

    device = Target(
        "toy-device", loops, blas_dtypes=("float32",), index_dtypes=(), host_calls=False
    )
    register_target(device)
    yield device
    del _TARGETS[device.name]


def test_the_c_target_is_found_by_name_and_an_unknown_one_names_the_known() -> None:
    assert target("c").mrg_draws
    with pytest.raises(ValueError, match=r"unknown lowering target 'banana' \(known: .*c"):
        target("banana")


def test_a_target_without_host_calls_refuses_an_op_it_cannot_run_naming_it_and_the_line(
    device_target: Target,
) -> None:
    x = T.dvector("x")
    here = inspect.currentframe()
    assert here is not None
    line = here.f_lineno + 1
    y = T.concatenate([T.exp(x), x])
    func = _final([y], [x])
    with pytest.raises(UnsupportedOperationError) as error:
        lowered(func, device_target.name, verify=True)
    message = str(error.value)
    assert "tg.concatenate" in message
    assert f"{Path(__file__).name}:{line}:" in message
    assert "toy-device target has no kernel" in message


def test_lowering_follows_the_targets_blas_dtypes_and_loop_ops(device_target: Target) -> None:
    a32, b32 = T.fmatrix("a"), T.fvector("b")
    func = _final([T.exp(T.dot(a32, b32))], [a32, b32])
    assert _kernels(lowered(func, device_target.name, verify=True)) == [
        "tgk.blas_dot",
        "tgk.loop",
        "func.return",
    ]
    a64, b64 = T.dmatrix("a"), T.dvector("b")
    func = _final([T.tanh(T.dot(a64, b64))], [a64, b64])
    with pytest.raises(UnsupportedOperationError, match=r"tg\.dot"):
        lowered(func, device_target.name, verify=True)
    assert _kernels(lowered(func, "c", verify=True)) == [
        "tgk.blas_dot",
        "tgk.loop",
        "func.return",
    ]


def test_a_fused_group_with_an_op_the_target_has_no_loop_rule_for_is_not_a_loop() -> None:
    def loops(op: Operation) -> bool:
        return isinstance(op, ops.ExpOp)

    register_target(Target("toy-host", loops, blas_dtypes=(), index_dtypes=()))
    try:
        x = T.dvector("x")
        func = _final([T.tanh(T.exp(x)) + 1], [x])
        kernels = _kernels(lowered(func, "toy-host", verify=True))
        assert "tgk.loop" not in kernels and "tgk.host_call" in kernels
    finally:
        del _TARGETS["toy-host"]


def test_lowering_leaves_the_final_stage_unchanged_and_the_c_backend_agrees() -> None:
    x = T.dmatrix("x")
    f = tracegraph.function([x], [T.exp(x).sum(axis=1), x.T * 2])
    before = f.dump_ir("final")
    func = func_of(f._stages["final"])
    kernels = lowered(func, "c", verify=True)
    assert isinstance(kernels.body.block.first_op, tgk.LoopOp)
    assert f.dump_ir("final") == before
    value = np.arange(6.0).reshape(2, 3)
    np.testing.assert_allclose(f(value)[0], np.exp(value).sum(axis=1))
    np.testing.assert_allclose(f(value)[1], value.T * 2)


class _DeviceBackend(Backend):
    """A device backend whose target runs no host calls: what a GPU backend is to lowering."""

    name = "toy-device"
    device = "toydev"

    def compile(self, func: FuncOp) -> Program:
        lowered(func, "toy-device")
        return get_backend("reference").compile(func)

    def source(self, func: FuncOp) -> str:
        return ""


def test_a_device_backend_refuses_at_function_time_naming_the_op_and_the_users_line(
    device_target: Target,
) -> None:
    register_backend(_DeviceBackend())
    previous = tracegraph.config.device
    try:
        tracegraph.config.device = "toydev"
        x = T.dvector("x")
        here = inspect.currentframe()
        assert here is not None
        line = here.f_lineno + 1
        y = T.concatenate([T.exp(x), x])
        with pytest.raises(UnsupportedOperationError) as error:
            tracegraph.function([x], y)
        assert f"tg.concatenate at {Path(__file__).name}:{line}:" in str(error.value).replace(
            str(Path(__file__).parent) + "/", ""
        )
        doubled = tracegraph.function([x], T.exp(x) + x)  # loops only: it compiles
        np.testing.assert_allclose(doubled(np.zeros(2)), [1.0, 1.0])
    finally:
        tracegraph.config.device = previous
        unregister_backend("toy-device")
