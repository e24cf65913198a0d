// RUN: tracegraph-opt %s -p canonicalize,dce --no-locations | filecheck %s

// FoldFillOfConstant: fill(x, c) -> c broadcast to the result's shape, a constant, when that
// shape is static (the model x only gives the shape).

// CHECK-LABEL: func.func @static(
// CHECK-NEXT:    %f = tg.constant dense<1.500000e+00> : tensor<2x3xf32>
// CHECK-NEXT:    func.return %f : tensor<2x3xf32>
func.func @static(%x: tensor<2x3xf64>) -> tensor<2x3xf32> {
  %c = tg.constant dense<[[1.5]]> : tensor<1x1xf32>
  %f = tg.fill %x, %c : (tensor<2x3xf64>, tensor<1x1xf32>) -> tensor<2x3xf32>
  func.return %f : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @row(
// CHECK-NEXT:    %f = tg.constant dense<{{\[\[}}1, 2], [1, 2]]> : tensor<2x2xi32>
// CHECK-NEXT:    func.return %f : tensor<2x2xi32>
func.func @row(%x: tensor<2x1xf64>) -> tensor<2x2xi32> {
  %c = tg.constant dense<[[1, 2]]> : tensor<1x2xi32>
  %f = tg.fill %x, %c : (tensor<2x1xf64>, tensor<1x2xi32>) -> tensor<2x2xi32>
  func.return %f : tensor<2x2xi32>
}

// Negative: the shape is only known at run time.
// CHECK-LABEL: func.func @dynamic(
// CHECK-NEXT:    %c = tg.constant dense<0.000000e+00> : tensor<1xf64>
// CHECK-NEXT:    %f = tg.fill %x, %c : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xf64>
// CHECK-NEXT:    func.return %f : tensor<?xf64>
func.func @dynamic(%x: tensor<?xf64>) -> tensor<?xf64> {
  %c = tg.constant dense<[0.0]> : tensor<1xf64>
  %f = tg.fill %x, %c : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xf64>
  func.return %f : tensor<?xf64>
}

// Negative: more than 4096 elements stay a fill.
// CHECK-LABEL: func.func @too_large(
// CHECK:         %f = tg.fill %x, %c : (tensor<4097xf64>, tensor<1xf64>) -> tensor<4097xf64>
// CHECK-NEXT:    func.return %f : tensor<4097xf64>
func.func @too_large(%x: tensor<4097xf64>) -> tensor<4097xf64> {
  %c = tg.constant dense<[0.0]> : tensor<1xf64>
  %f = tg.fill %x, %c : (tensor<4097xf64>, tensor<1xf64>) -> tensor<4097xf64>
  func.return %f : tensor<4097xf64>
}

// Negative: the value is not a constant.
// CHECK-LABEL: func.func @not_constant(
// CHECK-NEXT:    %f = tg.fill %x, %v : (tensor<3xf64>, tensor<1xf64>) -> tensor<3xf64>
// CHECK-NEXT:    func.return %f : tensor<3xf64>
func.func @not_constant(%x: tensor<3xf64>, %v: tensor<1xf64>) -> tensor<3xf64> {
  %f = tg.fill %x, %v : (tensor<3xf64>, tensor<1xf64>) -> tensor<3xf64>
  func.return %f : tensor<3xf64>
}
