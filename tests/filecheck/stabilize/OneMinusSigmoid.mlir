// RUN: tracegraph-opt %s -p stabilize,dce --no-locations | filecheck %s

// OneMinusSigmoid: 1 - sigmoid(x) -> sigmoid(-x).

// CHECK-LABEL: func.func @one_minus(
// CHECK-NEXT:    %[[N:.+]] = tg.neg %x : tensor<?xf32> -> tensor<?xf32>
// CHECK-NEXT:    %[[S:.+]] = tg.sigmoid %[[N]] : tensor<?xf32> -> tensor<?xf32>
// CHECK-NEXT:    func.return %[[S]] : tensor<?xf32>
func.func @one_minus(%x: tensor<?xf32>) -> tensor<?xf32> {
  %one = tg.constant dense<[1.0]> : tensor<1xf32>
  %s = tg.sigmoid %x : tensor<?xf32> -> tensor<?xf32>
  %r = tg.sub %one, %s : (tensor<1xf32>, tensor<?xf32>) -> tensor<?xf32>
  func.return %r : tensor<?xf32>
}

// 1 - sigmoid(-x) -> sigmoid(x): no double negation.
// CHECK-LABEL: func.func @of_negation(
// CHECK-NEXT:    %r = tg.sigmoid %x : tensor<f64> -> tensor<f64>
// CHECK-NEXT:    func.return %r : tensor<f64>
func.func @of_negation(%x: tensor<f64>) -> tensor<f64> {
  %one = tg.constant dense<1.0> : tensor<f64>
  %n = tg.neg %x : tensor<f64> -> tensor<f64>
  %s = tg.sigmoid %n : tensor<f64> -> tensor<f64>
  %r = tg.sub %one, %s : (tensor<f64>, tensor<f64>) -> tensor<f64>
  func.return %r : tensor<f64>
}

// Negative: sigmoid(x) - 1.
// CHECK-LABEL: func.func @minus_one(
// CHECK:         %r = tg.sub %s, %one
// CHECK-NEXT:    func.return %r
func.func @minus_one(%x: tensor<f64>) -> tensor<f64> {
  %one = tg.constant dense<1.0> : tensor<f64>
  %s = tg.sigmoid %x : tensor<f64> -> tensor<f64>
  %r = tg.sub %s, %one : (tensor<f64>, tensor<f64>) -> tensor<f64>
  func.return %r : tensor<f64>
}

// Negative: the ones give the result its shape.
// CHECK-LABEL: func.func @broadcasting(
// CHECK:         %r = tg.sub %one, %s : (tensor<3xf64>, tensor<1xf64>) -> tensor<3xf64>
// CHECK-NEXT:    func.return %r
func.func @broadcasting(%x: tensor<1xf64>) -> tensor<3xf64> {
  %one = tg.constant dense<1.0> : tensor<3xf64>
  %s = tg.sigmoid %x : tensor<1xf64> -> tensor<1xf64>
  %r = tg.sub %one, %s : (tensor<3xf64>, tensor<1xf64>) -> tensor<3xf64>
  func.return %r : tensor<3xf64>
}

// Negative (regression): x is a uint8, and -x wraps (-1 is 255).
// CHECK-LABEL: func.func @uint_argument(
// CHECK-NEXT:    %one = tg.constant dense<1.000000e+00> : tensor<1xf32>
// CHECK-NEXT:    %s = tg.sigmoid %x : tensor<?xui8> -> tensor<?xf32>
// CHECK-NEXT:    %r = tg.sub %one, %s : (tensor<1xf32>, tensor<?xf32>) -> tensor<?xf32>
// CHECK-NEXT:    func.return %r
func.func @uint_argument(%x: tensor<?xui8>) -> tensor<?xf32> {
  %one = tg.constant dense<[1.0]> : tensor<1xf32>
  %s = tg.sigmoid %x : tensor<?xui8> -> tensor<?xf32>
  %r = tg.sub %one, %s : (tensor<1xf32>, tensor<?xf32>) -> tensor<?xf32>
  func.return %r : tensor<?xf32>
}
