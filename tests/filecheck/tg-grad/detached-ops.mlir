// RUN: tracegraph-opt %s -p tg-grad,canonicalize,dce --no-locations | filecheck %s
// Regression: the gradient rule of pow also builds the (unused) gradient with respect to the
// constant exponent; tg-grad must drop those ops, or canonicalize in the same pipeline fails.

// The same gradient as square-canonicalize.mlir, in one pipeline (no print and parse between
// tg-grad and canonicalize to drop the detached ops).

// CHECK-LABEL: func.func @square(
// CHECK-DAG:     %[[TWO:.+]] = tg.constant dense<2.000000e+00> : tensor<f64>
// CHECK-DAG:     %[[SQ:.+]] = tg.mul %x, %x : (tensor<f64>, tensor<f64>) -> tensor<f64>
// CHECK:         %[[G:.+]] = tg.mul %[[TWO]], %x : (tensor<f64>, tensor<f64>) -> tensor<f64>
// CHECK-NEXT:    func.return %[[SQ]], %[[G]] : tensor<f64>, tensor<f64>
func.func @square(%x: tensor<f64>) -> tensor<f64> {
  %two = tg.constant dense<2.0> : tensor<f64>
  %c = tg.pow %x, %two : (tensor<f64>, tensor<f64>) -> tensor<f64>
  func.return %c : tensor<f64>
}
