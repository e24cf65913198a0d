// RUN: tracegraph-opt %s -p bucket-all-reduce --no-locations | filecheck %s

// bucket-all-reduce: all_reduce(a); all_reduce(b) -> all_reduce_bucket(a, b), one message for
// the independent all-reduces of one reduction and dtype; the block reordered so that every
// use of a result comes after the bucket (its results keep the names of the all-reduces).

// The gradients of a step, each all-reduced and used by its update before the next one.
// CHECK-LABEL: func.func @step(
// CHECK-NEXT:    %gw = tg.mul %w, %x : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
// CHECK-NEXT:    %gb = tg.sum %x {axes = array<i64: 0>, keepdims = false} : tensor<?xf64> -> tensor<f64>
// CHECK-NEXT:    %rw, %rb = tg.all_reduce_bucket %gw, %gb {reduction = "mean"} : tensor<?xf64>, tensor<f64> -> tensor<?xf64>, tensor<f64>
// CHECK-NEXT:    %nw = tg.sub %w, %rw : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
// CHECK-NEXT:    %nb = tg.sub %b, %rb : (tensor<f64>, tensor<f64>) -> tensor<f64>
// CHECK-NEXT:    func.return %nw, %nb : tensor<?xf64>, tensor<f64>
func.func @step(%w: tensor<?xf64>, %b: tensor<f64>, %x: tensor<?xf64>) -> (tensor<?xf64>, tensor<f64>) {
  %gw = tg.mul %w, %x : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  %rw = tg.all_reduce %gw {reduction = "mean"} : tensor<?xf64> -> tensor<?xf64>
  %nw = tg.sub %w, %rw : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  %gb = tg.sum %x {axes = array<i64: 0>, keepdims = false} : tensor<?xf64> -> tensor<f64>
  %rb = tg.all_reduce %gb {reduction = "mean"} : tensor<f64> -> tensor<f64>
  %nb = tg.sub %b, %rb : (tensor<f64>, tensor<f64>) -> tensor<f64>
  func.return %nw, %nb : tensor<?xf64>, tensor<f64>
}

// Negative: an all-reduce of another's result waits for it (a later level); reductions and
// dtypes of their own stay apart.
// CHECK-LABEL: func.func @apart(
// CHECK-NEXT:    %a = tg.all_reduce %x {reduction = "sum"} : tensor<?xf64> -> tensor<?xf64>
// CHECK-NEXT:    %b = tg.all_reduce %a {reduction = "sum"} : tensor<?xf64> -> tensor<?xf64>
// CHECK-NEXT:    %c = tg.all_reduce %x {reduction = "max"} : tensor<?xf64> -> tensor<?xf64>
// CHECK-NEXT:    %d = tg.all_reduce %y {reduction = "sum"} : tensor<?xf32> -> tensor<?xf32>
// CHECK-NEXT:    func.return %b, %c, %d : tensor<?xf64>, tensor<?xf64>, tensor<?xf32>
func.func @apart(%x: tensor<?xf64>, %y: tensor<?xf32>) -> (tensor<?xf64>, tensor<?xf64>, tensor<?xf32>) {
  %a = tg.all_reduce %x {reduction = "sum"} : tensor<?xf64> -> tensor<?xf64>
  %b = tg.all_reduce %a {reduction = "sum"} : tensor<?xf64> -> tensor<?xf64>
  %c = tg.all_reduce %x {reduction = "max"} : tensor<?xf64> -> tensor<?xf64>
  %d = tg.all_reduce %y {reduction = "sum"} : tensor<?xf32> -> tensor<?xf32>
  func.return %b, %c, %d : tensor<?xf64>, tensor<?xf64>, tensor<?xf32>
}

// Levels: the all-reduces of x and y (level 0) share a bucket, those of their results
// (level 1) another, after it.
// CHECK-LABEL: func.func @levels(
// CHECK-NEXT:    %a, %c = tg.all_reduce_bucket %x, %y {reduction = "sum"} : tensor<?xf64>, tensor<?xf64> -> tensor<?xf64>, tensor<?xf64>
// CHECK-NEXT:    %b, %d = tg.all_reduce_bucket %a, %c {reduction = "sum"} : tensor<?xf64>, tensor<?xf64> -> tensor<?xf64>, tensor<?xf64>
// CHECK-NEXT:    func.return %b, %d : tensor<?xf64>, tensor<?xf64>
func.func @levels(%x: tensor<?xf64>, %y: tensor<?xf64>) -> (tensor<?xf64>, tensor<?xf64>) {
  %a = tg.all_reduce %x {reduction = "sum"} : tensor<?xf64> -> tensor<?xf64>
  %b = tg.all_reduce %a {reduction = "sum"} : tensor<?xf64> -> tensor<?xf64>
  %c = tg.all_reduce %y {reduction = "sum"} : tensor<?xf64> -> tensor<?xf64>
  %d = tg.all_reduce %c {reduction = "sum"} : tensor<?xf64> -> tensor<?xf64>
  func.return %b, %d : tensor<?xf64>, tensor<?xf64>
}
