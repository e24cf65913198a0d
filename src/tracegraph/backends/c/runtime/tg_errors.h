/* tg_errors.h: raising the typed errors of generated modules (through the context's
   raise_error, which names the op and the user's line) and the checks and conversions of the
   arrays that enter the compiled code: the arguments of a call, the results of the reference
   kernels it calls, in native byte order and aligned.

   Part of tg_prelude.h, which prelude.py assembles: the Python, NumPy, libm, OpenMP and CBLAS
   headers come first. */

/* Raise the typed error (kind: "shape", "index" or "runtime") of op `blame` of step `step`
   (0: the step's op; k: the k-th op of a loop's body) through the context's raise_error, which
   names the op and the user's line, and the operands (a tuple, or NULL). Returns -1. */
static int tg_raise_at(PyObject *ctx, int step, int blame, const char *kind,
                       const char *message, PyObject *operands) {
    PyObject *r = PyObject_CallFunction(PyTuple_GET_ITEM(ctx, TG_RUN_RAISE_ERROR), "iissO", step, blame, kind,
                                        message, operands ? operands : Py_None);
    Py_XDECREF(r);
    if (!PyErr_Occurred()) PyErr_SetString(PyExc_RuntimeError, message);
    return -1;
}

/* A step failed with an error its code raised without naming the op (NumPy's MemoryError when
   an output does not fit in memory...): hand it to raise_error (kind "error"), which raises it
   again naming the step's op, its operands (values[0..count)) and the user's line, as an
   error of the same builtin class; an error raise_error raised already passes as it is.
   Returns -1. */
static int tg_step_failed(PyObject *ctx, int step, PyObject **values, int count) {
    PyObject *type, *value, *traceback, *operands, *r = NULL;
    PyErr_Fetch(&type, &value, &traceback);
    if (type == NULL) return -1;
    PyErr_NormalizeException(&type, &value, &traceback);
    if (traceback != NULL) PyException_SetTraceback(value, traceback);
    operands = PyTuple_New(count);
    if (operands != NULL) {
        for (int i = 0; i < count; i++) {
            PyObject *x = values[i] != NULL ? values[i] : Py_None;
            Py_INCREF(x);
            PyTuple_SET_ITEM(operands, i, x);
        }
        r = PyObject_CallFunction(PyTuple_GET_ITEM(ctx, TG_RUN_RAISE_ERROR), "iisOO", step, 0,
                                  "error", value, operands);
    }
    Py_XDECREF(r);
    Py_XDECREF(operands);
    if (PyErr_Occurred()) {
        Py_XDECREF(type);
        Py_XDECREF(value);
        Py_XDECREF(traceback);
    } else {
        PyErr_Restore(type, value, traceback);
    }
    return -1;
}

/* The InvalidValueError of a maximum or minimum of nothing, in the reference's words (NumPy's
   after the op's name and the shape of its operand): op `blame` of step `step`, whose operand
   has the loop's domain dims[0..rank) and dtype `typenum` (an empty array of that shape stands
   for it in the message). Returns -1. */
static int tg_raise_empty(PyObject *ctx, int step, int blame, const char *name,
                          const char *what, int rank, const npy_intp *dims, int typenum) {
    PyObject *shape = PyTuple_New(rank), *message = NULL, *operand = NULL, *operands = NULL;
    if (shape != NULL) {
        for (int d = 0; d < rank; d++) PyTuple_SET_ITEM(shape, d, PyLong_FromSsize_t(dims[d]));
        message = PyUnicode_FromFormat("%s of an array of shape %R: %s", name, shape, what);
        operand = PyArray_EMPTY(rank, (npy_intp *)dims, typenum, 0);
        operands = operand != NULL ? PyTuple_Pack(1, operand) : NULL;
    }
    if (message != NULL && operands != NULL) {
        PyObject *r = PyObject_CallFunction(PyTuple_GET_ITEM(ctx, TG_RUN_RAISE_ERROR), "iisOO",
                                            step, blame, "value", message, operands);
        Py_XDECREF(r);
    }
    Py_XDECREF(shape);
    Py_XDECREF(message);
    Py_XDECREF(operand);
    Py_XDECREF(operands);
    if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, name);
    return -1;
}

