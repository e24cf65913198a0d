"""Compile-time benchmark: ``function()`` against graph size, with the module not cached.

The program is ``tracing.py``'s ``mixed_program`` (tanh, exp, square roots, sums and products
of 10-element vectors) at three sizes of about 100, 1,000 and 10,000 tracegraph ops. Each
sample runs in a new process with a warm compile cache (the compiler found, the prelude
precompiled) and a program made new by one constant, so that ``function()`` compiles its
module: it is split into GCC's time (the compiler processes, in parts at once where a module
has many loops) and the rest (graph passes, lowering, emitting, hashing, importing). JAX
traces, lowers and compiles the same program (``jax.jit(...).trace(...).lower().compile()``,
after a warm-up compilation in the same process, no persistent cache).

The slope between the two largest sizes is the cost of one more op.

Run it alone with ``python bench/compile.py`` or via ``bench/run.py --only compile``.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from typing import Any

from harness import (
    Settings,
    Table,
    argument_parser,
    json_from_process,
    print_tables,
    ratio,
    settings_from,
)

SIZES: dict[str, tuple[int, int]] = {"100": (1, 8), "1,000": (2, 42), "10,000": (17, 50)}
"""Target op counts and the (blocks, steps per block) of ``mixed_program`` that make them."""


def measure_tracegraph(blocks: int, steps: int, salt: float) -> dict[str, Any]:
    """``function()`` of the program in this process, with GCC's share."""
    import tracegraph
    import tracegraph.tensor as T
    from tracegraph.backends.c import build
    from tracing import TheanoStyleOps, Tracegraph, mixed_program

    compile_module = build._compile
    gcc: list[float] = []

    def timed_compile(*args: Any, **kwargs: Any) -> None:
        start = time.perf_counter()
        compile_module(*args, **kwargs)
        gcc.append(time.perf_counter() - start)

    build._compile = timed_compile  # type: ignore[assignment]
    x, matrix = T.dvector("x"), T.dmatrix("M")
    y = mixed_program(TheanoStyleOps(T), x, matrix, blocks, steps) * (1.0 + salt)
    ops = len(Tracegraph.traced_ops(y))
    start = time.perf_counter()
    f = tracegraph.function([x, matrix], y)
    seconds = time.perf_counter() - start
    source = f.source("c")
    return {
        "ops": ops,
        "function": seconds,
        "gcc": sum(gcc),
        "c_bytes": len(source),
        "loops": source.count("TG_PART_HAS("),
    }


def measure_jax(blocks: int, steps: int) -> dict[str, Any]:
    """JAX's trace, lower and compile of the program, after a warm-up compilation."""
    import jax
    import jax.numpy as jnp
    import numpy as np

    from tracing import JaxOps, mixed_program

    jax.config.update("jax_enable_x64", True)
    inputs = (np.ones(10), np.eye(10))
    jax.jit(lambda a: a + 1).lower(inputs[0]).compile()  # JAX's own start-up, not counted
    ops = JaxOps(jnp)
    start = time.perf_counter()
    traced = jax.jit(lambda x, m: mixed_program(ops, x, m, blocks, steps)).trace(*inputs)
    traced.lower().compile()
    return {"compile": time.perf_counter() - start, "equations": len(traced.jaxpr.eqns)}


def _in_subprocess(system: str, size: str, salt: float) -> dict[str, Any] | str:
    arguments = ("--system", system, "--size", size, "--salt", repr(salt))
    return json_from_process(__file__, *arguments, label=system)


