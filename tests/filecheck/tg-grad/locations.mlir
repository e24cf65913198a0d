// RUN: tracegraph-opt %s -p tg-grad | filecheck %s

// The gradient ops tg-grad adds are at the location of the op that computes the cost (no op
// between the cost and the return has another location).

// CHECK-LABEL: func.func @square(
// CHECK-NEXT:    %two = tg.constant dense<2.000000e+00> : tensor<f64> loc("file.py":2:8)
// CHECK-NEXT:    %c = tg.pow %x, %two : (tensor<f64>, tensor<f64>) -> tensor<f64> loc("file.py":3:4)
// CHECK-NOT:     = tg.{{.*}} loc("file.py":2:8)
// CHECK-NOT:     = tg.{{.*}} loc(unknown)
// CHECK:         tg.fill %c, {{.*}} loc("file.py":3:4)
// CHECK-NOT:     = tg.{{.*}} loc("file.py":2:8)
// CHECK-NOT:     = tg.{{.*}} loc(unknown)
// CHECK:         func.return %c, %{{.+}} : tensor<f64>, tensor<f64> loc(unknown)
func.func @square(%x: tensor<f64>) -> tensor<f64> {
  %two = tg.constant dense<2.0> : tensor<f64> loc("file.py":2:8)
  %c = tg.pow %x, %two : (tensor<f64>, tensor<f64>) -> tensor<f64> loc("file.py":3:4)
  func.return %c : tensor<f64>
}
