// RUN: tracegraph-opt %s -p canonicalize,dce --no-locations | filecheck %s

// DropUnusedNonSequence: a non-sequence the step does not read is not passed.

// CHECK-LABEL: func.func @unread(
// CHECK:         tg.scan steps %n : tensor<i64> sequences(:) initial(%h0 : tensor<1x3xf64>) carried(:) non_sequences(%w : tensor<3xf64>)
// CHECK-NEXT:    ^bb0(%h: tensor<3xf64>, %wt: tensor<3xf64>):
func.func @unread(%n: tensor<i64>, %v: tensor<3xf64>, %w: tensor<3xf64>) -> tensor<?x3xf64> {
  %h0 = tg.constant dense<1.0> : tensor<1x3xf64>
  %hs = tg.scan steps %n : tensor<i64> sequences(:) initial(%h0 : tensor<1x3xf64>) carried(:) non_sequences(%v, %w : tensor<3xf64>, tensor<3xf64>) {taps = [array<i64: -1>], truncate_gradient = -1 : i64} -> (tensor<?x3xf64>) {
  ^bb0(%h: tensor<3xf64>, %vt: tensor<3xf64>, %wt: tensor<3xf64>):
    %s = tg.mul %h, %wt : (tensor<3xf64>, tensor<3xf64>) -> tensor<3xf64>
    tg.yield %s : tensor<3xf64>
  }
  func.return %hs : tensor<?x3xf64>
}

// Negative: every non-sequence is read.
// CHECK-LABEL: func.func @read(
// CHECK:         non_sequences(%w : tensor<3xf64>)
func.func @read(%n: tensor<i64>, %w: tensor<3xf64>) -> tensor<?x3xf64> {
  %h0 = tg.constant dense<1.0> : tensor<1x3xf64>
  %hs = tg.scan steps %n : tensor<i64> sequences(:) initial(%h0 : tensor<1x3xf64>) carried(:) non_sequences(%w : tensor<3xf64>) {taps = [array<i64: -1>], truncate_gradient = -1 : i64} -> (tensor<?x3xf64>) {
  ^bb0(%h: tensor<3xf64>, %wt: tensor<3xf64>):
    %s = tg.mul %h, %wt : (tensor<3xf64>, tensor<3xf64>) -> tensor<3xf64>
    tg.yield %s : tensor<3xf64>
  }
  func.return %hs : tensor<?x3xf64>
}
