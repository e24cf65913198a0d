"""The C prelude every generated module includes: the Python and NumPy headers, libm declared
for vectorized loops, and the helpers that give elementwise ops NumPy's exact semantics.

It is one header, ``tg_prelude.h``, which the build precompiles once per compiler and flags
(parsing the Python and NumPy headers is most of a small module's compile time).
"""

from __future__ import annotations

import struct

from tracegraph.backends.c.libm import simd_declarations
from tracegraph.backends.c.scalar import C_TYPES

PARALLEL_THRESHOLD = 1 << 17
"""Loops over more elements than this run on several threads."""

_LIBM_DECLARATIONS = simd_declarations()
"""``omp declare simd`` for the vectorized functions of ``LIBM_FUNCTIONS`` (``libm.py``)."""

_FLOAT_HELPERS = """
/* NumPy's floor division and remainder of floats (npy_divmod). */
static inline @T@ tg_divmod_@S@(@T@ a, @T@ b, @T@ *modulus) {
    @T@ mod = @FMOD@(a, b);
    @T@ div;
    @T@ floordiv;
    if (!b) { *modulus = mod; return a / b; }
    div = (a - mod) / b;
    if (mod) {
        if (isless(b, 0) != isless(mod, 0)) { mod += b; div -= (@T@)1; }
    } else {
        mod = @COPYSIGN@((@T@)0, b);
    }
    if (div) {
        floordiv = @FLOOR@(div);
        if (isgreater(div - floordiv, (@T@)0.5)) floordiv += (@T@)1;
    } else {
        floordiv = @COPYSIGN@((@T@)0, a / b);
    }
    *modulus = mod;
    return floordiv;
}
static inline @T@ tg_floordiv_@S@(@T@ a, @T@ b) {
    @T@ mod;
    if (!b) return a / b;
    return tg_divmod_@S@(a, b, &mod);
}
static inline @T@ tg_mod_@S@(@T@ a, @T@ b) {
    @T@ mod;
    if (!b) return @FMOD@(a, b);
    tg_divmod_@S@(a, b, &mod);
    return mod;
}
/* NumPy's maximum and minimum: NaN propagates; of equal operands (-0.0 and 0.0), b. */
static inline @T@ tg_maximum_@S@(@T@ a, @T@ b) { return (a > b || isnan(a)) ? a : b; }
static inline @T@ tg_minimum_@S@(@T@ a, @T@ b) { return (a < b || isnan(a)) ? a : b; }
static inline @T@ tg_sign_@S@(@T@ x) {
    return x > 0 ? (@T@)1 : (x < 0 ? (@T@)-1 : (x == 0 ? (@T@)0 : x));
}
/* The reference's sigmoid (exact where each branch is taken: exp(-|x|) is exp(-x) for x >= 0
   and exp(x) below) and softplus (NumPy's logaddexp(0, x)), written without branches so that
   loops over them vectorize (both sides are computed, one is kept). */
static inline @T@ tg_sigmoid_@S@(@T@ x) {
    const @T@ e = @EXP@(-@FABS@(x));
    const @T@ positive = (@T@)1 / ((@T@)1 + e);
    const @T@ negative = e / ((@T@)1 + e);
    return x >= 0 ? positive : negative;
}
static inline @T@ tg_softplus_@S@(@T@ x) {
    const @T@ tail = @LOG1P@(@EXP@(-@FABS@(x)));
    return x > 0 ? x + tail : tail;
}
"""

