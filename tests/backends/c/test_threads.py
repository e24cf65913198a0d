"""The C backend's threads: ``config.threads`` for loops and BLAS, one OpenMP pool for both,
libgomp loaded with a short spin, and results that do not depend on the thread count."""

from __future__ import annotations

import ctypes
import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator

import numpy as np
import pytest

import tracegraph
import tracegraph.tensor as T
from tracegraph.backends.c import threads


@pytest.fixture(autouse=True)
def _restore_threads() -> Iterator[None]:
    before = tracegraph.config.threads
    yield
    tracegraph.config.threads = before


def _count_in_c() -> int:
    """The thread count as the generated modules read it."""
    return ctypes.c_int.from_address(threads.THREAD_COUNT_ADDRESS).value


def test_config_threads_is_the_count_the_modules_and_blas_read() -> None:
    x = T.dmatrix("x")
    f = tracegraph.function([x], T.dot(x, x))  # loads a module, hence OpenBLAS
    f(np.eye(2))
    for count in (1, 3):
        tracegraph.config.threads = count
        assert threads.thread_count() == count
        assert _count_in_c() == count
        assert threads.blas_threads() == count
    tracegraph.config.threads = 0
    assert threads.thread_count() == (threads._environment_threads() or threads.available_cores())
    assert _count_in_c() == threads.thread_count()


@pytest.mark.parametrize("value", [-1, True, "2", 1.5])
def test_config_threads_takes_whole_numbers_from_zero(value: object) -> None:
    with pytest.raises(ValueError, match=r"config\.threads must be a whole number >= 0"):
        tracegraph.config.threads = value  # type: ignore[assignment]


def test_the_default_never_oversubscribes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {3})
    assert threads.available_cores() == 1
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    tracegraph.config.threads = 0
    assert threads.thread_count() == 1
    monkeypatch.setenv("OMP_NUM_THREADS", "4,2")
    assert threads.thread_count() == 4  # the user's OpenMP setting, as OpenMP reads it


def _python(script: str, **environment: str) -> str:
    env = {name: value for name, value in os.environ.items() if name != "TRACEGRAPH_FLAGS"}
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        env={**env, **environment},
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return result.stdout.strip()


def test_a_thread_count_flag_reaches_loops_and_blas_in_a_new_process() -> None:
    script = """
        import numpy as np
        import tracegraph, tracegraph.tensor as T
        from tracegraph.backends.c import threads
        x = T.dmatrix("x")
        tracegraph.function([x], T.dot(x, x))(np.eye(2))
        print(threads.thread_count(), threads.blas_threads())
    """
    assert _python(script, TRACEGRAPH_FLAGS="threads=3") == "3 3"


@pytest.mark.parametrize("shape", [(300_000,), (700, 900), (1, 5000)])
def test_loops_give_the_same_bits_on_one_thread_and_on_several(shape: tuple[int, ...]) -> None:
    rng = np.random.default_rng(5)
    x = T.TensorType("float64", (None,) * len(shape))("x")
    row = T.dvector("row")
    outputs = [T.tanh(x) * 2 + 1, T.exp(x).sum(axis=-1), x + row, x.T * 3]
    f = tracegraph.function([x, row], outputs)
    value, row_value = rng.normal(size=shape), rng.normal(size=shape[-1])
    tracegraph.config.threads = 1
    one = f(value, row_value)
    tracegraph.config.threads = 2
    several = f(value, row_value)
    for a, b in zip(one, several, strict=True):
        np.testing.assert_array_equal(a, b)


def test_blas_runs_on_the_loops_threads_and_agrees_with_numpy() -> None:
    rng = np.random.default_rng(6)
    a, b = rng.normal(size=(300, 400)), rng.normal(size=(400, 200))
    x, y = T.dmatrix("x"), T.dmatrix("y")
    f = tracegraph.function([x, y], T.tanh(T.dot(x, y)))
    for count in (1, 2, 4):
        tracegraph.config.threads = count
        np.testing.assert_allclose(f(a, b), np.tanh(a @ b), rtol=1e-13, atol=1e-13)


def test_a_thread_count_flag_that_is_not_a_number_is_an_error_naming_it() -> None:
    with pytest.raises(subprocess.CalledProcessError) as failure:
        _python("import tracegraph", TRACEGRAPH_FLAGS="threads=two")
    assert "TRACEGRAPH_FLAGS: threads must be a whole number, not 'two'" in failure.value.stderr


@pytest.mark.parametrize(
    ("expression", "cost"),
    [
        (lambda x: x + 1.0, 1),
        (lambda x: T.tanh(x), 9),
        (lambda x: T.exp(x) * T.log(x), 17),
        (lambda x: T.nnet.sigmoid(x), 9),  # the runtime's sigmoid calls exp
        (lambda x: T.nnet.softplus(x), 17),  # exp and log1p
    ],
)
def test_a_loops_work_counts_each_libm_call_of_its_body(
    expression: Callable[[T.TensorVariable], T.TensorVariable], cost: int
) -> None:
    x = T.dvector("x")
    source = tracegraph.function([x], expression(x)).source("c")
    assert re.findall(r"tg_run_flat\(tg_flat_\d+, total, (\d+), tg_data\)", source) == [str(cost)]


def test_a_forked_child_computes_on_one_thread_instead_of_waiting_forever() -> None:
    """Regression: once the parent had run a parallel loop or a threaded product, a child made
    by ``fork`` waited forever at its first one (libgomp cannot start threads again there)."""
    script = """
        import os
        import numpy as np
        import tracegraph, tracegraph.tensor as T
        from tracegraph.backends.c import threads
        a, b = T.dmatrices("a", "b")
        f = tracegraph.function([a, b], T.tanh(T.dot(a, b)) + 1)
        x = np.random.default_rng(0).normal(size=(700, 700))
        parent = f(x, x)
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:
            tracegraph.config.threads = 2  # still one thread in a child of fork
            # (a product on one thread may round differently from one on two: BLAS)
            same = np.allclose(f(x, x), parent, rtol=1e-12, atol=1e-12)
            os.write(write, f"{same} {threads.thread_count()}".encode())
            os._exit(0)
        os.waitpid(pid, 0)
        parent_threads = threads.thread_count() == threads.available_cores()
        print(os.read(read, 100).decode(), parent_threads)
    """
    assert _python(script) == "True 1 True"
