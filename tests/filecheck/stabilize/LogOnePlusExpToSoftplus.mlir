// RUN: tracegraph-opt %s -p stabilize,dce --no-locations | filecheck %s

// LogOnePlusExpToSoftplus: log(1 + exp(x)) -> softplus(x) and log1p(exp(x)) -> softplus(x).

// CHECK-LABEL: func.func @log_one_plus_exp(
// CHECK-NEXT:    %l = tg.softplus %x : tensor<?xf64> -> tensor<?xf64>
// CHECK-NEXT:    func.return %l : tensor<?xf64>
func.func @log_one_plus_exp(%x: tensor<?xf64>) -> tensor<?xf64> {
  %one = tg.constant dense<[1.0]> : tensor<1xf64>
  %e = tg.exp %x : tensor<?xf64> -> tensor<?xf64>
  %d = tg.add %e, %one : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xf64>
  %l = tg.log %d : tensor<?xf64> -> tensor<?xf64>
  func.return %l : tensor<?xf64>
}

// CHECK-LABEL: func.func @log1p_exp(
// CHECK-NEXT:    %l = tg.softplus %x : tensor<f32> -> tensor<f32>
// CHECK-NEXT:    func.return %l : tensor<f32>
func.func @log1p_exp(%x: tensor<f32>) -> tensor<f32> {
  %e = tg.exp %x : tensor<f32> -> tensor<f32>
  %l = tg.log1p %e : tensor<f32> -> tensor<f32>
  func.return %l : tensor<f32>
}

// Negative: the ones give the sum its shape (softplus(x) would have 1 element, not 3).
// CHECK-LABEL: func.func @broadcast_exponent(
// CHECK-NOT:     tg.softplus
// CHECK:         %l = tg.log %d : tensor<3xf64> -> tensor<3xf64>
// CHECK-NEXT:    func.return %l
func.func @broadcast_exponent(%x: tensor<1xf64>) -> tensor<3xf64> {
  %one = tg.constant dense<1.0> : tensor<3xf64>
  %e = tg.exp %x : tensor<1xf64> -> tensor<1xf64>
  %d = tg.add %one, %e : (tensor<3xf64>, tensor<1xf64>) -> tensor<3xf64>
  %l = tg.log %d : tensor<3xf64> -> tensor<3xf64>
  func.return %l : tensor<3xf64>
}

// Negative: exp of an int32 (only float arguments are rewritten).
// CHECK-LABEL: func.func @int_exponent(
// CHECK-NEXT:    %e = tg.exp %x : tensor<i32> -> tensor<f64>
// CHECK-NEXT:    %l = tg.log1p %e : tensor<f64> -> tensor<f64>
// CHECK-NEXT:    func.return %l
func.func @int_exponent(%x: tensor<i32>) -> tensor<f64> {
  %e = tg.exp %x : tensor<i32> -> tensor<f64>
  %l = tg.log1p %e : tensor<f64> -> tensor<f64>
  func.return %l : tensor<f64>
}