_SIGNED_HELPERS = """
/* NumPy's integer floor division and remainder: by 0 they give 0; MIN // -1 wraps. */
static inline @T@ tg_floordiv_@S@(@T@ a, @T@ b) {
    @T@ q;
    if (b == 0) return 0;
    if (b == -1) return (@T@)(0 - (@U@)a);
    q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) q -= 1;
    return q;
}
static inline @T@ tg_mod_@S@(@T@ a, @T@ b) {
    @T@ r;
    if (b == 0 || b == -1) return 0;
    r = a % b;
    if (r != 0 && ((r < 0) != (b < 0))) r += b;
    return r;
}
static inline @T@ tg_maximum_@S@(@T@ a, @T@ b) { return a >= b ? a : b; }
static inline @T@ tg_minimum_@S@(@T@ a, @T@ b) { return a <= b ? a : b; }
/* Integer powers by squaring, wrapping; a negative exponent is an error, as in NumPy. */
static inline @T@ tg_pow_@S@(@T@ a, @T@ b, int *error) {
    @U@ result = 1, base = (@U@)a;
    if (b < 0) { *error = 1; return 0; }
    while (b) { if (b & 1) result *= base; base *= base; b >>= 1; }
    return (@T@)result;
}
"""

_UNSIGNED_HELPERS = """
static inline @T@ tg_floordiv_@S@(@T@ a, @T@ b) { return b == 0 ? 0 : a / b; }
static inline @T@ tg_mod_@S@(@T@ a, @T@ b) { return b == 0 ? 0 : a % b; }
static inline @T@ tg_maximum_@S@(@T@ a, @T@ b) { return a >= b ? a : b; }
static inline @T@ tg_minimum_@S@(@T@ a, @T@ b) { return a <= b ? a : b; }
static inline @T@ tg_pow_@S@(@T@ a, @T@ b, int *error) {
    @T@ result = 1, base = a;
    (void)error;
    while (b) { if (b & 1) result *= base; base *= base; b >>= 1; }
    return result;
}
"""


_RUNTIME = """
/* -- the runtime of generated modules -------------------------------------------------------- */

/* Raise the typed error (kind: "shape", "index" or "runtime") of op `blame` of step `step`
   (0: the step's op; k: the k-th op of a loop's body) through the context's raise_error, which
   names the op and the user's line, and the operands (a tuple, or NULL). Returns -1. */
static int tg_raise_at(PyObject *ctx, int step, int blame, const char *kind,
                       const char *message, PyObject *operands) {
    PyObject *r = PyObject_CallFunction(PyTuple_GET_ITEM(ctx, 2), "iissO", step, blame, kind,
                                        message, operands ? operands : Py_None);
    Py_XDECREF(r);
    if (!PyErr_Occurred()) PyErr_SetString(PyExc_RuntimeError, message);
    return -1;
}

static int tg_raise(PyObject *ctx, int step, const char *kind, const char *message) {
    return tg_raise_at(ctx, step, 0, kind, message, NULL);
}

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

static int tg_same_dims(PyArrayObject *a, const npy_intp *dims, int rank) {
    if (PyArray_NDIM(a) != rank) return 0;
    for (int d = 0; d < rank; d++) if (PyArray_DIM(a, d) != dims[d]) return 0;
    return 1;
}

static int tg_check_argument(PyObject *o, int typenum, int ndim, int index) {
    if (!PyArray_Check(o) || !PyArray_EquivTypenums(PyArray_TYPE((PyArrayObject *)o), typenum)
        || PyArray_NDIM((PyArrayObject *)o) != ndim) {
        PyErr_Format(PyExc_TypeError, "argument %d of the compiled function is not an array "
                     "of the expected dtype and rank", index);
        return -1;
    }
    return 0;
}

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
"""


_FILL = """
static inline void tg_fill_@D@(@T@ *data, npy_intp n, @T@ value) {
    for (npy_intp i = 0; i < n; i++) data[i] = value;
}
"""


def _instantiate(template: str, **names: str) -> str:
    """The template with each ``@NAME@`` replaced by ``names[NAME]``."""
    text = template
    for name, value in names.items():
        text = text.replace(f"@{name}@", value)
    return text


