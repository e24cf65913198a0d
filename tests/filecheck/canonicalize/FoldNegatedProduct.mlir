// RUN: tracegraph-opt %s -p canonicalize,dce --no-locations | filecheck %s

// FoldNegatedProduct: -((-a) * b) -> a * b, -(a * (-b)) -> a * b and (-a) * (-b) -> a * b.

// CHECK-LABEL: func.func @neg_of_neg_times(
// CHECK-NEXT:    %r = tg.mul %a, %b : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
// CHECK-NEXT:    func.return %r : tensor<?xf64>
func.func @neg_of_neg_times(%a: tensor<?xf64>, %b: tensor<?xf64>) -> tensor<?xf64> {
  %na = tg.neg %a : tensor<?xf64> -> tensor<?xf64>
  %p = tg.mul %na, %b : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  %r = tg.neg %p : tensor<?xf64> -> tensor<?xf64>
  func.return %r : tensor<?xf64>
}

// The operands keep their order.
// CHECK-LABEL: func.func @neg_of_times_neg(
// CHECK-NEXT:    %r = tg.mul %a, %b : (tensor<f64>, tensor<f64>) -> tensor<f64>
// CHECK-NEXT:    func.return %r : tensor<f64>
func.func @neg_of_times_neg(%a: tensor<f64>, %b: tensor<f64>) -> tensor<f64> {
  %nb = tg.neg %b : tensor<f64> -> tensor<f64>
  %p = tg.mul %a, %nb : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %r = tg.neg %p : tensor<f64> -> tensor<f64>
  func.return %r : tensor<f64>
}

// CHECK-LABEL: func.func @neg_times_neg(
// CHECK-NEXT:    %p = tg.mul %a, %b : (tensor<f64>, tensor<f64>) -> tensor<f64>
// CHECK-NEXT:    func.return %p : tensor<f64>
func.func @neg_times_neg(%a: tensor<f64>, %b: tensor<f64>) -> tensor<f64> {
  %na = tg.neg %a : tensor<f64> -> tensor<f64>
  %nb = tg.neg %b : tensor<f64> -> tensor<f64>
  %p = tg.mul %na, %nb : (tensor<f64>, tensor<f64>) -> tensor<f64>
  func.return %p : tensor<f64>
}

// Negative: one negation only.
// CHECK-LABEL: func.func @one_negation(
// CHECK-NEXT:    %na = tg.neg %a : tensor<f64> -> tensor<f64>
// CHECK-NEXT:    %p = tg.mul %na, %b : (tensor<f64>, tensor<f64>) -> tensor<f64>
// CHECK-NEXT:    func.return %p : tensor<f64>
func.func @one_negation(%a: tensor<f64>, %b: tensor<f64>) -> tensor<f64> {
  %na = tg.neg %a : tensor<f64> -> tensor<f64>
  %p = tg.mul %na, %b : (tensor<f64>, tensor<f64>) -> tensor<f64>
  func.return %p : tensor<f64>
}
