// RUN: tracegraph-opt %s -p expand,dce --no-locations | filecheck %s

// SoftmaxToExpOverSum: softmax(x) -> e / sum(e) with e = exp(x - m), m = max(x) along the axis
// (0 where infinite), the operations of the reference kernel, for fusion to turn into loops.

// CHECK-LABEL: func.func @softmax(
// CHECK-NEXT:    %[[M:.+]] = tg.max %x {axes = array<i64: 1>, keepdims = true} : tensor<?x?xf64> -> tensor<?x1xf64>
// CHECK-NEXT:    %[[A:.+]] = tg.abs %[[M]]
// CHECK-NEXT:    %[[INF:.+]] = tg.constant dense<"0x000000000000F07F"> : tensor<1x1xf64>
// CHECK-NEXT:    %[[I:.+]] = tg.eq %[[A]], %[[INF]]
// CHECK-NEXT:    %[[Z:.+]] = tg.constant dense<0.000000e+00> : tensor<1x1xf64>
// CHECK-NEXT:    %[[F:.+]] = tg.switch %[[I]], %[[Z]], %[[M]]
// CHECK-NEXT:    %[[D:.+]] = tg.sub %x, %[[F]] : (tensor<?x?xf64>, tensor<?x1xf64>) -> tensor<?x?xf64>
// CHECK-NEXT:    %[[E:.+]] = tg.exp %[[D]]
// CHECK-NEXT:    %[[S:.+]] = tg.sum %[[E]] {axes = array<i64: 1>, keepdims = true} : tensor<?x?xf64> -> tensor<?x1xf64>
// CHECK-NEXT:    %[[R:.+]] = tg.true_div %[[E]], %[[S]] : (tensor<?x?xf64>, tensor<?x1xf64>) -> tensor<?x?xf64>
// CHECK-NEXT:    func.return %[[R]]
func.func @softmax(%x: tensor<?x?xf64>) -> tensor<?x?xf64> {
  %r = tg.softmax %x {axis = 1 : i64} : tensor<?x?xf64> -> tensor<?x?xf64>
  func.return %r : tensor<?x?xf64>
}
