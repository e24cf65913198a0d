"""The second oracle: random graphs and their gradients, in tracegraph and in PyTensor.

Each example is a random graph of ``tests/passes/random_graphs.py`` (elementwise arithmetic,
the stabilized forms, ``switch``, ``maximum``/``minimum`` and ``max``/``min`` with ties, the
softmax family, log-sum-exp, ``log1mexp``, fills, reshapes, reductions, casts, and often the
gradients of the sum of the first output), built twice from the same plain description: with
``tracegraph.tensor`` and with PyTensor under the same names
(``tests/differential/pytensor_namespace.py``). Each library compiles it the way its users run
it (tracegraph's ``FAST_RUN``, on the reference and on the C backend; PyTensor's ``fast_run``
rewrites, on its Python linker) and calls it on the same arrays.

Compared, output by output: the shape; NaN at the same positions; each infinity at the same
position with the same sign; finite values to a relative tolerance of 1e-9, or 1e-5 where a
float32 value takes part (in either library's graph). Not compared, by design: dtypes (a Python
scalar is weakly typed in tracegraph, as in NumPy 2, where PyTensor gives ``0.0`` the dtype
float32 and ``2`` int8; tracegraph returns a gradient in its ``wrt``'s dtype, PyTensor in the
dtype it was computed in). Examples whose intermediate values (in tracegraph's unoptimized
graph) are finite, non-zero and outside [1e-3, 1e3] are rejected, as in the pass tests: there,
two correct formulas differ by more than the tolerance.

A disagreement fails the test unless ``KNOWN`` explains it: the cases where tracegraph is right
(or computes the formula as written) and PyTensor is not, each with its reason and the check
that recognizes it. ``BUDGET`` examples run in every test run; ``-m oracle_large`` runs
``LARGE_BUDGET`` more.
"""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

import numpy as np
import pytensor
import pytest
from hypothesis import assume, event, given, reject
from numpy.typing import NDArray
from pytensor.graph.traversal import ancestors
from xdsl.dialects.func import FuncOp
from xdsl.ir import SSAValue

import tracegraph
from tests.differential.pytensor_namespace import PYTENSOR
from tests.exploration import property_settings
from tests.passes.graph_expressions import Apply, Expression, GraphCase, build_case
from tests.passes.pipelines import (
    every_value,
    infinities_or_zeros_matter,
    well_conditioned,
)
from tests.passes.random_graphs import graph_cases
from tracegraph.ir import ops

Array: TypeAlias = NDArray[Any]

BUDGET = 200
"""Examples per backend in every test run."""
LARGE_BUDGET = 3000
"""Examples per backend with ``-m oracle_large``."""

PYTENSOR_MODE = pytensor.compile.mode.Mode(linker="py", optimizer="fast_run")
AS_WRITTEN = tracegraph.Mode(linker="numpy", optimizer=None)

FLOAT64_TOLERANCE = 1e-9
FLOAT32_TOLERANCE = 1e-5


# -- running both -------------------------------------------------------------------------------


@dataclass
class Run:
    """An example run in both libraries, and in tracegraph as written (no passes)."""

    case: GraphCase
    ours: list[Array]
    theirs: list[Array]
    as_written: list[Array]
    graph: FuncOp
    """tracegraph's unoptimized graph, whose every value is in ``values``."""
    values: dict[SSAValue, Any]
    float32: bool
    """Whether a float32 value takes part, in either library's graph."""

    @property
    def forward_outputs(self) -> int:
        return len(self.case.outputs)


class PyTensorCannotRun(Exception):
    """PyTensor's Python linker raised where NumPy wraps: NumPy 2 refuses a Python integer out
    of its dtype's range, which PyTensor's scalar ops make of an overflowing integer result
    (``(-128) ** 2`` in int8). tracegraph's result is NumPy's; there is nothing to compare."""


