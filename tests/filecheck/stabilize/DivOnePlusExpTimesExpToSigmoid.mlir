// RUN: tracegraph-opt %s -p stabilize,dce --no-locations | filecheck %s

// DivOnePlusExpTimesExpToSigmoid: (a / (1 + exp(u))) * exp(u) -> a * sigmoid(u), the form the
// gradient of 1 / (1 + exp(u)) takes (inf / inf once exp(u) overflows).

// CHECK-LABEL: func.func @gradient_form(
// CHECK-NEXT:    %[[S:.+]] = tg.sigmoid %u : tensor<?xf64> -> tensor<?xf64>
// CHECK-NEXT:    %[[R:.+]] = tg.mul %a, %[[S]] : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
// CHECK-NEXT:    func.return %[[R]] : tensor<?xf64>
func.func @gradient_form(%a: tensor<?xf64>, %u: tensor<?xf64>) -> tensor<?xf64> {
  %one = tg.constant dense<[1.0]> : tensor<1xf64>
  %e = tg.exp %u : tensor<?xf64> -> tensor<?xf64>
  %d = tg.add %one, %e : (tensor<1xf64>, tensor<?xf64>) -> tensor<?xf64>
  %q = tg.true_div %a, %d : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  %r = tg.mul %q, %e : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  func.return %r : tensor<?xf64>
}

// exp(u) * (a / (exp(u) + 1)).
// CHECK-LABEL: func.func @exp_first(
// CHECK-NEXT:    %[[S:.+]] = tg.sigmoid %u : tensor<f64> -> tensor<f64>
// CHECK-NEXT:    %[[R:.+]] = tg.mul %a, %[[S]] : (tensor<f64>, tensor<f64>) -> tensor<f64>
// CHECK-NEXT:    func.return %[[R]] : tensor<f64>
func.func @exp_first(%a: tensor<f64>, %u: tensor<f64>) -> tensor<f64> {
  %one = tg.constant dense<1.0> : tensor<f64>
  %e = tg.exp %u : tensor<f64> -> tensor<f64>
  %d = tg.add %e, %one : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %q = tg.true_div %a, %d : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %r = tg.mul %e, %q : (tensor<f64>, tensor<f64>) -> tensor<f64>
  func.return %r : tensor<f64>
}

// Negative: the factor is the exp of another value.
// CHECK-LABEL: func.func @other_exp(
// CHECK-NOT:     tg.sigmoid
// CHECK:         %r = tg.mul %q, %e2
// CHECK-NEXT:    func.return %r
func.func @other_exp(%a: tensor<f64>, %u: tensor<f64>) -> tensor<f64> {
  %one = tg.constant dense<1.0> : tensor<f64>
  %e = tg.exp %u : tensor<f64> -> tensor<f64>
  %e2 = tg.exp %a : tensor<f64> -> tensor<f64>
  %d = tg.add %one, %e : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %q = tg.true_div %a, %d : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %r = tg.mul %q, %e2 : (tensor<f64>, tensor<f64>) -> tensor<f64>
  func.return %r : tensor<f64>
}

// Negative: exp of an int32.
// CHECK-LABEL: func.func @int_exponent(
// CHECK-NOT:     tg.sigmoid
// CHECK:         %r = tg.mul %q, %e
// CHECK-NEXT:    func.return %r
func.func @int_exponent(%a: tensor<f64>, %u: tensor<i32>) -> tensor<f64> {
  %one = tg.constant dense<1.0> : tensor<f64>
  %e = tg.exp %u : tensor<i32> -> tensor<f64>
  %d = tg.add %one, %e : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %q = tg.true_div %a, %d : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %r = tg.mul %q, %e : (tensor<f64>, tensor<f64>) -> tensor<f64>
  func.return %r : tensor<f64>
}
