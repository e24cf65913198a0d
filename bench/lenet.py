"""LeNet-5 benchmark: one SGD training step on MNIST-sized synthetic data.

LeNet-5 (float32, batch :data:`BATCH`): conv 6@5x5, tanh, 2x2 max pooling, conv 16@5x5, tanh,
2x2 max pooling, dense 256-120-84-10 with tanh, softmax and the mean negative log-likelihood;
``T.grad`` of all ten parameters and one SGD update per call. Systems: tracegraph on the C
backend and on the reference backend, PyTensor (``mode="CVM"``: its C convolutions), and JAX
under ``jax.jit``. Each runs in a process of its own; after its steps its weights are compared
with tracegraph reference's.

Run it alone with ``python bench/lenet.py`` or via ``bench/run.py --only lenet``.
"""

from __future__ import annotations

import json
import statistics
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

BATCH = 128
LEARNING_RATE = 0.05
CALLS = 5
"""Timed training steps per sample; their median is the sample's step time."""
SHAPES = [
    (6, 1, 5, 5), (6,), (16, 6, 5, 5), (16,), (256, 120), (120,), (120, 84), (84,), (84, 10), (10,)
]  # fmt: skip
OURS = ("tracegraph C", "tracegraph reference")

Array = NDArray[Any]
Step = Callable[[], None]


def data(dtype: str) -> tuple[Array, Array, list[Array]]:
    """Images, labels and initial weights (a fixed seed)."""
    rng = np.random.default_rng(0)
    images = rng.standard_normal((BATCH, 1, 28, 28)).astype(dtype)
    labels = rng.integers(0, 10, BATCH)
    weights = [(rng.standard_normal(shape) * 0.1).astype(dtype) for shape in SHAPES]
    return images, labels, weights


def theano_style(
    theano: Any, T: Any, pool_2d: Any, mode: Any, dtype: str
) -> tuple[Step, Callable[[], list[Array]]]:
    """The training step in a Theano-like framework."""
    images_value, labels_value, initial = data(dtype)
    params = [theano.shared(w.copy(), name=f"p{i}") for i, w in enumerate(initial)]
    w1, b1, w2, b2, w3, b3, w4, b4, w5, b5 = params
    images, labels = T.tensor4("images", dtype=str(images_value.dtype)), T.lvector("labels")
    h = T.tanh(T.nnet.conv2d(images, w1) + b1.dimshuffle("x", 0, "x", "x"))
    h = pool_2d(h, (2, 2), ignore_border=True)
    h = T.tanh(T.nnet.conv2d(h, w2) + b2.dimshuffle("x", 0, "x", "x"))
    h = pool_2d(h, (2, 2), ignore_border=True).flatten(2)
    h = T.tanh(T.dot(h, w3) + b3)
    h = T.tanh(T.dot(h, w4) + b4)
    probabilities = T.nnet.softmax(T.dot(h, w5) + b5)
    loss = -T.mean(T.log(probabilities)[T.arange(labels.shape[0]), labels])
    grads = T.grad(loss, params)
    updates = [(p, p - LEARNING_RATE * g) for p, g in zip(params, grads, strict=True)]
    train = theano.function([images, labels], loss, updates=updates, mode=mode)
    return (
        lambda: train(images_value, labels_value),
        lambda: [np.asarray(p.get_value()) for p in params],
    )


def tracegraph_step(linker: str, dtype: str) -> tuple[Step, Callable[[], list[Array]]]:
    import tracegraph
    import tracegraph.tensor as T
    from tracegraph.tensor.signal.pool import pool_2d

    return theano_style(tracegraph, T, pool_2d, tracegraph.Mode(linker=linker), dtype)


def pytensor_step(dtype: str) -> tuple[Step, Callable[[], list[Array]]]:
    import pytensor

    raise RuntimeError(
        f"PyTensor {pytensor.__version__} has no conv2d or pool_2d (they left with its nnet "
        "module); its signal.convolve2d over a batch (Blockwise) took 1.7 s for the forward "
        "and gradient of conv2 alone"
    )


