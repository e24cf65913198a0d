// RUN: tracegraph-opt %s -p tg-grad | tracegraph-opt -p canonicalize,cse,dce --no-locations | filecheck %s

// The gradient of x ** 2, 2 * x ** (2 - 1) as the rules build it, canonicalizes to 2.0 * x
// (and x ** 2 itself to x * x).

// CHECK-LABEL: func.func @square(%x: tensor<f64>) -> (tensor<f64>, tensor<f64>) {
// CHECK-DAG:     %[[TWO:.+]] = tg.constant dense<2.000000e+00> : tensor<f64>
// CHECK-DAG:     %[[SQ:.+]] = tg.mul %x, %x : (tensor<f64>, tensor<f64>) -> tensor<f64>
// CHECK:         %[[G:.+]] = tg.mul %[[TWO]], %x : (tensor<f64>, tensor<f64>) -> tensor<f64>
// CHECK-NEXT:    func.return %[[SQ]], %[[G]] : tensor<f64>, tensor<f64>
// CHECK-NOT:     tg.pow
func.func @square(%x: tensor<f64>) -> tensor<f64> {
  %two = tg.constant dense<2.0> : tensor<f64>
  %c = tg.pow %x, %two : (tensor<f64>, tensor<f64>) -> tensor<f64>
  func.return %c : tensor<f64>
}
