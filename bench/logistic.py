"""Logistic regression benchmark: the tutorial's training step (400×784, float64), per step.

The program is the specification's "A Real Example: Logistic Regression": ``N = 400`` samples of
``feats = 784`` float64 features, ``p_1 = 1 / (1 + exp(-dot(x, w) - b))``, the cross-entropy
``xent`` written with two logs, ``cost = xent.mean() + 0.01 * (w ** 2).sum()``, ``T.grad`` and
one gradient step per call of ``train(D[0], D[1])``, which returns ``[prediction, xent]`` and
updates the shared ``w`` and ``b``. The data come from ``numpy.random.seed(SEED)`` as in
``tests/spec/test_logistic_regression.py``: 45 of the 400 initial probabilities round to 1.0.

Measured for each framework, in rounds (every round takes one sample of each framework):

- **build**: the graph and its gradient (tracegraph, PyTensor) or tracing (``jax.jit``);
- **function() / compile** and **first call** (where PyTensor's Numba compiles);
- **step**: the median time of :data:`CALLS` training steps after a warm-up step, in µs.

Frameworks: tracegraph on its C backend and on its reference backend (NumPy interpretation of
the optimized IR), a hand-written NumPy step with the analytic gradient, and where installed
PyTensor (its C linker, ``mode="CVM"``) and JAX (``jax.jit``; once with the tutorial's
expressions, once with a hand-stabilized ``softplus`` cross-entropy, since JAX does not
rewrite ``log(1 - sigmoid)``). After its steps, each framework's ``w`` and ``b`` are compared
with the NumPy step's after as many steps. The last table times ``function()`` of the step on
the C backend in new processes, with an empty and with a warm compile cache.

Run it alone with ``python bench/logistic.py`` or via ``bench/run.py --only logistic``.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy
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
    summarize,
    timed,
)

SEED = 4
"""``numpy.random.seed(SEED)`` before the tutorial's ``rng`` calls (as in the spec test)."""
N = 400
"""The tutorial's training sample size."""
FEATS = 784
"""The tutorial's number of input variables."""
CALLS = 50
"""Timed steps per sample; their median is the sample's step time."""
STEPS_PER_SAMPLE = CALLS + 2
"""Training steps of a sample from the initial parameters: first call, warm-up, timed steps."""
PROFILED_STEPS = 200
"""Training steps of tracegraph run under cProfile with ``--profile``."""
OURS = ("tracegraph C", "tracegraph reference")
"""tracegraph's own systems: the best peer is the fastest of the others."""
RTOL = 1e-9
"""Agreement of each framework's ``w`` and ``b`` with the NumPy step's after the same steps."""

Data = tuple[NDArray[np.float64], NDArray[np.int64]]
Params = tuple[NDArray[np.float64], float]


def tutorial_data() -> tuple[Data, NDArray[np.float64]]:
    """``D`` and the initial ``w``, drawn as the tutorial draws them from the seeded global
    generator (whose state is restored afterwards)."""
    state = numpy.random.get_state()
    try:
        numpy.random.seed(SEED)
        rng = numpy.random
        D = (rng.randn(N, FEATS), rng.randint(size=N, low=0, high=2))
        return D, rng.randn(FEATS)
    finally:
        numpy.random.set_state(state)


# -- the frameworks ---------------------------------------------------------------------------


@dataclass
class Sample:
    """One measurement of one framework (times in seconds)."""

    build_s: float
    compile_s: float
    first_call_s: float
    step_s: float
    params: Params
    """``w`` and ``b`` after the sample's :data:`STEPS_PER_SAMPLE` steps."""
    finite_xent: bool
    """Whether the last step's ``xent`` was finite everywhere."""


Step = Callable[[], None]


