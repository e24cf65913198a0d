"""The PTX of the Triton backend's kernels for sm_90, compiled without a GPU: numerics where
they are promised (exactly rounded float32 division and square root, no tf32 in float32
products), vector loads where alignment allows, no register spills in the common kernels."""

from __future__ import annotations

import re
from typing import Any

import pytest

import tracegraph
import tracegraph.tensor as T
from tracegraph.backends.triton.compile import compile_kernel, module_kernels, ptx_problems
from tracegraph.backends.triton.program import TritonProgram
from tracegraph.backends.triton.runtime import load_module


def _kernels(outputs: Any, inputs: list[Any]) -> dict[str, Any]:
    program = tracegraph.function(inputs, outputs)._program
    assert isinstance(program, TritonProgram)
    return module_kernels(program.compiled_module(), program.signatures)


def _instructions(ptx: str, pattern: str) -> set[str]:
    return set(re.findall(pattern, ptx))


@pytest.mark.parametrize("make", [T.fvector, T.dvector], ids=["float32", "float64"])
def test_division_and_square_root_round_exactly(make: Any) -> None:
    x, y = make("x"), make("y")
    (kernel,) = _kernels(x / y + T.sqrt(x), [x, y]).values()
    ptx = kernel.asm["ptx"]
    bits = "f32" if make is T.fvector else "f64"
    assert f"div.rn.{bits}" in ptx and f"sqrt.rn.{bits}" in ptx
    assert ptx_problems(kernel) == []


def test_libdevice_functions_are_checked_in_the_triton_ir() -> None:
    # asinhf uses sqrt.approx inside libdevice (within its documented ulps): not a problem;
    # the division beside it must still be exact.
    x, y = T.fvector("x"), T.fvector("y")
    (kernel,) = _kernels(T.arcsinh(x) / y, [x, y]).values()
    assert "sqrt.approx" in kernel.asm["ptx"]
    assert "extern_elementwise" in kernel.asm["ttir"]
    assert ptx_problems(kernel) == []


def test_an_approximate_division_is_a_problem(tmp_path: Any) -> None:
    source = tmp_path / "approximate.py"
    source.write_text(
        "import triton\nimport triton.language as tl\n"
        "from triton.language.extra import libdevice\n\n"
        "@triton.jit\n"
        "def plain(x_ptr, y_ptr, BLOCK: tl.constexpr):\n"
        "    e = tl.arange(0, BLOCK)\n"
        "    tl.store(y_ptr + e, tl.load(x_ptr + e) / tl.load(y_ptr + e))\n\n"
        "@triton.jit\n"
        "def with_libdevice(x_ptr, y_ptr, BLOCK: tl.constexpr):\n"
        "    e = tl.arange(0, BLOCK)\n"
        "    tl.store(y_ptr + e, libdevice.exp(tl.load(x_ptr + e)) / tl.load(y_ptr + e))\n"
    )
    module = load_module(source, interpret=False)
    signature = {"x_ptr": "*fp32", "y_ptr": "*fp32", "BLOCK": "constexpr"}
    plain = compile_kernel(module.plain, signature, {"BLOCK": 128})
    assert ptx_problems(plain) == ["approximate instruction 'div.full'"]
    mixed = compile_kernel(module.with_libdevice, signature, {"BLOCK": 128})
    assert ptx_problems(mixed) == ["approximate float32 arith.divf in the Triton IR"]


@pytest.mark.parametrize(
    ("make", "vector"),
    [(T.fvector, "ld.global.v4.b32"), (T.dvector, "ld.global.v2.b64")],
    ids=["float32", "float64"],
)
def test_flat_loops_load_128_bit_vectors(make: Any, vector: str) -> None:
    x, y = make("x"), make("y")
    (kernel,) = _kernels(T.tanh(x) * y + T.exp(-x * x) * 0.5, [x, y]).values()
    assert vector in kernel.asm["ptx"]


def test_float32_products_use_no_tf32() -> None:
    a, b = T.fmatrix("a"), T.fmatrix("b")
    (kernel,) = _kernels(T.dot(a, b), [a, b]).values()
    ptx = kernel.asm["ptx"]
    assert "tf32" not in ptx
    assert "mma" not in ptx or "f32.f32.f32.f32" in ptx


def test_float64_products_use_the_float64_tensor_cores() -> None:
    a, b = T.dmatrix("a"), T.dmatrix("b")
    (kernel,) = _kernels(T.dot(a, b), [a, b]).values()
    assert _instructions(kernel.asm["ptx"], r"mma\.sync\.aligned\.[\w.]*f64")


@pytest.mark.parametrize(
    "graph",
    ["chain", "row sums", "softmax", "column max"],
)
def test_common_kernels_spill_no_registers(graph: str) -> None:
    x = T.dmatrix("x")
    outputs = {
        "chain": T.tanh(x) * 2 + T.exp(-x * x) * 0.5,
        "row sums": T.exp(x).sum(axis=1),
        "softmax": T.nnet.softmax(x),
        "column max": x.max(axis=0),
    }[graph]
    for name, kernel in _kernels(outputs, [x]).items():
        assert ".local" not in kernel.asm["ptx"], name
        assert kernel.metadata.shared >= 0


def test_signatures_list_the_parameters_in_order() -> None:
    # Regression: a loop with a failing op and a reduction listed its error flag and its
    # parts' buffers out of order, so a specialization marked the wrong parameters as
    # multiples of 16.
    x, n = T.lmatrix("x"), T.lmatrix("n")
    outputs = [(x**n).sum(axis=1), T.argmax(x, axis=1), T.dot(T.cast(x, "float64"), x.T * 1.0)]
    program = tracegraph.function([x, n], outputs)._program
    assert isinstance(program, TritonProgram)
    module = program.compiled_module()
    assert len(program.signatures) >= 4
    for name, signature in program.signatures.items():
        assert list(signature) == getattr(module, name).arg_names, name
