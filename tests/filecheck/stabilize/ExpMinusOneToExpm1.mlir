// RUN: tracegraph-opt %s -p stabilize,dce --no-locations | filecheck %s

// ExpMinusOneToExpm1: exp(x) - 1 -> expm1(x).

// CHECK-LABEL: func.func @exp_minus_one(
// CHECK-NEXT:    %r = tg.expm1 %x : tensor<?xf64> -> tensor<?xf64>
// CHECK-NEXT:    func.return %r : tensor<?xf64>
func.func @exp_minus_one(%x: tensor<?xf64>) -> tensor<?xf64> {
  %one = tg.constant dense<[1.0]> : tensor<1xf64>
  %e = tg.exp %x : tensor<?xf64> -> tensor<?xf64>
  %r = tg.sub %e, %one : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xf64>
  func.return %r : tensor<?xf64>
}

// The same identity spelled with an addition of -1, on either side.
// CHECK-LABEL: func.func @exp_plus_minus_one(
// CHECK-NEXT:    %r = tg.expm1 %x : tensor<?xf32> -> tensor<?xf32>
// CHECK-NEXT:    %s = tg.expm1 %x : tensor<?xf32> -> tensor<?xf32>
// CHECK-NEXT:    func.return %r, %s : tensor<?xf32>, tensor<?xf32>
func.func @exp_plus_minus_one(%x: tensor<?xf32>) -> (tensor<?xf32>, tensor<?xf32>) {
  %minus_one = tg.constant dense<[-1.0]> : tensor<1xf32>
  %e = tg.exp %x : tensor<?xf32> -> tensor<?xf32>
  %r = tg.add %e, %minus_one : (tensor<?xf32>, tensor<1xf32>) -> tensor<?xf32>
  %s = tg.add %minus_one, %e : (tensor<1xf32>, tensor<?xf32>) -> tensor<?xf32>
  func.return %r, %s : tensor<?xf32>, tensor<?xf32>
}

// Negative: exp(x) + 1.
// CHECK-LABEL: func.func @exp_plus_one(
// CHECK-NOT:     tg.expm1
// CHECK:         %r = tg.add %e, %one
// CHECK-NEXT:    func.return %r
func.func @exp_plus_one(%x: tensor<f64>) -> tensor<f64> {
  %one = tg.constant dense<1.0> : tensor<f64>
  %e = tg.exp %x : tensor<f64> -> tensor<f64>
  %r = tg.add %e, %one : (tensor<f64>, tensor<f64>) -> tensor<f64>
  func.return %r : tensor<f64>
}

// Negative: 1 - exp(x).
// CHECK-LABEL: func.func @one_minus_exp(
// CHECK-NOT:     tg.expm1
// CHECK:         %r = tg.sub %one, %e
// CHECK-NEXT:    func.return %r
func.func @one_minus_exp(%x: tensor<f64>) -> tensor<f64> {
  %one = tg.constant dense<1.0> : tensor<f64>
  %e = tg.exp %x : tensor<f64> -> tensor<f64>
  %r = tg.sub %one, %e : (tensor<f64>, tensor<f64>) -> tensor<f64>
  func.return %r : tensor<f64>
}

// Negative: exp(x) - 2.
// CHECK-LABEL: func.func @exp_minus_two(
// CHECK-NOT:     tg.expm1
// CHECK:         %r = tg.sub %e, %two
// CHECK-NEXT:    func.return %r
func.func @exp_minus_two(%x: tensor<f64>) -> tensor<f64> {
  %two = tg.constant dense<2.0> : tensor<f64>
  %e = tg.exp %x : tensor<f64> -> tensor<f64>
  %r = tg.sub %e, %two : (tensor<f64>, tensor<f64>) -> tensor<f64>
  func.return %r : tensor<f64>
}

// Negative: the ones give the difference its shape.
// CHECK-LABEL: func.func @broadcasting(
// CHECK-NOT:     tg.expm1
// CHECK:         %r = tg.sub %e, %one : (tensor<1xf64>, tensor<3xf64>) -> tensor<3xf64>
// CHECK-NEXT:    func.return %r
func.func @broadcasting(%x: tensor<1xf64>) -> tensor<3xf64> {
  %one = tg.constant dense<1.0> : tensor<3xf64>
  %e = tg.exp %x : tensor<1xf64> -> tensor<1xf64>
  %r = tg.sub %e, %one : (tensor<1xf64>, tensor<3xf64>) -> tensor<3xf64>
  func.return %r : tensor<3xf64>
}
