"""The ``c`` backend of the registry (also Theano's ``c|py``, ``cvm`` and ``vm`` linkers)."""

from __future__ import annotations

import warnings

from xdsl.dialects.func import FuncOp

from tracegraph.backends.c.module import emit_module
from tracegraph.backends.c.program import CProgram, c_backend_available
from tracegraph.backends.c.target import C_TARGET
from tracegraph.backends.registry import Backend, Program, get_backend, register_backend
from tracegraph.lowering import lowered


class CBackend(Backend):
    """Each function becomes one CPython extension module; a function with nothing to compile
    (no loop, product, draw or all-reduce the module calls MPI for: every step would call a
    reference kernel anyway) runs on the reference backend, as every function does when no C
    compiler works."""

    name = "c"
    title = "C"
    fallback = "reference"
    language = "C (a CPython extension module)"

    def available(self) -> bool:
        """Whether a C compiler works; it warns once per process when not."""
        return c_backend_available()

    def compile(self, func: FuncOp) -> Program:
        """The compiled program of ``func``, or the reference's when it has nothing to
        compile, or when no cache directory can hold its module (with a warning)."""
        try:
            compiled = CProgram.if_worth_compiling(func)
        except OSError as error:
            warnings.warn(
                f"the C backend cannot write its module ({error}), not even in a private "
                "cache: this function runs on the reference backend",
                RuntimeWarning,
                stacklevel=3,
            )
            compiled = None
        if compiled is not None:
            return compiled
        return get_backend(self.fallback or "reference").compile(func)

    def compile_profiled(self, func: FuncOp) -> Program:
        """The program of ``func`` timing each step in the compiled code (the reference's
        timing each op, when it has nothing to compile)."""
        compiled = CProgram.if_worth_compiling(func, profile=True)
        if compiled is not None:
            return compiled
        return get_backend(self.fallback or "reference").compile_profiled(func)

    def source(self, func: FuncOp) -> str:
        """The C module this backend compiles for ``func`` (no compiler needed)."""
        return emit_module(lowered(func, C_TARGET.name))


register_backend(CBackend())

__all__ = ["CBackend"]
