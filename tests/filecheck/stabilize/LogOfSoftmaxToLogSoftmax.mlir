// RUN: tracegraph-opt %s -p stabilize,dce --no-locations | filecheck %s

// LogOfSoftmaxToLogSoftmax: log(softmax(u)) -> log_softmax(u), also through indexing and
// dimshuffles in between, which are applied to the log-softmax instead (the softmax underflows
// to 0 where the log-softmax is finite).

// CHECK-LABEL: func.func @direct(
// CHECK-NEXT:    %[[R:.+]] = tg.log_softmax %u {axis = 1 : i64} : tensor<?x?xf64> -> tensor<?x?xf64>
// CHECK-NEXT:    func.return %[[R]]
func.func @direct(%u: tensor<?x?xf64>) -> tensor<?x?xf64> {
  %s = tg.softmax %u {axis = 1 : i64} : tensor<?x?xf64> -> tensor<?x?xf64>
  %r = tg.log %s : tensor<?x?xf64> -> tensor<?x?xf64>
  func.return %r : tensor<?x?xf64>
}

// The negative log-likelihood's log(p[rows, labels]).
// CHECK-LABEL: func.func @picked(
// CHECK-NEXT:    %[[L:.+]] = tg.log_softmax %u {axis = 1 : i64} : tensor<?x?xf64> -> tensor<?x?xf64>
// CHECK-NEXT:    %[[R:.+]] = tg.subtensor %[[L]][%rows, %labels] {entries = array<i64: -2, -2>}
// CHECK-NEXT:    func.return %[[R]]
func.func @picked(%u: tensor<?x?xf64>, %rows: tensor<?xi64>, %labels: tensor<?xi64>) -> tensor<?xf64> {
  %s = tg.softmax %u {axis = 1 : i64} : tensor<?x?xf64> -> tensor<?x?xf64>
  %p = tg.subtensor %s[%rows, %labels] {entries = array<i64: -2, -2>} : (tensor<?x?xf64>, tensor<?xi64>, tensor<?xi64>) -> tensor<?xf64>
  %r = tg.log %p : tensor<?xf64> -> tensor<?xf64>
  func.return %r : tensor<?xf64>
}

// CHECK-LABEL: func.func @transposed(
// CHECK-NEXT:    %[[L:.+]] = tg.log_softmax %u {axis = 0 : i64} : tensor<?x?xf32> -> tensor<?x?xf32>
// CHECK-NEXT:    %[[R:.+]] = tg.dimshuffle %[[L]] {order = array<i64: 1, 0>}
// CHECK-NEXT:    func.return %[[R]]
func.func @transposed(%u: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %s = tg.softmax %u {axis = 0 : i64} : tensor<?x?xf32> -> tensor<?x?xf32>
  %t = tg.dimshuffle %s {order = array<i64: 1, 0>} : tensor<?x?xf32> -> tensor<?x?xf32>
  %r = tg.log %t : tensor<?x?xf32> -> tensor<?x?xf32>
  func.return %r : tensor<?x?xf32>
}

// Negative: no softmax under the log.
// CHECK-LABEL: func.func @not_softmax(
// CHECK-NOT:     tg.log_softmax
// CHECK:         %r = tg.log %e
func.func @not_softmax(%u: tensor<?x?xf64>) -> tensor<?x?xf64> {
  %e = tg.exp %u : tensor<?x?xf64> -> tensor<?x?xf64>
  %r = tg.log %e : tensor<?x?xf64> -> tensor<?x?xf64>
  func.return %r : tensor<?x?xf64>
}
