// RUN: tracegraph-opt %s -p canonicalize,dce --no-locations | filecheck %s

// FoldNegNeg: -(-x) -> x.

// CHECK-LABEL: func.func @twice(
// CHECK-NEXT:    func.return %x : tensor<?x?xf32>
func.func @twice(%x: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %a = tg.neg %x : tensor<?x?xf32> -> tensor<?x?xf32>
  %b = tg.neg %a : tensor<?x?xf32> -> tensor<?x?xf32>
  func.return %b : tensor<?x?xf32>
}

// Three negations leave one.
// CHECK-LABEL: func.func @three_times(
// CHECK-NEXT:    %c = tg.neg %x : tensor<i64> -> tensor<i64>
// CHECK-NEXT:    func.return %c : tensor<i64>
func.func @three_times(%x: tensor<i64>) -> tensor<i64> {
  %a = tg.neg %x : tensor<i64> -> tensor<i64>
  %b = tg.neg %a : tensor<i64> -> tensor<i64>
  %c = tg.neg %b : tensor<i64> -> tensor<i64>
  func.return %c : tensor<i64>
}

// Negative: a single negation.
// CHECK-LABEL: func.func @once(
// CHECK-NEXT:    %a = tg.neg %x : tensor<f64> -> tensor<f64>
// CHECK-NEXT:    func.return %a : tensor<f64>
func.func @once(%x: tensor<f64>) -> tensor<f64> {
  %a = tg.neg %x : tensor<f64> -> tensor<f64>
  func.return %a : tensor<f64>
}
