"""Random graphs for the pass tests: ``graph_cases()`` draws a ``GraphCase`` (plain data, see
``tests/passes/graph_expressions.py``, whose ``build_case`` makes its symbolic inputs and
outputs).

A graph is made of *templates*: subtree roots such as ``x * 1``, ``log(1 + x)``, a fill, a
dimshuffle of a dimshuffle, a cast round trip, a reduction, a plain unary or binary op, or a
subtree generated before (built again, so that CSE has identical ops to merge). Each template
names the patterns it is written for (``TEMPLATE_PATTERNS``); its constants are usually the
ones the pattern matches, sometimes a near miss it must leave alone (``x * 2``, ``log(2 + x)``).
Every subtree is float64; float32 and integer inputs enter through casts.

Shapes follow the frames of ``tests/tensor/test_properties.py``: a subtree generated for a
target frame has a frame that fits it (right-aligned; each axis the same label or ``BROADCAST``,
a static size 1), so that any two subtrees generated for one frame combine elementwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from tests.passes.graph_expressions import (
    BINARY,
    REDUCTIONS,
    UNARY,
    Apply,
    Expression,
    GraphCase,
    Input,
    InputSpec,
    Literal,
    PythonScalar,
)
from tests.passes.graph_templates import (
    TEMPLATE_WEIGHTS,
    TEMPLATES,
    Generated,
    binary,
    cast,
    merged,
    template,
    unary,
)
from tests.passes.stable_templates import StableTemplates
from tests.tensor.test_properties import (
    BROADCAST,
    LABELS,
    MAX_RANK,
    AxisArgument,
    DimShufflePattern,
    Frame,
    fits,
    padded_pattern,
)

NICE_FLOATS: tuple[float, ...] = (
    *sorted({n / 8 for n in range(-32, 33)}, key=lambda v: (abs(v), v)),
    *(0.0, -0.0) * 6,
    *(np.nan, np.inf, -np.inf) * 2,
)
"""Input values: exact in float32, and far from where a formula loses accuracy; zeros (whose
sign ``x + 0`` and ``x - 0`` must keep) are one in seven, NaN and infinities one in fourteen."""

EDGY_FLOATS: tuple[float, ...] = (-0.0, 0.0, 1.0, -1.0, 0.5, np.nan, np.inf, -np.inf)
"""The values of one float input in four: mostly zeros, NaN and infinities."""

LITERALS: tuple[PythonScalar, ...] = (0, 1, 2, 0.0, -0.0, 1.0, 2.0, -1, 0.5)
"""Python scalar operands (weakly typed: they take the other operand's float dtype)."""

FLOAT_LITERALS = tuple(value for value in LITERALS if isinstance(value, float))

# -- generating graphs ------------------------------------------------------------------------


class GraphGenerator(StableTemplates):
    """Draws random float64 subtrees for target frames, and the inputs they read (the
    templates of the stabilized forms are ``StableTemplates``'s)."""

    def __init__(self, draw: st.DrawFn):
        self.draw = draw
        self.sizes = {label: draw(st.integers(1, 3)) for label in LABELS}
        self.inputs: list[InputSpec] = []
        self.pool: list[Generated] = []

    def choice(self, options: Sequence[Any]) -> Any:
        return self.draw(st.sampled_from(options))

    def flip(self) -> bool:
        return self.draw(st.booleans())

    def generate(self, target: Frame, depth: int, root: str | None = None) -> Generated:
        """A subtree whose frame fits ``target``, its root drawn from ``TEMPLATES`` (a leaf when
        ``depth`` is 0) unless ``root`` names one."""
        if root is None:
            root = self.choice(WEIGHTED_TEMPLATES) if depth > 0 else "leaf"
        generated = TEMPLATES[root](self, target, max(depth - 1, 0))
        assert fits(generated.frame, target), (generated, target)
        self.pool.append(generated)
        return generated

    def subject(self, target: Frame, depth: int) -> Generated:
        """What a template applies to: an input half the time (so that zeros, NaN and
        infinities reach it as they are), else a subtree."""
        return self.generate(target, 0 if self.flip() else depth)

    def signed_zeros(self, target: Frame, depth: int) -> Generated:
        """Often a new input of mostly zeros, NaN and infinities, else a :meth:`subject`."""
        if self.flip():
            x = self.new_input("float64", target, edgy=True)
            return Generated(x, self.inputs[x.index].frame)
        return self.subject(target, depth)

    def operand(
        self, target: Frame, depth: int, literals: Sequence[PythonScalar] = LITERALS
    ) -> Generated:
        """A subtree, or sometimes a Python scalar from ``literals``."""
        if self.draw(st.integers(0, 3)) == 0:
            return Generated(Literal(self.choice(literals)), ())
        return self.generate(target, depth)

    # -- inputs and leaves --

    def new_input(
        self,
        dtype: str,
        target: Frame,
        *,
        exact: bool = False,
        static: bool = False,
        dynamic: bool = False,
        edgy: bool = False,
    ) -> Input:
        """A new input whose frame fits ``target`` (with ``exact``, is ``target``); its labelled
        axes have static sizes sometimes (with ``static``, always; with ``dynamic``, never); its
        values are ``EDGY_FLOATS`` sometimes (with ``edgy``, always)."""
        rank = len(target) if exact else self.draw(st.integers(0, len(target)))
        frame = tuple(
            entry if exact or entry == BROADCAST or self.draw(st.integers(0, 3)) else BROADCAST
            for entry in target[len(target) - rank :]
        )
        static_axes = tuple(
            entry != BROADCAST and not dynamic and (static or self.draw(st.integers(0, 3)) == 0)
            for entry in frame
        )
        shape = tuple(1 if entry == BROADCAST else self.sizes[entry] for entry in frame)
        if dtype.startswith("float"):
            values = EDGY_FLOATS if edgy or self.draw(st.integers(0, 3)) == 0 else NICE_FLOATS
            elements: st.SearchStrategy[Any] = st.sampled_from(values)
        elif dtype == "int8":
            # Now and then the extremes, where negation wraps (those of wider integers, as
            # floats, are above what the property test accepts).
            elements = st.one_of(*[st.integers(-4, 4)] * 7, st.sampled_from((-128, 127)))
        else:
            elements = st.integers(-4, 4)
        array = self.draw(hnp.arrays(dtype, shape, elements=elements))
        self.inputs.append(InputSpec(dtype, frame, static_axes, array))
        return Input(len(self.inputs) - 1)

    def input_of(self, dtype: str, target: Frame) -> Generated:
        """An input of ``dtype`` fitting ``target``: one already there, or a new one."""
        reusable = [
            index
            for index, spec in enumerate(self.inputs)
            if spec.dtype == dtype and fits(spec.frame, target)
        ]
        x = Input(self.choice(reusable)) if reusable and self.flip() else None
        if x is None:
            x = self.new_input(dtype, target)
        return Generated(x, self.inputs[x.index].frame)

    @template(weight=2)
    def t_leaf(self, target: Frame, depth: int) -> Generated:
        """A float64 input, an int or float32 input cast to float64, or a constant."""
        kind = self.choice(("float64", "float64", "float32", "int", "constant"))
        if kind == "constant":
            value = self.choice((0.0, -0.0, 1.0, 2.0, 0.5, -1.5))
            return Generated(Apply("constant", (), (value,)), ())
        if kind == "float64":
            return self.input_of("float64", target)
        x = self.input_of(self.choice(("int32", "int64")) if kind == "int" else "float32", target)
        return Generated(cast(x.expression, "float64"), x.frame)

    @template("FoldUselessCast")
    def t_float32_round_trip(self, target: Frame, depth: int) -> Generated:
        """``cast(cast(cast(x, float64), float32), float64)`` of a float32 ``x``: the inner pair
        folds away (float64 holds every float32)."""
        x = self.input_of("float32", target)
        there_and_back = cast(cast(x.expression, "float64"), "float32")
        return Generated(cast(there_and_back, "float64"), x.frame)

    @template("FoldUselessCast")
    def t_int_widening(self, target: Frame, depth: int) -> Generated:
        """``cast(cast(x, int64), float64) -> cast(x, float64)`` for an int32 ``x``."""
        x = self.input_of("int32", target)
        return Generated(cast(cast(x.expression, "int64"), "float64"), x.frame)

    @template()
    def t_int_arithmetic(self, target: Frame, depth: int) -> Generated:
        """An integer identity (``x * 1``, ``x + 0``, ``--x``, ``x ** 2``...) or near miss, or a
        float function of an integer (``1 - sigmoid(x)``, ``log(1 + x)``, ``exp(x) - 1``,
        whose float32 or float64 result the stabilizations must leave alone: negating an
        integer wraps), cast to float64."""
        integer = self.input_of(self.choice(("int8", "int16", "int32", "int64")), target)
        x = integer.expression
        kind = self.choice(("identity", "float"))
        if kind == "identity":
            op, literal = self.choice(
                (("mul", 1), ("mul", 2), ("add", 0), ("add", 1), ("sub", 0), ("pow", 1),
                 ("pow", 2), ("neg", None))
            )  # fmt: skip
            if op == "neg":
                result: Expression = unary("neg", unary("neg", x))
            else:
                result = binary(op, x, Literal(literal))
        else:
            shape = self.choice(
                ("one_minus_sigmoid", "log_sigmoid", "log_one_plus", "exp_minus_one",
                 "inv_one_plus_exp", "softplus")
            )  # fmt: skip
            if shape == "one_minus_sigmoid":
                result = binary("sub", Literal(1), unary("sigmoid", x))
            elif shape == "log_sigmoid":
                result = unary("log", unary("sigmoid", x))
            elif shape == "log_one_plus":
                result = unary("log", binary("add", Literal(1), x))
            elif shape == "exp_minus_one":
                result = binary("sub", unary("exp", x), Literal(1))
            elif shape == "inv_one_plus_exp":
                result = binary(
                    "true_div", Literal(1), binary("add", Literal(1), unary("exp", unary("neg", x)))
                )
            else:
                result = unary("softplus", unary("neg", x))
        return Generated(cast(result, "float64"), integer.frame)

    @template()
    def t_cast_round_trip(self, target: Frame, depth: int) -> Generated:
        """A float64 -> float32 -> float64 round trip (which rounds: nothing folds)."""
        x = self.subject(target, depth)
        return Generated(cast(cast(x.expression, "float32"), "float64"), x.frame)

    @template()
    def t_reuse(self, target: Frame, depth: int) -> Generated:
        """A subtree generated before (built again: CSE has identical ops to merge)."""
        candidates = [g for g in self.pool if fits(g.frame, target)]
        if not candidates:
            return self.generate(target, depth)
        return self.choice(candidates)  # type: ignore[no-any-return]

    # -- arithmetic --

    @template(weight=2)
    def t_unary(self, target: Frame, depth: int) -> Generated:
        x = self.subject(target, depth)
        return Generated(unary(self.choice(sorted(UNARY)), x.expression), x.frame)

    @template(weight=3)
    def t_binary(self, target: Frame, depth: int) -> Generated:
        left = self.generate(target, depth)
        right = self.operand(target, depth)
        if self.flip():
            left, right = right, left
        op = self.choice(sorted(BINARY))
        frame = merged(left.frame, right.frame)
        return Generated(binary(op, left.expression, right.expression), frame)

    @template("FoldMulOne")
    def t_mul_one(self, target: Frame, depth: int) -> Generated:
        x = self.subject(target, depth)
        one = Literal(self.choice((1, 1.0, 2, -1)))
        operands = (x.expression, one) if self.flip() else (one, x.expression)
        return Generated(Apply("mul", operands), x.frame)

    @template("FoldAddZero")
    def t_add_zero(self, target: Frame, depth: int) -> Generated:
        """``x + 0``: folds for ``-0.0`` (``0`` and ``0.0`` are +0.0, and ``-0.0 + 0.0`` is
        +0.0)."""
        x = self.signed_zeros(target, depth)
        zero = Literal(self.choice((-0.0, -0.0, 0, 0.0, 1)))
        operands = (x.expression, zero) if self.flip() else (zero, x.expression)
        return Generated(Apply("add", operands), x.frame)

    @template("FoldSubZero")
    def t_sub_zero(self, target: Frame, depth: int) -> Generated:
        """``x - 0``: folds for ``0`` and ``0.0`` (``x - -0.0`` turns -0.0 into +0.0)."""
        x = self.signed_zeros(target, depth)
        return Generated(
            binary("sub", x.expression, Literal(self.choice((0, 0.0, -0.0, 1)))), x.frame
        )

    @template("FoldNegNeg")
    def t_neg_neg(self, target: Frame, depth: int) -> Generated:
        x = self.subject(target, depth)
        return Generated(unary("neg", unary("neg", x.expression)), x.frame)

    @template(
        "HoistInvariantOutOfLoop",
        "PushSequenceWorkOutOfLoop",
        "MappedSliceIsTheSequence",
        "DropUnusedSequence",
        "DropUnusedNonSequence",
        "DropUnusedLoopOutput",
    )
    def t_loop(self, target: Frame, depth: int) -> Generated:
        """A scan over the subject's first axis: a map of elementwise ops, with or without a
        second output nothing reads."""
        x = self.subject(target, depth)
        kind = self.choice(("map", "unread"))
        return Generated(Apply("loop", (x.expression,), (kind,)), x.frame)

    @template("DropGradientBarrier")
    def t_gradient_barrier(self, target: Frame, depth: int) -> Generated:
        x = self.subject(target, depth)
        kind = self.choice(("disconnected", "zero", "clip"))
        return Generated(Apply("gradient_barrier", (x.expression,), (kind,)), x.frame)

    @template("FoldNegatedProduct")
    def t_negated_product(self, target: Frame, depth: int) -> Generated:
        """``-((-a) * b)``, ``-(b * (-a))`` or ``(-a) * (-b)``."""
        a, b = self.subject(target, depth), self.subject(target, depth)
        minus_a = unary("neg", a.expression)
        shape = self.choice(("outer", "inner", "both"))
        if shape == "outer":
            product = unary("neg", binary("mul", minus_a, b.expression))
        elif shape == "inner":
            product = unary("neg", binary("mul", b.expression, minus_a))
        else:
            product = binary("mul", minus_a, unary("neg", b.expression))
        return Generated(product, merged(a.frame, b.frame))

    @template("FoldPowOne")
    def t_pow_one(self, target: Frame, depth: int) -> Generated:
        x = self.subject(target, depth)
        return Generated(
            binary("pow", x.expression, Literal(self.choice((1, 1.0, 3, 0.5)))), x.frame
        )

    @template("PowTwoToMul")
    def t_pow_two(self, target: Frame, depth: int) -> Generated:
        x = self.subject(target, depth)
        return Generated(
            binary("pow", x.expression, Literal(self.choice((2, 2.0, 3, -2)))), x.frame
        )

    @template("ExpOfLog")
    def t_exp_log(self, target: Frame, depth: int) -> Generated:
        x = self.subject(target, depth)
        return Generated(unary("exp", unary("log", x.expression)), x.frame)

    @template("LogOfExp")
    def t_log_exp(self, target: Frame, depth: int) -> Generated:
        x = self.subject(target, depth)
        return Generated(unary("log", unary("exp", x.expression)), x.frame)

    @template()
    def t_merge_constants(self, target: Frame, depth: int) -> Generated:
        """``(x * c1) * c2`` or ``(x + c1) + c2``, which stay (``x * (c1 * c2)`` would round and
        overflow elsewhere); not with 1 or 0, which fold away."""
        x = self.subject(target, depth)
        op = self.choice(("mul", "add"))
        constants = (2, 2.0, 0.5, -1) if op == "mul" else (1, 2, 1.0, 0.5)
        c1, c2 = (Literal(self.choice(constants)) for _ in range(2))
        return Generated(binary(op, binary(op, x.expression, c1), c2), x.frame)

    @template("FoldConstants")
    def t_constant_expression(self, target: Frame, depth: int) -> Generated:
        """``x + f(c) * 2`` and the like, with ``c`` a constant: folded at compile time."""
        x = self.subject(target, depth)
        c = Apply("constant", (), (self.choice((0.5, 1.0, 2.0, -1.5)),))
        folded = binary(
            self.choice(("mul", "add", "sub")), unary(self.choice(sorted(UNARY)), c), Literal(2)
        )
        return Generated(binary("add", x.expression, folded), x.frame)

    # -- fills --

    def some_fill(self, target: Frame, depth: int, *, sinkable: bool = False) -> Generated:
        """``fill(x, v)``, ``zeros_like(x)`` or ``ones_like(x)`` (a Python int ``v`` would make
        an int64 fill: the value is a float). With ``sinkable``, ``x`` is often an input of
        dynamic shape, so that the fill is no constant, and an op above can sink into it."""
        if sinkable and self.draw(st.integers(0, 2)):
            x = self.new_input("float64", target, exact=True, dynamic=True)
            model = Generated(x, target)
        else:
            model = self.generate(target, depth)
        kind = self.choice(("fill", "zeros_like", "ones_like"))
        if kind != "fill":
            return Generated(unary(kind, model.expression), model.frame)
        value = self.operand(target, depth, FLOAT_LITERALS)
        frame = merged(model.frame, value.frame)
        return Generated(binary("fill", model.expression, value.expression), frame)

    @template(weight=2)
    def t_fill(self, target: Frame, depth: int) -> Generated:
        return self.some_fill(target, depth)

    @template("FoldFillOfConstant")
    def t_fill_of_constant(self, target: Frame, depth: int) -> Generated:
        """A constant filled into a shape known statically: a constant."""
        model = self.new_input("float64", target, static=True)
        frame = self.inputs[model.index].frame
        kind = self.choice(("fill", "zeros_like", "ones_like"))
        if kind == "fill":
            value = Literal(self.choice(FLOAT_LITERALS))
            return Generated(binary("fill", model, value), frame)
        return Generated(unary(kind, model), frame)

    @template("FoldFillOfSameShape")
    def t_fill_of_same_shape(self, target: Frame, depth: int) -> Generated:
        """``fill(x, v)`` where ``v`` has the result's type already."""
        value = self.new_input("float64", target)
        frame = self.inputs[value.index].frame
        model = self.input_of("float64", frame) if self.flip() else self.generate(frame, depth)
        return Generated(binary("fill", model.expression, value), merged(model.frame, frame))

    @template("FoldAllocOfSameShape")
    def t_alloc_of_same_shape(self, target: Frame, depth: int) -> Generated:
        """``alloc(v, *shape)`` where ``v`` has that static shape already."""
        value = self.new_input("float64", target, exact=True, static=True)
        sizes = tuple(1 if entry == BROADCAST else self.sizes[entry] for entry in target)
        return Generated(Apply("alloc", (value,), (sizes,)), target)

    @template()
    def t_alloc(self, target: Frame, depth: int) -> Generated:
        """``alloc(v, *sizes)``, each size static or the symbolic size of an input's axis."""
        value = self.operand(target, depth, FLOAT_LITERALS)
        sizes: list[int | tuple[int, int]] = []
        for entry in target:
            sources = [
                (index, axis)
                for index, spec in enumerate(self.inputs)
                for axis, other in enumerate(spec.frame)
                if other == entry != BROADCAST  # a symbolic 1 would not be broadcastable
            ]
            if sources and self.flip():
                sizes.append(self.choice(sources))
            else:
                sizes.append(1 if entry == BROADCAST else self.sizes[entry])
        return Generated(Apply("alloc", (value.expression,), (tuple(sizes),)), target)

    @template("SinkUnaryIntoFill")
    def t_unary_of_fill(self, target: Frame, depth: int) -> Generated:
        """``f(fill(x, v)) -> fill(x, f(v))``."""
        filled = self.some_fill(target, depth, sinkable=True)
        return Generated(unary(self.choice(sorted(UNARY)), filled.expression), filled.frame)

    @template("SinkScalarOperandIntoFill")
    def t_fill_with_scalar(self, target: Frame, depth: int) -> Generated:
        """``fill(x, v) * s -> fill(x, v * s)``, for any binary op and a Python scalar ``s``."""
        filled = self.some_fill(target, depth, sinkable=True)
        s = Literal(self.choice(LITERALS))
        op = self.choice(sorted(BINARY))
        operands = (filled.expression, s) if self.flip() else (s, filled.expression)
        return Generated(Apply(op, operands), filled.frame)

    @template("SinkFillIntoElementwise")
    def t_fill_in_elementwise(self, target: Frame, depth: int) -> Generated:
        """``y + fill(x, v) -> y + v`` where ``y`` gives the result its shape."""
        filled = self.some_fill(target, depth, sinkable=True)
        if self.flip():
            y = self.new_input("float64", filled.frame, exact=True, dynamic=True)
            other = Generated(y, filled.frame)
        else:
            other = self.generate(target, depth)
        op = self.choice(sorted(BINARY))
        frame = merged(other.frame, filled.frame)
        return Generated(binary(op, other.expression, filled.expression), frame)

    # -- shapes and reductions --

    @template(weight=2)
    def t_dimshuffle(self, target: Frame, depth: int) -> Generated:
        """Insert a broadcastable axis, permute the axes, or drop a broadcastable axis (as in
        ``tests/tensor/test_properties.py``)."""
        return self.shuffled(target, depth, None)

    @template("FoldDimShuffleOfDimShuffle")
    def t_dimshuffle_of_dimshuffle(self, target: Frame, depth: int) -> Generated:
        return self.shuffled(target, depth, "dimshuffle")

    def shuffled(self, target: Frame, depth: int, inner: str | None) -> Generated:
        kinds = []
        if len(target) >= 1:
            kinds.append("insert")
        if len(target) >= 2:
            kinds.append("permute")
        if len(target) < MAX_RANK:
            kinds.append("drop")
        kind = self.choice(kinds)
        if kind == "insert":
            position = self.draw(st.integers(0, len(target) - 1))
            child_target = target[:position] + target[position + 1 :]
            operand = self.generate(child_target, depth, inner)
            padded = padded_pattern(len(operand.frame), len(child_target))
            pattern = [*padded[:position], BROADCAST, *padded[position:]]
        elif kind == "permute":
            permutation = self.draw(st.permutations(range(len(target))))
            child_target = tuple(target[permutation.index(axis)] for axis in range(len(target)))
            operand = self.generate(child_target, depth, inner)
            padded = padded_pattern(len(operand.frame), len(child_target))
            pattern = [padded[axis] for axis in permutation]
        else:
            position = self.draw(st.integers(0, len(target)))
            child_target = (*target[:position], BROADCAST, *target[position:])
            operand = self.generate(child_target, depth, inner)
            padded = padded_pattern(len(operand.frame), len(child_target))
            pattern = padded[:position] + padded[position + 1 :]
        frame = tuple(
            BROADCAST if axis == BROADCAST else operand.frame[int(axis)] for axis in pattern
        )
        shuffle: DimShufflePattern = tuple(pattern)
        return Generated(Apply("dimshuffle", (operand.expression,), (shuffle,)), frame)

    @template("FoldDimShuffleOfDimShuffle", "FoldIdentityDimShuffle")
    def t_dimshuffle_and_back(self, target: Frame, depth: int) -> Generated:
        """``x.dimshuffle(p).dimshuffle(q)`` where ``q`` undoes ``p``: ``x`` again."""
        x = self.subject(target, depth)
        rank = len(x.frame)
        permutation: DimShufflePattern
        if rank >= 2 and self.flip():
            order = self.draw(st.permutations(range(rank)))
            permutation = tuple(order)
            inverse = tuple(order.index(axis) for axis in range(rank))
        else:  # insert a broadcastable axis, then drop it
            position = self.draw(st.integers(0, rank))
            permutation = (*range(position), BROADCAST, *range(position, rank))
            inverse = tuple(axis for axis in range(rank + 1) if axis != position)
        there = Apply("dimshuffle", (x.expression,), (permutation,))
        return Generated(Apply("dimshuffle", (there,), (inverse,)), x.frame)

    @template("FoldReshapeOfReshape")
    def t_reshape_round_trip(self, target: Frame, depth: int) -> Generated:
        """``reshape(flatten(x), x's shape)``, the shape given by static or symbolic sizes."""
        x = self.subject(target, depth)
        return self.reshaped(x, self.choice(("flatten", "reshape", "vector")))

    def reshaped(self, x: Generated, how: str, symbolic: bool = False) -> Generated:
        if not x.frame:
            return x
        if how == "vector" and BROADCAST in x.frame:
            how = "flatten"  # a shape vector would make the broadcastable axes non-broadcastable
        sizes = tuple(
            1 if entry == BROADCAST else (None if symbolic or self.flip() else self.sizes[entry])
            for entry in x.frame
        )
        return Generated(Apply("reshape_round_trip", (x.expression,), (how, sizes)), x.frame)

    @template("FoldStaticShape", "FoldReshapeOfReshape")
    def t_shape_of_static(self, target: Frame, depth: int) -> Generated:
        """A reshape to the symbolic shape of an input whose shape is static (and not all 1)."""
        x = self.new_input("float64", target, exact=True, static=True)
        return self.reshaped(Generated(x, self.inputs[x.index].frame), "flatten", symbolic=True)

    @template(weight=2)
    def t_reduction(self, target: Frame, depth: int) -> Generated:
        """A reduction whose result fits ``target`` (as in ``tests/tensor/test_properties.py``:
        explicit axes or all of them, keepdims or not)."""
        op = self.choice(sorted(REDUCTIONS))
        keepdims = self.flip()
        positions: list[int] = []
        if keepdims and target and self.flip():
            count = self.draw(st.integers(1, len(target)))
            positions = self.draw(st.permutations(range(len(target))))[:count]
            child_target = tuple(
                self.choice((*LABELS, BROADCAST)) if position in positions else entry
                for position, entry in enumerate(target)
            )
        elif not keepdims and len(target) < MAX_RANK and self.flip():
            child_entries: list[str | None] = [*target]
            for _ in range(self.draw(st.integers(1, MAX_RANK - len(target)))):
                child_entries.insert(self.draw(st.integers(0, len(child_entries))), None)
            positions = [i for i, entry in enumerate(child_entries) if entry is None]
            child_target = tuple(
                self.choice((*LABELS, BROADCAST)) if e is None else e for e in child_entries
            )
        else:
            length = len(target) if keepdims else self.draw(st.integers(0, MAX_RANK))
            child_target = tuple(self.choice((*LABELS, BROADCAST)) for _ in range(length))
        operand = self.generate(child_target, depth)
        offset = len(child_target) - len(operand.frame)
        axes = [position - offset for position in sorted(positions) if position >= offset]
        axis: AxisArgument
        if positions and axes:
            axis = axes[0] if len(axes) == 1 else tuple(axes)
            reduced = axes
        elif positions:  # none of the reduced axes is the operand's: reduce none
            axis, reduced = (), []
        else:
            axis, reduced = None, list(range(len(operand.frame)))
        if keepdims:
            frame = tuple(
                BROADCAST if i in reduced else entry for i, entry in enumerate(operand.frame)
            )
        else:
            frame = tuple(entry for i, entry in enumerate(operand.frame) if i not in reduced)
        return Generated(Apply("reduce", (operand.expression,), (op, axis, keepdims)), frame)


WEIGHTED_TEMPLATES = (
    tuple(
        name for name, weight in TEMPLATE_WEIGHTS.items() for _ in range(weight) if name != "leaf"
    )
    + ("leaf",) * TEMPLATE_WEIGHTS["leaf"]
)
"""Template names, each as often as its weight (Hypothesis starts from the first ones)."""

SHADOWED: dict[str, tuple[str, ...]] = {
    # log(1 - sigmoid(x)): the walker visits ops in order, so OneMinusSigmoid rewrites the
    # 1 - sigmoid(x) inside first, and LogSigmoidToSoftplus gives the same -softplus(x).
    "LogOneMinusSigmoidToSoftplus": ("OneMinusSigmoid",),
}
"""Patterns that never fire in the default pipeline, with the patterns that always rewrite their
graphs first (``test_pattern_fires_on_its_graph`` shows them with those excluded)."""


@st.composite
def graph_cases(draw: st.DrawFn, root: str | None = None) -> GraphCase:
    """Random outputs (one to three, sharing subexpressions), maybe an unused expression, maybe
    the gradients of the sum of the first output; the first output's root is ``root`` if given,
    and its frame has a labelled axis (a shape that is not static: a fill there stays a fill)."""
    generator = GraphGenerator(draw)
    outputs = []
    for index in range(draw(st.integers(1, 3))):
        target = tuple(draw(st.sampled_from((*LABELS, BROADCAST))) for _ in range(MAX_RANK))
        frame = target[draw(st.integers(0, MAX_RANK)) :]
        if index == 0 and all(entry == BROADCAST for entry in frame):
            frame = (*frame[1:], draw(st.sampled_from(LABELS)))
        depth = draw(st.integers(2, 4))
        output = generator.generate(frame, depth, root if index == 0 else None).expression
        if draw(st.integers(0, 5)) == 5:
            output = cast(output, "float32")
        outputs.append(output)
    unused = [generator.generate((), 1).expression for _ in range(draw(st.integers(0, 1)))]
    if not generator.inputs:
        generator.new_input("float64", ())
    return GraphCase(tuple(outputs), tuple(unused), draw(st.booleans()), tuple(generator.inputs))
