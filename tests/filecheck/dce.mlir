// RUN: tracegraph-opt %s -p dce --no-locations | filecheck %s

// dce (xDSL's): pure ops whose results are not used go, chains included.

// CHECK-LABEL: func.func @unused_chain(
// CHECK-NEXT:    %r = tg.neg %x : tensor<?xf64> -> tensor<?xf64>
// CHECK-NEXT:    func.return %r : tensor<?xf64>
func.func @unused_chain(%x: tensor<?xf64>) -> tensor<?xf64> {
  %a = tg.exp %x : tensor<?xf64> -> tensor<?xf64>
  %b = tg.log %a : tensor<?xf64> -> tensor<?xf64>
  %c = tg.constant dense<1.0> : tensor<f64>
  %r = tg.neg %x : tensor<?xf64> -> tensor<?xf64>
  func.return %r : tensor<?xf64>
}

// Negative: every op is used.
// CHECK-LABEL: func.func @used(
// CHECK-NEXT:    %a = tg.exp %x : tensor<f64> -> tensor<f64>
// CHECK-NEXT:    %b = tg.log %a : tensor<f64> -> tensor<f64>
// CHECK-NEXT:    func.return %b : tensor<f64>
func.func @used(%x: tensor<f64>) -> tensor<f64> {
  %a = tg.exp %x : tensor<f64> -> tensor<f64>
  %b = tg.log %a : tensor<f64> -> tensor<f64>
  func.return %b : tensor<f64>
}
