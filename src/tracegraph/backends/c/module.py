"""A lowered function as one C translation unit: a CPython extension module with two functions.

- ``run(context, *args)`` holds one reference per slot, runs ``tg_execute`` (the constants,
  then each kernel's ``tg_step_K``, dropping each value after its last use) and returns the
  tuple of results. The ``context``, a :class:`~tracegraph.backends.c.context.RunContext`,
  carries what the module cannot hold itself, since one compiled module may serve several
  functions: the Python kernels of the call steps, the constants, and ``raise_error(step,
  blame, kind, message, operands)``, which raises the typed error the reference backend would,
  naming the op and the user's line.
- ``call(context, *inputs)``, when every argument and result is a tensor: a whole call of a
  ``Function``, given a :class:`~tracegraph.backends.c.context.CallContext` (see
  ``_emit_call_function``).

The translation unit can also be compiled in parts at once, one per core (``build.py`` defines
``TG_PARTS`` and ``TG_PART``; compiled alone it is one part): the loop kernels, most of the
compile time, are dealt out to the parts in turn; part 0 holds the other kernels and the module
itself, and its init imports NumPy's C API into every other part (each has its own table).
"""

from __future__ import annotations

from xdsl.dialects.func import FuncOp

from tracegraph.backends.c import collectives
from tracegraph.backends.c.context import CELL_VALUE, call_field, run_field
from tracegraph.backends.c.emit import KernelEmitter, Slots
from tracegraph.backends.c.scalar import NPY_TYPES
from tracegraph.backends.text import IndentedBuffer
from tracegraph.lowering import dialect as tgk
from tracegraph.lowering.dialect import LoopOp

SCALAR_ARGUMENT_DTYPES = ("float64", "int64", "bool")
"""The dtypes of 0-d inputs that the fast call path also takes as a Python ``float``, ``int`` or
``bool`` (``tg_take_scalar`` in the runtime); any other number takes the Python path."""

MODULE_NAME = "TG_MODULE_NAME"
"""Stands for the module's name in the source until it is known (a hash of the source)."""

THREADS_MODULE = "tracegraph.backends.c.threads"
THREAD_COUNT_ATTRIBUTE = "THREAD_COUNT_ADDRESS"
"""Where a module's init finds the address of the thread count its parallel regions read."""

MAX_PARTS = 8
"""The most parts a module is compiled in."""

INCLUDE_DIR_MARK = "// tg-include-dir: "
"""A module's source may begin with lines ``// tg-include-dir: <directory>``: directories to
search for the headers it includes besides the toolchain's (MPI's, whose ``mpi.h`` includes
its other headers by name). They are part of the source, so of the module's cache key."""

LOOP_MARK = "#if TG_PART_HAS("
"""Begins the guard of each loop kernel (``build.py`` counts them to choose the parts)."""

_PARTS_HEADER = """/* Compiled in TG_PARTS parts at once, this is part TG_PART (alone: all). */
#ifndef TG_PARTS
#define TG_PARTS 1
#define TG_PART 0
#endif
#define TG_PART_HAS(loop) ((loop) % TG_PARTS == TG_PART)
#define TG_KERNEL __attribute__((visibility("hidden")))
#define TG_JOIN(a, b) TG_JOIN_(a, b)
#define TG_JOIN_(a, b) a##b
#if TG_PART > 0
TG_KERNEL int TG_JOIN(tg_import_part_, TG_PART)(void) { return _import_array(); }
#endif
"""


def _last_uses(program: Slots) -> dict[int, list[int]]:
    """For each kernel position, the slots read or written there for the last time."""
    last: dict[int, int] = {}
    for position, kernel in enumerate(program.kernels):
        for slot in program.reads(kernel) | program.writes(kernel):
            last[slot] = position
    drops: dict[int, list[int]] = {}
    returned = set(program.returns)
    for slot, position in last.items():
        if slot not in returned:
            drops.setdefault(position, []).append(slot)
    return drops


