"""Property tests: random elementwise / broadcasting / reduction expressions agree with NumPy.

Each example is a random expression tree over a few symbolic inputs. The tree is a plain data
description (so that Hypothesis shows and shrinks it); the test evaluates it twice: once with
``tracegraph.tensor`` and ``tracegraph.function``, once directly with NumPy on the input arrays.
The two results must have the same dtype, shape and values (NaN and inf in the same places).

Shapes follow Theano's broadcasting rule, under which only dimensions of static size 1 broadcast.
To build only valid trees, every subtree is generated against a *frame*: one entry per axis,
either a label (``"i"``, ``"j"``, ``"k"``; each label has one size for the whole example) or
``BROADCAST`` (a dimension of static size 1). A subtree generated for a target frame has a frame
that *fits* it: right-aligned, no longer, and each entry equal to the target's or ``BROADCAST``.
Two subtrees that fit the same frame can always be combined elementwise.

Only ops that NumPy computes with a ufunc of its own appear here, so that both sides compute the
same thing; ``sigmoid``, ``softplus`` and ``erf`` are checked op by op in
``tests/backends/test_numpy_elementwise.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from numpy.typing import NDArray

import tracegraph
import tracegraph.tensor as T
from tests.numpy_oracle import BINARY_OPS, REDUCTIONS, assert_matches_numpy
from tracegraph.tensor import TensorVariable

Array: TypeAlias = NDArray[Any]
PythonScalar: TypeAlias = bool | int | float
AxisArgument: TypeAlias = int | tuple[int, ...] | None
Frame: TypeAlias = tuple[str, ...]
DimShufflePattern: TypeAlias = tuple[int | str, ...]

BROADCAST = "x"
LABELS = ("i", "j", "k")
MAX_RANK = 3
INPUT_DTYPES = ("float64", "float32", "int32", "int64", "bool")
# Inputs are floats more often than not: most ops have more to get wrong on floats.
WEIGHTED_INPUT_DTYPES = ("float64", "float32", *INPUT_DTYPES)
PYTHON_SCALARS: tuple[PythonScalar, ...] = (0, 1, 2, -3, 0.5, -1.5, 2.0, True, False)
SPECIAL_FLOATS = (np.nan, np.inf, -np.inf)

UNARY_OPS: dict[str, tuple[Callable[[TensorVariable], TensorVariable], np.ufunc]] = {
    "neg": (T.neg, np.negative),
    "abs": (T.abs_, np.absolute),
    "sign": (T.sign, np.sign),
    "exp": (T.exp, np.exp),
    "log": (T.log, np.log),
    "log1p": (T.log1p, np.log1p),
    "expm1": (T.expm1, np.expm1),
    "sqrt": (T.sqrt, np.sqrt),
    "sqr": (T.sqr, np.square),
    "tanh": (T.tanh, np.tanh),
    "sin": (T.sin, np.sin),
    "cos": (T.cos, np.cos),
    "floor": (T.floor, np.floor),
    "ceil": (T.ceil, np.ceil),
    "round": (T.round, np.rint),
    "invert": (T.invert, np.invert),
}

ARG_REDUCTIONS = ("argmax", "argmin")
ALL_OPS = (*UNARY_OPS, *BINARY_OPS, *REDUCTIONS)
FALLBACK_DTYPES = {"invert": "int64", "and": "int64", "or": "int64", "xor": "int64"}
"""The dtype operands are cast to when an op must be applied but is not defined for their dtype
(float64 for the ops not listed)."""


# -- expression trees ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Input:
    """The symbolic input number ``index``."""

    index: int


@dataclass(frozen=True)
class Literal:
    """A Python scalar operand (weakly typed: it takes the other operand's kind of dtype)."""

    value: PythonScalar


@dataclass(frozen=True)
class Unary:
    op: str
    operand: Expression


@dataclass(frozen=True)
class Binary:
    op: str
    left: Expression
    right: Expression


@dataclass(frozen=True)
class Cast:
    dtype: str
    operand: Expression


@dataclass(frozen=True)
class DimShuffle:
    pattern: DimShufflePattern
    operand: Expression


@dataclass(frozen=True)
class Reduction:
    op: str
    axis: AxisArgument
    keepdims: bool
    operand: Expression


Expression: TypeAlias = Input | Literal | Unary | Binary | Cast | DimShuffle | Reduction


@dataclass(frozen=True)
class InputSpec:
    """One input of an example: its dtype, frame and value."""

    dtype: str
    frame: Frame
    array: Array

    @property
    def broadcastable(self) -> tuple[bool, ...]:
        return tuple(entry == BROADCAST for entry in self.frame)


@dataclass(frozen=True)
class ExpressionCase:
    """A random expression over ``inputs``."""

    expression: Expression
    inputs: tuple[InputSpec, ...]


# -- evaluation, symbolic and with NumPy ---------------------------------------------------------


def apply_numpy_ufunc(ufunc: np.ufunc, *operands: Array | PythonScalar) -> Array:
    """``ufunc`` on the operands, except that where NumPy would compute in float16, it computes
    in float32 (tracegraph has no float16)."""
    with np.errstate(all="ignore"):
        result = np.asarray(ufunc(*operands))
        if result.dtype == np.float16:
            widened = [
                operand.astype(np.float32) if isinstance(operand, np.ndarray) else operand
                for operand in operands
            ]
            result = np.asarray(ufunc(*widened))
        if ufunc is np.power:
            # tg.pow is C's pow. NumPy's power takes a sqrt shortcut for a broadcast exponent of
            # 0.5, where (-inf) ** 0.5 is NaN (inf in C) and (-0.0) ** 0.5 is -0.0 (0.0 in C):
            # the same values, each operand given its own memory, take the pow loop.
            materialized = [
                np.array(np.broadcast_to(np.asarray(operand, dtype=result.dtype), result.shape))
                for operand in operands
            ]
            result = np.asarray(ufunc(*materialized))
    return result


def test_the_oracle_of_a_python_scalar_power_is_cs_pow() -> None:
    """Found by hypothesis: ``x ** 0.5`` at ``-inf`` is inf in tracegraph (C's pow, as Theano's C
    backend), where NumPy's shortcut through sqrt gives NaN."""
    vector = np.array([-np.inf, -0.0, 4.0], dtype=np.float32)
    expected = apply_numpy_ufunc(np.power, vector, 0.5)
    assert expected.dtype == np.float32
    np.testing.assert_array_equal(expected, [np.inf, 0.0, 2.0])
    assert not np.signbit(expected[1])
    x = T.fvector("x")
    np.testing.assert_array_equal(tracegraph.function([x], x**0.5)(vector), expected)


def numpy_cast(array: Array, dtype: str) -> Array:
    """``array`` converted to ``dtype`` (NaN or inf to an integer gives what the platform gives,
    on both sides)."""
    with np.errstate(all="ignore"):
        return array.astype(dtype)


def numpy_dimshuffle(array: Array, pattern: DimShufflePattern) -> Array:
    """Theano's dimshuffle in NumPy: axes left out of ``pattern`` (of size 1) are dropped, the
    others permuted, and ``"x"`` inserts a new axis of size 1."""
    kept = [axis for axis in pattern if axis != BROADCAST]
    assert all(isinstance(axis, int) for axis in kept)
    kept_axes = [int(axis) for axis in kept]
    dropped = [axis for axis in range(array.ndim) if axis not in kept_axes]
    permuted = np.transpose(array, kept_axes + dropped)
    squeezed = permuted.reshape([array.shape[axis] for axis in kept_axes])
    return np.asarray(
        squeezed[tuple(None if axis == BROADCAST else slice(None) for axis in pattern)]
    )


def numpy_reduce(op: str, array: Array, axis: AxisArgument, keepdims: bool) -> Array:
    """The reduction ``op`` with NumPy; several axes of an argmax/argmin are flattened together
    (in increasing axis order)."""
    function = REDUCTIONS[op][1]
    if op in ARG_REDUCTIONS and isinstance(axis, tuple):
        axes = sorted(a % array.ndim for a in axis)
        others = [a for a in range(array.ndim) if a not in axes]
        moved = np.transpose(array, others + axes)
        flat = moved.reshape((*moved.shape[: len(others)], -1))
        result = function(flat, axis=-1)
        return np.asarray(np.expand_dims(result, axes) if keepdims else result)
    with np.errstate(all="ignore"):
        return np.asarray(function(array, axis=axis, keepdims=keepdims))


def evaluate_numpy(expression: Expression, arrays: Sequence[Array]) -> Array | PythonScalar:
    """The value of ``expression`` computed directly with NumPy."""
    match expression:
        case Input(index):
            return arrays[index]
        case Literal(literal_value):
            return literal_value
        case Unary(op, operand):
            return apply_numpy_ufunc(UNARY_OPS[op][1], evaluate_array(operand, arrays))
        case Binary(op, left, right):
            left_value, right_value = evaluate_numpy(left, arrays), evaluate_numpy(right, arrays)
            if op == "pow" and isinstance(left_value, np.ndarray):
                right_value = _array_exponent(left_value, right_value)
            return apply_numpy_ufunc(BINARY_OPS[op][1], left_value, right_value)
        case Cast(dtype, operand):
            return numpy_cast(evaluate_array(operand, arrays), dtype)
        case DimShuffle(pattern, operand):
            return numpy_dimshuffle(evaluate_array(operand, arrays), pattern)
        case Reduction(op, axis, keepdims, operand):
            return numpy_reduce(op, evaluate_array(operand, arrays), axis, keepdims)
    raise AssertionError(f"unknown expression {expression!r}")


def _array_exponent(base: Array, exponent: Array | PythonScalar) -> Array | PythonScalar:
    """A Python-scalar exponent as an array of the dtype NumPy would give it: for a scalar
    ``0.5`` NumPy's ``power`` takes a ``sqrt`` shortcut (``(-inf) ** 0.5`` is NaN), while
    ``tg.pow`` is C's ``pow`` everywhere (``inf``, as NumPy gives for an array exponent)."""
    if isinstance(exponent, np.ndarray):
        return exponent
    dtype = np.result_type(base, exponent)
    return np.full((1,) * base.ndim, exponent, dtype=dtype)


def evaluate_array(expression: Expression, arrays: Sequence[Array]) -> Array:
    """The value of an expression that is not a Python scalar literal."""
    value = evaluate_numpy(expression, arrays)
    assert isinstance(value, np.ndarray)
    return value


def build_symbolic(
    expression: Expression, inputs: Sequence[TensorVariable]
) -> TensorVariable | PythonScalar:
    """The symbolic graph of ``expression`` over the symbolic ``inputs``."""
    match expression:
        case Input(index):
            return inputs[index]
        case Literal(value):
            return value
        case Unary(op, operand):
            variable = build_symbolic(operand, inputs)
            assert isinstance(variable, TensorVariable)
            return UNARY_OPS[op][0](variable)
        case Binary(op, left, right):
            return BINARY_OPS[op][0](build_symbolic(left, inputs), build_symbolic(right, inputs))
        case Cast(dtype, operand):
            variable = build_symbolic(operand, inputs)
            assert isinstance(variable, TensorVariable)
            return T.cast(variable, dtype)
        case DimShuffle(pattern, operand):
            variable = build_symbolic(operand, inputs)
            assert isinstance(variable, TensorVariable)
            return variable.dimshuffle(*pattern)
        case Reduction(op, axis, keepdims, operand):
            variable = build_symbolic(operand, inputs)
            assert isinstance(variable, TensorVariable)
            return REDUCTIONS[op][0](variable, axis=axis, keepdims=keepdims)
    raise AssertionError(f"unknown expression {expression!r}")


def compile_and_run(case: ExpressionCase) -> Array:
    """Build ``case`` with tracegraph, compile it and call it on the input arrays."""
    variables = [
        T.tensor(spec.dtype, broadcastable=spec.broadcastable, name=f"x{index}")
        for index, spec in enumerate(case.inputs)
    ]
    output = build_symbolic(case.expression, variables)
    assert isinstance(output, TensorVariable)
    compiled = tracegraph.function(variables, output)
    result = compiled(*[spec.array for spec in case.inputs])
    assert isinstance(result, np.ndarray)
    return result


# -- generating expressions ----------------------------------------------------------------------


def fits(frame: Frame, target: Frame) -> bool:
    """Whether a value of ``frame`` can stand where ``target`` is expected (right-aligned)."""
    if len(frame) > len(target):
        return False
    aligned = target[len(target) - len(frame) :]
    return all(entry in (BROADCAST, wanted) for entry, wanted in zip(frame, aligned, strict=True))


def padded_pattern(rank: int, length: int) -> list[int | str]:
    """The dimshuffle pattern that pads a ``rank``-d value with leading new axes to ``length``."""
    return [BROADCAST] * (length - rank) + list(range(rank))


def element_strategy(dtype: str) -> st.SearchStrategy[Any]:
    if dtype == "bool":
        return st.booleans()
    if dtype.startswith("int"):
        return st.integers(-5, 5)
    finite = st.floats(-5, 5, width=32 if dtype == "float32" else 64)
    # Mostly finite values, sometimes NaN or an infinity.
    return st.one_of(finite, finite, finite, st.sampled_from(SPECIAL_FLOATS))


@dataclass(frozen=True)
class Generated:
    """A generated subtree with its NumPy value and its frame."""

    expression: Expression
    value: Any  # an array, or a Python scalar for a Literal
    frame: Frame

    @property
    def rank(self) -> int:
        return len(self.frame)


class ExpressionGenerator:
    """Draws a random expression tree, keeping its NumPy value alongside."""

    def __init__(self, draw: st.DrawFn):
        self.draw = draw
        self.sizes = {label: draw(st.integers(1, 3)) for label in LABELS}
        self.inputs: list[InputSpec] = []

    def frame_entry(self) -> str:
        return self.draw(st.sampled_from((*LABELS, BROADCAST)))

    def random_frame(self, length: int) -> Frame:
        return tuple(self.frame_entry() for _ in range(length))

    def generate(self, target: Frame, depth: int, op: str | None = None) -> Generated:
        """A subtree whose frame fits ``target``; its root applies ``op`` when one is given."""
        if op in UNARY_OPS:
            kind = "unary"
        elif op in BINARY_OPS:
            kind = "binary"
        elif op in REDUCTIONS:
            kind = "reduction"
        elif depth > 0:
            kind = self.draw(
                st.sampled_from(("unary", "binary", "cast", "dimshuffle", "reduction", "input"))
            )
        else:
            kind = "input"
        if kind == "unary":
            generated = self.unary(target, depth - 1, op)
        elif kind == "binary":
            generated = self.binary(target, depth - 1, op)
        elif kind == "cast":
            generated = self.cast(target, depth - 1)
        elif kind == "dimshuffle":
            generated = self.dimshuffle(target, depth - 1)
        elif kind == "reduction":
            generated = self.reduction(target, depth - 1, op)
        else:
            generated = self.input(target)
        assert fits(generated.frame, target), (generated, target)
        return generated

    def input(self, target: Frame) -> Generated:
        reusable = [i for i, spec in enumerate(self.inputs) if fits(spec.frame, target)]
        reuse = self.draw(st.booleans()) if reusable else False
        if reuse:
            index = self.draw(st.sampled_from(reusable))
        else:
            rank = self.draw(st.integers(0, len(target)))
            frame = tuple(
                BROADCAST if self.draw(st.integers(0, 3)) == 0 else entry
                for entry in target[len(target) - rank :]
            )
            dtype = self.draw(st.sampled_from(WEIGHTED_INPUT_DTYPES))
            shape = tuple(1 if entry == BROADCAST else self.sizes[entry] for entry in frame)
            array = self.draw(hnp.arrays(dtype, shape, elements=element_strategy(dtype)))
            index = len(self.inputs)
            self.inputs.append(InputSpec(dtype, frame, array))
        spec = self.inputs[index]
        return Generated(Input(index), spec.array, spec.frame)

    def literal(self) -> Generated:
        value = self.draw(st.sampled_from(PYTHON_SCALARS))
        return Generated(Literal(value), value, ())

    @staticmethod
    def converted(operand: Generated, dtype: str) -> Generated:
        """``operand`` cast to ``dtype`` (a Python scalar literal stays as it is)."""
        if isinstance(operand.expression, Literal):
            return operand
        return Generated(
            Cast(dtype, operand.expression), numpy_cast(operand.value, dtype), operand.frame
        )

    def cast(self, target: Frame, depth: int) -> Generated:
        operand = self.generate(target, depth)
        return self.converted(operand, self.draw(st.sampled_from(INPUT_DTYPES)))

    @staticmethod
    def unary_results(operand: Generated) -> dict[str, Array]:
        """The NumPy value of every unary op defined for the operand's dtype."""
        results = {}
        for op, (_, ufunc) in UNARY_OPS.items():
            try:
                results[op] = apply_numpy_ufunc(ufunc, operand.value)
            except TypeError:  # NumPy does not define the op for this dtype
                continue
        return results

    def unary(self, target: Frame, depth: int, op: str | None) -> Generated:
        operand = self.generate(target, depth)
        if op is not None and op not in self.unary_results(operand):
            operand = self.converted(operand, FALLBACK_DTYPES.get(op, "float64"))
        results = self.unary_results(operand)
        if op is None:
            op = self.draw(st.sampled_from(sorted(results)))
        return Generated(Unary(op, operand.expression), results[op], operand.frame)

    @staticmethod
    def binary_results(left: Generated, right: Generated) -> dict[str, Array]:
        """The NumPy value of every binary op defined for the operands' dtypes."""
        results = {}
        for op, (_, ufunc) in BINARY_OPS.items():
            try:
                value = apply_numpy_ufunc(ufunc, left.value, right.value)
            except TypeError:  # NumPy does not define the op for these dtypes
                continue
            except ValueError:  # integers to negative integer powers
                continue
            if op == "pow" and value.dtype.kind != "f":
                continue  # integers to negative integer powers would be an error
            results[op] = value
        return results

    def binary(self, target: Frame, depth: int, op: str | None) -> Generated:
        left = self.generate(target, depth)
        literal_side = self.draw(st.sampled_from(("none", "none", "left", "right")))
        if literal_side == "left":
            left, right = self.literal(), left
        elif literal_side == "right":
            right = self.literal()
        else:
            right = self.generate(target, depth)
        if op is not None and op not in self.binary_results(left, right):
            dtype = FALLBACK_DTYPES.get(op, "float64")
            left, right = self.converted(left, dtype), self.converted(right, dtype)
        results = self.binary_results(left, right)
        if op is None:
            op = self.draw(st.sampled_from(sorted(results)))
        else:
            assume(op in results)  # e.g. a bitwise op with a float literal
        rank = max(left.rank, right.rank)
        padded_left = (BROADCAST,) * (rank - left.rank) + left.frame
        padded_right = (BROADCAST,) * (rank - right.rank) + right.frame
        frame = tuple(
            b if a == BROADCAST else a for a, b in zip(padded_left, padded_right, strict=True)
        )
        return Generated(Binary(op, left.expression, right.expression), results[op], frame)

    def dimshuffle(self, target: Frame, depth: int) -> Generated:
        """Insert a broadcastable axis, permute the axes, or drop a broadcastable axis."""
        kinds = []
        if len(target) >= 1:
            kinds.append("insert")
        if len(target) >= 2:
            kinds.append("permute")
        if len(target) < MAX_RANK:
            kinds.append("drop")
        kind = self.draw(st.sampled_from(kinds))
        if kind == "insert":
            position = self.draw(st.integers(0, len(target) - 1))
            child_target = target[:position] + target[position + 1 :]
            operand = self.generate(child_target, depth)
            padded = padded_pattern(operand.rank, len(child_target))
            pattern = [*padded[:position], BROADCAST, *padded[position:]]
        elif kind == "permute":
            permutation = self.draw(st.permutations(range(len(target))))
            child_target = tuple(target[permutation.index(axis)] for axis in range(len(target)))
            operand = self.generate(child_target, depth)
            padded = padded_pattern(operand.rank, len(child_target))
            pattern = [padded[axis] for axis in permutation]
        else:
            position = self.draw(st.integers(0, len(target)))
            child_target = (*target[:position], BROADCAST, *target[position:])
            operand = self.generate(child_target, depth)
            padded = padded_pattern(operand.rank, len(child_target))
            pattern = padded[:position] + padded[position + 1 :]
        frame = tuple(
            BROADCAST if axis == BROADCAST else operand.frame[int(axis)] for axis in pattern
        )
        value = numpy_dimshuffle(operand.value, tuple(pattern))
        return Generated(DimShuffle(tuple(pattern), operand.expression), value, frame)

    def axis_argument(self, axes: list[int], rank: int) -> AxisArgument:
        """``axes`` as an int or a tuple, in any order, each maybe negative."""
        spelled = [axis - rank if self.draw(st.booleans()) else axis for axis in axes]
        if len(spelled) == 1 and self.draw(st.booleans()):
            return spelled[0]
        return tuple(self.draw(st.permutations(spelled)))

    def reduction(self, target: Frame, depth: int, op: str | None) -> Generated:
        if op is None:
            op = self.draw(st.sampled_from(sorted(REDUCTIONS)))
        keepdims = self.draw(st.booleans())
        single_axis = op in ARG_REDUCTIONS
        explicit_axes = self.draw(st.booleans())
        if keepdims and explicit_axes and len(target) >= 1:
            # The reduced axes become broadcastable: any frame entry may be there before.
            count = 1 if single_axis else self.draw(st.integers(1, len(target)))
            positions = self.draw(st.permutations(range(len(target))))[:count]
            child_target = tuple(
                self.frame_entry() if position in positions else entry
                for position, entry in enumerate(target)
            )
        elif not keepdims and explicit_axes and len(target) < MAX_RANK:
            # The reduced axes disappear: insert new entries into the target.
            count = 1 if single_axis else self.draw(st.integers(1, MAX_RANK - len(target)))
            child_entries: list[str | None] = [*target]
            for _ in range(count):
                child_entries.insert(self.draw(st.integers(0, len(child_entries))), None)
            positions = [i for i, entry in enumerate(child_entries) if entry is None]
            child_target = tuple(self.frame_entry() if e is None else e for e in child_entries)
        else:
            explicit_axes = False
            positions = []
            length = len(target) if keepdims else self.draw(st.integers(0, MAX_RANK))
            child_target = self.random_frame(length)
        operand = self.generate(child_target, depth)
        # The operand may have fewer axes than child_target: its axes are the last ones.
        offset = len(child_target) - operand.rank
        axes = [position - offset for position in sorted(positions) if position >= offset]
        if not explicit_axes or (single_axis and not axes):
            axis: AxisArgument = None
            reduced = list(range(operand.rank))
        else:
            axis = self.axis_argument(axes, operand.rank)
            reduced = axes
        if keepdims:
            frame = tuple(
                BROADCAST if i in reduced else entry for i, entry in enumerate(operand.frame)
            )
        else:
            frame = tuple(entry for i, entry in enumerate(operand.frame) if i not in reduced)
        value = numpy_reduce(op, operand.value, axis, keepdims)
        return Generated(Reduction(op, axis, keepdims, operand.expression), value, frame)


@st.composite
def expression_cases(draw: st.DrawFn, root_op: str | None = None) -> ExpressionCase:
    """A random expression over random inputs; its root applies ``root_op`` if given."""
    generator = ExpressionGenerator(draw)
    depth = draw(st.integers(1, 5))
    target = generator.random_frame(draw(st.integers(0, MAX_RANK)))
    generated = generator.generate(target, depth, root_op)
    return ExpressionCase(generated.expression, tuple(generator.inputs))


# -- the properties ------------------------------------------------------------------------------


@pytest.mark.parametrize("root_op", ALL_OPS)
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_expression_matches_numpy(root_op: str, data: st.DataObject) -> None:
    """A random tree whose root applies ``root_op`` (so that every op is exercised) agrees with
    NumPy."""
    case = data.draw(expression_cases(root_op), label="case")
    expected = evaluate_numpy(case.expression, [spec.array for spec in case.inputs])
    assert isinstance(expected, np.ndarray)
    assert_matches_numpy(compile_and_run(case), expected)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=expression_cases())
