"""Property tests: every pass pipeline keeps the values of random graphs.

Each example is a random graph (``tests/passes/random_graphs.py``: plain data, so that
Hypothesis shows and shrinks it) over a few inputs, with one to three outputs and often the
gradients of the sum of the first. It is compiled with ``REFERENCE`` (no passes, on the NumPy
backend) and with every pipeline of ``tests/passes/pipelines.py`` (each pass alone, the default
pipeline, the default pipeline without ``stabilize``, ``FAST_COMPILE``), and every pipeline must
give the reference's results, same dtypes and shapes:

- bit for bit (signs of zeros included) when no pattern of ``INEXACT_PATTERNS`` fired while
  compiling: ``cse`` and ``dce`` alone, and every canonicalization but ``log(exp x)``,
  ``exp(log x)`` and ``x ** 2 -> x * x`` reproduce the reference's operations exactly;
- otherwise with NaN and each infinity at the same positions and finite values to 1e-12
  relative (float32 results: to one float32 rounding of such values).

The generator builds what the rewrites match, so that they fire: ``x * 1``, ``x + 0``,
``x - -0.0``, ``--x``, ``x ** 2``, ``exp(log x)``, ``log(exp x)``, fills, allocs,
``zeros_like``, dimshuffles of dimshuffles, reshapes of reshapes, float32 and int casts,
``1 / (1 + exp(-x))``, ``log(sigmoid x)``, ``log(1 - sigmoid x)``, ``log(1 + x)``,
``exp(x) - 1``, ``exp(x) / (1 + exp(x))``..., with Python int and float constants 0, -0.0, 1
and 2 (and near misses), repeated identical subexpressions (for CSE), unused ones, reductions
and size-1 broadcasting. The property runs once per template with the template at the root of
the first output, and checks that the patterns the template is written for fire;
``test_pattern_fires_on_its_graph`` shows every pattern on a small hand-written graph.

Why inputs are "nice" and some examples are rejected or left out: the stabilizing rewrites
(``log1p``, ``expm1``, ``softplus``, ``sigmoid``, ``log(exp x) -> x``) are *more* accurate than
the formulas they replace. Where the float64 formula itself loses accuracy (``1 + x`` for a
tiny ``x``, ``exp`` overflowing above 709, a difference of nearly equal numbers), the optimized
graph is right and the reference is not, by far more than 1e-12. A looser tolerance would hide
real bugs; instead:

- inputs are multiples of 1/8 in [-4, 4], 0, -0.0, NaN, inf and -inf (exact in float32 too);
- an example is rejected (``assume``) when some intermediate float value of the *unoptimized*
  graph (every op result, computed by the reference interpreter) is finite, non-zero and
  outside [1e-3, 1e3] in magnitude: there, ``1 + x`` keeps ``x``, ``exp`` does not overflow,
  and a few ulps of rounding stay below 1e-12 relative;
- two things the stable forms compute *better* from infinities and zeros make a comparison to
  the tolerance meaningless, so a compilation in which an inexact pattern fired is not compared
  on an example where the reference evaluates an indeterminate form (``inf / inf``,
  ``0 * inf``, ``inf - inf``: ``exp(x) / (1 + exp(x))`` is NaN at ``x = inf``, ``sigmoid(inf)``
  is 1) or divides by zero, which shows the sign of the zero as the sign of an infinity
  (``log(1 + -0.0)`` is +0.0 but ``log1p(-0.0)`` is -0.0; ``log(sigmoid(inf))`` is +0.0 but
  ``-softplus(-inf)`` is -0.0), or multiplies a zero by a NaN (a switch's gradient masks the
  branch not taken with zeros; times a NaN of that branch the reference gives NaN, the switch
  sinks the branch's true gradient, 0). Bit-for-bit comparisons are never left out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any, TypeAlias

import numpy as np
import pytest
from hypothesis import assume, event, given
from numpy.typing import NDArray

import tracegraph
import tracegraph.tensor as T
from tests.exploration import property_settings
from tests.passes.graph_expressions import GraphCase, build_case
from tests.passes.graph_templates import TEMPLATE_PATTERNS, TEMPLATES
from tests.passes.pipelines import (
    INEXACT_PATTERNS,
    PATTERN_NAMES,
    PIPELINES,
    REFERENCE,
    compare,
    every_value,
    infinities_or_zeros_matter,
    recording_patterns,
    well_conditioned,
)
from tests.passes.random_graphs import SHADOWED, graph_cases
from tracegraph.tensor import TensorVariable

Array: TypeAlias = NDArray[Any]


def check_every_pipeline(case: GraphCase, fired: Counter[str]) -> None:
    """Compile ``case`` with the reference and every pipeline, and compare: bit for bit where
    only exact rewrites fired, else to the tolerance (see the module docstring, also for the
    examples rejected and the comparisons left out)."""
    variables, outputs = build_case(case)
    args = [spec.array for spec in case.inputs]
    reference = tracegraph.function(variables, outputs, mode=REFERENCE, on_unused_input="ignore")
    func, values = every_value(reference, args)
    assume(well_conditioned(values))
    expected = reference(*args)
    sensitive = infinities_or_zeros_matter(func, values)
    for name, mode in PIPELINES.items():
        with recording_patterns() as counts:
            optimized = tracegraph.function(variables, outputs, mode=mode, on_unused_input="ignore")
        fired.update(counts)
        inexact = sorted(INEXACT_PATTERNS.intersection(counts))
        if inexact and sensitive:
            event("left out: inexact rewrites, and infinities or zeros matter")
            continue
        event("compared to the tolerance" if inexact else "compared bit for bit")
        what = f"pipeline {name} (inexact rewrites: {', '.join(inexact) or 'none'}) on {case!r}"
        compare(optimized(*args), expected, not inexact, what)


EXAMPLES_PER_TEMPLATE = 20


@pytest.mark.parametrize("root", sorted(TEMPLATES))
def test_every_pipeline_keeps_the_values_of_random_graphs(root: str) -> None:
    """Random graphs whose first output applies the template ``root`` keep their values in every
    pipeline; and the patterns the template is written for fire on some of them."""
    fired: Counter[str] = Counter()

    @property_settings(EXAMPLES_PER_TEMPLATE)
    @given(case=graph_cases(root))
    def check(case: GraphCase) -> None:
        check_every_pipeline(case, fired)

    check()
    missing = sorted(TEMPLATE_PATTERNS[root] - set(fired))
    assert not missing, f"{root}: {missing} never fired (fired: {dict(fired)})"


@property_settings(100)
@given(case=graph_cases())
def test_every_pipeline_keeps_the_values_of_graphs_with_any_root(case: GraphCase) -> None:
    check_every_pipeline(case, Counter())


def test_templates_cover_every_pattern() -> None:
    """Every pattern is the aim of some template, or is shadowed in the default pipeline."""
    aimed = set().union(*TEMPLATE_PATTERNS.values())
    assert aimed | set(SHADOWED) == set(PATTERN_NAMES)
    assert not aimed & set(SHADOWED)


# -- each pattern on a hand-written graph -----------------------------------------------------

HandwrittenGraph: TypeAlias = tuple[list[TensorVariable], list[TensorVariable]]

HANDWRITTEN: dict[str, Callable[[], HandwrittenGraph]] = {}
"""A small graph on which each pattern fires, by pattern name."""


def handwritten(pattern: str) -> Callable[[Callable[[], HandwrittenGraph]], Any]:
    def register(build: Callable[[], HandwrittenGraph]) -> Callable[[], HandwrittenGraph]:
        HANDWRITTEN[pattern] = build
        return build

    return register


def _matrices() -> tuple[TensorVariable, TensorVariable]:
    return T.dmatrix("x"), T.dmatrix("y")


def _static_matrix() -> TensorVariable:
    return T.tensor("float64", shape=(2, 3), name="s")


@handwritten("FoldConstants")
def _fold_constants() -> HandwrittenGraph:
    x, _ = _matrices()
    return [x], [x + T.exp(T.constant(2.0)) * 2]


@handwritten("FoldStaticShape")
def _fold_static_shape() -> HandwrittenGraph:
    s = _static_matrix()
    return [s], [T.reshape(T.flatten(s), T.shape(s))]


@handwritten("FoldMulOne")
def _fold_mul_one() -> HandwrittenGraph:
    x, _ = _matrices()
    return [x], [x * 1]


@handwritten("DropGradientBarrier")
def _drop_gradient_barrier() -> HandwrittenGraph:
    from tracegraph.gradient import disconnected_grad, grad_clip, zero_grad

    x, y = _matrices()
    return [x, y], [disconnected_grad(x) * zero_grad(y) + grad_clip(x, -1.0, 1.0)]


@handwritten("PushSequenceWorkOutOfLoop")
@handwritten("DropUnusedSequence")
@handwritten("DropUnusedNonSequence")
def _sequence_work_in_a_recurrence() -> HandwrittenGraph:
    import tracegraph

    x, c = T.dmatrix("x"), T.dvector("c")  # example sizes: x is 2 x 3, c has 2
    hs, _ = tracegraph.scan(
        lambda v, h, c: v * c + h, sequences=x.T, outputs_info=T.zeros_like(c), non_sequences=c
    )
    return [x, c], [hs]


@handwritten("MappedSliceIsTheSequence")
def _map_of_elementwise() -> HandwrittenGraph:
    import tracegraph

    x, c = T.dmatrix("x"), T.dvector("c")  # example sizes: x is 2 x 3, c has 2
    ys, _ = tracegraph.scan(lambda v, c: T.exp(v * 2.0 + c), sequences=x.T, non_sequences=c)
    return [x, c], [ys]


@handwritten("HoistInvariantOutOfLoop")
def _invariant_in_a_step() -> HandwrittenGraph:
    import tracegraph

    x, c = T.dmatrix("x"), T.dvector("c")
    h0 = T.zeros_like(c)
    hs, _ = tracegraph.scan(
        lambda v, h, c: T.tanh(v * h + T.exp(c)), sequences=x.T, outputs_info=h0, non_sequences=c
    )
    return [x, c], [hs]


@handwritten("DropUnusedLoopOutput")
def _unread_loop_output() -> HandwrittenGraph:
    import tracegraph

    x, _ = _matrices()
    (states, _unread), _ = tracegraph.scan(
        lambda v, h: [h * 0.5 + v, T.sin(h)],
        sequences=x,
        outputs_info=[T.zeros_like(x[0]), None],
    )
    return [x], [states]


@handwritten("FoldAddZero")
def _fold_add_zero() -> HandwrittenGraph:
    x, _ = _matrices()
    return [x], [x + -0.0]


@handwritten("FoldSubZero")
def _fold_sub_zero() -> HandwrittenGraph:
    x, _ = _matrices()
    return [x], [x - 0]


@handwritten("FoldNegNeg")
def _fold_neg_neg() -> HandwrittenGraph:
    x, _ = _matrices()
    return [x], [T.neg(T.neg(x))]


@handwritten("FoldNegatedProduct")
def _fold_negated_product() -> HandwrittenGraph:
    x, y = _matrices()
    return [x, y], [-((-x) * y), (-x) * (-y)]


@handwritten("FoldPowOne")
def _fold_pow_one() -> HandwrittenGraph:
    x, _ = _matrices()
    return [x], [x**1]


@handwritten("PowTwoToMul")
def _pow_two_to_mul() -> HandwrittenGraph:
    x, _ = _matrices()
    return [x], [x**2]


@handwritten("ExpOfLog")
def _exp_of_log() -> HandwrittenGraph:
    x, _ = _matrices()
    return [x], [T.exp(T.log(x))]


@handwritten("LogOfExp")
def _log_of_exp() -> HandwrittenGraph:
    x, _ = _matrices()
    return [x], [T.log(T.exp(x))]


@handwritten("FoldFillOfConstant")
def _fold_fill_of_constant() -> HandwrittenGraph:
    s = _static_matrix()
    return [s], [T.zeros_like(s), T.ones_like(s) * s]


@handwritten("FoldFillOfSameShape")
def _fold_fill_of_same_shape() -> HandwrittenGraph:
    x, y = _matrices()
    return [x, y], [T.fill(x, y)]


@handwritten("FoldAllocOfSameShape")
def _fold_alloc_of_same_shape() -> HandwrittenGraph:
    s = _static_matrix()
    return [s], [T.alloc(s, 2, 3)]


@handwritten("SinkFillIntoElementwise")
def _sink_fill_into_elementwise() -> HandwrittenGraph:
    x, y = _matrices()
    return [x, y], [y + T.fill(x, 2.0)]


@handwritten("SinkUnaryIntoFill")
def _sink_unary_into_fill() -> HandwrittenGraph:
    x, _ = _matrices()
    return [x], [T.exp(T.fill(x, 2.0))]


@handwritten("SinkScalarOperandIntoFill")
def _sink_scalar_operand_into_fill() -> HandwrittenGraph:
    x, row = T.dmatrix("x"), T.drow("row")
    return [x, row], [T.fill(x, row) * 2]


@handwritten("FoldDimShuffleOfDimShuffle")
def _fold_dimshuffle_of_dimshuffle() -> HandwrittenGraph:
    x, _ = _matrices()
    return [x], [x.dimshuffle(1, "x", 0).dimshuffle(2, 1, 0)]


@handwritten("FoldIdentityDimShuffle")
def _fold_identity_dimshuffle() -> HandwrittenGraph:
    x, _ = _matrices()
    return [x], [x.T.T]


@handwritten("FoldReshapeOfReshape")
def _fold_reshape_of_reshape() -> HandwrittenGraph:
    x, _ = _matrices()
    return [x], [T.reshape(T.reshape(x, (-1,)), (3, 2))]


@handwritten("FoldUselessCast")
def _fold_useless_cast() -> HandwrittenGraph:
    f = T.fmatrix("f")
    return [f], [T.cast(T.cast(f, "float64"), "float32")]


@handwritten("InvOnePlusExpToSigmoid")
def _inv_one_plus_exp_to_sigmoid() -> HandwrittenGraph:
    x, _ = _matrices()
    return [x], [1 / (1 + T.exp(-x))]


@handwritten("ExpOverOnePlusExpToSigmoid")
def _exp_over_one_plus_exp_to_sigmoid() -> HandwrittenGraph:
    x, _ = _matrices()
    return [x], [T.exp(x) / (1 + T.exp(x))]


@handwritten("OneMinusSigmoid")
def _one_minus_sigmoid() -> HandwrittenGraph:
    x, _ = _matrices()
    return [x], [1 - T.sigmoid(x)]


@handwritten("LogSigmoidToSoftplus")
def _log_sigmoid_to_softplus() -> HandwrittenGraph:
    x, _ = _matrices()
    return [x], [T.log(T.sigmoid(x))]


@handwritten("LogOneMinusSigmoidToSoftplus")
def _log_one_minus_sigmoid_to_softplus() -> HandwrittenGraph:
    x, _ = _matrices()
    return [x], [T.log(1 - T.sigmoid(x))]


@handwritten("LogOnePlusExpToSoftplus")
def _log_one_plus_exp_to_softplus() -> HandwrittenGraph:
    x, _ = _matrices()
    return [x], [T.log(1 + T.exp(x)), T.log1p(T.exp(x))]


@handwritten("LogOnePlusToLog1p")
def _log_one_plus_to_log1p() -> HandwrittenGraph:
    x, _ = _matrices()
    return [x], [T.log(1 + x)]


@handwritten("ExpMinusOneToExpm1")
def _exp_minus_one_to_expm1() -> HandwrittenGraph:
    x, _ = _matrices()
    return [x], [T.exp(x) - 1]


@handwritten("DivOnePlusExpTimesExpToSigmoid")
def _div_one_plus_exp_times_exp_to_sigmoid() -> HandwrittenGraph:
    x, y = _matrices()
    e = T.exp(x)
    return [x, y], [(y / (1 + e)) * e]


@handwritten("LogOneMinusExpToLog1mexp")
def _log_one_minus_exp_to_log1mexp() -> HandwrittenGraph:
    x, _ = _matrices()
    return [x], [T.log(1 - T.exp(-abs(x))), T.log1p(-T.exp(-abs(x) - 1))]


@handwritten("ExpOverSumExpToSoftmax")
def _exp_over_sum_exp_to_softmax() -> HandwrittenGraph:
    x, _ = _matrices()
    return [x], [T.exp(x) / T.exp(x).sum(axis=1, keepdims=True)]


@handwritten("LogOfSoftmaxToLogSoftmax")
def _log_of_softmax_to_log_softmax() -> HandwrittenGraph:
    x, _ = _matrices()
    return [x], [T.log(T.nnet.softmax(x)), T.log(T.nnet.softmax(x)[:, ::-1])]


@handwritten("LogSumExpToShifted")
def _log_sum_exp_to_shifted() -> HandwrittenGraph:
    x, _ = _matrices()
    return [x], [T.log(T.exp(x).sum(axis=1)), T.log(T.exp(x).sum(axis=0, keepdims=True))]


@handwritten("MulSwitchSink")
def _mul_switch_sink() -> HandwrittenGraph:
    x, y = _matrices()
    return [x, y], [T.switch(x > 0, x, 0) * y, y * T.switch(x > 0, 0, x)]


@handwritten("DivSwitchSink")
def _div_switch_sink() -> HandwrittenGraph:
    x, y = _matrices()
    return [x, y], [T.switch(x > 0, x, 0) / (y + 10)]


@handwritten("SoftmaxToExpOverSum")
def _softmax_to_exp_over_sum() -> HandwrittenGraph:
    x, _ = _matrices()
    return [x], [T.nnet.softmax(x)]


@handwritten("LogSoftmaxToShiftedLogSumExp")
def _log_softmax_to_shifted_log_sum_exp() -> HandwrittenGraph:
    x, _ = _matrices()
    return [x], [T.nnet.logsoftmax(x)]


EXAMPLE_VALUES = np.array([-2.0, -0.5, 0.0, 0.25, 1.5, 3.0, -0.0, 1.0, -1.25])


def example_array(variable: TensorVariable, seed: int) -> Array:
    """Nice values for ``variable``: dynamic sizes 2, 3, 4... by axis."""
    shape = tuple(
        2 + axis if size is None else size for axis, size in enumerate(variable.type.shape)
    )
    values = np.roll(EXAMPLE_VALUES, seed)
    return np.resize(values, shape).astype(variable.dtype)


@pytest.mark.parametrize("pattern", PATTERN_NAMES)
def test_pattern_fires_on_its_graph(pattern: str) -> None:
    """The pattern fires on its hand-written graph in the default pipeline (a shadowed one with
    the pattern that shadows it excluded), the final graph differs when it is excluded, and
    both keep the values."""
    inputs, outputs = HANDWRITTEN[pattern]()
    args = [example_array(variable, seed) for seed, variable in enumerate(inputs)]
    expected = tracegraph.function(inputs, outputs, mode=REFERENCE)(*args)
    mode = tracegraph.Mode()
    if pattern in SHADOWED:
        with recording_patterns() as fired:
            tracegraph.function(inputs, outputs, mode=mode)
        assert fired[pattern] == 0, f"{pattern} is not shadowed: update SHADOWED"
        mode = mode.excluding(*SHADOWED[pattern])
    with recording_patterns() as fired:
        with_pattern = tracegraph.function(inputs, outputs, mode=mode)
    with recording_patterns() as fired_without:
        without_pattern = tracegraph.function(inputs, outputs, mode=mode.excluding(pattern))
    assert fired[pattern] > 0, dict(fired)
    final = with_pattern.dump_ir(locations=False)
    assert final != with_pattern.dump_ir("traced", locations=False)
    assert final != without_pattern.dump_ir(locations=False)
    for function, counts in ((with_pattern, fired), (without_pattern, fired_without)):
        exact = not INEXACT_PATTERNS.intersection(counts)
        compare(function(*args), expected, exact, f"{pattern}: {sorted(counts)} fired")


def test_exp_of_log_keeps_the_sign_of_zero() -> None:
    """Regression: ExpOfLog gave ``switch(x >= 0, x, nan)``, -0.0 at ``x = -0.0`` where
    ``exp(log(-0.0))`` is ``exp(-inf)``, +0.0, and ``1 / exp(log(x))`` turned from inf into
    -inf."""
    x = T.dvector("x")
    output = T.true_div(1, T.exp(T.log(x)))
    args = [np.array([-0.0, 0.0, -1.0])]
    expected = tracegraph.function([x], output, mode=REFERENCE)(*args)
    compare([tracegraph.function([x], output)(*args)], [expected], True, "1 / exp(log(x))")
