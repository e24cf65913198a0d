// RUN: tracegraph-opt %s -p canonicalize,dce --no-locations | filecheck %s

// SinkFillIntoElementwise: f(fill(x, v), y) -> f(v, y) when the other operands give the result
// its shape anyway.

// CHECK-LABEL: func.func @other_operand_has_shape(
// CHECK-NEXT:    %r = tg.sub %y, %v : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xf64>
// CHECK-NEXT:    func.return %r : tensor<?xf64>
func.func @other_operand_has_shape(%x: tensor<?xf64>, %v: tensor<1xf64>, %y: tensor<?xf64>) -> tensor<?xf64> {
  %f = tg.fill %x, %v : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xf64>
  %r = tg.sub %y, %f : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  func.return %r : tensor<?xf64>
}

// CHECK-LABEL: func.func @switch(
// CHECK-NEXT:    %r = tg.switch %c, %v, %y : (tensor<?xi1>, tensor<1xf64>, tensor<?xf64>) -> tensor<?xf64>
// CHECK-NEXT:    func.return %r : tensor<?xf64>
func.func @switch(%c: tensor<?xi1>, %x: tensor<?xf64>, %v: tensor<1xf64>, %y: tensor<?xf64>) -> tensor<?xf64> {
  %f = tg.fill %x, %v : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xf64>
  %r = tg.switch %c, %f, %y : (tensor<?xi1>, tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  func.return %r : tensor<?xf64>
}

// Negative: only the fill gives the sum its shape: the fill stays outside (moved there by
// SinkScalarOperandIntoFill).
// CHECK-LABEL: func.func @fill_gives_shape(
// CHECK-NEXT:    %[[S:.+]] = tg.add %v, %y : (tensor<1xf64>, tensor<1xf64>) -> tensor<1xf64>
// CHECK-NEXT:    %[[F:.+]] = tg.fill %x, %[[S]] : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xf64>
// CHECK-NEXT:    func.return %[[F]] : tensor<?xf64>
func.func @fill_gives_shape(%x: tensor<?xf64>, %v: tensor<1xf64>, %y: tensor<1xf64>) -> tensor<?xf64> {
  %f = tg.fill %x, %v : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xf64>
  %r = tg.add %f, %y : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xf64>
  func.return %r : tensor<?xf64>
}

// Negative: the fill converts int32 to float64.
// CHECK-LABEL: func.func @fill_casts(
// CHECK-NEXT:    %f = tg.fill %x, %v : (tensor<?xf64>, tensor<1xi32>) -> tensor<?xf64>
// CHECK-NEXT:    %r = tg.add %f, %y : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
// CHECK-NEXT:    func.return %r : tensor<?xf64>
func.func @fill_casts(%x: tensor<?xf64>, %v: tensor<1xi32>, %y: tensor<?xf64>) -> tensor<?xf64> {
  %f = tg.fill %x, %v : (tensor<?xf64>, tensor<1xi32>) -> tensor<?xf64>
  %r = tg.add %f, %y : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  func.return %r : tensor<?xf64>
}
