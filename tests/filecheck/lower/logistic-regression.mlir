// RUN: tracegraph-opt %s -p lower{target=c} --no-locations | filecheck %s
// RUN: tracegraph-opt %s -p lower{target=c} --no-locations | filecheck %s --check-prefix=NOHOST

// Every op has a C kernel: nothing runs on the host.
// NOHOST-NOT: tgk.host_call

// The deeplearning.net logistic regression step (bench/logistic.py's graph, 784 features):
// its final stage, as function() leaves it, lowered for the C target. Two BLAS products, the
// forward pass in one loop of four outputs, the gradient in loops that take dead buffers, the
// transposed x as a view, the batch size read as an element of a shape.

// CHECK-LABEL: func.func @train
// CHECK-NEXT:    %[[XW:.*]] = tgk.blas_dot %x, %w : (tensor<?x?xf64>, tensor<?xf64>) -> tensor<?xf64>
// CHECK-NEXT:    %[[PRED:.*]], %[[Z:.*]], %[[NZ:.*]], %[[P:.*]] = tgk.loop %[[XW]], %b {views = [array<i64: 0>, array<i64: -1>], schedule = "flat_or_nested", parallel, reuse = array<i64: -1, 0, -1, -1>}
// CHECK:           tg.sigmoid
// CHECK:           tg.gt
// CHECK:         %[[XENT:.*]], %{{.*}} = tgk.loop %[[Z]], %y, %[[NZ]] {{{.*}}reuse = array<i64: 2, -1>{{.*}}}
// CHECK-COUNT-2:   tg.softplus
// CHECK:         %[[XT:.*]] = tgk.view %x {order = array<i64: 1, 0>}
// CHECK-NEXT:    %[[SHAPE:.*]] = tgk.shape %[[XENT]]
// CHECK-NEXT:    %[[ZERO:.*]] = tg.constant dense<0> : tensor<i64>
// CHECK-NEXT:    %{{.*}} = tgk.element %[[SHAPE]][%[[ZERO]]]
// CHECK:         %[[GZ:.*]] = tgk.loop %y, {{.*}} {{{.*}}schedule = "flat_or_nested", parallel, reuse = array<i64: 2>}
// CHECK:         %[[GW:.*]] = tgk.blas_dot %[[XT]], %[[GZ]]
// CHECK-NEXT:    %[[NEWW:.*]] = tgk.loop %w, %[[GW]] {{{.*}}reuse = array<i64: 1>{{.*}}}
// CHECK:         %[[SUM:.*]] = tgk.loop %[[GZ]] {views = [array<i64: 0>], reduce = array<i64: 0>, keepdims, schedule = "flat_or_nested"}
// CHECK:         %[[NEWB:.*]] = tgk.loop %b, %[[SUM]] {views = [array<i64>, array<i64>], {{.*}}schedule = "single"}
// CHECK:         func.return %[[PRED]], %[[XENT]], %[[NEWW]], %[[NEWB]]
func.func @train(%x: tensor<?x?xf64> {tg.input = "x"}, %y: tensor<?xf64> {tg.input = "y"}, %w: tensor<?xf64> {tg.shared = "w"}, %b: tensor<f64> {tg.shared = "b"}) -> (tensor<?xi1> {tg.output = 0 : i64}, tensor<?xf64> {tg.output = 1 : i64}, tensor<?xf64> {tg.update = "w"}, tensor<f64> {tg.update = "b"}) {
  %0 = tg.dot %x, %w : (tensor<?x?xf64>, tensor<?xf64>) -> tensor<?xf64>
  %1, %2, %3, %4 = tg.fused %0, %b : (tensor<?xf64>, tensor<f64>) -> (tensor<?xi1>, tensor<?xf64>, tensor<?xf64>, tensor<?xf64>) {
  ^bb0(%5: tensor<?xf64>, %6: tensor<f64>):
    %7 = tg.constant dense<5.000000e-01> : tensor<1xf64>
    %8 = tg.neg %5 : tensor<?xf64> -> tensor<?xf64>
    %9 = tg.dimshuffle %6 {order = array<i64: -1>} : tensor<f64> -> tensor<1xf64>
    %10 = tg.sub %8, %9 : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xf64>
    %11 = tg.neg %10 : tensor<?xf64> -> tensor<?xf64>
    %12 = tg.sigmoid %11 : tensor<?xf64> -> tensor<?xf64>
    %13 = tg.gt %12, %7 : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xi1>
    tg.yield %13, %10, %11, %12 : tensor<?xi1>, tensor<?xf64>, tensor<?xf64>, tensor<?xf64>
  }
  %14, %15 = tg.fused %2, %y, %3 : (tensor<?xf64>, tensor<?xf64>, tensor<?xf64>) -> (tensor<?xf64>, tensor<?xf64>) {
  ^bb0(%16: tensor<?xf64>, %17: tensor<?xf64>, %18: tensor<?xf64>):
    %19 = tg.constant dense<1> : tensor<1xi8>
    %20 = tg.softplus %16 : tensor<?xf64> -> tensor<?xf64>
    %21 = tg.mul %17, %20 : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
    %22 = tg.sub %19, %17 : (tensor<1xi8>, tensor<?xf64>) -> tensor<?xf64>
    %23 = tg.softplus %18 : tensor<?xf64> -> tensor<?xf64>
    %24 = tg.neg %23 : tensor<?xf64> -> tensor<?xf64>
    %25 = tg.mul %22, %24 : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
    %26 = tg.sub %21, %25 : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
    tg.yield %26, %22 : tensor<?xf64>, tensor<?xf64>
  }
  %27 = tg.dimshuffle %x {order = array<i64: 1, 0>} : tensor<?x?xf64> -> tensor<?x?xf64>
  %28 = tg.shape %14 : tensor<?xf64> -> tensor<1xi64>
  %29 = tg.constant dense<0> : tensor<i64>
  %30 = tg.subtensor %28[%29] {entries = array<i64: -1>} : (tensor<1xi64>, tensor<i64>) -> tensor<i64>
  %31 = tg.cast %30 : tensor<i64> -> tensor<f64>
  %32, %33 = tg.fused %31 : (tensor<f64>) -> (tensor<1xf64>, tensor<1xf64>) {
  ^bb0(%34: tensor<f64>):
    %35 = tg.constant dense<1.000000e+00> : tensor<1xf64>
    %36 = tg.dimshuffle %34 {order = array<i64: -1>} : tensor<f64> -> tensor<1xf64>
    %37 = tg.true_div %35, %36 : (tensor<1xf64>, tensor<1xf64>) -> tensor<1xf64>
    %38 = tg.neg %37 : tensor<1xf64> -> tensor<1xf64>
    tg.yield %38, %37 : tensor<1xf64>, tensor<1xf64>
  }
  %39 = tg.fused %y, %32, %15, %4, %33, %2 : (tensor<?xf64>, tensor<1xf64>, tensor<?xf64>, tensor<?xf64>, tensor<1xf64>, tensor<?xf64>) -> tensor<?xf64> {
  ^bb0(%40: tensor<?xf64>, %41: tensor<1xf64>, %42: tensor<?xf64>, %43: tensor<?xf64>, %44: tensor<1xf64>, %45: tensor<?xf64>):
    %46 = tg.neg %40 : tensor<?xf64> -> tensor<?xf64>
    %47 = tg.mul %41, %42 : (tensor<1xf64>, tensor<?xf64>) -> tensor<?xf64>
    %48 = tg.mul %47, %43 : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
    %49 = tg.mul %44, %46 : (tensor<1xf64>, tensor<?xf64>) -> tensor<?xf64>
    %50 = tg.sigmoid %45 : tensor<?xf64> -> tensor<?xf64>
    %51 = tg.mul %49, %50 : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
    %52 = tg.neg %51 : tensor<?xf64> -> tensor<?xf64>
    %53 = tg.add %48, %52 : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
    %54 = tg.neg %53 : tensor<?xf64> -> tensor<?xf64>
    tg.yield %54 : tensor<?xf64>
  }
  %55 = tg.dot %27, %39 : (tensor<?x?xf64>, tensor<?xf64>) -> tensor<?xf64>
  %56 = tg.fused %w, %55 : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64> {
  ^bb0(%57: tensor<?xf64>, %58: tensor<?xf64>):
    %59 = tg.constant dense<2.000000e-02> : tensor<1xf64>
    %60 = tg.constant dense<1.000000e-01> : tensor<1xf64>
    %61 = tg.mul %59, %57 : (tensor<1xf64>, tensor<?xf64>) -> tensor<?xf64>
    %62 = tg.add %61, %58 : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
    %63 = tg.mul %60, %62 : (tensor<1xf64>, tensor<?xf64>) -> tensor<?xf64>
    %64 = tg.sub %57, %63 : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
    tg.yield %64 : tensor<?xf64>
  }
  %65 = tg.sum %39 {axes = array<i64: 0>, keepdims = true} : tensor<?xf64> -> tensor<1xf64>
  %66 = tg.fused %65, %b : (tensor<1xf64>, tensor<f64>) -> tensor<f64> {
  ^bb0(%67: tensor<1xf64>, %68: tensor<f64>):
    %69 = tg.constant dense<1.000000e-01> : tensor<f64>
    %70 = tg.dimshuffle %67 {order = array<i64>} : tensor<1xf64> -> tensor<f64>
    %71 = tg.mul %69, %70 : (tensor<f64>, tensor<f64>) -> tensor<f64>
    %72 = tg.sub %68, %71 : (tensor<f64>, tensor<f64>) -> tensor<f64>
    tg.yield %72 : tensor<f64>
  }
  func.return %1, %14, %56, %66 : tensor<?xi1>, tensor<?xf64>, tensor<?xf64>, tensor<f64>
}
