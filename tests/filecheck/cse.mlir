// RUN: tracegraph-opt %s -p cse --no-locations | filecheck %s

// cse (xDSL's): of two pure ops with the same name, operands, properties and result types, the
// second is replaced by the first.

// CHECK-LABEL: func.func @same_op(
// CHECK-NEXT:    %a = tg.exp %x : tensor<?xf64> -> tensor<?xf64>
// CHECK-NEXT:    func.return %a, %a : tensor<?xf64>, tensor<?xf64>
func.func @same_op(%x: tensor<?xf64>) -> (tensor<?xf64>, tensor<?xf64>) {
  %a = tg.exp %x : tensor<?xf64> -> tensor<?xf64>
  %b = tg.exp %x : tensor<?xf64> -> tensor<?xf64>
  func.return %a, %a : tensor<?xf64>, tensor<?xf64>
}

// Equal constants merge, then the ops that use them.
// CHECK-LABEL: func.func @constants(
// CHECK-NEXT:    %c1 = tg.constant dense<2.000000e+00> : tensor<f64>
// CHECK-NEXT:    %a = tg.mul %x, %c1 : (tensor<f64>, tensor<f64>) -> tensor<f64>
// CHECK-NEXT:    %r = tg.add %a, %a : (tensor<f64>, tensor<f64>) -> tensor<f64>
// CHECK-NEXT:    func.return %r : tensor<f64>
func.func @constants(%x: tensor<f64>) -> tensor<f64> {
  %c1 = tg.constant dense<2.0> : tensor<f64>
  %c2 = tg.constant dense<2.0> : tensor<f64>
  %a = tg.mul %x, %c1 : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %b = tg.mul %x, %c2 : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %r = tg.add %a, %b : (tensor<f64>, tensor<f64>) -> tensor<f64>
  func.return %r : tensor<f64>
}

// Negative: the orders differ.
// CHECK-LABEL: func.func @different_properties(
// CHECK-NEXT:    %a = tg.dimshuffle %x {order = array<i64: 0, 1>}
// CHECK-NEXT:    %b = tg.dimshuffle %x {order = array<i64: 1, 0>}
// CHECK-NEXT:    func.return %a, %b
func.func @different_properties(%x: tensor<2x2xf64>) -> (tensor<2x2xf64>, tensor<2x2xf64>) {
  %a = tg.dimshuffle %x {order = array<i64: 0, 1>} : tensor<2x2xf64> -> tensor<2x2xf64>
  %b = tg.dimshuffle %x {order = array<i64: 1, 0>} : tensor<2x2xf64> -> tensor<2x2xf64>
  func.return %a, %b : tensor<2x2xf64>, tensor<2x2xf64>
}

// Negative: 2.0 in two dtypes, and +0.0 and -0.0 (equal numbers, different constants).
// CHECK-LABEL: func.func @different_constants()
// CHECK-NEXT:    %a = tg.constant dense<2.000000e+00> : tensor<f64>
// CHECK-NEXT:    %b = tg.constant dense<2.000000e+00> : tensor<f32>
// CHECK-NEXT:    %z = tg.constant dense<0.000000e+00> : tensor<f64>
// CHECK-NEXT:    %nz = tg.constant dense<-0.000000e+00> : tensor<f64>
// CHECK-NEXT:    func.return %a, %b, %z, %nz
func.func @different_constants() -> (tensor<f64>, tensor<f32>, tensor<f64>, tensor<f64>) {
  %a = tg.constant dense<2.0> : tensor<f64>
  %b = tg.constant dense<2.0> : tensor<f32>
  %z = tg.constant dense<0.0> : tensor<f64>
  %nz = tg.constant dense<-0.0> : tensor<f64>
  func.return %a, %b, %z, %nz : tensor<f64>, tensor<f32>, tensor<f64>, tensor<f64>
}

// Negative: x - y and y - x.
// CHECK-LABEL: func.func @operand_order(
// CHECK-NEXT:    %a = tg.sub %x, %y
// CHECK-NEXT:    %b = tg.sub %y, %x
// CHECK-NEXT:    func.return %a, %b
func.func @operand_order(%x: tensor<f64>, %y: tensor<f64>) -> (tensor<f64>, tensor<f64>) {
  %a = tg.sub %x, %y : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %b = tg.sub %y, %x : (tensor<f64>, tensor<f64>) -> tensor<f64>
  func.return %a, %b : tensor<f64>, tensor<f64>
}

// Negative: the same op with different result types.
// CHECK-LABEL: func.func @different_result_types(
// CHECK-NEXT:    %a = tg.cast %x : tensor<i32> -> tensor<f32>
// CHECK-NEXT:    %b = tg.cast %x : tensor<i32> -> tensor<f64>
// CHECK-NEXT:    func.return %a, %b
func.func @different_result_types(%x: tensor<i32>) -> (tensor<f32>, tensor<f64>) {
  %a = tg.cast %x : tensor<i32> -> tensor<f32>
  %b = tg.cast %x : tensor<i32> -> tensor<f64>
  func.return %a, %b : tensor<f32>, tensor<f64>
}
