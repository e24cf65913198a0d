"""Kernel benchmark: the C backend against NumPy, PyTensor and JAX on small programs.

Cases (float64):

- ``chain``: ``tanh(x) * y + exp(-x * x) * 0.5`` and ``sigmoid``: ``1 / (1 + exp(-x))``, at
  1e3, 1e6 and 1e7 elements; also as a fraction of the memory bandwidth (``np.copyto`` of 1e7
  doubles: the chain moves 24 bytes per element, the sigmoid 16);
- ``add 0-d``: ``z = x + y`` on 0-d arrays (the cost of one call), and ``add floats`` on Python
  floats (``f(1.5, 2.5)``, as Theano's tutorial calls ``f(33)``);
- ``sum(exp)``: ``sum(exp(x), axis=1)`` on 2000×2000;
- ``dot``: ``dot(a, b)`` of two 1000×1000 matrices, in GFLOP/s.

Each system runs in a process of its own (``python bench/kernels.py --system NAME`` prints its
numbers as JSON), one after the other, so that their thread pools do not meet. A time is the
median of ``--repeats`` samples, each the mean of enough calls to last about 0.1 s.

Run it alone with ``python bench/kernels.py`` or via ``bench/run.py --only kernels``.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from harness import (
    Settings,
    Table,
    argument_parser,
    best_peer,
    json_from_process,
    print_tables,
    settings_from,
)

SIZES = (1_000, 1_000_000, 10_000_000)
SUM_SHAPE = (2000, 2000)
DOT_SIZE = 1000
SYSTEMS = ("tracegraph C", "tracegraph reference", "NumPy", "PyTensor CVM", "JAX jit")
OURS = ("tracegraph C", "tracegraph reference")
"""tracegraph's own systems: the best peer is the fastest of the others."""
BYTES_PER_ELEMENT = {"chain": 24, "sigmoid": 16}

Case = Callable[[], object]


def seconds_per_call(call: Case, repeats: int) -> float:
    """The median over ``repeats`` samples of the mean time of one call (each sample calls
    enough times to last about 0.1 s)."""
    call()
    start = time.perf_counter()
    call()
    once = max(time.perf_counter() - start, 1e-7)
    number = max(1, min(100_000, int(0.1 / once)))
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(number):
            call()
        samples.append((time.perf_counter() - start) / number)
    return statistics.median(samples)


def inputs(size: int) -> tuple[Any, Any]:
    rng = np.random.default_rng(size)
    return rng.normal(size=size), rng.normal(size=size)


# -- the systems ----------------------------------------------------------------------------------


def tracegraph_cases(linker: str) -> dict[str, Case]:
    import tracegraph
    import tracegraph.tensor as T

    mode = tracegraph.Mode(linker=linker)
    x, y = T.dvectors("x", "y")
    chain = tracegraph.function([x, y], T.tanh(x) * y + T.exp(-x * x) * 0.5, mode=mode)
    sigmoid = tracegraph.function([x], 1 / (1 + T.exp(-x)), mode=mode)
    a, b = T.dscalars("a", "b")
    add = tracegraph.function([a, b], a + b, mode=mode)
    m = T.dmatrix("m")
    sum_exp = tracegraph.function([m], T.sum(T.exp(m), axis=1), mode=mode)
    p, q = T.dmatrices("p", "q")
    dot = tracegraph.function([p, q], T.dot(p, q), mode=mode)
    return _cases(chain, sigmoid, add, sum_exp, dot)


def numpy_cases() -> dict[str, Case]:
    def chain(x: Any, y: Any) -> Any:
        return np.tanh(x) * y + np.exp(-x * x) * 0.5

    def sigmoid(x: Any) -> Any:
        return 1 / (1 + np.exp(-x))

    def add(a: Any, b: Any) -> Any:
        return a + b

    def sum_exp(m: Any) -> Any:
        return np.exp(m).sum(axis=1)

    return _cases(chain, sigmoid, add, sum_exp, np.dot)


def pytensor_cases() -> dict[str, Case]:
    import pytensor
    import pytensor.tensor as pt

    def compile_(inputs: list[Any], output: Any) -> Any:
        return pytensor.function(inputs, output, mode="CVM")

    x, y = pt.dvectors("x", "y")
    chain = compile_([x, y], pt.tanh(x) * y + pt.exp(-x * x) * 0.5)
    sigmoid = compile_([x], 1 / (1 + pt.exp(-x)))
    a, b = pt.dscalars("a", "b")
    add = compile_([a, b], a + b)
    m = pt.dmatrix("m")
    sum_exp = compile_([m], pt.exp(m).sum(axis=1))
    p, q = pt.dmatrices("p", "q")
    dot = compile_([p, q], pt.dot(p, q))
    return _cases(chain, sigmoid, add, sum_exp, dot)


def jax_cases() -> dict[str, Case]:
    import jax
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", True)

    def blocking(function: Callable[..., Any]) -> Callable[..., Any]:
        jitted = jax.jit(function)

        def call(*args: Any) -> Any:
            return jitted(*args).block_until_ready()

        return call

    chain = blocking(lambda x, y: jnp.tanh(x) * y + jnp.exp(-x * x) * 0.5)
    sigmoid = blocking(lambda x: 1 / (1 + jnp.exp(-x)))
    add = blocking(lambda a, b: a + b)
    sum_exp = blocking(lambda m: jnp.exp(m).sum(axis=1))
    dot = blocking(jnp.dot)
    return _cases(chain, sigmoid, add, sum_exp, dot, device=jnp.asarray)


