// RUN: tracegraph-opt %s -p canonicalize,dce --no-locations | filecheck %s

// PushSequenceWorkOutOfLoop: scan(f(x_t, c)) -> scan(y_t) with y = f(x[:n], c): an elementwise
// op of the step on slices and non-sequences is computed for every step before the loop.

// CHECK-LABEL: func.func @recurrence(
// CHECK:         %[[CUT:.*]] = tg.subtensor %x[%n] {entries = array<i64: 2>}
// CHECK-NEXT:    %[[C:.*]] = tg.dimshuffle %c {order = array<i64: -1, 0>} : tensor<3xf64> -> tensor<1x3xf64>
// CHECK-NEXT:    %[[Y:.*]] = tg.mul %[[CUT]], %[[C]] : (tensor<?x3xf64>, tensor<1x3xf64>) -> tensor<?x3xf64>
// CHECK-NEXT:    %hs = tg.scan steps %n : tensor<i64> sequences(%[[Y]] : tensor<?x3xf64>)
// CHECK-NEXT:    ^bb0(%a: tensor<3xf64>, %h: tensor<3xf64>):
// CHECK-NEXT:      %b = tg.add %a, %h
// CHECK-NEXT:      tg.yield %b
func.func @recurrence(%x: tensor<?x3xf64>, %c: tensor<3xf64>) -> tensor<?x3xf64> {
  %zero = tg.constant dense<0> : tensor<i64>
  %shape = tg.shape %x : tensor<?x3xf64> -> tensor<2xi64>
  %n = tg.subtensor %shape[%zero] {entries = array<i64: -1>} : (tensor<2xi64>, tensor<i64>) -> tensor<i64>
  %h0 = tg.constant dense<0.0> : tensor<1x3xf64>
  %hs = tg.scan steps %n : tensor<i64> sequences(%x : tensor<?x3xf64>) initial(%h0 : tensor<1x3xf64>) carried(:) non_sequences(%c : tensor<3xf64>) {taps = [array<i64: -1>], truncate_gradient = -1 : i64} -> (tensor<?x3xf64>) {
  ^bb0(%xt: tensor<3xf64>, %h: tensor<3xf64>, %ct: tensor<3xf64>):
    %a = tg.mul %xt, %ct : (tensor<3xf64>, tensor<3xf64>) -> tensor<3xf64>
    %b = tg.add %a, %h : (tensor<3xf64>, tensor<3xf64>) -> tensor<3xf64>
    tg.yield %b : tensor<3xf64>
  }
  func.return %hs : tensor<?x3xf64>
}

// Negative: an op that reads the recurrent state stays in the step.
// CHECK-LABEL: func.func @reads_the_state(
// CHECK:         tg.scan
// CHECK:           %b = tg.mul %xt, %h
func.func @reads_the_state(%x: tensor<?x3xf64>, %n: tensor<i64>) -> tensor<?x3xf64> {
  %h0 = tg.constant dense<1.0> : tensor<1x3xf64>
  %hs = tg.scan steps %n : tensor<i64> sequences(%x : tensor<?x3xf64>) initial(%h0 : tensor<1x3xf64>) carried(:) non_sequences(:) {taps = [array<i64: -1>], truncate_gradient = -1 : i64} -> (tensor<?x3xf64>) {
  ^bb0(%xt: tensor<3xf64>, %h: tensor<3xf64>):
    %b = tg.mul %xt, %h : (tensor<3xf64>, tensor<3xf64>) -> tensor<3xf64>
    tg.yield %b : tensor<3xf64>
  }
  func.return %hs : tensor<?x3xf64>
}
