"""Theano's ``theano.tensor.nlinalg``: the inverse, determinant, eigendecomposition, SVD, QR and
pseudo-inverse of a matrix, norms, ``matrix_dot`` and ``matrix_power``, computed by LAPACK
(NumPy's) on every backend.

>>> import numpy as np
>>> import tracegraph.tensor as T
>>> T.nlinalg.matrix_inverse(np.array([[2.0, 0.0], [0.0, 4.0]])).eval()
array([[0.5 , 0.  ],
       [0.  , 0.25]])
"""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from tracegraph.ir import ops
from tracegraph.ir.types import tensor_type
from tracegraph.tensor import math as tm
from tracegraph.tensor.basic import cast
from tracegraph.tensor.extra_ops import diag, diagonal
from tracegraph.tensor.extra_ops import trace as trace
from tracegraph.tensor.variable import (
    TensorLike,
    TensorVariable,
    as_tensor_variable,
    emit,
    wrap_value,
)


def as_float_matrix(a: TensorLike, what: str) -> TensorVariable:
    """``a`` as a float matrix (integers as float64, as NumPy's ``linalg``)."""
    x = as_tensor_variable(a)
    if x.ndim != 2:
        raise ValueError(f"{what}: needs a matrix, got a tensor of rank {x.ndim}")
    return x if x.dtype.startswith("float") else cast(x, "float64")


def matrix_function(
    op_class: type[ops.MatrixFunctionOp],
    a: TensorVariable,
    variant: str,
    shapes: list[tuple[int | None, ...]],
) -> list[TensorVariable]:
    """Apply a matrix function whose results have ``shapes`` (``a``'s dtype)."""
    op = op_class(a.value, variant, [tensor_type(a.dtype, shape) for shape in shapes])
    emit(op)
    results = [wrap_value(result) for result in op.results]
    return [r for r in results if isinstance(r, TensorVariable)]


def _square_size(x: TensorVariable) -> int | None:
    rows, columns = x.type.shape
    return rows if rows is not None else columns


def matrix_inverse(a: TensorLike) -> TensorVariable:
    """The inverse of a square matrix.

    >>> import numpy as np
    >>> matrix_inverse(np.array([[1.0, 2.0], [3.0, 4.0]])).eval().round(6).tolist()
    [[-2.0, 1.0], [1.5, -0.5]]
    """
    x = as_float_matrix(a, "matrix_inverse")
    n = _square_size(x)
    return matrix_function(ops.MatrixInverseOp, x, "", [(n, n)])[0]


def det(a: TensorLike) -> TensorVariable:
    """The determinant of a square matrix.

    >>> import numpy as np
    >>> round(float(det(np.array([[1.0, 2.0], [3.0, 4.0]])).eval()), 12)
    -2.0
    """
    return matrix_function(ops.DetOp, as_float_matrix(a, "det"), "", [()])[0]


def pinv(a: TensorLike) -> TensorVariable:
    """The Moore-Penrose pseudo-inverse.

    >>> import numpy as np
    >>> pinv(np.array([[2.0, 0.0]])).eval().tolist()
    [[0.5], [0.0]]
    """
    x = as_float_matrix(a, "pinv")
    return matrix_function(ops.PinvOp, x, "", [(x.type.shape[1], x.type.shape[0])])[0]


def eigh(a: TensorLike, UPLO: str = "L") -> tuple[TensorVariable, TensorVariable]:
    """The eigenvalues (ascending) and eigenvectors (columns) of a symmetric matrix, reading its
    lower (``UPLO="L"``) or upper triangle.

    >>> import numpy as np
    >>> w, v = eigh(np.array([[2.0, 1.0], [1.0, 2.0]]))
    >>> w.eval().round(12).tolist()
    [1.0, 3.0]
    """
    if UPLO not in ("L", "U"):
        raise ValueError(f"eigh: UPLO must be 'L' or 'U', not {UPLO!r}")
    x = as_float_matrix(a, "eigh")
    n = _square_size(x)
    w, v = matrix_function(ops.EighOp, x, UPLO, [(n,), (n, n)])
    return w, v


def _min(a: int | None, b: int | None) -> int | None:
    return None if a is None or b is None else builtins.min(a, b)


def svd(a: TensorLike, full_matrices: bool = True, compute_uv: bool = True) -> Any:
    """The singular value decomposition: ``(u, s, v)`` with ``a == u @ diag(s) @ v`` (NumPy's
    ``svd``: ``v`` is the transposed right factor), or ``s`` alone without ``compute_uv``.

    >>> import numpy as np
    >>> svd(np.array([[3.0, 0.0], [0.0, -2.0]]), compute_uv=False).eval().round(12).tolist()
    [3.0, 2.0]
    """
    x = as_float_matrix(a, "svd")
    m, n = x.type.shape
    k = _min(m, n)
    if not compute_uv:
        return matrix_function(ops.SVDOp, x, "values", [(k,)])[0]
    if full_matrices:
        u, s, v = matrix_function(ops.SVDOp, x, "full", [(m, m), (k,), (n, n)])
    else:
        u, s, v = matrix_function(ops.SVDOp, x, "reduced", [(m, k), (k,), (k, n)])
    return u, s, v