def test_random_expression_with_any_root_matches_numpy(case: ExpressionCase) -> None:
    expected = evaluate_numpy(case.expression, [spec.array for spec in case.inputs])
    assert isinstance(expected, np.ndarray)
    assert_matches_numpy(compile_and_run(case), expected)


@settings(max_examples=100, deadline=None)
@given(case=expression_cases())
def test_symbolic_type_matches_the_computed_value(case: ExpressionCase) -> None:
    """The static type of the graph agrees with what running it gives: same dtype, same rank,
    and every statically known size is the actual size."""
    variables = [T.tensor(spec.dtype, broadcastable=spec.broadcastable) for spec in case.inputs]
    output = build_symbolic(case.expression, variables)
    assert isinstance(output, TensorVariable)
    expected = evaluate_numpy(case.expression, [spec.array for spec in case.inputs])
    assert isinstance(expected, np.ndarray)
    assert output.dtype == expected.dtype.name
    assert output.ndim == expected.ndim
    for static, actual in zip(output.type.shape, expected.shape, strict=True):
        assert static is None or static == actual


@st.composite
def reduction_cases(draw: st.DrawFn) -> tuple[Array, str, AxisArgument, bool]:
    dtype = draw(st.sampled_from(INPUT_DTYPES))
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=MAX_RANK, min_side=1, max_side=4))
    array = draw(hnp.arrays(dtype, shape, elements=element_strategy(dtype)))
    op = draw(st.sampled_from(sorted(REDUCTIONS)))
    keepdims = draw(st.booleans())
    ndim = len(shape)
    axis_kind = draw(st.sampled_from(("none", "int", "tuple", "empty") if ndim else ("none",)))
    axis: AxisArgument = None
    if axis_kind == "int":
        axis = draw(st.integers(-ndim, ndim - 1))
    elif axis_kind == "tuple":
        axes = draw(st.lists(st.integers(0, ndim - 1), min_size=1, unique=True))
        axis = tuple(a - ndim if draw(st.booleans()) else a for a in axes)
    elif axis_kind == "empty" and op not in ARG_REDUCTIONS:
        axis = ()
    return array, op, axis, keepdims


