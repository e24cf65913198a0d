"""The dtype and rank a type checker sees of each constructor's variables are those the
variables have (``tensor.kinds``)."""

from __future__ import annotations

from typing import Any

import pytest

import tracegraph
import tracegraph.tensor as T
from tracegraph.tensor.basic import FloatXConstructor, PluralConstructor, VariableConstructor
from tracegraph.tensor.kinds import DTYPES, RANKS, DType

CONSTRUCTORS = {
    name: value
    for name, value in vars(T).items()
    if isinstance(value, VariableConstructor | FloatXConstructor | PluralConstructor)
}


def test_every_theano_constructor_is_typed() -> None:
    for prefix in "bwilfd":
        for kind in ("scalar", "vector", "row", "col", "matrix", "tensor3", "tensor4"):
            assert prefix + kind in CONSTRUCTORS
    assert len(CONSTRUCTORS) >= 2 * 6 * 7 + 8


@pytest.mark.parametrize("name", sorted(CONSTRUCTORS))
def test_the_markers_are_what_the_variables_are(name: str) -> None:
    constructor: Any = CONSTRUCTORS[name]
    dtype, rank = constructor.kinds
    made = constructor("a", "b") if isinstance(constructor, PluralConstructor) else constructor()
    for variable in made if isinstance(made, tuple) else (made,):
        assert variable.ndim == rank.ndim
        expected = dtype.dtype if dtype is not DType else tracegraph.config.floatX
        assert variable.dtype == expected
    assert rank in RANKS and (dtype in DTYPES or dtype is DType)


def test_markers_are_generic_parameters_at_run_time() -> None:
    alias = T.TensorVariable[T.Float64, T.Matrix]
    assert alias.__origin__ is T.TensorVariable  # type: ignore[attr-defined]
    assert isinstance(T.dmatrix(), T.TensorVariable)
