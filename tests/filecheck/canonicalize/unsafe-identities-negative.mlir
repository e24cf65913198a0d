// RUN: tracegraph-opt %s -p canonicalize,cse,dce --no-locations | filecheck %s

// Identities canonicalize must not apply: each changes a result for some input (NaN, infinity
// or the sign of a zero), and canonicalization keeps every value.

// x * 0 -> 0: inf * 0 and nan * 0 are NaN, (-1) * 0 is -0.0.
// CHECK-LABEL: func.func @times_zero(
// CHECK:         %[[Y:.+]] = tg.mul %zero, %x
// CHECK-NEXT:    func.return %[[Y]]
func.func @times_zero(%x: tensor<?xf64>) -> tensor<?xf64> {
  %zero = tg.constant dense<[0.0]> : tensor<1xf64>
  %y = tg.mul %zero, %x : (tensor<1xf64>, tensor<?xf64>) -> tensor<?xf64>
  func.return %y : tensor<?xf64>
}

// x - x -> 0: inf - inf is NaN.
// CHECK-LABEL: func.func @minus_self(
// CHECK-NEXT:    %y = tg.sub %x, %x : (tensor<f64>, tensor<f64>) -> tensor<f64>
// CHECK-NEXT:    func.return %y
func.func @minus_self(%x: tensor<f64>) -> tensor<f64> {
  %y = tg.sub %x, %x : (tensor<f64>, tensor<f64>) -> tensor<f64>
  func.return %y : tensor<f64>
}

// x / x -> 1: 0 / 0 and inf / inf are NaN.
// CHECK-LABEL: func.func @over_self(
// CHECK-NEXT:    %y = tg.true_div %x, %x : (tensor<f32>, tensor<f32>) -> tensor<f32>
// CHECK-NEXT:    func.return %y
func.func @over_self(%x: tensor<f32>) -> tensor<f32> {
  %y = tg.true_div %x, %x : (tensor<f32>, tensor<f32>) -> tensor<f32>
  func.return %y : tensor<f32>
}

// x + 0.0 -> x: -0.0 + 0.0 is +0.0.
// CHECK-LABEL: func.func @plus_zero(
// CHECK:         %y = tg.add %x, %zero
// CHECK-NEXT:    func.return %y
func.func @plus_zero(%x: tensor<f64>) -> tensor<f64> {
  %zero = tg.constant dense<0.0> : tensor<f64>
  %y = tg.add %x, %zero : (tensor<f64>, tensor<f64>) -> tensor<f64>
  func.return %y : tensor<f64>
}

// 0.0 - x -> -x: 0.0 - 0.0 is +0.0, -(0.0) is -0.0.
// CHECK-LABEL: func.func @zero_minus(
// CHECK:         %y = tg.sub %zero, %x
// CHECK-NEXT:    func.return %y
func.func @zero_minus(%x: tensor<f64>) -> tensor<f64> {
  %zero = tg.constant dense<0.0> : tensor<f64>
  %y = tg.sub %zero, %x : (tensor<f64>, tensor<f64>) -> tensor<f64>
  func.return %y : tensor<f64>
}

// (x * c1) * c2 -> x * (c1 * c2): x * 1e300 overflows to inf where x * (1e300 * 1e-300) is x,
// and (x * 0.1) * 3.0 differs from x * 0.3 in the last bit. Equal constants are merged by cse.
// CHECK-LABEL: func.func @chained_constants(
// CHECK:         %a = tg.mul %x, %big
// CHECK-NEXT:    %y = tg.mul %a, %small
// CHECK-NEXT:    func.return %y
func.func @chained_constants(%x: tensor<f64>) -> tensor<f64> {
  %big = tg.constant dense<1.0e+300> : tensor<f64>
  %small = tg.constant dense<1.0e-300> : tensor<f64>
  %a = tg.mul %x, %big : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %y = tg.mul %a, %small : (tensor<f64>, tensor<f64>) -> tensor<f64>
  func.return %y : tensor<f64>
}
