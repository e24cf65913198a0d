// RUN: tracegraph-opt %s -p canonicalize,dce --no-locations | filecheck %s

// DropGradientBarrier: disconnected_grad(x) -> x, zero_grad(x) -> x, grad_clip(x) -> x (once
// gradients are taken, a barrier is the identity).

// CHECK-LABEL: func.func @barriers(
// CHECK-NEXT:    %s = tg.add %x, %x : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
// CHECK-NEXT:    %t = tg.add %s, %x : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
// CHECK-NEXT:    func.return %t : tensor<?xf64>
func.func @barriers(%x: tensor<?xf64>) -> tensor<?xf64> {
  %a = tg.disconnected_grad %x : tensor<?xf64> -> tensor<?xf64>
  %b = tg.zero_grad %x : tensor<?xf64> -> tensor<?xf64>
  %c = tg.grad_clip %x {lower = -1.0 : f64, upper = 1.0 : f64} : tensor<?xf64> -> tensor<?xf64>
  %s = tg.add %a, %b : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  %t = tg.add %s, %c : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  func.return %t : tensor<?xf64>
}

// A barrier of a constant folds, as any pure op of constants (FoldConstants).
// CHECK-LABEL: func.func @of_a_constant(
// CHECK-NEXT:    %z = tg.constant dense<2.000000e+00> : tensor<f64>
// CHECK-NEXT:    func.return %z : tensor<f64>
func.func @of_a_constant() -> tensor<f64> {
  %c = tg.constant dense<2.0> : tensor<f64>
  %z = tg.zero_grad %c : tensor<f64> -> tensor<f64>
  func.return %z : tensor<f64>
}
