// RUN: tracegraph-opt %s -p canonicalize,dce --no-locations | filecheck %s

// FoldMulOne: x * 1 -> x and 1 * x -> x, when x already has the product's type.

// CHECK-LABEL: func.func @right(
// CHECK-NEXT:    func.return %x : tensor<?xf64>
func.func @right(%x: tensor<?xf64>) -> tensor<?xf64> {
  %one = tg.constant dense<[1.0]> : tensor<1xf64>
  %y = tg.mul %x, %one : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xf64>
  func.return %y : tensor<?xf64>
}

// CHECK-LABEL: func.func @left_int(
// CHECK-NEXT:    func.return %x : tensor<3xi32>
func.func @left_int(%x: tensor<3xi32>) -> tensor<3xi32> {
  %one = tg.constant dense<1> : tensor<3xi32>
  %y = tg.mul %one, %x : (tensor<3xi32>, tensor<3xi32>) -> tensor<3xi32>
  func.return %y : tensor<3xi32>
}

// Negative: x * 0 is not 0 (inf * 0 and nan * 0 are NaN, -1 * 0 is -0.0).
// CHECK-LABEL: func.func @times_zero(
// CHECK-NEXT:    %zero = tg.constant dense<0.000000e+00> : tensor<f64>
// CHECK-NEXT:    %y = tg.mul %x, %zero : (tensor<f64>, tensor<f64>) -> tensor<f64>
// CHECK-NEXT:    func.return %y : tensor<f64>
func.func @times_zero(%x: tensor<f64>) -> tensor<f64> {
  %zero = tg.constant dense<0.0> : tensor<f64>
  %y = tg.mul %x, %zero : (tensor<f64>, tensor<f64>) -> tensor<f64>
  func.return %y : tensor<f64>
}

// Negative: not every element of the constant is 1.
// CHECK-LABEL: func.func @not_all_ones(
// CHECK:         %y = tg.mul %x, %c : (tensor<2xf64>, tensor<2xf64>) -> tensor<2xf64>
// CHECK-NEXT:    func.return %y : tensor<2xf64>
func.func @not_all_ones(%x: tensor<2xf64>) -> tensor<2xf64> {
  %c = tg.constant dense<[1.0, 2.0]> : tensor<2xf64>
  %y = tg.mul %x, %c : (tensor<2xf64>, tensor<2xf64>) -> tensor<2xf64>
  func.return %y : tensor<2xf64>
}

// Negative: the ones give the product its shape (x would change the type: 1 -> 3 elements).
// CHECK-LABEL: func.func @broadcasting(
// CHECK:         %y = tg.mul %x, %one : (tensor<1xf64>, tensor<3xf64>) -> tensor<3xf64>
// CHECK-NEXT:    func.return %y : tensor<3xf64>
func.func @broadcasting(%x: tensor<1xf64>) -> tensor<3xf64> {
  %one = tg.constant dense<1.0> : tensor<3xf64>
  %y = tg.mul %x, %one : (tensor<1xf64>, tensor<3xf64>) -> tensor<3xf64>
  func.return %y : tensor<3xf64>
}

// Negative: the product is float64, x is float32.
// CHECK-LABEL: func.func @promoting(
// CHECK:         %y = tg.mul %x, %one : (tensor<f32>, tensor<f64>) -> tensor<f64>
// CHECK-NEXT:    func.return %y : tensor<f64>
func.func @promoting(%x: tensor<f32>) -> tensor<f64> {
  %one = tg.constant dense<1.0> : tensor<f64>
  %y = tg.mul %x, %one : (tensor<f32>, tensor<f64>) -> tensor<f64>
  func.return %y : tensor<f64>
}
