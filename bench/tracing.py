"""Tracing benchmark: build a 10,000-op graph, compile it with ``function()`` and call it.

One program (:func:`mixed_program`) is written once against a tiny array interface and run by
every framework: tracegraph, and where installed PyTensor (modes ``FAST_COMPILE`` and the
default) and JAX (``jax.jit``: trace, then lower and compile). It is a realistic mix of what
Theano users wrote: elementwise unary and binary ops with Python-scalar constants, reductions,
matrix-vector products and dimshuffles, on a vector ``x`` and a matrix ``M``.

For each framework it measures, in rounds (each round takes one sample of every framework, so
that the machine's noise spreads evenly over them):

- **build**: running the Python program on symbolic variables (tracegraph, PyTensor) or tracers
  (``jax.jit(...).trace``); with the number of nodes of the graph built, nodes per second;
- **compile**: ``function()`` (tracegraph, PyTensor) or ``lower().compile()`` (JAX);
- **first call** and **call**: one call on small inputs (10 elements), the first one and the
  median of later ones.

Run it alone with ``python bench/tracing.py`` or with every benchmark via ``bench/run.py``.
"""

from __future__ import annotations

import cProfile
import math
import os
import pstats
import statistics
import sys
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, Protocol, TypeVar

import numpy as np
from numpy.typing import NDArray
from xdsl.ir import Operation

from harness import (
    Settings,
    Table,
    argument_parser,
    median_call_seconds,
    print_tables,
    ratio,
    settings_from,
    summarize,
    timed,
)

TARGET_OPS = 10_000
"""How many ops the tracegraph graph has at least (the number of blocks is chosen to match)."""
STEPS_PER_BLOCK = 50
"""Steps of :func:`mixed_program` per block; every block has the same op mix."""
INPUT_SIZE = 10
"""Length of ``x`` and side of ``M``: small, so that a call measures per-op overhead."""
CALLS = 20
"""Calls per sample whose median is the "call" time."""
FUNCTION_TARGET_S = 2.0
"""The goal for tracegraph's ``function()`` on the 10,000-op graph."""
ARGUMENT_OPS = frozenset({"tg.input", "tg.shared"})
"""Ops of symbolic inputs and shared variables: arguments of a compiled function, not ops."""
PYTENSOR_RECURSION_LIMIT = 100_000
"""PyTensor clones and rewrites graphs recursively: a 10,000-op chain needs a deep stack."""

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))

Inputs = tuple[NDArray[np.float64], NDArray[np.float64]]
R = TypeVar("R")


# -- the program ------------------------------------------------------------------------------


class ArrayOps(Protocol):
    """The few functions :func:`mixed_program` needs beyond Python's operators."""

    def tanh(self, a: Any) -> Any:
        """Elementwise hyperbolic tangent."""

    def exp(self, a: Any) -> Any:
        """Elementwise exponential."""

    def sqrt(self, a: Any) -> Any:
        """Elementwise square root."""

    def sum(self, a: Any, axis: int | None = None) -> Any:
        """Sum over ``axis``, or over everything."""

    def dot(self, a: Any, b: Any) -> Any:
        """Matrix product."""

    def as_row(self, a: Any) -> Any:
        """A vector as a one-row matrix (Theano's ``dimshuffle('x', 0)``)."""


class TheanoStyleOps:
    """:class:`ArrayOps` of a Theano-like tensor module (``tracegraph.tensor``, PyTensor)."""

    def __init__(self, module: ModuleType):
        self.module = module

    def tanh(self, a: Any) -> Any:
        """``T.tanh``."""
        return self.module.tanh(a)

    def exp(self, a: Any) -> Any:
        """``T.exp``."""
        return self.module.exp(a)

    def sqrt(self, a: Any) -> Any:
        """``T.sqrt``."""
        return self.module.sqrt(a)

    def sum(self, a: Any, axis: int | None = None) -> Any:
        """``T.sum``."""
        return self.module.sum(a, axis=axis)

    def dot(self, a: Any, b: Any) -> Any:
        """``T.dot``."""
        return self.module.dot(a, b)

    def as_row(self, a: Any) -> Any:
        """``a.dimshuffle('x', 0)``."""
        return a.dimshuffle("x", 0)


