"""MLP benchmark: one SGD step of a 784-512-10 perceptron (tanh, softmax, cross-entropy), float64.

The step every system runs, on a minibatch of :data:`BATCH` MNIST-sized samples (features in
[0, 1), labels from a fixed generator), from the same initial weights::

    h = tanh(x @ W1 + b1)
    p = softmax(h @ W2 + b2)
    cost = -mean(log(p)[arange(batch), y])
    W1, b1, W2, b2 -= 0.01 * grad(cost, [W1, b1, W2, b2])

written as a Theano user writes it for tracegraph (C and reference backends) and PyTensor (its
C linker, ``mode="CVM"``), with ``jax.value_and_grad`` under ``jax.jit`` for JAX (float64,
data on the device once), and by hand in NumPy with the analytic gradient.

Each system runs in a process of its own (``python bench/mlp.py --system NAME`` prints its
numbers as JSON), so that thread pools of different systems never meet, and the processes
alternate in rounds (every round runs each system once). A sample is the median of
:data:`STEPS` steps after :data:`WARMUP` steps; the table gives the median over rounds. After
its steps each system's ``W1`` is compared with NumPy's after as many steps.

The tracegraph C process also times the step's two large products alone (``x @ W1`` and
``x.T @ dh``, 2×103 MFLOP, through the same BLAS call): the floor no system goes under
without a faster BLAS.

Run it alone with ``python bench/mlp.py`` or via ``bench/run.py --only mlp``.
"""

from __future__ import annotations

import json
import statistics
import sys
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from harness import (
    Settings,
    Table,
    argument_parser,
    best_peer,
    json_from_process,
    median_call_seconds,
    print_tables,
    ratio,
    settings_from,
)

BATCH, FEATS, HIDDEN, CLASSES = 128, 784, 512, 10
LEARNING_RATE = 0.01
WARMUP = 5
STEPS = 60
RTOL = 1e-9
SYSTEMS = ("tracegraph C", "tracegraph reference", "NumPy by hand", "PyTensor CVM", "JAX jit")
OURS = ("tracegraph C", "tracegraph reference")

Array = NDArray[Any]
Step = Callable[[], None]


def problem() -> tuple[Array, Array, dict[str, Array]]:
    """The minibatch and the initial parameters (fixed seeds)."""
    rng = np.random.default_rng(7)
    x = rng.uniform(0.0, 1.0, (BATCH, FEATS))
    y = rng.integers(0, CLASSES, BATCH).astype(np.int64)
    params = {
        "W1": rng.normal(0.0, 0.05, (FEATS, HIDDEN)),
        "b1": np.zeros(HIDDEN),
        "W2": rng.normal(0.0, 0.05, (HIDDEN, CLASSES)),
        "b2": np.zeros(CLASSES),
    }
    return x, y, params


# -- the systems ----------------------------------------------------------------------------------


def theano_style(theano: Any, T: Any, softmax: Callable[[Any], Any], mode: Any) -> Any:
    """``(step, W1)`` in a Theano-like framework."""
    x_value, y_value, initial = problem()
    x, y = T.dmatrix("x"), T.lvector("y")
    shared = {name: theano.shared(value.copy(), name=name) for name, value in initial.items()}
    W1, b1, W2, b2 = (shared[name] for name in ("W1", "b1", "W2", "b2"))
    h = T.tanh(T.dot(x, W1) + b1)
    p = softmax(T.dot(h, W2) + b2)
    cost = -T.mean(T.log(p)[T.arange(y.shape[0]), y])
    params = [W1, b1, W2, b2]
    grads = T.grad(cost, params)
    updates = [(v, v - LEARNING_RATE * g) for v, g in zip(params, grads, strict=True)]
    train = theano.function([x, y], cost, updates=updates, mode=mode)

    def step() -> None:
        train(x_value, y_value)

    return step, W1


def tracegraph_system(linker: str) -> tuple[Step, Callable[[], Array]]:
    import tracegraph
    import tracegraph.tensor as T

    step, W1 = theano_style(tracegraph, T, T.nnet.softmax, tracegraph.Mode(linker=linker))
    return step, lambda: np.asarray(W1.get_value())


def pytensor_system() -> tuple[Step, Callable[[], Array]]:
    import pytensor
    import pytensor.tensor as pt
    from pytensor.tensor.special import softmax

    step, W1 = theano_style(pytensor, pt, lambda z: softmax(z, axis=-1), "CVM")
    return step, lambda: np.asarray(W1.get_value())


def numpy_system() -> tuple[Step, Callable[[], Array]]:
    x, y, params = problem()
    rows = np.arange(BATCH)

    def step() -> None:
        h = np.tanh(x @ params["W1"] + params["b1"])
        z = h @ params["W2"] + params["b2"]
        shifted = z - z.max(axis=1, keepdims=True)
        log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        _cost = -log_p[rows, y].mean()
        g_z = np.exp(log_p)
        g_z[rows, y] -= 1.0
        g_z /= BATCH
        g_h = (g_z @ params["W2"].T) * (1.0 - h * h)
        params["W2"] = params["W2"] - LEARNING_RATE * (h.T @ g_z)
        params["b2"] = params["b2"] - LEARNING_RATE * g_z.sum(axis=0)
        params["W1"] = params["W1"] - LEARNING_RATE * (x.T @ g_h)
        params["b1"] = params["b1"] - LEARNING_RATE * g_h.sum(axis=0)

    return step, lambda: params["W1"]


