// RUN: tracegraph-opt %s -p stabilize,dce --no-locations | filecheck %s

// LogOnePlusToLog1p: log(1 + x) -> log1p(x) (unless x is an exp: that is softplus).

// CHECK-LABEL: func.func @log_one_plus(
// CHECK-NEXT:    %l = tg.log1p %x : tensor<?xf64> -> tensor<?xf64>
// CHECK-NEXT:    func.return %l : tensor<?xf64>
func.func @log_one_plus(%x: tensor<?xf64>) -> tensor<?xf64> {
  %one = tg.constant dense<[1.0]> : tensor<1xf64>
  %d = tg.add %one, %x : (tensor<1xf64>, tensor<?xf64>) -> tensor<?xf64>
  %l = tg.log %d : tensor<?xf64> -> tensor<?xf64>
  func.return %l : tensor<?xf64>
}

// CHECK-LABEL: func.func @log_plus_one(
// CHECK-NEXT:    %l = tg.log1p %x : tensor<f32> -> tensor<f32>
// CHECK-NEXT:    func.return %l : tensor<f32>
func.func @log_plus_one(%x: tensor<f32>) -> tensor<f32> {
  %one = tg.constant dense<1.0> : tensor<f32>
  %d = tg.add %x, %one : (tensor<f32>, tensor<f32>) -> tensor<f32>
  %l = tg.log %d : tensor<f32> -> tensor<f32>
  func.return %l : tensor<f32>
}

// log(1 + exp(x)) is left to LogOnePlusExpToSoftplus.
// CHECK-LABEL: func.func @log_one_plus_exp(
// CHECK-NOT:     tg.log1p
// CHECK:         tg.softplus %x
func.func @log_one_plus_exp(%x: tensor<f64>) -> tensor<f64> {
  %one = tg.constant dense<1.0> : tensor<f64>
  %e = tg.exp %x : tensor<f64> -> tensor<f64>
  %d = tg.add %one, %e : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %l = tg.log %d : tensor<f64> -> tensor<f64>
  func.return %l : tensor<f64>
}

// Negative: log(2 + x).
// CHECK-LABEL: func.func @log_two_plus(
// CHECK-NOT:     tg.log1p
// CHECK:         %l = tg.log %d
// CHECK-NEXT:    func.return %l
func.func @log_two_plus(%x: tensor<f64>) -> tensor<f64> {
  %two = tg.constant dense<2.0> : tensor<f64>
  %d = tg.add %two, %x : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %l = tg.log %d : tensor<f64> -> tensor<f64>
  func.return %l : tensor<f64>
}

// Negative: x is an int32 and the sum a float64.
// CHECK-LABEL: func.func @int_argument(
// CHECK-NOT:     tg.log1p
// CHECK:         %l = tg.log %d
// CHECK-NEXT:    func.return %l
func.func @int_argument(%x: tensor<i32>) -> tensor<f64> {
  %one = tg.constant dense<1.0> : tensor<f64>
  %d = tg.add %one, %x : (tensor<f64>, tensor<i32>) -> tensor<f64>
  %l = tg.log %d : tensor<f64> -> tensor<f64>
  func.return %l : tensor<f64>
}

// Negative: the ones give the sum its shape.
// CHECK-LABEL: func.func @broadcasting(
// CHECK-NOT:     tg.log1p
// CHECK:         %l = tg.log %d : tensor<3xf64> -> tensor<3xf64>
// CHECK-NEXT:    func.return %l
func.func @broadcasting(%x: tensor<1xf64>) -> tensor<3xf64> {
  %one = tg.constant dense<1.0> : tensor<3xf64>
  %d = tg.add %one, %x : (tensor<3xf64>, tensor<1xf64>) -> tensor<3xf64>
  %l = tg.log %d : tensor<3xf64> -> tensor<3xf64>
  func.return %l : tensor<3xf64>
}
