"""Softmax regression benchmark: a training step of the deeplearning.net ``LogisticRegression``
(``p_y_given_x = T.nnet.softmax(T.dot(x, W) + b)``, the negative log-likelihood
``-T.mean(T.log(p_y_given_x)[T.arange(y.shape[0]), y])``, ``T.grad`` and an SGD update), on an
MNIST-sized minibatch: 500 samples of 784 float64 features, 10 classes.

tracegraph recognizes ``log(softmax(z))`` and differentiates it in the ``softmax - one-hot``
form; on the C backend the softmax becomes fused loops. Measured for tracegraph (C and
reference backends), a hand-written NumPy step with the analytic gradient, and PyTensor (its C
linker, ``mode="CVM"``) where installed: the median time of :data:`CALLS` steps after a warm-up
step, in rounds. After its steps, each framework's ``W`` is compared with the NumPy step's.

Run it alone with ``python bench/softmax.py`` or via ``bench/run.py --only softmax``.
"""

from __future__ import annotations

import statistics
import sys
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
    timed,
)

N, FEATS, CLASSES = 500, 784, 10
CALLS = 30
"""Timed steps per sample; their median is the sample's step time."""
LEARNING_RATE = 0.13
RTOL = 1e-9

Array = NDArray[Any]
Step = Callable[[], None]


def minibatch() -> tuple[Array, Array]:
    """Pixel-like features in [0, 1) and labels from a linear rule (a fixed seed)."""
    rng = np.random.default_rng(1)
    x = rng.uniform(0.0, 1.0, (N, FEATS))
    labels = np.argmax(x @ rng.normal(size=(FEATS, CLASSES)), axis=1)
    return x, labels.astype(np.int64)


def theano_style(theano: Any, T: Any, softmax: Callable[[Any], Any], mode: Any) -> Any:
    """``(step, W)`` in a Theano-like framework: one call trains one step on the minibatch."""
    x_value, y_value = minibatch()
    x, y = T.dmatrix("x"), T.lvector("y")
    W = theano.shared(np.zeros((FEATS, CLASSES)), name="W")
    b = theano.shared(np.zeros(CLASSES), name="b")
    p_y_given_x = softmax(T.dot(x, W) + b)
    nll = -T.mean(T.log(p_y_given_x)[T.arange(y.shape[0]), y])
    g_W, g_b = T.grad(nll, [W, b])
    updates = [(W, W - LEARNING_RATE * g_W), (b, b - LEARNING_RATE * g_b)]
    train = theano.function([x, y], nll, updates=updates, mode=mode)

    def step() -> None:
        train(x_value, y_value)

    return step, W


def tracegraph_step(linker: str) -> tuple[Step, Callable[[], Array]]:
    import tracegraph
    import tracegraph.tensor as T

    step, W = theano_style(tracegraph, T, T.nnet.softmax, tracegraph.Mode(linker=linker))
    return step, lambda: np.asarray(W.get_value())


def pytensor_step() -> tuple[Step, Callable[[], Array]]:
    import pytensor
    import pytensor.tensor as pt
    from pytensor.tensor.special import softmax

    step, W = theano_style(pytensor, pt, lambda z: softmax(z, axis=-1), "CVM")
    return step, lambda: np.asarray(W.get_value())


def numpy_step() -> tuple[Step, Callable[[], Array]]:
    x, y = minibatch()
    params = {"W": np.zeros((FEATS, CLASSES)), "b": np.zeros(CLASSES)}
    rows = np.arange(N)

    def step() -> None:
        z = x @ params["W"] + params["b"]
        shifted = z - z.max(axis=1, keepdims=True)
        log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        _nll = -log_p[rows, y].mean()
        g_z = np.exp(log_p)
        g_z[rows, y] -= 1.0
        g_z /= N
        params["W"] = params["W"] - LEARNING_RATE * (x.T @ g_z)
        params["b"] = params["b"] - LEARNING_RATE * g_z.sum(axis=0)

    return step, lambda: params["W"]


FRAMEWORKS: dict[str, Callable[[], tuple[Step, Callable[[], Array]]]] = {
    "tracegraph C": lambda: tracegraph_step("c"),
    "tracegraph reference": lambda: tracegraph_step("numpy"),
    "NumPy by hand": numpy_step,
    "PyTensor CVM": pytensor_step,
}
COMPARED = ("PyTensor CVM",)
"""The frameworks ``--no-compare`` leaves out."""


def sample(make: Callable[[], tuple[Step, Callable[[], Array]]]) -> tuple[float, float, Array]:
    """Compile (seconds), the median step (seconds), and ``W`` after ``CALLS + 2`` steps."""
    compile_s, (step, weights) = timed(make)
    step()
    step()  # the first call and a warm-up
    times = []
    for _ in range(CALLS):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return compile_s, statistics.median(times), weights()


def run(settings: Settings) -> list[Table]:
    """Measure every framework in rounds; return the step table."""
    chosen = [name for name in FRAMEWORKS if settings.compare or name not in COMPARED]
    steps: dict[str, list[float]] = {name: [] for name in chosen}
    compiles: dict[str, list[float]] = {name: [] for name in chosen}
    weights: dict[str, Array] = {}
    notes: list[str] = []
    for round_number in range(settings.repeats):
        for name in list(chosen):
            print(f"round {round_number + 1}/{settings.repeats}: {name}", file=sys.stderr)
            try:
                compile_s, step_s, W = sample(FRAMEWORKS[name])
            except ImportError as error:
                notes.append(f"{name} skipped: not importable ({error})")
                chosen.remove(name)
                continue
            compiles[name].append(compile_s)
            steps[name].append(step_s)
            weights.setdefault(name, W)
    medians = {name: statistics.median(steps[name]) for name in chosen}
    peer, peer_time = best_peer(medians, ("tracegraph C", "tracegraph reference"))
    table = Table(
        f"Softmax regression, one training step, {N}×{FEATS} float64, {CLASSES} classes "
        f"(median over {settings.repeats} samples of the median of {CALLS} steps)",
        ["framework", "µs/step", f"÷ best peer ({peer})", "compile (s)", "W vs NumPy by hand"],
    )
    expected = weights.get("NumPy by hand")
    for name in chosen:
        agree = "n/a"
        if expected is not None:
            # Relative to the largest weight: weights near 0 differ by the rounding of sums.
            worst = float(np.max(np.abs(weights[name] - expected)) / np.max(np.abs(expected)))
            agree = f"{'same' if worst <= RTOL else 'DIFFERENT'} (max diff. / max |W|: {worst:.2g})"
        table.rows.append(
            [
                name,
                f"{medians[name] * 1e6:.0f}",
                ratio(medians[name], peer_time),
                f"{statistics.median(compiles[name]):.2f}",
                agree,
            ]
        )
    table.notes.extend(
        [
            f"step: W ({FEATS}×{CLASSES}) and b start at 0; the NLL of the softmax, its "
            "gradient and the SGD update (learning rate 0.13), as the deeplearning.net "
            "tutorial writes them; train(x, y) returns the NLL",
            "NumPy by hand: z = x @ W + b, the log-softmax shifted by the row maximum, the "
            "gradient exp(log_p) - one_hot divided by N",
            "compile: building the graph, its gradient and function() (tracegraph: in a warm "
            "compile cache after the first round; PyTensor: its C cache on disk)",
            *notes,
        ]
    )
    return [table]


def main() -> None:
    """Run this benchmark alone with the common command line."""
    arguments = argument_parser(__doc__.splitlines()[0] if __doc__ else "softmax").parse_args()
    print_tables([*run(settings_from(arguments))])


if __name__ == "__main__":
    main()
