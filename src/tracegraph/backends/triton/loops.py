"""The Triton kernel of a ``tgk.loop`` and the launcher lines that run it (``LoopKernel``).

Three shapes of kernel, chosen from the loop's schedule:

- **flat**: a loop writing elements whose walked inputs are read on the domain's own axes
  (``single``, ``flat``, ``flat_or_nested``): one block of ``BLOCK`` consecutive elements per
  program, inputs read at the element's own offset (the launcher gives C-contiguous arrays,
  copying one that is not, as the C backend does), broadcast scalars read once;
- **strided**: a ``nested`` loop writing elements: the element's index split into the domain's
  axes (divisions only where the domain has several axes), each input read through its view's
  strides (0 where it broadcasts);
- **reduction**: the kept axes flattened into rows (``BK`` per program), the reduced axes into
  columns walked in chunks of ``BR`` with an accumulator per row: the whole row in registers
  when it fits one chunk, a loop otherwise; no atomics, so results do not depend on the
  schedule. Elements written beside the reductions are stored from the same tiles.

Static sizes are literals in the kernel; sizes known at run time are arguments. Offsets are
int64. Masked-off lanes compute on zeros (their results are never stored), so the helpers
that divide guard their divisor.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from xdsl.ir import SSAValue

from tracegraph.backends.text import IndentedBuffer
from tracegraph.backends.triton.scalar import (
    TRITON_SCALAR_RULES,
    TRITON_TYPES,
    Operand,
    TritonScalarEmitter,
    kind,
    triton_literal,
)
from tracegraph.ir import ops
from tracegraph.ir.types import dtype_of
from tracegraph.lowering.dialect import LoopOp

REDUCTION_KINDS: dict[type[ops.ReductionOp], str] = {
    ops.SumOp: "sum",
    ops.MeanOp: "sum",  # divided by the count at the end
    ops.ProdOp: "prod",
    ops.AnyOp: "any",
    ops.AllOp: "all",
    ops.MaxOp: "max",
    ops.MinOp: "min",
}
"""How a Triton loop accumulates each fusible reduction."""

# Triton's own combine functions: its interpreter reduces with NumPy where a reduction uses
# one of them (any other runs a Python call per element there).
SUM = "tl.standard._sum_combine"
MAX = "tl.standard._elementwise_max"
MIN = "tl.standard._elementwise_min"


_LOGICAL = {"sum": "any", "max": "any", "prod": "all", "min": "all"}


def reduction_kind(reduction: ops.ReductionOp) -> str:
    """How the loop accumulates ``reduction``: its ``REDUCTION_KINDS`` entry, or ``any`` /
    ``all`` where the result is bool (a sum or maximum of bools is their ``or``)."""
    how = REDUCTION_KINDS[type(reduction)]
    if dtype_of(reduction.result) == "bool":
        return _LOGICAL.get(how, how)
    return how


def _combine_extremum(how: str) -> Callable[[str, str, str], str]:
    def combine(acc: str, value: str, dtype: str) -> str:
        if kind(dtype) == "f":
            return f"tg_combine_{how}({acc}, {value})"
        return f"tl.{'maximum' if how == 'max' else 'minimum'}({acc}, {value})"

    return combine


_COMBINE: dict[str, Callable[[str, str, str], str]] = {
    "sum": lambda acc, value, dtype: f"{acc} + {value}",
    "prod": lambda acc, value, dtype: f"{acc} * {value}",
    "any": lambda acc, value, dtype: f"tl.maximum({acc}, {value})",
    "all": lambda acc, value, dtype: f"tl.minimum({acc}, {value})",
    "max": _combine_extremum("max"),
    "min": _combine_extremum("min"),
}
"""How the accumulators of two parts of a row combine, the later second (a maximum's later
equal zero wins, as in one part)."""


def accumulator_dtype(reduction: ops.ReductionOp) -> str:
    """float64 for float32 sums and means (as the C backend), int8 for ``any`` and ``all``,
    else the result's dtype."""
    how = reduction_kind(reduction)
    result = dtype_of(reduction.result)
    if how in ("any", "all"):
        return "int8"
    if how == "sum" and result == "float32":
        return "float64"
    return result


def _identity(how: str, dtype: str) -> str:
    if how in ("sum", "any"):
        return "0"
    if how in ("prod", "all"):
        return "1"
    largest = how == "min"
    if kind(dtype) == "f":
        return triton_literal(math.inf if largest else -math.inf, dtype)
    info = np.iinfo(dtype)
    return str(info.max if largest else info.min)