def run(case: GraphCase, linker: str) -> Run:
    args = [spec.array for spec in case.inputs]
    variables, outputs = build_case(case)
    as_written = tracegraph.function(variables, outputs, mode=AS_WRITTEN, on_unused_input="ignore")
    graph, values = every_value(as_written, args)
    mode = tracegraph.Mode(linker=linker)
    ours = tracegraph.function(variables, outputs, mode=mode, on_unused_input="ignore")
    pt_variables, pt_outputs = build_case(case, PYTENSOR)
    with warnings.catch_warnings():
        # PyTensor warns about its BLAS and about graphs it finds odd; neither is under test.
        warnings.simplefilter("ignore")
        theirs = pytensor.function(
            pt_variables, pt_outputs, mode=PYTENSOR_MODE, on_unused_input="ignore"
        )
        try:
            their_results = theirs(*[a.copy() for a in args])
        except OverflowError as error:
            raise PyTensorCannotRun(str(error)) from error
    # Before PyTensor's rewrites: constant folding can leave no trace of a float32 value.
    float32 = "f32" in ours.dump_ir("traced", locations=False) or any(
        getattr(v.type, "dtype", None) == "float32" for v in ancestors(pt_outputs)
    )
    return Run(
        case,
        [np.asarray(r) for r in ours(*[a.copy() for a in args])],
        [np.asarray(r) for r in their_results],
        [np.asarray(r) for r in as_written(*[a.copy() for a in args])],
        graph,
        values,
        float32,
    )


# -- comparing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Disagreement:
    """Where one output differs: ``where`` marks the elements (all of them for a shape)."""

    output: int
    kind: str
    where: Array


def disagreements(result: Run) -> list[Disagreement]:
    found = []
    tolerance = FLOAT32_TOLERANCE if result.float32 else FLOAT64_TOLERANCE
    for index, (ours, theirs) in enumerate(zip(result.ours, result.theirs, strict=True)):
        if ours.shape != theirs.shape:
            found.append(Disagreement(index, "shape", np.ones(ours.shape, dtype=bool)))
            continue
        a, b = ours.astype(np.float64), theirs.astype(np.float64)
        nan = np.isnan(a) != np.isnan(b)
        infinite = (np.isinf(a) | np.isinf(b)) & ~np.isnan(a) & ~np.isnan(b) & (a != b)
        finite = np.isfinite(a) & np.isfinite(b)
        with np.errstate(invalid="ignore"):
            far = finite & ~np.isclose(a, b, rtol=tolerance, atol=1e-300)
        for kind, where in (("NaN", nan), ("infinity", infinite), ("value", far)):
            if where.any():
                found.append(Disagreement(index, kind, where))
    return found


# -- what explains a disagreement ---------------------------------------------------------------


def _as_written_where(result: Run, disagreement: Disagreement) -> bool:
    """Whether tracegraph's result is, at every disagreeing element, what the formula as written
    gives (bit for bit, NaN included): the disagreement is none of tracegraph's rewrites."""
    ours = result.ours[disagreement.output][disagreement.where]
    written = result.as_written[disagreement.output][disagreement.where]
    same = (ours == written) | (np.isnan(ours) & np.isnan(written))
    return bool(same.all()) and bool(
        (np.signbit(ours) == np.signbit(written))[~np.isnan(ours)].all()
    )


def _softmax_of_infinity(result: Run) -> bool:
    """A softmax or log-softmax of scores with an infinity (``inf - inf`` after the shift by
    the maximum)."""
    return any(
        isinstance(op, ops.SoftmaxOp | ops.LogSoftmaxOp) and np.isinf(result.values[op.x]).any()
        for op in result.graph.body.block.ops
    )


def _indeterminate_as_written(result: Run, disagreement: Disagreement) -> bool:
    """tracegraph computes the formula as written, which meets an indeterminate form, divides
    by zero, or reads an input's NaN."""
    if not _as_written_where(result, disagreement):
        return False
    nan_input = any(
        np.isnan(spec.array).any() for spec in result.case.inputs if spec.dtype[0] == "f"
    )
    return (
        nan_input
        or infinities_or_zeros_matter(result.graph, result.values)
        or _softmax_of_infinity(result)
    )


def _extremum_ties(result: Run, disagreement: Disagreement) -> bool:
    """A gradient output, and a ``max``/``min`` reduction that met ties."""
    if disagreement.output < result.forward_outputs:
        return False
    for op in result.graph.body.block.ops:
        if not isinstance(op, ops.MaxOp | ops.MinOp) or not op.get_axes():
            continue
        operand, extremum = result.values[op.x], result.values[op.result]
        if not op.get_keepdims():
            extremum = np.expand_dims(extremum, op.get_axes())
        hits = np.sum(operand == extremum, axis=op.get_axes())
        if np.any(hits > 1):
            return True
    return False


