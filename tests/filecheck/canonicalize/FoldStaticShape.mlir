// RUN: tracegraph-opt %s -p canonicalize,dce --no-locations | filecheck %s

// FoldStaticShape: shape(x) -> [n, m, ...] when every size of x is static.

// CHECK-LABEL: func.func @static(
// CHECK-NEXT:    %s = tg.constant dense<[2, 3]> : tensor<2xi64>
// CHECK-NEXT:    func.return %s : tensor<2xi64>
func.func @static(%x: tensor<2x3xf64>) -> tensor<2xi64> {
  %s = tg.shape %x : tensor<2x3xf64> -> tensor<2xi64>
  func.return %s : tensor<2xi64>
}

// CHECK-LABEL: func.func @scalar(
// CHECK-NEXT:    %s = tg.constant dense<> : tensor<0xi64>
// CHECK-NEXT:    func.return %s : tensor<0xi64>
func.func @scalar(%x: tensor<f32>) -> tensor<0xi64> {
  %s = tg.shape %x : tensor<f32> -> tensor<0xi64>
  func.return %s : tensor<0xi64>
}

// Negative: one size is only known at run time.
// CHECK-LABEL: func.func @dynamic(
// CHECK-NEXT:    %s = tg.shape %x : tensor<?x3xf64> -> tensor<2xi64>
// CHECK-NEXT:    func.return %s : tensor<2xi64>
func.func @dynamic(%x: tensor<?x3xf64>) -> tensor<2xi64> {
  %s = tg.shape %x : tensor<?x3xf64> -> tensor<2xi64>
  func.return %s : tensor<2xi64>
}
