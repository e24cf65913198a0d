"""The C backend: each function becomes one CPython extension module of fused loops, BLAS
calls and native MRG31k3p draws (``emit.py``), built once into the compile cache
(``build.py``, ``cache.py``) and run by ``CProgram``; ``CBackend`` registers it as the
backend ``c``."""

from tracegraph.backends.c.backend import CBackend
from tracegraph.backends.c.build import CompileError, find_toolchain
from tracegraph.backends.c.program import CProgram, c_backend_available

__all__ = ["CBackend", "CProgram", "CompileError", "c_backend_available", "find_toolchain"]
