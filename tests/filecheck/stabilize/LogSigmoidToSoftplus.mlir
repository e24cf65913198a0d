// RUN: tracegraph-opt %s -p stabilize,dce --no-locations | filecheck %s

// LogSigmoidToSoftplus: log(sigmoid(x)) -> -softplus(-x).

// CHECK-LABEL: func.func @log_sigmoid(
// CHECK-NEXT:    %[[N:.+]] = tg.neg %x : tensor<?xf64> -> tensor<?xf64>
// CHECK-NEXT:    %[[S:.+]] = tg.softplus %[[N]] : tensor<?xf64> -> tensor<?xf64>
// CHECK-NEXT:    %[[R:.+]] = tg.neg %[[S]] : tensor<?xf64> -> tensor<?xf64>
// CHECK-NEXT:    func.return %[[R]] : tensor<?xf64>
func.func @log_sigmoid(%x: tensor<?xf64>) -> tensor<?xf64> {
  %s = tg.sigmoid %x : tensor<?xf64> -> tensor<?xf64>
  %l = tg.log %s : tensor<?xf64> -> tensor<?xf64>
  func.return %l : tensor<?xf64>
}

// log(sigmoid(-x)) -> -softplus(x).
// CHECK-LABEL: func.func @of_negation(
// CHECK-NEXT:    %[[S:.+]] = tg.softplus %x : tensor<f32> -> tensor<f32>
// CHECK-NEXT:    %[[R:.+]] = tg.neg %[[S]] : tensor<f32> -> tensor<f32>
// CHECK-NEXT:    func.return %[[R]] : tensor<f32>
func.func @of_negation(%x: tensor<f32>) -> tensor<f32> {
  %n = tg.neg %x : tensor<f32> -> tensor<f32>
  %s = tg.sigmoid %n : tensor<f32> -> tensor<f32>
  %l = tg.log %s : tensor<f32> -> tensor<f32>
  func.return %l : tensor<f32>
}

// Negative: log1p(sigmoid(x)).
// CHECK-LABEL: func.func @log1p_sigmoid(
// CHECK-NEXT:    %s = tg.sigmoid %x
// CHECK-NEXT:    %l = tg.log1p %s
// CHECK-NEXT:    func.return %l
func.func @log1p_sigmoid(%x: tensor<f64>) -> tensor<f64> {
  %s = tg.sigmoid %x : tensor<f64> -> tensor<f64>
  %l = tg.log1p %s : tensor<f64> -> tensor<f64>
  func.return %l : tensor<f64>
}

// Negative (regression): sigmoid of a uint8 is a float32, but -x wraps (-1 is 255).
// CHECK-LABEL: func.func @uint_argument(
// CHECK-NEXT:    %s = tg.sigmoid %x : tensor<?xui8> -> tensor<?xf32>
// CHECK-NEXT:    %l = tg.log %s : tensor<?xf32> -> tensor<?xf32>
// CHECK-NEXT:    func.return %l
func.func @uint_argument(%x: tensor<?xui8>) -> tensor<?xf32> {
  %s = tg.sigmoid %x : tensor<?xui8> -> tensor<?xf32>
  %l = tg.log %s : tensor<?xf32> -> tensor<?xf32>
  func.return %l : tensor<?xf32>
}
