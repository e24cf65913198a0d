"""``function(..., profile=True)`` and ``config.profile``: the calls and each step of the
program timed on every backend, ``f.profile`` as data, Theano-style tables, printed at exit."""

from __future__ import annotations

import importlib.util
import io
import os
import subprocess
import sys
import textwrap
from typing import Any

import numpy as np
import pytest

import tracegraph
import tracegraph.tensor as T
from tracegraph.compile.profiling import ProfileStats

LINKERS = ["numpy", "c", *(["triton"] if importlib.util.find_spec("triton") else [])]


def train_step(mode: Any, profile: Any) -> Any:
    x = T.dmatrix("x")
    w = tracegraph.shared(np.full((30, 20), 0.01), "w")
    cost = T.tanh(T.dot(x, w)).sum() + T.log(x + 2).mean()
    updates = [(w, w - 0.01 * T.grad(cost, w))]
    return tracegraph.function([x], cost, updates=updates, mode=mode, profile=profile)


@pytest.mark.parametrize("linker", LINKERS)
def test_every_step_is_timed_on_every_backend(linker: str) -> None:
    stats = ProfileStats(atexit_print=False)
    f = train_step(tracegraph.Mode(linker=linker), stats)
    assert f.profile is stats
    data = np.ones((10, 30))
    for _ in range(4):
        f(data)  # positional arrays: the fast path where the backend has one
    f(x=data)  # by keyword: the general path
    assert stats.calls == 5
    assert stats.compile_time > 0
    assert stats.steps, "no step"
    assert all(step.calls == 5 for step in stats.steps if step.kind != "tg.constant")
    assert 0 < stats.step_time <= stats.call_time
    labels = [step.label for step in stats.steps]
    assert "tg.dot" in labels
    assert all(step.location.startswith(__file__) for step in stats.steps if step.location)
    by_op = stats.op_time()
    assert by_op["tg.dot"][1:] == (10, 2)  # the product and its gradient, 5 calls each


def test_the_summary_has_theanos_tables() -> None:
    stats = ProfileStats(atexit_print=False, message="training")
    f = train_step(tracegraph.Mode(linker="c"), stats)
    f(np.ones((10, 30)))
    out = io.StringIO()
    text = stats.summary(file=out)
    assert out.getvalue() == text
    assert text.startswith("Function profile\n================\n  Message: training\n")
    assert "Time in 1 calls to Function.__call__:" in text
    assert "Time in steps of the C backend:" in text
    assert "\nOps\n---\n<% time> <sum %> <time (s)> <time per call> <#call> <#steps> <op>\n" in text
    assert "\nSteps\n-----\n" in text
    assert "loop: tg.tanh" in text
    short = stats.summary(file=io.StringIO(), n_ops_to_print=1)
    assert "other steps" in short and "other ops" in short


def test_no_call_yet_says_so() -> None:
    stats = ProfileStats(atexit_print=False)
    train_step(tracegraph.Mode(linker="numpy"), stats)
    assert "No call was made." in stats.summary(file=io.StringIO())


def test_the_default_message_is_the_name_or_the_users_line() -> None:
    stats = ProfileStats(atexit_print=False)
    x = T.dvector("x")
    tracegraph.function([x], x + 1, profile=stats)
    assert stats.message == f"the function compiled at {__file__}:{_line() - 1}:5"
    named = ProfileStats(atexit_print=False)
    tracegraph.function([x], x + 1, profile=named, name="step")
    assert named.message == "step"


def _line() -> int:
    return sys._getframe(1).f_lineno


@pytest.mark.parametrize("mode", ["DebugMode", "NanGuardMode"])
def test_modes_that_watch_each_op_are_timed_whole(mode: str) -> None:
    stats = ProfileStats(atexit_print=False)
    f = train_step(mode, stats)
    f(np.ones((10, 30)))
    assert [step.label for step in stats.steps] == ["the whole function"]
    assert stats.steps[0].calls == 1


def test_unprofiled_functions_have_no_profile() -> None:
    x = T.dvector("x")
    assert tracegraph.function([x], x + 1).profile is None


def test_config_profile_profiles_every_function_and_prints_at_exit(tmp_path: Any) -> None:
    script = tmp_path / "model.py"
    script.write_text(
        textwrap.dedent(
            """
            import numpy as np
            import tracegraph, tracegraph.tensor as T
            x = T.dvector("x")
            f = tracegraph.function([x], T.exp(x).sum(), name="expsum")
            f(np.ones(3))
            assert f.profile is not None and f.profile.calls == 1
            print("done")
            """
        )
    )
    environment = dict(os.environ, TRACEGRAPH_FLAGS="profile=True")
    result = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, env=environment, check=True
    )
    assert result.stdout.startswith("done\nFunction profile\n")
    assert "Message: expsum" in result.stdout
