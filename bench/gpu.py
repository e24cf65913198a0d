"""The Triton backend on a GPU against torch eager and ``torch.compile`` on the same graphs.

Runs only where torch sees a CUDA GPU (``scripts/gpu-check`` runs it with the backend's tests
on a lent machine). Every time is the median of CUDA-event timings after warm-ups, inputs and
outputs on the device (tracegraph through ``TritonProgram.run_on_device``: no copy to the
host). Bandwidths count the bytes a kernel must read and write once; the fraction is of a
device-to-device copy's bandwidth measured in the same run.

    python bench/gpu.py                  # every table
    python bench/gpu.py --quick          # smaller sizes (a smoke test)
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import harness
import tracegraph
import tracegraph.tensor as T
from tracegraph.backends.triton.program import TritonProgram


def _time(torch: Any, action: Callable[[], object], repeats: int = 20, warmups: int = 3) -> float:
    """Seconds: the median of ``repeats`` CUDA-event timings of ``action``."""
    for _ in range(warmups):
        action()
    torch.cuda.synchronize()
    samples = []
    for _ in range(repeats):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        action()
        end.record()
        end.synchronize()
        samples.append(start.elapsed_time(end) / 1e3)
    return statistics.median(samples)


def _program(inputs: list[Any], outputs: Any) -> TritonProgram:
    tracegraph.config.linker = "triton"
    function = tracegraph.function(inputs, outputs)
    program = function._program
    assert isinstance(program, TritonProgram), type(program)
    return program


def _copy_bandwidth(torch: Any, n: int) -> float:
    x = torch.rand(n, device="cuda")
    y = torch.empty_like(x)
    return 2 * x.numel() * 4 / _time(torch, lambda: y.copy_(x))


def _row(
    name: str, ours: float, eager: float, compiled: float, moved: float, copy: float
) -> list[str]:
    best = min(eager, compiled)
    return [
        name,
        f"{ours * 1e6:.1f}",
        f"{eager * 1e6:.1f}",
        f"{compiled * 1e6:.1f}",
        f"{moved / ours / 1e9:.0f}",
        f"{moved / ours / copy:.0%}",
        harness.ratio(ours, best),
    ]


COLUMNS = [
    "case",
    "tracegraph µs",
    "torch eager µs",
    "torch.compile µs",
    "GB/s",
    "of copy",
    "÷ best",
]


def elementwise(torch: Any, sizes: list[int], copy: float) -> harness.Table:
    table = harness.Table("Fused elementwise chain tanh(x)*y + exp(-x*x)*0.5, float32", COLUMNS)
    x, y = T.fvector("x"), T.fvector("y")
    program = _program([x, y], T.tanh(x) * y + T.exp(-x * x) * 0.5)

    def chain(a: Any, b: Any) -> Any:
        return torch.tanh(a) * b + torch.exp(-a * a) * 0.5

    compiled = torch.compile(chain)
    for n in sizes:
        a, b = torch.rand(n, device="cuda"), torch.rand(n, device="cuda")
        ours = _time(torch, lambda a=a, b=b: program.run_on_device([a, b]))
        eager = _time(torch, lambda a=a, b=b: chain(a, b))
        fused = _time(torch, lambda a=a, b=b: compiled(a, b))
        table.rows.append(_row(f"n = {n:.0e}", ours, eager, fused, 3 * 4 * n, copy))
    table.notes.append("target: at least 85% of the copy's bandwidth")
    return table


def reductions(torch: Any, rows: int, columns: int, copy: float) -> harness.Table:
    table = harness.Table(f"Reductions and softmax over a {rows}×{columns} float32 matrix", COLUMNS)
    x = T.fmatrix("x")
    a = torch.rand(rows, columns, device="cuda")
    moved = 4 * rows * columns
    cases: list[tuple[str, Any, Callable[[Any], Any], float]] = [
        ("sum(exp(x), axis=1)", T.exp(x).sum(axis=1), lambda t: torch.exp(t).sum(1), moved),
        ("max(x, axis=0)", x.max(axis=0), lambda t: t.amax(0), moved),
        ("softmax rows", T.nnet.softmax(x), lambda t: torch.softmax(t, 1), 2 * moved),
    ]
    for name, output, reference, bytes_moved in cases:
        program = _program([x], output)
        compiled = torch.compile(reference)
        ours = _time(torch, lambda p=program: p.run_on_device([a]))
        eager = _time(torch, lambda r=reference: r(a))
        fused = _time(torch, lambda c=compiled: c(a))
        table.rows.append(_row(name, ours, eager, fused, bytes_moved, copy))
    table.notes.append("target: at least 80% of the copy's bandwidth")
    return table


def matmul(torch: Any, n: int) -> harness.Table:
    table = harness.Table(
        f"Matrix product {n}×{n}×{n}",
        ["dtype", "tracegraph ms", "torch.matmul ms", "tracegraph TFLOP/s", "÷ torch"],
    )
    torch.backends.cuda.matmul.allow_tf32 = False  # float32 as IEEE products, as ours
    for dtype, make in (("float32", T.fmatrix), ("float64", T.dmatrix)):
        a_var, b_var = make("a"), make("b")
        program = _program([a_var, b_var], T.dot(a_var, b_var))
        a = torch.rand(n, n, device="cuda", dtype=getattr(torch, dtype))
        b = torch.rand(n, n, device="cuda", dtype=getattr(torch, dtype))
        ours = _time(torch, lambda p=program, a=a, b=b: p.run_on_device([a, b]), repeats=5)
        theirs = _time(torch, lambda a=a, b=b: torch.matmul(a, b), repeats=5)
        flops = 2 * n**3
        table.rows.append(
            [
                dtype,
                f"{ours * 1e3:.2f}",
                f"{theirs * 1e3:.2f}",
                f"{flops / ours / 1e12:.1f}",
                harness.ratio(ours, theirs),
            ]
        )
    table.notes.append(
        "target: at least 0.8× torch.matmul; bfloat16 is not a tracegraph dtype (not measured)"
    )
    return table


def logistic_program(features: int, return_device: bool = True) -> tracegraph.Function[Any]:
    """The specification's logistic-regression training step (float32), on Triton."""
    import numpy as np

    tracegraph.config.linker = "triton"
    x, y = T.fmatrix("x"), T.fvector("y")
    w = tracegraph.shared(np.zeros(features, dtype=np.float32), name="w")
    b = tracegraph.shared(np.float32(0.0), name="b")
    p_1 = 1 / (1 + T.exp(-T.dot(x, w) - b))
    prediction = p_1 > 0.5
    xent = -y * T.log(p_1) - (1 - y) * T.log(1 - p_1)
    cost = xent.mean() + 0.01 * (w**2).sum()
    gw, gb = T.grad(cost, [w, b])
    return tracegraph.function(
        [x, y],
        [prediction, xent],
        updates=[(w, w - 0.1 * gw), (b, b - 0.1 * gb)],
        return_device=return_device,
    )


