"""Kernels of a generated module compiled ahead of time: ``triton.compile(ASTSource(...))`` for
a ``GPUTarget``, no GPU needed (Triton bundles ``ptxas``).

``compile_kernel`` compiles one kernel for its signature, constexprs and specialization (which
pointers and integers are multiples of 16: Triton's own specialization, which lets loads
vectorize); ``module_kernels`` compiles every kernel of a module as a representative launch
would (16-aligned pointers, sizes multiples of 16, the block sizes of ``PTX_BLOCKS``);
``ptx_problems`` checks a compiled kernel's numerics. Compiled kernels are cached by Triton
itself (``~/.triton/cache``), keyed by source, signature, options, target and Triton's
version.
"""

from __future__ import annotations

import re
import types
from collections.abc import Mapping
from typing import Any

DEFAULT_TARGET = ("cuda", 90, 32)
"""The target ``Function.source("ptx")`` compiles for: sm_90 (H100, H200), warps of 32."""

PTX_BLOCKS: dict[str, int] = {
    "BLOCK": 1024,
    "BK": 4,
    "BR": 256,
    "BM": 64,
    "BN": 64,
    "PARTIAL": 0,
}
"""The constexprs of the representative launch whose PTX ``module_kernels`` compiles (the
dot's ``BK`` is 32: ``DOT_BK``; a reduction in one part)."""

DOT_BK = 32

OPTIONS: dict[str, Any] = {"num_warps": 4, "enable_fp_fusion": False}
"""No FMA contraction: a * b + c rounds twice, as NumPy computes it (passed explicitly: Triton
3.9 warns when it is left to its default)."""


def compile_kernel(
    kernel: Any,
    signature: Mapping[str, str],
    constexprs: Mapping[str, int],
    divisible: tuple[int, ...] = (),
    target: tuple[str, int, int] = DEFAULT_TARGET,
    options: Mapping[str, Any] | None = None,
) -> Any:
    """``kernel`` (a ``JITFunction``) compiled for ``target``; ``divisible`` lists the
    parameters (by position) known to be multiples of 16 (pointers: 16-byte aligned)."""
    import dataclasses

    import triton
    from triton.backends.compiler import GPUTarget
    from triton.backends.nvidia.compiler import CUDAOptions
    from triton.compiler import ASTSource

    chosen = dict(options if options is not None else OPTIONS)
    if "enable_reflect_ftz" in {f.name for f in dataclasses.fields(CUDAOptions)}:
        # libdevice's float32 functions flush denormals to zero unless told not to; NumPy
        # keeps them.
        chosen.setdefault("enable_reflect_ftz", False)
    attrs = {(position,): [["tt.divisibility", 16]] for position in divisible}
    source = ASTSource(kernel, signature=dict(signature), constexprs=dict(constexprs), attrs=attrs)
    return triton.compile(source, target=GPUTarget(*target), options=chosen)


APPROXIMATE_PTX = ("div.full", "div.approx", "sqrt.approx")
"""Division and square root that round otherwise than IEEE: Triton's float32 ``/`` and
``tl.sqrt`` become these, where NumPy rounds exactly (the scalar rules use ``tl.div_rn`` and
``tl.sqrt_rn``)."""

_APPROXIMATE_TTIR = re.compile(r"= (arith\.divf|math\.sqrt) [^\n]*: (tensor<[^>]*xf32>|f32)")


def ptx_problems(compiled: Any) -> list[str]:
    """What in a compiled kernel breaks the numerics the backend promises (empty: nothing).
    The PTX of a kernel that calls no libdevice function has no approximate division or
    square root; libdevice's functions use approximate ones inside their own algorithms
    (their results are within a few ulps, as documented), so a kernel that calls them is
    checked one level up, in its Triton IR: no float32 division or square root there would
    become approximate."""
    asm = compiled.asm
    if "extern_elementwise" in asm["ttir"]:
        found = sorted({match.group(1) for match in _APPROXIMATE_TTIR.finditer(asm["ttir"])})
        return [f"approximate float32 {op} in the Triton IR" for op in found]
    return [
        f"approximate instruction {pattern!r}"
        for pattern in APPROXIMATE_PTX
        if pattern in asm["ptx"]
    ]


def representative_constexprs(name: str, signature: Mapping[str, str]) -> dict[str, int]:
    """The block sizes of the representative launch of kernel ``name``."""
    blocks = dict(PTX_BLOCKS)
    if name.startswith("tg_dot_"):
        blocks["BK"] = DOT_BK
    return {p: blocks[p] for p, kind in signature.items() if kind == "constexpr"}


def _is_size(parameter: str) -> bool:
    """A domain size (``n0``) or a product's ``m``, ``n``, ``k``."""
    return parameter in ("m", "n", "k") or (parameter[0] == "n" and parameter[1:].isdigit())


def module_kernels(
    module: types.ModuleType,
    signatures: Mapping[str, Mapping[str, str]],
    target: tuple[str, int, int] = DEFAULT_TARGET,
) -> dict[str, Any]:
    """Every kernel of ``module`` (loaded for compiling) compiled, by name, for a launch
    whose pointers are 16-byte aligned and whose sizes are multiples of 16 (as Triton's own
    launcher specializes them: masks at a multiple of 16 let loads vectorize)."""
    kernels: dict[str, Any] = {}
    for name, signature in signatures.items():
        pointers = tuple(
            i
            for i, (parameter, kind) in enumerate(signature.items())
            if kind.startswith("*") or _is_size(parameter)
        )
        constexprs = representative_constexprs(name, signature)
        kernels[name] = compile_kernel(
            getattr(module, name), signature, constexprs, pointers, target
        )
    return kernels
