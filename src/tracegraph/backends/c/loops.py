"""The C of a ``tgk.loop`` (``LoopEmitter``): one function ``tg_step_K(v, ctx)``.

The domain's sizes come from the inputs (sizes that must agree are checked), written outputs
are allocated (or take the buffer the loop's ``reuse`` names, when nothing else references
it), reductions accumulate into an array initialized to their identity (float64 for float32
sums). The loop's ``schedule``, decided by lowering, is rendered as it says: ``single`` and
``flat`` as one vectorizable loop over every element, ``nested`` as a nest of loops over byte
strides with the last axis innermost, ``flat_or_nested`` as the flat loop, reading a
C-contiguous copy of an input that is not contiguous (one body instead of a flat loop and a
strided nest: a third less C). A ``parallel`` loop runs on ``config.threads`` threads (OpenMP,
``threads.py``) above a work of ``PARALLEL_THRESHOLD``: its elements times their cost (1, plus
each libm call's). Scalar expressions come from ``scalar.py``; a scalar rule that
can fail (``FAILING_RULES``) makes the loop carry an error flag.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
from xdsl.ir import Operation, SSAValue

from tracegraph.backends.c.scalar import (
    C_TYPES,
    NPY_TYPES,
    SCALAR_RULES,
    Operand,
    ScalarEmitter,
    ScalarFailure,
    c_literal,
    failure_of,
    kind,
)
from tracegraph.backends.steps import empty_reduction_message, reduction_blame
from tracegraph.backends.text import IndentedBuffer
from tracegraph.ir import ops
from tracegraph.ir.location import format_location
from tracegraph.ir.types import dtype_of
from tracegraph.lowering.dialect import LoopOp


def comment(op: Operation) -> str:
    """A C comment naming ``op`` and the user's line."""
    return f"/* {op.name} at {format_location(op.location)} */"


def c_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# -- reductions -----------------------------------------------------------------------------------


REDUCTION_KINDS: dict[type[Operation], str] = {
    ops.SumOp: "sum",
    ops.MeanOp: "sum",  # divided by the count at the end
    ops.ProdOp: "prod",
    ops.AnyOp: "any",
    ops.AllOp: "all",
    ops.MaxOp: "max",
    ops.MinOp: "min",
}
"""How a C loop accumulates each fusible reduction. ``C_RULES`` runs in loops only the
reductions listed here, so a new ``FusibleReduction`` op is named by the rule-table tests
instead of being accumulated as some other reduction."""


def _kind(reduction: ops.ReductionOp) -> str:
    return REDUCTION_KINDS[type(reduction)]


def accumulator_dtype(reduction: ops.ReductionOp) -> str:
    """The dtype a reduction accumulates in: float64 for float32 sums and means (more exact than
    the float32 pairwise sums of NumPy, well within their tolerance), else the result's."""
    result = dtype_of(reduction.result)
    if _kind(reduction) == "sum" and result == "float32":
        return "float64"
    return result


def _identity(reduction: ops.ReductionOp, dtype: str) -> str:
    how = _kind(reduction)
    if how in ("sum", "any"):
        return c_literal(0, dtype)
    if how in ("prod", "all"):
        return c_literal(1, dtype)
    largest = how == "min"
    if kind(dtype) == "f":
        return c_literal(math.inf if largest else -math.inf, dtype)
    if dtype == "bool":
        return c_literal(largest, dtype)
    info = np.iinfo(dtype)
    return c_literal(info.max if largest else info.min, dtype)


