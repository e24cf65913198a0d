"""``DebugMode``: each op on the chosen backend against the reference, then the whole fused
function; the first difference raised, naming the op and the user's line."""

from __future__ import annotations

import importlib.util
import inspect
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np
import pytest
from xdsl.dialects.func import FuncOp

import tracegraph
import tracegraph.tensor as T
from tracegraph.backends.registry import (
    Backend,
    Binding,
    get_backend,
    register_backend,
    unregister_backend,
)
from tracegraph.compile.debugmode import DebugProgram, difference
from tracegraph.errors import DebugModeError
from tracegraph.random import RandomStreams

LINKERS = ["numpy", "c", *(["triton"] if importlib.util.find_spec("triton") else [])]


class _OffByOne:
    """The reference's program of a function, with 1 added to what ``corrupt`` says."""

    def __init__(self, func: FuncOp, corrupt: Callable[[FuncOp], bool]):
        self.program = get_backend("reference").compile(func)
        self.wrong = corrupt(func)

    def run(self, args: Sequence[Any]) -> list[Any]:
        results = self.program.run(args)
        return [result + 1 for result in results] if self.wrong else results

    def bind(self, binding: Binding) -> None:
        return None


class _Miscompiling(Backend):
    """A backend that gets the functions ``corrupt`` picks wrong by one."""

    name = "miscompiling"

    def __init__(self, corrupt: Callable[[FuncOp], bool]):
        self.corrupt = corrupt

    def compile(self, func: FuncOp) -> _OffByOne:
        return _OffByOne(func, self.corrupt)

    def source(self, func: FuncOp) -> str:
        return ""


def _op_names(func: FuncOp) -> set[str]:
    return {op.name for op in func.walk()}


@pytest.fixture
def miscompiling() -> Iterator[Callable[[Callable[[FuncOp], bool]], str]]:
    def install(corrupt: Callable[[FuncOp], bool]) -> str:
        register_backend(_Miscompiling(corrupt))
        return "miscompiling"

    yield install
    unregister_backend("miscompiling")


def model(mode: Any) -> tuple[Any, tracegraph.SharedVariable]:
    x = T.dmatrix("x")
    w = tracegraph.shared(np.linspace(-1, 1, 6).reshape(3, 2), "w")
    hidden = T.tanh(T.dot(x, w))
    cost = T.exp(hidden).sum() + T.log(x + 2).mean()  # the planted error is here
    updates = [(w, w - 0.1 * T.grad(cost, w))]
    return tracegraph.function([x], cost, updates=updates, mode=mode), w


def _line_of(text: str) -> int:
    source, first = inspect.getsourcelines(model)
    return first + next(i for i, line in enumerate(source) if text in line)


@pytest.mark.parametrize("linker", LINKERS)
def test_every_backend_agrees_with_the_reference_on_a_model(linker: str) -> None:
    f, w = model(tracegraph.DebugMode(linker=linker))
    plain, w_plain = model(tracegraph.Mode(linker="numpy"))
    data = np.arange(6.0).reshape(2, 3)
    for _ in range(3):
        np.testing.assert_allclose(f(data), plain(data), rtol=1e-12)
    np.testing.assert_allclose(w.get_value(), w_plain.get_value(), rtol=1e-12)


def test_the_mode_by_name_uses_the_configured_linker() -> None:
    f, _ = model("DebugMode")
    assert isinstance(f._program, DebugProgram)
    assert f._program.backend.name == get_backend(tracegraph.config.linker).name


def test_an_op_the_backend_gets_wrong_is_named_with_the_users_line(
    miscompiling: Callable[[Callable[[FuncOp], bool]], str],
) -> None:
    # Only functions made of one tg.exp are wrong: the op checked alone.
    linker = miscompiling(lambda func: _op_names(func) >= {"tg.exp"} and len(list(func.walk())) < 5)
    f, _ = model(tracegraph.DebugMode(linker=linker))
    with pytest.raises(DebugModeError) as caught:
        f(np.ones((2, 3)))
    message = str(caught.value)
    assert message.startswith(f"tg.exp at {__file__}:{_line_of('planted error')}:")
    assert "failed on operands (float64[2, 2])" in message
    assert (
        "DebugMode: the result on the miscompiling backend differs from the reference's: 4 of 4 "
        in message
    )
    assert isinstance(caught.value, AssertionError)


def test_a_fused_kernel_the_backend_gets_wrong_is_found_by_the_whole_comparison(
    miscompiling: Callable[[Callable[[FuncOp], bool]], str],
) -> None:
    linker = miscompiling(lambda func: "tg.fused" in _op_names(func))
    f, _ = model(tracegraph.DebugMode(linker=linker))
    with pytest.raises(DebugModeError, match=r"result 0 of the function \(fused, as"):
        f(np.ones((2, 3)))


def test_a_failed_check_changes_no_shared_value(
    miscompiling: Callable[[Callable[[FuncOp], bool]], str],
) -> None:
    linker = miscompiling(lambda func: "tg.fused" in _op_names(func))
    f, w = model(tracegraph.DebugMode(linker=linker))
    before = w.get_value()
    with pytest.raises(DebugModeError):
        f(np.ones((2, 3)))
    np.testing.assert_array_equal(w.get_value(), before)


def test_random_draws_are_checked_whole_and_not_drawn_twice() -> None:
    streams = RandomStreams(seed=3)
    u = streams.uniform((4,))
    f = tracegraph.function([], u * 2, mode=tracegraph.DebugMode(linker="c"))
    g = tracegraph.function([], RandomStreams(seed=3).uniform((4,)) * 2, mode="FAST_RUN")
    for _ in range(2):
        np.testing.assert_array_equal(f(), g())


def test_tolerances_are_the_users_to_choose() -> None:
    assert difference(np.float64(1.0), np.float64(1.0 + 1e-6)) is None
    assert difference(np.float64(1.0), np.float64(1.0 + 1e-6), (1e-9, 0.0)) is not None
    assert tracegraph.DebugMode(rtol=1e-9).tolerance == (1e-9, 1e-8)
    assert difference(np.float32(1.0), np.float32(1.0 + 1e-4)) is not None
    assert difference(np.array([np.nan, 1.0]), np.array([np.nan, 1.0])) is None
    assert difference(np.array([1, 2]), np.array([1, 3])) is not None
    assert difference(np.zeros(2, np.float32), np.zeros(2)) == (
        "dtype float32 where the reference has dtype float64"
    )


def test_theano_import_path() -> None:
    from tracegraph.compile.debugmode import DebugMode as Imported

    assert Imported is tracegraph.DebugMode
    assert tracegraph.compile.get_mode("DebugMode").debug
