// RUN: tracegraph-opt %s -p canonicalize,dce --no-locations | filecheck %s

// FoldDimShuffleOfDimShuffle: dimshuffle(dimshuffle(x, a), b) -> dimshuffle(x, a∘b).

// CHECK-LABEL: func.func @expand_then_permute(
// CHECK-NEXT:    %b = tg.dimshuffle %x {order = array<i64: 0, -1>} : tensor<?xf64> -> tensor<?x1xf64>
// CHECK-NEXT:    func.return %b : tensor<?x1xf64>
func.func @expand_then_permute(%x: tensor<?xf64>) -> tensor<?x1xf64> {
  %a = tg.dimshuffle %x {order = array<i64: -1, 0>} : tensor<?xf64> -> tensor<1x?xf64>
  %b = tg.dimshuffle %a {order = array<i64: 1, -1>} : tensor<1x?xf64> -> tensor<?x1xf64>
  func.return %b : tensor<?x1xf64>
}

// CHECK-LABEL: func.func @permutations(
// CHECK-NEXT:    %b = tg.dimshuffle %x {order = array<i64: 1, 2, 0>} : tensor<2x3x4xf32> -> tensor<3x4x2xf32>
// CHECK-NEXT:    func.return %b : tensor<3x4x2xf32>
func.func @permutations(%x: tensor<2x3x4xf32>) -> tensor<3x4x2xf32> {
  %a = tg.dimshuffle %x {order = array<i64: 2, 0, 1>} : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
  %b = tg.dimshuffle %a {order = array<i64: 2, 0, 1>} : tensor<4x2x3xf32> -> tensor<3x4x2xf32>
  func.return %b : tensor<3x4x2xf32>
}

// An axis added by the first and dropped by the second disappears.
// CHECK-LABEL: func.func @add_then_drop(
// CHECK-NEXT:    %b = tg.dimshuffle %x {order = array<i64: 1, 0>} : tensor<2x3xf64> -> tensor<3x2xf64>
// CHECK-NEXT:    func.return %b : tensor<3x2xf64>
func.func @add_then_drop(%x: tensor<2x3xf64>) -> tensor<3x2xf64> {
  %a = tg.dimshuffle %x {order = array<i64: 0, -1, 1>} : tensor<2x3xf64> -> tensor<2x1x3xf64>
  %b = tg.dimshuffle %a {order = array<i64: 2, 0>} : tensor<2x1x3xf64> -> tensor<3x2xf64>
  func.return %b : tensor<3x2xf64>
}

// Negative: a single dimshuffle.
// CHECK-LABEL: func.func @single(
// CHECK-NEXT:    %a = tg.dimshuffle %x {order = array<i64: 1, 0>} : tensor<2x3xf64> -> tensor<3x2xf64>
// CHECK-NEXT:    func.return %a : tensor<3x2xf64>
func.func @single(%x: tensor<2x3xf64>) -> tensor<3x2xf64> {
  %a = tg.dimshuffle %x {order = array<i64: 1, 0>} : tensor<2x3xf64> -> tensor<3x2xf64>
  func.return %a : tensor<3x2xf64>
}
