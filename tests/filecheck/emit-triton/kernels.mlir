// RUN: tracegraph-opt %s -p fuse,lower{target=triton} --emit triton | filecheck %s

// A float32 product: a blocked tl.dot kernel reading both operands through their strides
// (a transposed operand in place), IEEE float32 products (never tf32), accumulated in the
// result's dtype (Triton 3.6 accumulates in float32 unless told).

// CHECK:      def tg_dot_0(a, b, o, m, n, k, sam, sak, sbk, sbn, BM: tl.constexpr, BN: tl.constexpr, BK: tl.constexpr):
// CHECK:          for k0 in range(0, k, BK):
// CHECK:              acc = tl.dot(x, y, acc, input_precision="ieee", out_dtype=tl.float32)

// argmax: a (value, index) reduction kernel of its own; the first NaN wins, then the first
// index of the maximum, and a later chunk only when strictly better.

// CHECK:      def tg_arg_1(a, o, n0, n1, s0, s1, NR, BK: tl.constexpr, BR: tl.constexpr):
// CHECK:              first = tl.where(any_nan, first_nan, first)
// CHECK-NEXT:         take = (~best_nan) & ((m > best) | any_nan) & (first < (1 << 62))

// MRG31k3p: a lane per stream, the reference's int64 arithmetic, float64 samples scaled by
// 2**-31; the launcher checks the state and the sizes as the reference does.

// CHECK:      def tg_mrg_2(state, out, streams, total, steps, BLOCK: tl.constexpr):
// CHECK:          for k in range(0, steps):
// CHECK:              value = number.to(tl.float64) * tl.full((BLOCK,), 4.656612873077393e-10, tl.float64)
// CHECK:      def run(rt, c, v0, v1, v2):
// CHECK:          # step 2: tg.random.mrg_uniform at
// CHECK-NEXT:     if len(v2.shape) != 2 or v2.shape[1] != 6

func.func @f(%a: tensor<?x?xf32>, %b: tensor<?x?xf32>, %r: tensor<?x?xi32>) -> (tensor<?x?xf32>, tensor<?xi64>, tensor<?x?xi32>, tensor<4xf64>) {
  %p = tg.dot %a, %b : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  %i = tg.argmax %a {axes = array<i64: 1>, keepdims = false} : tensor<?x?xf32> -> tensor<?xi64>
  %size = tg.constant dense<4> : tensor<1xi64>
  %s, %u = tg.random.mrg_uniform %r, %size : (tensor<?x?xi32>, tensor<1xi64>) -> (tensor<?x?xi32>, tensor<4xf64>)
  func.return %p, %i, %s, %u : tensor<?x?xf32>, tensor<?xi64>, tensor<?x?xi32>, tensor<4xf64>
}
