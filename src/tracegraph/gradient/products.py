"""``Lop`` and ``Rop``: products of a Jacobian with vectors, without forming it (Theano's
``theano.gradient.Lop`` / ``Rop``).

``Lop(f, wrt, v)`` is ``v`` times the Jacobian of ``f`` (reverse mode: ``grad`` seeded with
``v``). ``Rop(f, wrt, v)`` is the Jacobian times ``v`` (forward mode), computed as the gradient,
with respect to a placeholder ``u``, of ``<Lop(f, wrt, u), v>``: that is linear in ``u``, so its
gradient does not depend on ``u``'s value, and ``u`` is a zero tensor of ``f``'s shape.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import cast

from tracegraph.gradient.core import grad
from tracegraph.tensor import basic
from tracegraph.tensor import math as tm
from tracegraph.tensor.variable import TensorLike, TensorVariable, as_tensor_variable


def _listed(
    values: TensorVariable | Sequence[TensorVariable],
) -> tuple[list[TensorVariable], bool]:
    if isinstance(values, TensorVariable):
        return [values], True
    return list(values), False


def _points(
    points: TensorLike | Sequence[TensorLike], count: int, what: str
) -> list[TensorVariable]:
    listed = list(points) if isinstance(points, list | tuple) else [points]
    if len(listed) != count:
        raise ValueError(f"{what}: {count} eval_points needed, got {len(listed)}")
    return [as_tensor_variable(cast(TensorLike, p)) for p in listed]


def Lop(
    f: TensorVariable | Sequence[TensorVariable],
    wrt: TensorVariable | Sequence[TensorVariable],
    eval_points: TensorLike | Sequence[TensorLike],
) -> TensorVariable | list[TensorVariable]:
    """``eval_points`` (one per ``f``) times the Jacobian of ``f`` with respect to ``wrt``:
    one result per ``wrt``, of its shape.

    >>> import numpy as np, tracegraph, tracegraph.tensor as T
    >>> x, v = T.dvector("x"), T.dvector("v")
    >>> tracegraph.function([x, v], Lop(x ** 2, x, v))([1.0, 2.0], [1.0, 1.0])
    array([2., 4.])
    """
    outputs, _ = _listed(f)
    targets, single = _listed(wrt)
    points = _points(eval_points, len(outputs), "Lop")
    known: dict[TensorVariable, TensorVariable] = {}
    for output, point in zip(outputs, points, strict=True):
        known[output] = known[output] + point if output in known else point
    results = grad(None, targets, known_grads=known, disconnected_inputs="ignore")
    return results[0] if single else results


def Rop(
    f: TensorVariable | Sequence[TensorVariable],
    wrt: TensorVariable | Sequence[TensorVariable],
    eval_points: TensorLike | Sequence[TensorLike],
) -> TensorVariable | list[TensorVariable]:
    """The Jacobian of ``f`` with respect to ``wrt`` times ``eval_points`` (one per ``wrt``):
    one result per ``f``, of its shape.

    >>> import numpy as np, tracegraph, tracegraph.tensor as T
    >>> x, v = T.dvector("x"), T.dvector("v")
    >>> tracegraph.function([x, v], Rop(x ** 2, x, v))([1.0, 2.0], [1.0, 0.5])
    array([2., 2.])
    """
    outputs, single = _listed(f)
    targets, _ = _listed(wrt)
    points = _points(eval_points, len(targets), "Rop")
    placeholders = [basic.zeros_like(output) for output in outputs]
    pulled = grad(None, targets, known_grads=dict(zip(outputs, placeholders, strict=True)),
                  disconnected_inputs="ignore")  # fmt: skip
    terms = [tm.sum(p * v) for p, v in zip(pulled, points, strict=True)]
    inner = functools.reduce(lambda a, b: a + b, terms)
    results = grad(inner, placeholders, disconnected_inputs="ignore")
    return results[0] if single else results