@settings(max_examples=300, deadline=None)
@given(case=reduction_cases())
def test_reduction_matches_numpy(case: tuple[Array, str, AxisArgument, bool]) -> None:
    array, op, axis, keepdims = case
    x = T.tensor(array.dtype.name, shape=(None,) * array.ndim, name="x")
    compiled = tracegraph.function([x], REDUCTIONS[op][0](x, axis=axis, keepdims=keepdims))
    assert_matches_numpy(compiled(array), numpy_reduce(op, array, axis, keepdims))


WEAK_SCALAR_DTYPES = ("float64", "float32", "int64", "int32", "int16", "int8", "bool")


@settings(max_examples=300, deadline=None)
@given(
    dtype=st.sampled_from(WEAK_SCALAR_DTYPES),
    op=st.sampled_from(sorted(BINARY_OPS)),
    scalar=st.sampled_from(PYTHON_SCALARS),
    scalar_on_the_left=st.booleans(),
    data=st.data(),
)
def test_python_scalar_operand_is_weakly_typed(
    dtype: str, op: str, scalar: PythonScalar, scalar_on_the_left: bool, data: st.DataObject
) -> None:
    """A Python scalar next to a tensor behaves as in NumPy 2 (NEP 50): ``fvector + 1.5`` stays
    float32, ``ivector + 1.5`` is float64; invalid combinations raise ``TypeError`` in both."""
    if op == "pow" and not dtype.startswith("float"):
        # Integers (and booleans, which promote to integers) to negative integer powers are an
        # error in NumPy: keep the exponent non-negative.
        elements: st.SearchStrategy[Any] = (
            element_strategy(dtype) if dtype == "bool" else st.integers(0, 5)
        )
        assume(scalar_on_the_left or isinstance(scalar, float) or scalar >= 0)
    else:
        elements = element_strategy(dtype)
    array = data.draw(hnp.arrays(dtype, (3,), elements=elements), label="array")
    operands: list[Any] = [scalar, array] if scalar_on_the_left else [array, scalar]
    try:
        expected = apply_numpy_ufunc(BINARY_OPS[op][1], *operands)
    except TypeError:
        with pytest.raises(TypeError):
            build_weak_scalar_expression(op, dtype, scalar, scalar_on_the_left)
        return
    x, output = build_weak_scalar_expression(op, dtype, scalar, scalar_on_the_left)
    assert output.dtype == expected.dtype.name
    assert_matches_numpy(tracegraph.function([x], output)(array), expected)


