// RUN: tracegraph-opt %s -p canonicalize,dce --no-locations | filecheck %s

// FoldFillOfSameShape: fill(x, v) -> v when v already has the result's type (the rewrite drops
// the run-time check that x and v have the same shape, as Theano's did).

// CHECK-LABEL: func.func @same_type(
// CHECK-NEXT:    func.return %v : tensor<?x3xf64>
func.func @same_type(%x: tensor<?x3xf32>, %v: tensor<?x3xf64>) -> tensor<?x3xf64> {
  %f = tg.fill %x, %v : (tensor<?x3xf32>, tensor<?x3xf64>) -> tensor<?x3xf64>
  func.return %f : tensor<?x3xf64>
}

// Negative: the value does not have the result's shape yet (it broadcasts to x's).
// CHECK-LABEL: func.func @value_broadcasts(
// CHECK-NEXT:    %f = tg.fill %x, %v : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xf64>
// CHECK-NEXT:    func.return %f : tensor<?xf64>
func.func @value_broadcasts(%x: tensor<?xf64>, %v: tensor<1xf64>) -> tensor<?xf64> {
  %f = tg.fill %x, %v : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xf64>
  func.return %f : tensor<?xf64>
}

// Negative: one axis of the value broadcasts.
// CHECK-LABEL: func.func @model_gives_one_axis(
// CHECK-NEXT:    %f = tg.fill %x, %v : (tensor<4x?xf64>, tensor<1x?xf64>) -> tensor<4x?xf64>
// CHECK-NEXT:    func.return %f : tensor<4x?xf64>
func.func @model_gives_one_axis(%x: tensor<4x?xf64>, %v: tensor<1x?xf64>) -> tensor<4x?xf64> {
  %f = tg.fill %x, %v : (tensor<4x?xf64>, tensor<1x?xf64>) -> tensor<4x?xf64>
  func.return %f : tensor<4x?xf64>
}

// Negative: the fill converts the value's dtype.
// CHECK-LABEL: func.func @dtype_differs(
// CHECK-NEXT:    %f = tg.fill %x, %v : (tensor<?xf64>, tensor<?xi32>) -> tensor<?xf64>
// CHECK-NEXT:    func.return %f : tensor<?xf64>
func.func @dtype_differs(%x: tensor<?xf64>, %v: tensor<?xi32>) -> tensor<?xf64> {
  %f = tg.fill %x, %v : (tensor<?xf64>, tensor<?xi32>) -> tensor<?xf64>
  func.return %f : tensor<?xf64>
}