def emit_module(func: FuncOp, *, profile: bool = False) -> str:
    """The C source of the module of a lowered function (named ``TG_MODULE_NAME`` until
    built). ``profile``: each step timed, and a third function, ``profile()``, returning the
    seconds spent in each step and how many times each ran (counted since the module was
    loaded: a caller takes the difference around its own calls)."""
    program = Slots(func)
    out = IndentedBuffer()
    mpi = collectives.native_mpi(
        [k.callee for k in program.kernels if isinstance(k, tgk.HostCallOp)]
    )
    if mpi is not None:
        out.write(f"{INCLUDE_DIR_MARK}{collectives.include_dir(mpi)}")
    out.write('#include "tg_prelude.h"', "")
    if mpi is not None:
        out.write(*collectives.preamble(mpi))
    out.lines.extend(_PARTS_HEADER.splitlines())
    out.write("")
    for step in range(len(program.kernels)):
        out.write(f"TG_KERNEL int tg_step_{step}(PyObject **v, PyObject *ctx);")
    out.write("")
    emitter = KernelEmitter(program, out, mpi)
    loops = 0
    for step, kernel in enumerate(program.kernels):
        if isinstance(kernel, LoopOp):
            out.write(f"{LOOP_MARK}{loops})")
            loops += 1
        else:
            out.write("#if TG_PART == 0")
        emitter.emit(kernel, step)
        out.write("#endif", "")
    out.write(
        "#if TG_PART == 0",
        "static PyObject *tg_cell_attribute;",
        "int *tg_thread_count;",
        "",
    )
    if profile:
        _emit_profile(program, out)
    _emit_run(program, out, profile=profile)
    fast = has_fast_call(program)
    if fast:
        _emit_call_function(program, out)
    call_entry = (
        '    {"call", (PyCFunction)(void (*)(void))tg_call, METH_FASTCALL, "call the function"},'
        if fast
        else ""
    )
    out.write(
        "static PyMethodDef tg_methods[] = {",
        '    {"run", (PyCFunction)(void (*)(void))tg_run, METH_FASTCALL, "run the function"},',
        call_entry,
        '    {"profile", (PyCFunction)tg_profile, METH_NOARGS, "time per step"},'
        if profile
        else "",
        "    {NULL, NULL, 0, NULL}",
        "};",
        "static struct PyModuleDef tg_module = {",
        f'    PyModuleDef_HEAD_INIT, "{MODULE_NAME}", NULL, -1, tg_methods',
        "};",
        f"PyMODINIT_FUNC PyInit_{MODULE_NAME}(void) {{",
        "    import_array();",
    )
    for part in range(1, MAX_PARTS):
        out.write(
            f"#if TG_PARTS > {part}",
            f"    {{ TG_KERNEL int tg_import_part_{part}(void); "
            f"if (tg_import_part_{part}() < 0) return NULL; }}",
            "#endif",
        )
    out.write(
        f'    tg_cell_attribute = PyUnicode_InternFromString("{CELL_VALUE}");',
        "    if (tg_cell_attribute == NULL) return NULL;",
        "    tg_thread_count = tg_import_address(",
        f'        "{THREADS_MODULE}", "{THREAD_COUNT_ATTRIBUTE}");',
        "    if (tg_thread_count == NULL) return NULL;",
        *(collectives.world_import() if mpi is not None else []),
        "    scipy_openblas_set_threads_callback_function(tg_blas_threads);",
        "    return PyModule_Create(&tg_module);",
        "}",
        "#endif",
    )
    return out.text()


