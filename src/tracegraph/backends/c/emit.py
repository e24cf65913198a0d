"""The C emitter of the kernel dialect: one C function ``tg_step_K(v, ctx)`` per kernel of a
lowered function, one method per ``tgk`` op (``C_KERNEL_RULES``); ``module.py`` assembles the
steps into a module.

Every value of the function has a *slot* ``v[i]`` (``Slots``: the arguments first, then the
results of each op in order); a step reads its operands' slots and sets its results'. Loops are
``loops.py``'s; the other kernels call the prelude's helpers (BLAS, MRG31k3p, views, shapes) or,
for ``tgk.host_call``, the Python function of the op's reference kernel that the module's
context carries (an all-reduce in an MPI world calls MPI itself: ``collectives.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from xdsl.dialects.func import FuncOp, ReturnOp
from xdsl.ir import Operation, SSAValue

from tracegraph.backends.c.collectives import runs_in_module, step_lines
from tracegraph.backends.c.context import run_field
from tracegraph.backends.c.loops import LoopEmitter, comment
from tracegraph.backends.c.scalar import C_TYPES, NPY_TYPES
from tracegraph.backends.text import IndentedBuffer
from tracegraph.ir import ops
from tracegraph.ir.communication import NativeMPI
from tracegraph.ir.types import Shape, dtype_of, is_tensor, shape_of
from tracegraph.lowering import dialect as tgk


class Slots:
    """The slot of every value of a lowered function, and what the module needs to know of
    them: arguments first, then the results of each op in order.

    >>> from tracegraph.lowering import lower_module, parse_lowered
    >>> module = lower_module(parse_lowered('''
    ... func.func @f(%x: tensor<?xf64>) -> tensor<?xf64> {
    ...   %y = tg.exp %x : tensor<?xf64> -> tensor<?xf64>
    ...   func.return %y : tensor<?xf64>
    ... }'''), "c")
    >>> slots = Slots(module.body.block.first_op)
    >>> len(slots.values), slots.num_args, slots.returns
    (2, 1, (1,))
    """

    def __init__(self, func: FuncOp):
        block = func.body.block
        self.func = func
        self.values: list[SSAValue] = list(block.args)
        self.kernels: list[Operation] = []
        self.constants: dict[int, ops.ConstantOp] = {}
        returns: tuple[SSAValue, ...] = ()
        for op in block.ops:
            if isinstance(op, ReturnOp):
                returns = tuple(op.arguments)
                continue
            if isinstance(op, ops.ConstantOp):
                self.constants[len(self.values)] = op
            else:
                self.kernels.append(op)
            self.values.extend(op.results)
        self.index: dict[SSAValue, int] = {v: i for i, v in enumerate(self.values)}
        self.num_args = len(block.args)
        self.returns = tuple(self.index[v] for v in returns)
        self.tensors = {i for i, v in enumerate(self.values) if is_tensor(v)}
        self.allocated = {
            self.index[result]
            for kernel in self.kernels
            if isinstance(kernel, ALLOCATING)
            for result in kernel.results
        }
        """Slots whose arrays the function allocates itself (loop, product, draw, shape and
        element results): never an argument's, a constant's or a shared value's."""
        self.num_inputs, self.num_outputs = _interface(func, self.num_args, len(returns))

    def reads(self, kernel: Operation) -> set[int]:
        """The slots a kernel reads."""
        return {self.index[v] for v in kernel.operands}

    def writes(self, kernel: Operation) -> set[int]:
        """The slots a kernel writes."""
        return {self.index[v] for v in kernel.results}

    def dtype(self, slot: int) -> str | None:
        """The dtype of a tensor slot, ``None`` for another object (a random state)."""
        return dtype_of(self.values[slot]) if slot in self.tensors else None

    def shape(self, slot: int) -> Shape:
        """The static shape of a tensor slot (``()`` for another object)."""
        return shape_of(self.values[slot]) if slot in self.tensors else ()


ALLOCATING = (tgk.LoopOp, tgk.BlasDotOp, tgk.MRGUniformOp, tgk.ShapeOp, tgk.ElementOp)


