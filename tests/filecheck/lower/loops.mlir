// RUN: tracegraph-opt %s -p lower{target=c} --no-locations | filecheck %s

// A fused group is one loop: the dimshuffled input is read through a broadcasting view (-1 on
// the new axis; threads share the outer axis), the constant stays in the body, and the body's
// ops keep their tg form.

// CHECK-LABEL: func.func @fused_broadcast
// CHECK-NEXT:    %{{.*}} = tgk.loop %x, %y {views = [array<i64: 0, 1>, array<i64: -1, 0>], schedule = "nested", parallel, vectorize} : (tensor<?x?xf64>, tensor<?xf64>) -> tensor<?x?xf64> {
// CHECK-NEXT:    ^{{.*}}(%[[X:.*]]: tensor<?x?xf64>, %[[Y:.*]]: tensor<1x?xf64>):
// CHECK-NEXT:      %[[TWO:.*]] = tg.constant dense<2.000000e+00> : tensor<1x1xf64>
// CHECK-NEXT:      %[[E:.*]] = tg.exp %[[X]]
// CHECK-NEXT:      %[[M:.*]] = tg.mul %[[E]], %[[TWO]]
// CHECK-NEXT:      %[[A:.*]] = tg.add %[[M]], %[[Y]]
// CHECK-NEXT:      tgk.yield %[[A]] : tensor<?x?xf64>
// CHECK-NEXT:    }
// CHECK-NOT:     tg.dimshuffle
// CHECK-NOT:     tgk.view
func.func @fused_broadcast(%x: tensor<?x?xf64>, %y: tensor<?xf64>) -> tensor<?x?xf64> {
  %r = tg.fused %x, %y : (tensor<?x?xf64>, tensor<?xf64>) -> tensor<?x?xf64> {
  ^bb0(%a: tensor<?x?xf64>, %b: tensor<?xf64>):
    %two = tg.constant dense<2.0> : tensor<1x1xf64>
    %e = tg.exp %a : tensor<?x?xf64> -> tensor<?x?xf64>
    %m = tg.mul %e, %two : (tensor<?x?xf64>, tensor<1x1xf64>) -> tensor<?x?xf64>
    %bb = tg.dimshuffle %b {order = array<i64: -1, 0>} : tensor<?xf64> -> tensor<1x?xf64>
    %s = tg.add %m, %bb : (tensor<?x?xf64>, tensor<1x?xf64>) -> tensor<?x?xf64>
    tg.yield %s : tensor<?x?xf64>
  }
  func.return %r : tensor<?x?xf64>
}

// Same-shape inputs: flat where they are contiguous (checked at run time), on several
// threads above the C target's threshold.

// CHECK-LABEL: func.func @elementwise
// CHECK-NEXT:    tgk.loop %x, %y {views = [array<i64: 0, 1>, array<i64: 0, 1>], schedule = "flat_or_nested", parallel, vectorize}
// CHECK-NEXT:    ^{{.*}}(%[[X:.*]]: tensor<?x?xf64>, %[[Y:.*]]: tensor<?x?xf64>):
// CHECK-NEXT:      %[[Z:.*]] = tg.mul %[[X]], %[[Y]]
// CHECK-NEXT:      tgk.yield %[[Z]]
func.func @elementwise(%x: tensor<?x?xf64>, %y: tensor<?x?xf64>) -> tensor<?x?xf64> {
  %z = tg.mul %x, %y : (tensor<?x?xf64>, tensor<?x?xf64>) -> tensor<?x?xf64>
  func.return %z : tensor<?x?xf64>
}

// A small static domain stays on one thread; a 0-d one is a single element.

// CHECK-LABEL: func.func @small
// CHECK-NEXT:    tgk.loop %x {views = [array<i64: 0>], schedule = "flat_or_nested"} : (tensor<8xf32>) -> tensor<8xf32>
// CHECK:         tgk.loop %{{.*}} {views = [array<i64>], schedule = "single"} : (tensor<f32>) -> tensor<f32>
func.func @small(%x: tensor<8xf32>, %s: tensor<f32>) -> (tensor<8xf32>, tensor<f32>) {
  %y = tg.tanh %x : tensor<8xf32> -> tensor<8xf32>
  %t = tg.sqrt %s : tensor<f32> -> tensor<f32>
  func.return %y, %t : tensor<8xf32>, tensor<f32>
}

// A transposed read walks the axes in another order: a nest of loops over strides, whose outer
// axis threads share.

// CHECK-LABEL: func.func @transposed
// CHECK-NEXT:    tgk.loop %x, %x {views = [array<i64: 0, 1>, array<i64: 1, 0>], schedule = "nested", parallel, vectorize}
func.func @transposed(%x: tensor<?x?xf64>) -> tensor<?x?xf64> {
  %t = tg.dimshuffle %x {order = array<i64: 1, 0>} : tensor<?x?xf64> -> tensor<?x?xf64>
  %s = tg.add %x, %t : (tensor<?x?xf64>, tensor<?x?xf64>) -> tensor<?x?xf64>
  func.return %s : tensor<?x?xf64>
}
