"""The torch runtime's array operations (``torch_operations.py``) against the reference kernels
on random indices, shapes and values: NumPy's results and NumPy's errors, on CPU tensors (where
torch is installed: the GPU machines; CI has no torch)."""

from __future__ import annotations

from typing import Any

import hypothesis.strategies as st
import numpy as np
import pytest
from hypothesis import given, settings
from xdsl.ir import Block, Operation

from tracegraph.backends.triton.torch_operations import TORCH_OPERATIONS
from tracegraph.errors import IndexOutOfBoundsError, RuntimeOpError, ShapeMismatchError
from tracegraph.ir import ops
from tracegraph.ir.interpreter import REFERENCE_RULES, runtime_error
from tracegraph.ir.ops.subtensor import ARRAY_INDEX, EMPTY_ELLIPSIS, SCALAR_INDEX
from tracegraph.ir.types import tensor_type

torch = pytest.importorskip("torch")

INDEX_DTYPES = ("int8", "uint8", "int32", "int64", "uint64")


@st.composite
def indexed(draw: st.DrawFn) -> tuple[np.ndarray, list[int], list[np.ndarray]]:
    """An array, index entries (one per leading axis, ``...`` standing for no axis between
    some) and their operands, in bounds or out of them now and then."""
    shape = draw(st.lists(st.integers(0, 4), min_size=1, max_size=4))
    x = np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape) - 3.5
    entries: list[int] = []
    values: list[np.ndarray] = []
    indexed_axes = draw(st.integers(0, len(shape)))
    # An ``...`` stands for no axis only where the entries index every axis, and there is one
    # at most (the IR's meaning, as the frontend makes it: NumPy would give it the axes left
    # over, and refuses two).
    whole = indexed_axes == len(shape)
    for size in shape[:indexed_axes]:
        if whole and entries and EMPTY_ELLIPSIS not in entries and draw(st.integers(0, 3)) == 0:
            entries.append(EMPTY_ELLIPSIS)
        kind = draw(st.sampled_from(["scalar", "array", "slice", "slice"]))
        low, high = -size - 1, size  # one past each end now and then
        if kind == "scalar":
            entries.append(SCALAR_INDEX)
            values.append(np.array(draw(st.integers(low, high)), dtype=np.int64))
        elif kind == "array":
            entries.append(ARRAY_INDEX)
            dtype = draw(st.sampled_from(INDEX_DTYPES))
            unsigned = dtype.startswith("uint")
            items = st.integers(0 if unsigned else max(low, -128), max(0, min(high, 127)))
            index_shape = draw(st.sampled_from([(), (1,), (2,), (3,), (2, 1), (1, 3)]))
            count = int(np.prod(index_shape))
            values.append(
                np.array(
                    draw(st.lists(items, min_size=count, max_size=count)), dtype=dtype
                ).reshape(index_shape)
            )
        else:
            entry = draw(st.integers(0, 7))
            entries.append(entry)
            for bit, bound in (
                (1, st.integers(-6, 6)),
                (2, st.integers(-6, 6)),
                (4, st.sampled_from([-3, -2, -1, 1, 2, 3])),
            ):
                if entry & bit:
                    values.append(np.array(draw(bound), dtype=np.int64))
    return x, entries, values


def _block(*arrays: np.ndarray) -> Block:
    return Block(arg_types=[tensor_type(str(a.dtype), a.shape) for a in arrays])


def _outcome(run: Any) -> tuple[str, Any]:
    """``("ok", result)``, or the kind of error the program would raise (as the interpreter
    types a kernel's error)."""
    try:
        result = run()
    except (IndexOutOfBoundsError, ShapeMismatchError, RuntimeOpError) as error:
        return type(error).__name__, None
    except (ValueError, IndexError, OverflowError) as error:
        return type(runtime_error(ops.ShapeOp.create(), [], error)).__name__, None
    return "ok", result


def _compare(op: Operation, operands: list[np.ndarray]) -> None:
    reference = REFERENCE_RULES[type(op)](op)
    on_torch = TORCH_OPERATIONS[type(op)](op)
    expected_kind, expected = _outcome(lambda: reference(*operands))
    kind, result = _outcome(lambda: on_torch(*(torch.from_numpy(np.array(o)) for o in operands)))
    assert kind == expected_kind
    if kind == "ok":
        np.testing.assert_array_equal(result.numpy(), expected)
        assert result.numpy().shape == np.shape(expected)


@settings(max_examples=400, deadline=None)
@given(indexed())
def test_subtensor_is_numpys_indexing(case: tuple[np.ndarray, list[int], list[np.ndarray]]) -> None:
    x, entries, values = case
    block = _block(x, *values)
    x_value, *index_values = block.args
    op = ops.SubtensorOp(x_value, index_values, entries, tensor_type("float64", (None,)))
    _compare(op, [x, *values])


