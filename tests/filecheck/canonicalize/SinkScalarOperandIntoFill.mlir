// RUN: tracegraph-opt %s -p canonicalize,dce --no-locations | filecheck %s

// SinkScalarOperandIntoFill: fill(x, v) * s -> fill(x, v * s) for any binary elementwise op and
// an operand s of static size 1 on every axis.

// CHECK-LABEL: func.func @mul_scalar(
// CHECK-NEXT:    %[[M:.+]] = tg.mul %v, %s : (tensor<1xf64>, tensor<1xf64>) -> tensor<1xf64>
// CHECK-NEXT:    %[[F:.+]] = tg.fill %x, %[[M]] : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xf64>
// CHECK-NEXT:    func.return %[[F]] : tensor<?xf64>
func.func @mul_scalar(%x: tensor<?xf64>, %v: tensor<1xf64>, %s: tensor<1xf64>) -> tensor<?xf64> {
  %f = tg.fill %x, %v : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xf64>
  %r = tg.mul %f, %s : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xf64>
  func.return %r : tensor<?xf64>
}

// The operands keep their order.
// CHECK-LABEL: func.func @scalar_minus_fill(
// CHECK-NEXT:    %[[D:.+]] = tg.sub %s, %v : (tensor<1xf64>, tensor<1xf64>) -> tensor<1xf64>
// CHECK-NEXT:    %[[F:.+]] = tg.fill %x, %[[D]] : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xf64>
// CHECK-NEXT:    func.return %[[F]] : tensor<?xf64>
func.func @scalar_minus_fill(%x: tensor<?xf64>, %v: tensor<1xf64>, %s: tensor<1xf64>) -> tensor<?xf64> {
  %f = tg.fill %x, %v : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xf64>
  %r = tg.sub %s, %f : (tensor<1xf64>, tensor<?xf64>) -> tensor<?xf64>
  func.return %r : tensor<?xf64>
}

// With constants, the inner op folds (the form gradients take: fill(cost, 1.0) / 2.0).
// CHECK-LABEL: func.func @constants_fold(
// CHECK-NEXT:    %[[C:.+]] = tg.constant dense<5.000000e-01> : tensor<1xf64>
// CHECK-NEXT:    %[[F:.+]] = tg.fill %x, %[[C]] : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xf64>
// CHECK-NEXT:    func.return %[[F]] : tensor<?xf64>
func.func @constants_fold(%x: tensor<?xf64>) -> tensor<?xf64> {
  %one = tg.constant dense<[1.0]> : tensor<1xf64>
  %two = tg.constant dense<[2.0]> : tensor<1xf64>
  %f = tg.fill %x, %one : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xf64>
  %r = tg.true_div %f, %two : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xf64>
  func.return %r : tensor<?xf64>
}

// Negative: y is not of size 1 (and neither operand alone gives the result its shape).
// CHECK-LABEL: func.func @not_scalar(
// CHECK-NEXT:    %f = tg.fill %x, %v : (tensor<?x1xf64>, tensor<1x1xf64>) -> tensor<?x1xf64>
// CHECK-NEXT:    %r = tg.maximum %f, %y : (tensor<?x1xf64>, tensor<1x?xf64>) -> tensor<?x?xf64>
// CHECK-NEXT:    func.return %r : tensor<?x?xf64>
func.func @not_scalar(%x: tensor<?x1xf64>, %v: tensor<1x1xf64>, %y: tensor<1x?xf64>) -> tensor<?x?xf64> {
  %f = tg.fill %x, %v : (tensor<?x1xf64>, tensor<1x1xf64>) -> tensor<?x1xf64>
  %r = tg.maximum %f, %y : (tensor<?x1xf64>, tensor<1x?xf64>) -> tensor<?x?xf64>
  func.return %r : tensor<?x?xf64>
}

// Negative: the outer op is itself a fill (of the model's shape).
// CHECK-LABEL: func.func @fill_of_fill(
// CHECK-NEXT:    %f = tg.fill %x, %v : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xf64>
// CHECK-NEXT:    %r = tg.fill %f, %s : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xf64>
// CHECK-NEXT:    func.return %r : tensor<?xf64>
func.func @fill_of_fill(%x: tensor<?xf64>, %v: tensor<1xf64>, %s: tensor<1xf64>) -> tensor<?xf64> {
  %f = tg.fill %x, %v : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xf64>
  %r = tg.fill %f, %s : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xf64>
  func.return %r : tensor<?xf64>
}
