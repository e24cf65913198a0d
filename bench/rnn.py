"""Elman RNN benchmark: ``scan`` forward and backpropagation through time, per training step.

An Elman network (hidden size :data:`HIDDEN`, :data:`STEPS` steps, batch :data:`BATCH`, inputs
of :data:`FEATURES`, float64): ``h_t = tanh(x_t Wx + h_{t-1} Wh + b)`` from ``h_0 = 0``, the
cost ``mean((h_T - y) ** 2)``, its gradient with respect to ``Wx``, ``Wh`` and ``b`` and one
SGD step per call. Systems: tracegraph's ``scan`` on the C backend (the step compiled, the loop
on the host) and on the reference backend, PyTensor's ``scan`` (``mode="CVM"``), JAX's
``lax.scan`` under ``jax.jit``, and NumPy by hand (the loop and BPTT written out). Each system
runs in a process of its own (their thread pools never meet); after its steps, its weights are
compared with NumPy's.

Also: ``function()`` of the training step in new processes with an empty and with a warm
compile cache, and the cost per step of a loop whose step is almost empty (``h + 1`` on a
vector of 8), against a Python loop of NumPy calls.

Run it alone with ``python bench/rnn.py`` or via ``bench/run.py --only rnn``.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from harness import (
    Settings,
    Table,
    argument_parser,
    best_peer,
    print_tables,
    ratio,
    settings_from,
    step_medians,
    weights_agreement,
    workers,
)

HIDDEN, STEPS, BATCH, FEATURES = 256, 100, 32, 64
LEARNING_RATE = 0.01
CALLS = 10
"""Timed training steps per sample; their median is the sample's step time."""
EMPTY_STEPS = 2000
"""Steps of the almost-empty loop."""
RTOL = 1e-9
OURS = ("tracegraph C", "tracegraph reference")

Array = NDArray[Any]
Step = Callable[[], None]


