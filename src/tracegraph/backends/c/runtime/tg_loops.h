/* tg_loops.h: what the loops of generated modules call besides the scalar helpers: tg_fill_D,
   which initializes a reduction's accumulator to its identity (one per dtype D, through
   TG_DTYPES), and tg_run_flat, which runs a flat loop on one thread or on several.

   Part of tg_prelude.h, which prelude.py assembles: omp.h, TG_DTYPES and TG_PARALLEL_THRESHOLD
   come before it. */

/* Set data[0..n) to value. D: the dtype's name; T: its C type. */
#define TG_FILL(D, T)                                                                              \
    static inline void tg_fill_##D(T *data, npy_intp n, T value) {                                 \
        for (npy_intp i = 0; i < n; i++) data[i] = value;                                          \
    }

TG_DTYPES(TG_FILL)

/* The threads of parallel regions: config.threads (backends/c/threads.py), read through a pointer
   each module's init takes from Python, so that one count serves every module of the process and
   changes between calls. TG_PARALLEL(work): whether a loop of that work uses them (its elements
   times the cost of one: 1, plus the cost of each libm call of its body, loops.py). */
extern __attribute__((visibility("hidden"))) int *tg_thread_count;
#define TG_THREADS (*tg_thread_count)
#define TG_PARALLEL(work) ((work) > TG_PARALLEL_THRESHOLD && TG_THREADS > 1)

/* The address held by the integer attribute `attribute` of the Python module `module` (NULL with
   an exception set where there is none): how a module's init finds the thread count. */
static inline int *tg_import_address(const char *module, const char *attribute) {
    PyObject *owner = PyImport_ImportModule(module), *address;
    void *pointer;
    if (owner == NULL) return NULL;
    address = PyObject_GetAttrString(owner, attribute);
    Py_DECREF(owner);
    if (address == NULL) return NULL;
    pointer = PyLong_AsVoidPtr(address);
    Py_DECREF(address);
    if (pointer == NULL && !PyErr_Occurred())
        PyErr_Format(PyExc_ImportError, "%s.%s is a null address", module, attribute);
    return (int *)pointer;
}

/* Run a flat loop function on elements [0, total), each costing cost (TG_PARALLEL's units): on
   one thread up to a work of TG_PARALLEL_THRESHOLD, above it on TG_THREADS threads, each on a
   contiguous chunk of a multiple of 64 elements (neighbouring threads meet at most in one cache
   line). One parallel region serves every loop of a module. */
typedef int (*tg_flat_loop)(npy_intp lo, npy_intp hi, char **data);
static int tg_run_flat(tg_flat_loop loop, npy_intp total, npy_intp cost, char **data) {
    int error = 0;
    if (!TG_PARALLEL(total * cost)) return loop(0, total, data);
    #pragma omp parallel num_threads(TG_THREADS) reduction(|:error)
    {
        const npy_intp threads = omp_get_num_threads();
        const npy_intp chunk = ((total + threads - 1) / threads + 63) & ~(npy_intp)63;
        const npy_intp lo = chunk * omp_get_thread_num();
        const npy_intp hi = lo + chunk < total ? lo + chunk : total;
        if (lo < hi) error |= loop(lo, hi, data);
    }
    return error;
}
