"""The reference kernels of the decompositions and solvers (``ir/ops/decompositions.py``):
NumPy's ``linalg`` and SciPy's ``linalg`` (LAPACK), their errors as tracegraph's."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeAlias

import numpy as np
import scipy.linalg
from numpy.typing import NDArray

from tracegraph.errors import InvalidValueError, ShapeMismatchError
from tracegraph.ir import ops
from tracegraph.ir.reference_rules import Kernel, reference_rule
from tracegraph.ir.types import dtype_of

Array: TypeAlias = NDArray[Any]


def _square(name: str, a: Array) -> None:
    if a.shape[0] != a.shape[1]:
        raise ShapeMismatchError(f"{name} needs a square matrix, got shape {a.shape}")


def _compute(op: ops.MatrixFunctionOp, a: Array) -> tuple[Array, ...]:
    variant = op.get_variant()
    if isinstance(op, ops.MatrixInverseOp):
        _square(op.name, a)
        return (np.linalg.inv(a),)
    if isinstance(op, ops.DetOp):
        _square(op.name, a)
        return (np.asarray(np.linalg.det(a)),)
    if isinstance(op, ops.PinvOp):
        return (np.linalg.pinv(a),)
    if isinstance(op, ops.CholeskyOp):
        _square(op.name, a)
        lower = np.linalg.cholesky(a)
        return (lower if variant == "lower" else lower.T,)
    if isinstance(op, ops.EighOp):
        _square(op.name, a)
        w, v = np.linalg.eigh(a, UPLO="L" if variant == "L" else "U")
        return w, v
    if isinstance(op, ops.SVDOp):
        if variant == "values":
            return (np.linalg.svd(a, compute_uv=False),)
        u, s, vt = np.linalg.svd(a, full_matrices=variant == "full")
        return u, s, vt
    if isinstance(op, ops.QROp):
        if variant == "r":
            return (np.asarray(np.linalg.qr(a, mode="r")),)
        q, r = np.linalg.qr(a, mode="complete" if variant == "complete" else "reduced")
        return q, r
    raise NotImplementedError(op.name)


def _located(name: str, function: Callable[[], tuple[Array, ...]]) -> tuple[Array, ...]:
    try:
        return function()
    except np.linalg.LinAlgError as error:
        raise InvalidValueError(f"{name}: {error}") from error
    except scipy.linalg.LinAlgError as error:  # pragma: no cover - SciPy's own, same meaning
        raise InvalidValueError(f"{name}: {error}") from error


@reference_rule(
    ops.MatrixInverseOp, ops.DetOp, ops.PinvOp, ops.CholeskyOp, ops.EighOp, ops.SVDOp, ops.QROp
)
def _matrix_function(op: ops.MatrixFunctionOp) -> Kernel:
    dtypes = [np.dtype(dtype_of(result)) for result in op.outputs]

    def kernel(a: Array) -> Any:
        results = _located(op.name, lambda: _compute(op, np.asarray(a)))
        cast = [np.asarray(r, dtype=d) for r, d in zip(results, dtypes, strict=True)]
        return cast[0] if len(cast) == 1 else tuple(cast)

    return kernel


@reference_rule(ops.SolveOp)
def _solve(op: ops.SolveOp) -> Kernel:
    structure = op.get_variant()
    dtype = np.dtype(dtype_of(op.outputs[0]))

    def solve(a: Array, b: Array) -> tuple[Array, ...]:
        _square("tg.solve", a)
        if a.shape[1] != b.shape[0]:
            raise ShapeMismatchError(f"tg.solve of a {a.shape} matrix and a {b.shape} right side")
        if structure in ("lower_triangular", "upper_triangular"):
            x = scipy.linalg.solve_triangular(a, b, lower=structure == "lower_triangular")
        else:
            symmetric = structure == "symmetric"  # read from the lower triangle
            x = scipy.linalg.solve(a, b, assume_a="sym" if symmetric else "gen", lower=symmetric)
        return (x,)

    def kernel(a: Array, b: Array) -> Array:
        (x,) = _located("tg.solve", lambda: solve(np.asarray(a), np.asarray(b)))
        return np.asarray(x, dtype=dtype)

    return kernel
