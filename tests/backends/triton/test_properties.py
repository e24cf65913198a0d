"""Property test: the Triton backend (its kernels under Triton's interpreter) computes what the
reference computes on random graphs (the generator of the pass tests: fused chains of every
elementwise op, fills, dimshuffles, reshapes, reductions, casts, gradients; zeros, NaN and
infinities among the inputs)."""

from __future__ import annotations

import numpy as np
from hypothesis import given

import tracegraph
from tests.backends.c.helpers import assert_same
from tests.exploration import property_settings
from tests.passes.graph_expressions import GraphCase, build_case
from tests.passes.random_graphs import graph_cases
from tracegraph.backends.triton.program import TritonProgram
from tracegraph.ir.interpreter import ReferenceProgram


@property_settings(60)
@given(case=graph_cases())
def test_triton_matches_the_reference_on_random_graphs(case: GraphCase) -> None:
    variables, outputs = build_case(case)
    function = tracegraph.function(list(variables), list(outputs), on_unused_input="ignore")
    func = function.maker.fgraph.func
    arrays = [np.asarray(spec.array) for spec in case.inputs]
    copies = [a.copy() for a in arrays]
    with np.errstate(all="ignore"):
        expected = ReferenceProgram(func).run(arrays)
    results = TritonProgram(func).run(arrays)
    for index, (result, wanted) in enumerate(zip(results, expected, strict=True)):
        assert_same(result, wanted, f"output {index}")
    for before, after in zip(copies, arrays, strict=True):
        np.testing.assert_array_equal(before, after, err_msg="an input was modified")
