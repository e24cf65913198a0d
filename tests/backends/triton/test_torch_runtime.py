"""The torch runtime of the Triton backend, on CPU tensors under Triton's interpreter (where
torch is installed: the GPU machines; CI has no torch): device tensors in and out, shared
values kept on the device between calls, refusals at ``function()``."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

import tracegraph
import tracegraph.tensor as T
from tracegraph.backends.registry import DeviceValue
from tracegraph.backends.triton.program import DeviceCall, TritonProgram
from tracegraph.errors import UnsupportedOperationError

torch = pytest.importorskip("torch")


@pytest.fixture(autouse=True)
def on_torch(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    import tracegraph.backends.triton.program as program

    monkeypatch.setattr(program, "DEFAULT_DEVICE", "cpu")
    yield


def test_numpy_and_torch_arguments_give_numpy_results() -> None:
    x = T.fvector("x")
    f = tracegraph.function([x], T.tanh(x) * 2)
    assert isinstance(f._program, TritonProgram)
    assert isinstance(f._fast_call, DeviceCall)
    values = np.linspace(-1, 1, 7, dtype=np.float32)
    for argument in (values, torch.from_numpy(values)):
        result = f(argument)
        assert isinstance(result, np.ndarray)
        np.testing.assert_allclose(result, np.tanh(values) * 2, rtol=1e-6)


def test_return_device_gives_the_devices_tensors() -> None:
    x = T.dvector("x")
    f = tracegraph.function([x], [x + 1, x * 2], return_device=True)
    first, second = f(torch.tensor([1.0, 2.0], dtype=torch.float64))
    assert isinstance(first, torch.Tensor) and isinstance(second, torch.Tensor)
    assert first.tolist() == [2.0, 3.0] and second.tolist() == [2.0, 4.0]


def test_shared_values_stay_on_the_device_between_calls() -> None:
    w = tracegraph.shared(np.zeros(3), name="w")
    x = T.dvector("x")
    step = tracegraph.function([x], w.sum(), updates=[(w, w + x)])
    for _ in range(3):
        step(np.ones(3))
    assert isinstance(w.cell.value, DeviceValue)
    np.testing.assert_array_equal(w.get_value(), [3.0, 3.0, 3.0])
    w.set_value(np.full(3, 10.0))
    assert float(step(np.ones(3))) == 30.0
    np.testing.assert_array_equal(w.get_value(), [11.0, 11.0, 11.0])


def test_a_c_function_reads_a_value_a_device_call_left() -> None:
    w = tracegraph.shared(np.zeros(2), name="w")
    step = tracegraph.function([], [], updates=[(w, w + 1)])
    step()
    assert isinstance(w.cell.value, DeviceValue)
    on_cpu = tracegraph.function([], w * 2, mode=tracegraph.Mode(linker="c"))
    np.testing.assert_array_equal(on_cpu(), [2.0, 2.0])


def test_an_op_without_a_device_operation_is_refused_at_function_time() -> None:
    from tracegraph.sandbox.rng_mrg import MRG_RandomStreams

    p = T.dmatrix("p")
    draws = MRG_RandomStreams(3).multinomial(pvals=p)
    with pytest.raises(UnsupportedOperationError, match=r"multinomial.* at .*test_torch_runtime"):
        tracegraph.function([p], draws * 2)


def test_indexing_runs_on_the_device_as_numpys() -> None:
    x = T.dmatrix("x")
    i = T.lvector("i")
    f = tracegraph.function(
        [x, i], [x[::-1, 1], x[i, 1:], T.set_subtensor(x[i, 0], 0.0), T.inc_subtensor(x[i], 1.0)]
    )
    values = np.arange(12.0).reshape(4, 3)
    index = np.array([3, 0, 3])
    reversed_column, gathered, written, added = f(torch.from_numpy(values), index)
    np.testing.assert_array_equal(reversed_column, values[::-1, 1])
    np.testing.assert_array_equal(gathered, values[index, 1:])
    expected = values.copy()
    expected[index, 0] = 0.0
    np.testing.assert_array_equal(written, expected)
    expected = values.copy()
    np.add.at(expected, index, 1.0)
    np.testing.assert_array_equal(added, expected)
    with pytest.raises(IndexError, match=r"tg\.subtensor at .*index 4 is out of bounds"):
        f(values, np.array([4]))


def test_launches_are_specialized_as_tritons_own_launcher_does() -> None:
    # The compile step of a CUDA launch, without a GPU: unit strides become constants and
    # sizes that are multiples of 16 are marked so, and the row reduction's loads vectorize.
    x = T.fmatrix("x")
    program = tracegraph.function([x], T.exp(x).sum(axis=1))._program
    assert isinstance(program, TritonProgram)
    name = next(name for name in program.signatures if name.startswith("tg_loop_"))
    kernel = getattr(program.compiled_module(), name)
    runtime = program.runtime
    a = torch.rand(64, 256)
    o = torch.empty(64)
    # a0, o0, n0, n1, a0_s0, a0_s1, NR, p0, SPAN; BK, BR, PARTIAL
    args = (a, o, 64, 256, *a.stride(), 256, o, 256, 4, 256, False)
    compiled = runtime._compiled_for(kernel, args)
    assert "ld.global.v4.b32" in compiled.asm["ptx"]
    assert runtime._compiled_for(kernel, args) is compiled


def test_reshapes_run_on_the_device_and_fail_as_the_reference() -> None:
    from tracegraph.errors import ShapeMismatchError

    x = T.dmatrix("x")
    f = tracegraph.function([x], [x.reshape((-1,)) * 2, T.flatten(x, 1)])
    values = np.arange(6.0).reshape(2, 3)
    doubled, flat = f(torch.from_numpy(values))
    np.testing.assert_array_equal(doubled, values.reshape(-1) * 2)
    np.testing.assert_array_equal(flat, values.reshape(-1))
    g = tracegraph.function([x], x.reshape((4, -1)))
    with pytest.raises(ShapeMismatchError, match=r"tg\.reshape at"):
        g(values)