def build_weak_scalar_expression(
    op: str, dtype: str, scalar: PythonScalar, scalar_on_the_left: bool
) -> tuple[TensorVariable, TensorVariable]:
    x = T.tensor(dtype, shape=(None,), name="x")
    function = BINARY_OPS[op][0]
    output = function(scalar, x) if scalar_on_the_left else function(x, scalar)
    return x, output


@settings(max_examples=150, deadline=None)
@given(
    ndim=st.integers(1, MAX_RANK),
    data=st.data(),
    declared_broadcastable=st.booleans(),
    dtype=st.sampled_from(INPUT_DTYPES),
)
def test_size_one_dimension_broadcasts_only_when_declared_broadcastable(
    ndim: int, data: st.DataObject, declared_broadcastable: bool, dtype: str
) -> None:
    """Theano's rule: an input dimension of size 1 broadcasts against a larger one only when the
    type says so (``T.row``, ``T.col``...); otherwise the call raises ``ShapeMismatchError``."""
    shape = data.draw(st.tuples(*[st.integers(2, 4)] * ndim), label="shape")
    axis = data.draw(st.integers(0, ndim - 1), label="axis")
    small_shape = tuple(1 if a == axis else size for a, size in enumerate(shape))
    big = data.draw(hnp.arrays(dtype, shape, elements=element_strategy(dtype)), label="big")
    small = data.draw(
        hnp.arrays(dtype, small_shape, elements=element_strategy(dtype)), label="small"
    )
    small_type_shape = tuple(
        1 if a == axis and declared_broadcastable else None for a in range(ndim)
    )
    x = T.tensor(dtype, shape=(None,) * ndim, name="big")
    y = T.tensor(dtype, shape=small_type_shape, name="small")
    compiled = tracegraph.function([x, y], T.maximum(x, y))
    if declared_broadcastable:
        assert_matches_numpy(compiled(big, small), np.maximum(big, small))
    else:
        with pytest.raises(tracegraph.ShapeMismatchError, match=r"tg\.maximum"):
            compiled(big, small)
