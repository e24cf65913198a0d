"""The templates of the stabilized forms, for the random graphs: the logistic forms,
``log1p``/``expm1``, ``log1mexp``, the softmax family, log-sum-exp, switch sinking, and ties of
``maximum``/``minimum`` and ``max``/``min``. ``GraphGenerator`` (``random_graphs.py``) mixes
them in and supplies the drawing methods they call (``subject``, ``operand``, ``new_input``...).
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from tests.passes.graph_expressions import Apply, Expression, Literal
from tests.passes.graph_templates import Generated, binary, merged, template, unary
from tests.tensor.test_properties import BROADCAST, Frame


class StableTemplates:
    """Templates of the stabilized forms (a mixin of ``GraphGenerator``)."""

    # The drawing methods and state of GraphGenerator, which mixes this class in.
    draw: Any
    inputs: list[Any]
    choice: Any
    flip: Any
    subject: Any
    generate: Any
    operand: Any
    signed_zeros: Any
    new_input: Any

    def sigmoid_of(self, x: Expression) -> Expression:
        """``sigmoid(x)``, or spelled out as ``1 / (1 + exp(-x))``."""
        return unary("sigmoid", x) if self.flip() else Apply("sigmoid_formula", (x,))

    def one(self) -> Literal:
        """1, usually, or a near miss the stabilizations must leave alone."""
        return Literal(self.choice((1, 1.0, 1, 1.0, 2, -1)))

    @template("InvOnePlusExpToSigmoid")
    def t_inv_one_plus_exp(self, target: Frame, depth: int) -> Generated:
        """``1 / (1 + exp(u))`` or ``1 / (exp(u) + 1)``, ``u`` being ``x`` or ``-x``."""
        x = self.subject(target, depth)
        u = unary("neg", x.expression) if self.flip() else x.expression
        exp, one = unary("exp", u), self.one()
        denominator = binary("add", one, exp) if self.flip() else binary("add", exp, one)
        return Generated(binary("true_div", self.one(), denominator), x.frame)

    @template("ExpOverOnePlusExpToSigmoid")
    def t_exp_over_one_plus_exp(self, target: Frame, depth: int) -> Generated:
        x = self.subject(target, depth)
        return Generated(Apply("exp_over_one_plus_exp", (x.expression,)), x.frame)

    @template("OneMinusSigmoid")
    def t_one_minus_sigmoid(self, target: Frame, depth: int) -> Generated:
        x = self.subject(target, depth)
        return Generated(binary("sub", self.one(), self.sigmoid_of(x.expression)), x.frame)

    @template("LogSigmoidToSoftplus")
    def t_log_sigmoid(self, target: Frame, depth: int) -> Generated:
        x = self.subject(target, depth)
        return Generated(unary("log", self.sigmoid_of(x.expression)), x.frame)

    @template("OneMinusSigmoid", "LogSigmoidToSoftplus")
    def t_log_one_minus_sigmoid(self, target: Frame, depth: int) -> Generated:
        """``log(1 - sigmoid(x))``: ``OneMinusSigmoid`` rewrites the inner ``1 - sigmoid(x)``
        before ``LogOneMinusSigmoidToSoftplus`` sees the log (see ``SHADOWED``)."""
        x = self.subject(target, depth)
        one_minus = binary("sub", self.one(), self.sigmoid_of(x.expression))
        return Generated(unary("log", one_minus), x.frame)

    @template("LogOnePlusExpToSoftplus")
    def t_log_one_plus_exp(self, target: Frame, depth: int) -> Generated:
        """``log(1 + exp(x))``, ``log(exp(x) + 1)`` or ``log1p(exp(x))``."""
        x = self.subject(target, depth)
        exp, one = unary("exp", x.expression), self.one()
        shape = self.choice(("log1p", "left", "right"))
        if shape == "log1p":
            return Generated(unary("log1p", exp), x.frame)
        plus = binary("add", one, exp) if shape == "left" else binary("add", exp, one)
        return Generated(unary("log", plus), x.frame)

    @template("LogOnePlusToLog1p")
    def t_log_one_plus(self, target: Frame, depth: int) -> Generated:
        x = self.subject(target, depth)
        one = self.one()
        plus = binary("add", one, x.expression) if self.flip() else binary("add", x.expression, one)
        return Generated(unary("log", plus), x.frame)

    @template("ExpMinusOneToExpm1")
    def t_exp_minus_one(self, target: Frame, depth: int) -> Generated:
        """``exp(x) - 1``, or ``exp(x) + (-1)`` and ``-1 + exp(x)`` (with near misses)."""
        x = self.subject(target, depth)
        exp = unary("exp", x.expression)
        if self.flip():
            return Generated(binary("sub", exp, self.one()), x.frame)
        minus_one = Literal(-self.one().value)
        plus = binary("add", minus_one, exp) if self.flip() else binary("add", exp, minus_one)
        return Generated(plus, x.frame)

    @template("DivOnePlusExpTimesExpToSigmoid")
    def t_div_one_plus_exp_times_exp(self, target: Frame, depth: int) -> Generated:
        """``(a / (1 + exp(u))) * exp(u)`` with one ``exp(u)``, as gradients write it."""
        u = self.subject(target, depth)
        a = self.operand(target, depth)
        frame = merged(a.frame, u.frame)
        return Generated(Apply("div_one_plus_exp_times_exp", (a.expression, u.expression)), frame)

    # -- log1mexp, softmax, log-sum-exp, switch, ties --

    def with_an_axis(self, target: Frame, depth: int) -> Generated:
        """A :meth:`subject` of rank 1 or more (a new input of the target's frame if the
        subject has no axis and the target has one)."""
        x = self.subject(target, depth)
        if not x.frame and target:
            x = Generated(self.new_input("float64", target, exact=True), target)
        return x

    @template("LogOneMinusExpToLog1mexp")
    def t_log_one_minus_exp(self, target: Frame, depth: int) -> Generated:
        """``log(1 - exp(u))`` or ``log1p(-exp(u))``, ``u`` being ``x`` or ``-|x|`` (at most 0,
        where the function is real)."""
        x = self.subject(target, depth)
        u = unary("neg", unary("abs", x.expression)) if self.flip() else x.expression
        return Generated(unary(self.choice(("log_one_minus_exp", "log1p_neg_exp")), u), x.frame)

    @template(
        "ExpOverSumExpToSoftmax",
        "LogOfSoftmaxToLogSoftmax",
        "SoftmaxToExpOverSum",
        "LogSoftmaxToShiftedLogSumExp",
    )
    def t_softmax(self, target: Frame, depth: int) -> Generated:
        """A softmax over one axis: the op, written out (the sum's axis kept by ``keepdims`` or a
        dimshuffle), its log (also of the written-out form, or through an index), or the
        log-softmax op."""
        x = self.with_an_axis(target, depth)
        if not x.frame:
            return x
        axis = self.draw(st.integers(0, len(x.frame) - 1))
        forms = ["softmax", "formula", "log_of_softmax", "log_of_softmax_formula", "log_softmax"]
        if x.frame[axis] != BROADCAST:  # indexing gives a size that is not static
            forms.append("log_softmax_picked")
        form = self.choice(forms)
        if form == "formula":
            return Generated(
                Apply("softmax_formula", (x.expression,), (axis, self.flip())), x.frame
            )
        return Generated(Apply(form, (x.expression,), (axis,)), x.frame)

    @template("LogSumExpToShifted")
    def t_log_sum_exp(self, target: Frame, depth: int) -> Generated:
        """``log(sum(exp(x), axis))``, the axis kept (``keepdims``, or a dimshuffle after)."""
        x = self.with_an_axis(target, depth)
        if not x.frame:
            return x
        axis = self.draw(st.integers(0, len(x.frame) - 1))
        frame = tuple(BROADCAST if a == axis else entry for a, entry in enumerate(x.frame))
        return Generated(Apply("log_sum_exp", (x.expression,), (axis, self.flip())), frame)

    @template()
    def t_switch(self, target: Frame, depth: int) -> Generated:
        """``switch(c > 0, a, b)``, a branch sometimes a Python scalar."""
        condition = self.subject(target, depth)
        a, b = self.operand(target, depth), self.operand(target, depth)
        frame = merged(condition.frame, merged(a.frame, b.frame))
        expression = Apply("switch_positive", (condition.expression, a.expression, b.expression))
        return Generated(expression, frame)

    @template("MulSwitchSink", "DivSwitchSink")
    def t_switch_sink(self, target: Frame, depth: int) -> Generated:
        """``switch(c > 0, x, 0) * y`` or ``/ y`` (the zero on either side, the switch on either
        side of the product): the form of the gradient of a guarded ``sqrt`` or ``log``."""
        condition, x = self.subject(target, depth), self.subject(target, depth)
        y = self.signed_zeros(target, depth)
        zero = Literal(self.choice((0, 0.0, 0, 1)))
        branches = (x.expression, zero) if self.flip() else (zero, x.expression)
        switch = Apply("switch_positive", (condition.expression, *branches))
        op = self.choice(("mul", "true_div"))
        operands = (y.expression, switch) if op == "mul" and self.flip() else (switch, y.expression)
        frame = merged(merged(condition.frame, x.frame), y.frame)
        return Generated(Apply(op, operands), frame)

    @template()
    def t_tied_extremum(self, target: Frame, depth: int) -> Generated:
        """``maximum``/``minimum`` of a value and itself, or a ``max``/``min`` reduction of a
        clipped value (ties of several elements), whose gradients must count a tie once."""
        x = self.subject(target, depth)
        if self.flip() or not x.frame:
            op = self.choice(("maximum", "minimum"))
            return Generated(binary(op, x.expression, x.expression), x.frame)
        clipped = Apply("clip", (x.expression, Literal(-0.5), Literal(0.5)))
        axis = self.draw(st.integers(0, len(x.frame) - 1))
        frame = tuple(BROADCAST if a == axis else entry for a, entry in enumerate(x.frame))
        reduction = Apply("reduce", (clipped,), (self.choice(("max", "min")), axis, True))
        return Generated(reduction, frame)