@settings(max_examples=400, deadline=None)
@given(indexed(), st.booleans(), st.sampled_from([(), (1,), "target"]))
def test_set_and_inc_subtensor_are_numpys(
    case: tuple[np.ndarray, list[int], list[np.ndarray]], increment: bool, y_shape: Any
) -> None:
    x, entries, values = case
    kind, target = _outcome(
        lambda: REFERENCE_RULES[ops.SubtensorOp](
            ops.SubtensorOp(*_split(_block(x, *values)), entries, tensor_type("float64", (None,)))
        )(x, *values)
    )
    shape = np.shape(target) if y_shape == "target" and kind == "ok" else ()
    y = np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape) * 0.25 + 1
    if y_shape == (1,):
        y = y.reshape(1)
    block = _block(x, y, *values)
    x_value, y_value, *index_values = block.args
    update = ops.IncSubtensorOp if increment else ops.SetSubtensorOp
    _compare(update(x_value, y_value, index_values, entries), [x, y, *values])


def _split(block: Block) -> tuple[Any, list[Any]]:
    first, *rest = block.args
    return first, rest


def test_inc_subtensor_adds_every_repeated_index_in_order() -> None:
    x = np.zeros(3, dtype=np.float32)
    index = np.array([0, 2, 0, 0, 1, 2], dtype=np.int64)
    y = np.array([1e8, 1.0, 1.0, -1e8, 2.0, 3.0], dtype=np.float32)
    block = _block(x, y, index)
    op = ops.IncSubtensorOp(block.args[0], block.args[1], [block.args[2]], [ARRAY_INDEX])
    _compare(op, [x, y, index])


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(["int8", "int64", "uint8", "float32", "float64"]),
    st.floats(-50, 50),
    st.floats(-50, 50),
    st.floats(-7, 7).filter(lambda s: abs(s) > 1e-3),
    st.booleans(),
)
def test_arange_is_numpys(dtype: str, start: float, stop: float, step: float, whole: bool) -> None:
    if whole:
        start, stop, step = float(round(start)), float(round(stop)), float(round(step) or 1)
    bounds = [np.array(v, dtype=np.float64) for v in (start, stop, step)]
    block = _block(*bounds)
    op = ops.ArangeOp(*block.args, tensor_type(dtype, (None,)))
    _compare(op, bounds)


def test_arange_of_a_zero_step_fails_as_the_reference() -> None:
    bounds = [np.array(v, dtype=np.int64) for v in (0, 4, 0)]
    block = _block(*bounds)
    _compare(ops.ArangeOp(*block.args, tensor_type("int64", (None,))), bounds)


@pytest.mark.parametrize(
    ("value", "dims", "dtype"),
    [
        (np.array(1.5), (2, 3), "float64"),
        (np.array([1.5, -2.5, 3.0]), (2, 3), "int32"),
        (np.array([1.0, 2.0]), (2, 3), "float64"),  # does not broadcast
        (np.array(1.0), (2, -1), "float64"),  # negative size
        (np.array([[1.0, 2.0]]), (1, 2), "float32"),  # the same shape: still a new tensor
    ],
)
def test_alloc_is_numpys(value: np.ndarray, dims: tuple[int, ...], dtype: str) -> None:
    sizes = [np.array(d, dtype=np.int64) for d in dims]
    block = _block(value, *sizes)
    value_arg, *size_args = block.args
    _compare(
        ops.AllocOp(value_arg, size_args, tensor_type(dtype, (None,) * len(dims))), [value, *sizes]
    )
    result = TORCH_OPERATIONS[ops.AllocOp](
        ops.AllocOp(value_arg, size_args, tensor_type(dtype, (None,) * len(dims)))
    )
    given_value = torch.from_numpy(value)
    if dims[-1] >= 0 and value.shape[-1:] in ((), (dims[-1],), (1,)):
        allocated = result(given_value, *(torch.tensor(d) for d in dims))
        assert allocated.data_ptr() != given_value.data_ptr()


@pytest.mark.parametrize("join", [ops.ConcatenateOp, ops.StackOp])
@pytest.mark.parametrize(
    "arrays",
    [
        (np.ones((2, 3), dtype=np.int8), np.arange(6, dtype=np.float32).reshape(2, 3)),
        (np.ones((2, 3)), np.ones((2, 4))),  # concatenate on axis 1 only
        (np.ones((2, 3)), np.ones((3, 3))),  # concatenate on axis 0 only
    ],
)
@pytest.mark.parametrize("axis", [0, 1])
def test_joins_are_numpys(
    join: type[ops.JoinOp], arrays: tuple[np.ndarray, ...], axis: int
) -> None:
    block = _block(*arrays)
    dtype = str(np.result_type(*arrays))
    rank = arrays[0].ndim + (join is ops.StackOp)
    op = join(list(block.args), axis, tensor_type(dtype, (None,) * rank))
    _compare(op, list(arrays))
