/* tg_mpi.h: all-reduces called from the module (MPI), in the modules compiled while the process's world
   was an MPI communicator (ir/communication.py: NativeMPI). Not part of the prelude: a module
   that uses it includes the MPI library's mpi.h, then this file's text.

   The world's state is the array WORLD_STATE of ir/communication.py (the module imports its
   address at load): which communicator is installed (a generation number), its MPI handle
   (0: not MPI; the step then calls the reference kernel), its size, and when the collective in
   progress began, which the communicator's watchdog reads (it ends a rank stuck in one). */

#include <limits.h>
#include <time.h>

#define TG_WORLD_GENERATION 0
#define TG_WORLD_COMM 1
#define TG_WORLD_SIZE 2
#define TG_WORLD_SINCE 3

static int64_t *tg_world;

static int64_t tg_monotonic_ns(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
}

/* The mean of a sum over the ranks: each element divided by their number, in the dtype (as
   NumPy's in-place division of the reference kernel). Floats only: the verifier refuses the
   mean of other dtypes. */
static void tg_divide_by_ranks(char *data, npy_intp total, int typenum, int64_t ranks) {
    if (typenum == NPY_FLOAT64) {
        double *d = (double *)data;
        for (npy_intp k = 0; k < total; k++) d[k] /= (double)ranks;
    } else if (typenum == NPY_FLOAT32) {
        float *f = (float *)data;
        for (npy_intp k = 0; k < total; k++) f[k] /= (float)ranks;
    }
}

/* rs[0..n) = xs[0..n) combined over the ranks by `op` (divided by their number when `mean`):
   the operands copied into one flat buffer of dtype `typenum`, MPI_Allreduce in place on it
   (in chunks of at most INT_MAX elements, MPI's count), the results views of its parts. The
   GIL is released while MPI waits for the other ranks. */
static int tg_all_reduce(PyObject *ctx, int step, int n, PyObject **xs, PyObject **rs,
                         int typenum, MPI_Datatype type, MPI_Op op, int mean) {
    npy_intp total = 0, offset = 0;
    PyArrayObject *arrays[n];
    int filled = 0, rc = MPI_SUCCESS;
    for (; filled < n; filled++) {
        arrays[filled] = (PyArrayObject *)PyArray_FROM_O(xs[filled]);
        if (arrays[filled] == NULL) goto fail;
        total += PyArray_SIZE(arrays[filled]);
    }
    PyArrayObject *flat = (PyArrayObject *)PyArray_SimpleNew(1, &total, typenum);
    if (flat == NULL) goto fail;
    char *data = PyArray_BYTES(flat);
    const npy_intp itemsize = PyArray_ITEMSIZE(flat);
    for (int i = 0; i < n; i++) {
        PyArrayObject *x = arrays[i];
        rs[i] = PyArray_NewFromDescr(&PyArray_Type, PyArray_DescrFromType(typenum),
                                     PyArray_NDIM(x), PyArray_DIMS(x), NULL,
                                     data + offset * itemsize, NPY_ARRAY_CARRAY, NULL);
        if (rs[i] == NULL) goto fail_flat;
        Py_INCREF(flat);
        if (PyArray_SetBaseObject((PyArrayObject *)rs[i], (PyObject *)flat) < 0) goto fail_flat;
        if (PyArray_CopyInto((PyArrayObject *)rs[i], x) < 0) goto fail_flat;
        offset += PyArray_SIZE(x);
    }
    const MPI_Comm comm = (MPI_Comm)(intptr_t)tg_world[TG_WORLD_COMM];
    Py_BEGIN_ALLOW_THREADS
    __atomic_store_n(&tg_world[TG_WORLD_SINCE], tg_monotonic_ns(), __ATOMIC_RELAXED);
    for (npy_intp done = 0; done < total && rc == MPI_SUCCESS; done += INT_MAX) {
        const int count = (int)(total - done < INT_MAX ? total - done : INT_MAX);
        rc = MPI_Allreduce(MPI_IN_PLACE, data + done * itemsize, count, type, op, comm);
    }
    __atomic_store_n(&tg_world[TG_WORLD_SINCE], 0, __ATOMIC_RELAXED);
    Py_END_ALLOW_THREADS
    if (rc != MPI_SUCCESS) {
        char text[MPI_MAX_ERROR_STRING + 32];
        int length = 0;
        strcpy(text, "MPI_Allreduce failed: ");
        MPI_Error_string(rc, text + strlen(text), &length);
        tg_raise(ctx, step, "runtime", text);
        goto fail_flat;
    }
    if (mean) tg_divide_by_ranks(data, total, typenum, tg_world[TG_WORLD_SIZE]);
    Py_DECREF(flat);
    for (int i = 0; i < n; i++) Py_DECREF(arrays[i]);
    return 0;
fail_flat:
    Py_DECREF(flat);
fail:
    for (int i = 0; i < n; i++) Py_CLEAR(rs[i]);
    for (int i = 0; i < filled; i++) Py_DECREF(arrays[i]);
    return -1;
}