def qr(a: TensorLike, mode: str = "reduced") -> Any:
    """The QR decomposition: ``(q, r)`` (``mode`` ``"reduced"`` or ``"complete"``), or ``r``
    alone (``"r"``).

    >>> import numpy as np
    >>> q, r = qr(np.array([[3.0], [4.0]]))
    >>> abs(r.eval()).tolist()
    [[5.0]]
    """
    x = as_float_matrix(a, "qr")
    m, n = x.type.shape
    k = _min(m, n)
    if mode == "r":
        return matrix_function(ops.QROp, x, "r", [(k, n)])[0]
    if mode == "reduced":
        q, r = matrix_function(ops.QROp, x, "reduced", [(m, k), (k, n)])
    elif mode == "complete":
        q, r = matrix_function(ops.QROp, x, "complete", [(m, m), (m, n)])
    else:
        raise ValueError(f"qr: mode must be 'reduced', 'complete' or 'r', not {mode!r}")
    return q, r


def matrix_dot(*args: TensorLike) -> TensorVariable:
    """The product of the arguments, left to right.

    >>> import numpy as np
    >>> matrix_dot(np.eye(2), np.ones((2, 1)), np.array([[3.0]])).eval().tolist()
    [[3.0], [3.0]]
    """
    if not args:
        raise TypeError("matrix_dot: needs at least one matrix")
    result = as_tensor_variable(args[0])
    for arg in args[1:]:
        result = tm.dot(result, arg)
    return result


def matrix_power(M: TensorLike, n: int) -> TensorVariable:
    """``M`` to the integer power ``n >= 0`` (by squaring).

    >>> import numpy as np
    >>> matrix_power(np.array([[1.0, 1.0], [0.0, 1.0]]), 3).eval().tolist()
    [[1.0, 3.0], [0.0, 1.0]]
    """
    x = as_tensor_variable(M)
    if n < 0:
        raise ValueError("matrix_power: n must be >= 0 (use matrix_inverse for negative powers)")
    if n == 0:
        from tracegraph.tensor.extra_ops import identity_like

        return identity_like(x)
    result: TensorVariable | None = None
    base = x
    while n:
        if n & 1:
            result = base if result is None else tm.dot(result, base)
        n >>= 1
        if n:
            base = tm.dot(base, base)
    assert result is not None
    return result


def norm(x: TensorLike, ord: Any = None) -> TensorVariable:
    """Theano's ``norm``: of a vector, ``ord`` ``None``/2 (Euclidean), ``inf``, ``-inf``, 0
    (nonzero count) or a number; of a matrix, ``None``/``"fro"``, ``inf``, ``-inf``, 1, -1.

    >>> import numpy as np
    >>> float(norm(np.array([3.0, -4.0])).eval()), float(norm(np.array([3.0, -4.0]), 1).eval())
    (5.0, 7.0)
    """
    v = as_tensor_variable(x)
    if v.ndim == 1:
        if ord is None or ord == 2:
            return tm.sqrt(tm.sum(tm.sqr(v)))
        if ord == np.inf:
            return tm.max(tm.abs_(v))
        if ord == -np.inf:
            return tm.min(tm.abs_(v))
        if ord == 0:
            return tm.sum(tm.neq(v, 0))
        return tm.pow(tm.sum(tm.pow(tm.abs_(v), ord)), 1.0 / ord)
    if v.ndim == 2:
        if ord is None or ord == "fro":
            return tm.sqrt(tm.sum(tm.sqr(v)))
        if ord in (np.inf, -np.inf):
            sums = tm.sum(tm.abs_(v), axis=1)
            return tm.max(sums) if ord == np.inf else tm.min(sums)
        if ord in (1, -1):
            sums = tm.sum(tm.abs_(v), axis=0)
            return tm.max(sums) if ord == 1 else tm.min(sums)
        raise ValueError(f"norm: matrix norm {ord!r} is not supported (as in Theano)")
    raise ValueError("norm: takes a vector or a matrix")


def extract_diag(x: TensorLike) -> TensorVariable:
    """The diagonal of a matrix (Theano's ``extract_diag``)."""
    return diagonal(x)


def alloc_diag(x: TensorLike) -> TensorVariable:
    """The square matrix with ``x`` on its diagonal (Theano's ``alloc_diag``)."""
    return diag(x)


__all__ = [
    "alloc_diag",
    "det",
    "diag",
    "eigh",
    "extract_diag",
    "matrix_dot",
    "matrix_inverse",
    "matrix_power",
    "norm",
    "pinv",
    "qr",
    "svd",
    "trace",
]