class JaxOps(TheanoStyleOps):
    """:class:`ArrayOps` of ``jax.numpy``: the same functions, and NumPy-style indexing for
    ``as_row``."""

    def as_row(self, a: Any) -> Any:
        """``a[None, :]``."""
        return a[None, :]


def mixed_program(
    ops: ArrayOps, x: Any, matrix: Any, blocks: int, steps: int = STEPS_PER_BLOCK
) -> Any:
    """The benchmark's computation: ``blocks`` blocks of ``steps`` steps (smaller graphs:
    ``bench/compile.py``).

    Every step applies tanh and exp with scalar constants; every 5th a square root, every
    10th adds a full sum, every 25th multiplies by ``matrix``, and each block starts with a
    dimshuffle to a row and a sum over its axis 0. The values stay in a small range.
    """
    y = x
    for _ in range(blocks):
        for step in range(steps):
            if step == 0:
                y = ops.sum(ops.as_row(y) * 2.0, axis=0)
            y = ops.tanh(y * 0.5 + 0.1)
            y = ops.exp(-y) * 0.25 + y
            if step % 5 == 0:
                y = ops.sqrt(y * y + 1.0) - 1.0
            if step % 10 == 0:
                y = y + ops.sum(y) * 0.01
            if step % 25 == 0:
                y = ops.dot(matrix, y) * 0.1
    return y


