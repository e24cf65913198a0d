// RUN: tracegraph-opt %s -p canonicalize,dce --no-locations | filecheck %s

// ExpOfLog: exp(log(x)) -> switch(x >= 0, abs(x), nan) (log of a negative number is NaN, and
// exp(log(-0.0)) is +0.0).

// CHECK-LABEL: func.func @exp_log(
// CHECK-NEXT:    %[[ZERO:.+]] = tg.constant dense<0.000000e+00> : tensor<1xf64>
// CHECK-NEXT:    %[[NAN:.+]] = tg.constant dense<"0x000000000000F87F"> : tensor<1xf64>
// CHECK-NEXT:    %[[GE:.+]] = tg.ge %x, %[[ZERO]] : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xi1>
// CHECK-NEXT:    %[[ABS:.+]] = tg.abs %x : tensor<?xf64> -> tensor<?xf64>
// CHECK-NEXT:    %[[R:.+]] = tg.switch %[[GE]], %[[ABS]], %[[NAN]] : (tensor<?xi1>, tensor<?xf64>, tensor<1xf64>) -> tensor<?xf64>
// CHECK-NEXT:    func.return %[[R]] : tensor<?xf64>
func.func @exp_log(%x: tensor<?xf64>) -> tensor<?xf64> {
  %l = tg.log %x : tensor<?xf64> -> tensor<?xf64>
  %e = tg.exp %l : tensor<?xf64> -> tensor<?xf64>
  func.return %e : tensor<?xf64>
}

// Negative: log of an int32 is a float64, so x has another type than the result.
// CHECK-LABEL: func.func @int_argument(
// CHECK-NEXT:    %l = tg.log %x : tensor<i32> -> tensor<f64>
// CHECK-NEXT:    %e = tg.exp %l : tensor<f64> -> tensor<f64>
// CHECK-NEXT:    func.return %e : tensor<f64>
func.func @int_argument(%x: tensor<i32>) -> tensor<f64> {
  %l = tg.log %x : tensor<i32> -> tensor<f64>
  %e = tg.exp %l : tensor<f64> -> tensor<f64>
  func.return %e : tensor<f64>
}

// Negative: exp of something else.
// CHECK-LABEL: func.func @exp_sqrt(
// CHECK-NEXT:    %l = tg.sqrt %x
// CHECK-NEXT:    %e = tg.exp %l
// CHECK-NEXT:    func.return %e
func.func @exp_sqrt(%x: tensor<f64>) -> tensor<f64> {
  %l = tg.sqrt %x : tensor<f64> -> tensor<f64>
  %e = tg.exp %l : tensor<f64> -> tensor<f64>
  func.return %e : tensor<f64>
}