def logistic(torch: Any, rows: int, features: int) -> harness.Table:
    table = harness.Table(
        f"Logistic regression training step, {rows}×{features} float32",
        ["system", "µs per step", "÷ tracegraph"],
    )
    train = logistic_program(features)
    x = torch.rand(rows, features, device="cuda")
    y = (torch.rand(rows, device="cuda") > 0.5).float()
    w = torch.zeros(features, device="cuda", requires_grad=True)
    b = torch.zeros((), device="cuda", requires_grad=True)

    def step() -> Any:
        p_1 = 1 / (1 + torch.exp(-(x @ w) - b))
        xent = -y * torch.log(p_1) - (1 - y) * torch.log(1 - p_1)
        cost = xent.mean() + 0.01 * (w**2).sum()
        gw, gb = torch.autograd.grad(cost, [w, b])
        with torch.no_grad():
            w.sub_(0.1 * gw)
            b.sub_(0.1 * gb)
        return p_1 > 0.5, xent

    compiled = torch.compile(step)
    ours = _time(torch, lambda: train(x, y))
    eager = _time(torch, step)
    fused = _time(torch, compiled)
    for name, seconds in (("tracegraph", ours), ("torch eager", eager), ("torch.compile", fused)):
        table.rows.append([name, f"{seconds * 1e6:.1f}", harness.ratio(seconds, ours)])
    table.notes.append("target: faster than torch.compile")
    return table


def call_overhead(torch: Any) -> harness.Table:
    table = harness.Table("Per-call overhead, one-element add", ["path", "µs per call"])
    x = T.fvector("x")
    program = _program([x], x + 1)
    a = torch.rand(1, device="cuda")

    def host_timed(action: Callable[[], object], calls: int = 2000) -> float:
        import time

        for _ in range(50):
            action()
        torch.cuda.synchronize()
        start = time.perf_counter()
        for _ in range(calls):
            action()
        torch.cuda.synchronize()
        return (time.perf_counter() - start) / calls

    table.rows.append(
        [
            "tracegraph (device tensors)",
            f"{host_timed(lambda: program.run_on_device([a])) * 1e6:.1f}",
        ]
    )
    table.rows.append(["torch eager a + 1", f"{host_timed(lambda: a + 1) * 1e6:.1f}"])
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller sizes")
    quick = parser.parse_args().quick
    import torch
    import triton

    if not torch.cuda.is_available():
        print("no CUDA GPU: nothing to measure", file=sys.stderr)
        raise SystemExit(1)
    copy = _copy_bandwidth(torch, 10**7 if quick else 10**8)
    device = harness.Table("Device", ["what", "value"])
    device.rows += [
        ["GPU", torch.cuda.get_device_name()],
        ["torch", torch.__version__],
        ["triton", triton.__version__],
        ["device-to-device copy", f"{copy / 1e9:.0f} GB/s (bytes read and written)"],
    ]
    sizes = [10**6, 10**7] if quick else [10**6, 10**7, 10**8]
    tables = [
        device,
        elementwise(torch, sizes, copy),
        reductions(torch, 1024 if quick else 16384, 1024, copy),
        matmul(torch, 1024 if quick else 4096),
        logistic(torch, 400, 784),
        logistic(torch, 1 << 16, 784),
        call_overhead(torch),
    ]
    harness.print_tables(tables)


if __name__ == "__main__":
    main()
