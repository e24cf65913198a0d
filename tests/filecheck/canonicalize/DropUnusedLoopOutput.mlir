// RUN: tracegraph-opt %s -p canonicalize,dce --no-locations | filecheck %s

// DropUnusedLoopOutput: a mapped output nothing reads is not computed.

// CHECK-LABEL: func.func @one_of_two(
// CHECK:         %{{.*}} = tg.scan steps %n : tensor<i64> {{.*}} -> (tensor<?x3xf64>) {
// CHECK-NEXT:    ^bb0(%h: tensor<3xf64>):
// CHECK-NEXT:      %s = tg.sin %h
// CHECK-NEXT:      tg.yield %s : tensor<3xf64>
func.func @one_of_two(%n: tensor<i64>) -> tensor<?x3xf64> {
  %h0 = tg.constant dense<1.0> : tensor<1x3xf64>
  %hs, %cs = tg.scan steps %n : tensor<i64> sequences(:) initial(%h0 : tensor<1x3xf64>) carried(:) non_sequences(:) {taps = [array<i64: -1>], truncate_gradient = -1 : i64} -> (tensor<?x3xf64>, tensor<?x3xf64>) {
  ^bb0(%h: tensor<3xf64>):
    %s = tg.sin %h : tensor<3xf64> -> tensor<3xf64>
    %c = tg.cos %h : tensor<3xf64> -> tensor<3xf64>
    tg.yield %s, %c : tensor<3xf64>, tensor<3xf64>
  }
  func.return %hs : tensor<?x3xf64>
}

// Negative: both outputs are read.
// CHECK-LABEL: func.func @both(
// CHECK:         tg.yield %s, %c
func.func @both(%n: tensor<i64>) -> (tensor<?x3xf64>, tensor<?x3xf64>) {
  %h0 = tg.constant dense<1.0> : tensor<1x3xf64>
  %hs, %cs = tg.scan steps %n : tensor<i64> sequences(:) initial(%h0 : tensor<1x3xf64>) carried(:) non_sequences(:) {taps = [array<i64: -1>], truncate_gradient = -1 : i64} -> (tensor<?x3xf64>, tensor<?x3xf64>) {
  ^bb0(%h: tensor<3xf64>):
    %s = tg.sin %h : tensor<3xf64> -> tensor<3xf64>
    %c = tg.cos %h : tensor<3xf64> -> tensor<3xf64>
    tg.yield %s, %c : tensor<3xf64>, tensor<3xf64>
  }
  func.return %hs, %cs : tensor<?x3xf64>, tensor<?x3xf64>
}