def _wrapping_integer_negation(result: Run, disagreement: Disagreement) -> bool:
    """An integer input holds the smallest value of its dtype, and tracegraph computes the
    formula as written."""
    at_minimum = any(
        spec.dtype.startswith("int") and np.any(spec.array == np.iinfo(spec.dtype).min)
        for spec in result.case.inputs
    )
    return at_minimum and _as_written_where(result, disagreement)


def _pytensor_rounded_to_float32(result: Run, disagreement: Disagreement) -> bool:
    """PyTensor's value is the float32 rounding of tracegraph's, which is the formula's (to
    float64's tolerance: ``log(exp(x))`` is ``x`` in tracegraph, an ulp off as written)."""
    ours = result.ours[disagreement.output][disagreement.where].astype(np.float64)
    theirs = result.theirs[disagreement.output][disagreement.where].astype(np.float64)
    written = result.as_written[disagreement.output][disagreement.where]
    with np.errstate(over="ignore"):
        rounded = ours.astype(np.float32).astype(np.float64)
    return bool((theirs == rounded).all()) and bool(
        np.allclose(ours, written, rtol=FLOAT64_TOLERANCE, atol=0, equal_nan=True)
    )


def _wrapping_integer_sum(result: Run, disagreement: Disagreement) -> bool:
    """An integer input holds the largest value of its dtype, and tracegraph computes the
    formula as written."""
    at_maximum = any(
        spec.dtype.startswith(("int", "uint")) and np.any(spec.array == np.iinfo(spec.dtype).max)
        for spec in result.case.inputs
    )
    return at_maximum and _as_written_where(result, disagreement)


def _half_power_of_negative_infinity_or_zero(result: Run, disagreement: Disagreement) -> bool:
    """A ``pow`` with a positive fractional exponent of ``-inf`` or ``-0.0``, and PyTensor's
    result NaN (``sqrt(-inf)``) or an infinity of the other sign (``1 / sqrt(-0.0)``)."""
    theirs = result.theirs[disagreement.output][disagreement.where]
    if not (np.isnan(theirs).all() or disagreement.kind == "infinity"):
        return False
    for op in result.graph.body.block.ops:
        if not isinstance(op, ops.PowOp):
            continue
        base, exponent = np.broadcast_arrays(result.values[op.lhs], result.values[op.rhs])
        negative_end = np.isneginf(base) | ((base == 0) & np.signbit(base))
        fractional = (exponent > 0) & (exponent != np.floor(exponent))
        if np.any(negative_end & fractional):
            return True
    return False


STABILIZED_ONLY = tracegraph.Mode(linker="numpy", optimizer="fast_compile")
"""The formula with tracegraph's stabilizations and nothing else (``passes/stabilize.py``)."""


def _stabilized_where_written_overflows(result: Run, disagreement: Disagreement) -> bool:
    """Where the formula as written is NaN or infinite, tracegraph's result is, bit for bit,
    what its stabilizations alone make of the formula (which differs from the formula)."""
    written = result.as_written[disagreement.output][disagreement.where]
    if np.isfinite(written).any():
        return False
    variables, outputs = build_case(result.case)
    stabilized = tracegraph.function(
        variables, outputs, mode=STABILIZED_ONLY, on_unused_input="ignore"
    )
    values = stabilized(*[spec.array.copy() for spec in result.case.inputs])
    value = np.asarray(values[disagreement.output])[disagreement.where]
    ours = result.ours[disagreement.output][disagreement.where]
    same = (ours == value) | (np.isnan(ours) & np.isnan(value))
    changed = ~((value == written) | (np.isnan(value) & np.isnan(written)))
    signs = np.signbit(ours) == np.signbit(value)
    return bool(same.all() and changed.any() and signs[~np.isnan(ours)].all())


@dataclass(frozen=True)
class Known:
    """A disagreement where tracegraph is right, or computes the formula as written where
    PyTensor's rewrites compute another value: why, and the check that recognizes it."""

    reason: str
    applies: Callable[[Run, Disagreement], bool]


