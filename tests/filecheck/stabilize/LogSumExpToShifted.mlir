// RUN: tracegraph-opt %s -p stabilize,dce --no-locations | filecheck %s

// LogSumExpToShifted: log(sum(exp(u))) -> m + log(sum(exp(u - m))), m = max(u) over the summed
// axes, replaced by 0 where infinite (a row of -inf still gives -inf): the sum overflows for u
// above 709.

// CHECK-LABEL: func.func @rows(
// CHECK-NEXT:    %[[M:.+]] = tg.max %u {axes = array<i64: 1>, keepdims = true} : tensor<?x?xf64> -> tensor<?x1xf64>
// CHECK-NEXT:    %[[A:.+]] = tg.abs %[[M]]
// CHECK-NEXT:    %[[INF:.+]] = tg.constant dense<"0x000000000000F07F"> : tensor<1x1xf64>
// CHECK-NEXT:    %[[I:.+]] = tg.eq %[[A]], %[[INF]]
// CHECK-NEXT:    %[[Z:.+]] = tg.constant dense<0.000000e+00> : tensor<1x1xf64>
// CHECK-NEXT:    %[[F:.+]] = tg.switch %[[I]], %[[Z]], %[[M]]
// CHECK-NEXT:    %[[FS:.+]] = tg.dimshuffle %[[F]] {order = array<i64: 0>} : tensor<?x1xf64> -> tensor<?xf64>
// CHECK-NEXT:    %[[D:.+]] = tg.sub %u, %[[F]]
// CHECK-NEXT:    %[[E:.+]] = tg.exp %[[D]]
// CHECK-NEXT:    %[[S:.+]] = tg.sum %[[E]] {axes = array<i64: 1>, keepdims = false}
// CHECK-NEXT:    %[[L:.+]] = tg.log %[[S]]
// CHECK-NEXT:    %[[R:.+]] = tg.add %[[L]], %[[FS]] : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
// CHECK-NEXT:    func.return %[[R]]
func.func @rows(%u: tensor<?x?xf64>) -> tensor<?xf64> {
  %e = tg.exp %u : tensor<?x?xf64> -> tensor<?x?xf64>
  %s = tg.sum %e {axes = array<i64: 1>, keepdims = false} : tensor<?x?xf64> -> tensor<?xf64>
  %r = tg.log %s : tensor<?xf64> -> tensor<?xf64>
  func.return %r : tensor<?xf64>
}

// Several axes, keepdims, float32.
// CHECK-LABEL: func.func @keepdims(
// CHECK-NEXT:    %[[M:.+]] = tg.max %u {axes = array<i64: 0, 1>, keepdims = true} : tensor<?x?xf32> -> tensor<1x1xf32>
// CHECK:         %[[F:.+]] = tg.switch
// CHECK-NEXT:    %[[D:.+]] = tg.sub %u, %[[F]]
// CHECK:         %[[L:.+]] = tg.log
// CHECK-NEXT:    %[[R:.+]] = tg.add %[[L]], %[[F]] : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
// CHECK-NEXT:    func.return %[[R]]
func.func @keepdims(%u: tensor<?x?xf32>) -> tensor<1x1xf32> {
  %e = tg.exp %u : tensor<?x?xf32> -> tensor<?x?xf32>
  %s = tg.sum %e {axes = array<i64: 0, 1>, keepdims = true} : tensor<?x?xf32> -> tensor<1x1xf32>
  %r = tg.log %s : tensor<1x1xf32> -> tensor<1x1xf32>
  func.return %r : tensor<1x1xf32>
}

// Negative: the argument is already shifted by its maximum (exp cannot overflow).
// CHECK-LABEL: func.func @already_shifted(
// CHECK-COUNT-1: tg.max
// CHECK:         %r = tg.log %s
func.func @already_shifted(%x: tensor<?xf64>) -> tensor<f64> {
  %m = tg.max %x {axes = array<i64: 0>, keepdims = true} : tensor<?xf64> -> tensor<1xf64>
  %u = tg.sub %x, %m : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xf64>
  %e = tg.exp %u : tensor<?xf64> -> tensor<?xf64>
  %s = tg.sum %e {axes = array<i64: 0>, keepdims = false} : tensor<?xf64> -> tensor<f64>
  %r = tg.log %s : tensor<f64> -> tensor<f64>
  func.return %r : tensor<f64>
}