def jax_step(dtype: str) -> tuple[Step, Callable[[], list[Array]]]:
    import jax
    import jax.numpy as jnp

    if dtype == "float64":
        jax.config.update("jax_enable_x64", True)
    images, labels, initial = data(dtype)
    state = {"params": [jnp.asarray(w) for w in initial]}

    def conv(x: Any, w: Any) -> Any:
        # Theano's conv2d convolves (flips the filters); lax's correlates.
        return jax.lax.conv_general_dilated(x, w[:, :, ::-1, ::-1], (1, 1), "VALID")

    def pool(x: Any) -> Any:
        return jax.lax.reduce_window(x, -jnp.inf, jax.lax.max, (1, 1, 2, 2), (1, 1, 2, 2), "VALID")

    def loss(params: Any, x: Any, y: Any) -> Any:
        w1, b1, w2, b2, w3, b3, w4, b4, w5, b5 = params
        h = pool(jnp.tanh(conv(x, w1) + b1[None, :, None, None]))
        h = pool(jnp.tanh(conv(h, w2) + b2[None, :, None, None])).reshape(x.shape[0], -1)
        h = jnp.tanh(h @ w3 + b3)
        h = jnp.tanh(h @ w4 + b4)
        log_p = jax.nn.log_softmax(h @ w5 + b5)
        return -jnp.mean(log_p[jnp.arange(x.shape[0]), y])

    @jax.jit
    def train(params: Any, x: Any, y: Any) -> Any:
        grads = jax.grad(loss)(params, x, y)
        return [p - LEARNING_RATE * g for p, g in zip(params, grads, strict=True)]

    def step() -> None:
        state["params"] = train(state["params"], images, labels)
        jax.block_until_ready(state["params"])

    step()  # compile inside make, as function() is
    state["params"] = [jnp.asarray(w) for w in initial]
    return step, lambda: [np.asarray(p) for p in state["params"]]


FRAMEWORKS: dict[str, Callable[[str], tuple[Step, Callable[[], list[Array]]]]] = {
    "tracegraph C": lambda dtype: tracegraph_step("c", dtype),
    "tracegraph reference": lambda dtype: tracegraph_step("numpy", dtype),
    "PyTensor CVM": pytensor_step,
    "JAX jit": jax_step,
}
CHECK_STEPS = 5
"""Steps of the float64 run whose weights are compared across systems."""
COMPARED = ("PyTensor CVM", "JAX jit")


def worker(name: str, samples: int) -> dict[str, Any]:
    """In a process of its own: compile seconds, the median step of each sample, weights."""
    start = time.perf_counter()
    step, _ = FRAMEWORKS[name]("float32")
    compile_s = time.perf_counter() - start
    medians = step_medians(step, samples, CALLS)
    # The same model in float64, a few steps: its weights are compared across systems.
    check, weights = FRAMEWORKS[name]("float64")
    for _ in range(CHECK_STEPS):
        check()
    return {"compile": compile_s, "steps": medians, "weights": [w.tolist() for w in weights()]}


def run(settings: Settings) -> list[Table]:
    """Every system in its own process: the step table."""
    chosen = [name for name in FRAMEWORKS if settings.compare or name not in COMPARED]
    results, notes = workers(__file__, chosen, settings.repeats, "lenet")
    medians = {name: statistics.median(r["steps"]) for name, r in results.items()}
    peer, peer_time = best_peer(medians, OURS)
    table = Table(
        f"LeNet-5 training step: batch {BATCH}, 1x28x28 float32 images (median over "
        f"{settings.repeats} samples of the median of {CALLS} steps)",
        ["system", "ms/step", f"÷ best peer ({peer})", "compile (s)", "float64 weights vs ref."],
    )
    expected = results.get("tracegraph reference")
    for name, result in results.items():
        agree = "n/a"
        if expected is not None:
            agree = weights_agreement(result["weights"], expected["weights"], 1e-12)
        table.rows.append(
            [name, f"{medians[name] * 1e3:.1f}", ratio(medians[name], peer_time),
             f"{result['compile']:.2f}", agree]
        )  # fmt: skip
    table.notes.extend(
        [
            "step: forward, T.grad of the 10 parameters, SGD; tracegraph's convolutions and "
            "pooling run NumPy kernels (im2col + BLAS) on every CPU backend",
            f"float64 weights: the same model in float64, {CHECK_STEPS} steps, max |difference| "
            "/ max |weight| against tracegraph reference's (in float32 the systems' summation "
            "orders differ and training amplifies it: about 1e-3 after 17 steps)",
            *notes,
        ]
    )
    return [table]


def main() -> None:
    """Run this benchmark alone with the common command line (or one worker)."""
    parser = argument_parser(__doc__.splitlines()[0] if __doc__ else "lenet")
    parser.add_argument("--worker", help=argparse_hidden())
    arguments = parser.parse_args()
    if arguments.worker:
        print(json.dumps(worker(arguments.worker, arguments.repeats)))
    else:
        print_tables(run(settings_from(arguments)))


def argparse_hidden() -> str:
    import argparse

    return argparse.SUPPRESS


if __name__ == "__main__":
    main()
