// RUN: tracegraph-opt %s -p fuse,lower{target=triton} --emit triton | filecheck %s

// A row sum of exp(x) in float32: the kept axis becomes rows (BK per program), the reduced
// axis columns walked in chunks of BR (this program's part of them: SPAN columns from
// program_id(1) * SPAN; one part unless the runtime splits few long rows), each row
// accumulated in float64 (then cast to float32), with Triton's own sum combine (its
// interpreter reduces with NumPy there). A part's accumulators go to the parts' buffer p0
// when the rows are split (PARTIAL), and a second kernel combines them in order.

// CHECK:      def tg_loop_0(a0, o0, n0, n1, a0_s0, a0_s1, NR, p0, SPAN, BK: tl.constexpr, BR: tl.constexpr, PARTIAL: tl.constexpr):
// CHECK:          r = tl.program_id(0).to(tl.int64) * BK + tl.arange(0, BK)
// CHECK-NEXT:     row_mask = r < n0
// CHECK:          acc0 = tl.full((BK,), 0, tl.float64)
// CHECK-NEXT:     start = tl.program_id(1).to(tl.int64) * SPAN
// CHECK-NEXT:     for c0 in range(0, SPAN, BR):
// CHECK-NEXT:         c = start + c0 + tl.arange(0, BR)
// CHECK-NEXT:         mask = row_mask[:, None] & (c < NR)[None, :]
// CHECK:              x0 = tl.load(a0 + row0[:, None] + (j1 * a0_s1)[None, :], mask=mask, other=0)
// CHECK-NEXT:         t0 = libdevice.exp(x0)
// CHECK-NEXT:         w0 = tl.where(mask, tl.broadcast_to((t0).to(tl.float64), (BK, BR)), 0)
// CHECK-NEXT:         acc0 = acc0 + tl.reduce(w0, 1, tl.standard._sum_combine)
// CHECK-NEXT:     if PARTIAL:
// CHECK-NEXT:         tl.store(p0 + tl.program_id(1) * n0 + r, acc0, mask=row_mask)
// CHECK-NEXT:     else:
// CHECK-NEXT:         tl.store(o0 + r, (acc0).to(tl.float32), mask=row_mask)
// CHECK:      def tg_parts_0(p0, o0, ROWS, NR, PARTS, BLOCK: tl.constexpr):
// CHECK:          for part in range(0, PARTS):
// CHECK-NEXT:         v0 = tl.load(p0 + part * ROWS + r, mask=row_mask, other=0)
// CHECK-NEXT:         acc0 = acc0 + v0
// CHECK:          tl.store(o0 + r, (acc0).to(tl.float32), mask=row_mask)

// A column maximum: the reference's fold exactly (NaN propagates although Triton's maximum
// drops it; of equal zeros the last one's sign wins, read from 1/w), chunks combined later
// wins; a maximum over an empty axis is the reference's error.

// CHECK:      def tg_loop_1(
// CHECK:          acc0 = tl.full((BK,), float('-inf'), tl.float32)
// CHECK:              m0 = tl.reduce(w0, 1, tl.standard._elementwise_max)
// CHECK-NEXT:         nan0 = tl.reduce((w0 != w0).to(tl.int8), 1, tl.standard._elementwise_max) > 0
// CHECK-NEXT:         last0 = tl.reduce(tl.where(w0 == 0, c[None, :], -1), 1, tl.standard._elementwise_max)
// CHECK:              m0 = tl.where(nan0, float('nan'), m0).to(tl.float32)
// CHECK-NEXT:         acc0 = tg_combine_max(acc0, m0)
// CHECK:          if n0 == 0:
// CHECK-NEXT:         rt.fail(1, 1, 'value', f'tg.max of an array of shape {(n0, n1, )}: zero-size array to reduction operation maximum which has no identity', (rt.empty((n0, n1, ), 'float32'),))
// CHECK:              parts, span = rt.split(n1, n0, BK, BR)
// CHECK-NEXT:         if parts == 1:

func.func @f(%x: tensor<?x?xf32>) -> (tensor<?xf32>, tensor<?xf32>) {
  %e = tg.exp %x : tensor<?x?xf32> -> tensor<?x?xf32>
  %s = tg.sum %e {axes = array<i64: 1>, keepdims = false} : tensor<?x?xf32> -> tensor<?xf32>
  %m = tg.max %x {axes = array<i64: 0>, keepdims = false} : tensor<?x?xf32> -> tensor<?xf32>
  func.return %s, %m : tensor<?xf32>, tensor<?xf32>
}