KNOWN: dict[str, Known] = {
    "ties of max and min": Known(
        "At a tie of a max or min reduction, tracegraph shares the gradient among the tied "
        "elements, so that it sums to the upstream gradient; PyTensor (as Theano) gives every "
        "tied element the whole gradient, counting it once per tie.",
        _extremum_ties,
    ),
    "indeterminate forms as written": Known(
        "Where the formula as written meets an indeterminate form, divides by zero "
        "or reads an input's NaN, PyTensor's algebraic rewrites, which hold for numbers, "
        "resolve it one way or another: x * 0 -> 0 and 0 / x -> 0 although x is NaN or "
        "infinite, exp(u) / exp(u) -> 1, a reduction or a softmax over an axis of size 1 "
        "dropped (the gradient of max([nan]) becomes 1, softmax([inf]) 1 where inf / inf is "
        "NaN; PyTensor's softmax of [inf, 1] is [nan, nan], tracegraph's is what the formula "
        "gives, [nan, 0]), the constants -0.0 and 0.0 merged as equal (1 / -0.0 "
        "becomes +inf), signs moved (-(-1 + 1) is -0.0 but the 1 - 1 it becomes is +0.0). "
        "tracegraph computes the formula as written there: its canonicalizations never change "
        "a NaN, an infinity or the sign of a zero (passes/canonicalize.py), and its "
        "stabilizations only replace overflows and cancellations of the forms they name.",
        _indeterminate_as_written,
    ),
    "pow of -inf": Known(
        "tracegraph's pow is C's (and NumPy's, on arrays): (-inf) ** 0.5 is inf and (-0.0) ** "
        "0.5 is +0.0, as C99 defines pow; PyTensor rewrites x ** 0.5 into sqrt(x), NaN at -inf "
        "and -0.0 at -0.0.",
        _half_power_of_negative_infinity_or_zero,
    ),
    "stabilized forms": Known(
        "Where the formula as written overflows to NaN or an infinity, tracegraph gives what "
        "its stabilizations make of it (passes/stabilize.py: each an identity, right where "
        "the formula is finite, and its limit where it overflows), and PyTensor, whose "
        "rewrites did not apply to that graph, the overflow. Seen: the gradient of "
        "a ** switch(c, b, 0) at a = 0 is 0 by switch sinking (Theano's "
        "local_mul_switch_sink: a ** 0 is 1 everywhere), NaN in PyTensor where the base "
        "broadcasts against the exponent; the gradient of sigmoid(1 / (exp(x) + 1)) cast to "
        "float32 at x = inf is -0.0 by 1 / (1 + exp(x)) -> sigmoid(-x), NaN in PyTensor.",
        _stabilized_where_written_overflows,
    ),
    "integer negation": Known(
        "PyTensor rewrites 1 - sigmoid(x) into sigmoid(-x) for an integer x too, where -x "
        "wraps: -(-128) is -128 in int8, so 1 - sigmoid(-128) = 1 becomes 0. tracegraph's "
        "stabilizations negate floats only.",
        _wrapping_integer_negation,
    ),
    "PyTensor's float32 scalars": Known(
        "PyTensor's scalar reciprocal is np.float32(1.0) / x (pytensor/scalar/basic.py), which "
        "NumPy 2 computes in float32 where x is a Python float, as PyTensor's Python linker "
        "passes it inside a fused Composite: the gradient 1 / x at x = -0.375 is "
        "-2.6666667461 there, where the formula in float64, tracegraph's value, is "
        "-2.6666666667.",
        _pytensor_rounded_to_float32,
    ),
    "log1p of an integer": Known(
        "PyTensor rewrites log(1 + x) into log1p(x) for an integer x too, where 1 + x wraps: "
        "1 + 127 is -128 in int8 (NumPy's sum, tracegraph's), whose log is NaN, where "
        "log1p(127) is 4.85. tracegraph's stabilizations rewrite floats only.",
        _wrapping_integer_sum,
    ),
}
"""The disagreements where tracegraph is right and PyTensor wrong (or tracegraph computes the
formula as written), by name."""


def explain(result: Run, disagreement: Disagreement) -> str | None:
    """The name of the first ``KNOWN`` entry that explains ``disagreement``, or ``None``."""
    for name, known in KNOWN.items():
        if known.applies(result, disagreement):
            return name
    return None


def check(case: GraphCase, linker: str, explained: Counter[str]) -> None:
    try:
        result = run(case, linker)
    except PyTensorCannotRun:
        event("PyTensor raised OverflowError")
        reject()
    assume(well_conditioned(result.values))
    unexplained = []
    for disagreement in disagreements(result):
        name = explain(result, disagreement)
        if name is None:
            unexplained.append(disagreement)
        else:
            explained[name] += 1
            event(f"explained: {name}")
    assert not unexplained, describe(result, unexplained)