def _interface(func: FuncOp, num_args: int, num_results: int) -> tuple[int, int]:
    """How many arguments are inputs and how many results outputs (``tg.input`` and
    ``tg.output`` attributes; without them, all of each)."""
    inputs, outputs = num_args, num_results
    if func.arg_attrs is not None:
        inputs = sum("tg.input" in attrs.data for attrs in func.arg_attrs.data)
    if func.res_attrs is not None:
        outputs = sum("tg.output" in attrs.data for attrs in func.res_attrs.data)
    return inputs, outputs


class KernelEmitter:
    """Writes the step of each kernel of a lowered function, one method per ``tgk`` op."""

    def __init__(self, slots: Slots, out: IndentedBuffer, mpi: NativeMPI | None = None):
        self.slots = slots
        self.out = out
        self.mpi = mpi
        """MPI's, when the module calls it itself for the all-reduces (``collectives.py``)."""
        self.host_calls: list[tgk.HostCallOp] = []
        """The host calls in order: the module's context carries their Python functions."""

    def emit(self, kernel: Operation, step: int) -> None:
        """The C function ``tg_step_<step>`` of ``kernel``."""
        C_KERNEL_RULES[type(kernel)](self, kernel, step)

    def _slot(self, value: SSAValue) -> int:
        return self.slots.index[value]

    def _step(self, kernel: Operation, step: int, *lines: str) -> None:
        """A step whose body is ``lines`` followed by ``return 0``."""
        out = self.out
        with out.indent(f"TG_KERNEL int tg_step_{step}(PyObject **v, PyObject *ctx) {{", "}"):
            out.write(comment(kernel), *lines, "return 0;")

    def _set(self, result: SSAValue, expression: str) -> tuple[str, ...]:
        """The lines that set ``result``'s slot to the new reference ``expression`` returns."""
        return (
            f"PyObject *r = {expression};",
            "if (r == NULL) return -1;",
            f"Py_XSETREF(v[{self._slot(result)}], r);",
        )

    def _array(self, value: SSAValue) -> str:
        return f"(PyArrayObject *)v[{self._slot(value)}]"

    def loop(self, kernel: tgk.LoopOp, step: int) -> None:
        LoopEmitter(kernel, step, self.slots.index, self.out).emit()

    def blas_dot(self, kernel: tgk.BlasDotOp, step: int) -> None:
        prefix = "s" if dtype_of(kernel.result) == "float32" else "d"
        call = f"tg_dot_{prefix}(ctx, {step}, {self._array(kernel.lhs)}, {self._array(kernel.rhs)})"
        self._step(kernel, step, *self._set(kernel.result, call))

    def mrg_uniform(self, kernel: tgk.MRGUniformOp, step: int) -> None:
        float32 = int(dtype_of(kernel.sample) == "float32")
        self._step(
            kernel,
            step,
            "PyObject *new_state = NULL, *sample = NULL;",
            f"if (tg_mrg_uniform(ctx, {step}, v[{self._slot(kernel.rstate)}], "
            f"v[{self._slot(kernel.shape)}], {float32}, &new_state, &sample) < 0) return -1;",
            f"Py_XSETREF(v[{self._slot(kernel.new_rstate)}], new_state);",
            f"Py_XSETREF(v[{self._slot(kernel.sample)}], sample);",
        )

    def view(self, kernel: tgk.ViewOp, step: int) -> None:
        order = kernel.get_order()
        entries = ", ".join(str(axis) for axis in order) or "0"
        call = f"tg_dimshuffle(ctx, {step}, {self._array(kernel.x)}, {len(order)}, order)"
        self._step(
            kernel,
            step,
            f"static const int order[{max(len(order), 1)}] = {{{entries}}};",
            *self._set(kernel.result, call),
        )

    def shape(self, kernel: tgk.ShapeOp, step: int) -> None:
        self._step(kernel, step, *self._set(kernel.result, f"tg_shape({self._array(kernel.x)})"))

    def element(self, kernel: tgk.ElementOp, step: int) -> None:
        index_type = C_TYPES[dtype_of(kernel.index)]
        index = self._slot(kernel.index)
        call = f"tg_element(ctx, {step}, {self._array(kernel.x)}, v[{index}], i)"
        self._step(
            kernel,
            step,
            f"const npy_int64 i = (npy_int64)*(const {index_type} *)"
            f"PyArray_DATA((PyArrayObject *)v[{index}]);",
            *self._set(kernel.result, call),
        )

    def host_call(self, kernel: tgk.HostCallOp, step: int) -> None:
        callee = kernel.callee
        if self.mpi is None or not runs_in_module(callee):
            self._host_call(kernel, f"TG_KERNEL int tg_step_{step}", step)
            return
        assert isinstance(callee, ops.AllReduceOp | ops.AllReduceBucketOp)
        self._host_call(kernel, f"static int tg_host_step_{step}", step)
        operands = [f"v[{self._slot(a)}]" for a in kernel.arguments]
        results = [self._slot(r) for r in kernel.outputs]
        with self.out.indent(f"TG_KERNEL int tg_step_{step}(PyObject **v, PyObject *ctx) {{", "}"):
            self.out.write(comment(callee), *step_lines(callee, step, operands, results))

    def _host_call(self, kernel: tgk.HostCallOp, function: str, step: int) -> None:
        """The C ``function`` (its return type and name) that runs the reference kernel."""
        call_index = len(self.host_calls)
        self.host_calls.append(kernel)
        out = self.out
        count = len(kernel.arguments)
        results = [self._slot(r) for r in kernel.outputs]
        tensors = self.slots.tensors
        with out.indent(f"{function}(PyObject **v, PyObject *ctx) {{", "}"):
            out.write(comment(kernel.callee))
            operands = ", ".join(f"v[{self._slot(a)}]" for a in kernel.arguments) or "NULL"
            out.write(f"PyObject *args[{max(count, 1)}] = {{{operands}}};")
            out.write(
                "PyObject *r = PyObject_Vectorcall(PyTuple_GET_ITEM(PyTuple_GET_ITEM(ctx, "
                f"{run_field('calls')}), {call_index}), args, {count}, NULL);"
            )
            out.write("if (r == NULL) return -1;")
            if len(results) == 1:
                slot = results[0]
                if slot in tensors:
                    out.write(f"if ({self._host_result(step, 'r', slot)} < 0) return -1;")
                out.write(f"Py_XSETREF(v[{slot}], r);")
            else:
                out.write(f"if (!PyTuple_Check(r) || PyTuple_GET_SIZE(r) != {len(results)}) {{")
                out.write(
                    f'    Py_DECREF(r); return tg_raise(ctx, {step}, "runtime", "bad results");'
                )
                out.write("}")
                for position, slot in enumerate(results):
                    out.write(f"PyObject *r{position} = PyTuple_GET_ITEM(r, {position});")
                    out.write(f"Py_INCREF(r{position});")
                    if slot in tensors:
                        check = self._host_result(step, f"r{position}", slot)
                        out.write(f"if ({check} < 0) {{ Py_DECREF(r); return -1; }}")
                    out.write(f"Py_XSETREF(v[{slot}], r{position});")
                out.write("Py_DECREF(r);")
            out.write("return 0;")

    def _host_result(self, step: int, name: str, slot: int) -> str:
        """The call that makes the host call's result ``name`` an array and checks it against
        the type of ``slot``."""
        dtype = self.slots.dtype(slot)
        assert dtype is not None
        rank = len(self.slots.shape(slot))
        return f"tg_host_result(ctx, {step}, &{name}, {NPY_TYPES[dtype]}, {rank})"


KernelRule = Callable[[KernelEmitter, Any, int], None]

C_KERNEL_RULES: dict[type[Operation], KernelRule] = {
    tgk.LoopOp: KernelEmitter.loop,
    tgk.BlasDotOp: KernelEmitter.blas_dot,
    tgk.MRGUniformOp: KernelEmitter.mrg_uniform,
    tgk.ViewOp: KernelEmitter.view,
    tgk.ShapeOp: KernelEmitter.shape,
    tgk.ElementOp: KernelEmitter.element,
    tgk.HostCallOp: KernelEmitter.host_call,
}
"""The C step of every kernel op (``tgk.yield`` is part of its loop or host call)."""
