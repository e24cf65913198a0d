// RUN: tracegraph-opt %s -p stabilize,dce --no-locations | filecheck %s

// ExpOverSumExpToSoftmax: exp(u) / sum(exp(u), axis, keepdims=True) -> softmax(u, axis), the
// softmax written out (inf / inf once exp(u) overflows). The two exp(u) may be two ops.

// CHECK-LABEL: func.func @keepdims(
// CHECK-NEXT:    %[[R:.+]] = tg.softmax %u {axis = 1 : i64} : tensor<?x?xf64> -> tensor<?x?xf64>
// CHECK-NEXT:    func.return %[[R]]
func.func @keepdims(%u: tensor<?x?xf64>) -> tensor<?x?xf64> {
  %e = tg.exp %u : tensor<?x?xf64> -> tensor<?x?xf64>
  %e2 = tg.exp %u : tensor<?x?xf64> -> tensor<?x?xf64>
  %s = tg.sum %e2 {axes = array<i64: 1>, keepdims = true} : tensor<?x?xf64> -> tensor<?x1xf64>
  %r = tg.true_div %e, %s : (tensor<?x?xf64>, tensor<?x1xf64>) -> tensor<?x?xf64>
  func.return %r : tensor<?x?xf64>
}

// The sum without keepdims, its axis put back by a dimshuffle (Theano's .dimshuffle('x', 0)).
// CHECK-LABEL: func.func @dimshuffle(
// CHECK-NEXT:    %[[R:.+]] = tg.softmax %u {axis = 0 : i64} : tensor<?x?xf32> -> tensor<?x?xf32>
// CHECK-NEXT:    func.return %[[R]]
func.func @dimshuffle(%u: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %e = tg.exp %u : tensor<?x?xf32> -> tensor<?x?xf32>
  %s = tg.sum %e {axes = array<i64: 0>, keepdims = false} : tensor<?x?xf32> -> tensor<?xf32>
  %d = tg.dimshuffle %s {order = array<i64: -1, 0>} : tensor<?xf32> -> tensor<1x?xf32>
  %r = tg.true_div %e, %d : (tensor<?x?xf32>, tensor<1x?xf32>) -> tensor<?x?xf32>
  func.return %r : tensor<?x?xf32>
}

// Negative: the dimshuffle puts a new axis where the sum's axis was not.
// CHECK-LABEL: func.func @other_axis_back(
// CHECK-NOT:     tg.softmax
// CHECK:         %r = tg.true_div %e, %d
func.func @other_axis_back(%u: tensor<?x?xf64>) -> tensor<?x?xf64> {
  %e = tg.exp %u : tensor<?x?xf64> -> tensor<?x?xf64>
  %s = tg.sum %e {axes = array<i64: 1>, keepdims = false} : tensor<?x?xf64> -> tensor<?xf64>
  %d = tg.dimshuffle %s {order = array<i64: -1, 0>} : tensor<?xf64> -> tensor<1x?xf64>
  %r = tg.true_div %e, %d : (tensor<?x?xf64>, tensor<1x?xf64>) -> tensor<?x?xf64>
  func.return %r : tensor<?x?xf64>
}

// Negative: a sum over two axes (tg.softmax normalizes along one).
// CHECK-LABEL: func.func @two_axes(
// CHECK-NOT:     tg.softmax
// CHECK:         %r = tg.true_div %e, %s
func.func @two_axes(%u: tensor<?x?xf64>) -> tensor<?x?xf64> {
  %e = tg.exp %u : tensor<?x?xf64> -> tensor<?x?xf64>
  %s = tg.sum %e {axes = array<i64: 0, 1>, keepdims = true} : tensor<?x?xf64> -> tensor<1x1xf64>
  %r = tg.true_div %e, %s : (tensor<?x?xf64>, tensor<1x1xf64>) -> tensor<?x?xf64>
  func.return %r : tensor<?x?xf64>
}

// Negative: the sum is of the exp of another value.
// CHECK-LABEL: func.func @other_exp(
// CHECK-NOT:     tg.softmax
// CHECK:         %r = tg.true_div %e, %s
func.func @other_exp(%u: tensor<?xf64>, %v: tensor<?xf64>) -> tensor<?xf64> {
  %e = tg.exp %u : tensor<?xf64> -> tensor<?xf64>
  %f = tg.exp %v : tensor<?xf64> -> tensor<?xf64>
  %s = tg.sum %f {axes = array<i64: 0>, keepdims = true} : tensor<?xf64> -> tensor<1xf64>
  %r = tg.true_div %e, %s : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xf64>
  func.return %r : tensor<?xf64>
}
