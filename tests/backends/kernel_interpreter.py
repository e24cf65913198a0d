"""A toy backend for the plug-in interface: the kernel dialect walked by NumPy.

``kernels`` lowers each function for a target of its own (every op in loops that the reference
interpreter computes, every index dtype, BLAS in float32 and float64, native MRG31k3p draws) and
runs the ``tgk`` ops one by one: a loop reads each input through its view (NumPy's transpose,
reshape and new axes, no copy) and runs its body's ``tg`` ops on whole arrays with their
reference kernels; the other kernels are a few lines of NumPy each. It is registered for the
tests only (``tests/backends/conftest.py``), where the whole backend suite runs on it: a second
backend built on the kernel dialect, which checks the lowering (views, reductions, kernel
choices) against the reference without a C compiler.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
from numpy.typing import NDArray
from xdsl.dialects.func import FuncOp, ReturnOp
from xdsl.ir import Operation, SSAValue

from tracegraph.backends.registry import (
    Backend,
    Binding,
    Program,
    register_backend,
    unregister_backend,
)
from tracegraph.errors import IndexOutOfBoundsError, ShapeMismatchError
from tracegraph.ir import mrg31k3p, ops
from tracegraph.ir.dialect import print_module
from tracegraph.ir.interpreter import REFERENCE_RULES, runtime_error
from tracegraph.ir.types import dtype_of
from tracegraph.lowering import Target, lowered, register_target
from tracegraph.lowering import dialect as tgk

Array = NDArray[Any]

KERNELS_TARGET = Target(
    "kernels",
    computes_in_loops=lambda op: type(op) in REFERENCE_RULES,
    blas_dtypes=("float32", "float64"),
    index_dtypes=("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"),
    mrg_draws=True,
)


def _read_through(array: Array, axes: tuple[int | None, ...]) -> Array:
    """``array`` as a loop with this view reads it: one axis per domain axis, size 1 where
    the view broadcasts (the array's axes no domain axis walks have size 1)."""
    walked = [axis for axis in axes if axis is not None]
    others = [axis for axis in range(array.ndim) if axis not in walked]
    assert all(array.shape[axis] == 1 for axis in others), (array.shape, axes)
    moved = np.transpose(array, walked + others).reshape([array.shape[a] for a in walked])
    new = tuple(d for d, axis in enumerate(axes) if axis is None)
    return np.expand_dims(moved, new) if new else moved


def _call(op: Operation, operands: Sequence[Any], name: str | None = None) -> Any:
    try:
        return REFERENCE_RULES[type(op)](op)(*operands)
    except Exception as error:
        raise runtime_error(op, operands, error, name=name) from error


def _loop(kernel: tgk.LoopOp, operands: Sequence[Any]) -> list[Any]:
    block = kernel.body.block
    values: dict[SSAValue, Any] = {
        arg: _read_through(np.asarray(operand), axes)
        for arg, operand, axes in zip(block.args, operands, kernel.get_views(), strict=True)
    }
    for op in kernel.body.block.ops:
        if isinstance(op, tgk.YieldOp):
            return [np.asarray(values[v]) for v in op.values]
        result = _call(op, [values[v] for v in op.operands])
        values[op.results[0]] = result
    raise AssertionError("a loop ends with tgk.yield")


def _blas_dot(kernel: tgk.BlasDotOp, operands: Sequence[Any]) -> list[Any]:
    lhs, rhs = operands
    try:
        return [np.dot(lhs, rhs)]
    except ValueError as error:
        located = runtime_error(kernel, operands, ShapeMismatchError(str(error)), name="tg.dot")
        raise located from error


def _mrg_uniform(kernel: tgk.MRGUniformOp, operands: Sequence[Any]) -> list[Any]:
    rstate, shape = operands
    size = tuple(int(s) for s in shape)
    new_rstate, sample = mrg31k3p.uniform(rstate, math.prod(size), dtype_of(kernel.sample))
    return [new_rstate, sample.reshape(size)]


def _view(kernel: tgk.ViewOp, operands: Sequence[Any]) -> list[Any]:
    x = np.asarray(operands[0])
    order = kernel.get_order()
    kept = [axis for axis in order if axis != tgk.BROADCAST]
    dropped = tuple(axis for axis in range(x.ndim) if axis not in kept)
    if any(x.shape[axis] != 1 for axis in dropped):
        error = ShapeMismatchError(f"cannot drop an axis of size other than 1 of {x.shape}")
        raise runtime_error(kernel, operands, error, name="tg.dimshuffle")
    remaining = [axis for axis in range(x.ndim) if axis not in dropped]
    y = np.transpose(np.squeeze(x, axis=dropped), [remaining.index(a) for a in kept])
    new = tuple(i for i, axis in enumerate(order) if axis == tgk.BROADCAST)
    return [np.expand_dims(y, new) if new else y]


def _shape(kernel: tgk.ShapeOp, operands: Sequence[Any]) -> list[Any]:
    return [np.array(np.shape(operands[0]), dtype=np.int64)]


def _element(kernel: tgk.ElementOp, operands: Sequence[Any]) -> list[Any]:
    x, index = operands
    i = int(index)
    if not -len(x) <= i < len(x):
        error = IndexOutOfBoundsError(f"index {i} is out of bounds for size {len(x)}")
        raise runtime_error(kernel, operands, error, name="tg.subtensor")
    return [np.array(x[i])]


def _host_call(kernel: tgk.HostCallOp, operands: Sequence[Any]) -> list[Any]:
    results = _call(kernel.callee, operands)
    return list(results) if len(kernel.outputs) > 1 else [results]


KERNEL_RULES: dict[type[Operation], Callable[[Any, Sequence[Any]], list[Any]]] = {
    tgk.LoopOp: _loop,
    tgk.BlasDotOp: _blas_dot,
    tgk.MRGUniformOp: _mrg_uniform,
    tgk.ViewOp: _view,
    tgk.ShapeOp: _shape,
    tgk.ElementOp: _element,
    tgk.HostCallOp: _host_call,
}


class KernelProgram:
    """A function lowered for the ``kernels`` target, run kernel by kernel."""

    def __init__(self, func: FuncOp):
        self.kernels = lowered(func, KERNELS_TARGET.name, verify=True)

    def run(self, args: Sequence[Any]) -> list[Any]:
        block = self.kernels.body.block
        values: dict[SSAValue, Any] = dict(zip(block.args, args, strict=True))
        with np.errstate(all="ignore"):
            for op in block.ops:
                if isinstance(op, ReturnOp):
                    return [values[v] for v in op.arguments]
                if isinstance(op, ops.ConstantOp):
                    values[op.result] = op.to_array()
                    continue
                results = KERNEL_RULES[type(op)](op, [values[v] for v in op.operands])
                values.update(zip(op.results, results, strict=True))
        raise AssertionError("a function ends with func.return")

    def bind(self, binding: Binding) -> None:
        return None


class KernelsBackend(Backend):
    """The ``kernels`` backend: lowered functions walked by NumPy."""

    name = "kernels"
    title = "kernel interpreter"
    language = "mlir"

    def compile(self, func: FuncOp) -> Program:
        return KernelProgram(func)

    def source(self, func: FuncOp) -> str:
        return print_module(lowered(func, KERNELS_TARGET.name))


@contextmanager
def kernels_backend() -> Iterator[KernelsBackend]:
    """The ``kernels`` backend and its target, registered while the block runs."""
    register_target(KERNELS_TARGET)
    backend = register_backend(KernelsBackend())
    try:
        yield backend
    finally:
        unregister_backend(KernelsBackend.name)
