// RUN: tracegraph-opt %s -p canonicalize,dce --no-locations | filecheck %s

// PowTwoToMul: x ** 2 -> x * x.

// CHECK-LABEL: func.func @square(
// CHECK-NEXT:    %y = tg.mul %x, %x : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
// CHECK-NEXT:    func.return %y : tensor<?xf32>
func.func @square(%x: tensor<?xf32>) -> tensor<?xf32> {
  %two = tg.constant dense<[2.0]> : tensor<1xf32>
  %y = tg.pow %x, %two : (tensor<?xf32>, tensor<1xf32>) -> tensor<?xf32>
  func.return %y : tensor<?xf32>
}

// Negative: another exponent.
// CHECK-LABEL: func.func @cube(
// CHECK:         %y = tg.pow %x, %three : (tensor<f64>, tensor<f64>) -> tensor<f64>
// CHECK-NEXT:    func.return %y : tensor<f64>
func.func @cube(%x: tensor<f64>) -> tensor<f64> {
  %three = tg.constant dense<3.0> : tensor<f64>
  %y = tg.pow %x, %three : (tensor<f64>, tensor<f64>) -> tensor<f64>
  func.return %y : tensor<f64>
}

// Negative: 2 ** x.
// CHECK-LABEL: func.func @two_pow(
// CHECK:         %y = tg.pow %two, %x : (tensor<f64>, tensor<f64>) -> tensor<f64>
// CHECK-NEXT:    func.return %y : tensor<f64>
func.func @two_pow(%x: tensor<f64>) -> tensor<f64> {
  %two = tg.constant dense<2.0> : tensor<f64>
  %y = tg.pow %two, %x : (tensor<f64>, tensor<f64>) -> tensor<f64>
  func.return %y : tensor<f64>
}

// Negative: the exponent gives the power its shape (x * x would have 1 element, not 3).
// CHECK-LABEL: func.func @broadcasting(
// CHECK:         %y = tg.pow %x, %two : (tensor<1xf64>, tensor<3xf64>) -> tensor<3xf64>
// CHECK-NEXT:    func.return %y : tensor<3xf64>
func.func @broadcasting(%x: tensor<1xf64>) -> tensor<3xf64> {
  %two = tg.constant dense<2.0> : tensor<3xf64>
  %y = tg.pow %x, %two : (tensor<1xf64>, tensor<3xf64>) -> tensor<3xf64>
  func.return %y : tensor<3xf64>
}

// Negative: an int32 base with a float64 power (x * x would be an int32).
// CHECK-LABEL: func.func @int_base(
// CHECK:         %y = tg.pow %x, %two : (tensor<i32>, tensor<f64>) -> tensor<f64>
// CHECK-NEXT:    func.return %y : tensor<f64>
func.func @int_base(%x: tensor<i32>) -> tensor<f64> {
  %two = tg.constant dense<2.0> : tensor<f64>
  %y = tg.pow %x, %two : (tensor<i32>, tensor<f64>) -> tensor<f64>
  func.return %y : tensor<f64>
}
