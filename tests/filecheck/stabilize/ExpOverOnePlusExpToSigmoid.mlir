// RUN: tracegraph-opt %s -p stabilize,dce --no-locations | filecheck %s

// ExpOverOnePlusExpToSigmoid: exp(x) / (1 + exp(x)) -> sigmoid(x).

// CHECK-LABEL: func.func @exp_over_one_plus_exp(
// CHECK-NEXT:    %p = tg.sigmoid %x : tensor<?xf64> -> tensor<?xf64>
// CHECK-NEXT:    func.return %p : tensor<?xf64>
func.func @exp_over_one_plus_exp(%x: tensor<?xf64>) -> tensor<?xf64> {
  %one = tg.constant dense<[1.0]> : tensor<1xf64>
  %e = tg.exp %x : tensor<?xf64> -> tensor<?xf64>
  %d = tg.add %e, %one : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xf64>
  %p = tg.true_div %e, %d : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  func.return %p : tensor<?xf64>
}

// Two exp ops of the same argument match too.
// CHECK-LABEL: func.func @two_exps(
// CHECK-NEXT:    %p = tg.sigmoid %x : tensor<f32> -> tensor<f32>
// CHECK-NEXT:    func.return %p : tensor<f32>
func.func @two_exps(%x: tensor<f32>) -> tensor<f32> {
  %one = tg.constant dense<1.0> : tensor<f32>
  %e1 = tg.exp %x : tensor<f32> -> tensor<f32>
  %e2 = tg.exp %x : tensor<f32> -> tensor<f32>
  %d = tg.add %one, %e2 : (tensor<f32>, tensor<f32>) -> tensor<f32>
  %p = tg.true_div %e1, %d : (tensor<f32>, tensor<f32>) -> tensor<f32>
  func.return %p : tensor<f32>
}

// Negative: exp(x) / (1 + exp(y)).
// CHECK-LABEL: func.func @different_exponents(
// CHECK-NOT:     tg.sigmoid
// CHECK:         %p = tg.true_div %ex, %d
// CHECK-NEXT:    func.return %p
func.func @different_exponents(%x: tensor<f64>, %y: tensor<f64>) -> tensor<f64> {
  %one = tg.constant dense<1.0> : tensor<f64>
  %ex = tg.exp %x : tensor<f64> -> tensor<f64>
  %ey = tg.exp %y : tensor<f64> -> tensor<f64>
  %d = tg.add %one, %ey : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %p = tg.true_div %ex, %d : (tensor<f64>, tensor<f64>) -> tensor<f64>
  func.return %p : tensor<f64>
}

// Negative: exp(x) / (2 + exp(x)).
// CHECK-LABEL: func.func @two_plus(
// CHECK-NOT:     tg.sigmoid
// CHECK:         %p = tg.true_div %e, %d
// CHECK-NEXT:    func.return %p
func.func @two_plus(%x: tensor<f64>) -> tensor<f64> {
  %two = tg.constant dense<2.0> : tensor<f64>
  %e = tg.exp %x : tensor<f64> -> tensor<f64>
  %d = tg.add %two, %e : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %p = tg.true_div %e, %d : (tensor<f64>, tensor<f64>) -> tensor<f64>
  func.return %p : tensor<f64>
}