def _emit_profile(program: Slots, out: IndentedBuffer) -> None:
    """The counters of a profiled module and ``tg_profile``, which returns them as two tuples
    (seconds, calls) of one entry per step."""
    steps = max(len(program.kernels), 1)
    out.write(
        "#include <time.h>",
        f"static double tg_step_seconds[{steps}];",
        f"static long long tg_step_calls[{steps}];",
        "static double tg_clock(void) {",
        "    struct timespec now; clock_gettime(CLOCK_MONOTONIC, &now);",
        "    return (double)now.tv_sec + 1e-9 * (double)now.tv_nsec;",
        "}",
    )
    with out.indent("static PyObject *tg_profile(PyObject *self, PyObject *unused) {", "}"):
        out.write(
            f"PyObject *seconds = PyTuple_New({len(program.kernels)}), "
            f"*calls = PyTuple_New({len(program.kernels)});",
            "if (seconds == NULL || calls == NULL) "
            "{ Py_XDECREF(seconds); Py_XDECREF(calls); return NULL; }",
            f"for (int i = 0; i < {len(program.kernels)}; i++) {{",
            "    PyTuple_SET_ITEM(seconds, i, PyFloat_FromDouble(tg_step_seconds[i]));",
            "    PyTuple_SET_ITEM(calls, i, PyLong_FromLongLong(tg_step_calls[i]));",
            "}",
            'return Py_BuildValue("(NN)", seconds, calls);',
        )


def _emit_execute(program: Slots, out: IndentedBuffer, *, profile: bool = False) -> None:
    """``tg_execute``: the constants, then every step (timed when ``profile``), dropping each
    value after its last use; ``v`` holds the arguments on entry and the results on
    success."""
    drops = _last_uses(program)
    with out.indent("static int tg_execute(PyObject **v, PyObject *ctx) {", "}"):
        for position, index in enumerate(sorted(program.constants)):
            out.write(
                f"v[{index}] = PyTuple_GET_ITEM(PyTuple_GET_ITEM(ctx, {run_field('constants')}), "
                f"{position}); "
                f"Py_INCREF(v[{index}]);"
            )
        for step, kernel in enumerate(program.kernels):
            # A failure the step's code did not name (an allocation's MemoryError) is raised
            # again, naming the step's op, its operands and the user's line.
            operands = [program.index[value] for value in kernel.operands]
            values = ", ".join(f"v[{slot}]" for slot in operands) or "NULL"
            failed = (
                f"{{ PyObject *o[] = {{{values}}}; "
                f"return tg_step_failed(ctx, {step}, o, {len(operands)}); }}"
            )
            if profile:
                out.write(
                    f"{{ double tg_started = tg_clock(); "
                    f"int tg_failed = tg_step_{step}(v, ctx) < 0; "
                    f"tg_step_seconds[{step}] += tg_clock() - tg_started; "
                    f"tg_step_calls[{step}]++; if (tg_failed) {failed} }}"
                )
                continue
            out.write(f"if (tg_step_{step}(v, ctx) < 0) {failed}")
            for index in sorted(drops.get(step, [])):
                out.write(f"Py_CLEAR(v[{index}]);")
        out.write("return 0;")


def _emit_run(program: Slots, out: IndentedBuffer, *, profile: bool = False) -> None:
    count = max(len(program.values), 1)
    _emit_execute(program, out, profile=profile)
    with out.indent(
        "static PyObject *tg_run(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {", "}"
    ):
        out.write(f"PyObject *v[{count}] = {{NULL}};")
        out.write("PyObject *result = NULL;")
        out.write(f"if (nargs != {program.num_args + 1}) {{")
        out.write(
            f'    PyErr_Format(PyExc_TypeError, "run takes the context and {program.num_args} '
            'arguments, got %zd in all", nargs);'
        )
        out.write("    return NULL;")
        out.write("}")
        out.write("PyObject *ctx = args[0];")
        for index in range(program.num_args):
            out.write(f"v[{index}] = args[{index + 1}]; Py_INCREF(v[{index}]);")
            dtype = program.dtype(index)
            if dtype is not None:
                out.write(
                    f"if (tg_check_argument(v[{index}], {NPY_TYPES[dtype]}, "
                    f"{len(program.shape(index))}, {index}) < 0 || tg_behave(&v[{index}]) < 0) "
                    "goto done;"
                )
        out.write("if (tg_execute(v, ctx) < 0) goto done;")
        out.write(f"result = PyTuple_New({len(program.returns)});")
        out.write("if (result == NULL) goto done;")
        for position, index in enumerate(program.returns):
            out.write(f"Py_INCREF(v[{index}]); PyTuple_SET_ITEM(result, {position}, v[{index}]);")
        out.write("done:")
        out.write(f"for (int i = 0; i < {count}; i++) Py_XDECREF(v[i]);")
        out.write("return result;")