class Framework(ABC):
    """A framework under test: builds and compiles the training step, then runs it."""

    label: str
    max_repeats: int = sys.maxsize
    """At most this many samples, however many ``--repeats`` asks for (slow frameworks)."""
    notes: tuple[str, ...] = ()

    @abstractmethod
    def build(self, data: Data, w0: NDArray[np.float64]) -> Any:
        """The training step's graph, or what the framework compiles."""

    @abstractmethod
    def compile(self, built: Any) -> Step:
        """The compiled step: one call trains one step on ``data``."""

    @abstractmethod
    def state(self) -> tuple[Params, bool]:
        """The current ``w``, ``b`` and whether the last ``xent`` was finite."""

    def sample(self, data: Data, w0: NDArray[np.float64]) -> Sample:
        """Build, compile, call once, then time :data:`CALLS` steps after a warm-up step."""
        build_s, built = timed(lambda: self.build(data, w0))
        compile_s, step = timed(lambda: self.compile(built))
        first_call_s, _ = timed(step)
        step()  # warm-up
        samples = []
        for _ in range(CALLS):
            start = time.perf_counter()
            step()
            samples.append(time.perf_counter() - start)
        params, finite = self.state()
        return Sample(
            build_s=build_s,
            compile_s=compile_s,
            first_call_s=first_call_s,
            step_s=statistics.median(samples),
            params=params,
            finite_xent=finite,
        )


def tutorial_graph(theano: ModuleType, T: ModuleType, w0: NDArray[np.float64]) -> Any:
    """The tutorial's graph in a Theano-like framework (``theano`` the package, ``T`` its
    tensor module), written with the tutorial's expressions; returns ``train``."""
    x = T.dmatrix("x")
    y = T.dvector("y")
    w = theano.shared(w0.copy(), name="w")
    b = theano.shared(0.0, name="b")
    p_1 = 1 / (1 + T.exp(-T.dot(x, w) - b))  # Probability that target = 1
    prediction = p_1 > 0.5  # The prediction thresholded
    xent = -y * T.log(p_1) - (1 - y) * T.log(1 - p_1)  # Cross-entropy loss function
    cost = xent.mean() + 0.01 * (w**2).sum()  # The cost to minimize
    gw, gb = T.grad(cost, [w, b])  # Compute the gradient of the cost
    return x, y, w, b, prediction, xent, gw, gb


class TheanoStyle(Framework):
    """tracegraph or PyTensor: ``function(inputs=[x, y], outputs=[prediction, xent],
    updates=...)`` called as ``train(D[0], D[1])``."""

    def __init__(self, theano: ModuleType, T: ModuleType, label: str, mode: Any = None):
        self.theano = theano
        self.T = T
        self.label = label
        self.mode = mode
        self.data: Data | None = None
        self.shared: tuple[Any, Any] | None = None
        self.xent: Any = None

    def build(self, data: Data, w0: NDArray[np.float64]) -> Any:
        self.data = data
        return tutorial_graph(self.theano, self.T, w0)

    def compile(self, built: Any) -> Step:
        x, y, w, b, prediction, xent, gw, gb = built
        self.shared = (w, b)
        train = self.theano.function(
            inputs=[x, y],
            outputs=[prediction, xent],
            updates=((w, w - 0.1 * gw), (b, b - 0.1 * gb)),
            mode=self.mode,
        )
        assert self.data is not None
        D = self.data

        def step() -> None:
            _, self.xent = train(D[0], D[1])

        self.train = train
        return step

    def state(self) -> tuple[Params, bool]:
        assert self.shared is not None
        w, b = self.shared
        params = (np.asarray(w.get_value()), float(b.get_value()))
        return params, bool(np.isfinite(self.xent).all())


class Tracegraph(TheanoStyle):
    """tracegraph on one backend: ``"c"`` (the default) or ``"numpy"`` (the reference)."""

    def __init__(self, linker: str = "c") -> None:
        import tracegraph
        import tracegraph.tensor as T

        label = "tracegraph C" if linker == "c" else "tracegraph reference"
        super().__init__(tracegraph, T, label, tracegraph.Mode(linker=linker))

    def final_ops(self) -> str:
        """The ops of the last compiled step after the pass pipeline, with counts."""
        counts: dict[str, int] = {}
        for op in self.train.maker.fgraph.toposort():
            counts[op.name] = counts.get(op.name, 0) + 1
        ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        total = sum(counts.values())
        return f"{total} ops: " + ", ".join(f"{name} {count}" for name, count in ordered)


