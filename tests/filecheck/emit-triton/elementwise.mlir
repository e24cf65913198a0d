// RUN: tracegraph-opt %s -p fuse,lower{target=triton} --emit triton | filecheck %s

// A fused chain in float32: a flat kernel (contiguous inputs, read at the element's offset;
// the launcher copies an input that is not contiguous), libdevice's tanh, an exactly rounded
// division (tl.div_rn: Triton's / is approximate in float32), the constant splat as a block.
// The launcher checks the sizes of the inputs against each other and names the body's op
// that reads both.

// CHECK:      @triton.jit
// CHECK-NEXT: def tg_loop_0(a0, a1, o0, n0, BLOCK: tl.constexpr):
// CHECK:          e = tl.program_id(0).to(tl.int64) * BLOCK + tl.arange(0, BLOCK)
// CHECK-NEXT:     mask = e < n0
// CHECK-NEXT:     x0 = tl.load(a0 + e, mask=mask, other=0)
// CHECK-NEXT:     x1 = tl.load(a1 + e, mask=mask, other=0)
// CHECK-NEXT:     t0 = tl.full((BLOCK,), 3.0, tl.float32)
// CHECK-NEXT:     t1 = libdevice.tanh(x0)
// CHECK-NEXT:     t2 = (t1 * x1)
// CHECK-NEXT:     t3 = tl.div_rn(t2, t0)
// CHECK-NEXT:     tl.store(o0 + e, tl.broadcast_to(t3, (BLOCK,)), mask=mask)
// CHECK:      def run(rt, c, v0, v1):
// CHECK:          # step 0: tg.fused at
// CHECK-NEXT:     a0 = rt.contiguous(v0)
// CHECK-NEXT:     a1 = rt.contiguous(v1)
// CHECK-NEXT:     n0 = a0.shape[0]
// CHECK-NEXT:     if a1.shape[0] != n0:
// CHECK-NEXT:         rt.fail(0, 3, 'shape', f"operands have sizes
// CHECK:          if n0 > 0:
// CHECK-NEXT:         BLOCK = rt.block(n0)
// CHECK-NEXT:         rt.launch(tg_loop_0, (rt.cdiv(n0, BLOCK),), (a0, a1, v3, n0, BLOCK))

// A transposed read: a strided kernel (the element's index split into the domain's axes,
// each input read through its strides), with the static size 3 baked in; floor division of
// int32 by a helper that guards the divisor.

// CHECK:      def tg_loop_0(a0, a1, o0, n0, a0_s0, a0_s1, a1_s0, a1_s1, BLOCK: tl.constexpr):
// CHECK:          mask = e < n0 * 3
// CHECK-NEXT:     i1 = e % 3
// CHECK-NEXT:     irest1 = e // 3
// CHECK-NEXT:     i0 = irest1
// CHECK-NEXT:     x0 = tl.load(a0 + i0 * a0_s0 + i1 * a0_s1, mask=mask, other=0)
// CHECK-NEXT:     x1 = tl.load(a1 + i0 * a1_s0 + i1 * a1_s1, mask=mask, other=0)
// CHECK-NEXT:     t0 = tg_floordiv_i(x1, x0)

func.func @f(%x: tensor<?xf32>, %y: tensor<?xf32>) -> tensor<?xf32> {
  %c = tg.constant dense<3.000000e+00> : tensor<1xf32>
  %t = tg.tanh %x : tensor<?xf32> -> tensor<?xf32>
  %m = tg.mul %t, %y : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  %d = tg.true_div %m, %c : (tensor<?xf32>, tensor<1xf32>) -> tensor<?xf32>
  func.return %d : tensor<?xf32>
}

func.func @g(%a: tensor<3x?xi32>, %b: tensor<?x3xi32>) -> tensor<?x3xi32> {
  %t = tg.dimshuffle %a {order = array<i64: 1, 0>} : tensor<3x?xi32> -> tensor<?x3xi32>
  %q = tg.int_div %t, %b : (tensor<?x3xi32>, tensor<?x3xi32>) -> tensor<?x3xi32>
  func.return %q : tensor<?x3xi32>
}
