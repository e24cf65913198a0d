// RUN: tracegraph-opt %s -p canonicalize,dce --no-locations | filecheck %s

// LogOfExp: log(exp(x)) -> x.

// CHECK-LABEL: func.func @log_exp(
// CHECK-NEXT:    func.return %x : tensor<?x3xf32>
func.func @log_exp(%x: tensor<?x3xf32>) -> tensor<?x3xf32> {
  %e = tg.exp %x : tensor<?x3xf32> -> tensor<?x3xf32>
  %l = tg.log %e : tensor<?x3xf32> -> tensor<?x3xf32>
  func.return %l : tensor<?x3xf32>
}

// Negative: exp of an int32 is a float64 (x would change the type).
// CHECK-LABEL: func.func @int_argument(
// CHECK-NEXT:    %e = tg.exp %x : tensor<i32> -> tensor<f64>
// CHECK-NEXT:    %l = tg.log %e : tensor<f64> -> tensor<f64>
// CHECK-NEXT:    func.return %l : tensor<f64>
func.func @int_argument(%x: tensor<i32>) -> tensor<f64> {
  %e = tg.exp %x : tensor<i32> -> tensor<f64>
  %l = tg.log %e : tensor<f64> -> tensor<f64>
  func.return %l : tensor<f64>
}

// Negative: log1p(exp(x)) is softplus, a stabilization.
// CHECK-LABEL: func.func @log1p_exp(
// CHECK-NEXT:    %e = tg.exp %x : tensor<f64> -> tensor<f64>
// CHECK-NEXT:    %l = tg.log1p %e : tensor<f64> -> tensor<f64>
// CHECK-NEXT:    func.return %l : tensor<f64>
func.func @log1p_exp(%x: tensor<f64>) -> tensor<f64> {
  %e = tg.exp %x : tensor<f64> -> tensor<f64>
  %l = tg.log1p %e : tensor<f64> -> tensor<f64>
  func.return %l : tensor<f64>
}
