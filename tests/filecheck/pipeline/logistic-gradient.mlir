// RUN: tracegraph-opt %s -p tg-grad | tracegraph-opt -p canonicalize,cse,dce,stabilize,canonicalize,cse,dce --no-locations | filecheck %s

// The default pipeline of `function` (the "canonicalized" then the "stabilized" stage) on the
// logistic function 1 / (1 + exp(-x)) and its gradient, as the frontend traces them (Python's
// 1 is an int8 constant). Both become sigmoids: the gradient
// -((-(1 / d) / d) * exp(-x)) with d = 1 + exp(-x), which is inf / inf for x < -709, becomes
// sigmoid(x) * sigmoid(-x).

// CHECK-LABEL: func.func @logistic(%x: tensor<f64> {tg.input = "x"}) -> (tensor<f64> {tg.output = 0 : i64}, tensor<f64> {tg.grad = "x"}) {
// CHECK-NEXT:    %[[N:.+]] = tg.neg %x : tensor<f64> -> tensor<f64>
// CHECK-NEXT:    %[[P:.+]] = tg.sigmoid %x : tensor<f64> -> tensor<f64>
// CHECK-NEXT:    %[[Q:.+]] = tg.sigmoid %[[N]] : tensor<f64> -> tensor<f64>
// CHECK-NEXT:    %[[G:.+]] = tg.mul %[[P]], %[[Q]] : (tensor<f64>, tensor<f64>) -> tensor<f64>
// CHECK-NEXT:    func.return %[[P]], %[[G]] : tensor<f64>, tensor<f64>
// CHECK-NEXT:  }
// CHECK-NOT:   tg.exp
// CHECK-NOT:   tg.true_div
func.func @logistic(%x: tensor<f64> {tg.input = "x"}) -> (tensor<f64> {tg.output = 0 : i64}) {
  %0 = tg.constant dense<1> : tensor<i8>
  %1 = tg.constant dense<1> : tensor<i8>
  %2 = tg.neg %x : tensor<f64> -> tensor<f64>
  %3 = tg.exp %2 : tensor<f64> -> tensor<f64>
  %4 = tg.add %1, %3 : (tensor<i8>, tensor<f64>) -> tensor<f64>
  %5 = tg.true_div %0, %4 : (tensor<i8>, tensor<f64>) -> tensor<f64>
  func.return %5 : tensor<f64>
}
