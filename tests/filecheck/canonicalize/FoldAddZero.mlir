// RUN: tracegraph-opt %s -p canonicalize,dce --no-locations | filecheck %s

// FoldAddZero: x + 0 -> x and 0 + x -> x; on floats only for a -0.0 constant (x + -0.0 is x
// for every x, but -0.0 + 0.0 is +0.0).

// CHECK-LABEL: func.func @int_zero(
// CHECK-NEXT:    func.return %x : tensor<?xi64>
func.func @int_zero(%x: tensor<?xi64>) -> tensor<?xi64> {
  %zero = tg.constant dense<[0]> : tensor<1xi64>
  %y = tg.add %x, %zero : (tensor<?xi64>, tensor<1xi64>) -> tensor<?xi64>
  func.return %y : tensor<?xi64>
}

// CHECK-LABEL: func.func @minus_zero_left(
// CHECK-NEXT:    func.return %x : tensor<f64>
func.func @minus_zero_left(%x: tensor<f64>) -> tensor<f64> {
  %zero = tg.constant dense<-0.0> : tensor<f64>
  %y = tg.add %zero, %x : (tensor<f64>, tensor<f64>) -> tensor<f64>
  func.return %y : tensor<f64>
}

// Negative: x + 0.0 on floats turns x = -0.0 into +0.0.
// CHECK-LABEL: func.func @plus_zero_float(
// CHECK-NEXT:    %zero = tg.constant dense<0.000000e+00> : tensor<f64>
// CHECK-NEXT:    %y = tg.add %x, %zero : (tensor<f64>, tensor<f64>) -> tensor<f64>
// CHECK-NEXT:    func.return %y : tensor<f64>
func.func @plus_zero_float(%x: tensor<f64>) -> tensor<f64> {
  %zero = tg.constant dense<0.0> : tensor<f64>
  %y = tg.add %x, %zero : (tensor<f64>, tensor<f64>) -> tensor<f64>
  func.return %y : tensor<f64>
}

// Negative: one of the zeros is +0.0. (The constant is not checked: the printer writes
// dense<[-0.0, 0.0]> as the splat dense<-0.0>.)
// CHECK-LABEL: func.func @mixed_signs(
// CHECK:         %y = tg.add %x, %zero : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
// CHECK-NEXT:    func.return %y : tensor<2xf32>
func.func @mixed_signs(%x: tensor<2xf32>) -> tensor<2xf32> {
  %zero = tg.constant dense<[-0.0, 0.0]> : tensor<2xf32>
  %y = tg.add %x, %zero : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  func.return %y : tensor<2xf32>
}

// Negative: the zeros give the sum its shape.
// CHECK-LABEL: func.func @broadcasting(
// CHECK:         %y = tg.add %x, %zero : (tensor<1xi32>, tensor<4xi32>) -> tensor<4xi32>
// CHECK-NEXT:    func.return %y : tensor<4xi32>
func.func @broadcasting(%x: tensor<1xi32>) -> tensor<4xi32> {
  %zero = tg.constant dense<0> : tensor<4xi32>
  %y = tg.add %x, %zero : (tensor<1xi32>, tensor<4xi32>) -> tensor<4xi32>
  func.return %y : tensor<4xi32>
}

// Negative: the sum is a float64, x an int32 (the type would change).
// CHECK-LABEL: func.func @int_plus_float_zero(
// CHECK:         %y = tg.add %x, %zero : (tensor<i32>, tensor<f64>) -> tensor<f64>
// CHECK-NEXT:    func.return %y : tensor<f64>
func.func @int_plus_float_zero(%x: tensor<i32>) -> tensor<f64> {
  %zero = tg.constant dense<-0.0> : tensor<f64>
  %y = tg.add %x, %zero : (tensor<i32>, tensor<f64>) -> tensor<f64>
  func.return %y : tensor<f64>
}