def _cases(
    chain: Any,
    sigmoid: Any,
    add: Any,
    sum_exp: Any,
    dot: Any,
    device: Callable[[Any], Any] = np.asarray,
) -> dict[str, Case]:
    """The calls to time, on inputs made once (on the device for JAX)."""
    cases: dict[str, Case] = {}
    for size in SIZES:
        x, y = (device(v) for v in inputs(size))
        cases[f"chain {size:.0e}"] = lambda f=chain, x=x, y=y: f(x, y)
        cases[f"sigmoid {size:.0e}"] = lambda f=sigmoid, x=x: f(x)
    a, b = device(np.array(1.5)), device(np.array(2.5))
    cases["add 0-d"] = lambda: add(a, b)
    cases["add floats"] = lambda: add(1.5, 2.5)
    m = device(np.random.default_rng(0).normal(size=SUM_SHAPE))
    cases["sum(exp)"] = lambda: sum_exp(m)
    p, q = (device(np.random.default_rng(k).normal(size=(DOT_SIZE, DOT_SIZE))) for k in (1, 2))
    cases["dot"] = lambda: dot(p, q)
    return cases


def copy_seconds(repeats: int) -> float:
    """Seconds of ``np.copyto`` of 1e7 doubles (reads and writes 160 MB)."""
    source, target = np.ones(10_000_000), np.empty(10_000_000)
    return seconds_per_call(lambda: np.copyto(target, source), repeats)


def measure_system(name: str, repeats: int) -> dict[str, float]:
    factories: dict[str, Callable[[], dict[str, Case]]] = {
        "tracegraph C": lambda: tracegraph_cases("c"),
        "tracegraph reference": lambda: tracegraph_cases("numpy"),
        "NumPy": numpy_cases,
        "PyTensor CVM": pytensor_cases,
        "JAX jit": jax_cases,
    }
    cases = factories[name]()
    results = {case: seconds_per_call(call, repeats) for case, call in cases.items()}
    results["copy 1e7"] = copy_seconds(repeats)
    return results


# -- the table ------------------------------------------------------------------------------------


def _format_time(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.3g} µs"
    return f"{seconds * 1e3:.3g} ms"


def run(settings: Settings) -> list[Table]:
    """Measure every installed system, each in its own process; return the tables."""
    systems = SYSTEMS if settings.compare else SYSTEMS[:3]
    results: dict[str, dict[str, float]] = {}
    notes: list[str] = []
    for name in systems:
        print(f"measuring {name}", file=sys.stderr, flush=True)
        measured = json_from_process(
            __file__, "--system", name, "--repeats", str(settings.repeats), label=name
        )
        if isinstance(measured, str):
            notes.append(measured)
        else:
            results[name] = measured
    cases = [case for case in next(iter(results.values())) if case != "copy 1e7"]
    columns = ["case", *results, "best peer", "tracegraph C ÷ best peer"]
    table = Table("Kernels, float64 (time per call, median of samples)", columns)
    for case in cases:
        row = [case, *(_format_time(results[name][case]) for name in results)]
        times = {name: measured[case] for name, measured in results.items()}
        peer, peer_time = best_peer(times, OURS)
        if "tracegraph C" in results and peer_time > 0:
            row += [peer, f"{results['tracegraph C'][case] / peer_time:.2f}×"]
        else:
            row += ["n/a", "n/a"]
        table.rows.append(row)
    dot_row = ["dot GFLOP/s"]
    for name in results:
        dot_row.append(f"{2 * DOT_SIZE**3 / results[name]['dot'] / 1e9:.1f}")
    dot_row += ["", ""]
    table.rows.append(dot_row)
    copy = statistics.median(r["copy 1e7"] for r in results.values())
    bandwidth = 160e6 / copy
    table.notes.append(
        f"memory bandwidth: np.copyto of 1e7 doubles takes {copy * 1e3:.3g} ms "
        f"({bandwidth / 1e9:.1f} GB/s read + write)"
    )
    for kind, per_element in BYTES_PER_ELEMENT.items():
        case = f"{kind} {10_000_000:.0e}"
        if "tracegraph C" in results:
            floor = 10_000_000 * per_element / bandwidth
            share = floor / results["tracegraph C"][case]
            table.notes.append(
                f"{case}: tracegraph C runs at {share:.0%} of the memory bandwidth "
                f"({per_element} bytes per element)"
            )
    table.notes.extend(notes)
    return [table]


def main() -> None:
    """Run this benchmark alone (or, with ``--system``, one system, printing JSON)."""
    parser = argument_parser(__doc__.splitlines()[0] if __doc__ else "kernel benchmark")
    parser.add_argument("--system", choices=SYSTEMS, help="measure one system, print JSON")
    arguments = parser.parse_args()
    settings = settings_from(arguments)
    if arguments.system:
        print(json.dumps(measure_system(arguments.system, settings.repeats)))
        return
    print_tables(run(settings))


if __name__ == "__main__":
    main()