/* tg_raise_at for the step's own op, without operands. */
static int tg_raise(PyObject *ctx, int step, const char *kind, const char *message) {
    return tg_raise_at(ctx, step, 0, kind, message, NULL);
}

/* The ShapeMismatchError of two operands of a loop whose sizes on an axis of the domain differ
   (first_axis and second_axis: that axis in each operand). */
static int tg_raise_shapes(PyObject *ctx, int step, int blame, int axis, PyArrayObject *first,
                           int first_axis, PyArrayObject *second, int second_axis) {
    char message[240];
    PyObject *operands = PyTuple_Pack(2, (PyObject *)first, (PyObject *)second);
    snprintf(message, sizeof message,
             "operands have sizes %zd and %zd on axis %d (only dimensions declared "
             "broadcastable may have size 1)", (Py_ssize_t)PyArray_DIM(first, first_axis),
             (Py_ssize_t)PyArray_DIM(second, second_axis), axis);
    tg_raise_at(ctx, step, blame, "shape", message, operands);
    Py_XDECREF(operands);
    return -1;
}

/* Whether an array has the sizes dims[0..rank) (an input a loop may write its output into). */
static int tg_same_dims(PyArrayObject *a, const npy_intp *dims, int rank) {
    if (PyArray_NDIM(a) != rank) return 0;
    for (int d = 0; d < rank; d++) if (PyArray_DIM(a, d) != dims[d]) return 0;
    return 1;
}

/* An argument of the module's run, or a shared value that its call reads: an array of the dtype
   `typenum` and rank `ndim`, else a TypeError naming its index. */
static int tg_check_argument(PyObject *o, int typenum, int ndim, int index) {
    if (!PyArray_Check(o) || !PyArray_EquivTypenums(PyArray_TYPE((PyArrayObject *)o), typenum)
        || PyArray_NDIM((PyArrayObject *)o) != ndim) {
        PyErr_Format(PyExc_TypeError, "argument %d of the compiled function is not an array "
                     "of the expected dtype and rank", index);
        return -1;
    }
    return 0;
}

/* Whether the loops, BLAS and element reads may read an array in place: native byte order and
   aligned. */
static inline int tg_behaved(PyArrayObject *a) {
    return PyArray_ISNOTSWAPPED(a) && PyArray_ISALIGNED(a);
}

/* Replace *slot (a new reference to an ndarray) by a copy in native byte order, aligned (in
   the same memory order), where it is not both already: every array that enters the compiled
   code goes through here or tg_take_argument. Returns -1 on an error (*slot is then NULL). */
static int tg_behave(PyObject **slot) {
    PyArrayObject *a = (PyArrayObject *)*slot;
    PyArray_Descr *descr;
    PyObject *copy;
    if (tg_behaved(a)) return 0;
    descr = PyArray_DescrFromType(PyArray_TYPE(a));
    copy = descr == NULL ? NULL : PyArray_NewLikeArray(a, NPY_KEEPORDER, descr, 0);
    if (copy != NULL && PyArray_CopyInto((PyArrayObject *)copy, a) < 0) Py_CLEAR(copy);
    Py_SETREF(*slot, copy);
    return copy == NULL ? -1 : 0;
}

/* An argument of the fast call path: *slot = a new reference to `arg` if it has the dtype
   `typenum`, or to a copy cast to it if the cast is safe and `convertible` is True; NULL
   (return 0) when the Python path must take the call, as for an array in the other byte order
   or not aligned (the Python path converts it, or refuses it for a strict input). Returns -1
   on an error. */
static int tg_take_argument(PyObject **slot, PyObject *arg, int typenum, PyObject *convertible) {
    PyArray_Descr *descr;
    *slot = NULL;
    if (!tg_behaved((PyArrayObject *)arg)) return 0;
    if (PyArray_EquivTypenums(PyArray_TYPE((PyArrayObject *)arg), typenum)) {
        Py_INCREF(arg);
        *slot = arg;
        return 0;
    }
    if (convertible != Py_True) return 0;
    descr = PyArray_DescrFromType(typenum);
    if (descr == NULL) return -1;
    if (!PyArray_CanCastArrayTo((PyArrayObject *)arg, descr, NPY_SAFE_CASTING)) {
        Py_DECREF(descr);
        return 0;
    }
    *slot = PyArray_CastToType((PyArrayObject *)arg, descr, 0);
    return *slot == NULL ? -1 : 0;
}

