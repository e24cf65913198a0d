"""Property test: the C backend computes what the reference backend computes on random graphs
(the generator of the pass tests: fused chains of every elementwise op, fills, dimshuffles,
reshapes, reductions, casts, gradients; zeros, NaN and infinities among the inputs)."""

from __future__ import annotations

from hypothesis import given

from tests.backends.c.helpers import run_both
from tests.exploration import property_settings
from tests.passes.graph_expressions import GraphCase, build_case
from tests.passes.random_graphs import graph_cases


@property_settings(60)
@given(case=graph_cases())
def test_c_matches_the_reference_on_random_graphs(case: GraphCase) -> None:
    variables, outputs = build_case(case)
    run_both(variables, outputs, [spec.array for spec in case.inputs])
