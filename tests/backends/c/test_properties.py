"""Property tests: the C backend computes what the reference backend computes on random graphs
(the generator of the pass tests: fused chains of every elementwise op, fills, dimshuffles,
reshapes, reductions, casts, gradients; zeros, NaN and infinities among the inputs), with its
inputs contiguous and in every other memory layout."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tests.backends.c.helpers import run_both
from tests.backends.numpy_helpers import LAYOUTS, Array, in_layout
from tests.backends.test_numpy_byte_order import odd_copy
from tests.exploration import property_settings
from tests.passes.graph_expressions import GraphCase, build_case
from tests.passes.random_graphs import graph_cases

INPUT_LAYOUTS = (*LAYOUTS, "swapped", "misaligned")
"""Fortran order, transposed, every other element, reversed; the other byte order, misaligned."""


def laid_out(array: Array, layout: str) -> Array:
    """``array``'s values in ``layout`` (contiguous where it cannot be misaligned: one-byte
    elements, no elements)."""
    if layout == "swapped":
        return odd_copy(array, layout)
    if layout == "misaligned":
        if array.dtype.itemsize == 1 or array.size == 0:
            return in_layout(array, "contiguous")
        return odd_copy(array, layout)
    return in_layout(array, layout)


@property_settings(60)
@given(case=graph_cases())
def test_c_matches_the_reference_on_random_graphs(case: GraphCase) -> None:
    variables, outputs = build_case(case)
    run_both(variables, outputs, [spec.array for spec in case.inputs])


@property_settings(40)
@given(case=graph_cases(), data=st.data())
def test_c_reads_random_graphs_inputs_in_any_layout(case: GraphCase, data: st.DataObject) -> None:
    """The C program on inputs in drawn layouts gives the reference's results on contiguous
    ones (1,500 fresh examples clean when written)."""
    variables, outputs = build_case(case)
    arrays = [spec.array for spec in case.inputs]
    draw_layout = st.sampled_from(INPUT_LAYOUTS)
    layouts = [data.draw(draw_layout, label=f"layout {i}") for i in range(len(arrays))]
    moved = [laid_out(array, layout) for array, layout in zip(arrays, layouts, strict=True)]
    run_both(variables, outputs, arrays, c_args=moved)
