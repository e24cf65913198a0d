/* tg_blas.h: tg.dot of float tensors of rank 1 or 2 through BLAS (scipy-openblas32's CBLAS:
   gemm, gemv or dot), reading strided and transposed operands in place where one axis is
   unit-stride: tg_dot_d (float64) and tg_dot_s (float32).

   Part of tg_prelude.h, which prelude.py assembles: cblas.h and tg_errors.h come before it.
   TG_BLAS_DOT defines the functions of one type; the lines after it define them for both. */

/* S: BLAS's letter of the type (d, s); T: its C type; NPY: its NumPy type number.

   tg_matrix_layout_S: a 2-d operand as BLAS reads it: row-major storage of the matrix (trans = 0)
   or of its transpose (trans = 1) with leading dimension *ld; 0 if its strides fit neither.
   tg_blas_operand_S: an operand BLAS can read (a new reference: the array, or a C-contiguous
   copy). tg_increment_S: the increment of a vector, in elements. tg_dot_S: the product. */
#define TG_BLAS_DOT(S, T, NPY)                                                                     \
    static int tg_matrix_layout_##S(PyArrayObject *m, int *trans, npy_intp *ld) {                  \
        const npy_intp e = sizeof(T), r = PyArray_DIM(m, 0), c = PyArray_DIM(m, 1);                \
        const npy_intp s0 = PyArray_STRIDE(m, 0), s1 = PyArray_STRIDE(m, 1);                       \
        if ((s1 == e || c <= 1) && (r <= 1 || (s0 % e == 0 && s0 >= c * e))) {                     \
            *trans = 0; *ld = (r <= 1 || s0 == 0) ? (c > 1 ? c : 1) : s0 / e; return 1;            \
        }                                                                                          \
        if ((s0 == e || r <= 1) && (c <= 1 || (s1 % e == 0 && s1 >= r * e))) {                     \
            *trans = 1; *ld = (c <= 1 || s1 == 0) ? (r > 1 ? r : 1) : s1 / e; return 1;            \
        }                                                                                          \
        return 0;                                                                                  \
    }                                                                                              \
                                                                                                   \
    static PyArrayObject *tg_blas_operand_##S(PyArrayObject *a) {                                  \
        int trans; npy_intp ld;                                                                    \
        if (PyArray_NDIM(a) == 2 && tg_matrix_layout_##S(a, &trans, &ld)) {                        \
            Py_INCREF(a); return a;                                                                \
        }                                                                                          \
        if (PyArray_NDIM(a) == 1 && (PyArray_DIM(a, 0) <= 1                                        \
                || (PyArray_STRIDE(a, 0) > 0 && PyArray_STRIDE(a, 0) % sizeof(T) == 0))) {         \
            Py_INCREF(a); return a;                                                                \
        }                                                                                          \
        return (PyArrayObject *)PyArray_NewCopy(a, NPY_CORDER);                                    \
    }                                                                                              \
                                                                                                   \
    static npy_intp tg_increment_##S(PyArrayObject *x) {                                           \
        return PyArray_DIM(x, 0) <= 1 ? 1 : PyArray_STRIDE(x, 0) / (npy_intp)sizeof(T);            \
    }                                                                                              \
                                                                                                   \
    static PyObject *tg_dot_##S(PyObject *ctx, int step, PyArrayObject *a0, PyArrayObject *b0) {   \
        const int na = PyArray_NDIM(a0), nb = PyArray_NDIM(b0);                                    \
        const npy_intp m = na == 2 ? PyArray_DIM(a0, 0) : 1, k = PyArray_DIM(a0, na - 1);          \
        const npy_intp n = nb == 2 ? PyArray_DIM(b0, 1) : 1;                                       \
        npy_intp dims[2];                                                                          \
        int rank = 0, ta = 0, tb = 0;                                                              \
        npy_intp lda = 1, ldb = 1;                                                                 \
        PyArrayObject *a, *b, *c;                                                                  \
        if (PyArray_DIM(b0, 0) != k) {                                                             \
            char message[200];                                                                     \
            PyObject *operands = PyTuple_Pack(2, (PyObject *)a0, (PyObject *)b0);                  \
            snprintf(message, sizeof message, "inner sizes %zd and %zd differ",                    \
                     (Py_ssize_t)k, (Py_ssize_t)PyArray_DIM(b0, 0));                               \
            tg_raise_at(ctx, step, 0, "shape", message, operands);                                 \
            Py_XDECREF(operands);                                                                  \
            return NULL;                                                                           \
        }                                                                                          \
        if (m > INT_MAX || n > INT_MAX || k > INT_MAX) {                                           \
            tg_raise(ctx, step, "runtime", "dot: a size exceeds the 32-bit BLAS interface");       \
            return NULL;                                                                           \
        }                                                                                          \
        if (na == 2) dims[rank++] = m;                                                             \
        if (nb == 2) dims[rank++] = n;                                                             \
        /* gemm with beta = 0 writes every element of c (zeroing it first was 4% of an MLP   */    \
        /* step); gemv's and dot's outputs are small, and k = 0 leaves c as it is        */        \
        c = (PyArrayObject *)(na == 2 && nb == 2 && k > 0 ? PyArray_EMPTY(rank, dims, NPY, 0)      \
                                                          : PyArray_ZEROS(rank, dims, NPY, 0));    \
        if (c == NULL || m == 0 || n == 0 || k == 0) return (PyObject *)c;                         \
        a = tg_blas_operand_##S(a0);                                                               \
        b = a == NULL ? NULL : tg_blas_operand_##S(b0);                                            \
        if (b == NULL) { Py_XDECREF(a); Py_DECREF(c); return NULL; }                               \
        if (na == 2) tg_matrix_layout_##S(a, &ta, &lda);                                           \
        if (nb == 2) tg_matrix_layout_##S(b, &tb, &ldb);                                           \
        {                                                                                          \
            const T *A = PyArray_DATA(a), *B = PyArray_DATA(b);                                    \
            T *C = PyArray_DATA(c);                                                                \
            Py_BEGIN_ALLOW_THREADS                                                                 \
            if (na == 2 && nb == 2) {                                                              \
                scipy_cblas_##S##gemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans,               \
                                      tb ? CblasTrans : CblasNoTrans, (blasint)m, (blasint)n,      \
                                      (blasint)k, 1, A, (blasint)lda, B, (blasint)ldb, 0, C,       \
                                      (blasint)n);                                                 \
            } else if (na == 2) {                                                                  \
                if (ta) scipy_cblas_##S##gemv(CblasRowMajor, CblasTrans, (blasint)k, (blasint)m,   \
                                              1, A, (blasint)lda, B,                               \
                                              (blasint)tg_increment_##S(b), 0, C, 1);              \
                else scipy_cblas_##S##gemv(CblasRowMajor, CblasNoTrans, (blasint)m, (blasint)k,    \
                                           1, A, (blasint)lda, B, (blasint)tg_increment_##S(b),    \
                                           0, C, 1);                                               \
            } else if (nb == 2) {                                                                  \
                if (tb) scipy_cblas_##S##gemv(CblasRowMajor, CblasNoTrans, (blasint)n,             \
                                              (blasint)k, 1, B, (blasint)ldb, A,                   \
                                              (blasint)tg_increment_##S(a), 0, C, 1);              \
                else scipy_cblas_##S##gemv(CblasRowMajor, CblasTrans, (blasint)k, (blasint)n, 1,   \
                                           B, (blasint)ldb, A, (blasint)tg_increment_##S(a), 0,    \
                                           C, 1);                                                  \
            } else {                                                                               \
                C[0] = scipy_cblas_##S##dot((blasint)k, A, (blasint)tg_increment_##S(a), B,        \
                                            (blasint)tg_increment_##S(b));                         \
            }                                                                                      \
            Py_END_ALLOW_THREADS                                                                   \
        }                                                                                          \
        Py_DECREF(a);                                                                              \
        Py_DECREF(b);                                                                              \
        return (PyObject *)c;                                                                      \
    }

TG_BLAS_DOT(d, npy_float64, NPY_FLOAT64)
TG_BLAS_DOT(s, npy_float32, NPY_FLOAT32)

/* OpenBLAS's threaded work, run on the loops' OpenMP threads (each module's init registers this
   callback): one pool of threads serves loops and products, where two pools, each spinning
   after its work, took each other's cores. A job may wait on the others (the threads of a
   gemm share packed panels), so every job gets a thread of its own: num_threads(numjobs). */
static void tg_blas_threads(int sync, openblas_dojob_callback dojob, int numjobs, size_t size,
                            void *jobs, int data) {
    (void)sync;
    #pragma omp parallel for num_threads(numjobs) schedule(static, 1)
    for (int i = 0; i < numjobs; i++) dojob(i, (char *)jobs + (size_t)i * size, data);
}