def has_fast_call(program: Slots) -> bool:
    """Whether the module gets ``call``: every argument and result is a tensor."""
    return all(
        program.dtype(index) is not None for index in [*program.returns, *range(program.num_args)]
    )


def _emit_call_function(program: Slots, out: IndentedBuffer) -> None:
    """``call(context, *inputs)``: a whole call of a ``Function`` in C, for the common case;
    it returns ``NotImplemented`` (before any effect) where the Python path must run.

    ``context`` is a :class:`~tracegraph.backends.c.context.CallContext`, read by the positions
    of its fields: the run context, the cells of the shared variables (their values are read
    from the cells' ``value``), the cells of the update targets (their ``value`` is assigned
    once every update has been checked against the targets' static shapes), whether the
    function returns a single output, and whether each input may be converted.

    Arguments must be ndarrays of the input's rank and static sizes, in native byte order and
    aligned, and of its dtype or one that casts to it safely (for the inputs that are not
    ``strict``); shared values that are not in native byte order or aligned are copied (as
    ``run`` copies such arguments, and the results of reference kernels, for the loops to read
    them in place); results that the program did not allocate itself (arguments, constants,
    views, reference results) or that are returned twice are copied, so that no result aliases
    another or an argument."""
    count = max(len(program.values), 1)
    inputs, outputs = program.num_inputs, program.num_outputs
    updates = len(program.returns) - outputs
    with out.indent(
        "static PyObject *tg_call(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {", "}"
    ):
        out.write(f"PyObject *v[{count}] = {{NULL}};")
        out.write(f"PyObject *fresh[{max(len(program.returns), 1)}] = {{NULL}};")
        out.write("PyObject *result = NULL;")
        out.write("int bail = 0;")
        out.write(f"if (nargs != {inputs + 1}) Py_RETURN_NOTIMPLEMENTED;")
        out.write("PyObject *fast = args[0];")
        out.write(f"PyObject *convertible = PyTuple_GET_ITEM(fast, {call_field('convertible')});")
        for index in range(inputs):
            arg = f"(PyArrayObject *)args[{index + 1}]"
            shape = program.shape(index)
            checks = [
                f"!PyArray_CheckExact(args[{index + 1}])",
                f"PyArray_NDIM({arg}) != {len(shape)}",
            ]
            checks += [
                f"PyArray_DIM({arg}, {axis}) != {size}"
                for axis, size in enumerate(shape)
                if size is not None
            ]
            if not shape and program.dtype(index) in SCALAR_ARGUMENT_DTYPES:
                # A 0-d input also takes a Python number (tg_take_scalar says which).
                out.write(f"if (PyArray_CheckExact(args[{index + 1}])) {{")
                out.write(f"    if ({' || '.join(checks[1:])}) Py_RETURN_NOTIMPLEMENTED;")
                out.write("}")
                continue
            out.write(f"if ({' || '.join(checks)}) Py_RETURN_NOTIMPLEMENTED;")
        for index in range(inputs):
            typenum = NPY_TYPES[str(program.dtype(index))]
            take = (
                "tg_take_argument"
                if program.shape(index) or program.dtype(index) not in SCALAR_ARGUMENT_DTYPES
                else f"PyArray_CheckExact(args[{index + 1}]) ? tg_take_argument"
                f"(&v[{index}], args[{index + 1}], {typenum}, "
                f"PyTuple_GET_ITEM(convertible, {index})) : tg_take_scalar"
            )
            out.write(
                f"if (({take}(&v[{index}], args[{index + 1}], {typenum}, "
                f"PyTuple_GET_ITEM(convertible, {index}))) < 0) goto done;"
            )
            out.write(
                f"if (v[{index}] == NULL) {{ result = Py_NewRef(Py_NotImplemented); goto done; }}"
            )
        out.write(f"PyObject *ctx = PyTuple_GET_ITEM(fast, {call_field('run_context')});")
        out.write(f"PyObject *shared = PyTuple_GET_ITEM(fast, {call_field('shared')});")
        out.write(f"PyObject *targets = PyTuple_GET_ITEM(fast, {call_field('targets')});")
        out.write(
            f"PyObject *target_shapes = PyTuple_GET_ITEM(fast, {call_field('target_shapes')});"
        )
        for position, index in enumerate(range(inputs, program.num_args)):
            out.write(
                f"v[{index}] = PyObject_GetAttr(PyTuple_GET_ITEM(shared, {position}), "
                "tg_cell_attribute);"
            )
            out.write(f"if (v[{index}] == NULL) goto done;")
            # Not an array: a value on a device (DeviceValue), which the Python path reads.
            out.write(
                f"if (!PyArray_Check(v[{index}])) {{ "
                "result = Py_NewRef(Py_NotImplemented); goto done; }"
            )
            out.write(
                f"if (tg_check_argument(v[{index}], {NPY_TYPES[str(program.dtype(index))]}, "
                f"{len(program.shape(index))}, {index}) < 0 || tg_behave(&v[{index}]) < 0) "
                "goto done;"
            )
        out.write("if (tg_execute(v, ctx) < 0) goto done;")
        seen: set[int] = set()
        for position, index in enumerate(program.returns):
            if index in program.allocated and index not in seen:
                out.write(f"fresh[{position}] = v[{index}]; Py_INCREF(fresh[{position}]);")
            else:
                out.write(
                    f"fresh[{position}] = PyArray_NewCopy((PyArrayObject *)v[{index}], "
                    "NPY_KEEPORDER);"
                )
                out.write(f"if (fresh[{position}] == NULL) goto done;")
            seen.add(index)
        for update in range(updates):
            position = outputs + update
            out.write(
                f"if (!tg_fits(fresh[{position}], PyTuple_GET_ITEM(target_shapes, {update}))) "
                "bail = 1;"
            )
        out.write("if (bail) { result = Py_NewRef(Py_NotImplemented); goto done; }")
        for update in range(updates):
            position = outputs + update
            out.write(
                f"if (PyObject_SetAttr(PyTuple_GET_ITEM(targets, {update}), tg_cell_attribute, "
                f"fresh[{position}]) < 0) goto done;"
            )
        out.write(f"if (PyTuple_GET_ITEM(fast, {call_field('single_output')}) == Py_True) {{")
        if outputs:
            out.write("    result = fresh[0]; fresh[0] = NULL;")
        else:
            out.write("    result = Py_NewRef(Py_None);")
        out.write("} else {")
        out.write(f"    result = PyList_New({outputs});")
        out.write("    if (result == NULL) goto done;")
        for position in range(outputs):
            out.write(
                f"    PyList_SET_ITEM(result, {position}, fresh[{position}]); "
                f"fresh[{position}] = NULL;"
            )
        out.write("}")
        out.write("done:")
        out.write(f"for (int i = 0; i < {count}; i++) Py_XDECREF(v[i]);")
        out.write(f"for (int i = 0; i < {max(len(program.returns), 1)}; i++) Py_XDECREF(fresh[i]);")
        out.write("return result;")
