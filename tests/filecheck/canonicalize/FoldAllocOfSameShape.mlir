// RUN: tracegraph-opt %s -p canonicalize,dce --no-locations | filecheck %s

// FoldAllocOfSameShape: alloc(v, *shape) -> v when v already has the result's type and a static
// shape.

// CHECK-LABEL: func.func @static(
// CHECK-NEXT:    func.return %v : tensor<2x3xf64>
func.func @static(%v: tensor<2x3xf64>) -> tensor<2x3xf64> {
  %d0 = tg.constant dense<2> : tensor<i64>
  %d1 = tg.constant dense<3> : tensor<i64>
  %a = tg.alloc %v, %d0, %d1 : (tensor<2x3xf64>, tensor<i64>, tensor<i64>) -> tensor<2x3xf64>
  func.return %a : tensor<2x3xf64>
}

// CHECK-LABEL: func.func @scalar(
// CHECK-NEXT:    func.return %v : tensor<f32>
func.func @scalar(%v: tensor<f32>) -> tensor<f32> {
  %a = tg.alloc %v, : (tensor<f32>) -> tensor<f32>
  func.return %a : tensor<f32>
}

// Negative: a 0-d value broadcast to n elements.
// CHECK-LABEL: func.func @broadcast_value(
// CHECK-NEXT:    %a = tg.alloc %v, %n : (tensor<f64>, tensor<i64>) -> tensor<?xf64>
// CHECK-NEXT:    func.return %a : tensor<?xf64>
func.func @broadcast_value(%v: tensor<f64>, %n: tensor<i64>) -> tensor<?xf64> {
  %a = tg.alloc %v, %n : (tensor<f64>, tensor<i64>) -> tensor<?xf64>
  func.return %a : tensor<?xf64>
}

// Negative (regression): the types agree but v may hold 1 element at run time, which alloc
// broadcasts to n (alloc(v, 3) of v = [7.0] is [7.0, 7.0, 7.0]).
// CHECK-LABEL: func.func @dynamic_value(
// CHECK-NEXT:    %a = tg.alloc %v, %n : (tensor<?xf64>, tensor<i64>) -> tensor<?xf64>
// CHECK-NEXT:    func.return %a : tensor<?xf64>
func.func @dynamic_value(%v: tensor<?xf64>, %n: tensor<i64>) -> tensor<?xf64> {
  %a = tg.alloc %v, %n : (tensor<?xf64>, tensor<i64>) -> tensor<?xf64>
  func.return %a : tensor<?xf64>
}