def _accumulate(reduction: ops.ReductionOp, acc: str, value: Operand, dtype: str) -> str:
    """The statement folding ``value`` into the accumulator ``acc`` (of ``dtype``)."""
    v = value.as_(dtype)
    how = _kind(reduction)
    if how == "sum":
        return f"{acc} += {v};" if dtype != "bool" else f"{acc} = {acc} || {v};"
    if how == "prod":
        return f"{acc} *= {v};" if dtype != "bool" else f"{acc} = {acc} && {v};"
    if how == "any":
        return f"{acc} = {acc} || ({value.expr} != 0);"
    if how == "all":
        return f"{acc} = {acc} && ({value.expr} != 0);"
    symbol = "<" if how == "min" else ">"
    if kind(dtype) == "f":  # tg.maximum's fold: NaN propagates, a tie takes the later (-0.0)
        return f"if ({v} {symbol}= {acc} || isnan({v})) {acc} = {v};"
    return f"if ({v} {symbol} {acc}) {acc} = {v};"


def _needs_values(reduction: ops.ReductionOp) -> bool:
    """Whether the reduction has no identity: an empty reduction is an error."""
    return _kind(reduction) in ("max", "min")


# -- loops ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Input:
    """Input ``i`` of the loop: the slot of its array and the array axis each domain axis
    walks (``None``: broadcast)."""

    slot: int
    axes: tuple[int | None, ...]

    def is_identity(self, rank: int) -> bool:
        return self.axes == tuple(range(rank))


@dataclass(frozen=True)
class _Output:
    """Output ``k``: its slot, the body value it writes or accumulates, the reduction that
    accumulates it (``None``: written) and the input whose buffer it may take."""

    slot: int
    value: SSAValue
    reduction: ops.ReductionOp | None
    reuse: int | None