/* A Python number as a 0-d argument of the fast call path, converted exactly as the Python
   path converts it: a float or an int (of at most 53 bits) for a float64 input, an int that
   an int64 holds for an int64 input, True or False for a bool input, when the input is not
   strict. *slot = the new 0-d array, or NULL (return 0) when the Python path must take the
   call (any other value, type or input). Returns -1 on an error. */
static int tg_take_scalar(PyObject **slot, PyObject *arg, int typenum, PyObject *convertible) {
    *slot = NULL;
    if (convertible != Py_True) return 0;
    if (typenum == NPY_FLOAT64 && (PyFloat_CheckExact(arg) || PyLong_CheckExact(arg))) {
        double value;
        if (PyFloat_CheckExact(arg)) {
            value = PyFloat_AS_DOUBLE(arg);
        } else {
            int overflow = 0;
            long long i = PyLong_AsLongLongAndOverflow(arg, &overflow);
            if (overflow || i > (1LL << 53) || i < -(1LL << 53)) return 0;
            value = (double)i;
        }
        *slot = PyArray_SimpleNew(0, NULL, NPY_FLOAT64);
        if (*slot == NULL) return -1;
        *(npy_float64 *)PyArray_DATA((PyArrayObject *)*slot) = value;
        return 0;
    }
    if (typenum == NPY_INT64 && PyLong_CheckExact(arg)) {
        int overflow = 0;
        long long i = PyLong_AsLongLongAndOverflow(arg, &overflow);
        if (overflow) return 0;
        if (i == -1 && PyErr_Occurred()) return -1;
        *slot = PyArray_SimpleNew(0, NULL, NPY_INT64);
        if (*slot == NULL) return -1;
        *(npy_int64 *)PyArray_DATA((PyArrayObject *)*slot) = (npy_int64)i;
        return 0;
    }
    if (typenum == NPY_BOOL && (arg == Py_True || arg == Py_False)) {
        *slot = PyArray_SimpleNew(0, NULL, NPY_BOOL);
        if (*slot == NULL) return -1;
        *(npy_bool *)PyArray_DATA((PyArrayObject *)*slot) = (npy_bool)(arg == Py_True);
        return 0;
    }
    return 0;
}

/* Whether an array has the static sizes of `shape` (a tuple of None or ints). */
static int tg_fits(PyObject *array, PyObject *shape) {
    PyArrayObject *a = (PyArrayObject *)array;
    if (PyArray_NDIM(a) != PyTuple_GET_SIZE(shape)) return 0;
    for (int d = 0; d < PyArray_NDIM(a); d++) {
        PyObject *size = PyTuple_GET_ITEM(shape, d);
        if (size != Py_None && PyLong_AsSsize_t(size) != PyArray_DIM(a, d)) return 0;
    }
    return 1;
}

/* Replace *r (a new reference) by an ndarray of it, in native byte order and aligned. */
static int tg_as_array(PyObject **r) {
    if (!PyArray_Check(*r)) {
        Py_SETREF(*r, PyArray_FROM_O(*r));
        if (*r == NULL) return -1;
    }
    return tg_behave(r);
}

/* A host call's result, made an ndarray (tg_as_array), with the dtype and rank the graph gives
   it; else a RuntimeOpError (the steps after it would read its data as another type). */
static int tg_host_result(PyObject *ctx, int step, PyObject **r, int typenum, int ndim) {
    if (tg_as_array(r) < 0) return -1;
    PyArrayObject *a = (PyArrayObject *)*r;
    if (PyArray_NDIM(a) == ndim && PyArray_EquivTypenums(PyArray_TYPE(a), typenum)) return 0;
    PyArray_Descr *expected = PyArray_DescrFromType(typenum);
    PyObject *message = PyUnicode_FromFormat(
        "its reference kernel returned a %S array of rank %d where the graph has a %S array of "
        "rank %d (a bug of tracegraph's)", (PyObject *)PyArray_DESCR(a), PyArray_NDIM(a),
        (PyObject *)expected, ndim);
    Py_XDECREF(expected);
    Py_CLEAR(*r);
    if (message == NULL) return -1;
    tg_raise(ctx, step, "runtime", PyUnicode_AsUTF8(message));
    Py_DECREF(message);
    return -1;
}
