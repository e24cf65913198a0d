// RUN: tracegraph-opt %s -p canonicalize,dce --no-locations | filecheck %s

// FoldConstants: a pure op whose operands are all constants becomes a constant, computed by the
// reference interpreter (NaN results included); big results stay computed at run time.

// CHECK-LABEL: func.func @add_constants()
// CHECK-NEXT:    %c = tg.constant dense<[1.500000e+00, 2.250000e+00]> : tensor<2xf64>
// CHECK-NEXT:    func.return %c : tensor<2xf64>
func.func @add_constants() -> tensor<2xf64> {
  %a = tg.constant dense<[1.0, 2.0]> : tensor<2xf64>
  %b = tg.constant dense<[0.5, 0.25]> : tensor<2xf64>
  %c = tg.add %a, %b : (tensor<2xf64>, tensor<2xf64>) -> tensor<2xf64>
  func.return %c : tensor<2xf64>
}

// A chain folds from the leaves up.
// CHECK-LABEL: func.func @chain()
// CHECK-NEXT:    %n = tg.constant dense<-2.000000e+00> : tensor<f64>
// CHECK-NEXT:    func.return %n : tensor<f64>
func.func @chain() -> tensor<f64> {
  %a = tg.constant dense<4.0> : tensor<f64>
  %s = tg.sqrt %a : tensor<f64> -> tensor<f64>
  %n = tg.neg %s : tensor<f64> -> tensor<f64>
  func.return %n : tensor<f64>
}

// The result keeps the op's type (int8 * float32 -> float32).
// CHECK-LABEL: func.func @mixed_dtypes()
// CHECK-NEXT:    %c = tg.constant dense<4.500000e+00> : tensor<f32>
// CHECK-NEXT:    func.return %c : tensor<f32>
func.func @mixed_dtypes() -> tensor<f32> {
  %a = tg.constant dense<3> : tensor<i8>
  %b = tg.constant dense<1.5> : tensor<f32>
  %c = tg.mul %a, %b : (tensor<i8>, tensor<f32>) -> tensor<f32>
  func.return %c : tensor<f32>
}

// 0 / 0 folds to NaN, printed as raw bits so that it parses back exactly.
// CHECK-LABEL: func.func @nan()
// CHECK-NEXT:    %c = tg.constant dense<"0x000000000000F8FF"> : tensor<f64>
// CHECK-NEXT:    func.return %c : tensor<f64>
func.func @nan() -> tensor<f64> {
  %z = tg.constant dense<0.0> : tensor<f64>
  %c = tg.true_div %z, %z : (tensor<f64>, tensor<f64>) -> tensor<f64>
  func.return %c : tensor<f64>
}

// Negative: an operand is not a constant.
// CHECK-LABEL: func.func @not_all_constant(
// CHECK-NEXT:    %a = tg.constant dense<2.000000e+00> : tensor<f64>
// CHECK-NEXT:    %c = tg.add %x, %a : (tensor<f64>, tensor<f64>) -> tensor<f64>
// CHECK-NEXT:    func.return %c : tensor<f64>
func.func @not_all_constant(%x: tensor<f64>) -> tensor<f64> {
  %a = tg.constant dense<2.0> : tensor<f64>
  %c = tg.add %x, %a : (tensor<f64>, tensor<f64>) -> tensor<f64>
  func.return %c : tensor<f64>
}

// Negative: a result of more than 4096 elements is left to run time.
// CHECK-LABEL: func.func @too_large()
// CHECK-NEXT:    %a = tg.constant dense<1.000000e+00> : tensor<4097xf32>
// CHECK-NEXT:    %c = tg.exp %a : tensor<4097xf32> -> tensor<4097xf32>
// CHECK-NEXT:    func.return %c : tensor<4097xf32>
func.func @too_large() -> tensor<4097xf32> {
  %a = tg.constant dense<1.0> : tensor<4097xf32>
  %c = tg.exp %a : tensor<4097xf32> -> tensor<4097xf32>
  func.return %c : tensor<4097xf32>
}
