"""Theano's ``nlinalg`` and ``slinalg`` on every backend, compared with NumPy's and SciPy's
``linalg``: values and dtypes (float64, float32, integers as float64), each variant, the
errors of singular and non-square matrices."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import scipy.linalg

import tracegraph
import tracegraph.tensor as T
from tests.backends.numpy_helpers import compile_and_call_all, variable_for

Array = np.ndarray[Any, Any]
_RNG = np.random.default_rng(20261206)


def _matrix(dtype: str, n: int = 3, m: int | None = None) -> Array:
    value = np.eye(n, m if m is not None else n) * 3 + _RNG.uniform(-1, 1, (n, m or n))
    return np.rint(value).astype(dtype) if dtype.startswith("int") else value.astype(dtype)


def _symmetric(dtype: str) -> Array:
    value = _matrix("float64")
    return (value @ value.T + 3 * np.eye(3)).astype(dtype)


CASES: dict[str, tuple[Callable[[Any], Any], Callable[[Array], Any], Callable[[str], Array]]] = {
    # name: (tracegraph expression, NumPy/SciPy expression, input)
    "matrix_inverse": (T.nlinalg.matrix_inverse, np.linalg.inv, _matrix),
    "det": (T.nlinalg.det, np.linalg.det, _matrix),
    "pinv": (T.nlinalg.pinv, np.linalg.pinv, lambda d: _matrix(d, 3, 2)),
    "eigh": (T.nlinalg.eigh, np.linalg.eigh, _symmetric),
    "eigh-upper": (lambda a: T.nlinalg.eigh(a, "U"), lambda a: np.linalg.eigh(a, "U"), _symmetric),
    "svd-full": (T.nlinalg.svd, np.linalg.svd, lambda d: _matrix(d, 3, 2)),
    "svd-reduced": (
        lambda a: T.nlinalg.svd(a, full_matrices=False),
        lambda a: np.linalg.svd(a, full_matrices=False),
        lambda d: _matrix(d, 2, 3),
    ),
    "svd-values": (
        lambda a: T.nlinalg.svd(a, compute_uv=False),
        lambda a: np.linalg.svd(a, compute_uv=False),
        _matrix,
    ),
    "qr": (T.nlinalg.qr, np.linalg.qr, lambda d: _matrix(d, 3, 2)),
    "qr-complete": (
        lambda a: T.nlinalg.qr(a, "complete"),
        lambda a: np.linalg.qr(a, "complete"),
        lambda d: _matrix(d, 3, 2),
    ),
    "qr-r": (lambda a: T.nlinalg.qr(a, "r"), lambda a: np.linalg.qr(a, "r"), _matrix),
    "cholesky": (T.slinalg.cholesky, np.linalg.cholesky, _symmetric),
    "cholesky-upper": (
        lambda a: T.slinalg.cholesky(a, lower=False),
        lambda a: np.linalg.cholesky(a).T,
        _symmetric,
    ),
    "eigvalsh": (T.slinalg.eigvalsh, np.linalg.eigvalsh, _symmetric),
    "matrix_power": (
        lambda a: T.nlinalg.matrix_power(a, 5),
        lambda a: np.linalg.matrix_power(a, 5),
        _matrix,
    ),
    "matrix_dot": (
        lambda a: T.nlinalg.matrix_dot(a, a.T, a),
        lambda a: a @ a.T @ a,
        _matrix,
    ),
    "kron": (lambda a: T.slinalg.kron(a, a[:2]), lambda a: np.kron(a, a[:2]), _matrix),
    "norm-fro": (T.nlinalg.norm, np.linalg.norm, _matrix),
    "norm-inf": (lambda a: T.nlinalg.norm(a, np.inf), lambda a: np.linalg.norm(a, np.inf), _matrix),
    "norm-1": (lambda a: T.nlinalg.norm(a, 1), lambda a: np.linalg.norm(a, 1), _matrix),
    "norm-vector-3": (
        lambda a: T.nlinalg.norm(a[0], 3),
        lambda a: np.linalg.norm(a[0].astype(np.float64), 3),
        _matrix,
    ),
}


def _float(dtype: str) -> str:
    return "float64" if dtype.startswith("int") else dtype


@pytest.mark.parametrize("dtype", ["float64", "float32", "int64"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_linalg_matches_numpy(name: str, dtype: str) -> None:
    function, reference, make = CASES[name]
    value = make(dtype)
    x = variable_for(value, "a")
    outputs = function(x)
    outputs = list(outputs) if isinstance(outputs, tuple) else [outputs]
    expected = reference(value.astype(np.float64) if name.startswith("norm") else value)
    expected = list(expected) if isinstance(expected, tuple) else [expected]
    results = compile_and_call_all([x], outputs, value)
    tolerance = 1e-10 if _float(dtype) == "float64" else 1e-4
    for result, wanted in zip(results, expected, strict=True):
        wanted = np.asarray(wanted)
        if not name.startswith(("norm", "matrix_power", "matrix_dot", "kron")):
            assert result.dtype == np.dtype(_float(dtype)), f"{result.dtype} for {dtype}"
        if name.startswith(("qr", "svd-full", "svd-reduced")) or name.startswith("eigh"):
            # Factors are unique up to the signs of columns (rows of vt): compare magnitudes.
            result, wanted = np.abs(result), np.abs(wanted)
        np.testing.assert_allclose(result, wanted, rtol=tolerance, atol=tolerance)


SOLVES = {
    "general": (lambda a, b: scipy.linalg.solve(a, b), _matrix),
    "symmetric": (lambda a, b: np.linalg.solve(a, b), _symmetric),
    "lower_triangular": (lambda a, b: scipy.linalg.solve_triangular(a, b, lower=True), _matrix),
    "upper_triangular": (lambda a, b: scipy.linalg.solve_triangular(a, b), _matrix),
}


@pytest.mark.parametrize("rank", [1, 2])
@pytest.mark.parametrize("structure", sorted(SOLVES))
def test_solve_matches_scipy(structure: str, rank: int) -> None:
    reference, make = SOLVES[structure]
    a_value = make("float64")
    b_value = _RNG.standard_normal((3,) if rank == 1 else (3, 2))
    a, b = variable_for(a_value, "a"), variable_for(b_value, "b")
    (result,) = compile_and_call_all([a, b], [T.slinalg.solve(a, b, structure)], a_value, b_value)
    np.testing.assert_allclose(result, reference(a_value, b_value), rtol=1e-10, atol=1e-12)


def test_singular_and_non_square_matrices_are_errors() -> None:
    a = T.dmatrix("a")
    inverse = tracegraph.function([a], T.nlinalg.matrix_inverse(a))
    with pytest.raises(tracegraph.RuntimeOpError, match=r"tg\.matrix_inverse.*[Ss]ingular"):
        inverse(np.ones((2, 2)))
    with pytest.raises(tracegraph.ShapeMismatchError, match="square"):
        inverse(np.ones((2, 3)))
    factor = tracegraph.function([a], T.slinalg.cholesky(a))
    with pytest.raises(tracegraph.RuntimeOpError, match=r"tg\.cholesky"):
        factor(-np.eye(2))
    with pytest.raises(ValueError, match="matrix"):
        T.nlinalg.det(T.dvector())
