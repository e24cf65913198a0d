"""The VJP rules of the decompositions and solvers (``ir/ops/decompositions.py``), registered
into ``VJP_RULES``: those Theano has (inverse, determinant, Cholesky, ``eigh``, ``solve``); the
pseudo-inverse, SVD and QR have none, as in Theano.

Cholesky and ``eigh`` read one triangle of their input: their gradient lies in that triangle
(the other is not read), each off-diagonal entry taking the gradient of both of the symmetric
positions it stands for."""

from __future__ import annotations

from typing import Any

from tracegraph.gradient.rules import VJP_RULES, Gradients, MultiResultRule, UndefinedGradient
from tracegraph.ir import ops
from tracegraph.tensor import basic
from tracegraph.tensor import math as tm
from tracegraph.tensor.extra_ops import diag, diagonal
from tracegraph.tensor.nlinalg import matrix_inverse
from tracegraph.tensor.shapes import arange, dimshuffle
from tracegraph.tensor.slinalg import solve
from tracegraph.tensor.variable import TensorVariable


def _lower_mask(x: TensorVariable) -> TensorVariable:
    rows = dimshuffle(arange(x.shape[0]), [0, "x"])
    columns = dimshuffle(arange(x.shape[1]), ["x", 0])
    return tm.ge(rows, columns)


def _tril(x: TensorVariable) -> TensorVariable:
    return tm.switch(_lower_mask(x), x, 0)


def _triu(x: TensorVariable) -> TensorVariable:
    return tm.switch(_lower_mask(x.T).T, x, 0)


def _read_triangle(g: TensorVariable, lower: bool) -> TensorVariable:
    """The gradient of a function of one triangle of a symmetric matrix, given ``g`` for
    symmetric perturbations: both positions' shares on the triangle read, the diagonal once."""
    both = g + g.T
    kept = _tril(both) if lower else _triu(both)
    return kept - diag(diagonal(g))


def _inverse(
    op: ops.MatrixInverseOp, xs: list[Any], results: list[Any], gs: list[Any]
) -> Gradients:
    (y,) = results
    (g,) = gs
    return [-tm.dot(tm.dot(y.T, g), y.T)]


def _det(op: ops.DetOp, xs: list[Any], results: list[Any], gs: list[Any]) -> Gradients:
    (a,), (d,), (g,) = xs, results, gs
    return [g * d * matrix_inverse(a).T]


def _cholesky(op: ops.CholeskyOp, xs: list[Any], results: list[Any], gs: list[Any]) -> Gradients:
    # Murray (2016): with L lower and gL its gradient, S = L^-T Phi(L^T gL) L^-1, Phi the
    # lower triangle with the diagonal halved.
    (factor,), (g,) = results, gs
    lower, g_lower = (factor, g) if op.get_variant() == "lower" else (factor.T, g.T)
    product = _tril(tm.dot(lower.T, g_lower))
    phi = product - diag(diagonal(product)) * 0.5
    left = solve(lower.T, phi, "upper_triangular")  # L^-T Phi
    s = solve(lower.T, left.T, "upper_triangular").T  # L^-T Phi L^-1
    return [_read_triangle(s, lower=True)]


def _eigh(op: ops.EighOp, xs: list[Any], results: list[Any], gs: list[Any]) -> Gradients:
    # dA = V (diag(gw) + F * (V^T gV)) V^T with F[m, n] = 1 / (w[n] - w[m]) off the diagonal.
    w, v = results
    gw = gs[0] if gs[0] is not None else basic.zeros_like(w)
    gv = gs[1] if gs[1] is not None else basic.zeros_like(v)
    gaps = dimshuffle(w, ["x", 0]) - dimshuffle(w, [0, "x"])
    off_diagonal = tm.neq(
        dimshuffle(arange(w.shape[0]), [0, "x"]), dimshuffle(arange(w.shape[0]), ["x", 0])
    )
    f = tm.switch(off_diagonal, 1.0 / tm.switch(off_diagonal, gaps, 1.0), 0.0)
    inner = diag(gw) + f * tm.dot(v.T, gv)
    g = tm.dot(tm.dot(v, inner), v.T)
    return [_read_triangle(g, lower=op.get_variant() == "L")]


_TRANSPOSED = {
    "general": "general",
    "symmetric": "symmetric",
    "lower_triangular": "upper_triangular",
    "upper_triangular": "lower_triangular",
}


def _solve(op: ops.SolveOp, xs: list[Any], results: list[Any], gs: list[Any]) -> Gradients:
    (a, _), (x,), (g,) = xs, results, gs
    structure = op.get_variant()
    # A symmetric a is read from its lower triangle: it is its own transpose.
    gb = solve(a if structure == "symmetric" else a.T, g, _TRANSPOSED[structure])
    ga = -(tm.outer(gb, x) if x.ndim == 1 else tm.dot(gb, x.T))
    if structure == "lower_triangular":
        ga = _tril(ga)
    elif structure == "upper_triangular":
        ga = _triu(ga)
    elif structure == "symmetric":
        ga = _read_triangle(ga, lower=True)
    return [ga, gb]


VJP_RULES[ops.MatrixInverseOp] = MultiResultRule(_inverse)
VJP_RULES[ops.DetOp] = MultiResultRule(_det)
VJP_RULES[ops.CholeskyOp] = MultiResultRule(_cholesky)
VJP_RULES[ops.EighOp] = MultiResultRule(_eigh)
VJP_RULES[ops.SolveOp] = MultiResultRule(_solve)
for _op, _what in ((ops.PinvOp, "pinv"), (ops.SVDOp, "svd"), (ops.QROp, "qr")):
    VJP_RULES[_op] = UndefinedGradient(f"{_what} has no gradient (as in Theano)")