def split_index(out: IndentedBuffer, linear: str, sizes: dict[int, str], prefix: str) -> None:
    """Name ``{prefix}{d}`` the index on each axis ``d`` of ``sizes`` (in order; its size
    the expression ``sizes[d]``) of the linear index ``linear``, row-major over those axes.

    >>> out = IndentedBuffer()
    >>> split_index(out, "e", {0: "n0", 1: "4"}, "i")
    >>> out.lines
    ['i1 = e % 4', 'irest1 = e // 4', 'i0 = irest1']
    """
    axes = list(sizes)
    if len(axes) == 1:
        out.write(f"{prefix}{axes[0]} = {linear}")
        return
    rest = linear
    for position, d in enumerate(reversed(axes)):
        if position == len(axes) - 1:
            out.write(f"{prefix}{d} = {rest}")
        else:
            out.write(f"{prefix}{d} = {rest} % {sizes[d]}")
            out.write(f"{prefix}rest{d} = {rest} // {sizes[d]}")
            rest = f"{prefix}rest{d}"


@dataclass(frozen=True)
class _Input:
    value: SSAValue
    axes: tuple[int | None, ...]

    @property
    def scalar(self) -> bool:
        """Read at index 0 on every axis: one element for the whole loop."""
        return all(axis is None for axis in self.axes)


