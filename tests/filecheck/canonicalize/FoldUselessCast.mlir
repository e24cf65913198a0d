// RUN: tracegraph-opt %s -p canonicalize,dce --no-locations | filecheck %s

// FoldUselessCast: cast(x) -> x to x's own type, and cast(cast(x, wide), t) -> cast(x, t) when
// wide holds every value of x's dtype exactly.

// CHECK-LABEL: func.func @same_type(
// CHECK-NEXT:    func.return %x : tensor<?xf32>
func.func @same_type(%x: tensor<?xf32>) -> tensor<?xf32> {
  %c = tg.cast %x : tensor<?xf32> -> tensor<?xf32>
  func.return %c : tensor<?xf32>
}

// CHECK-LABEL: func.func @through_wider(
// CHECK-NEXT:    %b = tg.cast %x : tensor<?xi16> -> tensor<?xi8>
// CHECK-NEXT:    func.return %b : tensor<?xi8>
func.func @through_wider(%x: tensor<?xi16>) -> tensor<?xi8> {
  %a = tg.cast %x : tensor<?xi16> -> tensor<?xf32>
  %b = tg.cast %a : tensor<?xf32> -> tensor<?xi8>
  func.return %b : tensor<?xi8>
}

// float32 -> float64 -> float32 is the identity.
// CHECK-LABEL: func.func @round_trip(
// CHECK-NEXT:    func.return %x : tensor<f32>
func.func @round_trip(%x: tensor<f32>) -> tensor<f32> {
  %a = tg.cast %x : tensor<f32> -> tensor<f64>
  %b = tg.cast %a : tensor<f64> -> tensor<f32>
  func.return %b : tensor<f32>
}

// int32 -> float64 is exact.
// CHECK-LABEL: func.func @int32_through_float64(
// CHECK-NEXT:    func.return %x : tensor<i32>
func.func @int32_through_float64(%x: tensor<i32>) -> tensor<i32> {
  %a = tg.cast %x : tensor<i32> -> tensor<f64>
  %b = tg.cast %a : tensor<f64> -> tensor<i32>
  func.return %b : tensor<i32>
}

// Negative: float32 rounds float64 values.
// CHECK-LABEL: func.func @through_narrower(
// CHECK-NEXT:    %a = tg.cast %x : tensor<f64> -> tensor<f32>
// CHECK-NEXT:    %b = tg.cast %a : tensor<f32> -> tensor<f64>
// CHECK-NEXT:    func.return %b : tensor<f64>
func.func @through_narrower(%x: tensor<f64>) -> tensor<f64> {
  %a = tg.cast %x : tensor<f64> -> tensor<f32>
  %b = tg.cast %a : tensor<f32> -> tensor<f64>
  func.return %b : tensor<f64>
}

// Negative (regression): NumPy calls int64 -> float64 "safe", but float64 rounds integers above
// 2**53 (2**53 + 1 comes back as 2**53).
// CHECK-LABEL: func.func @int64_through_float64(
// CHECK-NEXT:    %a = tg.cast %x : tensor<i64> -> tensor<f64>
// CHECK-NEXT:    %b = tg.cast %a : tensor<f64> -> tensor<i64>
// CHECK-NEXT:    func.return %b : tensor<i64>
func.func @int64_through_float64(%x: tensor<i64>) -> tensor<i64> {
  %a = tg.cast %x : tensor<i64> -> tensor<f64>
  %b = tg.cast %a : tensor<f64> -> tensor<i64>
  func.return %b : tensor<i64>
}

// Negative: a widening cast.
// CHECK-LABEL: func.func @widening(
// CHECK-NEXT:    %a = tg.cast %x : tensor<f32> -> tensor<f64>
// CHECK-NEXT:    func.return %a : tensor<f64>
func.func @widening(%x: tensor<f32>) -> tensor<f64> {
  %a = tg.cast %x : tensor<f32> -> tensor<f64>
  func.return %a : tensor<f64>
}
