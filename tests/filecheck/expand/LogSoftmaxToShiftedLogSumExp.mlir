// RUN: tracegraph-opt %s -p expand,dce --no-locations | filecheck %s

// LogSoftmaxToShiftedLogSumExp: log_softmax(x) -> s - log(sum(exp(s))) with s = x - m,
// m = max(x) along the axis (0 where infinite), the operations of the reference kernel.

// CHECK-LABEL: func.func @log_softmax(
// CHECK-NEXT:    %[[M:.+]] = tg.max %x {axes = array<i64: 0>, keepdims = true} : tensor<3x?xf32> -> tensor<1x?xf32>
// CHECK:         %[[F:.+]] = tg.switch %{{.+}}, %{{.+}}, %[[M]] : (tensor<1x?xi1>, tensor<1x1xf32>, tensor<1x?xf32>) -> tensor<1x?xf32>
// CHECK-NEXT:    %[[D:.+]] = tg.sub %x, %[[F]] : (tensor<3x?xf32>, tensor<1x?xf32>) -> tensor<3x?xf32>
// CHECK-NEXT:    %[[E:.+]] = tg.exp %[[D]]
// CHECK-NEXT:    %[[S:.+]] = tg.sum %[[E]] {axes = array<i64: 0>, keepdims = true} : tensor<3x?xf32> -> tensor<1x?xf32>
// CHECK-NEXT:    %[[L:.+]] = tg.log %[[S]]
// CHECK-NEXT:    %[[R:.+]] = tg.sub %[[D]], %[[L]] : (tensor<3x?xf32>, tensor<1x?xf32>) -> tensor<3x?xf32>
// CHECK-NEXT:    func.return %[[R]]
func.func @log_softmax(%x: tensor<3x?xf32>) -> tensor<3x?xf32> {
  %r = tg.log_softmax %x {axis = 0 : i64} : tensor<3x?xf32> -> tensor<3x?xf32>
  func.return %r : tensor<3x?xf32>
}
