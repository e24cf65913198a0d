// RUN: tracegraph-opt %s -p fuse,dce --no-locations | filecheck %s

// fuse: elementwise ops on one loop domain become one tg.fused op; single-element constants
// are copied into the body; the group's root gives the first result.

// CHECK-LABEL: func.func @chain(
// CHECK-NEXT:    %[[F:.+]] = tg.fused %x, %y : (tensor<?x?xf64>, tensor<?x?xf64>) -> tensor<?x?xf64> {
// CHECK-NEXT:    ^{{.*}}(%[[X:.+]]: tensor<?x?xf64>, %[[Y:.+]]: tensor<?x?xf64>):
// CHECK-NEXT:      %[[H:.+]] = tg.constant dense<5.000000e-01> : tensor<1x1xf64>
// CHECK-NEXT:      %[[T:.+]] = tg.tanh %[[X]]
// CHECK-NEXT:      %[[M:.+]] = tg.mul %[[T]], %[[Y]]
// CHECK-NEXT:      %[[E:.+]] = tg.exp %[[X]]
// CHECK-NEXT:      %[[S:.+]] = tg.mul %[[E]], %[[H]]
// CHECK-NEXT:      %[[A:.+]] = tg.add %[[M]], %[[S]]
// CHECK-NEXT:      tg.yield %[[A]] : tensor<?x?xf64>
// CHECK-NEXT:    }
// CHECK-NEXT:    func.return %[[F]] : tensor<?x?xf64>
func.func @chain(%x: tensor<?x?xf64>, %y: tensor<?x?xf64>) -> tensor<?x?xf64> {
  %half = tg.constant dense<0.5> : tensor<1x1xf64>
  %t = tg.tanh %x : tensor<?x?xf64> -> tensor<?x?xf64>
  %m = tg.mul %t, %y : (tensor<?x?xf64>, tensor<?x?xf64>) -> tensor<?x?xf64>
  %e = tg.exp %x : tensor<?x?xf64> -> tensor<?x?xf64>
  %s = tg.mul %e, %half : (tensor<?x?xf64>, tensor<1x1xf64>) -> tensor<?x?xf64>
  %a = tg.add %m, %s : (tensor<?x?xf64>, tensor<?x?xf64>) -> tensor<?x?xf64>
  func.return %a : tensor<?x?xf64>
}

// A reduction joins the group of the value it reduces; a dimshuffle joins at the edge (its
// operand stays an input, seen through it).
// CHECK-LABEL: func.func @sum_of_exp(
// CHECK-NEXT:    %[[F:.+]] = tg.fused %row, %x : (tensor<?xf64>, tensor<?x?xf64>) -> tensor<?xf64> {
// CHECK-NEXT:    ^{{.*}}(%[[R:.+]]: tensor<?xf64>, %[[X:.+]]: tensor<?x?xf64>):
// CHECK-NEXT:      %[[D:.+]] = tg.dimshuffle %[[R]] {order = array<i64: -1, 0>}
// CHECK-NEXT:      %[[E:.+]] = tg.exp %[[X]]
// CHECK-NEXT:      %[[A:.+]] = tg.add %[[E]], %[[D]]
// CHECK-NEXT:      %[[S:.+]] = tg.sum %[[A]] {axes = array<i64: 1>, keepdims = false}
// CHECK-NEXT:      tg.yield %[[S]] : tensor<?xf64>
// CHECK-NEXT:    }
// CHECK-NEXT:    func.return %[[F]] : tensor<?xf64>
func.func @sum_of_exp(%x: tensor<?x?xf64>, %row: tensor<?xf64>) -> tensor<?xf64> {
  %d = tg.dimshuffle %row {order = array<i64: -1, 0>} : tensor<?xf64> -> tensor<1x?xf64>
  %e = tg.exp %x : tensor<?x?xf64> -> tensor<?x?xf64>
  %a = tg.add %e, %d : (tensor<?x?xf64>, tensor<1x?xf64>) -> tensor<?x?xf64>
  %s = tg.sum %a {axes = array<i64: 1>, keepdims = false} : tensor<?x?xf64> -> tensor<?xf64>
  func.return %s : tensor<?xf64>
}

// A value also used after the root joins the group and becomes one more result of the fused
// op (computed in the same loop, not by a kernel of its own); the fused op stands where the
// root stood, before every use.
// CHECK-LABEL: func.func @shared_value(
// CHECK-NEXT:    %[[R:.+]], %[[E:.+]] = tg.fused %x : (tensor<?xf64>) -> (tensor<?xf64>, tensor<?xf64>) {
// CHECK-NEXT:    ^{{.*}}(%[[X:.+]]: tensor<?xf64>):
// CHECK-NEXT:      %[[EI:.+]] = tg.exp %[[X]]
// CHECK-NEXT:      %[[L:.+]] = tg.log %[[EI]]
// CHECK-NEXT:      %[[S:.+]] = tg.sqrt %[[L]]
// CHECK-NEXT:      tg.yield %[[S]], %[[EI]] : tensor<?xf64>, tensor<?xf64>
// CHECK-NEXT:    }
// CHECK-NEXT:    func.return %[[E]], %[[R]] : tensor<?xf64>, tensor<?xf64>
func.func @shared_value(%x: tensor<?xf64>) -> (tensor<?xf64>, tensor<?xf64>) {
  %e = tg.exp %x : tensor<?xf64> -> tensor<?xf64>
  %l = tg.log %e : tensor<?xf64> -> tensor<?xf64>
  %r = tg.sqrt %l : tensor<?xf64> -> tensor<?xf64>
  func.return %e, %r : tensor<?xf64>, tensor<?xf64>
}