class LoopEmitter:
    """The C function of one ``tgk.loop`` (``slots``: the slot of every value of the
    function)."""

    def __init__(self, loop: LoopOp, step: int, slots: dict[SSAValue, int], out: IndentedBuffer):
        self.loop = loop
        self.step = step
        self.out = out
        self.scalars = ScalarEmitter()
        self.domain = loop.domain
        self.rank = len(self.domain)
        self.keepdims = loop.get_keepdims()
        self.inputs = [
            _Input(slots[value], axes)
            for value, axes in zip(loop.inputs, loop.get_views(), strict=True)
        ]
        self.values: dict[SSAValue, int] = {arg: i for i, arg in enumerate(loop.body.block.args)}
        """The body values that are inputs (an index into ``inputs``)."""
        self.body = loop.computed()
        self.outputs = [
            _Output(slots[result], loop.output_value(k), loop.output_reduction(k), reuse)
            for k, (result, reuse) in enumerate(zip(loop.outputs, loop.get_reuse(), strict=True))
        ]
        self.reduced = set(loop.get_reduced_axes())
        self.reductions = [o for o in self.outputs if o.reduction is not None]
        self.failure = self._first_failure()
        self.can_fail = self.failure is not None
        # Functions the step calls (the flat loop shared by its one- and many-thread paths),
        # written before it.
        self.helpers = IndentedBuffer()
        self._body_cache: (
            tuple[dict[int, tuple[str, str]], list[str], dict[SSAValue, Operand]] | None
        ) = None

    # names
    def _array(self, i: int) -> str:
        return f"a{i}"

    def _output(self, k: int) -> str:
        return f"o{k}"

    def _accumulator(self, k: int) -> str:
        return f"acc{k}" if self._has_separate_accumulator(k) else f"o{k}"

    def _has_separate_accumulator(self, k: int) -> bool:
        output = self.outputs[k]
        reduction = output.reduction
        return reduction is not None and (
            isinstance(reduction, ops.MeanOp)
            or accumulator_dtype(reduction) != dtype_of(reduction.result)
        )

    def _dtype_of_output_buffer(self, k: int) -> str:
        output = self.outputs[k]
        if output.reduction is None:
            return dtype_of(output.value)
        if self._has_separate_accumulator(k):
            return accumulator_dtype(output.reduction)
        return dtype_of(output.reduction.result)

    def emit(self) -> None:
        module = self.out
        with self._writing_to(IndentedBuffer()) as step:
            self._emit_step()
        module.lines.extend(self.helpers.lines)
        module.lines.extend(step.lines)

    @contextmanager
    def _writing_to(self, buffer: IndentedBuffer) -> Iterator[IndentedBuffer]:
        """Let the methods that write to ``self.out`` write to ``buffer`` for a while."""
        saved, self.out = self.out, buffer
        try:
            yield buffer
        finally:
            self.out = saved

    def _first_failure(self) -> tuple[int, ScalarFailure] | None:
        """The position in the body of the first op whose scalar rule can fail (it sets the
        loop's error flag ``tg_error``), with how it fails; ``None`` when none can."""
        for position, op in enumerate(self.body):
            failure = failure_of(op)
            if failure is not None:
                return position, failure
        return None

    def _error_clause(self) -> str:
        """The clause that combines the error flag of a loop's iterations, when the body has an
        op that can fail."""
        return " reduction(|:tg_error)" if self.can_fail else ""

    def _emit_step(self) -> None:
        out = self.out
        with out.indent(f"TG_KERNEL int tg_step_{self.step}(PyObject **v, PyObject *ctx) {{", "}"):
            out.write(comment(self.loop))
            if self.can_fail:
                out.write("int tg_error = 0;")
            out.write(f"npy_intp n[{max(self.rank, 1)}];")
            for i, view in enumerate(self.inputs):
                out.write(f"PyArrayObject *{self._array(i)} = (PyArrayObject *)v[{view.slot}];")
            self._domain()
            for k in range(len(self.outputs)):
                self._allocate(k)
            self._check_empty_reductions()
            self._strides()
            self._loops()
            if self.failure is not None:
                # Named as the reference names it: the op of the body (1 + its position).
                # Its operands in the message when they are the loop's inputs (a value the
                # body computes has no array to show).
                position, failure = self.failure
                read = [self.values.get(value) for value in self.body[position].operands]
                operands = "NULL"
                if read and None not in read:
                    arrays = ", ".join(f"v[{self.inputs[i].slot}]" for i in read if i is not None)
                    operands = f"PyTuple_Pack({len(read)}, {arrays})"
                out.write("if (tg_error) {")
                for k in range(len(self.outputs)):
                    out.write(f"    Py_DECREF({self._output(k)});")
                out.write(f"    PyObject *tg_operands = {operands};")
                out.write(
                    f"    tg_raise_at(ctx, {self.step}, {position + 1}, "
                    f"{c_string(failure.kind)}, {c_string(failure.message)}, tg_operands);"
                )
                out.write("    Py_XDECREF(tg_operands);")
                out.write("    return -1;")
                out.write("}")
            self._finish()
            out.write("return 0;")

    def _blame(self, first: int, second: int) -> int:
        """The op to name when inputs ``first`` and ``second`` disagree on a size: the first op
        of the body that reads both (1 + its position), or the kernel's op (0)."""
        reached: dict[SSAValue, set[int]] = {value: {index} for value, index in self.values.items()}
        for position, op in enumerate(self.body):
            inputs: set[int] = set().union(*(reached.get(v, set()) for v in op.operands))
            reached[op.results[0]] = inputs
            if {first, second} <= inputs:
                return position + 1
        return 0

    def _domain(self) -> None:
        out = self.out
        static = self.domain
        defined_by: dict[int, tuple[int, int]] = {}
        for d in range(self.rank):
            out.write(f"n[{d}] = -1;")
        for i, view in enumerate(self.inputs):
            for d, axis in enumerate(view.axes):
                if axis is None:
                    continue
                size = f"PyArray_DIM({self._array(i)}, {axis})"
                if d not in defined_by:
                    defined_by[d] = (i, axis)
                    out.write(f"n[{d}] = {size};")
                    continue
                j, j_axis = defined_by[d]
                out.write(f"if (n[{d}] != {size}) {{")
                out.write(
                    f"    return tg_raise_shapes(ctx, {self.step}, {self._blame(j, i)}, {d}, "
                    f"{self._array(j)}, {j_axis}, {self._array(i)}, {axis});"
                )
                out.write("}")
        for d in range(self.rank):
            fallback = static[d] if static[d] is not None else 1
            out.write(f"if (n[{d}] < 0) n[{d}] = {fallback};")
        if self.rank == 0:
            out.write("n[0] = 1;")

    def _output_dims(self, k: int) -> tuple[str, int]:
        """A C array initializer of an output's dims, and its rank."""
        output = self.outputs[k]
        if output.reduction is None:
            return ", ".join(f"n[{d}]" for d in range(self.rank)) or "0", self.rank
        dims = []
        for d in range(self.rank):
            if d in self.reduced:
                if self.keepdims:
                    dims.append("1")
            else:
                dims.append(f"n[{d}]")
        return ", ".join(dims) or "0", len(dims)

    def _allocate(self, k: int) -> None:
        out = self.out
        output = self.outputs[k]
        dims, rank = self._output_dims(k)
        name = self._output(k)
        out.write(f"npy_intp {name}_dims[{max(rank, 1)}] = {{{dims}}};")
        buffer_dtype = self._dtype_of_output_buffer(k)
        typenum = NPY_TYPES[buffer_dtype]
        out.write(f"PyArrayObject *{name} = NULL;")
        if output.reuse is not None:
            a = self._array(output.reuse)
            slot = self.inputs[output.reuse].slot
            out.write(
                f"if (Py_REFCNT(v[{slot}]) == 1 && PyArray_IS_C_CONTIGUOUS({a}) && "
                f"PyArray_ISWRITEABLE({a}) && PyArray_TYPE({a}) == {typenum} && "
                f"tg_same_dims({a}, {name}_dims, {rank})) {{"
            )
            out.write(f"    {name} = {a}; Py_INCREF({name});")
            out.write("}")
        out.write(f"if ({name} == NULL) {{")
        out.write(
            f"    {name} = (PyArrayObject *)PyArray_EMPTY({rank}, {name}_dims, {typenum}, 0);"
        )
        out.write(f"    if ({name} == NULL) return -1;")
        out.write("}")
        if output.reduction is not None:
            acc_dtype = buffer_dtype
            identity = _identity(output.reduction, acc_dtype)
            out.write(
                f"tg_fill_{acc_dtype}(({C_TYPES[acc_dtype]} *)PyArray_DATA({name}), "
                f"PyArray_SIZE({name}), {identity});"
            )

    def _check_empty_reductions(self) -> None:
        out = self.out
        for k, output in enumerate(self.outputs):
            reduction = output.reduction
            if reduction is None or not _needs_values(reduction) or not self.reduced:
                continue
            # As NumPy: nothing to reduce is an error even when the result is empty too
            # (a (0, 0) matrix reduced on axis 1), but not when only kept axes are empty.
            empty = " || ".join(f"n[{d}] == 0" for d in sorted(self.reduced))
            out.write(f"if ({empty}) {{")
            out.write(f"    Py_DECREF({self._output(k)});")
            blame = reduction_blame(self.loop, reduction)
            what = c_string(empty_reduction_message(reduction.name))
            typenum = NPY_TYPES[dtype_of(reduction.x)]
            out.write(
                f"    return tg_raise_empty(ctx, {self.step}, {blame}, "
                f'"{reduction.name}", {what}, {self.rank}, n, {typenum});'
            )
            out.write("}")

    def _strides(self) -> None:
        out = self.out
        for i, view in enumerate(self.inputs):
            a = self._array(i)
            for d, axis in enumerate(view.axes):
                stride = "0" if axis is None else f"PyArray_STRIDE({a}, {axis})"
                out.write(f"const npy_intp {a}_s{d} = {stride};")
        for k in range(len(self.outputs)):
            o = self._output(k)
            reduction = self.outputs[k].reduction is not None
            position = 0
            for d in range(self.rank):
                if reduction and d in self.reduced:
                    out.write(f"const npy_intp {o}_s{d} = 0;")
                    if self.keepdims:
                        position += 1
                    continue
                out.write(f"const npy_intp {o}_s{d} = PyArray_STRIDE({o}, {position});")
                position += 1

    # -- the body ----------------------------------------------------------------------------------

    def _body(self, read: dict[int, str]) -> dict[SSAValue, Operand]:
        """Emit the body's statements; ``read[i]`` is the expression of input ``i``'s element.
        Returns the operand of every value."""
        declarations, statements, values = self._computed_body()
        for index, (c_type, name) in declarations.items():
            self.out.write(f"const {c_type} {name} = {read[index]};")
        self.out.write(*statements)
        return values

    def _computed_body(
        self,
    ) -> tuple[dict[int, tuple[str, str]], list[str], dict[SSAValue, Operand]]:
        """The body once for every path that runs it: the C type and name of each input read,
        the statements computing the body's values (they read the inputs by name only), and
        the operand of every value."""
        if self._body_cache is None:
            values: dict[SSAValue, Operand] = {}
            declarations: dict[int, tuple[str, str]] = {}
            used = self._used_inputs()
            for value, index in self.values.items():
                dtype = dtype_of(value)
                name = f"x{index}"
                if index in used:
                    declarations[index] = (C_TYPES[dtype], name)
                values[value] = Operand(name, dtype)
            statements: list[str] = []
            for position, op in enumerate(self.body):
                result = op.results[0]
                dtype = dtype_of(result)
                if isinstance(op, ops.ConstantOp):
                    element = op.to_array().reshape(-1)[0]
                    values[result] = Operand(c_literal(element, dtype), dtype)
                    continue
                operands = [values[operand] for operand in op.operands]
                expression = SCALAR_RULES[type(op)](self.scalars, op, *operands)
                name = f"t{position}"
                statements.append(f"const {C_TYPES[dtype]} {name} = {expression};")
                values[result] = Operand(name, dtype)
            self._body_cache = (declarations, statements, values)
        return self._body_cache

    def _input_dtype(self, index: int) -> str:
        for value, i in self.values.items():
            if i == index:
                return dtype_of(value)
        raise KeyError(index)

    def _used_inputs(self) -> set[int]:
        used: set[int] = set()
        for op in self.body:
            for operand in op.operands:
                if operand in self.values:
                    used.add(self.values[operand])
        for output in self.outputs:
            if output.value in self.values:
                used.add(self.values[output.value])
        return used

    def _store(self, values: dict[SSAValue, Operand], target: dict[int, str]) -> None:
        """Write or accumulate every output; ``target[k]`` is the element of output ``k``."""
        for k, output in enumerate(self.outputs):
            value = values[output.value]
            if output.reduction is None:
                dtype = dtype_of(output.value)
                self.out.write(f"{target[k]} = {value.as_(dtype)};")
            else:
                dtype = self._dtype_of_output_buffer(k)
                self.out.write(_accumulate(output.reduction, target[k], value, dtype))

    # -- loops -------------------------------------------------------------------------------------

    def _loops(self) -> None:
        """The loops of the schedule lowering chose. Loops that may be large run on several
        threads above a work of ``PARALLEL_THRESHOLD`` (``_work``) and on one below: the flat
        loop is one function both paths call; nested loops are emitted twice (an ``if`` clause
        on ``omp parallel for simd`` would say it in one loop, but GCC's serial fallback of
        such a loop runs about five times slower than a plain ``omp simd`` loop, and a
        one-thread parallel region costs some 600 ns)."""
        out = self.out
        schedule, parallel = self.loop.get_schedule(), self.loop.is_parallel()
        if schedule in ("single", "flat"):
            self._flat_loop(parallel=parallel)  # one element, or broadcast scalars only
            return
        if schedule == "nested":
            self._both(self._nested_loops, parallel=parallel)
            return
        # flat_or_nested: every walked input is read on the domain's own axes, so a
        # C-contiguous copy of one that is not (a slice, a Fortran-order argument) is read
        # flat too. One flat loop instead of a flat loop and a strided nest: a third less C
        # (8% less compile time on the 10,000-op graph), for a copy where inputs are strided.
        walked = [i for i, view in enumerate(self.inputs) if any(a is not None for a in view.axes)]
        for i in walked:
            array = self._array(i)
            out.write(f"PyArrayObject *{array}_c = NULL;")
            with out.indent(f"if (!PyArray_IS_C_CONTIGUOUS({array})) {{", "}"):
                out.write(f"{array}_c = (PyArrayObject *)PyArray_NewCopy({array}, NPY_CORDER);")
                with out.indent(f"if ({array}_c == NULL) {{", "}"):
                    for j in walked:
                        if j < i:
                            out.write(f"Py_XDECREF({self._array(j)}_c);")
                    for k in range(len(self.outputs)):
                        out.write(f"Py_DECREF({self._output(k)});")
                    out.write("return -1;")
                out.write(f"{array} = {array}_c;")
        self._flat_loop(parallel=parallel)
        for i in walked:
            out.write(f"Py_XDECREF({self._array(i)}_c);")

    def _both(self, emit: Callable[[bool], None], parallel: bool) -> None:
        """``emit`` on several threads for large domains and on one for the others, or on one
        only when ``parallel`` is false (or the domain is 0-d)."""
        if not parallel or self.rank == 0:
            emit(False)
            return
        with self.out.indent(f"if (TG_PARALLEL({self._work()})) {{", "} else {"):
            emit(True)
        with self.out.indent("", "}"):
            emit(False)

    def _total(self) -> str:
        return " * ".join(f"n[{d}]" for d in range(self.rank)) or "1"

    def _element_cost(self) -> int:
        """What one element costs, for deciding whether the loop uses threads
        (``TG_PARALLEL``): 1 for the reads, writes and arithmetic, plus the cost of each libm
        call of the body (a ``tanh`` loop is worth threads at a ninth of the size of an
        ``add`` loop)."""
        self._computed_body()  # counts the body's calls
        return 1 + self.scalars.call_cost

    def _work(self) -> str:
        """The loop's work: its elements times :meth:`_element_cost`."""
        return f"{self._total()} * {self._element_cost()}"

    def _flat_loop(self, parallel: bool) -> None:
        out = self.out
        out.write(f"const npy_intp total = {self._total()};")
        read: dict[int, str] = {}
        pointers: list[tuple[str, str]] = []  # (C type, name) of the loop's pointers
        for i, view in enumerate(self.inputs):
            dtype = C_TYPES[self._input_dtype(i)]
            out.write(f"const {dtype} *p{i} = (const {dtype} *)PyArray_DATA({self._array(i)});")
            pointers.append((f"const {dtype} *", f"p{i}"))
            read[i] = f"*p{i}" if all(axis is None for axis in view.axes) else f"p{i}[i]"
        reduction = bool(self.reductions)
        targets: dict[int, str] = {}
        for k in range(len(self.outputs)):
            dtype = C_TYPES[self._dtype_of_output_buffer(k)]
            out.write(f"{dtype} *q{k} = ({dtype} *)PyArray_DATA({self._output(k)});")
            pointers.append((f"{dtype} *", f"q{k}"))
            if self.outputs[k].reduction is not None:
                out.write(f"{dtype} r{k} = q{k}[0];")
                targets[k] = f"r{k}"
            else:  # an element of the domain, written beside the reductions
                targets[k] = f"q{k}[i]"
        if parallel and not reduction:
            self._flat_function(read, targets, pointers)
            self._flat_calls([name for _, name in pointers])
            return
        pragma = (
            self._simd_reduction_pragma()
            if reduction
            else "#pragma omp simd" + self._error_clause()
        )
        if pragma:
            out.write(pragma)
        with out.indent("for (npy_intp i = 0; i < total; i++) {", "}"):
            values = self._body(read)
            self._store(values, targets)
        if reduction:
            for k, output in enumerate(self.outputs):
                if output.reduction is not None:
                    out.write(f"q{k}[0] = r{k};")

    def _flat_function(
        self, read: dict[int, str], targets: dict[int, str], pointers: list[tuple[str, str]]
    ) -> None:
        """The flat loop over elements ``lo`` to ``hi`` as a function of its own, which the
        prelude's ``tg_run_flat`` calls on one thread or on each of several: the body is
        compiled (and vectorized) once, and one parallel region serves every loop of the
        module. ``noipa`` keeps it whole (a clone made by interprocedural passes would lose its
        ``omp simd`` vectorization)."""
        with (
            self._writing_to(self.helpers) as out,
            out.indent(
                f"static __attribute__((noipa)) int tg_flat_{self.step}"
                "(npy_intp lo, npy_intp hi, char **data) {",
                "}",
            ),
        ):
            for position, (pointer_type, name) in enumerate(pointers):
                out.write(f"{pointer_type}{name} = ({pointer_type})data[{position}];")
            if self.can_fail:
                out.write("int tg_error = 0;")
            out.write("#pragma omp simd" + self._error_clause())
            with out.indent("for (npy_intp i = lo; i < hi; i++) {", "}"):
                values = self._body(read)
                self._store(values, targets)
            out.write("return tg_error;" if self.can_fail else "return 0;")
        self.helpers.write("")

    def _flat_calls(self, names: list[str]) -> None:
        """Run the flat loop's function through the prelude's ``tg_run_flat``."""
        out = self.out
        data = ", ".join(f"(char *){name}" for name in names)
        out.write(f"char *tg_data[] = {{{data}}};")
        combine = "tg_error |= " if self.can_fail else "(void)"
        cost = self._element_cost()
        out.write(f"{combine}tg_run_flat(tg_flat_{self.step}, total, {cost}, tg_data);")

    def _simd_reduction_pragma(self) -> str:
        """``omp simd`` for a loop accumulating every output in ``r<k>``, where the
        accumulation may be reordered (sums and products)."""
        clauses = []
        for k, output in enumerate(self.outputs):
            r = output.reduction
            if r is None:
                continue  # an element written beside the reductions
            if _kind(r) == "sum" and self._dtype_of_output_buffer(k) != "bool":
                clauses.append(f"reduction(+:r{k})")
            elif _kind(r) == "prod" and self._dtype_of_output_buffer(k) != "bool":
                clauses.append(f"reduction(*:r{k})")
            else:
                return ""  # max, min, any, all: their NaN and short-circuit rules stay sequential
        return "#pragma omp simd " + " ".join(clauses) + self._error_clause()

    def _nested_loops(self, parallel: bool) -> None:
        out = self.out
        arrays = [self._array(i) for i in range(len(self.inputs))]
        outputs = [self._output(k) for k in range(len(self.outputs))]
        for name in arrays + outputs:
            out.write(f"char *{name}_p = PyArray_BYTES({name});")
        if self.rank == 0:
            self._innermost(arrays, outputs, "", inner=False)
            return
        depth = 0
        closers = 0
        for d in range(self.rank - 1):
            if d == 0 and parallel:
                out.write("#pragma omp parallel for num_threads(TG_THREADS)" + self._error_clause())
            out.write(f"for (npy_intp i{d} = 0; i{d} < n[{d}]; i{d}++) {{")
            out.level += 1
            closers += 1
            for name in arrays + outputs:
                source = f"{name}_p" if d == 0 else f"{name}_p{d - 1}"
                out.write(f"char *{name}_p{d} = {source} + i{d} * {name}_s{d};")
            depth = d + 1
        prefix = "_p" if depth == 0 else f"_p{depth - 1}"
        self._innermost(arrays, outputs, prefix, inner=True, parallel=parallel and depth == 0)
        for _ in range(closers):
            out.level -= 1
            out.write("}")

    def _innermost(
        self,
        arrays: list[str],
        outputs: list[str],
        prefix: str,
        inner: bool,
        parallel: bool = False,
    ) -> None:
        """The innermost loop (over the last axis), or the single element of a 0-d domain."""
        out = self.out
        last = self.rank - 1
        read: dict[int, str] = {}
        for i, name in enumerate(arrays):
            dtype = C_TYPES[self._input_dtype(i)]
            offset = f" + i * {name}_s{last}" if inner else ""
            read[i] = f"*(const {dtype} *)({name}{prefix}{offset})"
        accumulate_inner = inner and last in self.reduced and bool(self.reductions)
        targets: dict[int, str] = {}
        for k, name in enumerate(outputs):
            dtype = C_TYPES[self._dtype_of_output_buffer(k)]
            offset = f" + i * {name}_s{last}" if inner else ""
            element = f"*({dtype} *)({name}{prefix}{offset})"
            if accumulate_inner and self.outputs[k].reduction is not None:
                out.write(f"{dtype} r{k} = *({dtype} *)({name}{prefix});")
                targets[k] = f"r{k}"
            else:
                targets[k] = element
        if not inner:
            values = self._body(read)
            self._store(values, targets)
            return
        vectorize = self.loop.is_vectorized()
        if parallel:
            out.write(
                "#pragma omp parallel for simd num_threads(TG_THREADS)" + self._error_clause()
            )
        elif accumulate_inner and vectorize:
            pragma = self._simd_reduction_pragma()
            if pragma:
                out.write(pragma)
        elif not self.reductions and vectorize:
            out.write("#pragma omp simd" + self._error_clause())
        with out.indent(f"for (npy_intp i = 0; i < n[{last}]; i++) {{", "}"):
            values = self._body(read)
            self._store(values, targets)
        if accumulate_inner:
            for k, name in enumerate(outputs):
                if self.outputs[k].reduction is None:
                    continue
                dtype = C_TYPES[self._dtype_of_output_buffer(k)]
                out.write(f"*({dtype} *)({name}{prefix}) = r{k};")

    # -- results -----------------------------------------------------------------------------------

    def _finish(self) -> None:
        out = self.out
        for k, output in enumerate(self.outputs):
            name = self._output(k)
            reduction = output.reduction
            if reduction is not None and self._has_separate_accumulator(k):
                result_dtype = dtype_of(reduction.result)
                acc_dtype = self._dtype_of_output_buffer(k)
                _, rank = self._output_dims(k)
                out.write(
                    f"PyArrayObject *{name}_r = (PyArrayObject *)PyArray_EMPTY({rank}, "
                    f"{name}_dims, {NPY_TYPES[result_dtype]}, 0);"
                )
                out.write(f"if ({name}_r == NULL) {{ Py_DECREF({name}); return -1; }}")
                count = " * ".join(f"n[{d}]" for d in sorted(self.reduced)) or "1"
                divide = isinstance(reduction, ops.MeanOp)
                with out.indent("{", "}"):
                    out.write(f"const {C_TYPES[acc_dtype]} *src = PyArray_DATA({name});")
                    out.write(f"{C_TYPES[result_dtype]} *dst = PyArray_DATA({name}_r);")
                    out.write(f"const npy_intp size = PyArray_SIZE({name}_r);")
                    if divide:
                        out.write(
                            f"const {C_TYPES[acc_dtype]} count = ({C_TYPES[acc_dtype]})({count});"
                        )
                        out.write(
                            f"for (npy_intp i = 0; i < size; i++) "
                            f"dst[i] = ({C_TYPES[result_dtype]})(src[i] / count);"
                        )
                    else:
                        out.write(
                            f"for (npy_intp i = 0; i < size; i++) "
                            f"dst[i] = ({C_TYPES[result_dtype]})src[i];"
                        )
                out.write(f"Py_DECREF({name});")
                out.write(f"{name} = {name}_r;")
            out.write(f"Py_XSETREF(v[{output.slot}], (PyObject *){name});")