_BLAS_TEMPLATE = """
/* A 2-d operand as BLAS reads it: row-major storage of the matrix (trans = 0) or of its
   transpose (trans = 1) with leading dimension *ld; 0 if its strides fit neither. */
static int tg_matrix_layout_@S@(PyArrayObject *m, int *trans, npy_intp *ld) {
    const npy_intp e = sizeof(@T@), r = PyArray_DIM(m, 0), c = PyArray_DIM(m, 1);
    const npy_intp s0 = PyArray_STRIDE(m, 0), s1 = PyArray_STRIDE(m, 1);
    if ((s1 == e || c <= 1) && (r <= 1 || (s0 % e == 0 && s0 >= c * e))) {
        *trans = 0; *ld = (r <= 1 || s0 == 0) ? (c > 1 ? c : 1) : s0 / e; return 1;
    }
    if ((s0 == e || r <= 1) && (c <= 1 || (s1 % e == 0 && s1 >= r * e))) {
        *trans = 1; *ld = (c <= 1 || s1 == 0) ? (r > 1 ? r : 1) : s1 / e; return 1;
    }
    return 0;
}

/* An operand BLAS can read (a new reference: the array, or a C-contiguous copy). */
static PyArrayObject *tg_blas_operand_@S@(PyArrayObject *a) {
    int trans; npy_intp ld;
    if (PyArray_NDIM(a) == 2 && tg_matrix_layout_@S@(a, &trans, &ld)) { Py_INCREF(a); return a; }
    if (PyArray_NDIM(a) == 1 && (PyArray_DIM(a, 0) <= 1
            || (PyArray_STRIDE(a, 0) > 0 && PyArray_STRIDE(a, 0) % sizeof(@T@) == 0))) {
        Py_INCREF(a); return a;
    }
    return (PyArrayObject *)PyArray_NewCopy(a, NPY_CORDER);
}

static npy_intp tg_increment_@S@(PyArrayObject *x) {
    return PyArray_DIM(x, 0) <= 1 ? 1 : PyArray_STRIDE(x, 0) / (npy_intp)sizeof(@T@);
}

/* tg.dot of float tensors of rank 1 or 2, through BLAS. */
static PyObject *tg_dot_@S@(PyObject *ctx, int step, PyArrayObject *a0, PyArrayObject *b0) {
    const int na = PyArray_NDIM(a0), nb = PyArray_NDIM(b0);
    const npy_intp m = na == 2 ? PyArray_DIM(a0, 0) : 1, k = PyArray_DIM(a0, na - 1);
    const npy_intp n = nb == 2 ? PyArray_DIM(b0, 1) : 1;
    npy_intp dims[2];
    int rank = 0, ta = 0, tb = 0;
    npy_intp lda = 1, ldb = 1;
    PyArrayObject *a, *b, *c;
    if (PyArray_DIM(b0, 0) != k) {
        char message[200];
        snprintf(message, sizeof message, "dot: inner sizes %zd and %zd differ",
                 (Py_ssize_t)k, (Py_ssize_t)PyArray_DIM(b0, 0));
        tg_raise(ctx, step, "shape", message);
        return NULL;
    }
    if (m > INT_MAX || n > INT_MAX || k > INT_MAX) {
        tg_raise(ctx, step, "runtime", "dot: a size exceeds the 32-bit BLAS interface");
        return NULL;
    }
    if (na == 2) dims[rank++] = m;
    if (nb == 2) dims[rank++] = n;
    c = (PyArrayObject *)PyArray_ZEROS(rank, dims, @NPY@, 0);
    if (c == NULL || m == 0 || n == 0 || k == 0) return (PyObject *)c;
    a = tg_blas_operand_@S@(a0);
    b = a == NULL ? NULL : tg_blas_operand_@S@(b0);
    if (b == NULL) { Py_XDECREF(a); Py_DECREF(c); return NULL; }
    if (na == 2) tg_matrix_layout_@S@(a, &ta, &lda);
    if (nb == 2) tg_matrix_layout_@S@(b, &tb, &ldb);
    {
        const @T@ *A = PyArray_DATA(a), *B = PyArray_DATA(b);
        @T@ *C = PyArray_DATA(c);
        Py_BEGIN_ALLOW_THREADS
        if (na == 2 && nb == 2) {
            scipy_cblas_@S@gemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans,
                                tb ? CblasTrans : CblasNoTrans, (blasint)m, (blasint)n,
                                (blasint)k, 1, A, (blasint)lda, B, (blasint)ldb, 0, C,
                                (blasint)n);
        } else if (na == 2) {
            if (ta) scipy_cblas_@S@gemv(CblasRowMajor, CblasTrans, (blasint)k, (blasint)m, 1, A,
                                       (blasint)lda, B, (blasint)tg_increment_@S@(b), 0, C, 1);
            else scipy_cblas_@S@gemv(CblasRowMajor, CblasNoTrans, (blasint)m, (blasint)k, 1, A,
                                     (blasint)lda, B, (blasint)tg_increment_@S@(b), 0, C, 1);
        } else if (nb == 2) {
            if (tb) scipy_cblas_@S@gemv(CblasRowMajor, CblasNoTrans, (blasint)n, (blasint)k, 1, B,
                                       (blasint)ldb, A, (blasint)tg_increment_@S@(a), 0, C, 1);
            else scipy_cblas_@S@gemv(CblasRowMajor, CblasTrans, (blasint)k, (blasint)n, 1, B,
                                     (blasint)ldb, A, (blasint)tg_increment_@S@(a), 0, C, 1);
        } else {
            C[0] = scipy_cblas_@S@dot((blasint)k, A, (blasint)tg_increment_@S@(a), B,
                                      (blasint)tg_increment_@S@(b));
        }
        Py_END_ALLOW_THREADS
    }
    Py_DECREF(a);
    Py_DECREF(b);
    return (PyObject *)c;
}
"""

