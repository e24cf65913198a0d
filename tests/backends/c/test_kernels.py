"""The C backend's kernels against the reference backend on the same final modules: fused
elementwise chains over every dtype pairing, broadcasting and memory layouts, reductions of
every kind, BLAS products, MRG31k3p draws (bit for bit), buffer reuse, sizes from empty to
parallel, and the typed errors."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from xdsl.dialects.func import FuncOp

import tracegraph
import tracegraph.tensor as T
from tests.backends.c.helpers import both_programs, run_both
from tests.backends.numpy_helpers import LAYOUTS, in_layout, sample
from tests.numpy_oracle import BINARY_OPS
from tracegraph.backends.c import CProgram
from tracegraph.backends.c.context import CELL_VALUE, CallContext, RunContext
from tracegraph.backends.registry import Binding, ValueCell
from tracegraph.errors import RuntimeOpError
from tracegraph.ir import parse_module
from tracegraph.ir.interpreter import ReferenceProgram
from tracegraph.lowering.dialect import ElementOp, LoopOp

THIS_FILE = Path(__file__).name
DTYPES = ("bool", "int8", "int32", "int64", "uint8", "uint64", "float32", "float64")


# -- elementwise ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(BINARY_OPS))
@pytest.mark.parametrize("left", DTYPES)
def test_binary_ops_in_a_fused_chain(name: str, left: str) -> None:
    """Each binary op on every dtype pairing (one function per left dtype), inside one loop with
    a cast and a comparison (NumPy's promotion, integer wrapping, division by zero, NaN)."""
    build, _ = BINARY_OPS[name]
    x = T.tensor(left, shape=(None, None), name="x")
    inputs, outputs, args = [x], [], [sample(left, "any", (3, 4))]
    for right in DTYPES:
        y = T.tensor(right, shape=(1, None), name=f"y_{right}")
        try:
            combined = build(x, y)
            chain = [combined, T.cast(combined, "float64") > 1]
        except TypeError:
            continue  # NumPy has no such loop (subtracting booleans...)
        domain = "nonzero" if name in ("int_div", "mod", "true_div") else "any"
        b = sample(right, domain, (1, 4))
        if name == "pow" and np.dtype(right).kind in "iu":
            b = np.abs(b)  # integers to negative powers raise (tested below)
        inputs.append(y)
        outputs.extend(chain)
        args.append(b)
    run_both(inputs, outputs, args)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_broadcast_and_strided_inputs(layout: str) -> None:
    x, col, row = T.dmatrix("x"), T.dcol("col"), T.drow("row")
    v, s = T.dvector("v"), T.dscalar("s")
    outputs = [
        T.tanh(x) * row + T.exp(-x * x) * 0.5 - col,
        T.sqrt(abs(x)) + v.dimshuffle("x", 0) * s,
        T.switch(x > col, x, row) ** 2,
        x.T * v.dimshuffle(0, "x"),
    ]
    args = [
        in_layout(sample("float64", "any", (5, 4)), layout),
        in_layout(sample("float64", "any", (5, 1)), layout),
        in_layout(sample("float64", "positive", (1, 4)), layout),
        in_layout(sample("float64", "any", (4,)), layout),
        np.array(1.5),
    ]
    run_both([x, col, row, v, s], outputs, args)


@pytest.mark.parametrize("shape", [(), (0,), (0, 3), (1,), (7,), (400, 400), (3, 70000)])
def test_sizes_from_empty_to_parallel(shape: tuple[int, ...]) -> None:
    """0-d, empty and single elements, and loops large enough to run on several threads."""
    x = T.tensor("float64", shape=(None,) * len(shape), name="x")
    y = T.tensor("float32", shape=(None,) * len(shape), name="y")
    outputs = [T.exp(x) * y + 1, T.sum(T.sqr(x - y)), T.cast(x > y, "int8") * 3]
    if shape:
        outputs.append(T.max(x * 2, axis=0) if shape[0] else T.sum(x, axis=0))
    rng = np.random.default_rng(len(shape))
    run_both([x, y], outputs, [rng.normal(size=shape), rng.normal(size=shape).astype("f4")])


def test_integer_overflow_wraps_and_division_by_zero_is_numpys() -> None:
    x, y = T.lvector("x"), T.lvector("y")
    b = T.bvector("b")
    outputs = [x * y, x + y, -x, abs(x), x // y, x % y, b * b, b - b * 7]
    big = np.array([2**62, -(2**63), 7, -7, 0, 5, -(2**63)], dtype=np.int64)
    other = np.array([4, -1, 0, 2, 0, -3, 1], dtype=np.int64)
    small = np.array([127, -128, 100, -100, 0, 1, 64], dtype=np.int8)
    run_both([x, y, b], outputs, [big, other, small], exact=True)


def test_float_division_and_remainder_match_numpy_at_zeros_and_infinities() -> None:
    x, y = T.dvectors("x", "y")
    values = [0.0, -0.0, 1.5, -1.5, np.inf, -np.inf, np.nan, 3.0, -7.25]
    a = np.array([p for p in values for _ in values])
    b = np.array([q for _ in values for q in values])
    run_both([x, y], [x // y, x % y, x / y, T.maximum(x, y), T.minimum(x, y)], [a, b], exact=True)


def test_negative_integer_powers_raise_the_reference_error() -> None:
    x, y = T.lvectors("x", "y")
    f = tracegraph.function([x, y], (x**y) + 1)
    assert isinstance(f._program, CProgram)
    with pytest.raises(tracegraph.RuntimeOpError, match="negative integer powers") as error:
        f(np.array([2, 3]), np.array([1, -1]))
    # Regression: the fused loop's error named tg.fused; the reference names the power.
    assert str(error.value).startswith("tg.pow at ") and f"{THIS_FILE}:" in str(error.value)


def test_a_shape_mismatch_in_a_fused_loop_names_the_op_and_line() -> None:
    x, y, z = T.dvectors("x", "y", "z")
    here = inspect.currentframe()
    assert here is not None
    line = here.f_lineno + 1
    total = T.exp(x) * y + z
    f = tracegraph.function([x, y, z], total * 2)
    with pytest.raises(tracegraph.ShapeMismatchError, match=r"tg\.mul") as error:
        f(np.ones(3), np.ones(4), np.ones(3))
    assert f"{THIS_FILE}:{line}:" in str(error.value)
    assert "float64[3], float64[4]" in str(error.value)


# -- reductions ----------------------------------------------------------------------------------

REDUCTIONS: dict[str, Callable[..., Any]] = {
    "sum": T.sum,
    "prod": T.prod,
    "max": T.max,
    "min": T.min,
    "mean": T.mean,
    "any": T.any,
    "all": T.all,
}
AXES: list[Any] = [None, 0, 1, 2, (0, 2), (1, 2), (0, 1, 2), ()]


@pytest.mark.parametrize("name", sorted(REDUCTIONS))
@pytest.mark.parametrize("dtype", ["bool", "int8", "int64", "uint8", "float32", "float64"])
def test_reductions_fused_with_their_producer(name: str, dtype: str) -> None:
    """Every reduction, over every set of axes, keepdims or not, of an elementwise value (one
    loop) and of an input (a strided view), against the reference."""
    x = T.tensor(dtype, shape=(None, None, None), name="x")
    outputs = []
    for axis in AXES:
        for keepdims in (False, True):
            producer = x if dtype == "bool" else x * 2
            outputs.append(REDUCTIONS[name](producer, axis=axis, keepdims=keepdims))
            outputs.append(REDUCTIONS[name](x, axis=axis, keepdims=keepdims))
    domain = "positive" if name == "prod" else "any"
    value = sample(dtype, domain, (2, 3, 4))
    run_both([x], outputs, [value])
    run_both([x], outputs, [in_layout(value, "transposed")])


def test_reductions_of_nan_infinity_and_large_arrays() -> None:
    x = T.dmatrix("x")
    outputs = [T.max(x, axis=1), T.min(x, axis=0), T.sum(x), T.mean(x * 3, axis=0)]
    special = np.array([[1.0, np.nan, 3.0], [-np.inf, 2.0, np.inf], [0.5, -0.5, 0.25]])
    run_both([x], outputs, [special])
    large = np.random.default_rng(0).normal(size=(1000, 600))
    run_both([x], outputs, [large])


def test_an_empty_maximum_raises_and_an_empty_sum_is_zero() -> None:
    x = T.dmatrix("x")
    f = tracegraph.function([x], T.max(x * 2, axis=1))
    with pytest.raises(tracegraph.RuntimeOpError, match="zero-size"):
        f(np.zeros((3, 0)))
    with pytest.raises(tracegraph.RuntimeOpError, match="zero-size"):
        f(np.zeros((0, 0)))  # regression: NumPy raises though the result is empty too
    assert f(np.zeros((0, 3))).shape == (0,)  # only a kept axis is empty: nothing to raise
    assert tracegraph.function([x], T.sum(x * 2, axis=1))(np.zeros((3, 0))).tolist() == [0, 0, 0]


# -- dot -----------------------------------------------------------------------------------------

DOT_SHAPES = [((3, 4), (4, 5)), ((3, 4), (4,)), ((4,), (4, 5)), ((4,), (4,)), ((1, 4), (4, 1))]


@pytest.mark.parametrize("shapes", DOT_SHAPES, ids=str)
@pytest.mark.parametrize("dtype", ["float32", "float64", "int32"])
@pytest.mark.parametrize("layout", LAYOUTS)
def test_dot_through_blas(shapes: tuple[Any, Any], dtype: str, layout: str) -> None:
    a = T.tensor(dtype, shape=(None,) * len(shapes[0]), name="a")
    b = T.tensor(dtype, shape=(None,) * len(shapes[1]), name="b")
    values = [in_layout(sample(dtype, "any", shape), layout) for shape in shapes]
    run_both([a, b], [T.dot(a, b), T.dot(a, b) * 2], values)


def test_dot_of_empty_operands_and_a_mismatch() -> None:
    a, b = T.dmatrices("a", "b")
    run_both([a, b], [T.dot(a, b)], [np.zeros((3, 0)), np.zeros((0, 2))])
    run_both([a, b], [T.dot(a, b)], [np.zeros((0, 3)), np.zeros((3, 2))])
    f = tracegraph.function([a, b], T.dot(a, b))
    with pytest.raises(tracegraph.ShapeMismatchError, match=r"tg\.dot"):
        f(np.ones((2, 3)), np.ones((4, 2)))


def test_a_large_product_matches_numpy() -> None:
    a, b = T.dmatrices("a", "b")
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(300, 200)), rng.normal(size=(200, 100))
    result = tracegraph.function([a, b], T.dot(a, b))(x, y)
    np.testing.assert_allclose(result, x @ y, rtol=1e-12, atol=1e-12)


# -- MRG31k3p --------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("streams", [1, 5, 64])
def test_mrg_draws_are_the_references_bit_for_bit(dtype: str, streams: int) -> None:
    from tracegraph.random import MRG_RandomStreams

    for mode in ("FAST_RUN", "FAST_COMPILE"):
        srng = MRG_RandomStreams(seed=4321)
        u = srng.uniform((17, 13), dtype=dtype, nstreams=streams)
        f = tracegraph.function([], [u, srng.state_updates[0][0] * 1], mode=mode)
        draws = [f() for _ in range(4)]
        if mode == "FAST_RUN":
            assert isinstance(f._program, CProgram)
            c_draws = draws
        else:
            for (c_sample, c_state), (sample_, state) in zip(c_draws, draws, strict=True):
                np.testing.assert_array_equal(c_sample, sample_)
                assert c_sample.dtype == sample_.dtype
                np.testing.assert_array_equal(c_state, state)


# -- buffers -------------------------------------------------------------------------------------


def test_dead_intermediates_give_their_buffers_and_results_never_alias() -> None:
    x, y = T.dmatrices("x", "y")
    a = T.exp(x)  # an intermediate used by two kernels
    b = a + T.log(a)  # takes a's buffer (a is read for the last time)
    outputs = [b * y, T.sum(b), a * 0 + 1]
    c_program, _ = both_programs([x, y], outputs, mode=tracegraph.Mode().excluding("fuse"))
    reused = [
        reuse
        for kernel in c_program.kernels.body.block.ops
        if isinstance(kernel, LoopOp)
        for reuse in kernel.get_reuse()
        if reuse is not None
    ]
    assert reused, "no output took an input's buffer"
    value = np.random.default_rng(2).normal(size=(30, 20))
    f = tracegraph.function([x, y], outputs, mode=tracegraph.Mode().excluding("fuse"))
    results = f(value, value)
    reference = tracegraph.function([x, y], outputs, mode="FAST_COMPILE")(value, value)
    for result, expected in zip(results, reference, strict=True):
        np.testing.assert_allclose(result, expected, rtol=1e-13)
        assert not np.may_share_memory(result, value)
    assert not np.may_share_memory(results[0], results[2])
    run_both([x, y], outputs, [value, value], mode=tracegraph.Mode().excluding("fuse"))


def test_a_value_used_after_its_group_is_one_more_result_of_the_loop() -> None:
    """Multi-result fusion: ``e`` is a result and feeds the rest, all in one loop."""
    x = T.dvector("x")
    e = T.exp(x)
    outputs = [T.sqrt(T.tanh(e) + 3), e]
    c_program, _ = both_programs([x], outputs)
    loops = [k for k in c_program.kernels.body.block.ops if isinstance(k, LoopOp)]
    assert len(loops) == 1 and len(loops[0].outputs) == 2
    run_both([x], outputs, [np.linspace(-2, 2, 9)])
    run_both([x], outputs, [np.linspace(-2, 2, 18)[::2]])  # strided: the scalar fallback


_SUM_AND_ITS_VALUES = """
func.func @f(%x: tensor<?x?xf64>) -> (tensor<REDUCED>, tensor<?x?xf64>) {
  %s, %e = tg.fused %x : (tensor<?x?xf64>) -> (tensor<REDUCED>, tensor<?x?xf64>) {
  ^bb0(%a: tensor<?x?xf64>):
    %ea = tg.exp %a : tensor<?x?xf64> -> tensor<?x?xf64>
    %sa = tg.REDUCTION %ea {axes = array<i64: AXES>, keepdims = false}
      : tensor<?x?xf64> -> tensor<REDUCED>
    tg.yield %sa, %ea : tensor<REDUCED>, tensor<?x?xf64>
  }
  func.return %s, %e : tensor<REDUCED>, tensor<?x?xf64>
}
"""


@pytest.mark.parametrize("reduction", ["sum", "max"])
@pytest.mark.parametrize(("axes", "reduced"), [("1", "?xf64"), ("0", "?xf64"), ("0, 1", "f64")])
@pytest.mark.parametrize("shape", [(3, 5), (300, 700), (1, 1), (4, 0)])
def test_a_loop_writes_elements_beside_its_reductions(
    reduction: str, axes: str, reduced: str, shape: tuple[int, int]
) -> None:
    """Regression: a loop yielding a reduction and an element of its domain (the row sums and
    the exponentials of a softmax) wrote the element into the accumulator on the flat and the
    row-wise schedules."""
    text = (
        _SUM_AND_ITS_VALUES.replace("REDUCTION", reduction)
        .replace("AXES", axes)
        .replace("REDUCED", reduced)
    )
    func = parse_module(text).body.block.first_op
    assert isinstance(func, FuncOp)
    value = np.random.default_rng(2).normal(size=shape)
    reference = ReferenceProgram(func)
    try:
        expected = reference.run([value])
    except RuntimeOpError:  # the maximum of nothing
        with pytest.raises(RuntimeOpError, match="zero-size array"):
            CProgram(func).run([value])
        return
    results = CProgram(func).run([value])
    for result, wanted in zip(results, expected, strict=True):
        np.testing.assert_allclose(result, wanted, rtol=1e-13)
        assert np.shape(result) == np.shape(wanted)


@pytest.mark.parametrize("index_dtype", ["int8", "uint32", "int64", "uint64"])
@pytest.mark.parametrize("dtype", ["float32", "int8", "bool", "uint64"])
def test_one_element_of_a_vector_is_read_in_c(dtype: str, index_dtype: str) -> None:
    """``v[i]`` (as ``shape(x)[0]`` in the gradient of a mean) is a ``tgk.element``, not a
    call back into Python; a uint64 index, which an int64 cannot hold, runs the reference."""
    v = T.tensor(dtype, shape=(None,), name="v")
    i = T.tensor(index_dtype, shape=(), name="i")
    c_program, reference = both_programs([v, i], [v[i]])
    native = any(isinstance(k, ElementOp) for k in c_program.kernels.body.block.ops)
    assert native == (index_dtype != "uint64")
    data = np.arange(7).astype(dtype)[::-2]  # strided, 4 elements
    indices = [0, 3, -1, -4] if index_dtype.startswith("int") else [0, 3]
    for index in indices:
        run_both([v, i], [v[i]], [data, np.array(index, dtype=index_dtype)], exact=True)
    messages = []
    for program in (c_program, reference):
        with pytest.raises(tracegraph.IndexOutOfBoundsError) as error:
            program.run([data, np.array(4, dtype=index_dtype)])
        messages.append(str(error.value))
    assert messages[0] == messages[1]
    assert "index 4 is out of bounds for axis 0 with size 4" in messages[0]


SELF_VIEW_CASES: list[Any] = [
    pytest.param(lambda m: m + m.T, lambda p: p + p.T, id="m + m.T"),
    pytest.param(lambda m: m.T - m, lambda p: p.T - p, id="m.T - m"),
    pytest.param(lambda m: m * m[0], lambda p: p * p[0], id="m * m[0]"),
    pytest.param(lambda m: m * m[:, 0].dimshuffle(0, "x"), lambda p: p * p[:, 0:1], id="column"),
]


@pytest.mark.parametrize(("expression", "expected"), SELF_VIEW_CASES)
def test_an_output_never_takes_a_buffer_the_loop_also_reads_through_another_view(
    expression: Callable[[Any], Any], expected: Callable[[Any], Any]
) -> None:
    """Regression: ``m + m.T`` wrote into ``m``'s buffer while reading ``m`` transposed."""
    x = T.dmatrix("x")
    a = np.arange(9.0).reshape(3, 3) ** 1.5
    (result,) = run_both([x], [expression(T.dot(x, x))], [a])
    np.testing.assert_allclose(result, expected(a @ a), rtol=1e-13)


def test_the_generated_source_is_readable() -> None:
    x = T.dmatrix("x")
    f = tracegraph.function([x], T.tanh(x) * x + T.exp(-x * x) * 0.5)
    source = f.source("c")
    assert "tg_run_flat(tg_flat_" in source  # one loop function, run on one or more threads
    assert "tanh(" in source and "exp(" in source
    assert f"{THIS_FILE}:" in source  # each kernel names the user's line
    with pytest.raises(ValueError, match=r"unknown backend 'cuda'.*backends are c"):
        f.source("cuda")
    reference = tracegraph.function([x], T.exp(x), mode="FAST_COMPILE")
    assert "exp(" in reference.source("c")


# -- the call path -------------------------------------------------------------------------------


def test_the_c_call_path_returns_what_the_python_path_returns() -> None:
    """Arrays of the exact types take the C path; anything else (lists, other dtypes,
    keywords) the Python path; both give the same results, never aliased."""
    x, y = T.dvectors("x", "y")
    state = tracegraph.shared(np.zeros(3), name="state")
    outputs = [x, x + y, x + y, state, T.exp(x).dimshuffle("x", 0)]
    f = tracegraph.function([x, y], outputs, updates=[(state, state + x)])
    assert f._fast_call is not None
    a, b = np.arange(3.0), np.ones(3)
    fast = f(a, b)
    slow = f(x=list(a), y=[1, 1, 1])  # keywords and lists: the Python path
    for position in (0, 1, 2, 4):
        np.testing.assert_array_equal(fast[position], slow[position])
    np.testing.assert_array_equal(fast[3], np.zeros(3))  # the state before each call
    np.testing.assert_array_equal(slow[3], np.arange(3.0))
    assert not np.may_share_memory(fast[0], a)
    assert fast[1] is not fast[2] and not np.may_share_memory(fast[1], fast[2])
    assert not np.may_share_memory(fast[3], state.get_value(borrow=True))
    np.testing.assert_array_equal(state.get_value(), 2 * np.arange(3.0))


def test_an_update_that_breaks_a_static_size_raises_on_the_c_path_too() -> None:
    row = tracegraph.shared(np.zeros((1, 3)), name="row", broadcastable=(True, False))
    m = T.dmatrix("m")
    f = tracegraph.function([m], [], updates=[(row, T.sum(m, axis=0, keepdims=True) * m)])
    f(np.ones((1, 3)))
    with pytest.raises(tracegraph.ShapeMismatchError, match="row"):
        f(np.ones((2, 3)))
    np.testing.assert_array_equal(row.get_value(), np.ones((1, 3)))


def test_the_c_call_path_reaches_shared_values_through_their_cells(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The program is bound to the variables' cells, never the variables; the C code reads and
    assigns the cells' documented attribute and takes its context's fields by name."""
    bindings: list[Binding] = []
    bind = CProgram.bind

    def spy(program: CProgram, binding: Binding) -> Callable[..., Any] | None:
        bindings.append(binding)
        return bind(program, binding)

    monkeypatch.setattr(CProgram, "bind", spy)
    state = tracegraph.shared(np.zeros(3), name="state")
    weight = tracegraph.shared(np.full(3, 2.0), name="weight")
    x = T.dvector("x")
    f = tracegraph.function([x], x * weight, updates=[(state, state + x)])
    (binding,) = bindings
    assert {id(cell) for cell in binding.shared} == {id(state.cell), id(weight.cell)}
    assert binding.update_targets == (state.cell,)
    assert all(type(cell) is ValueCell for cell in [*binding.shared, *binding.update_targets])
    assert isinstance(f._program, CProgram)
    context = f._program.call_context(binding)
    assert isinstance(context, CallContext) and isinstance(context.run_context, RunContext)
    np.testing.assert_array_equal(f(np.ones(3)), np.full(3, 2.0))
    np.testing.assert_array_equal(state.cell.value, np.ones(3))
    weight.set_value(np.full(3, 3.0))  # seen by the next call, through the same cell
    np.testing.assert_array_equal(f(np.ones(3)), np.full(3, 3.0))
    source = f.source("c")
    assert "_value" not in source
    assert re.findall(r'InternFromString\("(\w*)"\)', source) == [CELL_VALUE]
    accesses = re.findall(r"PyObject_(\w*Attr\w*)\(PyTuple_GET_ITEM\((\w+), \d\), (\w+)", source)
    assert accesses == [
        ("GetAttr", "shared", "tg_cell_attribute"),
        ("GetAttr", "shared", "tg_cell_attribute"),
        ("SetAttr", "targets", "tg_cell_attribute"),
    ]
    assert len(re.findall(r"PyObject_\w*Attr", source)) == 3


def test_functions_with_reference_steps_call_through_the_c_path() -> None:
    x = T.dmatrix("x")
    f = tracegraph.function([x], T.exp(x[1:, ::-1]).reshape((-1,)) * 2)
    assert isinstance(f._program, CProgram) and f._program.calls_numpy
    assert f._fast_call is not None
    value = np.arange(6.0).reshape(2, 3)
    np.testing.assert_allclose(f(value), np.exp(value[1:, ::-1]).reshape(-1) * 2)


def test_the_c_call_path_casts_safely_and_leaves_the_rest_to_python() -> None:
    x = T.dvector("x")
    f = tracegraph.function([x], x * 2)
    np.testing.assert_array_equal(f(np.arange(3)), [0.0, 2.0, 4.0])  # int64 -> float64
    strict = tracegraph.function([tracegraph.In(x, strict=True)], x * 2)
    with pytest.raises(tracegraph.InputTypeError, match="strict"):
        strict(np.arange(3))
    narrow = T.fvector("narrow")
    g = tracegraph.function([narrow], narrow * 2)
    with pytest.raises(tracegraph.InputTypeError, match="lose precision"):
        g(np.arange(3.0))  # float64 -> float32 is not safe: the Python path raises
    h = tracegraph.function([narrow], narrow * 2, allow_input_downcast=True)
    np.testing.assert_array_equal(h(np.arange(3.0)), np.array([0, 2, 4], dtype=np.float32))
