// RUN: tracegraph-opt %s -p 'stabilize{excluded="OneMinusSigmoid"}',dce --no-locations | filecheck %s

// LogOneMinusSigmoidToSoftplus: log(1 - sigmoid(x)) -> -softplus(x). (OneMinusSigmoid, which
// would rewrite the inner 1 - sigmoid(x) first, is left out.)

// CHECK-LABEL: func.func @log_one_minus(
// CHECK-NEXT:    %[[S:.+]] = tg.softplus %x : tensor<?xf64> -> tensor<?xf64>
// CHECK-NEXT:    %[[R:.+]] = tg.neg %[[S]] : tensor<?xf64> -> tensor<?xf64>
// CHECK-NEXT:    func.return %[[R]] : tensor<?xf64>
func.func @log_one_minus(%x: tensor<?xf64>) -> tensor<?xf64> {
  %one = tg.constant dense<[1.0]> : tensor<1xf64>
  %s = tg.sigmoid %x : tensor<?xf64> -> tensor<?xf64>
  %d = tg.sub %one, %s : (tensor<1xf64>, tensor<?xf64>) -> tensor<?xf64>
  %l = tg.log %d : tensor<?xf64> -> tensor<?xf64>
  func.return %l : tensor<?xf64>
}

// Negative: log(2 - sigmoid(x)).
// CHECK-LABEL: func.func @log_two_minus(
// CHECK-NOT:     tg.softplus
// CHECK:         %l = tg.log %d
// CHECK-NEXT:    func.return %l
func.func @log_two_minus(%x: tensor<f64>) -> tensor<f64> {
  %two = tg.constant dense<2.0> : tensor<f64>
  %s = tg.sigmoid %x : tensor<f64> -> tensor<f64>
  %d = tg.sub %two, %s : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %l = tg.log %d : tensor<f64> -> tensor<f64>
  func.return %l : tensor<f64>
}

// Negative: the ones give 1 - sigmoid(x) its shape.
// CHECK-LABEL: func.func @broadcasting(
// CHECK-NOT:     tg.softplus
// CHECK:         %l = tg.log %d : tensor<3xf64> -> tensor<3xf64>
// CHECK-NEXT:    func.return %l
func.func @broadcasting(%x: tensor<1xf64>) -> tensor<3xf64> {
  %one = tg.constant dense<1.0> : tensor<3xf64>
  %s = tg.sigmoid %x : tensor<1xf64> -> tensor<1xf64>
  %d = tg.sub %one, %s : (tensor<3xf64>, tensor<1xf64>) -> tensor<3xf64>
  %l = tg.log %d : tensor<3xf64> -> tensor<3xf64>
  func.return %l : tensor<3xf64>
}
