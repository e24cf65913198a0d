// RUN: tracegraph-opt %s -p stabilize,dce --no-locations | filecheck %s

// MulSwitchSink: switch(c, x, 0) * y -> switch(c, x * y, 0): where the switch picks 0 the
// product is 0 even if y is inf or NaN (the gradient of a switch-guarded sqrt at 0).

// CHECK-LABEL: func.func @zero_if_false(
// CHECK-NEXT:    %[[Z:.+]] = tg.constant dense<0.000000e+00> : tensor<1xf64>
// CHECK-NEXT:    %[[P:.+]] = tg.mul %x, %y : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
// CHECK-NEXT:    %[[R:.+]] = tg.switch %c, %[[P]], %[[Z]] : (tensor<?xi1>, tensor<?xf64>, tensor<1xf64>) -> tensor<?xf64>
// CHECK-NEXT:    func.return %[[R]]
func.func @zero_if_false(%c: tensor<?xi1>, %x: tensor<?xf64>, %y: tensor<?xf64>) -> tensor<?xf64> {
  %zero = tg.constant dense<[0.0]> : tensor<1xf64>
  %s = tg.switch %c, %x, %zero : (tensor<?xi1>, tensor<?xf64>, tensor<1xf64>) -> tensor<?xf64>
  %r = tg.mul %s, %y : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  func.return %r : tensor<?xf64>
}

// The zero as the true branch, the switch as the second factor, broadcasting: the product of
// the kept branch and the other factor has their broadcast shape.
// CHECK-LABEL: func.func @zero_if_true(
// CHECK:         %[[P:.+]] = tg.mul %y, %x : (tensor<?x1xf32>, tensor<1x?xf32>) -> tensor<?x?xf32>
// CHECK-NEXT:    %[[R:.+]] = tg.switch %c, %{{.+}}, %[[P]] : (tensor<1x?xi1>, tensor<1x1xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
// CHECK-NEXT:    func.return %[[R]]
func.func @zero_if_true(%c: tensor<1x?xi1>, %x: tensor<1x?xf32>, %y: tensor<?x1xf32>) -> tensor<?x?xf32> {
  %zero = tg.constant dense<0.0> : tensor<1x1xf32>
  %s = tg.switch %c, %zero, %x : (tensor<1x?xi1>, tensor<1x1xf32>, tensor<1x?xf32>) -> tensor<1x?xf32>
  %r = tg.mul %y, %s : (tensor<?x1xf32>, tensor<1x?xf32>) -> tensor<?x?xf32>
  func.return %r : tensor<?x?xf32>
}

// Negative: no zero branch.
// CHECK-LABEL: func.func @no_zero(
// CHECK:         %s = tg.switch
// CHECK-NEXT:    %r = tg.mul %s, %y
func.func @no_zero(%c: tensor<?xi1>, %x: tensor<?xf64>, %y: tensor<?xf64>) -> tensor<?xf64> {
  %one = tg.constant dense<[1.0]> : tensor<1xf64>
  %s = tg.switch %c, %x, %one : (tensor<?xi1>, tensor<?xf64>, tensor<1xf64>) -> tensor<?xf64>
  %r = tg.mul %s, %y : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  func.return %r : tensor<?xf64>
}

// Negative: the zero widens the kept branch's dtype (x * y would be computed in float32, the
// switch's product in float64).
// CHECK-LABEL: func.func @widening_zero(
// CHECK:         %s = tg.switch
// CHECK-NEXT:    %r = tg.mul %s, %y
func.func @widening_zero(%c: tensor<?xi1>, %x: tensor<?xf32>, %y: tensor<?xf32>) -> tensor<?xf64> {
  %zero = tg.constant dense<[0.0]> : tensor<1xf64>
  %s = tg.switch %c, %x, %zero : (tensor<?xi1>, tensor<?xf32>, tensor<1xf64>) -> tensor<?xf64>
  %r = tg.mul %s, %y : (tensor<?xf64>, tensor<?xf32>) -> tensor<?xf64>
  func.return %r : tensor<?xf64>
}
