// RUN: tracegraph-opt %s -p stabilize,dce --no-locations | filecheck %s

// InvOnePlusExpToSigmoid: 1 / (1 + exp(u)) -> sigmoid(-u), so 1 / (1 + exp(-x)) -> sigmoid(x).

// CHECK-LABEL: func.func @logistic(
// CHECK-NEXT:    %p = tg.sigmoid %x : tensor<?xf64> -> tensor<?xf64>
// CHECK-NEXT:    func.return %p : tensor<?xf64>
func.func @logistic(%x: tensor<?xf64>) -> tensor<?xf64> {
  %one = tg.constant dense<[1.0]> : tensor<1xf64>
  %n = tg.neg %x : tensor<?xf64> -> tensor<?xf64>
  %e = tg.exp %n : tensor<?xf64> -> tensor<?xf64>
  %d = tg.add %one, %e : (tensor<1xf64>, tensor<?xf64>) -> tensor<?xf64>
  %p = tg.true_div %one, %d : (tensor<1xf64>, tensor<?xf64>) -> tensor<?xf64>
  func.return %p : tensor<?xf64>
}

// exp(x) + 1 in either order; the argument is negated.
// CHECK-LABEL: func.func @positive_exponent(
// CHECK-NEXT:    %[[N:.+]] = tg.neg %x : tensor<f32> -> tensor<f32>
// CHECK-NEXT:    %[[S:.+]] = tg.sigmoid %[[N]] : tensor<f32> -> tensor<f32>
// CHECK-NEXT:    func.return %[[S]] : tensor<f32>
func.func @positive_exponent(%x: tensor<f32>) -> tensor<f32> {
  %one = tg.constant dense<1.0> : tensor<f32>
  %e = tg.exp %x : tensor<f32> -> tensor<f32>
  %d = tg.add %e, %one : (tensor<f32>, tensor<f32>) -> tensor<f32>
  %p = tg.true_div %one, %d : (tensor<f32>, tensor<f32>) -> tensor<f32>
  func.return %p : tensor<f32>
}

// The frontend's form: Python's 1 is an int8 constant.
// CHECK-LABEL: func.func @int_constants(
// CHECK-NEXT:    %p = tg.sigmoid %x : tensor<f64> -> tensor<f64>
// CHECK-NEXT:    func.return %p : tensor<f64>
func.func @int_constants(%x: tensor<f64>) -> tensor<f64> {
  %one = tg.constant dense<1> : tensor<i8>
  %n = tg.neg %x : tensor<f64> -> tensor<f64>
  %e = tg.exp %n : tensor<f64> -> tensor<f64>
  %d = tg.add %one, %e : (tensor<i8>, tensor<f64>) -> tensor<f64>
  %p = tg.true_div %one, %d : (tensor<i8>, tensor<f64>) -> tensor<f64>
  func.return %p : tensor<f64>
}

// Negative: 2 / (1 + exp(x)).
// CHECK-LABEL: func.func @two_over(
// CHECK:         %p = tg.true_div %two, %d
// CHECK-NEXT:    func.return %p
func.func @two_over(%x: tensor<f64>) -> tensor<f64> {
  %one = tg.constant dense<1.0> : tensor<f64>
  %two = tg.constant dense<2.0> : tensor<f64>
  %e = tg.exp %x : tensor<f64> -> tensor<f64>
  %d = tg.add %one, %e : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %p = tg.true_div %two, %d : (tensor<f64>, tensor<f64>) -> tensor<f64>
  func.return %p : tensor<f64>
}

// Negative: the ones give the result its shape (sigmoid(-x) would have 1 element, not 3).
// CHECK-LABEL: func.func @broadcast_exponent(
// CHECK-NOT:     tg.sigmoid
// CHECK:         %p = tg.true_div %one, %d : (tensor<3xf64>, tensor<3xf64>) -> tensor<3xf64>
// CHECK-NEXT:    func.return %p
func.func @broadcast_exponent(%x: tensor<1xf64>) -> tensor<3xf64> {
  %one = tg.constant dense<1.0> : tensor<3xf64>
  %e = tg.exp %x : tensor<1xf64> -> tensor<1xf64>
  %d = tg.add %one, %e : (tensor<3xf64>, tensor<1xf64>) -> tensor<3xf64>
  %p = tg.true_div %one, %d : (tensor<3xf64>, tensor<3xf64>) -> tensor<3xf64>
  func.return %p : tensor<3xf64>
}