_BLAS = _instantiate(_BLAS_TEMPLATE, S="d", T="npy_float64", NPY="NPY_FLOAT64") + _instantiate(
    _BLAS_TEMPLATE, S="s", T="npy_float32", NPY="NPY_FLOAT32"
)

_MRG = """
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

/* Run a flat loop function on elements [0, total): on one thread up to the threshold, above it
   on every thread, each on a contiguous chunk of a multiple of 64 elements (neighbouring
   threads meet at most in one cache line). One parallel region serves every loop of a
   module. */
typedef int (*tg_flat_loop)(npy_intp lo, npy_intp hi, char **data);
static int tg_run_flat(tg_flat_loop loop, npy_intp total, char **data) {
    int error = 0;
    if (total <= TG_PARALLEL_THRESHOLD) return loop(0, total, data);
    #pragma omp parallel reduction(|:error)
    {
        const npy_intp threads = omp_get_num_threads();
        const npy_intp chunk = ((total + threads - 1) / threads + 63) & ~(npy_intp)63;
        const npy_intp lo = chunk * omp_get_thread_num();
        const npy_intp hi = lo + chunk < total ? lo + chunk : total;
        if (lo < hi) error |= loop(lo, hi, data);
    }
    return error;
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
"""


_CAST_HELPERS = """
/* tg.cast of a float to an integer, as x86-64 NumPy's astype of a contiguous array (see tg.cast):
   toward zero where the value fits the x86 conversion's range, else the x86 "integer
   indefinite" (the range's most negative integer), NaN and infinities included. C leaves a
   conversion out of range undefined (GCC folds (double)(int)x into trunc(x), for one), so each
   is a range check, |x| < 2**31 (2**63), and a select before a conversion that is defined
   (-2**31 down to -2**31 - 1 truncate to the indefinite anyway). int32: the select is of bit
   patterns (x or -2**31), which vectorizes at the floats' width; a select of values GCC moves
   past the conversion and narrows its mask with the result (twice the cost for uint8). int8,
   int16, uint8 and uint16 wrap the int32 conversion (the caller narrows it). uint32 converts
   x - 2**31 from 2**31 up and flips the top bit, as compilers do (and NumPy's vector loop):
   [2**31, 2**32) exactly, 0 from 2**32 up (inf too), the int32 conversion wrapped below (NaN:
   2**31). uint64: [2**63, 2**64) exactly, 0 from 2**64 up, else the int64 conversion
   wrapped (NaN: 2**63). */
static inline npy_int32 tg_cast_@S@_i32(@T@ x) {
    @U@ bits;
    const @U@ keep = (@U@)0 - (@U@)(@FABS@(x) < (@T@)0x1p31);
    memcpy(&bits, &x, sizeof bits);
    bits = (bits & keep) | (@MINUS_2_31@ & ~keep);
    memcpy(&x, &bits, sizeof x);
    return (npy_int32)x;
}
static inline npy_int64 tg_cast_@S@_i64(@T@ x) {
    return @FABS@(x) < (@T@)0x1p63 ? (npy_int64)x : NPY_MIN_INT64;
}
static inline npy_uint32 tg_cast_@S@_ui32(@T@ x) {
    const int high = x >= (@T@)0x1p31;
    return (npy_uint32)tg_cast_@S@_i32(high ? x - (@T@)0x1p31 : x) ^ (high ? 0x80000000u : 0u);
}
static inline npy_uint64 tg_cast_@S@_ui64(@T@ x) {
    if (!(x >= (@T@)0x1p63)) return (npy_uint64)tg_cast_@S@_i64(x);
    return x < (@T@)0x1p64 ? (npy_uint64)x : 0;
}
"""


