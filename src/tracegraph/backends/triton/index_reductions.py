"""``tg.argmax`` and ``tg.argmin`` as Triton kernels: a (value, index) reduction.

Lowering makes these ops host calls (no target computes them in a loop); the Triton emitter
gives them a kernel of their own instead of the runtime's array operation. The reduced axes,
taken together in C order, are the columns of a row; each program takes ``BK`` rows (the kept
axes flattened) and walks the columns in chunks of ``BR``, keeping the best value and its
index. NumPy's rules: the first of equal values wins, and a NaN beats every number (the first
NaN's index), so each chunk's candidate is its first NaN if it has one, else the first index
of its extremum, and a later chunk replaces the running one only when strictly better.
"""

from __future__ import annotations

import numpy as np
from xdsl.ir import SSAValue

from tracegraph.backends.text import IndentedBuffer
from tracegraph.backends.triton.loops import split_index
from tracegraph.backends.triton.scalar import SIGNATURE_TYPES, TRITON_TYPES, kind
from tracegraph.ir import ops
from tracegraph.ir.types import dtype_of, shape_of

MAX = "tl.standard._elementwise_max"
MIN = "tl.standard._elementwise_min"


def arg_reduction(
    op: ops.ArgmaxOp | ops.ArgminOp,
    step: int,
    name: str,
    var: dict[SSAValue, str],
    result: SSAValue,
    kernels: IndentedBuffer,
    launcher: IndentedBuffer,
    loop_bound: str,
) -> dict[str, str]:
    """Write the kernel ``name`` of ``op`` and its launch (``var`` names the launcher's
    values; ``result`` is the step's); returns the kernel's signature."""
    x = var[op.x]
    rank = len(shape_of(op.x))
    reduced = list(op.get_axes())
    kept = [d for d in range(rank) if d not in reduced]
    dtype = dtype_of(op.x)
    largest = isinstance(op, ops.ArgmaxOp)
    function = "argmax" if largest else "argmin"
    # -- the launch ------------------------------------------------------------------------------
    out = launcher
    out.write(f"a = {x}")
    for d in range(rank):
        out.write(f"n{d} = a.shape[{d}]")
    rows = " * ".join(f"n{d}" for d in kept) or "1"
    columns = " * ".join(f"n{d}" for d in reduced) or "1"
    dims = []
    for d in range(rank):
        if d not in reduced:
            dims.append(f"n{d}")
        elif op.get_keepdims():
            dims.append("1")
    out.write(f"{var[result]} = rt.empty(({''.join(f'{d}, ' for d in dims)}), 'int64')")
    if reduced:
        empty = " or ".join(f"n{d} == 0" for d in reduced)
        with out.indent(f"if {empty}:"):
            message = (
                f"f'{op.name} of an array of shape {{tuple(a.shape)}}: attempt to get "
                f"{function} of an empty sequence'"
            )
            out.write(f"rt.fail({step}, 0, 'value', {message}, (a,))")
    sizes = "".join(f"n{d}, " for d in range(rank))
    strides = "".join(f"rt.strides(a)[{d}], " for d in range(rank))
    with out.indent(f"if {rows} > 0:"):
        out.write(f"BK, BR = rt.tile({rows}, {columns})")
        out.write(
            f"rt.launch({name}, (rt.cdiv({rows}, BK),), (a, {var[result]}, {sizes}{strides}"
            f"{columns}, BK, BR))"
        )
    # -- the kernel ------------------------------------------------------------------------------
    k = kernels
    load_type = "tl.int8" if dtype == "bool" else TRITON_TYPES[dtype]
    if kind(dtype) == "f":
        worst = "float('-inf')" if largest else "float('inf')"
    elif dtype == "bool":
        worst = "0" if largest else "1"
    else:
        info = np.iinfo(dtype)
        worst = str(info.min if largest else info.max)
    parameters = ", ".join(
        ["a", "o", *(f"n{d}" for d in range(rank)), *(f"s{d}" for d in range(rank))]
    )
    k.write("@triton.jit")
    with k.indent(f"def {name}({parameters}, NR{loop_bound}, BK: tl.constexpr, BR: tl.constexpr):"):
        k.write(f'"""{op.name} at step {step}: a (value, index) reduction."""')
        k.write("r = tl.program_id(0).to(tl.int64) * BK + tl.arange(0, BK)")
        k.write(f"row_mask = r < {rows}")
        if kept:
            split_index(k, "r", {d: f"n{d}" for d in kept}, "k")
        row = " + ".join(f"k{d} * s{d}" for d in kept) or "r * 0"
        k.write(f"row = {row}")
        k.write(f"best = tl.full((BK,), {worst}, {load_type})")
        k.write("best_index = tl.full((BK,), 0, tl.int64)")
        k.write("best_nan = tl.full((BK,), 0, tl.int1)")
        with k.indent("for c0 in range(0, NR, BR):"):
            k.write("c = c0 + tl.arange(0, BR)")
            k.write("mask = row_mask[:, None] & (c < NR)[None, :]")
            if reduced:
                split_index(k, "c", {d: f"n{d}" for d in reduced}, "j")
            column = " + ".join(f"j{d} * s{d}" for d in reduced) or "c * 0"
            k.write(
                f"w = tl.load(a + row[:, None] + ({column})[None, :], mask=mask, "
                f"other={worst}).to({load_type})"
            )
            k.write(f"w = tl.where(mask, w, {worst})")
            k.write(f"m = tl.reduce(w, 1, {MAX if largest else MIN})")
            k.write("never = tl.full((BK, BR), 1 << 62, tl.int64)")
            k.write("columns = tl.broadcast_to(c[None, :], (BK, BR))")
            k.write(f"first = tl.reduce(tl.where(w == m[:, None], columns, never), 1, {MIN})")
            if kind(dtype) == "f":
                k.write("nan = (w != w) & mask")
                k.write(f"any_nan = tl.reduce(nan.to(tl.int8), 1, {MAX}) > 0")
                k.write(f"first_nan = tl.reduce(tl.where(nan, columns, never), 1, {MIN})")
                k.write("first = tl.where(any_nan, first_nan, first)")
                better = f"(m {'>' if largest else '<'} best) | any_nan"
                k.write(f"take = (~best_nan) & ({better}) & (first < (1 << 62))")
                k.write("best_nan = best_nan | any_nan")
            else:
                better = f"m {'>' if largest else '<'} best"
                k.write(f"take = ({better}) & (first < (1 << 62))")
            k.write("best = tl.where(take, m, best)")
            k.write("best_index = tl.where(take, first, best_index)")
        k.write("tl.store(o + r, best_index, mask=row_mask)")
    k.write("")
    signature = {"a": "*" + SIGNATURE_TYPES[dtype], "o": "*i64"}
    signature |= {f"n{d}": "i64" for d in range(rank)}
    signature |= {f"s{d}": "i64" for d in range(rank)}
    signature |= {"NR": "i64", "BK": "constexpr", "BR": "constexpr"}
    return signature