class PyTensor(TheanoStyle):
    """PyTensor (Theano's successor) with its C linker (``mode="CVM"``)."""

    max_repeats = 3

    def __init__(self) -> None:
        import pytensor
        import pytensor.tensor as pt

        super().__init__(pytensor, pt, "PyTensor CVM", "CVM")
        # Typed Any: PyTensor is only partly annotated.
        module: Any = pytensor
        self.notes = (
            f"{self.label}: at most {self.max_repeats} samples; PyTensor caches compiled C on "
            f"disk ({module.config.compiledir}), so only the first run on a machine pays its "
            "compilation in full",
        )


class NumpyStep(Framework):
    """A hand-written NumPy step with the analytic gradient; it also computes ``prediction``
    and ``xent`` (in the stable ``logaddexp`` form), as ``train`` returns them."""

    label = "NumPy by hand"
    notes = (
        "NumPy by hand: z = x @ w + b, p = 1/(1+exp(-z)), prediction p > 0.5, xent = "
        "y·logaddexp(0, -z) + (1-y)·logaddexp(0, z), gz = (p - y)/N, w -= 0.1·(x.T @ gz + "
        "0.02·w), b -= 0.1·sum(gz)",
    )

    def __init__(self) -> None:
        self.w = np.zeros(0)
        self.b = 0.0
        self.xent = np.zeros(0)

    def build(self, data: Data, w0: NDArray[np.float64]) -> Any:
        self.w = w0.copy()
        self.b = 0.0
        return data

    def compile(self, built: Any) -> Step:
        x, y = built

        def step() -> None:
            z = x @ self.w + self.b
            p = 1 / (1 + np.exp(-z))
            _prediction = p > 0.5
            self.xent = y * np.logaddexp(0.0, -z) + (1 - y) * np.logaddexp(0.0, z)
            gz = (p - y) / N
            self.w = self.w - 0.1 * (x.T @ gz + 0.02 * self.w)
            self.b = self.b - 0.1 * float(gz.sum())

        return step

    def state(self) -> tuple[Params, bool]:
        return (self.w, self.b), bool(np.isfinite(self.xent).all())


class Jax(Framework):
    """JAX: ``jax.jit`` of a step returning ``prediction``, ``xent`` and the new ``w``, ``b``
    (``jax.value_and_grad`` of the cost), in float64, with the data on the device once."""

    def __init__(self, stable: bool) -> None:
        import jax
        import jax.numpy as jnp

        self.jax: Any = jax
        self.jnp: Any = jnp
        self.jax.config.update("jax_enable_x64", True)
        self.stable = stable
        if stable:
            self.label = "JAX jit, softplus by hand"
            self.notes = (
                f"{self.label}: xent = y·softplus(-z) + (1-y)·softplus(z) with "
                "jax.nn.softplus, what tracegraph's stabilize pass derives from the tutorial's "
                "two logs",
            )
        else:
            self.label = "JAX jit, tutorial's xent"
            self.notes = (
                f"{self.label}: the tutorial's expressions as written; JAX does not rewrite "
                "log(1 - sigmoid), so xent is inf/NaN where p_1 rounds to 1.0 and w is NaN "
                "after the first step",
            )
        self.params: tuple[Any, Any] = (None, None)
        self.xent: Any = None

    def build(self, data: Data, w0: NDArray[np.float64]) -> Any:
        jax, jnp = self.jax, self.jnp
        stable = self.stable

        def cost(w: Any, b: Any, x: Any, y: Any) -> Any:
            z = jnp.dot(x, w) + b
            p_1 = 1 / (1 + jnp.exp(-jnp.dot(x, w) - b))
            if stable:
                xent = y * jax.nn.softplus(-z) + (1 - y) * jax.nn.softplus(z)
            else:
                xent = -y * jnp.log(p_1) - (1 - y) * jnp.log(1 - p_1)
            return xent.mean() + 0.01 * (w**2).sum(), (p_1 > 0.5, xent)

        def step(x: Any, y: Any, w: Any, b: Any) -> Any:
            grad = jax.value_and_grad(cost, argnums=(0, 1), has_aux=True)
            (_, (prediction, xent)), (gw, gb) = grad(w, b, x, y)
            return prediction, xent, w - 0.1 * gw, b - 0.1 * gb

        self.x = jnp.asarray(data[0])
        self.y = jnp.asarray(data[1], dtype=jnp.float64)
        self.params = (jnp.asarray(w0), jnp.asarray(0.0))
        # A new function object each time: jax.jit would otherwise reuse its cached trace.
        return jax.jit(step).trace(self.x, self.y, *self.params)

    def compile(self, built: Any) -> Step:
        compiled = built.lower().compile()

        def step() -> None:
            _, self.xent, w, b = compiled(self.x, self.y, *self.params)
            self.params = (w, b)
            w.block_until_ready()

        return step

    def state(self) -> tuple[Params, bool]:
        w, b = self.params
        return (np.asarray(w), float(b)), bool(np.isfinite(np.asarray(self.xent)).all())


