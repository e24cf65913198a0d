"""MRG31k3p on the Triton backend: the kernel's numbers and advanced states are the reference's
bit for bit (Triton's interpreter here; the same kernel compiles to PTX in the suite's hook)."""

from __future__ import annotations

import numpy as np
import pytest
from xdsl.dialects.func import FuncOp

import tracegraph
import tracegraph.tensor as T
from tracegraph.backends.triton.program import TritonProgram
from tracegraph.errors import RuntimeOpError
from tracegraph.ir import mrg31k3p, parse_module
from tracegraph.sandbox.rng_mrg import MRG_RandomStreams


def _draw(dtype: str) -> TritonProgram:
    """A program of one draw: ``(rstate, size) -> (new rstate, sample)``."""
    short = {"float64": "f64", "float32": "f32"}[dtype]
    module = parse_module(
        f"""
        func.func @f(%r: tensor<?x?xi32>, %size: tensor<1xi64>)
            -> (tensor<?x?xi32>, tensor<?x{short}>) {{
          %s, %x = tg.random.mrg_uniform %r, %size
            : (tensor<?x?xi32>, tensor<1xi64>) -> (tensor<?x?xi32>, tensor<?x{short}>)
          func.return %s, %x : tensor<?x?xi32>, tensor<?x{short}>
        }}"""
    )
    func = module.body.block.first_op
    assert isinstance(func, FuncOp)
    return TritonProgram(func)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("size", [1, 5, 6, 7, 100, 1001])
def test_streams_draw_the_reference_numbers(dtype: str, size: int) -> None:
    draws = {}
    for linker in ("triton", "numpy"):
        tracegraph.config.linker = linker
        streams = MRG_RandomStreams(1234)
        f = tracegraph.function([], streams.uniform((size,), dtype=dtype))
        if linker == "triton":
            assert isinstance(f._program, TritonProgram)
            assert "tg_mrg_" in f._program.source
        draws[linker] = [f() for _ in range(3)]
    for ours, reference in zip(draws["triton"], draws["numpy"], strict=True):
        assert ours.dtype == reference.dtype
        np.testing.assert_array_equal(ours, reference)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_the_kernel_advances_each_stream_as_the_reference(dtype: str) -> None:
    program = _draw(dtype)
    assert "tg_mrg_0" in program.source
    states = mrg31k3p.substreams(np.array([12345] * 6, dtype=np.int32), 5)
    for total in (0, 3, 5, 12, 1000):
        got_state, got = program.run([states, np.array([total], dtype=np.int64)])
        want_state, want = mrg31k3p.uniform(states, total, dtype)
        np.testing.assert_array_equal(got_state, want_state)
        np.testing.assert_array_equal(got, want)


def test_a_negative_size_is_the_reference_error() -> None:
    streams = MRG_RandomStreams(7)
    n = T.lscalar("n")
    f = tracegraph.function([n], streams.uniform((n,)))
    with pytest.raises(RuntimeOpError, match="negative"):
        f(-1)
