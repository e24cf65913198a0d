// RUN: tracegraph-opt %s -p canonicalize,dce --no-locations | filecheck %s

// FoldSubZero: x - 0 -> x; on floats only for a +0.0 constant (x - (-0.0) turns -0.0 into +0.0).

// CHECK-LABEL: func.func @plus_zero(
// CHECK-NEXT:    func.return %x : tensor<?xf64>
func.func @plus_zero(%x: tensor<?xf64>) -> tensor<?xf64> {
  %zero = tg.constant dense<[0.0]> : tensor<1xf64>
  %y = tg.sub %x, %zero : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xf64>
  func.return %y : tensor<?xf64>
}

// CHECK-LABEL: func.func @int(
// CHECK-NEXT:    func.return %x : tensor<i16>
func.func @int(%x: tensor<i16>) -> tensor<i16> {
  %zero = tg.constant dense<0> : tensor<i16>
  %y = tg.sub %x, %zero : (tensor<i16>, tensor<i16>) -> tensor<i16>
  func.return %y : tensor<i16>
}

// Negative: x - (-0.0) is +0.0 for x = -0.0.
// CHECK-LABEL: func.func @minus_zero(
// CHECK-NEXT:    %zero = tg.constant dense<-0.000000e+00> : tensor<f64>
// CHECK-NEXT:    %y = tg.sub %x, %zero : (tensor<f64>, tensor<f64>) -> tensor<f64>
// CHECK-NEXT:    func.return %y : tensor<f64>
func.func @minus_zero(%x: tensor<f64>) -> tensor<f64> {
  %zero = tg.constant dense<-0.0> : tensor<f64>
  %y = tg.sub %x, %zero : (tensor<f64>, tensor<f64>) -> tensor<f64>
  func.return %y : tensor<f64>
}

// Negative: 0 - x is not x (nor -x: 0.0 - 0.0 is +0.0).
// CHECK-LABEL: func.func @zero_minus(
// CHECK:         %y = tg.sub %zero, %x : (tensor<f64>, tensor<f64>) -> tensor<f64>
// CHECK-NEXT:    func.return %y : tensor<f64>
func.func @zero_minus(%x: tensor<f64>) -> tensor<f64> {
  %zero = tg.constant dense<0.0> : tensor<f64>
  %y = tg.sub %zero, %x : (tensor<f64>, tensor<f64>) -> tensor<f64>
  func.return %y : tensor<f64>
}

// Negative: the zeros give the difference its shape.
// CHECK-LABEL: func.func @broadcasting(
// CHECK:         %y = tg.sub %x, %zero : (tensor<1xi32>, tensor<4xi32>) -> tensor<4xi32>
// CHECK-NEXT:    func.return %y : tensor<4xi32>
func.func @broadcasting(%x: tensor<1xi32>) -> tensor<4xi32> {
  %zero = tg.constant dense<0> : tensor<4xi32>
  %y = tg.sub %x, %zero : (tensor<1xi32>, tensor<4xi32>) -> tensor<4xi32>
  func.return %y : tensor<4xi32>
}