def other_frameworks() -> tuple[list[Framework], list[str]]:
    """PyTensor and JAX (two programs) where importable; notes on those that are not."""
    frameworks: list[Framework] = []
    notes: list[str] = []
    factories: list[tuple[str, Callable[[], Framework]]] = [
        ("pytensor", PyTensor),
        ("jax", lambda: Jax(stable=False)),
        ("jax", lambda: Jax(stable=True)),
    ]
    for package, factory in factories:
        try:
            frameworks.append(factory())
        except ImportError as error:
            note = f"{package} skipped: not importable ({error}); `pip install {package}`"
            if note not in notes:
                notes.append(note)
    return frameworks, notes


# -- measuring --------------------------------------------------------------------------------


def numpy_reference(data: Data, w0: NDArray[np.float64], steps: int) -> Params:
    """``w`` and ``b`` after ``steps`` hand-written NumPy steps from ``w0`` and ``b = 0``."""
    reference = NumpyStep()
    step = reference.compile(reference.build(data, w0))
    for _ in range(steps):
        step()
    return reference.state()[0]


def agreement(params: Params, expected: Params) -> str:
    """How ``params`` compare with ``expected``: same to :data:`RTOL`, or how far apart."""
    (w, b), (expected_w, expected_b) = params, expected
    if not (np.isfinite(w).all() and np.isfinite(b)):
        return "w or b NOT finite"
    actual = np.append(w, b)
    wanted = np.append(expected_w, expected_b)
    scale = np.maximum(np.abs(wanted), np.finfo(np.float64).tiny)
    worst = float(np.max(np.abs(actual - wanted) / scale))
    verdict = "same" if worst <= RTOL else "DIFFERENT"
    return f"{verdict} (max rel. diff. {worst:.2g})"


def progress(message: str) -> None:
    """A progress line on stderr."""
    print(message, file=sys.stderr, flush=True)


def measure(
    frameworks: list[Framework], data: Data, w0: NDArray[np.float64], repeats: int
) -> tuple[dict[str, list[Sample]], list[str]]:
    """Samples of every framework, taken in rounds after one untimed warm-up sample each;
    notes on the frameworks that failed (left out of later rounds)."""
    samples: dict[str, list[Sample]] = {framework.label: [] for framework in frameworks}
    failures: list[str] = []
    active = list(frameworks)
    for round_number in range(-1, repeats):
        for framework in list(active):
            if round_number >= framework.max_repeats:
                continue
            progress(f"round {round_number + 1}/{repeats}: {framework.label}")
            try:
                sample = framework.sample(data, w0)
            except Exception as error:
                failures.append(f"{framework.label} failed: {type(error).__name__}: {error}")
                active.remove(framework)
                continue
            progress(
                f"  build {sample.build_s:.3f} s, compile {sample.compile_s:.3f} s, first call "
                f"{sample.first_call_s:.3f} s, step {sample.step_s * 1e6:.0f} µs"
            )
            if round_number >= 0:  # round -1 is the warm-up
                samples[framework.label].append(sample)
    return {label: taken for label, taken in samples.items() if taken}, failures


