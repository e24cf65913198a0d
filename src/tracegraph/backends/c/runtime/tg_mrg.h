/* tg_mrg.h: MRG31k3p, the generator of tracegraph.sandbox.rng_mrg: one step of a stream and
   the kernel of a uniform draw.

   Part of tg_prelude.h, which prelude.py assembles: tg_errors.h comes before it. */

/* MRG31k3p, as ir/mrg31k3p.py defines it (int64 arithmetic, one modulus subtraction per sum). */
#define TG_MRG_M1 2147483647LL
#define TG_MRG_M2 2147462579LL
static inline npy_int64 tg_mrg_reduce(npy_int64 v, npy_int64 m) { return v >= m ? v - m : v; }
static inline npy_int64 tg_mrg_step(npy_int32 *s) {
    const npy_int64 x11 = s[0], x12 = s[1], x13 = s[2], x21 = s[3], x22 = s[4], x23 = s[5];
    const npy_int64 y1 = ((x12 & 511) << 22) + (x12 >> 9) + ((x13 & 16777215) << 7) + (x13 >> 24);
    const npy_int64 first = tg_mrg_reduce(tg_mrg_reduce(y1, TG_MRG_M1) + x13, TG_MRG_M1);
    const npy_int64 z1 = tg_mrg_reduce(((x21 & 65535) << 15) + 21069 * (x21 >> 16), TG_MRG_M2);
    const npy_int64 z2 = tg_mrg_reduce(((x23 & 65535) << 15) + 21069 * (x23 >> 16), TG_MRG_M2);
    const npy_int64 second = tg_mrg_reduce(tg_mrg_reduce(z2 + x23, TG_MRG_M2) + z1, TG_MRG_M2);
    s[0] = (npy_int32)first; s[1] = (npy_int32)x11; s[2] = (npy_int32)x12;
    s[3] = (npy_int32)second; s[4] = (npy_int32)x21; s[5] = (npy_int32)x22;
    return first <= second ? first - second + TG_MRG_M1 : first - second;
}

/* An MRG31k3p draw: a new rstate (the operand is never written) and the sample of `shape`. */
static int tg_mrg_uniform(PyObject *ctx, int step, PyObject *rstate, PyObject *shape,
                          int float32, PyObject **new_state, PyObject **sample) {
    PyArrayObject *states = (PyArrayObject *)rstate, *sizes = (PyArrayObject *)shape;
    npy_intp dims[NPY_MAXDIMS], total = 1, streams;
    int rank;
    if (!PyArray_Check(rstate) || PyArray_NDIM(states) != 2 || PyArray_DIM(states, 1) != 6
        || !PyArray_EquivTypenums(PyArray_TYPE(states), NPY_INT32) || PyArray_DIM(states, 0) == 0) {
        return tg_raise(ctx, step, "runtime", "rstate must be an n x 6 int32 matrix with streams");
    }
    rank = (int)PyArray_DIM(sizes, 0);
    for (int d = 0; d < rank; d++) {
        dims[d] = *(npy_int64 *)PyArray_GETPTR1(sizes, d);
        if (dims[d] < 0) return tg_raise(ctx, step, "runtime", "a sample size is negative");
        total *= dims[d];
    }
    if (total > TG_MRG_M1) {
        return tg_raise(ctx, step, "runtime", "MRG31k3p draws at most 2**31 - 1 numbers at once");
    }
    *new_state = PyArray_NewCopy(states, NPY_CORDER);
    if (*new_state == NULL) return -1;
    *sample = PyArray_EMPTY(rank, dims, float32 ? NPY_FLOAT32 : NPY_FLOAT64, 0);
    if (*sample == NULL) { Py_CLEAR(*new_state); return -1; }
    streams = PyArray_DIM(states, 0);
    {
        npy_int32 *s = PyArray_DATA((PyArrayObject *)*new_state);
        if (float32) {
            npy_float32 *out = PyArray_DATA((PyArrayObject *)*sample);
            for (npy_intp i = 0; i < total; i++)
                out[i] = (npy_float32)tg_mrg_step(s + 6 * (i % streams)) * 4.6566126e-10f;
        } else {
            npy_float64 *out = PyArray_DATA((PyArrayObject *)*sample);
            for (npy_intp i = 0; i < total; i++)
                out[i] = (npy_float64)tg_mrg_step(s + 6 * (i % streams))
                         * 4.656612873077392578125e-10;
        }
    }
    return 0;
}
