// RUN: tracegraph-opt %s -p lower{target=c} --no-locations | filecheck %s

// A reduction keeping an axis runs as a nest (the kept outer axis may use threads); a
// reduction of every axis is flat; a fused reduction accumulates a value of the body.

// CHECK-LABEL: func.func @rows
// CHECK-NEXT:    tgk.loop %x {views = [array<i64: 0, 1>], reduce = array<i64: 1>, schedule = "nested", parallel, vectorize}
// CHECK-NEXT:    ^{{.*}}(%[[X:.*]]: tensor<?x?xf64>):
// CHECK-NEXT:      %[[S:.*]] = tg.sum %[[X]] {axes = array<i64: 1>, keepdims = false}
// CHECK-NEXT:      tgk.yield %[[S]] : tensor<?xf64>
func.func @rows(%x: tensor<?x?xf64>) -> tensor<?xf64> {
  %s = tg.sum %x {axes = array<i64: 1>, keepdims = false} : tensor<?x?xf64> -> tensor<?xf64>
  func.return %s : tensor<?xf64>
}

// CHECK-LABEL: func.func @columns
// CHECK-NEXT:    tgk.loop %x {views = [array<i64: 0, 1>], reduce = array<i64: 0>, keepdims, schedule = "nested", vectorize}
func.func @columns(%x: tensor<?x?xf64>) -> tensor<1x?xf64> {
  %s = tg.max %x {axes = array<i64: 0>, keepdims = true} : tensor<?x?xf64> -> tensor<1x?xf64>
  func.return %s : tensor<1x?xf64>
}

// CHECK-LABEL: func.func @everything
// CHECK-NEXT:    tgk.loop %x {views = [array<i64: 0, 1>], reduce = array<i64: 0, 1>, schedule = "flat_or_nested", vectorize}
func.func @everything(%x: tensor<?x?xf32>) -> tensor<f32> {
  %s = tg.sum %x {axes = array<i64: 0, 1>, keepdims = false} : tensor<?x?xf32> -> tensor<f32>
  func.return %s : tensor<f32>
}

// CHECK-LABEL: func.func @fused_sum_of_exp
// CHECK-NEXT:    %{{.*}}, %{{.*}} = tgk.loop %x {views = [array<i64: 0, 1>], reduce = array<i64: 1>, schedule = "nested", parallel, vectorize}
// CHECK-NEXT:    ^{{.*}}(%[[X:.*]]: tensor<?x?xf64>):
// CHECK-NEXT:      %[[E:.*]] = tg.exp %[[X]]
// CHECK-NEXT:      %[[S:.*]] = tg.sum %[[E]]
// CHECK-NEXT:      tgk.yield %[[S]], %[[E]]
func.func @fused_sum_of_exp(%x: tensor<?x?xf64>) -> (tensor<?xf64>, tensor<?x?xf64>) {
  %s, %e = tg.fused %x : (tensor<?x?xf64>) -> (tensor<?xf64>, tensor<?x?xf64>) {
  ^bb0(%a: tensor<?x?xf64>):
    %ea = tg.exp %a : tensor<?x?xf64> -> tensor<?x?xf64>
    %sa = tg.sum %ea {axes = array<i64: 1>, keepdims = false} : tensor<?x?xf64> -> tensor<?xf64>
    tg.yield %sa, %ea : tensor<?xf64>, tensor<?x?xf64>
  }
  func.return %s, %e : tensor<?xf64>, tensor<?x?xf64>
}