// Negative: a value used before the root, by an op outside the group, stays out (the group
// would need that op's result and the op the group's: a cycle), and ops on another domain
// (a broadcast row) are another group.
// CHECK-LABEL: func.func @used_before_the_root(
// CHECK-NEXT:    %e = tg.exp %x : tensor<?xf64> -> tensor<?xf64>
// CHECK-NEXT:    %s = tg.sum %e
// CHECK-NEXT:    %[[F:.+]] = tg.fused %s, %e : (tensor<f64>, tensor<?xf64>) -> tensor<?xf64> {
// CHECK:           tg.dimshuffle
// CHECK:           tg.add
// CHECK:         }
// CHECK-NEXT:    func.return %[[F]] : tensor<?xf64>
func.func @used_before_the_root(%x: tensor<?xf64>) -> tensor<?xf64> {
  %e = tg.exp %x : tensor<?xf64> -> tensor<?xf64>
  %s = tg.sum %e {axes = array<i64: 0>, keepdims = false} : tensor<?xf64> -> tensor<f64>
  %d = tg.dimshuffle %s {order = array<i64: -1>} : tensor<f64> -> tensor<1xf64>
  %a = tg.add %e, %d : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xf64>
  func.return %a : tensor<?xf64>
}

// A reduction that keeps the outer axis (row maxima, row sums) also computes the values it
// reads that are used after it: the softmax's shifted exponentials are one loop with their
// row sums, which yields both.
// CHECK-LABEL: func.func @row_sum_and_its_values(
// CHECK-NEXT:    %s, %e = tg.fused %m, %x : (tensor<?xf64>, tensor<?x?xf64>) -> (tensor<?xf64>, tensor<?x?xf64>) {
// CHECK:           tg.sub
// CHECK-NEXT:      %[[E:.+]] = tg.exp
// CHECK-NEXT:      %[[S:.+]] = tg.sum %[[E]] {axes = array<i64: 1>, keepdims = false}
// CHECK-NEXT:      tg.yield %[[S]], %[[E]]
// CHECK:         %q = tg.fused %s, %e
// CHECK:           tg.true_div
func.func @row_sum_and_its_values(%x: tensor<?x?xf64>, %m: tensor<?xf64>) -> tensor<?x?xf64> {
  %mc = tg.dimshuffle %m {order = array<i64: 0, -1>} : tensor<?xf64> -> tensor<?x1xf64>
  %d = tg.sub %x, %mc : (tensor<?x?xf64>, tensor<?x1xf64>) -> tensor<?x?xf64>
  %e = tg.exp %d : tensor<?x?xf64> -> tensor<?x?xf64>
  %s = tg.sum %e {axes = array<i64: 1>, keepdims = false} : tensor<?x?xf64> -> tensor<?xf64>
  %sc = tg.dimshuffle %s {order = array<i64: 0, -1>} : tensor<?xf64> -> tensor<?x1xf64>
  %q = tg.true_div %e, %sc : (tensor<?x?xf64>, tensor<?x1xf64>) -> tensor<?x?xf64>
  func.return %q : tensor<?x?xf64>
}

// Negative: a reduction of the outer axis (here the only one) runs on one thread, so its group
// has one result; an elementwise value it reads that is also used elsewhere is computed by its
// own group, on the threads of its own loop.
// CHECK-LABEL: func.func @reduction_root(
// CHECK-NEXT:    %[[E:.+]] = tg.fused %x : (tensor<?xf64>) -> tensor<?xf64> {
// CHECK:           tg.exp
// CHECK:           tg.neg
// CHECK:         }
// CHECK-NEXT:    %s = tg.sum %[[E]]
// CHECK-NEXT:    func.return %[[E]], %s
func.func @reduction_root(%x: tensor<?xf64>) -> (tensor<?xf64>, tensor<f64>) {
  %e = tg.exp %x : tensor<?xf64> -> tensor<?xf64>
  %n = tg.neg %e : tensor<?xf64> -> tensor<?xf64>
  %s = tg.sum %n {axes = array<i64: 0>, keepdims = false} : tensor<?xf64> -> tensor<f64>
  func.return %n, %s : tensor<?xf64>, tensor<f64>
}

// Negative: a single op is no group.
// CHECK-LABEL: func.func @single(
// CHECK-NEXT:    %y = tg.exp %x : tensor<?xf64> -> tensor<?xf64>
// CHECK-NEXT:    func.return %y : tensor<?xf64>
func.func @single(%x: tensor<?xf64>) -> tensor<?xf64> {
  %y = tg.exp %x : tensor<?xf64> -> tensor<?xf64>
  func.return %y : tensor<?xf64>
}
