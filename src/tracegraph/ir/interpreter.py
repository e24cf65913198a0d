"""The interpreter of the ``tg`` dialect on NumPy arrays (the NumPy reference backend).

It is the oracle every other backend is compared against, and ``mode="FAST_COMPILE"``.
``REFERENCE_RULES`` (``reference_rules.py``) maps each op class to a *kernel builder*: a
function that reads the op's properties once and returns the kernel, a function from operand
arrays to the result array. The random, softmax and control-flow ops' kernels are in
``random_kernels.py``, ``softmax_kernels.py`` and ``control_kernels.py``, which this module
imports so that the table is complete.
Elementwise ops follow Theano's broadcasting: only dimensions of static size 1 broadcast.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Sequence
from typing import Any, TypeAlias

import numpy as np
from numpy.typing import NDArray
from xdsl.dialects.func import FuncOp, ReturnOp
from xdsl.ir import Block, Operation, SSAValue
from xdsl.printer import Printer

from tracegraph.config import config
from tracegraph.errors import (
    AllocationError,
    IndexOutOfBoundsError,
    InvalidValueError,
    NonFiniteError,
    RuntimeOpError,
    RuntimeOverflowError,
    RuntimeTypeError,
    ShapeMismatchError,
    TracegraphError,
)

# The kernels of the along-axis, control, convolution, linear algebra, user (Python), random
# and softmax ops live beside this module; importing them registers them into REFERENCE_RULES.
from tracegraph.ir import along_axis_kernels as _along_axis_kernels  # noqa: F401
from tracegraph.ir import control_kernels as _control_kernels  # noqa: F401
from tracegraph.ir import conv_kernels as _conv_kernels  # noqa: F401
from tracegraph.ir import distributed_kernels as _distributed_kernels  # noqa: F401
from tracegraph.ir import linalg_kernels as _linalg_kernels  # noqa: F401
from tracegraph.ir import ops
from tracegraph.ir import python_ops as _python_ops  # noqa: F401
from tracegraph.ir import random_kernels as _random_kernels  # noqa: F401
from tracegraph.ir import softmax_kernels as _softmax_kernels  # noqa: F401
from tracegraph.ir.location import format_location
from tracegraph.ir.numpy_functions import NUMPY_FUNCTIONS
from tracegraph.ir.ops.shape import NEW_AXIS, JoinOp
from tracegraph.ir.ops.subtensor import (
    ARRAY_INDEX,
    EMPTY_ELLIPSIS,
    SCALAR_INDEX,
    SubtensorUpdateOp,
    group_index_operands,
)
from tracegraph.ir.reference_rules import REFERENCE_RULES as REFERENCE_RULES
from tracegraph.ir.reference_rules import Kernel as Kernel
from tracegraph.ir.reference_rules import KernelBuilder as KernelBuilder
from tracegraph.ir.reference_rules import reference_rule as reference_rule
from tracegraph.ir.traits import Elementwise
from tracegraph.ir.types import dtype_of, shape_of

Array: TypeAlias = NDArray[Any]


# -- elementwise ------------------------------------------------------------------------------


def _broadcast_checker(op: Operation) -> Callable[[Sequence[Array]], None]:
    """A check that operands agree on every axis that is not statically broadcastable."""
    patterns = [tuple(size == 1 for size in shape_of(v)) for v in op.operands]

    def check(arrays: Sequence[Array]) -> None:
        first = arrays[0].shape
        if all(a.shape == first for a in arrays):
            return
        for axis in range(len(first)):
            # The words of the compiled backends: the first operand that sets the axis's size
            # and the first that differs from it.
            sizes = [a.shape[axis] for a, p in zip(arrays, patterns, strict=True) if not p[axis]]
            differing = [size for size in sizes if size != sizes[0]]
            if differing:
                raise ShapeMismatchError(
                    f"operands have sizes {sizes[0]} and {differing[0]} on axis {axis} "
                    "(only dimensions declared broadcastable may have size 1)"
                )
            for a, p in zip(arrays, patterns, strict=True):
                if p[axis] and a.shape[axis] != 1:
                    raise ShapeMismatchError(
                        f"an operand declared broadcastable on axis {axis} has size {a.shape[axis]}"
                    )

    return check


def _ufunc_kernel(op: Operation, function: Callable[..., Any]) -> Kernel:
    out_dtype = np.dtype(dtype_of(op.results[0]))
    check = _broadcast_checker(op)
    # Where NumPy would compute in float16 (exp of an int8), compute in the result dtype.
    cast_inputs = out_dtype.kind == "f" and any(dtype_of(v) != out_dtype.name for v in op.operands)

    def kernel(*arrays: Array) -> Any:
        check(arrays)
        if cast_inputs:
            arrays = tuple(np.asarray(a).astype(out_dtype, copy=False) for a in arrays)
        result = function(*arrays)
        if result.dtype != out_dtype:
            result = cast_array(result, out_dtype)
        return result

    return kernel


ELEMENTWISE_FUNCTIONS: dict[type[Operation], Callable[..., Any]] = {
    op: entry.compute for op, entry in NUMPY_FUNCTIONS.items() if entry.compute is not None
}
"""The NumPy function computing each elementwise op but ``cast`` (from ``NUMPY_FUNCTIONS``)."""


@reference_rule(*ELEMENTWISE_FUNCTIONS)
def _elementwise(op: Operation) -> Kernel:
    return _ufunc_kernel(op, ELEMENTWISE_FUNCTIONS[type(op)])


def _x86_truncation(x: Array, bits: int) -> Array:
    """Floats to int64 as x86-64's conversion to a ``bits``-bit signed integer: toward zero
    where the result fits, else the "integer indefinite" ``-2**(bits - 1)`` (NaN included)."""
    truncated = np.trunc(x)
    limit = 2.0 ** (bits - 1)
    fits = (truncated >= -limit) & (truncated < limit)
    return np.where(fits, truncated, -limit).astype(np.int64)


def cast_array(x: Array, dtype: np.dtype[Any]) -> Array:
    """``x`` converted to ``dtype`` as ``tg.cast`` defines it: NumPy's ``astype``, with floats
    to integers as x86-64 NumPy converts a contiguous array, for every value and layout.

    NumPy's own float-to-uint32 conversion gives other values out of range in a 0-d array, a
    strided one or the last ``n % 4`` elements of a contiguous one (its scalar loop) than in
    the rest (its vector loop, taken here); this does not depend on layout or size.

    >>> cast_array(np.array([-5.0, 3.7, np.nan, 1e10, 300.0]), np.dtype("uint32")).tolist()
    [4294967291, 3, 2147483648, 0, 300]
    >>> cast_array(np.array([255.9, 256.0, -1.0, np.inf]), np.dtype("uint8")).tolist()
    [255, 0, 255, 0]
    """
    x = np.asarray(x)
    if x.dtype.kind != "f" or dtype.kind not in "iu":
        return x.astype(dtype)
    wide = x.astype(np.float64)  # exact
    if dtype == np.int64:
        return _x86_truncation(wide, 64)
    if dtype == np.uint64:
        # [2**63, 2**64) exactly, 0 above (inf included), else the int64 conversion wrapped.
        high = np.where(wide < 2.0**64, np.trunc(wide), 0.0)
        upper = np.where(wide >= 2.0**63, high, 0.0).astype(np.uint64)
        return np.where(wide >= 2.0**63, upper, _x86_truncation(wide, 64).astype(np.uint64))
    low = _x86_truncation(wide, 32)
    if dtype == np.uint32:
        # [2**31, 2**32) exactly, 0 above (inf included), else the int32 conversion wrapped.
        high = np.where(wide < 2.0**32, np.trunc(wide), 0.0)
        low = np.where(wide >= 2.0**31, high, low.astype(np.float64)).astype(np.int64)
    return low.astype(dtype)  # the smaller integers wrap the int32 conversion


@reference_rule(ops.CastOp)
def _cast(op: ops.CastOp) -> Kernel:
    out_dtype = np.dtype(dtype_of(op.result))

    def kernel(x: Array) -> Array:
        return cast_array(x, out_dtype)

    return kernel


# -- leaves -----------------------------------------------------------------------------------


@reference_rule(ops.ConstantOp)
def _constant(op: ops.ConstantOp) -> Kernel:
    value = op.to_array()
    value.flags.writeable = False  # outputs that are constants get copied before returning

    def kernel() -> Array:
        return value

    return kernel


@reference_rule(ops.InputOp, ops.SharedOp)
def _leaf(op: Operation) -> Kernel:
    def kernel() -> Array:
        raise RuntimeOpError(
            f"{op.name} only appears in traced graphs; function() turns it into an argument"
        )

    return kernel


# -- shape ------------------------------------------------------------------------------------


@reference_rule(ops.DimShuffleOp)
def _dimshuffle(op: ops.DimShuffleOp) -> Kernel:
    order = op.get_order()
    kept = [axis for axis in order if axis != NEW_AXIS]
    dropped = tuple(axis for axis in range(len(shape_of(op.x))) if axis not in kept)
    remaining = [axis for axis in range(len(shape_of(op.x))) if axis not in dropped]
    permutation = [remaining.index(axis) for axis in kept]
    new_axes = tuple(i for i, axis in enumerate(order) if axis == NEW_AXIS)

    def kernel(x: Array) -> Array:
        x = np.asarray(x)
        for axis in dropped:
            if x.shape[axis] != 1:
                raise ShapeMismatchError(f"cannot drop axis {axis} of size {x.shape[axis]}")
        y = np.squeeze(x, axis=dropped) if dropped else x
        y = np.transpose(y, permutation)
        return np.expand_dims(y, new_axes) if new_axes else y

    return kernel


@reference_rule(ops.ReshapeOp)
def _reshape(op: ops.ReshapeOp) -> Kernel:
    def kernel(x: Array, shape: Array) -> Array:
        try:
            return np.reshape(x, tuple(int(s) for s in shape))
        except ValueError as error:
            raise ShapeMismatchError(str(error)) from error

    return kernel


@reference_rule(ops.PrintOp)
def _print(op: ops.PrintOp) -> Kernel:
    message, attrs = op.message.data, op.get_attrs()

    def kernel(x: Array) -> Array:
        for attr in attrs:
            shown = x if attr == "__str__" else getattr(np.asarray(x), attr)
            shown = shown() if callable(shown) else shown
            print(f"{message} {attr} = {shown}")
        return x

    return kernel


@reference_rule(ops.SpecifyShapeOp)
def _specify_shape(op: ops.SpecifyShapeOp) -> Kernel:
    specified = shape_of(op.result)

    def kernel(x: Array) -> Array:
        x = np.asarray(x)
        for axis, (size, wanted) in enumerate(zip(x.shape, specified, strict=True)):
            if wanted is not None and size != wanted:
                shown = "(" + ", ".join("?" if s is None else str(s) for s in specified) + ")"
                raise ShapeMismatchError(
                    f"the shape is {x.shape}, specified {shown} (axis {axis}: {size} is not "
                    f"{wanted})"
                )
        return x

    return kernel


@reference_rule(ops.FlattenOp)
def _flatten(op: ops.FlattenOp) -> Kernel:
    keep = len(shape_of(op.result)) - 1

    def kernel(x: Array) -> Array:
        x = np.asarray(x)
        return x.reshape((*x.shape[:keep], math.prod(x.shape[keep:])))

    return kernel


@reference_rule(ops.DisconnectedGradOp, ops.ZeroGradOp, ops.GradClipOp)
def _identity(op: ops.GradientBarrierOp) -> Kernel:
    """A gradient barrier: the identity on values."""

    def kernel(x: Array) -> Array:
        return x

    return kernel


@reference_rule(ops.ShapeOp)
def _shape(op: ops.ShapeOp) -> Kernel:
    def kernel(x: Array) -> Array:
        return np.array(np.shape(x), dtype=np.int64)

    return kernel


@reference_rule(ops.AllocOp)
def _alloc(op: ops.AllocOp) -> Kernel:
    dtype = np.dtype(dtype_of(op.result))

    def kernel(value: Array, *dims: Array) -> Array:
        shape = tuple(int(d) for d in dims)
        if any(size < 0 for size in shape):
            raise ShapeMismatchError(f"alloc: negative size in {shape}")
        result = np.empty(shape, dtype=dtype)
        try:
            result[...] = value
        except ValueError as error:
            raise ShapeMismatchError(
                f"alloc: value of shape {np.shape(value)} does not broadcast to {shape}"
            ) from error
        return result

    return kernel


@reference_rule(ops.ArangeOp)
def _arange(op: ops.ArangeOp) -> Kernel:
    dtype = np.dtype(dtype_of(op.result))

    def kernel(start: Array, stop: Array, step: Array) -> Array:
        if step == 0:
            raise InvalidValueError("arange: step is zero")
        result: Array = np.arange(start.item(), stop.item(), step.item(), dtype=dtype)
        return result

    return kernel


_JOIN_FUNCTIONS: dict[type[JoinOp], Callable[..., Any]] = {
    ops.ConcatenateOp: np.concatenate,
    ops.StackOp: np.stack,
}


@reference_rule(ops.ConcatenateOp, ops.StackOp)
def _join(op: JoinOp) -> Kernel:
    function = _JOIN_FUNCTIONS[type(op)]
    axis = op.get_axis()
    dtype = np.dtype(dtype_of(op.result))

    def kernel(*xs: Array) -> Array:
        try:
            return np.asarray(function(xs, axis=axis)).astype(dtype, copy=False)
        except ValueError as error:
            shapes = ", ".join(str(np.shape(x)) for x in xs)
            raise ShapeMismatchError(f"{op.name} of shapes {shapes}: {error}") from error

    return kernel


# -- reductions -------------------------------------------------------------------------------

_REDUCE_FUNCTIONS: dict[type[ops.ReductionOp], Callable[..., Any]] = {
    ops.SumOp: np.sum,
    ops.ProdOp: np.prod,
    ops.MaxOp: np.max,
    ops.MinOp: np.min,
    ops.MeanOp: np.mean,
    ops.AnyOp: np.any,
    ops.AllOp: np.all,
}


def _sign_of_the_last_zero(x: Array, result: Array, axes: tuple[int, ...], keepdims: bool) -> Array:
    """``result``, a max or min over ``axes``, with each zero signed as the last zero among its
    reduced elements (in C order over the reduced axes): a fold of ``maximum`` (``minimum``),
    whose ties take the later operand. NumPy's own max and min do so when they reduce across
    rows, or a run of at most 4 (float64) or 8 (float32) contiguous elements; over longer
    runs, its vector loop decides (max of [0, -1, -0, -1, -1] is 0.0 there, -0.0 here)."""
    zero = result == 0
    if not zero.any():
        return result
    others = [axis for axis in range(x.ndim) if axis not in axes]
    moved = np.transpose(x, others + sorted(axes))
    flat = moved.reshape((*moved.shape[: len(others)], -1))
    last = flat.shape[-1] - 1 - np.argmax(flat[..., ::-1] == 0, axis=-1)
    negative = np.signbit(np.take_along_axis(flat, last[..., None], axis=-1)[..., 0])
    if keepdims:
        negative = np.expand_dims(negative, axes)
    signed_zero = np.where(negative, -0.0, 0.0).astype(result.dtype)
    return np.asarray(np.where(zero, signed_zero, result))


@reference_rule(*_REDUCE_FUNCTIONS)
def _reduce(op: ops.ReductionOp) -> Kernel:
    function = _REDUCE_FUNCTIONS[type(op)]
    axes = op.get_axes()
    keepdims = op.get_keepdims()
    dtype = np.dtype(dtype_of(op.result))
    signs_zeros = isinstance(op, ops.MaxOp | ops.MinOp) and dtype.kind == "f" and bool(axes)

    def kernel(x: Array) -> Array:
        # Over no axes too, NumPy's function: a sum or mean of -0.0 is 0.0 (0.0 + x).
        try:
            result = np.asarray(function(x, axis=axes, keepdims=keepdims))
        except ValueError as error:
            raise InvalidValueError(
                f"{op.name} of an array of shape {np.shape(x)}: {error}"
            ) from error
        if signs_zeros:
            result = _sign_of_the_last_zero(np.asarray(x), result, axes, keepdims)
        return result.astype(dtype, copy=False)

    return kernel


@reference_rule(ops.ArgmaxOp, ops.ArgminOp)
def _arg_reduce(op: ops.ReductionOp) -> Kernel:
    function = np.argmax if isinstance(op, ops.ArgmaxOp) else np.argmin
    axes = op.get_axes()
    keepdims = op.get_keepdims()

    def kernel(x: Array) -> Array:
        x = np.asarray(x)
        if not axes:
            return np.zeros(x.shape, dtype=np.int64)
        other = [axis for axis in range(x.ndim) if axis not in axes]
        moved = np.transpose(x, other + list(axes))
        flat = moved.reshape((*moved.shape[: len(other)], -1))
        try:
            result = function(flat, axis=-1)
        except ValueError as error:
            raise InvalidValueError(f"{op.name} of an array of shape {x.shape}: {error}") from error
        if keepdims:
            result = np.expand_dims(result, axes)
        return np.asarray(result, dtype=np.int64)

    return kernel


# -- linear algebra ---------------------------------------------------------------------------


@reference_rule(ops.DotOp)
def _dot(op: ops.DotOp) -> Kernel:
    dtype = np.dtype(dtype_of(op.result))

    def kernel(a: Array, b: Array) -> Array:
        try:
            return np.asarray(np.dot(a, b)).astype(dtype, copy=False)
        except ValueError as error:
            raise ShapeMismatchError(
                f"inner sizes {np.shape(a)[-1]} and {np.shape(b)[0]} differ"
            ) from error

    return kernel


# -- indexing ---------------------------------------------------------------------------------


def _index_builder(entries: Sequence[int]) -> Callable[[Sequence[Array]], tuple[Any, ...]]:
    def build(values: Sequence[Array]) -> tuple[Any, ...]:
        index: list[Any] = []
        for entry, group in zip(entries, group_index_operands(entries, values), strict=True):
            if entry == EMPTY_ELLIPSIS:
                index.append(Ellipsis)  # stands for no axis; keeps NumPy's placement rule
            elif entry == SCALAR_INDEX:
                index.append(int(group[0]))
            elif entry == ARRAY_INDEX:
                index.append(np.asarray(group[0]))
            else:
                parts = iter(group)
                start = int(next(parts)) if entry & 1 else None
                stop = int(next(parts)) if entry & 2 else None
                step = int(next(parts)) if entry & 4 else None
                if step == 0:
                    raise InvalidValueError("slice step cannot be zero")
                index.append(slice(start, stop, step))
        return tuple(index)

    return build


def _index_error(error: IndexError, shape: tuple[int, ...]) -> IndexOutOfBoundsError:
    return IndexOutOfBoundsError(f"{error} (indexed shape {shape})")


@reference_rule(ops.SubtensorOp)
def _subtensor(op: ops.SubtensorOp) -> Kernel:
    build = _index_builder(op.get_entries())

    def kernel(x: Array, *values: Array) -> Array:
        x = np.asarray(x)
        try:
            return np.asarray(x[build(values)])
        except IndexError as error:
            raise _index_error(error, x.shape) from error

    return kernel


@reference_rule(ops.SetSubtensorOp, ops.IncSubtensorOp)
def _subtensor_update(op: SubtensorUpdateOp) -> Kernel:
    entries = op.get_entries()
    build = _index_builder(entries)
    increment = isinstance(op, ops.IncSubtensorOp)
    accumulate = increment and ARRAY_INDEX in entries

    def kernel(x: Array, y: Array, *values: Array) -> Array:
        result = np.array(x, copy=True)
        index = build(values)
        try:
            if accumulate:
                np.add.at(result, index, y)
            elif increment:
                result[index] += y
            else:
                result[index] = y
        except IndexError as error:
            raise _index_error(error, result.shape) from error
        except ValueError as error:
            raise ShapeMismatchError(
                f"{op.name}: cannot broadcast a value of shape {np.shape(y)} into "
                f"{np.shape(result[index])}"
            ) from error
        return result

    return kernel


# -- the interpreter --------------------------------------------------------------------------


class ReferenceProgram:
    """A ``func.func`` of the tg dialect (or the body of a ``tg.fused``, or any block ending with
    ``tg.yield``), ready to run on NumPy arrays.

    >>> from tracegraph.ir import parse_module
    >>> module = parse_module('''
    ... func.func @f(%x: tensor<?xf64>) -> tensor<?xf64> {
    ...   %y = tg.add %x, %x : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
    ...   func.return %y : tensor<?xf64>
    ... }''')
    >>> ReferenceProgram(module.body.block.first_op).run([np.array([1.0, 2.0])])
    [array([2., 4.])]
    """

    def __init__(self, function: FuncOp | ops.FusedOp | Block):
        slots: dict[SSAValue, int] = {}
        block = function if isinstance(function, Block) else function.body.block
        for arg in block.args:
            slots[arg] = len(slots)
        self.num_args = len(slots)
        self.steps: list[tuple[Kernel, tuple[int, ...], tuple[int, ...], Operation]] = []
        self.return_slots: tuple[int, ...] = ()
        for op in block.ops:
            if isinstance(op, ReturnOp | ops.YieldOp):
                self.return_slots = tuple(slots[v] for v in op.operands)
                continue
            builder = REFERENCE_RULES.get(type(op))
            if builder is None:
                raise NotImplementedError(f"the reference backend has no rule for {op.name}")
            operand_slots = tuple(slots[v] for v in op.operands)
            for result in op.results:
                slots[result] = len(slots)
            result_slots = tuple(slots[r] for r in op.results)
            self.steps.append((builder(op), operand_slots, result_slots, op))
        self.num_slots = len(slots)
        self._written = {
            value: slots[source]
            for value, source in ((v, _broadcast_source(v)) for v in slots)
            if source is not None and source in slots
        }
        """For a value that only adds broadcastable axes to another (the frontend's implicit
        ``tg.dimshuffle``), that other's slot: the errors of elementwise ops describe the
        operand the user wrote, as the fused loops of the other backends do (they read it
        through a view)."""
        self.before_step: Callable[[int, Operation, list[Any]], None] | None = None
        """Called with each step's index, op and operands before it runs (``MonitorMode``)."""
        self.check_step: Callable[[Operation, list[Any]], None] | None = None
        """Called with each op and its results after it runs (``NanGuardMode``'s check); an
        error it raises is the op's, naming it and the user's line."""

    def run(self, args: Sequence[Array]) -> list[Array]:
        """Run on the argument arrays; return the results of ``func.return``."""
        env: list[Any] = [*args, *([None] * (self.num_slots - len(args)))]
        index = 0
        try:
            with np.errstate(all="ignore"):
                for index, (kernel, operand_slots, result_slots, op) in enumerate(self.steps):
                    if self.before_step is not None:
                        self.before_step(index, op, [env[i] for i in operand_slots])
                    result = kernel(*[env[i] for i in operand_slots])
                    if len(result_slots) == 1:
                        env[result_slots[0]] = result
                    else:
                        for slot, value in zip(result_slots, result, strict=True):
                            env[slot] = value
                    if self.check_step is not None:
                        self.check_step(op, [env[i] for i in result_slots])
        except Exception as error:
            if getattr(error, LOCATED, False):
                raise  # raised by an op of a tg.fused body, which it names
            op = self.steps[index][3]
            viewed = self._written if op.has_trait(Elementwise) else {}
            written = [
                env[viewed[value]] if value in viewed else env[slot]
                for value, slot in zip(op.operands, self.steps[index][1], strict=True)
            ]
            raise runtime_error(op, written, error) from error
        return [env[i] for i in self.return_slots]