def run(settings: Settings) -> list[Table]:
    """Measure every size in new processes, in rounds; return the table."""
    systems = ["tracegraph", "JAX"] if settings.compare else ["tracegraph"]
    _in_subprocess("tracegraph", "100", time.time())  # fills the toolchain and the prelude
    results: dict[tuple[str, str], list[dict[str, Any]]] = {}
    notes: list[str] = []
    for round_number in range(settings.repeats):
        for size in SIZES:
            for system in list(systems):
                print(f"round {round_number + 1}: {system} at {size} ops", file=sys.stderr)
                measured = _in_subprocess(system, size, time.time())
                if isinstance(measured, str):
                    notes.append(measured)
                    systems.remove(system)
                    continue
                results.setdefault((system, size), []).append(measured)

    def median(system: str, size: str, key: str) -> float:
        return statistics.median(sample[key] for sample in results[(system, size)])

    table = Table(
        "function() against graph size, module not cached (median over "
        f"{settings.repeats} new processes, seconds)",
        [
            "graph",
            "tracegraph ops",
            "function()",
            "of which gcc",
            "C (kB)",
            "loop kernels",
            "JAX compile",
            "tracegraph ÷ JAX",
        ],
    )
    for size in SIZES:
        if ("tracegraph", size) not in results:
            continue
        jax_time = median("JAX", size, "compile") if ("JAX", size) in results else None
        ours = median("tracegraph", size, "function")
        table.rows.append(
            [
                f"~{size} ops",
                f"{median('tracegraph', size, 'ops'):.0f}",
                f"{ours:.3g}",
                f"{median('tracegraph', size, 'gcc'):.3g}",
                f"{median('tracegraph', size, 'c_bytes') / 1e3:.0f}",
                f"{median('tracegraph', size, 'loops'):.0f}",
                f"{jax_time:.3g}" if jax_time is not None else "n/a",
                ratio(ours, jax_time) if jax_time is not None else "n/a",
            ]
        )
    large, small = "10,000", "1,000"
    if ("tracegraph", large) in results and ("tracegraph", small) in results:
        extra_ops = median("tracegraph", large, "ops") - median("tracegraph", small, "ops")

        def slope(system: str, key: str) -> float:
            return (median(system, large, key) - median(system, small, key)) / extra_ops

        per_op = slope("tracegraph", "function") * 1e3
        gcc_per_op = slope("tracegraph", "gcc") * 1e3
        line = (
            f"slope from ~1,000 to ~10,000 ops: tracegraph {per_op:.2f} ms per op (gcc "
            f"{gcc_per_op:.2f}, the rest {per_op - gcc_per_op:.2f}), "
            f"{slope('tracegraph', 'c_bytes'):.0f} bytes of C per op"
        )
        if ("JAX", large) in results:
            line += f"; JAX {slope('JAX', 'compile') * 1e3:.2f} ms per tracegraph op"
        table.notes.append(line)
    table.notes.extend(
        [
            "program: tracing.py's mixed_program on 10-element vectors, made new in every "
            "process by one constant; tracegraph ops counted as in tracing.py",
            "tracegraph: in a new process with the compiler found and the prelude precompiled "
            "(one earlier process); gcc is the time of its processes (parts at once)",
            "JAX: jax.jit(...).trace(...).lower().compile() after a warm-up compilation in the "
            "same process (JAX's start-up not counted), no persistent cache",
            *notes,
        ]
    )
    return [table]


def main() -> None:
    """Run this benchmark alone (or, with ``--system``, one sample, printing JSON)."""
    parser = argument_parser(__doc__.splitlines()[0] if __doc__ else "compile benchmark")
    parser.add_argument("--system", choices=("tracegraph", "JAX"))
    parser.add_argument("--size", choices=tuple(SIZES))
    parser.add_argument("--salt", type=float, default=0.0)
    arguments = parser.parse_args()
    if arguments.system:
        blocks, steps = SIZES[arguments.size]
        if arguments.system == "tracegraph":
            measured = measure_tracegraph(blocks, steps, arguments.salt % 1e-3)
        else:
            measured = measure_jax(blocks, steps)
        print(json.dumps(measured))
        return
    print_tables(run(settings_from(arguments)))


if __name__ == "__main__":
    main()
