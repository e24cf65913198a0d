"""Theano's ``theano.tensor.slinalg``: the Cholesky factor, linear solvers (general, symmetric,
triangular), ``eigvalsh`` and ``kron``, computed by LAPACK (SciPy's) on every backend.

>>> import numpy as np
>>> import tracegraph.tensor as T
>>> T.slinalg.solve(np.array([[2.0, 0.0], [0.0, 4.0]]), np.array([1.0, 1.0])).eval().tolist()
[0.5, 0.25]
"""

from __future__ import annotations

from tracegraph.ir import ops
from tracegraph.ir.types import tensor_type
from tracegraph.tensor import math as tm
from tracegraph.tensor.basic import cast
from tracegraph.tensor.nlinalg import as_float_matrix, eigh, matrix_function
from tracegraph.tensor.shapes import dimshuffle, reshape
from tracegraph.tensor.variable import TensorLike, TensorVariable, as_tensor_variable, emit


def cholesky(a: TensorLike, lower: bool = True) -> TensorVariable:
    """The Cholesky factor of a symmetric positive-definite matrix: lower triangular (or its
    transpose with ``lower=False``), from ``a``'s lower triangle.

    >>> import numpy as np
    >>> cholesky(np.array([[4.0, 2.0], [2.0, 2.0]])).eval().tolist()
    [[2.0, 0.0], [1.0, 1.0]]
    """
    x = as_float_matrix(a, "cholesky")
    return matrix_function(ops.CholeskyOp, x, "lower" if lower else "upper", [x.type.shape])[0]


def solve(
    a: TensorLike, b: TensorLike, A_structure: str = "general", lower: bool = False
) -> TensorVariable:
    """``x`` with ``a @ x == b`` (``b`` a vector or a matrix); ``A_structure`` ``"general"``,
    ``"symmetric"``, ``"lower_triangular"`` or ``"upper_triangular"``."""
    x = as_float_matrix(a, "solve")
    rhs = as_tensor_variable(b)
    if rhs.ndim not in (1, 2):
        raise ValueError(f"solve: the right side must be a vector or a matrix (rank {rhs.ndim})")
    dtype = x.dtype if rhs.dtype == x.dtype else "float64"
    x, rhs = cast(x, dtype), cast(rhs, dtype)
    if A_structure not in ("general", "symmetric", "lower_triangular", "upper_triangular"):
        raise ValueError(f"solve: unknown A_structure {A_structure!r}")
    shape = (x.type.shape[1], *rhs.type.shape[1:])
    return emit(ops.SolveOp(x.value, rhs.value, A_structure, tensor_type(dtype, shape)))


def solve_lower_triangular(a: TensorLike, b: TensorLike) -> TensorVariable:
    """``solve`` with a lower triangular ``a`` (only its lower triangle is read)."""
    return solve(a, b, "lower_triangular")


def solve_upper_triangular(a: TensorLike, b: TensorLike) -> TensorVariable:
    """``solve`` with an upper triangular ``a`` (only its upper triangle is read)."""
    return solve(a, b, "upper_triangular")


def solve_symmetric(a: TensorLike, b: TensorLike) -> TensorVariable:
    """``solve`` with a symmetric ``a``."""
    return solve(a, b, "symmetric")


def eigvalsh(a: TensorLike, b: TensorLike | None = None, lower: bool = True) -> TensorVariable:
    """The eigenvalues of a symmetric matrix, ascending (the generalized problem with ``b`` is
    not supported).

    >>> import numpy as np
    >>> eigvalsh(np.array([[2.0, 1.0], [1.0, 2.0]])).eval().round(12).tolist()
    [1.0, 3.0]
    """
    if b is not None:
        raise NotImplementedError("eigvalsh: the generalized problem (b) is not supported")
    return eigh(a, "L" if lower else "U")[0]


def kron(a: TensorLike, b: TensorLike) -> TensorVariable:
    """The Kronecker product of two matrices.

    >>> import numpy as np
    >>> kron(np.eye(2), np.array([[1.0, 2.0]])).eval().tolist()
    [[1.0, 2.0, 0.0, 0.0], [0.0, 0.0, 1.0, 2.0]]
    """
    x, y = as_tensor_variable(a), as_tensor_variable(b)
    if x.ndim != 2 or y.ndim != 2:
        raise ValueError("kron: takes two matrices")
    product = tm.mul(dimshuffle(x, [0, "x", 1, "x"]), dimshuffle(y, ["x", 0, "x", 1]))
    rows = x.shape[0] * y.shape[0]
    columns = x.shape[1] * y.shape[1]
    return reshape(product, [rows, columns], ndim=2)


__all__ = [
    "cholesky",
    "eigvalsh",
    "kron",
    "solve",
    "solve_lower_triangular",
    "solve_symmetric",
    "solve_upper_triangular",
]
