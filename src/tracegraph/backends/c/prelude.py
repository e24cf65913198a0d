"""The C prelude every generated module includes, ``tg_prelude.h``: the Python, NumPy, libm,
OpenMP and CBLAS headers, the declarations and values generated from Python's tables, and the
runtime of generated modules, the C headers of ``runtime/`` (package data, ``RUNTIME_FILES``):
the helpers that give elementwise ops NumPy's exact semantics, errors and argument checks,
views, BLAS, MRG31k3p and the loops' helpers.

Generated here, ahead of the runtime, is only what Python's tables decide:
``TG_PARALLEL_THRESHOLD`` (``PARALLEL_THRESHOLD``; lowering reads ``PARALLEL_ELEMENTS``), the
``omp declare simd`` declarations of ``LIBM_FUNCTIONS`` (``libm.py``) and ``TG_DTYPES``, an
X-macro over the dtypes of ``C_TYPES`` (``scalar.py``) that the runtime defines per-dtype
helpers with. The runtime files follow in order, each after a ``#line`` naming it, so that
the compiler's messages point into it.

The prelude is one header, which the build precompiles once per compiler and flags (parsing the
Python and NumPy headers is most of a small module's compile time); the build keys it and the
modules by its whole text (``build.py``), so a change to any runtime file is a new prelude.
"""

from __future__ import annotations

from importlib import resources

from tracegraph.backends.c.context import run_field
from tracegraph.backends.c.libm import simd_declarations
from tracegraph.backends.c.scalar import C_TYPES

PARALLEL_THRESHOLD = 1 << 14
"""Loops of more work than this run on several threads: elements times the cost of one, 1 plus
the cost of the body's libm calls (``loops.py``). Measured here (2 cores, BLAS and loops on
one OpenMP pool, ``threads.py``): two threads win from about 16,000 elements for an ``add``,
4,000 for ``exp(x) * y`` and 2,000 for ``tanh``."""
PARALLEL_ELEMENTS = PARALLEL_THRESHOLD // 16
"""Loops of at most this many elements never use threads, whatever their body (the lowering's
``parallel`` threshold: it decides before the body's cost is known)."""

RUNTIME_FILES: tuple[str, ...] = (
    "tg_scalar.h",
    "tg_special.h",
    "tg_errors.h",
    "tg_views.h",
    "tg_blas.h",
    "tg_mrg.h",
    "tg_loops.h",
)
"""The runtime's headers in ``runtime/``, in the order the prelude includes them (a file uses
only what the files before it define)."""


MODULE_RUNTIME_FILES: tuple[str, ...] = ("tg_mpi.h",)
"""The runtime's headers that are not in the prelude: the modules that need them hold their
text (``tg_mpi.h`` needs MPI's ``mpi.h``, which only modules compiled in an MPI world have)."""


def runtime_source(name: str) -> str:
    """The text of the runtime header ``name``, read from the package's data."""
    package = resources.files("tracegraph.backends.c")
    return (package / "runtime" / name).read_text(encoding="utf-8")


def _dtypes_macro() -> str:
    """``TG_DTYPES(X)``: ``X(name, C type)`` for every dtype of ``C_TYPES``."""
    entries = " \\\n".join(f"    X({dtype}, {c_type})" for dtype, c_type in C_TYPES.items())
    return f"#define TG_DTYPES(X) \\\n{entries}"


def _generated() -> str:
    """The prelude's start: the headers the runtime needs and what Python's tables decide."""
    return f"""/* tracegraph's prelude of generated modules, assembled by backends/c/prelude.py: the
   headers, what Python's tables decide, then the runtime (backends/c/runtime/). */
#ifndef TG_PRELUDE_H
#define TG_PRELUDE_H
#define TG_PARALLEL_THRESHOLD {PARALLEL_THRESHOLD}
#define TG_RUN_RAISE_ERROR {run_field("raise_error")}
#define PY_SSIZE_T_CLEAN
#define NPY_NO_DEPRECATED_API NPY_1_7_API_VERSION
#include <Python.h>
#include <numpy/arrayobject.h>
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <string.h>
#include <stdio.h>
#include <cblas.h>

/* The libm functions whose vector variants (libmvec) loops call: LIBM_FUNCTIONS (libm.py). */
{simd_declarations()}

/* Every dtype as X(name, C type): C_TYPES (scalar.py). */
{_dtypes_macro()}
"""


def _assemble() -> str:
    runtime = "".join(
        f'\n#line 1 "runtime/{name}"\n{runtime_source(name)}' for name in RUNTIME_FILES
    )
    return f"{_generated()}{runtime}\n#endif\n"


PRELUDE = _assemble()
"""The text of ``tg_prelude.h``."""
