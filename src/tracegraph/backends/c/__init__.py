"""The C backend: each function, lowered for the ``c`` target (``target.py``), becomes one
CPython extension module of loops, BLAS calls and native MRG31k3p draws (``emit.py``,
``loops.py``, ``module.py``), built once into the compile cache (``build.py``, ``cache.py``)
and run by ``CProgram``; ``CBackend`` registers it as the backend ``c``."""

from tracegraph.backends.c.backend import CBackend
from tracegraph.backends.c.build import CompileError, find_toolchain
from tracegraph.backends.c.program import CProgram, c_backend_available
from tracegraph.backends.c.target import C_TARGET

__all__ = [
    "C_TARGET",
    "CBackend",
    "CProgram",
    "CompileError",
    "c_backend_available",
    "find_toolchain",
]
