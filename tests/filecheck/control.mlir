// RUN: tracegraph-opt %s -p canonicalize,cse,dce --no-locations | filecheck %s

// tg.scan and tg.ifelse print, parse and verify like every op; the passes run inside their
// bodies (h * 1 folds in a loop's step), and a body is isolated from above: cse does not
// replace a value of the step by an equal one computed outside.

// CHECK-LABEL: func.func @loop(
// CHECK:         %ys = tg.scan steps %n : tensor<i64> sequences(%xs : tensor<?x3xf64>) initial(%h0 : tensor<1x3xf64>) carried(:) non_sequences(%w : tensor<3x3xf64>) {taps = [array<i64: -1>], truncate_gradient = -1 : i64} -> (tensor<?x3xf64>) {
// CHECK-NEXT:    ^bb0(%x: tensor<3xf64>, %h: tensor<3xf64>, %w2: tensor<3x3xf64>):
// CHECK-NEXT:      %e = tg.exp %h : tensor<3xf64> -> tensor<3xf64>
// CHECK-NEXT:      %d = tg.dot %e, %w2 : (tensor<3xf64>, tensor<3x3xf64>) -> tensor<3xf64>
// CHECK-NEXT:      %s = tg.add %d, %x : (tensor<3xf64>, tensor<3xf64>) -> tensor<3xf64>
// CHECK-NEXT:      tg.yield %s : tensor<3xf64>
// CHECK-NEXT:    }
func.func @loop(%n: tensor<i64>, %xs: tensor<?x3xf64>, %h0: tensor<1x3xf64>, %w: tensor<3x3xf64>, %v: tensor<3xf64>) -> (tensor<?x3xf64>, tensor<3xf64>) {
  %outer = tg.exp %v : tensor<3xf64> -> tensor<3xf64>
  %ys = tg.scan steps %n : tensor<i64> sequences(%xs : tensor<?x3xf64>) initial(%h0 : tensor<1x3xf64>) carried(:) non_sequences(%w : tensor<3x3xf64>) {taps = [array<i64: -1>], truncate_gradient = -1 : i64} -> (tensor<?x3xf64>) {
  ^bb0(%x: tensor<3xf64>, %h: tensor<3xf64>, %w2: tensor<3x3xf64>):
    %one = tg.constant dense<1.0> : tensor<3xf64>
    %h1 = tg.mul %h, %one : (tensor<3xf64>, tensor<3xf64>) -> tensor<3xf64>
    %e = tg.exp %h1 : tensor<3xf64> -> tensor<3xf64>
    %d = tg.dot %e, %w2 : (tensor<3xf64>, tensor<3x3xf64>) -> tensor<3xf64>
    %s = tg.add %d, %x : (tensor<3xf64>, tensor<3xf64>) -> tensor<3xf64>
    tg.yield %s : tensor<3xf64>
  }
  func.return %ys, %outer : tensor<?x3xf64>, tensor<3xf64>
}

// CHECK-LABEL: func.func @branch(
// CHECK:         %r = tg.ifelse %c : tensor<i1> then(%a : tensor<?xf64>) {
// CHECK-NEXT:    ^bb0(%x: tensor<?xf64>):
// CHECK-NEXT:      %t = tg.tanh %x : tensor<?xf64> -> tensor<?xf64>
// CHECK-NEXT:      tg.yield %t : tensor<?xf64>
// CHECK-NEXT:    } else(%b : tensor<?xf64>) {
// CHECK-NEXT:    ^bb0(%y: tensor<?xf64>):
// CHECK-NEXT:      tg.yield %y : tensor<?xf64>
// CHECK-NEXT:    } -> (tensor<?xf64>)
func.func @branch(%c: tensor<i1>, %a: tensor<?xf64>, %b: tensor<?xf64>) -> tensor<?xf64> {
  %r = tg.ifelse %c : tensor<i1> then(%a : tensor<?xf64>) {
  ^bb0(%x: tensor<?xf64>):
    %t = tg.tanh %x : tensor<?xf64> -> tensor<?xf64>
    tg.yield %t : tensor<?xf64>
  } else(%b : tensor<?xf64>) {
  ^bb1(%y: tensor<?xf64>):
    %z = tg.neg %y : tensor<?xf64> -> tensor<?xf64>
    %zz = tg.neg %z : tensor<?xf64> -> tensor<?xf64>
    tg.yield %zz : tensor<?xf64>
  } -> (tensor<?xf64>)
  func.return %r : tensor<?xf64>
}
