// RUN: tracegraph-opt %s -p canonicalize,dce --no-locations | filecheck %s

// FoldIdentityDimShuffle: dimshuffle(x, (0, 1, ..., n-1)) -> x.

// CHECK-LABEL: func.func @identity(
// CHECK-NEXT:    func.return %x : tensor<?x3xf64>
func.func @identity(%x: tensor<?x3xf64>) -> tensor<?x3xf64> {
  %a = tg.dimshuffle %x {order = array<i64: 0, 1>} : tensor<?x3xf64> -> tensor<?x3xf64>
  func.return %a : tensor<?x3xf64>
}

// Two transpositions merge into the identity (FoldDimShuffleOfDimShuffle), which goes.
// CHECK-LABEL: func.func @transpose_twice(
// CHECK-NEXT:    func.return %x : tensor<2x3xf64>
func.func @transpose_twice(%x: tensor<2x3xf64>) -> tensor<2x3xf64> {
  %a = tg.dimshuffle %x {order = array<i64: 1, 0>} : tensor<2x3xf64> -> tensor<3x2xf64>
  %b = tg.dimshuffle %a {order = array<i64: 1, 0>} : tensor<3x2xf64> -> tensor<2x3xf64>
  func.return %b : tensor<2x3xf64>
}

// Negative: a transposition.
// CHECK-LABEL: func.func @transpose(
// CHECK-NEXT:    %a = tg.dimshuffle %x {order = array<i64: 1, 0>} : tensor<2x3xf64> -> tensor<3x2xf64>
// CHECK-NEXT:    func.return %a : tensor<3x2xf64>
func.func @transpose(%x: tensor<2x3xf64>) -> tensor<3x2xf64> {
  %a = tg.dimshuffle %x {order = array<i64: 1, 0>} : tensor<2x3xf64> -> tensor<3x2xf64>
  func.return %a : tensor<3x2xf64>
}

// Negative: dropping a broadcastable axis keeps the order of the others but changes the type.
// CHECK-LABEL: func.func @drop_axis(
// CHECK-NEXT:    %a = tg.dimshuffle %x {order = array<i64: 1>} : tensor<1x3xf64> -> tensor<3xf64>
// CHECK-NEXT:    func.return %a : tensor<3xf64>
func.func @drop_axis(%x: tensor<1x3xf64>) -> tensor<3xf64> {
  %a = tg.dimshuffle %x {order = array<i64: 1>} : tensor<1x3xf64> -> tensor<3xf64>
  func.return %a : tensor<3xf64>
}

// Negative: adding an axis.
// CHECK-LABEL: func.func @add_axis(
// CHECK-NEXT:    %a = tg.dimshuffle %x {order = array<i64: 0, -1>} : tensor<3xf64> -> tensor<3x1xf64>
// CHECK-NEXT:    func.return %a : tensor<3x1xf64>
func.func @add_axis(%x: tensor<3xf64>) -> tensor<3x1xf64> {
  %a = tg.dimshuffle %x {order = array<i64: 0, -1>} : tensor<3xf64> -> tensor<3x1xf64>
  func.return %a : tensor<3x1xf64>
}
