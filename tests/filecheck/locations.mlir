// RUN: tracegraph-opt %s -p canonicalize,stabilize,dce | filecheck %s

// Rewrites keep the user's source locations: every op a pattern creates carries the location
// of the op it replaces, so errors and dumps still point at the line that built the value.

// x ** 2 -> x * x: the product is at the power's location.
// CHECK-LABEL: func.func @pow_two(
// CHECK-NEXT:    %y = tg.mul %x, %x : (tensor<f64>, tensor<f64>) -> tensor<f64> loc("file.py":3:4)
// CHECK-NEXT:    func.return %y : tensor<f64>
func.func @pow_two(%x: tensor<f64>) -> tensor<f64> {
  %two = tg.constant dense<2.0> : tensor<f64> loc("file.py":2:8)
  %y = tg.pow %x, %two : (tensor<f64>, tensor<f64>) -> tensor<f64> loc("file.py":3:4)
  func.return %y : tensor<f64>
}

// exp(log(x)) -> switch(x >= 0, abs(x), nan): all five new ops are at the exp's location.
// CHECK-LABEL: func.func @exp_log(
// CHECK-NEXT:    tg.constant dense<0.000000e+00> : tensor<1xf64> loc("file.py":5:4)
// CHECK-NEXT:    tg.constant dense<"0x000000000000F87F"> : tensor<1xf64> loc("file.py":5:4)
// CHECK-NEXT:    tg.ge {{.*}} loc("file.py":5:4)
// CHECK-NEXT:    tg.abs {{.*}} loc("file.py":5:4)
// CHECK-NEXT:    tg.switch {{.*}} loc("file.py":5:4)
// CHECK-NEXT:    func.return
func.func @exp_log(%x: tensor<?xf64>) -> tensor<?xf64> {
  %l = tg.log %x : tensor<?xf64> -> tensor<?xf64> loc("file.py":5:8)
  %e = tg.exp %l : tensor<?xf64> -> tensor<?xf64> loc("file.py":5:4)
  func.return %e : tensor<?xf64>
}

// A folded constant is at the location of the op it replaces; the op using it keeps its own.
// CHECK-LABEL: func.func @folded(
// CHECK-NEXT:    %s = tg.constant dense<2.000000e+00> : tensor<f64> loc("file.py":7:4)
// CHECK-NEXT:    %r = tg.mul %x, %s : (tensor<f64>, tensor<f64>) -> tensor<f64> loc("file.py":8:4)
func.func @folded(%x: tensor<f64>) -> tensor<f64> {
  %a = tg.constant dense<4.0> : tensor<f64> loc("file.py":7:8)
  %s = tg.sqrt %a : tensor<f64> -> tensor<f64> loc("file.py":7:4)
  %r = tg.mul %x, %s : (tensor<f64>, tensor<f64>) -> tensor<f64> loc("file.py":8:4)
  func.return %r : tensor<f64>
}

// log(sigmoid(x)) -> -softplus(-x), a stabilization: the three new ops are at the log's location.
// CHECK-LABEL: func.func @log_sigmoid(
// CHECK-NEXT:    tg.neg %x : tensor<f64> -> tensor<f64> loc("file.py":10:4)
// CHECK-NEXT:    tg.softplus {{.*}} loc("file.py":10:4)
// CHECK-NEXT:    tg.neg {{.*}} loc("file.py":10:4)
// CHECK-NEXT:    func.return
// CHECK-NOT:     loc("file.py":10:8)
func.func @log_sigmoid(%x: tensor<f64>) -> tensor<f64> {
  %s = tg.sigmoid %x : tensor<f64> -> tensor<f64> loc("file.py":10:8)
  %l = tg.log %s : tensor<f64> -> tensor<f64> loc("file.py":10:4)
  func.return %l : tensor<f64>
}
