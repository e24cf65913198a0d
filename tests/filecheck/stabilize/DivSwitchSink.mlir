// RUN: tracegraph-opt %s -p stabilize,dce --no-locations | filecheck %s

// DivSwitchSink: switch(c, 0, x) / y -> switch(c, 0, x / y): 0 where the switch picks 0, even
// where y is 0.

// CHECK-LABEL: func.func @zero_if_true(
// CHECK-NEXT:    %[[Z:.+]] = tg.constant dense<0.000000e+00> : tensor<f64>
// CHECK-NEXT:    %[[Q:.+]] = tg.true_div %x, %y : (tensor<f64>, tensor<f64>) -> tensor<f64>
// CHECK-NEXT:    %[[R:.+]] = tg.switch %c, %[[Z]], %[[Q]] : (tensor<i1>, tensor<f64>, tensor<f64>) -> tensor<f64>
// CHECK-NEXT:    func.return %[[R]]
func.func @zero_if_true(%c: tensor<i1>, %x: tensor<f64>, %y: tensor<f64>) -> tensor<f64> {
  %zero = tg.constant dense<0.0> : tensor<f64>
  %s = tg.switch %c, %zero, %x : (tensor<i1>, tensor<f64>, tensor<f64>) -> tensor<f64>
  %r = tg.true_div %s, %y : (tensor<f64>, tensor<f64>) -> tensor<f64>
  func.return %r : tensor<f64>
}

// Negative: the switch is the divisor.
// CHECK-LABEL: func.func @divisor(
// CHECK:         %s = tg.switch
// CHECK-NEXT:    %r = tg.true_div %y, %s
func.func @divisor(%c: tensor<i1>, %x: tensor<f64>, %y: tensor<f64>) -> tensor<f64> {
  %zero = tg.constant dense<0.0> : tensor<f64>
  %s = tg.switch %c, %zero, %x : (tensor<i1>, tensor<f64>, tensor<f64>) -> tensor<f64>
  %r = tg.true_div %y, %s : (tensor<f64>, tensor<f64>) -> tensor<f64>
  func.return %r : tensor<f64>
}
