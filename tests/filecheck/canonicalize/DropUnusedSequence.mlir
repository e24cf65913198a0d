// RUN: tracegraph-opt %s -p canonicalize,dce --no-locations | filecheck %s

// DropUnusedSequence: a sequence the step does not read is not passed, when its length check
// cannot fail (n_steps is its length).

// CHECK-LABEL: func.func @bounding(
// CHECK:         tg.scan steps %n : tensor<i64> sequences(:)
func.func @bounding(%x: tensor<?x3xf64>) -> tensor<?x3xf64> {
  %zero = tg.constant dense<0> : tensor<i64>
  %shape = tg.shape %x : tensor<?x3xf64> -> tensor<2xi64>
  %n = tg.subtensor %shape[%zero] {entries = array<i64: -1>} : (tensor<2xi64>, tensor<i64>) -> tensor<i64>
  %h0 = tg.constant dense<1.0> : tensor<1x3xf64>
  %hs = tg.scan steps %n : tensor<i64> sequences(%x : tensor<?x3xf64>) initial(%h0 : tensor<1x3xf64>) carried(:) non_sequences(:) {taps = [array<i64: -1>], truncate_gradient = -1 : i64} -> (tensor<?x3xf64>) {
  ^bb0(%xt: tensor<3xf64>, %h: tensor<3xf64>):
    %s = tg.sin %h : tensor<3xf64> -> tensor<3xf64>
    tg.yield %s : tensor<3xf64>
  }
  func.return %hs : tensor<?x3xf64>
}

// Negative: n_steps is given; the sequence's check (is it long enough?) stays.
// CHECK-LABEL: func.func @checked(
// CHECK:         tg.scan steps %n : tensor<i64> sequences(%x : tensor<?x3xf64>)
func.func @checked(%x: tensor<?x3xf64>, %n: tensor<i64>) -> tensor<?x3xf64> {
  %h0 = tg.constant dense<1.0> : tensor<1x3xf64>
  %hs = tg.scan steps %n : tensor<i64> sequences(%x : tensor<?x3xf64>) initial(%h0 : tensor<1x3xf64>) carried(:) non_sequences(:) {taps = [array<i64: -1>], truncate_gradient = -1 : i64} -> (tensor<?x3xf64>) {
  ^bb0(%xt: tensor<3xf64>, %h: tensor<3xf64>):
    %s = tg.sin %h : tensor<3xf64> -> tensor<3xf64>
    tg.yield %s : tensor<3xf64>
  }
  func.return %hs : tensor<?x3xf64>
}
