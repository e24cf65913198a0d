/* tg_views.h: the kernels of tg.dimshuffle (a view), tg.shape and the read of one element of a
   vector.

   Part of tg_prelude.h, which prelude.py assembles: tg_errors.h comes before it. */

/* tg.dimshuffle: a view of x; order[i] is the axis of x that becomes axis i, or -1 for a new
   axis of size 1; the axes of x left out must have size 1. */
static PyObject *tg_dimshuffle(PyObject *ctx, int step, PyArrayObject *x, int rank,
                               const int *order) {
    npy_intp dims[NPY_MAXDIMS], strides[NPY_MAXDIMS];
    int kept[NPY_MAXDIMS] = {0};
    PyObject *view;
    for (int i = 0; i < rank; i++) {
        if (order[i] < 0) { dims[i] = 1; strides[i] = 0; continue; }
        dims[i] = PyArray_DIM(x, order[i]);
        strides[i] = PyArray_STRIDE(x, order[i]);
        kept[order[i]] = 1;
    }
    for (int axis = 0; axis < PyArray_NDIM(x); axis++) {
        if (!kept[axis] && PyArray_DIM(x, axis) != 1) {
            char message[120];
            snprintf(message, sizeof message, "cannot drop axis %d of size %zd", axis,
                     (Py_ssize_t)PyArray_DIM(x, axis));
            tg_raise(ctx, step, "shape", message);
            return NULL;
        }
    }
    Py_INCREF(PyArray_DESCR(x));
    view = PyArray_NewFromDescr(&PyArray_Type, PyArray_DESCR(x), rank, dims, strides,
                                PyArray_DATA(x), PyArray_FLAGS(x) & NPY_ARRAY_WRITEABLE, NULL);
    if (view == NULL) return NULL;
    Py_INCREF(x);
    if (PyArray_SetBaseObject((PyArrayObject *)view, (PyObject *)x) < 0) {
        Py_DECREF(view);
        return NULL;
    }
    return view;
}

/* tg.shape: the sizes of x as a new int64 vector. */
static PyObject *tg_shape(PyArrayObject *x) {
    npy_intp rank = PyArray_NDIM(x);
    PyObject *sizes = PyArray_EMPTY(1, &rank, NPY_INT64, 0);
    if (sizes == NULL) return NULL;
    for (int i = 0; i < PyArray_NDIM(x); i++) {
        ((npy_int64 *)PyArray_DATA((PyArrayObject *)sizes))[i] = PyArray_DIM(x, i);
    }
    return sizes;
}

/* x[i] of a vector as a new 0-d array (i < 0 counts from the end); out of bounds, the
   reference's IndexOutOfBoundsError (`index` is the 0-d operand i was read from). */
static PyObject *tg_element(PyObject *ctx, int step, PyArrayObject *x, PyObject *index,
                            npy_int64 i) {
    const npy_int64 n = (npy_int64)PyArray_DIM(x, 0);
    PyArray_Descr *descr = PyArray_DESCR(x);
    PyObject *element;
    if (i < -n || i >= n) {
        char message[200];
        PyObject *operands = PyTuple_Pack(2, (PyObject *)x, index);
        snprintf(message, sizeof message,
                 "index %lld is out of bounds for axis 0 with size %lld (indexed shape (%lld,))",
                 (long long)i, (long long)n, (long long)n);
        tg_raise_at(ctx, step, 0, "index", message, operands);
        Py_XDECREF(operands);
        return NULL;
    }
    if (i < 0) i += n;
    Py_INCREF(descr);
    element = PyArray_NewFromDescr(&PyArray_Type, descr, 0, NULL, NULL, NULL, 0, NULL);
    if (element == NULL) return NULL;
    memcpy(PyArray_DATA((PyArrayObject *)element),
           PyArray_BYTES(x) + (npy_intp)i * PyArray_STRIDE(x, 0), PyArray_ITEMSIZE(x));
    return element;
}
