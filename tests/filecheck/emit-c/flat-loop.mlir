// RUN: tracegraph-opt %s -p lower{target=c} --emit c | filecheck %s

// A flat_or_nested, parallel loop: a vectorized function of the flat loop that tg_run_flat
// runs on one thread or several (by its work: elements times a cost of 1 per element, no
// libm call). An input that is not C-contiguous is copied first (its copy is read flat and
// released after the loop), so the body is emitted once. The sizes of the inputs are checked
// against each other first.

// CHECK:      static __attribute__((noipa)) int tg_flat_0(npy_intp lo, npy_intp hi, char **data) {
// CHECK:          #pragma omp simd
// CHECK-NEXT:     for (npy_intp i = lo; i < hi; i++) {
// CHECK-NEXT:         const npy_float64 x0 = p0[i];
// CHECK-NEXT:         const npy_float64 x1 = p1[i];
// CHECK-NEXT:         const npy_float64 t0 = ((npy_float64)(x0 * x1));
// CHECK-NEXT:         q0[i] = t0;
// CHECK:      TG_KERNEL int tg_step_0(PyObject **v, PyObject *ctx) {
// CHECK:          if (n[0] != PyArray_DIM(a1, 0)) {
// CHECK-NEXT:         return tg_raise_shapes(ctx, 0, 1, 0, a0, 0, a1, 0);
// CHECK:          PyArrayObject *a0_c = NULL;
// CHECK-NEXT:     if (!PyArray_IS_C_CONTIGUOUS(a0)) {
// CHECK-NEXT:         a0_c = (PyArrayObject *)PyArray_NewCopy(a0, NPY_CORDER);
// CHECK-NEXT:         if (a0_c == NULL) {
// CHECK-NEXT:             Py_DECREF(o0);
// CHECK-NEXT:             return -1;
// CHECK-NEXT:         }
// CHECK-NEXT:         a0 = a0_c;
// CHECK-NEXT:     }
// CHECK-NEXT:     PyArrayObject *a1_c = NULL;
// CHECK-NEXT:     if (!PyArray_IS_C_CONTIGUOUS(a1)) {
// CHECK-NEXT:         a1_c = (PyArrayObject *)PyArray_NewCopy(a1, NPY_CORDER);
// CHECK-NEXT:         if (a1_c == NULL) {
// CHECK-NEXT:             Py_XDECREF(a0_c);
// CHECK-NEXT:             Py_DECREF(o0);
// CHECK-NEXT:             return -1;
// CHECK:          (void)tg_run_flat(tg_flat_0, total, 1, tg_data);
// CHECK-NEXT:     Py_XDECREF(a0_c);
// CHECK-NEXT:     Py_XDECREF(a1_c);
// CHECK-NOT:      for (npy_intp i = 0; i < n[0]; i++) {
// CHECK:          Py_XSETREF(v[2], (PyObject *)o0);
// CHECK:      static int tg_execute(PyObject **v, PyObject *ctx) {
// CHECK-NEXT:     if (tg_step_0(v, ctx) < 0) { PyObject *o[] = {v[0], v[1]}; return tg_step_failed(ctx, 0, o, 2); }
func.func @f(%x: tensor<?xf64>, %y: tensor<?xf64>) -> tensor<?xf64> {
  %z = tg.mul %x, %y : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  func.return %z : tensor<?xf64>
}
