// RUN: tracegraph-opt %s -p lower{target=c} --no-locations | filecheck %s

// An output written element by element may take the buffer of an input the function
// allocated itself and reads there for the last time; never an argument's, a result's, a
// buffer read through two views, or one of another dtype. A loop without reuse has no reuse
// attribute.

// CHECK-LABEL: func.func @chain
// CHECK-NEXT:    %[[E:.*]] = tgk.loop %x {views = [array<i64: 0>], schedule = "flat_or_nested", parallel} :
// CHECK:         %[[L:.*]] = tgk.loop %[[E]] {{{.*}}reuse = array<i64: 0>{{.*}}}
// CHECK:         tgk.loop %[[L]], %x {{{.*}}reuse = array<i64: 0>{{.*}}}
func.func @chain(%x: tensor<?xf64>) -> tensor<?xf64> {
  %e = tg.exp %x : tensor<?xf64> -> tensor<?xf64>
  %l = tg.log %e : tensor<?xf64> -> tensor<?xf64>
  %s = tg.add %l, %x : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  func.return %s : tensor<?xf64>
}

// %e is read again later, %r is returned: neither gives its buffer.

// CHECK-LABEL: func.func @still_needed
// CHECK-NEXT:    %[[E:.*]] = tgk.loop %x
// CHECK:         %[[R:.*]] = tgk.loop %[[E]] {views = [array<i64: 0>], schedule = "flat_or_nested", parallel} :
// CHECK:         tgk.loop %[[E]], %[[R]] {{{.*}}reuse = array<i64: 0>{{.*}}}
func.func @still_needed(%x: tensor<?xf64>) -> (tensor<?xf64>, tensor<?xf64>) {
  %e = tg.exp %x : tensor<?xf64> -> tensor<?xf64>
  %r = tg.tanh %e : tensor<?xf64> -> tensor<?xf64>
  %s = tg.mul %e, %r : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  func.return %s, %r : tensor<?xf64>, tensor<?xf64>
}

// CHECK-LABEL: func.func @two_views_or_another_dtype
// CHECK-NEXT:    %[[E:.*]] = tgk.loop %x
// CHECK:         tgk.loop %[[E]], %[[E]] {views = [array<i64: 0, 1>, array<i64: 1, 0>], schedule = "nested", parallel, vectorize} :
// CHECK:         tgk.loop %{{.*}}, %zero {views = [array<i64: 0, 1>, array<i64: -1, -1>], schedule = "flat_or_nested", parallel, vectorize} : (tensor<?x?xf64>, tensor<1x1xf64>) -> tensor<?x?xi1>
func.func @two_views_or_another_dtype(%x: tensor<?x?xf64>) -> tensor<?x?xi1> {
  %e = tg.exp %x : tensor<?x?xf64> -> tensor<?x?xf64>
  %t = tg.dimshuffle %e {order = array<i64: 1, 0>} : tensor<?x?xf64> -> tensor<?x?xf64>
  %s = tg.add %e, %t : (tensor<?x?xf64>, tensor<?x?xf64>) -> tensor<?x?xf64>
  %zero = tg.constant dense<0.0> : tensor<1x1xf64>
  %b = tg.gt %s, %zero : (tensor<?x?xf64>, tensor<1x1xf64>) -> tensor<?x?xi1>
  func.return %b : tensor<?x?xi1>
}
