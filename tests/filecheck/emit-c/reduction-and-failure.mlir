// RUN: tracegraph-opt %s -p fuse,lower{target=c} --emit c | filecheck %s

// A row sum of exp(x) in float32: one nest, on several threads above the threshold and one
// below (its work: elements times 9, 1 plus 8 for the call of expf), accumulating each row in float64 (then cast to float32). An integer power can fail:
// the loop carries the error flag, combines it across iterations and raises the reference's
// error naming the body's op.

// CHECK:      TG_KERNEL int tg_step_0(PyObject **v, PyObject *ctx) {
// CHECK:          tg_fill_float64((npy_float64 *)PyArray_DATA(o0), PyArray_SIZE(o0), 0x0.0p+0);
// CHECK:          if (TG_PARALLEL(n[0] * n[1] * 9)) {
// CHECK:              #pragma omp parallel for num_threads(TG_THREADS)
// CHECK-NEXT:         for (npy_intp i0 = 0; i0 < n[0]; i0++) {
// CHECK:                  npy_float64 r0 = *(npy_float64 *)(o0_p0);
// CHECK-NEXT:             #pragma omp simd reduction(+:r0)
// CHECK-NEXT:             for (npy_intp i = 0; i < n[1]; i++) {
// CHECK-NEXT:                 const npy_float32 x0 = *(const npy_float32 *)(a0_p0 + i * a0_s1);
// CHECK-NEXT:                 const npy_float32 t0 = expf(x0);
// CHECK-NEXT:                 r0 += ((npy_float64)t0);
// CHECK:          } else {
// CHECK-NOT:          #pragma omp parallel
// CHECK:          PyArrayObject *o0_r = (PyArrayObject *)PyArray_EMPTY(1, o0_dims, NPY_FLOAT32, 0);
// CHECK:              for (npy_intp i = 0; i < size; i++) dst[i] = (npy_float32)src[i];

// CHECK:      static __attribute__((noipa)) int tg_flat_1(npy_intp lo, npy_intp hi, char **data) {
// CHECK:          int tg_error = 0;
// CHECK-NEXT:     #pragma omp simd reduction(|:tg_error)
// CHECK:              const npy_int64 x1 = *p1;
// CHECK-NEXT:         const npy_int64 t0 = tg_pow_i64(x0, x1, &tg_error);
// CHECK:          return tg_error;
// CHECK:      TG_KERNEL int tg_step_1(PyObject **v, PyObject *ctx) {
// CHECK-NEXT:     /* tgk.loop at
// CHECK-NEXT:     int tg_error = 0;
// CHECK:          tg_error |= tg_run_flat(tg_flat_1, total, 1, tg_data);
// CHECK:          if (tg_error) {
// CHECK-NEXT:         Py_DECREF(o0);
// CHECK-NEXT:         PyObject *tg_operands = PyTuple_Pack(2, v[1], v[3]);
// CHECK-NEXT:         tg_raise_at(ctx, 1, 1, "value", "Integers to negative integer powers are not allowed.", tg_operands);
// CHECK-NEXT:         Py_XDECREF(tg_operands);
// CHECK-NEXT:         return -1;
func.func @f(%x: tensor<?x?xf32>, %i: tensor<?xi64>) -> (tensor<?xf32>, tensor<?xi64>) {
  %e = tg.exp %x : tensor<?x?xf32> -> tensor<?x?xf32>
  %s = tg.sum %e {axes = array<i64: 1>, keepdims = false} : tensor<?x?xf32> -> tensor<?xf32>
  %two = tg.constant dense<2> : tensor<1xi64>
  %p = tg.pow %i, %two : (tensor<?xi64>, tensor<1xi64>) -> tensor<?xi64>
  func.return %s, %p : tensor<?xf32>, tensor<?xi64>
}
