// RUN: tracegraph-opt %s -p tg-grad --no-locations | filecheck %s
// RUN: tracegraph-opt %s -p 'tg-grad{wrt="1"}' --no-locations | filecheck %s --check-prefix=WRT
// RUN: tracegraph-opt %s -p tg-grad | tracegraph-opt -p canonicalize,cse,dce --no-locations | filecheck %s --check-prefix=OPT

// tg-grad appends the gradients of the first result, the cost x * sum(y), with respect to the
// float arguments, as results marked tg.grad: d/dx = sum(y) and d/dy = x broadcast to y's shape.

// The graph the gradient rules build, seeded by fill(cost, 1.0).
// CHECK-LABEL: func.func @cost(%x: tensor<f64> {tg.input = "x"}, %y: tensor<?xf64> {tg.input = "y"}) -> (tensor<f64> {tg.output = 0 : i64}, tensor<f64> {tg.grad = "x"}, tensor<?xf64> {tg.grad = "y"}) {
// CHECK-NEXT:    %s = tg.sum %y {axes = array<i64: 0>, keepdims = false} : tensor<?xf64> -> tensor<f64>
// CHECK-NEXT:    %c = tg.mul %x, %s : (tensor<f64>, tensor<f64>) -> tensor<f64>
// CHECK-NEXT:    %[[ONE:.+]] = tg.constant dense<1.000000e+00> : tensor<f64>
// CHECK-NEXT:    %[[SEED:.+]] = tg.fill %c, %[[ONE]] : (tensor<f64>, tensor<f64>) -> tensor<f64>
// CHECK-NEXT:    %[[GS:.+]] = tg.mul %[[SEED]], %x : (tensor<f64>, tensor<f64>) -> tensor<f64>
// CHECK-NEXT:    %[[ROW:.+]] = tg.dimshuffle %[[GS]] {order = array<i64: -1>} : tensor<f64> -> tensor<1xf64>
// CHECK-NEXT:    %[[GY:.+]] = tg.fill %y, %[[ROW]] : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xf64>
// CHECK-NEXT:    %[[GX:.+]] = tg.mul %[[SEED]], %s : (tensor<f64>, tensor<f64>) -> tensor<f64>
// CHECK-NEXT:    func.return %c, %[[GX]], %[[GY]] : tensor<f64>, tensor<f64>, tensor<?xf64>

// Only y (argument 1).
// WRT-LABEL: func.func @cost(
// WRT-SAME:      -> (tensor<f64> {tg.output = 0 : i64}, tensor<?xf64> {tg.grad = "y"}) {
// WRT-NOT:       tg.grad = "x"
// WRT:           %[[GY:.+]] = tg.fill %y,
// WRT-NEXT:      func.return %c, %[[GY]] : tensor<f64>, tensor<?xf64>

// Canonicalized: the seed folds away, and d/dx is sum(y) itself.
// OPT-LABEL: func.func @cost(
// OPT-NEXT:    %s = tg.sum %y {axes = array<i64: 0>, keepdims = false} : tensor<?xf64> -> tensor<f64>
// OPT-NEXT:    %c = tg.mul %x, %s : (tensor<f64>, tensor<f64>) -> tensor<f64>
// OPT-NEXT:    %[[ROW:.+]] = tg.dimshuffle %x {order = array<i64: -1>} : tensor<f64> -> tensor<1xf64>
// OPT-NEXT:    %[[GY:.+]] = tg.fill %y, %[[ROW]] : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xf64>
// OPT-NEXT:    func.return %c, %s, %[[GY]] : tensor<f64>, tensor<f64>, tensor<?xf64>
func.func @cost(%x: tensor<f64> {tg.input = "x"}, %y: tensor<?xf64> {tg.input = "y"}) -> (tensor<f64> {tg.output = 0 : i64}) {
  %s = tg.sum %y {axes = array<i64: 0>, keepdims = false} : tensor<?xf64> -> tensor<f64>
  %c = tg.mul %x, %s : (tensor<f64>, tensor<f64>) -> tensor<f64>
  func.return %c : tensor<f64>
}
