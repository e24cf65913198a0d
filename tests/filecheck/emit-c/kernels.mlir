// RUN: tracegraph-opt %s -p lower{target=c} --emit c | filecheck %s

// A BLAS product, a host call of a reference kernel (the first Python function of the
// module's context; its result checked against the graph's dtype and rank), and the execution
// order that drops each value after its last use.

// CHECK:      TG_KERNEL int tg_step_0(PyObject **v, PyObject *ctx) {
// CHECK-NEXT:     /* tgk.blas_dot at
// CHECK-NEXT:     PyObject *r = tg_dot_d(ctx, 0, (PyArrayObject *)v[0], (PyArrayObject *)v[1]);
// CHECK-NEXT:     if (r == NULL) return -1;
// CHECK-NEXT:     Py_XSETREF(v[2], r);
// CHECK:      TG_KERNEL int tg_step_1(PyObject **v, PyObject *ctx) {
// CHECK-NEXT:     /* tg.concatenate at
// CHECK-NEXT:     PyObject *args[2] = {v[2], v[2]};
// CHECK-NEXT:     PyObject *r = PyObject_Vectorcall(PyTuple_GET_ITEM(PyTuple_GET_ITEM(ctx, 0), 0), args, 2, NULL);
// CHECK-NEXT:     if (r == NULL) return -1;
// CHECK-NEXT:     if (tg_host_result(ctx, 1, &r, NPY_FLOAT64, 1) < 0) return -1;
// CHECK-NEXT:     Py_XSETREF(v[3], r);
// CHECK:      static int tg_execute(PyObject **v, PyObject *ctx) {
// CHECK-NEXT:     if (tg_step_0(v, ctx) < 0) { PyObject *o[] = {v[0], v[1]}; return tg_step_failed(ctx, 0, o, 2); }
// CHECK-NEXT:     Py_CLEAR(v[0]);
// CHECK-NEXT:     Py_CLEAR(v[1]);
// CHECK-NEXT:     if (tg_step_1(v, ctx) < 0) { PyObject *o[] = {v[2], v[2]}; return tg_step_failed(ctx, 1, o, 2); }
// CHECK-NEXT:     Py_CLEAR(v[2]);
// CHECK-NEXT:     return 0;
func.func @f(%a: tensor<?x?xf64>, %b: tensor<?xf64>) -> tensor<?xf64> {
  %p = tg.dot %a, %b : (tensor<?x?xf64>, tensor<?xf64>) -> tensor<?xf64>
  %c = tg.concatenate %p, %p {axis = 0 : i64} : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  func.return %c : tensor<?xf64>
}
