// RUN: tracegraph-opt %s -p canonicalize,dce --no-locations | filecheck %s

// MappedSliceIsTheSequence: a step that yields its slice of a sequence s collects s itself,
// when n_steps is the length of the tensor s was cut from (the loop's check cannot fail), and
// the loop goes. (A map of elementwise ops becomes one elementwise graph: fused in one loop.)

// CHECK-LABEL: func.func @map(
// CHECK-NOT:     tg.scan
// CHECK:         %[[E:.*]] = tg.exp %{{.*}} : tensor<?x3xf64> -> tensor<?x3xf64>
// CHECK-NEXT:    func.return %[[E]] : tensor<?x3xf64>
func.func @map(%x: tensor<?x3xf64>) -> tensor<?x3xf64> {
  %zero = tg.constant dense<0> : tensor<i64>
  %shape = tg.shape %x : tensor<?x3xf64> -> tensor<2xi64>
  %n = tg.subtensor %shape[%zero] {entries = array<i64: -1>} : (tensor<2xi64>, tensor<i64>) -> tensor<i64>
  %ys = tg.scan steps %n : tensor<i64> sequences(%x : tensor<?x3xf64>) initial(:) carried(:) non_sequences(:) {taps = [], truncate_gradient = -1 : i64} -> (tensor<?x3xf64>) {
  ^bb0(%xt: tensor<3xf64>):
    %e = tg.exp %xt : tensor<3xf64> -> tensor<3xf64>
    tg.yield %e : tensor<3xf64>
  }
  func.return %ys : tensor<?x3xf64>
}

// Negative: n_steps is given (a sequence shorter than it must still fail): the loop stays.
// CHECK-LABEL: func.func @given_steps(
// CHECK:         tg.scan steps %n
func.func @given_steps(%x: tensor<?x3xf64>, %n: tensor<i64>) -> tensor<?x3xf64> {
  %ys = tg.scan steps %n : tensor<i64> sequences(%x : tensor<?x3xf64>) initial(:) carried(:) non_sequences(:) {taps = [], truncate_gradient = -1 : i64} -> (tensor<?x3xf64>) {
  ^bb0(%xt: tensor<3xf64>):
    %e = tg.exp %xt : tensor<3xf64> -> tensor<3xf64>
    tg.yield %e : tensor<3xf64>
  }
  func.return %ys : tensor<?x3xf64>
}
