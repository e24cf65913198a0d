// RUN: tracegraph-opt %s -p canonicalize,dce --no-locations | filecheck %s

// FoldPowOne: x ** 1 -> x.

// CHECK-LABEL: func.func @pow_one(
// CHECK-NEXT:    func.return %x : tensor<?xf64>
func.func @pow_one(%x: tensor<?xf64>) -> tensor<?xf64> {
  %one = tg.constant dense<[1.0]> : tensor<1xf64>
  %y = tg.pow %x, %one : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xf64>
  func.return %y : tensor<?xf64>
}

// Negative: 1 ** x (1 for every x, NaN included, but not this pattern).
// CHECK-LABEL: func.func @one_pow(
// CHECK:         %y = tg.pow %one, %x : (tensor<f64>, tensor<f64>) -> tensor<f64>
// CHECK-NEXT:    func.return %y : tensor<f64>
func.func @one_pow(%x: tensor<f64>) -> tensor<f64> {
  %one = tg.constant dense<1.0> : tensor<f64>
  %y = tg.pow %one, %x : (tensor<f64>, tensor<f64>) -> tensor<f64>
  func.return %y : tensor<f64>
}

// Negative: the power is a float64, x an int32.
// CHECK-LABEL: func.func @promoting(
// CHECK:         %y = tg.pow %x, %one : (tensor<i32>, tensor<f64>) -> tensor<f64>
// CHECK-NEXT:    func.return %y : tensor<f64>
func.func @promoting(%x: tensor<i32>) -> tensor<f64> {
  %one = tg.constant dense<1.0> : tensor<f64>
  %y = tg.pow %x, %one : (tensor<i32>, tensor<f64>) -> tensor<f64>
  func.return %y : tensor<f64>
}
