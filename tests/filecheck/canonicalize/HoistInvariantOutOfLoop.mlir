// RUN: tracegraph-opt %s -p canonicalize,dce --no-locations | filecheck %s

// HoistInvariantOutOfLoop: scan(f(c)) -> scan(d) with d = f(c): an elementwise op of the step
// whose operands are all non-sequences is computed once, before the loop.

// CHECK-LABEL: func.func @invariant(
// CHECK:         %[[E:.*]] = tg.exp %c : tensor<3xf64> -> tensor<3xf64>
// CHECK-NEXT:    %hs = tg.scan steps %n : tensor<i64> sequences(:) initial(%h0 : tensor<1x3xf64>) carried(:) non_sequences(%[[E]] : tensor<3xf64>)
// CHECK-NEXT:    ^bb0(%h: tensor<3xf64>, %{{.*}}: tensor<3xf64>):
// CHECK-NEXT:      %m = tg.mul %h, %{{.*}}
func.func @invariant(%n: tensor<i64>, %c: tensor<3xf64>) -> tensor<?x3xf64> {
  %h0 = tg.constant dense<1.0> : tensor<1x3xf64>
  %hs = tg.scan steps %n : tensor<i64> sequences(:) initial(%h0 : tensor<1x3xf64>) carried(:) non_sequences(%c : tensor<3xf64>) {taps = [array<i64: -1>], truncate_gradient = -1 : i64} -> (tensor<?x3xf64>) {
  ^bb0(%h: tensor<3xf64>, %ct: tensor<3xf64>):
    %e = tg.exp %ct : tensor<3xf64> -> tensor<3xf64>
    %m = tg.mul %h, %e : (tensor<3xf64>, tensor<3xf64>) -> tensor<3xf64>
    tg.yield %m : tensor<3xf64>
  }
  func.return %hs : tensor<?x3xf64>
}

// Negative: an index of a non-sequence may fail (the loop may run no step): it stays.
// CHECK-LABEL: func.func @may_fail(
// CHECK:         tg.scan
// CHECK:           tg.subtensor %ct[%it]
func.func @may_fail(%n: tensor<i64>, %c: tensor<?xf64>, %i: tensor<i64>) -> tensor<?xf64> {
  %h0 = tg.constant dense<1.0> : tensor<1xf64>
  %hs = tg.scan steps %n : tensor<i64> sequences(:) initial(%h0 : tensor<1xf64>) carried(:) non_sequences(%c, %i : tensor<?xf64>, tensor<i64>) {taps = [array<i64: -1>], truncate_gradient = -1 : i64} -> (tensor<?xf64>) {
  ^bb0(%h: tensor<f64>, %ct: tensor<?xf64>, %it: tensor<i64>):
    %e = tg.subtensor %ct[%it] {entries = array<i64: -1>} : (tensor<?xf64>, tensor<i64>) -> tensor<f64>
    %m = tg.mul %h, %e : (tensor<f64>, tensor<f64>) -> tensor<f64>
    tg.yield %m : tensor<f64>
  }
  func.return %hs : tensor<?xf64>
}