class LoopKernel:
    """The kernel ``name`` of one loop and its launch; ``var`` names the launcher's variable
    of every value of the function."""

    def __init__(self, loop: LoopOp, step: int, name: str, var: dict[SSAValue, str]):
        self.loop = loop
        self.step = step
        self.name = name
        self.var = var
        self.domain = loop.domain
        self.rank = len(self.domain)
        self.inputs = [
            _Input(value, axes) for value, axes in zip(loop.inputs, loop.get_views(), strict=True)
        ]
        self.reduced = loop.get_reduced_axes()
        self.kept = tuple(d for d in range(self.rank) if d not in self.reduced)
        self.reduces = any(loop.output_reduction(k) is not None for k in range(len(loop.outputs)))
        schedule = loop.get_schedule()
        self.flat = schedule != "nested"
        self.form = "reduction" if self.reduces else ("flat" if self.flat else "strided")
        self.scalars = TritonScalarEmitter()
        self.failures: list[tuple[int, str]] = []
        """The body's ops that can fail (position, message), filled as the kernel is written:
        the kernel then takes a flag buffer ``err``, one int8 per op of the body."""

    # -- names -------------------------------------------------------------------------------------

    def size(self, d: int) -> str:
        """The size of domain axis ``d`` in the kernel: a literal when static."""
        static = self.domain[d]
        return str(static) if static is not None else f"n{d}"

    def dynamic_axes(self) -> list[int]:
        return [d for d in range(self.rank) if self.domain[d] is None]

    @property
    def contiguous_reduction(self) -> bool:
        """Every axis reduced, inputs read on the domain's own axes: read at the element's
        offset from C-contiguous arrays, as the flat form."""
        return self.reduces and self.flat and not self.kept

    def strided_inputs(self) -> list[int]:
        if self.form == "flat" or self.contiguous_reduction:
            return []
        return [i for i, view in enumerate(self.inputs) if not view.scalar]

    def parameters(self) -> list[str]:
        """The kernel's parameters in order (pointers, sizes, strides; the block sizes are
        ``constexpr``)."""
        names = [f"a{i}" for i in range(len(self.inputs))]
        names += [f"o{k}" for k in range(len(self.loop.outputs))]
        names += [f"n{d}" for d in self.dynamic_axes()]
        for i in self.strided_inputs():
            names += [
                f"a{i}_s{d}" for d, axis in enumerate(self.inputs[i].axes) if axis is not None
            ]
        if self.failures:
            names.append("err")
        if self.bounded_by_argument:
            names.append("NR")
        if self.form == "reduction":
            names += [f"p{k}" for k in self.reduction_outputs()]
            names.append("SPAN")
        return names

    def reduction_outputs(self) -> list[int]:
        """The outputs a reduction accumulates (the others are written element by element)."""
        return [k for k in range(len(self.loop.outputs)) if self.loop.output_reduction(k)]

    @property
    def bounded_by_argument(self) -> bool:
        """Whether the reduction's loop runs to a size known at run time, the argument
        ``NR`` (marked ``: LOOP_BOUND``: see ``emit.module_variant``)."""
        return self.form == "reduction" and any(self.domain[d] is None for d in self.reduced)

    def constexprs(self) -> list[str]:
        return ["BK", "BR", "PARTIAL"] if self.form == "reduction" else ["BLOCK"]

    # -- the kernel --------------------------------------------------------------------------------

    def kernel(self, out: IndentedBuffer) -> None:
        """Write the kernel (its body first: the parameters depend on what it calls)."""
        body = IndentedBuffer()
        body.level = out.level + 1
        if self.form == "reduction":
            self._reduction_kernel(body)
        else:
            self._elementwise_kernel(body)
        parameters = [
            f"{p}: LOOP_BOUND" if p in ("NR", "SPAN") else p for p in self.parameters()
        ]  # emit.LOOP_BOUND
        params = ", ".join(parameters + [f"{c}: tl.constexpr" for c in self.constexprs()])
        out.write("@triton.jit")
        with out.indent(f"def {self.name}({params}):"):
            out.write(f'"""{self.loop.source_name()} at step {self.step}."""')
            out.lines.extend(body.lines)
        out.write("")

    def _total(self, axes: tuple[int, ...]) -> str:
        return " * ".join(self.size(d) for d in axes) or "1"

    def _split(self, out: IndentedBuffer, linear: str, axes: tuple[int, ...], prefix: str) -> None:
        split_index(out, linear, {d: self.size(d) for d in axes}, prefix)

    def _offset(self, i: int, axes: tuple[int, ...], prefix: str, linear: str) -> str:
        """Input ``i``'s offset from the indices ``{prefix}{d}`` of ``axes`` (``linear * 0``,
        a block of zeros, where it walks none of them)."""
        view = self.inputs[i].axes
        terms = [f"{prefix}{d} * a{i}_s{d}" for d in axes if view[d] is not None]
        return " + ".join(terms) or f"{linear} * 0"

    def _body(
        self, out: IndentedBuffer, loaded: dict[int, str], shape: str
    ) -> dict[SSAValue, Operand]:
        """The body's statements; ``loaded[i]`` names input ``i``'s block. Returns every body
        value's operand."""
        values: dict[SSAValue, Operand] = {}
        for i, arg in enumerate(self.loop.body.block.args):
            values[arg] = Operand(loaded[i], dtype_of(arg))
        for position, op in enumerate(self.loop.computed()):
            result = op.results[0]
            dtype = dtype_of(result)
            if isinstance(op, ops.ConstantOp):
                element = op.to_array().reshape(-1)[0]
                literal = triton_literal(element, dtype)
                expression = f"tl.full({shape}, {literal}, {TRITON_TYPES[dtype]})"
            else:
                operands = [values[operand] for operand in op.operands]
                expression = TRITON_SCALAR_RULES[type(op)](self.scalars, op, *operands)
                if self.scalars.failure is not None:
                    condition, message = self.scalars.failure
                    self.scalars.failure = None
                    self.failures.append((position, message))
                    # Lanes that fail store 1 (the same value: no atomics needed).
                    out.write(
                        f"tl.store(err + {position} + mask.to(tl.int64) * 0, 1, "
                        f"mask=mask & {condition})"
                    )
            out.write(f"t{position} = {expression}")
            values[result] = Operand(f"t{position}", dtype)
        return values

    def _load(self, out: IndentedBuffer, i: int, offset: str, mask: str, shape: str) -> None:
        if self.inputs[i].scalar:
            # Read once, then splat: a block like every other value (Triton's interpreter
            # mixes 0-d and block booleans badly).
            out.write(f"x{i} = tl.broadcast_to(tl.load(a{i}), {shape})")
        else:
            out.write(f"x{i} = tl.load(a{i} + {offset}, mask={mask}, other=0)")

    def _elementwise_kernel(self, out: IndentedBuffer) -> None:
        out.write("e = tl.program_id(0).to(tl.int64) * BLOCK + tl.arange(0, BLOCK)")
        out.write(f"mask = e < {self._total(tuple(range(self.rank)))}")
        if self.form == "strided":
            self._split(out, "e", tuple(range(self.rank)), "i")
        for i in range(len(self.inputs)):
            everything = tuple(range(self.rank))
            offset = "e" if self.form == "flat" else self._offset(i, everything, "i", "e")
            self._load(out, i, offset, "mask", "(BLOCK,)")
        values = self._body(out, {i: f"x{i}" for i in range(len(self.inputs))}, "(BLOCK,)")
        for k in range(len(self.loop.outputs)):
            value = values[self.loop.output_value(k)].as_(dtype_of(self.loop.outputs[k]))
            out.write(f"tl.store(o{k} + e, tl.broadcast_to({value}, (BLOCK,)), mask=mask)")

    def _reduction_kernel(self, out: IndentedBuffer) -> None:
        loop = self.loop
        rows, columns = self._total(self.kept), self._total(self.reduced)
        out.write("r = tl.program_id(0).to(tl.int64) * BK + tl.arange(0, BK)")
        out.write(f"row_mask = r < {rows}")
        strided = self.strided_inputs()
        if self.kept:
            self._split(out, "r", self.kept, "k")
        for i in strided:
            out.write(f"row{i} = {self._offset(i, self.kept, 'k', 'r')}")
        accumulators: dict[int, tuple[str, str]] = {}
        for k in range(len(loop.outputs)):
            reduction = loop.output_reduction(k)
            if reduction is None:
                continue
            how, acc = reduction_kind(reduction), accumulator_dtype(reduction)
            accumulators[k] = (how, acc)
            out.write(f"acc{k} = tl.full((BK,), {_identity(how, acc)}, {TRITON_TYPES[acc]})")
        written = [k for k in range(len(loop.outputs)) if k not in accumulators]
        if self.bounded_by_argument:
            columns = "NR"
        # This program's part of each row: SPAN columns from part * SPAN (one part: all).
        out.write("start = tl.program_id(1).to(tl.int64) * SPAN")
        with out.indent("for c0 in range(0, SPAN, BR):"):
            out.write("c = start + c0 + tl.arange(0, BR)")
            out.write(f"mask = row_mask[:, None] & (c < {columns})[None, :]")
            if self.reduced:
                self._split(out, "c", self.reduced, "j")
            for i in range(len(self.inputs)):
                if i in strided:
                    columns_offset = self._offset(i, self.reduced, "j", "c")
                    offset = f"row{i}[:, None] + ({columns_offset})[None, :]"
                else:  # contiguous, every axis reduced: BK is 1
                    offset = "c[None, :] + r[:, None] * 0"
                self._load(out, i, offset, "mask", "(BK, BR)")
            values = self._body(out, {i: f"x{i}" for i in range(len(self.inputs))}, "(BK, BR)")
            for k, (how, acc) in accumulators.items():
                value = values[loop.output_value(k)]
                self._accumulate(out, k, how, acc, value)
            for k in written:
                self._store_element(out, k, values[loop.output_value(k)])
        with out.indent("if PARTIAL:"):
            # Each part's accumulators, as they are; combine_kernel finishes them.
            for k in accumulators:
                out.write(f"tl.store(p{k} + tl.program_id(1) * {rows} + r, acc{k}, mask=row_mask)")
        with out.indent("else:"):
            for k in accumulators:
                out.write(f"tl.store(o{k} + r, {self._final(k, columns)}, mask=row_mask)")

    def _final(self, k: int, columns: str) -> str:
        """Output ``k``'s value from its accumulator ``acc{k}``: a mean divided by the count,
        cast to the result's dtype (``any``/``all``: ``!= 0``)."""
        reduction = self.loop.output_reduction(k)
        assert reduction is not None
        final = f"acc{k}"
        if isinstance(reduction, ops.MeanOp):
            final = f"acc{k} / ({columns})"
        if reduction_kind(reduction) in ("any", "all"):
            return f"({final} != 0)"
        return f"({final}).to({TRITON_TYPES[dtype_of(reduction.result)]})"

    def combine_kernel(self, out: IndentedBuffer, name: str) -> None:
        """The kernel that finishes a reduction split into parts: each row's accumulators of
        the parts (``p{k}``, ``PARTS`` x rows) folded in order, then finished as one part's
        would be."""
        outputs = self.reduction_outputs()
        pointers = ", ".join([*(f"p{k}" for k in outputs), *(f"o{k}" for k in outputs)])
        out.write("@triton.jit")
        with out.indent(
            f"def {name}({pointers}, ROWS, NR, PARTS: LOOP_BOUND, BLOCK: tl.constexpr):"
        ):
            out.write(f'"""The parts of the reduction of step {self.step}, combined."""')
            out.write("r = tl.program_id(0).to(tl.int64) * BLOCK + tl.arange(0, BLOCK)")
            out.write("row_mask = r < ROWS")
            for k in outputs:
                reduction = self.loop.output_reduction(k)
                assert reduction is not None
                how, acc = reduction_kind(reduction), accumulator_dtype(reduction)
                typed = TRITON_TYPES[acc]
                out.write(f"acc{k} = tl.full((BLOCK,), {_identity(how, acc)}, {typed})")
            with out.indent("for part in range(0, PARTS):"):
                for k in outputs:
                    reduction = self.loop.output_reduction(k)
                    assert reduction is not None
                    how, acc = reduction_kind(reduction), accumulator_dtype(reduction)
                    out.write(f"v{k} = tl.load(p{k} + part * ROWS + r, mask=row_mask, other=0)")
                    out.write(f"acc{k} = {_COMBINE[how](f'acc{k}', f'v{k}', acc)}")
            for k in outputs:
                out.write(f"tl.store(o{k} + r, {self._final(k, 'NR')}, mask=row_mask)")
        out.write("")

    def _accumulate(self, out: IndentedBuffer, k: int, how: str, acc: str, value: Operand) -> None:
        identity = _identity(how, acc)
        logical = how in ("any", "all")
        block = f"({value.expr} != 0).to(tl.int8)" if logical else value.as_(acc)
        tile = f"tl.where(mask, tl.broadcast_to({block}, (BK, BR)), {identity})"
        out.write(f"w{k} = {tile}")
        if how == "sum":
            out.write(f"acc{k} = acc{k} + tl.reduce(w{k}, 1, {SUM})")
        elif how == "any":
            out.write(f"acc{k} = tl.maximum(acc{k}, tl.reduce(w{k}, 1, {MAX}))")
        elif how == "prod":
            out.write(f"acc{k} = acc{k} * tl.reduce(w{k}, 1, tg_combine_mul)")
        elif how == "all":
            out.write(f"acc{k} = tl.minimum(acc{k}, tl.reduce(w{k}, 1, {MIN}))")
        else:
            out.write(f"m{k} = tl.reduce(w{k}, 1, {MAX if how == 'max' else MIN})")
            if kind(acc) == "f":
                self._exact_float_extremum(out, k, acc)
            out.write(f"acc{k} = tg_combine_{how}(acc{k}, m{k})")

    @staticmethod
    def _exact_float_extremum(out: IndentedBuffer, k: int, dtype: str) -> None:
        """Make the chunk's extremum ``m{k}`` the reference's fold's: NaN propagates (Triton's
        maximum drops it), and of equal zeros the last one's sign wins."""
        typed = TRITON_TYPES[dtype]
        one = f"tl.full((BK, BR), 1, {typed})"
        # The sign of a zero: 1 / -0.0 is -inf (a bitcast would say it too, but Triton 3.6's
        # interpreter does not reinterpret bits).
        reciprocal = f"tl.div_rn({one}, w{k})" if dtype == "float32" else f"({one} / w{k})"
        out.write(f"nan{k} = tl.reduce((w{k} != w{k}).to(tl.int8), 1, {MAX}) > 0")
        out.write(f"last{k} = tl.reduce(tl.where(w{k} == 0, c[None, :], -1), 1, {MAX})")
        out.write(
            f"negative{k} = tl.reduce(((c[None, :] == last{k}[:, None]) & "
            f"({reciprocal} < 0)).to(tl.int8), 1, {MAX}) > 0"
        )
        # -0.0 by a product: a literal -0.0 may become +0.0 on its way into Triton.
        out.write(f"zero{k} = tl.abs(m{k})")
        out.write(f"zero{k} = tl.where(negative{k}, zero{k} * -1.0, zero{k}).to({typed})")
        out.write(f"m{k} = tl.where(m{k} == 0, zero{k}, m{k})")
        out.write(f"m{k} = tl.where(nan{k}, float('nan'), m{k}).to({typed})")

    def _store_element(self, out: IndentedBuffer, k: int, value: Operand) -> None:
        """Store output ``k`` at the domain position of each element of the tile."""
        terms = []
        for d in range(self.rank):
            stride = " * ".join(self.size(e) for e in range(d + 1, self.rank)) or "1"
            index = f"k{d}[:, None]" if d in self.kept else f"j{d}[None, :]"
            terms.append(f"{index} * ({stride})")
        offset = " + ".join(terms) or "0"
        typed = value.as_(dtype_of(self.loop.outputs[k]))
        out.write(f"tl.store(o{k} + {offset}, tl.broadcast_to({typed}, (BK, BR)), mask=mask)")