def _cast_helpers() -> str:
    def bits(value: float, width: int) -> str:
        """The bit pattern of ``value`` as a float of ``width`` bits."""
        float_format, int_format = ("<d", "<Q") if width == 64 else ("<f", "<I")
        (pattern,) = struct.unpack(int_format, struct.pack(float_format, value))
        return f"0x{pattern:X}ULL"

    return "".join(
        _instantiate(
            _CAST_HELPERS,
            T=f"npy_float{width}",
            U=f"npy_uint{width}",
            S=f"f{width}",
            FABS="fabs" if width == 64 else "fabsf",
            MINUS_2_31=bits(-(2.0**31), width),
        )
        for width in (64, 32)
    )


def _helpers() -> str:
    parts = [
        _instantiate(
            _FLOAT_HELPERS,
            FMOD="fmod",
            FABS="fabs",
            COPYSIGN="copysign",
            FLOOR="floor",
            EXP="exp",
            LOG1P="log1p",
            T="npy_float64",
            S="f64",
        ),
        _instantiate(
            _FLOAT_HELPERS,
            FMOD="fmodf",
            FABS="fabsf",
            COPYSIGN="copysignf",
            FLOOR="floorf",
            EXP="expf",
            LOG1P="log1pf",
            T="npy_float32",
            S="f32",
        ),
    ]
    for bits in (8, 16, 32, 64):
        parts.append(
            _instantiate(_SIGNED_HELPERS, T=f"npy_int{bits}", U=f"npy_uint{bits}", S=f"i{bits}")
        )
        parts.append(_instantiate(_UNSIGNED_HELPERS, T=f"npy_uint{bits}", S=f"ui{bits}"))
    for dtype, c_type in C_TYPES.items():
        parts.append(_instantiate(_FILL, D=dtype, T=c_type))
    return "\n".join(parts)


PRELUDE = f"""/* tracegraph's prelude of generated modules */
#ifndef TG_PRELUDE_H
#define TG_PRELUDE_H
#define TG_PARALLEL_THRESHOLD {PARALLEL_THRESHOLD}
#define PY_SSIZE_T_CLEAN
#define NPY_NO_DEPRECATED_API NPY_1_7_API_VERSION
#include <Python.h>
#include <numpy/arrayobject.h>
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <string.h>
#include <stdio.h>
#include <cblas.h>

{_LIBM_DECLARATIONS}

/* exact comparison of a signed and an unsigned 64-bit integer: -1, 0 or 1 */
static inline int tg_cmp_i64_u64(npy_int64 a, npy_uint64 b) {{
    if (a < 0) return -1;
    return (npy_uint64)a < b ? -1 : ((npy_uint64)a > b ? 1 : 0);
}}
{_cast_helpers()}
{_helpers()}
{_RUNTIME}
{_BLAS}
{_MRG}
#endif
"""
"""The text of ``tg_prelude.h``."""