def _broadcast_source(value: SSAValue) -> SSAValue | None:
    """The value ``value`` is with broadcastable axes added (by a ``tg.dimshuffle`` that keeps
    every axis in order), or None."""
    owner = value.owner
    if not isinstance(owner, ops.DimShuffleOp):
        return None
    order = owner.get_order()
    kept = [axis for axis in order if axis != NEW_AXIS]
    return owner.operands[0] if kept == list(range(len(kept))) and len(kept) < len(order) else None


LOCATED = "_tracegraph_located"
"""Set on the errors :func:`runtime_error` makes (they name their op and line already)."""


@reference_rule(ops.FusedOp)
def _fused(op: ops.FusedOp) -> Kernel:
    """The body's ops, one after the other (the fusion is the other backends' business)."""
    program = ReferenceProgram(op)

    def kernel(*arrays: Array) -> Any:
        results = program.run(arrays)
        return results[0] if len(results) == 1 else tuple(results)

    return kernel


@reference_rule(ops.YieldOp)
def _yield(op: ops.YieldOp) -> Kernel:
    def kernel(*values: Array) -> Array:
        raise RuntimeOpError("tg.yield only ends the body of a tg.fused op")

    return kernel


def graph_around(op: Operation, depth: int = 2) -> str:
    """The ops that compute ``op``'s operands (``depth`` levels up) and ``op`` itself, as IR
    text with their user lines: what ``config.exception_verbosity = "high"`` adds to an error.

    >>> from tracegraph.ir import parse_module
    >>> module = parse_module(
    ...     "func.func @f(%x: tensor<f64>) -> tensor<f64> {"
    ...     "  %y = tg.exp %x : tensor<f64> -> tensor<f64>"
    ...     "  %z = tg.log %y : tensor<f64> -> tensor<f64>"
    ...     "  func.return %z : tensor<f64>"
    ...     "}")
    >>> func = module.body.block.first_op
    >>> print(graph_around(list(func.body.block.ops)[1]))
    the graph around it:
      %y = tg.exp %x : tensor<f64> -> tensor<f64> loc(unknown)
      %z = tg.log %y : tensor<f64> -> tensor<f64> loc(unknown)
    """
    around: list[Operation] = []

    def visit(current: Operation, level: int) -> None:
        if level < depth:
            for operand in current.operands:
                owner = operand.owner
                if isinstance(owner, Operation) and owner not in around:
                    visit(owner, level + 1)
        if current not in around:
            around.append(current)

    visit(op, 0)
    lines = []
    for each in around:
        stream = io.StringIO()
        Printer(stream=stream, print_debuginfo=True).print_op(each)
        lines.append("  " + stream.getvalue().splitlines()[0])
    return "the graph around it:\n" + "\n".join(lines)


