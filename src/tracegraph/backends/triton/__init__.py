"""The ``triton`` backend: functions as Triton kernels (``device=cuda``).

Each function is lowered for the ``triton`` target (``target.py``) and emitted as one Python
module of ``@triton.jit`` kernels and a launcher (``emit.py``, ``loops.py``); where there is no
GPU its kernels run under Triton's interpreter on NumPy arrays (``runtime.py``).
"""

from __future__ import annotations

import importlib.util

from xdsl.dialects.func import FuncOp

from tracegraph.backends.registry import Backend, Program, register_backend
from tracegraph.backends.triton.target import TRITON_TARGET
from tracegraph.lowering import lowered


class TritonBackend(Backend):
    """Triton kernels, run under Triton's interpreter where there is no GPU."""

    name = "triton"
    title = "Triton"
    device = "cuda"
    language = "Python: @triton.jit kernels and their launcher"
    assembly_language = "ptx"

    def available(self) -> bool:
        """Whether Triton is installed (the ``gpu`` extra)."""
        return importlib.util.find_spec("triton") is not None

    def unavailable_reason(self) -> str:
        return "Triton is not installed (pip install 'tracegraph[gpu]')"

    def compile(self, func: FuncOp) -> Program:
        """The program of ``func``."""
        from tracegraph.backends.triton.program import TritonProgram

        return TritonProgram(func)

    def compile_profiled(self, func: FuncOp) -> Program:
        """The program of ``func`` timing each step (waiting for the GPU at each)."""
        from tracegraph.backends.triton.program import TritonProgram

        return TritonProgram(func, profile=True)

    def source(self, func: FuncOp) -> str:
        """The module of kernels and launcher this backend generates for ``func``."""
        from tracegraph.backends.triton.emit import emit_module, module_variant

        source = emit_module(lowered(func, TRITON_TARGET.name)).source
        return module_variant(source, interpret=False)

    def assembly(self, func: FuncOp) -> str:
        """The PTX of every kernel of ``func`` for sm_90 (``DEFAULT_TARGET``), compiled ahead
        of time without a GPU."""
        from tracegraph.backends.triton.compile import module_kernels
        from tracegraph.backends.triton.emit import emit_module
        from tracegraph.backends.triton.program import module_path
        from tracegraph.backends.triton.runtime import load_module

        emitter = emit_module(lowered(func, TRITON_TARGET.name))
        module = load_module(module_path(emitter.source, interpret=False), interpret=False)
        kernels = module_kernels(module, emitter.signatures)
        return "".join(f"// kernel {name}\n{k.asm['ptx']}\n" for name, k in kernels.items())


register_backend(TritonBackend())

__all__ = ["TritonBackend"]