def make_inputs() -> Inputs:
    """Small inputs: ``x`` of :data:`INPUT_SIZE` elements and a well-scaled matrix."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal(INPUT_SIZE)
    matrix = rng.standard_normal((INPUT_SIZE, INPUT_SIZE)) / math.sqrt(INPUT_SIZE)
    return x, matrix


# -- the frameworks ---------------------------------------------------------------------------


@dataclass
class Sample:
    """One measurement of one framework (times in seconds)."""

    nodes: int
    build_s: float
    compile_s: float
    first_call_s: float
    call_s: float
    result: NDArray[Any]
    details: dict[str, float] = field(default_factory=dict)
    """Framework-specific extras (e.g. JAX's lowering time), reported in the notes."""

    @property
    def first_result_s(self) -> float:
        """What a user waits from running the program to holding the first result."""
        return self.build_s + self.compile_s + self.first_call_s


class Framework(ABC):
    """A framework under test: builds, compiles and calls :func:`mixed_program`."""

    label: str
    max_repeats: int = sys.maxsize
    """At most this many samples, however many ``--repeats`` asks for (slow frameworks)."""
    notes: tuple[str, ...] = ()
    """What a reader of the results should know about how this framework was run."""

    @abstractmethod
    def sample(self, blocks: int, inputs: Inputs) -> Sample:
        """Build, compile and call the program once, timing each step."""


class Tracegraph(Framework):
    """tracegraph: ``tracegraph.tensor`` variables and ``tracegraph.function``."""

    label = "tracegraph"

    def __init__(self) -> None:
        import tracegraph
        import tracegraph.tensor as T

        self.tracegraph = tracegraph
        self.T = T
        self.ops = TheanoStyleOps(T)

    def build(self, blocks: int) -> tuple[Any, Any, Any]:
        """The inputs and the output of the program as symbolic variables."""
        x = self.T.dvector("x")
        matrix = self.T.dmatrix("M")
        return x, matrix, mixed_program(self.ops, x, matrix, blocks)

    def compile(self, x: Any, matrix: Any, y: Any) -> Any:
        """``tracegraph.function([x, M], y)``."""
        return self.tracegraph.function([x, matrix], y)

    @staticmethod
    def traced_ops(output: Any) -> list[Operation]:
        """The ops the program created that ``output`` depends on, found by walking the graph
        from it; the ``tg.input`` ops of the symbolic inputs are left out (``function()``
        turns them into arguments), the constants of Python scalars are counted."""
        found: list[Operation] = []
        seen: set[int] = set()
        stack: list[object] = [output.owner]
        while stack:
            op = stack.pop()
            if not isinstance(op, Operation) or id(op) in seen:
                continue
            seen.add(id(op))
            if op.name not in ARGUMENT_OPS:
                found.append(op)
            stack.extend(operand.owner for operand in op.operands)
        return found

    @staticmethod
    def op_mix(ops: list[Operation]) -> str:
        """The names of ``ops`` with their counts, most frequent first."""
        counts: dict[str, int] = {}
        for op in ops:
            counts[op.name] = counts.get(op.name, 0) + 1
        ordered = sorted(counts.items(), key=lambda item: -item[1])
        return ", ".join(f"{name} {count}" for name, count in ordered)

    def blocks_for(self, target_ops: int) -> tuple[int, str]:
        """How many blocks make a graph of at least ``target_ops`` ops, and the op mix of one
        block. The op counts of 1 and 2 blocks give the (linear) size of any number."""
        one = self.traced_ops(self.build(1)[2])
        two = self.traced_ops(self.build(2)[2])
        per_block = len(two) - len(one)
        fixed = len(one) - per_block
        return max(1, math.ceil((target_ops - fixed) / per_block)), self.op_mix(one)

    def sample(self, blocks: int, inputs: Inputs) -> Sample:
        build_s, (x, matrix, y) = timed(lambda: self.build(blocks))
        nodes = len(self.traced_ops(y))
        compile_s, function = timed(lambda: self.compile(x, matrix, y))
        first_call_s, result = timed(lambda: function(*inputs))
        return Sample(
            nodes=nodes,
            build_s=build_s,
            compile_s=compile_s,
            first_call_s=first_call_s,
            call_s=median_call_seconds(lambda: function(*inputs), CALLS),
            result=np.asarray(result),
            details={"ops after the pass pipeline": len(function.maker.fgraph.toposort())},
        )


class PyTensor(Framework):
    """PyTensor (Theano's successor) in one compilation mode."""

    max_repeats = 3

    def __init__(self, mode: str | None):
        import pytensor
        import pytensor.tensor as pt
        from pytensor.graph.traversal import applys_between

        sys.setrecursionlimit(max(sys.getrecursionlimit(), PYTENSOR_RECURSION_LIMIT))
        # Typed Any: PyTensor and JAX are only partly annotated.
        self.pytensor: Any = pytensor
        self.pt: Any = pt
        self.applys_between: Any = applys_between
        self.mode = mode
        self.ops = TheanoStyleOps(pt)
        default = self.pytensor.compile.mode.get_default_mode()
        described = mode or f"default: {type(default.linker).__name__}"
        self.label = f"PyTensor {described}"
        self.notes = (
            f"{self.label}: at most {self.max_repeats} samples; sys.setrecursionlimit("
            f"{PYTENSOR_RECURSION_LIMIT:,}) first, as PyTensor raises RecursionError on a graph "
            "this deep with Python's default limit",
        )
        if mode is None:
            self.notes += (
                f"{self.label}: Numba compiles at the first call and PyTensor caches the result "
                f"on disk ({self.pytensor.config.compiledir}), so only the first sample of the "
                "first run on a machine pays it: see the maximum of 'first call'",
            )

    def sample(self, blocks: int, inputs: Inputs) -> Sample:
        def build() -> tuple[Any, Any, Any]:
            x = self.pt.dvector("x")
            matrix = self.pt.dmatrix("M")
            return x, matrix, mixed_program(self.ops, x, matrix, blocks)

        build_s, (x, matrix, y) = timed(build)
        nodes = sum(1 for _ in self.applys_between([x, matrix], [y]))
        compile_s, function = timed(lambda: self.pytensor.function([x, matrix], y, mode=self.mode))
        first_call_s, result = timed(lambda: function(*inputs))
        return Sample(
            nodes=nodes,
            build_s=build_s,
            compile_s=compile_s,
            first_call_s=first_call_s,
            call_s=median_call_seconds(lambda: function(*inputs), CALLS),
            result=np.asarray(result),
            details={"nodes after rewrites": len(function.maker.fgraph.apply_nodes)},
        )


class Jax(Framework):
    """JAX: ``jax.jit(program).trace(...)``, then ``.lower().compile()``, in float64."""

    label = "JAX jit"

    def __init__(self) -> None:
        import jax
        import jax.numpy as jnp

        self.jax: Any = jax
        self.jax.config.update("jax_enable_x64", True)
        self.notes = (
            f"{self.label}: float64 (jax_enable_x64); build is jax.jit(program).trace(x, M), "
            "compile is .lower() then .compile() (XLA, CPU)",
        )
        self.ops = JaxOps(jnp)

    def sample(self, blocks: int, inputs: Inputs) -> Sample:
        def program(x: Any, matrix: Any) -> Any:
            return mixed_program(self.ops, x, matrix, blocks)

        # A new function object each time: jax.jit would otherwise reuse its cached trace.
        build_s, traced = timed(lambda: self.jax.jit(program).trace(*inputs))
        lower_s, lowered = timed(traced.lower)
        xla_s, compiled = timed(lowered.compile)
        first_call_s, result = timed(lambda: compiled(*inputs).block_until_ready())
        return Sample(
            nodes=len(traced.jaxpr.eqns),
            build_s=build_s,
            compile_s=lower_s + xla_s,
            first_call_s=first_call_s,
            call_s=median_call_seconds(lambda: compiled(*inputs).block_until_ready(), CALLS),
            result=np.asarray(result),
            details={"lower (s)": lower_s, "XLA compile (s)": xla_s},
        )


def other_frameworks() -> tuple[list[Framework], list[str]]:
    """PyTensor (two modes) and JAX where importable; notes on those that are not."""
    frameworks: list[Framework] = []
    notes: list[str] = []
    factories: list[tuple[str, Callable[[], Framework]]] = [
        ("pytensor", lambda: PyTensor("FAST_COMPILE")),
        ("pytensor", lambda: PyTensor(None)),
        ("jax", Jax),
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


def measure(
    frameworks: list[Framework], blocks: int, inputs: Inputs, repeats: int
) -> tuple[dict[str, list[Sample]], list[str]]:
    """Samples of every framework, taken in rounds; notes on the frameworks that failed.

    Each framework first runs the program once at one block, untimed, to load what it loads
    lazily. A framework that raises is reported and left out of the later rounds.
    """
    samples: dict[str, list[Sample]] = {framework.label: [] for framework in frameworks}
    failures: list[str] = []
    active = list(frameworks)
    for framework in list(active):
        try:
            framework.sample(1, inputs)
        except Exception as error:
            failures.append(f"{framework.label} failed: {type(error).__name__}: {error}")
            active.remove(framework)
    for round_number in range(repeats):
        for framework in list(active):
            if round_number >= framework.max_repeats:
                continue
            progress(f"round {round_number + 1}/{repeats}: {framework.label}")
            try:
                sample = framework.sample(blocks, inputs)
            except Exception as error:
                failures.append(f"{framework.label} failed: {type(error).__name__}: {error}")
                active.remove(framework)
                continue
            samples[framework.label].append(sample)
            progress(
                f"  build {sample.build_s:.2f} s, compile {sample.compile_s:.2f} s, "
                f"first call {sample.first_call_s:.3f} s, call {sample.call_s * 1000:.2f} ms"
            )
    return {label: taken for label, taken in samples.items() if taken}, failures


def progress(message: str) -> None:
    """A progress line on stderr (a full run takes minutes)."""
    print(message, file=sys.stderr, flush=True)


METRICS: tuple[tuple[str, Callable[[Sample], float]], ...] = (
    ("build", lambda sample: sample.build_s),
    ("function() / compile", lambda sample: sample.compile_s),
    ("first call", lambda sample: sample.first_call_s),
    ("build to first result", lambda sample: sample.first_result_s),
    ("call", lambda sample: sample.call_s),
)
"""The timings reported, by column name; "call" is shown in milliseconds, the others in s."""


def result_tables(
    samples: dict[str, list[Sample]], reference: str, notes: list[str]
) -> list[Table]:
    """The absolute table and, when other frameworks ran, the table of ratios."""
    absolute = Table(
        "Build, compile and call the benchmark graph (median (min–max) of the samples)",
        ["framework", "samples", "graph nodes", "nodes/s (build)"]
        + [f"{name} ({'ms' if name == 'call' else 's'})" for name, _ in METRICS],
    )
    medians: dict[str, dict[str, float]] = {}
    for label, taken in samples.items():
        medians[label] = {
            name: statistics.median(metric(sample) for sample in taken) for name, metric in METRICS
        }
        nodes = taken[0].nodes
        absolute.rows.append(
            [label, str(len(taken)), f"{nodes:,}", f"{nodes / medians[label]['build']:,.0f}"]
            + [
                summarize([metric(sample) for sample in taken], "ms" if name == "call" else "s")
                for name, metric in METRICS
            ]
        )
    absolute.notes.extend(notes)
    tables = [absolute]
    others = [label for label in samples if label != reference]
    if reference in medians and others:
        relative = Table(
            f"Relative to {reference}: each median ÷ {reference}'s median, same run "
            f"(above 1× means {reference} is faster)",
            ["framework"] + [name for name, _ in METRICS],
        )
        base = medians[reference]
        for label in others:
            relative.rows.append(
                [label] + [ratio(medians[label][name], base[name]) for name, _ in METRICS]
            )
        tables.append(relative)
    return tables


def framework_notes(
    frameworks: list[Framework], samples: dict[str, list[Sample]], reference: str
) -> list[str]:
    """Notes on how each framework ran, its details and whether its result matches the
    reference's."""
    notes = [note for framework in frameworks for note in framework.notes]
    for label, taken in samples.items():
        details = {
            key: statistics.median(s.details[key] for s in taken) for key in taken[0].details
        }
        if details:
            shown = ", ".join(f"{key} {_number(value)}" for key, value in details.items())
            notes.append(f"{label}: {shown}")
    if reference in samples:
        expected = samples[reference][0].result
        agree: list[str] = []
        differ: list[str] = []
        for label, taken in samples.items():
            if label != reference:
                close = np.allclose(taken[0].result, expected, rtol=1e-9, atol=1e-12)
                (agree if close else differ).append(label)
        if agree:
            notes.append(f"same result as {reference} (rtol 1e-9): {', '.join(agree)}")
        if differ:
            notes.append(f"result DIFFERENT from {reference}'s: {', '.join(differ)}")
    return notes


def _number(value: float) -> str:
    """A count with thousands separators, anything else with 3 significant digits."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:.3g}"


def profile_tables(title: str, action: Callable[[], R], top: int = 15) -> tuple[list[Table], R]:
    """Run ``action`` under cProfile; return two tables, the ``top`` functions by cumulative
    time (where the time goes, step by step) and by own time (what is slow), and what
    ``action`` returned."""
    profiler = cProfile.Profile()
    result = profiler.runcall(action)
    stats: Any = pstats.Stats(profiler)  # its ``stats`` and ``total_tt`` are undeclared
    total: float = stats.total_tt
    rows: list[tuple[str, int, float, float]] = [
        (_where(filename, line, name), calls, own, cumulative)
        for (filename, line, name), (_, calls, own, cumulative, _) in stats.stats.items()
        if os.path.dirname(filename) != BENCH_DIR  # the benchmark's own wrappers
    ]
    columns = ["function", "calls", "own (s)", "cumulative (s)"]
    orders: list[tuple[str, Callable[[tuple[str, int, float, float]], float]]] = [
        ("cumulative", lambda row: row[3]),
        ("own", lambda row: row[2]),
    ]
    tables = []
    for order, key in orders:
        table = Table(f"{title}: top {top} by {order} time", columns)
        for where, calls, own, cumulative in sorted(rows, key=key, reverse=True)[:top]:
            table.rows.append([where, str(calls), f"{own:.3f}", f"{cumulative:.3f}"])
        tables.append(table)
    by_package: dict[str, float] = {}
    for where, _, own, _ in rows:
        package = where.split("/", 1)[0] if "/" in where else "builtins and stdlib"
        by_package[package] = by_package.get(package, 0.0) + own
    shares = sorted(by_package.items(), key=lambda item: -item[1])
    tables[-1].notes.append(
        f"total {total:.2f} s under cProfile (which slows Python code down); own time by "
        "package: " + ", ".join(f"{package} {own / total:.0%}" for package, own in shares[:4])
    )
    return tables, result


def _where(filename: str, line: int, name: str) -> str:
    """``package/module.py:line(name)`` with the site-packages or src prefix cut off; the
    standard library's files keep no folder."""
    for marker in ("site-packages" + os.sep, "src" + os.sep):
        if marker in filename:
            return f"{filename.split(marker, 1)[1]}:{line}({name})"
    if filename == "~":
        return name
    return f"{os.path.basename(filename)}:{line}({name})"


def run(settings: Settings) -> list[Table]:
    """Measure every installed framework; return the result tables."""
    inputs = make_inputs()
    ours = Tracegraph()
    blocks, block_mix = ours.blocks_for(TARGET_OPS)
    frameworks: list[Framework] = [ours]
    notes = [
        f"program: {blocks} blocks of {STEPS_PER_BLOCK} steps (mixed_program), inputs x of "
        f"{INPUT_SIZE} float64 and M of {INPUT_SIZE}×{INPUT_SIZE}; graph nodes are each "
        "framework's own count (tracegraph: ops reachable from the output, constants included; "
        "PyTensor: Apply nodes before rewrites; JAX: jaxpr equations)",
        f"tracegraph ops of one block: {block_mix}",
        f"call: median of {CALLS} calls after one warm-up call",
    ]
    if settings.compare:
        others, skipped = other_frameworks()
        frameworks.extend(others)
        notes.extend(skipped)
    else:
        notes.append("other frameworks not measured (--no-compare)")
    samples, failures = measure(frameworks, blocks, inputs, settings.repeats)
    notes.extend(failures)
    notes.extend(framework_notes(frameworks, samples, ours.label))
    if ours.label in samples:
        median_function = statistics.median(s.compile_s for s in samples[ours.label])
        verdict = "met" if median_function < FUNCTION_TARGET_S else "NOT met"
        notes.append(
            f"target: tracegraph function() on a {samples[ours.label][0].nodes:,}-op graph under "
            f"{FUNCTION_TARGET_S:g} s: {verdict} ({median_function:.2f} s)"
        )
    tables = result_tables(samples, ours.label, notes)
    if settings.profile:
        # Built under the profiler first, then compiled: one large graph alive at a time.
        build_tables, (x, matrix, y) = profile_tables(
            "Profile of tracegraph building the graph", lambda: ours.build(blocks)
        )
        compile_tables, _ = profile_tables(
            "Profile of tracegraph function() on the graph", lambda: ours.compile(x, matrix, y)
        )
        tables.extend(build_tables + compile_tables)
    return tables


def main() -> None:
    """Run this benchmark alone and print its tables."""
    parser = argument_parser(__doc__.splitlines()[0] if __doc__ else "tracing benchmark")
    print_tables(run(settings_from(parser.parse_args())))


if __name__ == "__main__":
    main()