def runtime_error(
    op: Operation, operands: Sequence[Any], error: Exception, *, name: str | None = None
) -> TracegraphError:
    """A typed error for an op that failed at run time, naming the op (``name``, when the op
    stands for another, as a kernel for the ``tg`` op it runs), its user line and the shapes and
    dtypes of its operands."""
    described = ", ".join(
        f"{np.asarray(a).dtype}{list(np.shape(a))}" for a in operands if a is not None
    )
    message = (
        f"{name or op.name} at {format_location(op.location)} failed on operands ({described}): "
        f"{error}"
    )
    if config.exception_verbosity == "high":
        message += "\n" + graph_around(op)
    located: TracegraphError
    if isinstance(error, TracegraphError):
        located = type(error)(message)
    elif isinstance(error, ValueError) and "broadcast" in str(error):
        located = ShapeMismatchError(message)
    else:
        kind = next((k for k in BUILTIN_ERRORS if isinstance(error, k)), None)
        located = BUILTIN_ERRORS[kind](message) if kind is not None else RuntimeOpError(message)
    setattr(located, LOCATED, True)
    return located


BUILTIN_ERRORS: dict[type[Exception], type[TracegraphError]] = {
    IndexError: IndexOutOfBoundsError,
    MemoryError: AllocationError,
    ValueError: InvalidValueError,
    OverflowError: RuntimeOverflowError,
    FloatingPointError: NonFiniteError,
    TypeError: RuntimeTypeError,
}
"""The tracegraph error an op's failure becomes, by the builtin class of what its kernel
raised (checked in this order): the same builtin class, with the op, its operands and the
user's line in the message. Anything else is a ``RuntimeOpError``."""
