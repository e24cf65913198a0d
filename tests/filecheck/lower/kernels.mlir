// RUN: tracegraph-opt %s -p lower{target=c} --no-locations | filecheck %s

// Float products are BLAS calls; integer ones run the reference kernel on the host. A
// returned dimshuffle is a view; shapes and elements of vectors are native; an op the C
// target has no kernel for is a host call of its reference kernel, one body argument per
// operand even where an operand repeats.

// CHECK-LABEL: func.func @products
// CHECK-NEXT:    %{{.*}} = tgk.blas_dot %a, %b : (tensor<?x?xf32>, tensor<?xf32>) -> tensor<?xf32>
// CHECK-NEXT:    %{{.*}} = tgk.host_call %i, %j : (tensor<?x?xi64>, tensor<?x?xi64>) -> tensor<?x?xi64> {
// CHECK-NEXT:    ^{{.*}}(%[[I:.*]]: tensor<?x?xi64>, %[[J:.*]]: tensor<?x?xi64>):
// CHECK-NEXT:      %[[D:.*]] = tg.dot %[[I]], %[[J]]
// CHECK-NEXT:      tgk.yield %[[D]] : tensor<?x?xi64>
// CHECK-NEXT:    }
func.func @products(%a: tensor<?x?xf32>, %b: tensor<?xf32>, %i: tensor<?x?xi64>, %j: tensor<?x?xi64>) -> (tensor<?xf32>, tensor<?x?xi64>) {
  %p = tg.dot %a, %b : (tensor<?x?xf32>, tensor<?xf32>) -> tensor<?xf32>
  %q = tg.dot %i, %j : (tensor<?x?xi64>, tensor<?x?xi64>) -> tensor<?x?xi64>
  func.return %p, %q : tensor<?xf32>, tensor<?x?xi64>
}

// CHECK-LABEL: func.func @views_and_shapes
// CHECK-NEXT:    %[[T:.*]] = tgk.view %x {order = array<i64: 1, 0>} : tensor<?x?xf64> -> tensor<?x?xf64>
// CHECK-NEXT:    %[[S:.*]] = tgk.shape %x : tensor<?x?xf64> -> tensor<2xi64>
// CHECK-NEXT:    %[[Z:.*]] = tg.constant dense<0> : tensor<i64>
// CHECK-NEXT:    %{{.*}} = tgk.element %[[S]][%[[Z]]] : (tensor<2xi64>, tensor<i64>) -> tensor<i64>
func.func @views_and_shapes(%x: tensor<?x?xf64>) -> (tensor<?x?xf64>, tensor<i64>) {
  %t = tg.dimshuffle %x {order = array<i64: 1, 0>} : tensor<?x?xf64> -> tensor<?x?xf64>
  %s = tg.shape %x : tensor<?x?xf64> -> tensor<2xi64>
  %zero = tg.constant dense<0> : tensor<i64>
  %n = tg.subtensor %s[%zero] {entries = array<i64: -1>} : (tensor<2xi64>, tensor<i64>) -> tensor<i64>
  func.return %t, %n : tensor<?x?xf64>, tensor<i64>
}

// CHECK-LABEL: func.func @host_calls
// CHECK-NEXT:    %{{.*}} = tgk.host_call %x, %x : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64> {
// CHECK-NEXT:    ^{{.*}}(%[[A:.*]]: tensor<?xf64>, %[[B:.*]]: tensor<?xf64>):
// CHECK-NEXT:      %[[C:.*]] = tg.concatenate %[[A]], %[[B]]
// CHECK-NEXT:      tgk.yield %[[C]]
func.func @host_calls(%x: tensor<?xf64>) -> tensor<?xf64> {
  %c = tg.concatenate %x, %x {axis = 0 : i64} : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  func.return %c : tensor<?xf64>
}