def describe(result: Run, found: Sequence[Disagreement]) -> str:
    lines = ["tracegraph and PyTensor disagree, and nothing in KNOWN explains it:"]
    for disagreement in found:
        index = disagreement.output
        role = "output" if index < result.forward_outputs else "gradient output"
        lines += [
            f"{role} {index}: {disagreement.kind} at {np.argwhere(disagreement.where).tolist()}",
            f"  tracegraph:          {result.ours[index]!r}",
            f"  PyTensor:            {result.theirs[index]!r}",
            f"  formula as written:  {result.as_written[index]!r}",
        ]
    lines += [f"inputs: {[spec.array for spec in result.case.inputs]}"]
    return "\n".join(lines)


def _run_examples(linker: str, examples: int) -> Counter[str]:
    explained: Counter[str] = Counter()

    @property_settings(examples)
    @given(case=graph_cases())
    def examples_agree(case: GraphCase) -> None:
        check(case, linker, explained)

    examples_agree()
    return explained


@pytest.mark.parametrize("linker", ["numpy", "c"])
def test_tracegraph_and_pytensor_agree_on_random_graphs(linker: str) -> None:
    _run_examples(linker, BUDGET)


@pytest.mark.oracle_large
@pytest.mark.parametrize("linker", ["numpy", "c"])
def test_tracegraph_and_pytensor_agree_on_many_random_graphs(linker: str) -> None:
    explained = _run_examples(linker, LARGE_BUDGET)
    print(f"explained disagreements ({linker}): {dict(explained)}")


# -- the explanations themselves ----------------------------------------------------------------


def _case_of(expression: Expression, *arrays: Array) -> GraphCase:
    from tests.passes.graph_expressions import InputSpec

    inputs = tuple(InputSpec(a.dtype.name, ("i",) * a.ndim, (False,) * a.ndim, a) for a in arrays)
    return GraphCase((expression,), (), True, inputs)


def test_each_known_disagreement_is_real() -> None:
    """Every entry of ``KNOWN`` recognizes the graph it is written for, where the two libraries
    do disagree (so an entry that is no longer needed shows)."""
    from tests.passes.graph_expressions import Input, InputSpec, Literal

    x = Input(0)
    examples: dict[str, GraphCase] = {
        "ties of max and min": _case_of(
            Apply("reduce", (x,), ("max", 0, True)), np.array([1.0, 1.0, 0.5])
        ),
        "indeterminate forms as written": _case_of(
            Apply("mul", (x, Apply("zeros_like", (x,)))), np.array([np.inf, 1.0])
        ),
        "pow of -inf": _case_of(Apply("pow", (x, Literal(0.5))), np.array([-np.inf, 4.0])),
        "stabilized forms": GraphCase(
            (Apply("pow", (x, Apply("switch_positive", (Input(1), Input(2), Literal(0))))),),
            (),
            True,
            (  # a scalar base broadcast against a row of exponents
                InputSpec("float64", (), (), np.array(0.0)),
                InputSpec("float64", ("i",), (True,), np.array([-1.0])),
                InputSpec("float64", ("i",), (True,), np.array([0.5])),
            ),
        ),
        "PyTensor's float32 scalars": GraphCase(
            (Apply("true_div", (x, Apply("log", (Apply("exp", (Input(1),)),)))),),
            (),
            True,
            (  # a vector of static length 1: PyTensor makes the gradient a Composite
                InputSpec("float64", ("i",), (True,), np.array([-0.0])),
                InputSpec("float64", (), (), np.array(-0.375)),
            ),
        ),
        "log1p of an integer": GraphCase(
            (Apply("cast", (Apply("log", (Apply("add", (Literal(1), x)),)),), ("float64",)),),
            (),
            False,
            _case_of(x, np.array([127, 3], dtype=np.int8)).inputs,
        ),
        "integer negation": GraphCase(
            (Apply("cast", (Apply("sub", (Literal(1), Apply("sigmoid", (x,)))),), ("float64",)),),
            (),
            False,
            _case_of(x, np.array([-128, 3], dtype=np.int8)).inputs,
        ),
    }
    assert set(examples) == set(KNOWN)
    for name, case in examples.items():
        result = run(case, "numpy")
        found = disagreements(result)
        assert found, f"{name}: tracegraph and PyTensor agree on its example"
        assert all(explain(result, d) == name for d in found), name
