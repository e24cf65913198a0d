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

/* Run a flat loop function on elements [0, total): on one thread up to TG_PARALLEL_THRESHOLD
   elements, above it on every thread, each on a contiguous chunk of a multiple of 64 elements
   (neighbouring threads meet at most in one cache line). One parallel region serves every loop
   of a module. */
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