def result_tables(
    samples: dict[str, list[Sample]], reference: str, expected: Params, notes: list[str]
) -> list[Table]:
    """The step table (µs per step, ratios, checks) and the build and compile table."""
    medians = {
        label: statistics.median(sample.step_s for sample in taken)
        for label, taken in samples.items()
    }
    valid = {
        label: medians[label]
        for label, taken in samples.items()
        if agreement(taken[0].params, expected).startswith("same")
    }
    peer, peer_time = best_peer(valid, OURS)
    step_table = Table(
        f"One training step, {N}×{FEATS} float64 (median (min–max) over the samples of the "
        f"median of {CALLS} steps)",
        [
            "framework",
            "samples",
            "µs/step",
            f"÷ {reference}",
            f"÷ best peer ({peer})",
            "xent finite",
            f"w, b vs {NumpyStep.label}",
        ],
    )
    for label, taken in samples.items():
        step_table.rows.append(
            [
                label,
                str(len(taken)),
                _microseconds([sample.step_s for sample in taken]),
                ratio(medians[label], medians[reference]) if reference in medians else "n/a",
                ratio(medians[label], peer_time),
                "yes" if all(sample.finite_xent for sample in taken) else "NO",
                agreement(taken[0].params, expected),
            ]
        )
    step_table.notes.extend(notes)
    step_table.notes.append(
        "best peer: the fastest framework other than tracegraph whose w and b agree with NumPy "
        "by hand's (JAX with the tutorial's xent computes NaN and is left out)"
    )
    compile_table = Table(
        "Build and compile the training step (median (min–max), seconds)",
        ["framework", "build (graph + grad, or trace)", "function() / compile", "first call"],
    )
    for label, taken in samples.items():
        if label != NumpyStep.label:
            compile_table.rows.append(
                [
                    label,
                    summarize([sample.build_s for sample in taken]),
                    summarize([sample.compile_s for sample in taken]),
                    summarize([sample.first_call_s for sample in taken]),
                ]
            )
    return [step_table, compile_table]


def _microseconds(samples: list[float]) -> str:
    """``median (min–max)`` of seconds, shown in µs."""
    median = statistics.median(samples) * 1e6
    if len(samples) < 2:
        return f"{median:.0f}"
    return f"{median:.0f} ({min(samples) * 1e6:.0f}–{max(samples) * 1e6:.0f})"


COMPILE_SCRIPT = """
import sys, time
sys.path.insert(0, {bench!r})
import tracegraph, tracegraph.tensor as T
from logistic import tutorial_data, tutorial_graph
data, w0 = tutorial_data()
x, y, w, b, prediction, xent, gw, gb = tutorial_graph(tracegraph, T, w0)
start = time.perf_counter()
updates = ((w, w - 0.1 * gw), (b, b - 0.1 * gb))
train = tracegraph.function([x, y], [prediction, xent], updates=updates)
print(time.perf_counter() - start)
"""


JAX_COMPILE_SCRIPT = """
import sys, time
sys.path.insert(0, {bench!r})
import jax
jax.config.update("jax_enable_x64", True)
if {persistent!r}:
    jax.config.update("jax_compilation_cache_dir", {cache!r})
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)
from logistic import Jax, tutorial_data
data, w0 = tutorial_data()
framework = Jax(stable=True)
start = time.perf_counter()
framework.compile(framework.build(data, w0))
print(time.perf_counter() - start)
"""


def _seconds_in_new_process(script: str, env: dict[str, str]) -> float | None:
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True)
    if result.returncode != 0:
        return None
    return float(result.stdout.strip().splitlines()[-1])