def data() -> tuple[Array, Array, tuple[Array, Array, Array]]:
    """Inputs, targets and initial weights (a fixed seed)."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(STEPS, BATCH, FEATURES))
    y = rng.normal(size=(BATCH, HIDDEN))
    weights = (
        rng.normal(size=(FEATURES, HIDDEN)) * 0.1,
        rng.normal(size=(HIDDEN, HIDDEN)) * 0.05,
        np.zeros(HIDDEN),
    )
    return x, y, weights


def theano_style(theano: Any, T: Any, mode: Any) -> tuple[Step, Callable[[], list[Array]]]:
    """The training step in a Theano-like framework (tracegraph, PyTensor)."""
    x_value, y_value, initial = data()
    params = [
        theano.shared(w.copy(), name=n) for w, n in zip(initial, ("Wx", "Wh", "b"), strict=True)
    ]
    x, y = T.dtensor3("x"), T.dmatrix("y")
    hs, _ = theano.scan(
        lambda xt, h, wx, wh, b: T.tanh(T.dot(xt, wx) + T.dot(h, wh) + b),
        sequences=x,
        outputs_info=T.zeros((x.shape[1], HIDDEN)),
        non_sequences=params,
    )
    cost = ((hs[-1] - y) ** 2).mean()
    grads = T.grad(cost, params)
    updates = [(p, p - LEARNING_RATE * g) for p, g in zip(params, grads, strict=True)]
    train = theano.function([x, y], cost, updates=updates, mode=mode)
    return lambda: train(x_value, y_value), lambda: [np.asarray(p.get_value()) for p in params]


def tracegraph_step(linker: str) -> tuple[Step, Callable[[], list[Array]]]:
    import tracegraph
    import tracegraph.tensor as T

    return theano_style(tracegraph, T, tracegraph.Mode(linker=linker))


def pytensor_step() -> tuple[Step, Callable[[], list[Array]]]:
    import pytensor
    import pytensor.tensor as pt

    return theano_style(pytensor, pt, "CVM")


def jax_step() -> tuple[Step, Callable[[], list[Array]]]:
    import jax
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", True)
    x_value, y_value, initial = data()
    state = {"params": tuple(jnp.asarray(w) for w in initial)}

    def loss(params: Any, x: Any, y: Any) -> Any:
        wx, wh, b = params

        def step(h: Any, xt: Any) -> Any:
            h = jnp.tanh(xt @ wx + h @ wh + b)
            return h, None

        last, _ = jax.lax.scan(step, jnp.zeros((x.shape[1], HIDDEN)), x)
        return ((last - y) ** 2).mean()

    @jax.jit
    def train(params: Any, x: Any, y: Any) -> Any:
        grads = jax.grad(loss)(params, x, y)
        return tuple(p - LEARNING_RATE * g for p, g in zip(params, grads, strict=True))

    def step() -> None:
        state["params"] = train(state["params"], x_value, y_value)
        jax.block_until_ready(state["params"])

    step()  # compile inside make, as function() is
    state["params"] = tuple(jnp.asarray(w) for w in initial)
    return step, lambda: [np.asarray(p) for p in state["params"]]


def numpy_step() -> tuple[Step, Callable[[], list[Array]]]:
    x, y, initial = data()
    params = [w.copy() for w in initial]

    def step() -> None:
        wx, wh, b = params
        hs = [np.zeros((BATCH, HIDDEN))]
        for t in range(STEPS):
            hs.append(np.tanh(x[t] @ wx + hs[-1] @ wh + b))
        g_h = 2.0 * (hs[-1] - y) / y.size
        g_wx, g_wh, g_b = np.zeros_like(wx), np.zeros_like(wh), np.zeros_like(b)
        for t in reversed(range(STEPS)):
            g_a = g_h * (1.0 - hs[t + 1] ** 2)
            g_wx += x[t].T @ g_a
            g_wh += hs[t].T @ g_a
            g_b += g_a.sum(axis=0)
            g_h = g_a @ wh.T
        params[:] = [wx - LEARNING_RATE * g_wx, wh - LEARNING_RATE * g_wh, b - LEARNING_RATE * g_b]

    return step, lambda: params


FRAMEWORKS: dict[str, Callable[[], tuple[Step, Callable[[], list[Array]]]]] = {
    "tracegraph C": lambda: tracegraph_step("c"),
    "tracegraph reference": lambda: tracegraph_step("numpy"),
    "NumPy by hand": numpy_step,
    "PyTensor CVM": pytensor_step,
    "JAX jit": jax_step,
}
COMPARED = ("PyTensor CVM", "JAX jit")


def worker(name: str, samples: int) -> dict[str, Any]:
    """In a process of its own: compile seconds, the median step of each sample, weights."""
    start = time.perf_counter()
    step, weights = FRAMEWORKS[name]()
    compile_s = time.perf_counter() - start
    medians = step_medians(step, samples, CALLS)
    return {
        "compile": compile_s,
        "steps": medians,
        "weights": [w.tolist() for w in weights()],
        "calls": 2 + samples * CALLS,
    }


def function_time(cache: str) -> float:
    """Seconds of building the graph, its gradient and ``function()`` (compile cache ``cache``)."""
    import tracegraph
    import tracegraph.tensor as T

    assert tracegraph.config.compiledir == cache
    start = time.perf_counter()
    theano_style(tracegraph, T, tracegraph.Mode(linker="c"))
    return time.perf_counter() - start


def empty_loop(name: str) -> float:
    """Seconds per step of ``h + 1`` on a vector of 8, over :data:`EMPTY_STEPS` steps."""
    h0 = np.zeros(8)
    if name == "Python loop of NumPy calls":

        def run() -> None:
            h = h0
            for _ in range(EMPTY_STEPS):
                h = h + 1.0

    else:
        import tracegraph
        import tracegraph.tensor as T

        h, n = T.dvector("h"), T.lscalar("n")
        values, _ = tracegraph.scan(lambda v: v + 1.0, outputs_info=h, n_steps=n)
        linker = "c" if name == "tracegraph C" else "numpy"
        f = tracegraph.function([h, n], values[-1], mode=tracegraph.Mode(linker=linker))

        def run() -> None:
            f(h0, EMPTY_STEPS)

    run()
    times = []
    for _ in range(5):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times) / EMPTY_STEPS


def run(settings: Settings) -> list[Table]:
    """Every system in its own process; the step, compile and per-step tables."""
    chosen = [name for name in FRAMEWORKS if settings.compare or name not in COMPARED]
    results, notes = workers(__file__, chosen, settings.repeats, "rnn")
    medians = {name: statistics.median(r["steps"]) for name, r in results.items()}
    peer, peer_time = best_peer(medians, OURS)
    step_table = Table(
        f"Elman RNN training step: hidden {HIDDEN}, {STEPS} steps, batch {BATCH}, {FEATURES} "
        f"inputs, float64 (median over {settings.repeats} samples of the median of {CALLS} steps)",
        ["system", "ms/step", f"÷ best peer ({peer})", "compile (s)", "weights vs NumPy by hand"],
    )
    expected = results.get("NumPy by hand")
    for name, result in results.items():
        agree = "n/a"
        if expected is not None:
            agree = weights_agreement(result["weights"], expected["weights"], RTOL)
        step_table.rows.append(
            [name, f"{medians[name] * 1e3:.1f}", ratio(medians[name], peer_time),
             f"{result['compile']:.2f}", agree]
        )  # fmt: skip
    step_table.notes.extend(
        [
            "step: forward scan, T.grad (a reverse scan), SGD on Wx, Wh, b; tracegraph's C "
            "backend compiles each scan's step as a function and loops over it on the host",
            "compile: graph, gradient and function() in the worker's process (tracegraph: its "
            "compile cache is warm after the first run; JAX: jit's first call)",
            "weights: max |difference| / max |weight| after the same number of steps",
            *notes,
        ]
    )
    with tempfile.TemporaryDirectory() as cache:
        env_flags = f"compiledir={cache}"
        cold = _function_time_in_process(env_flags)
        warm = [_function_time_in_process(env_flags) for _ in range(max(1, settings.repeats))]
    compile_table = Table(
        "function() of the 100-step RNN training step (tracegraph C, new processes)",
        ["compile cache", "seconds", "target (issue 15)"],
        [
            ["empty", f"{cold:.2f}", "< 2 s"],
            ["warm", f"{statistics.median(warm):.3f}", "< 0.1 s"],
        ],
        [
            "graph, gradient and function(): three C modules (the training step, and the "
            "steps of the forward and the reverse scan)"
        ],
    )
    empty = {
        name: empty_loop(name)
        for name in ("tracegraph C", "tracegraph reference", "Python loop of NumPy calls")
    }
    empty_table = Table(
        f"Cost per step of an almost empty loop (h + 1 on a vector of 8, {EMPTY_STEPS} steps)",
        ["system", "µs/step", "÷ Python loop"],
        [
            [name, f"{seconds * 1e6:.2f}", ratio(seconds, empty["Python loop of NumPy calls"])]
            for name, seconds in empty.items()
        ],
    )
    return [step_table, compile_table, empty_table]


def _function_time_in_process(flags: str) -> float:
    environment = dict(os.environ, TRACEGRAPH_FLAGS=flags)
    command = [sys.executable, __file__, "--function-time"]
    output = subprocess.run(command, capture_output=True, text=True, check=True, env=environment)
    return float(output.stdout.strip().splitlines()[-1])


def main() -> None:
    """Run this benchmark alone with the common command line (or one worker)."""
    parser = argument_parser(__doc__.splitlines()[0] if __doc__ else "rnn")
    parser.add_argument("--worker", help=argparse_hidden())
    parser.add_argument("--function-time", action="store_true", help=argparse_hidden())
    arguments = parser.parse_args()
    if arguments.worker:
        print(json.dumps(worker(arguments.worker, arguments.repeats)))
    elif arguments.function_time:
        import tracegraph

        print(function_time(tracegraph.config.compiledir))
    else:
        print_tables([*run(settings_from(arguments))])


def argparse_hidden() -> str:
    import argparse

    return argparse.SUPPRESS


if __name__ == "__main__":
    main()