def jax_system() -> tuple[Step, Callable[[], Array]]:
    import jax
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", True)
    x_value, y_value, initial = problem()
    x, y = jnp.asarray(x_value), jnp.asarray(y_value)
    state = {"params": {name: jnp.asarray(value) for name, value in initial.items()}}

    def cost(params: Any) -> Any:
        h = jnp.tanh(x @ params["W1"] + params["b1"])
        log_p = jax.nn.log_softmax(h @ params["W2"] + params["b2"], axis=-1)
        return -jnp.mean(log_p[jnp.arange(BATCH), y])

    @jax.jit
    def train(params: Any) -> Any:
        value, grads = jax.value_and_grad(cost)(params)
        new = {k: params[k] - LEARNING_RATE * grads[k] for k in params}
        return value, new

    def step() -> None:
        value, state["params"] = train(state["params"])
        value.block_until_ready()

    return step, lambda: np.asarray(state["params"]["W1"])


FACTORIES: dict[str, Callable[[], tuple[Step, Callable[[], Array]]]] = {
    "tracegraph C": lambda: tracegraph_system("c"),
    "tracegraph reference": lambda: tracegraph_system("numpy"),
    "NumPy by hand": numpy_system,
    "PyTensor CVM": pytensor_system,
    "JAX jit": jax_system,
}


def median_step(step: Step) -> float:
    """The median of :data:`STEPS` steps after :data:`WARMUP` (the last in
    ``median_call_seconds``)."""
    for _ in range(WARMUP - 1):
        step()
    return median_call_seconds(step, STEPS)


def products_floor() -> float:
    """Seconds of the step's two large products alone, through tracegraph's BLAS call."""
    import tracegraph
    import tracegraph.tensor as T

    x_value, _, params = problem()
    dh = np.random.default_rng(8).normal(size=(BATCH, HIDDEN))
    x, w, d = T.dmatrix("x"), T.dmatrix("w"), T.dmatrix("d")
    forward = tracegraph.function([x, w], T.dot(x, w))
    backward = tracegraph.function([x, d], T.dot(x.T, d))

    def both() -> None:
        forward(x_value, params["W1"])
        backward(x_value, dh)

    return median_step(both)


def measure_system(name: str) -> dict[str, Any]:
    step, weights = FACTORIES[name]()
    seconds = median_step(step)
    result: dict[str, Any] = {"step": seconds, "W1": weights().ravel()[::97].tolist()}
    result["steps"] = WARMUP + STEPS
    if name == "tracegraph C":
        result["products"] = products_floor()
    return result


# -- the table ------------------------------------------------------------------------------------


def run(settings: Settings) -> list[Table]:
    """Measure every installed system in alternating processes; return the table."""
    systems = [s for s in SYSTEMS if settings.compare or s not in ("PyTensor CVM", "JAX jit")]
    steps: dict[str, list[float]] = {name: [] for name in systems}
    products: list[float] = []
    weights: dict[str, Array] = {}
    notes: list[str] = []
    for round_number in range(settings.repeats):
        for name in list(systems):
            print(f"round {round_number + 1}/{settings.repeats}: {name}", file=sys.stderr)
            measured = json_from_process(__file__, "--system", name, label=name)
            if isinstance(measured, str):
                notes.append(measured)
                systems.remove(name)
                continue
            steps[name].append(measured["step"])
            weights.setdefault(name, np.asarray(measured["W1"]))
            if "products" in measured:
                products.append(measured["products"])
    medians = {name: statistics.median(steps[name]) for name in systems}
    peer, peer_time = best_peer(medians, OURS)
    table = Table(
        f"MLP {FEATS}-{HIDDEN}-{CLASSES} SGD step, batch {BATCH}, float64 (median over "
        f"{settings.repeats} processes of the median of {STEPS} steps)",
        ["system", "ms/step", f"÷ best peer ({peer})", "W1 vs NumPy by hand"],
    )
    expected = weights.get("NumPy by hand")
    for name in systems:
        agree = "n/a"
        if expected is not None:
            worst = float(np.max(np.abs(weights[name] - expected)) / np.max(np.abs(expected)))
            agree = (
                f"{'same' if worst <= RTOL else 'DIFFERENT'} (max diff. / max |W1|: {worst:.2g})"
            )
        table.rows.append(
            [name, f"{medians[name] * 1e3:.3g}", ratio(medians[name], peer_time), agree]
        )
    if products:
        floor = statistics.median(products)
        flops = 2 * BATCH * FEATS * HIDDEN
        table.notes.append(
            f"the two large products alone (x @ W1 and x.T @ dh, 2×{flops / 1e6:.0f} MFLOP, "
            f"tracegraph's BLAS call): {floor * 1e3:.3g} ms, {2 * flops / floor / 1e9:.0f} GFLOP/s"
            + (
                f"; {floor / medians['tracegraph C']:.0%} of tracegraph C's step"
                if "tracegraph C" in medians
                else ""
            )
        )
    table.notes.extend(
        [
            "each system in a process of its own, the processes alternating in rounds; "
            f"a sample is the median of {STEPS} steps after {WARMUP}",
            "W1 vs NumPy by hand: every 97th weight after the sample's "
            f"{WARMUP + STEPS} steps, relative to the largest (same: within {RTOL:g})",
            "best peer: the fastest system other than tracegraph's own backends",
            *notes,
        ]
    )
    return [table]


def main() -> None:
    """Run this benchmark alone (or, with ``--system``, one system, printing JSON)."""
    parser = argument_parser(__doc__.splitlines()[0] if __doc__ else "MLP benchmark")
    parser.add_argument("--system", choices=SYSTEMS, help="measure one system, print JSON")
    arguments = parser.parse_args()
    if arguments.system:
        print(json.dumps(measure_system(arguments.system)))
        return
    print_tables(run(settings_from(arguments)))


if __name__ == "__main__":
    main()