def compile_table(repeats: int, compare: bool) -> Table:
    """``function()`` of the training step on the C backend in new processes: with an empty
    compile cache (cold) and again with the cache that run filled (warm); JAX's trace and
    compile of its (stable) step likewise, without and with its persistent compilation
    cache."""
    import os
    import tempfile
    from pathlib import Path

    bench = str(Path(__file__).resolve().parent)
    script = COMPILE_SCRIPT.format(bench=bench)
    cold: list[float] = []
    warm: list[float] = []
    jax_cold: list[float] = []
    jax_warm: list[float] = []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as folder:
            env = dict(os.environ, TRACEGRAPH_FLAGS=f"compiledir={folder}")
            for into in (cold, warm):
                seconds = _seconds_in_new_process(script, env)
                if seconds is not None:
                    into.append(seconds)
            if not compare:
                continue
            for persistent, into in ((False, jax_cold), (True, jax_warm), (True, jax_warm)):
                jax_script = JAX_COMPILE_SCRIPT.format(
                    bench=bench, persistent=persistent, cache=str(Path(folder) / "jax")
                )
                seconds = _seconds_in_new_process(jax_script, dict(os.environ))
                if seconds is not None:
                    into.append(seconds)
    # The first persistent-cache run of each round fills JAX's cache: every other one is warm.
    jax_warm = jax_warm[1::2]
    table = Table(
        "function() of the training step in a new process (median (min–max), s)",
        ["cache", "tracegraph C function()", "JAX trace + compile", "tracegraph ÷ JAX"],
    )
    for label, ours, theirs in (
        ("cold (empty compile cache; JAX: no persistent cache)", cold, jax_cold),
        ("warm (the module is in the cache; JAX: its persistent cache filled)", warm, jax_warm),
    ):
        table.rows.append(
            [
                label,
                summarize(ours),
                summarize(theirs) if theirs else "n/a",
                ratio(statistics.median(ours), statistics.median(theirs)) if theirs else "n/a",
            ]
        )
    table.notes.append(
        "cold includes finding the compiler (the prelude checked while an empty module links), "
        "once per cache directory, and compiling the module with the plain prelude header (it "
        "is precompiled afterwards, for later modules); warm is tracing-free: graph passes, "
        "lowering, emitting and hashing the C, and importing the cached module"
    )
    table.notes.append(
        "JAX: jax.jit(step).trace(...).lower().compile() of the softplus step; warm with "
        "jax_compilation_cache_dir set (thresholds 0) in a process after one that filled it"
    )
    return table


def run(settings: Settings) -> list[Table]:
    """Measure tracegraph, the NumPy step and every installed framework; return the tables."""
    data, w0 = tutorial_data()
    saturated = int(np.sum(1 / (1 + np.exp(-(data[0] @ w0))) == 1.0))
    ours = Tracegraph("c")
    frameworks: list[Framework] = [ours, Tracegraph("numpy"), NumpyStep()]
    notes = [
        f"data: numpy.random.seed({SEED}), then the tutorial's D = (rng.randn({N}, {FEATS}), "
        f"rng.randint(size={N}, low=0, high=2)) and w = rng.randn({FEATS}); {saturated} of the "
        f"{N} initial p_1 round to 1.0",
        f"step: the median of {CALLS} steps after the first call and one warm-up step; "
        f"tracegraph, PyTensor and NumPy are called as train(D[0], D[1]) (y given as int64), "
        "JAX on device arrays made once",
        f"w, b vs {NumpyStep.label}: after the {STEPS_PER_SAMPLE} steps of the first sample, "
        f"from the same initial w and b, compared elementwise (same: within rtol {RTOL:g})",
    ]
    if settings.compare:
        others, skipped = other_frameworks()
        frameworks.extend(others)
        notes.extend(skipped)
    else:
        notes.append("other frameworks not measured (--no-compare)")
    samples, failures = measure(frameworks, data, w0, settings.repeats)
    notes.extend(failures)
    notes.extend(note for framework in frameworks for note in framework.notes)
    if ours.label in samples:
        notes.append(f"{ours.label}: after the pass pipeline, {ours.final_ops()}")
    expected = numpy_reference(data, w0, STEPS_PER_SAMPLE)
    tables = result_tables(samples, ours.label, expected, notes)
    tables.append(compile_table(settings.repeats, settings.compare))
    if settings.profile:
        from tracing import profile_tables

        step = ours.compile(ours.build(data, w0))
        profiled, _ = profile_tables(
            f"Profile of {PROFILED_STEPS} tracegraph training steps",
            lambda: [step() for _ in range(PROFILED_STEPS)],
        )
        tables.extend(profiled)
    return tables


def main() -> None:
    """Run this benchmark alone and print its tables."""
    parser = argument_parser(__doc__.splitlines()[0] if __doc__ else "logistic benchmark")
    print_tables(run(settings_from(parser.parse_args())))


if __name__ == "__main__":
    main()
