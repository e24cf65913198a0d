// RUN: tracegraph-opt %s -p canonicalize,dce --no-locations | filecheck %s

// SinkUnaryIntoFill: f(fill(x, v)) -> fill(x, f(v)): f runs on the value before it is broadcast.

// CHECK-LABEL: func.func @exp(
// CHECK-NEXT:    %[[E:.+]] = tg.exp %v : tensor<1x1xf64> -> tensor<1x1xf64>
// CHECK-NEXT:    %[[F:.+]] = tg.fill %x, %[[E]] : (tensor<?x?xf64>, tensor<1x1xf64>) -> tensor<?x?xf64>
// CHECK-NEXT:    func.return %[[F]] : tensor<?x?xf64>
func.func @exp(%x: tensor<?x?xf64>, %v: tensor<1x1xf64>) -> tensor<?x?xf64> {
  %f = tg.fill %x, %v : (tensor<?x?xf64>, tensor<1x1xf64>) -> tensor<?x?xf64>
  %e = tg.exp %f : tensor<?x?xf64> -> tensor<?x?xf64>
  func.return %e : tensor<?x?xf64>
}

// On a constant value the op then folds: a cast keeps its result dtype.
// CHECK-LABEL: func.func @cast_of_constant(
// CHECK-NEXT:    %[[C:.+]] = tg.constant dense<2.000000e+00> : tensor<1xf32>
// CHECK-NEXT:    %[[F:.+]] = tg.fill %x, %[[C]] : (tensor<?xf64>, tensor<1xf32>) -> tensor<?xf32>
// CHECK-NEXT:    func.return %[[F]] : tensor<?xf32>
func.func @cast_of_constant(%x: tensor<?xf64>) -> tensor<?xf32> {
  %c = tg.constant dense<[2]> : tensor<1xi64>
  %f = tg.fill %x, %c : (tensor<?xf64>, tensor<1xi64>) -> tensor<?xi64>
  %r = tg.cast %f : tensor<?xi64> -> tensor<?xf32>
  func.return %r : tensor<?xf32>
}

// Negative: no fill.
// CHECK-LABEL: func.func @no_fill(
// CHECK-NEXT:    %e = tg.exp %x : tensor<?xf64> -> tensor<?xf64>
// CHECK-NEXT:    func.return %e : tensor<?xf64>
func.func @no_fill(%x: tensor<?xf64>) -> tensor<?xf64> {
  %e = tg.exp %x : tensor<?xf64> -> tensor<?xf64>
  func.return %e : tensor<?xf64>
}
