// RUN: tracegraph-opt %s -p stabilize,dce --no-locations | filecheck %s

// LogOneMinusExpToLog1mexp: log(1 - exp(u)) and log1p(-exp(u)) -> log1mexp(u), Maechler's
// switch(u < log(1/2), log1p(-exp(u)), log(-expm1(u))): exact near u = 0, where 1 - exp(u)
// cancels to 0.

// CHECK-LABEL: func.func @log_one_minus(
// CHECK-NEXT:    %[[T:.+]] = tg.constant dense<-0.69314718055994529> : tensor<1xf64>
// CHECK-NEXT:    %[[B:.+]] = tg.lt %u, %[[T]] : (tensor<?xf64>, tensor<1xf64>) -> tensor<?xi1>
// CHECK-NEXT:    %[[E:.+]] = tg.exp %u
// CHECK-NEXT:    %[[NE:.+]] = tg.neg %[[E]]
// CHECK-NEXT:    %[[FAR:.+]] = tg.log1p %[[NE]]
// CHECK-NEXT:    %[[M:.+]] = tg.expm1 %u
// CHECK-NEXT:    %[[NM:.+]] = tg.neg %[[M]]
// CHECK-NEXT:    %[[NEAR:.+]] = tg.log %[[NM]]
// CHECK-NEXT:    %[[R:.+]] = tg.switch %[[B]], %[[FAR]], %[[NEAR]] : (tensor<?xi1>, tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
// CHECK-NEXT:    func.return %[[R]]
func.func @log_one_minus(%u: tensor<?xf64>) -> tensor<?xf64> {
  %one = tg.constant dense<[1.0]> : tensor<1xf64>
  %e = tg.exp %u : tensor<?xf64> -> tensor<?xf64>
  %d = tg.sub %one, %e : (tensor<1xf64>, tensor<?xf64>) -> tensor<?xf64>
  %r = tg.log %d : tensor<?xf64> -> tensor<?xf64>
  func.return %r : tensor<?xf64>
}

// log1p(-exp(u)), float32: the threshold is log(1/2) rounded to float32, and the rewrite does
// not fire again on its own log1p(-exp(u)) branch.
// CHECK-LABEL: func.func @log1p_of_neg(
// CHECK-NEXT:    %[[T:.+]] = tg.constant dense<-0.693147182> : tensor<f32>
// CHECK:         tg.log1p
// CHECK-NOT:     tg.log1p
// CHECK:         %[[R:.+]] = tg.switch
// CHECK-NEXT:    func.return %[[R]]
func.func @log1p_of_neg(%u: tensor<f32>) -> tensor<f32> {
  %e = tg.exp %u : tensor<f32> -> tensor<f32>
  %n = tg.neg %e : tensor<f32> -> tensor<f32>
  %r = tg.log1p %n : tensor<f32> -> tensor<f32>
  func.return %r : tensor<f32>
}

// Negative: the 1 broadcasts exp(u) to a larger shape.
// CHECK-LABEL: func.func @broadcast_one(
// CHECK-NOT:     tg.switch
// CHECK:         %r = tg.log %d
func.func @broadcast_one(%u: tensor<1xf64>) -> tensor<3xf64> {
  %one = tg.constant dense<[1.0, 1.0, 1.0]> : tensor<3xf64>
  %e = tg.exp %u : tensor<1xf64> -> tensor<1xf64>
  %d = tg.sub %one, %e : (tensor<3xf64>, tensor<1xf64>) -> tensor<3xf64>
  %r = tg.log %d : tensor<3xf64> -> tensor<3xf64>
  func.return %r : tensor<3xf64>
}
