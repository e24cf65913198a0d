// RUN: tracegraph-opt %s -p canonicalize,dce --no-locations | filecheck %s

// FoldReshapeOfReshape: reshape(reshape(x, s1), s2) -> reshape(x, s2), also when the inner op
// is a flatten.

// CHECK-LABEL: func.func @reshape_reshape(
// CHECK-NEXT:    %s2 = tg.constant dense<[3, 4]> : tensor<2xi64>
// CHECK-NEXT:    %b = tg.reshape %x, %s2 : (tensor<2x6xf64>, tensor<2xi64>) -> tensor<3x4xf64>
// CHECK-NEXT:    func.return %b : tensor<3x4xf64>
func.func @reshape_reshape(%x: tensor<2x6xf64>) -> tensor<3x4xf64> {
  %s1 = tg.constant dense<[12]> : tensor<1xi64>
  %s2 = tg.constant dense<[3, 4]> : tensor<2xi64>
  %a = tg.reshape %x, %s1 : (tensor<2x6xf64>, tensor<1xi64>) -> tensor<12xf64>
  %b = tg.reshape %a, %s2 : (tensor<12xf64>, tensor<2xi64>) -> tensor<3x4xf64>
  func.return %b : tensor<3x4xf64>
}

// CHECK-LABEL: func.func @flatten_reshape(
// CHECK-NEXT:    %b = tg.reshape %x, %s : (tensor<?x?x?xf32>, tensor<2xi64>) -> tensor<?x?xf32>
// CHECK-NEXT:    func.return %b : tensor<?x?xf32>
func.func @flatten_reshape(%x: tensor<?x?x?xf32>, %s: tensor<2xi64>) -> tensor<?x?xf32> {
  %a = tg.flatten %x : tensor<?x?x?xf32> -> tensor<?xf32>
  %b = tg.reshape %a, %s : (tensor<?xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  func.return %b : tensor<?x?xf32>
}

// Negative: the outer op is a flatten.
// CHECK-LABEL: func.func @reshape_flatten(
// CHECK-NEXT:    %a = tg.reshape %x, %s : (tensor<?x?xf32>, tensor<3xi64>) -> tensor<?x?x?xf32>
// CHECK-NEXT:    %b = tg.flatten %a : tensor<?x?x?xf32> -> tensor<?xf32>
// CHECK-NEXT:    func.return %b : tensor<?xf32>
func.func @reshape_flatten(%x: tensor<?x?xf32>, %s: tensor<3xi64>) -> tensor<?xf32> {
  %a = tg.reshape %x, %s : (tensor<?x?xf32>, tensor<3xi64>) -> tensor<?x?x?xf32>
  %b = tg.flatten %a : tensor<?x?x?xf32> -> tensor<?xf32>
  func.return %b : tensor<?xf32>
}

// The inner reshape stays for its other use; the outer one reads x directly.
// CHECK-LABEL: func.func @inner_is_a_result(
// CHECK-NEXT:    %a = tg.reshape %x, %s1 : (tensor<?x?xf32>, tensor<1xi64>) -> tensor<?xf32>
// CHECK-NEXT:    %b = tg.reshape %x, %s2 : (tensor<?x?xf32>, tensor<2xi64>) -> tensor<?x?xf32>
// CHECK-NEXT:    func.return %a, %b : tensor<?xf32>, tensor<?x?xf32>
func.func @inner_is_a_result(%x: tensor<?x?xf32>, %s1: tensor<1xi64>, %s2: tensor<2xi64>) -> (tensor<?xf32>, tensor<?x?xf32>) {
  %a = tg.reshape %x, %s1 : (tensor<?x?xf32>, tensor<1xi64>) -> tensor<?xf32>
  %b = tg.reshape %a, %s2 : (tensor<?xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  func.return %a, %b : tensor<?xf32>, tensor<?x?xf32>
}
