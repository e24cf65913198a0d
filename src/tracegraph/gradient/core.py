"""Reverse-mode differentiation of symbolic graphs: ``grad``, ``jacobian``, ``hessian``.

``grad`` walks the graph from the cost back to the variables asked for, applying the VJP rule of
each op (``VJP_RULES``) and adding up the contributions of every path (or, for a composition
whose op-by-op gradient overflows, its stable rule: ``gradient/stable.py``). Gradients only
flow through floating-point values: integers, booleans and ops marked ``NotDifferentiable``
pass none, so a variable that reaches the cost only through them gets a zero gradient; a
variable asked for that is itself an integer gets the gradient a float would, as in Theano. A
variable the cost does not depend on at all is *disconnected* (``disconnected_inputs`` decides
what happens).
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Literal, overload

import numpy as np
from xdsl.ir import Operation, SSAValue

from tracegraph.config import config
from tracegraph.errors import (
    DisconnectedInputError,
    UndefinedGradientError,
    UnsupportedOperationError,
)
from tracegraph.gradient.rules import (
    VJP_RULES,
    MultiResultRule,
    NotDifferentiable,
    UndefinedGradient,
    match_type,
)
from tracegraph.gradient.stable import COMPOSITE_RULES
from tracegraph.ir import ops
from tracegraph.ir.location import format_location
from tracegraph.ir.types import is_tensor
from tracegraph.tensor import basic, shapes
from tracegraph.tensor.variable import TensorLike, TensorVariable, as_tensor_variable, wrap_value

DisconnectedPolicy = Literal["ignore", "warn", "raise"]
ReturnDisconnected = Literal["zero", "none", "disconnected"]


def _is_float(value: SSAValue) -> bool:
    return is_tensor(value) and np.dtype(TensorVariable(value).dtype).kind == "f"


def _is_numeric(value: SSAValue) -> bool:
    return is_tensor(value) and np.dtype(TensorVariable(value).dtype).kind in "biuf"


def _ancestors(
    roots: Iterable[SSAValue], stops: set[SSAValue]
) -> tuple[list[Operation], set[SSAValue]]:
    """The ops the roots depend on in topological order, and every value reached.

    The walk does not go past ``stops`` (``consider_constant``)."""
    order: list[Operation] = []
    reached: set[SSAValue] = set()
    done: set[int] = set()
    stack: list[tuple[SSAValue, bool]] = [(root, False) for root in roots]
    while stack:
        value, expanded = stack.pop()
        op = value.owner
        if expanded:
            if isinstance(op, Operation) and id(op) not in done:
                done.add(id(op))
                order.append(op)
            continue
        if value in reached:
            continue
        reached.add(value)
        if value in stops or not isinstance(op, Operation):
            continue
        if isinstance(op, ops.DisconnectedGradOp):
            continue  # what lies beyond is disconnected, as in Theano
        stack.append((value, True))
        stack.extend((operand, False) for operand in reversed(op.operands))
    return order, reached


class _Accumulator:
    """The gradient contributions received by each value, summed on demand. The gradient of a
    value in ``fixed`` (``known_grads``) is its seed alone: contributions reaching it from the
    cost are dropped, as in Theano."""

    def __init__(self, seeds: Mapping[SSAValue, TensorVariable], fixed: set[SSAValue]) -> None:
        self.contributions: dict[SSAValue, list[TensorVariable]] = {
            value: [seed] for value, seed in seeds.items()
        }
        self.fixed = fixed

    def add(self, value: SSAValue, gradient: TensorVariable) -> None:
        if value not in self.fixed:
            self.contributions.setdefault(value, []).append(gradient)

    def total(self, value: SSAValue) -> TensorVariable | None:
        parts = self.contributions.get(value)
        if not parts:
            return None
        return functools.reduce(lambda a, b: a + b, parts)


def _backpropagate(
    roots: Mapping[SSAValue, TensorVariable],
    known: set[SSAValue],
    wrt: Sequence[TensorVariable],
    consider_constant: set[SSAValue],
) -> tuple[dict[SSAValue, TensorVariable | None], set[SSAValue]]:
    """The gradient of each ``wrt`` (``None`` where none flows) and the set of values reached.
    ``roots`` maps the cost and each value of ``known`` (``known_grads``) to its gradient."""
    order, reached = _ancestors(roots, consider_constant)
    targets = {v.value for v in wrt}
    # A value carries a gradient if it is float and depends on some target. A target of any
    # numeric dtype receives one (an integer input's gradient is computed as for a float one, as
    # in Theano); the integer values computed from it carry none.
    live: set[SSAValue] = {t for t in targets if _is_numeric(t)}
    for op in order:
        if any(operand in live for operand in op.operands):
            live.update(r for r in op.results if r not in consider_constant and _is_float(r))
    # A composite rule must not look through a value whose gradient is asked for, known, or
    # stopped: a ``wrt`` inside ``log(sigmoid(x))`` (``sigmoid(x)``) needs its own gradient.
    barriers = consider_constant | set(roots) | targets
    gradients = _Accumulator(roots, known)
    for op in reversed(order):
        rule = VJP_RULES.get(type(op))
        if isinstance(rule, UndefinedGradient):
            _check_no_gradient_through(op, rule, live, gradients)
            continue
        if isinstance(rule, MultiResultRule):
            _multi_result_gradients(op, rule, live, gradients)
            continue
        result = op.results[0]
        if result not in live:
            continue
        g = gradients.total(result)
        if g is None:
            continue
        gradients.contributions[result] = [g]
        composite = _composite_gradients(op, g, barriers)
        if composite is not None:
            for value, contribution in composite:
                if value in live:
                    gradients.add(value, match_type(contribution, TensorVariable(value)))
            continue
        if rule is None:
            raise NotImplementedError(f"grad: no gradient rule for {op.name}")
        if isinstance(rule, NotDifferentiable):
            continue
        operands = [TensorVariable(v) for v in op.operands]
        for operand, operand_gradient in zip(
            operands, rule(op, operands, TensorVariable(result), g), strict=True
        ):
            if operand_gradient is not None and operand.value in live:
                gradients.add(operand.value, match_type(operand_gradient, operand))
    return {t: gradients.total(t) for t in targets}, reached


def _multi_result_gradients(
    op: Operation, rule: MultiResultRule, live: set[SSAValue], gradients: _Accumulator
) -> None:
    """Apply the rule of an op with several results to the gradients its results received."""
    received = [gradients.total(r) if r in live else None for r in op.results]
    if all(g is None for g in received):
        return
    for result, g in zip(op.results, received, strict=True):
        if g is not None:
            gradients.contributions[result] = [g]
    operands = [wrap_value(v) for v in op.operands]
    results = [wrap_value(r) for r in op.results]
    for operand, gradient in zip(
        operands, rule.function(op, operands, results, received), strict=True
    ):
        if gradient is not None and operand.value in live:
            assert isinstance(operand, TensorVariable)
            gradients.add(operand.value, match_type(gradient, operand))


def _check_no_gradient_through(
    op: Operation, rule: UndefinedGradient, live: set[SSAValue], gradients: _Accumulator
) -> None:
    """Raise if a gradient would flow through ``op`` (marked ``UndefinedGradient``): one of its
    operands depends on a ``wrt`` and a gradient reaches one of its results. (A gradient with
    respect to the sample itself stops there, as at any ``wrt``.)"""
    if not any(operand in live for operand in op.operands):
        return
    for result in op.results:
        if result in live and gradients.total(result) is not None:
            raise UndefinedGradientError(
                f"grad: no gradient through {op.name} at {format_location(op.location)}: "
                f"{rule.reason} (pass the parameters in consider_constant, or draw from a "
                "fixed distribution and transform the sample)"
            )


def _composite_gradients(
    op: Operation, g: TensorVariable, barriers: set[SSAValue]
) -> list[tuple[SSAValue, TensorVariable]] | None:
    for rule in COMPOSITE_RULES:
        contributions = rule(op, g, barriers)
        if contributions is not None:
            return contributions
    return None


@overload
def grad(
    cost: TensorVariable | None,
    wrt: TensorVariable,
    consider_constant: Sequence[TensorVariable] | None = None,
    disconnected_inputs: DisconnectedPolicy = "raise",
    add_names: bool = True,
    known_grads: Mapping[TensorVariable, TensorLike] | None = None,
    return_disconnected: Literal["zero"] = "zero",
) -> TensorVariable: ...


@overload
def grad(
    cost: TensorVariable | None,
    wrt: Sequence[TensorVariable],
    consider_constant: Sequence[TensorVariable] | None = None,
    disconnected_inputs: DisconnectedPolicy = "raise",
    add_names: bool = True,
    known_grads: Mapping[TensorVariable, TensorLike] | None = None,
    return_disconnected: Literal["zero"] = "zero",
) -> list[TensorVariable]: ...


@overload
def grad(
    cost: TensorVariable | None,
    wrt: TensorVariable,
    consider_constant: Sequence[TensorVariable] | None = None,
    disconnected_inputs: DisconnectedPolicy = "raise",
    add_names: bool = True,
    known_grads: Mapping[TensorVariable, TensorLike] | None = None,
    *,
    return_disconnected: Literal["none", "disconnected"],
) -> TensorVariable | None: ...


@overload
def grad(
    cost: TensorVariable | None,
    wrt: Sequence[TensorVariable],
    consider_constant: Sequence[TensorVariable] | None = None,
    disconnected_inputs: DisconnectedPolicy = "raise",
    add_names: bool = True,
    known_grads: Mapping[TensorVariable, TensorLike] | None = None,
    *,
    return_disconnected: Literal["none", "disconnected"],
) -> list[TensorVariable | None]: ...


def grad(
    cost: TensorVariable | None,
    wrt: TensorVariable | Sequence[TensorVariable],
    consider_constant: Sequence[TensorVariable] | None = None,
    disconnected_inputs: DisconnectedPolicy = "raise",
    add_names: bool = True,
    known_grads: Mapping[TensorVariable, TensorLike] | None = None,
    return_disconnected: ReturnDisconnected = "zero",
) -> TensorVariable | list[TensorVariable] | list[TensorVariable | None] | None:
    """The symbolic gradient of the scalar ``cost`` with respect to ``wrt`` (a variable, or a
    list of them: the result is then a list in the same order).

    ``consider_constant`` lists variables treated as constants (no gradient flows through
    them); ``known_grads`` maps variables to their gradients: backpropagation starts from them,
    replacing whatever gradient the cost sends them (with ``cost=None``, they are the only
    source). A ``wrt`` of an integer dtype gets the gradient it would get as a float, in the
    float dtype it is computed in (as in Theano). A ``wrt`` the cost does not depend on raises
    ``DisconnectedInputError`` unless ``disconnected_inputs`` is ``"warn"`` or ``"ignore"``;
    its gradient is then zeros (``return_disconnected="zero"``) or ``None``.

    >>> import tracegraph.tensor as T
    >>> from tracegraph import function
    >>> x = T.dscalar('x')
    >>> f = function([x], grad(x ** 2, x))
    >>> f(4)
    array(8.)
    """
    single = isinstance(wrt, TensorVariable)
    targets: list[TensorVariable] = [wrt] if isinstance(wrt, TensorVariable) else list(wrt)
    for position, target in enumerate(targets):
        if not isinstance(target, TensorVariable):
            raise TypeError(
                f"grad: wrt[{position}] must be a symbolic variable, got {type(target).__name__}"
            )
    if disconnected_inputs not in ("ignore", "warn", "raise"):
        raise ValueError(
            f"disconnected_inputs must be 'ignore', 'warn' or 'raise', not {disconnected_inputs!r}"
        )
    if return_disconnected not in ("zero", "none", "disconnected"):
        raise ValueError(
            "return_disconnected must be 'zero', 'none' or 'disconnected', "
            f"not {return_disconnected!r}"
        )
    roots: dict[SSAValue, TensorVariable] = {}
    fixed: set[SSAValue] = set()
    if cost is not None:
        if not isinstance(cost, TensorVariable):
            raise TypeError(f"grad: cost must be a symbolic variable, got {type(cost).__name__}")
        if cost.ndim != 0:
            raise TypeError(
                f"grad: cost must be a scalar (0-d), got {cost.describe()} of type {cost.type}; "
                "differentiate a reduction of it, e.g. cost.sum()"
            )
        roots[cost.value] = basic.fill(cost, 1.0)
    elif not known_grads:
        raise ValueError("grad: give a cost, or known_grads (or both)")
    for variable, known in (known_grads or {}).items():
        gradient = as_tensor_variable(known)
        if gradient.ndim != variable.ndim:
            raise TypeError(
                f"grad: the known gradient of {variable.describe()} has rank {gradient.ndim}, "
                f"not {variable.ndim}"
            )
        roots[variable.value] = match_type(gradient, variable) if gradient.ndim else gradient
        fixed.add(variable.value)
    constants = {as_tensor_variable(v).value for v in consider_constant or ()}
    totals, reached = _backpropagate(roots, fixed, targets, constants)

    results: list[TensorVariable | None] = []
    for target in targets:
        total = totals[target.value]
        if total is None and target.value not in reached:
            message = (
                f"grad: the cost does not depend on {target.describe()}; pass "
                "disconnected_inputs='ignore' (or 'warn') to get a zero gradient"
            )
            if disconnected_inputs == "raise":
                raise DisconnectedInputError(message)
            if disconnected_inputs == "warn":
                warnings.warn(message, stacklevel=2)
            if return_disconnected != "zero":
                results.append(None)
                continue
        if total is None:
            dtype = target.dtype if np.dtype(target.dtype).kind == "f" else config.floatX
            total = basic.zeros_like(target, dtype=dtype)
        elif total.dtype != target.dtype and np.dtype(target.dtype).kind == "f":
            total = basic.cast(total, target.dtype)
        if add_names and cost is not None and cost.name and target.name:
            total.name = f"(d{cost.name}/d{target.name})"
        results.append(total)
    if single:
        return results[0]
    return results


def vector_jacobian_product(
    cotangents: Sequence[tuple[TensorVariable, TensorVariable]], wrt: Sequence[TensorVariable]
) -> list[TensorVariable]:
    """The partial derivative with respect to each ``wrt`` of ``sum(value * cotangent)`` over
    the pairs, the cotangents held constant, each ``wrt`` an independent variable (what a VJP
    rule returns for its operands): every path summed, a value that is also a ``wrt`` (or lies
    upstream of another value) included. (``grad``'s ``known_grads`` is Theano's: a known
    gradient replaces what the rest sends; the VJP rules of ops with bodies need this sum.)
    A ``wrt`` no value depends on gets zeros.

    >>> import tracegraph, tracegraph.tensor as T
    >>> x = T.dscalar("x")
    >>> [g] = vector_jacobian_product([(x * x, T.constant(1.0)), (x, T.constant(10.0))], [x])
    >>> float(tracegraph.function([x], g)(3.0))
    16.0
    """
    seeds: dict[SSAValue, TensorVariable] = {}
    for value, cotangent in cotangents:
        if value.value in seeds:
            seeds[value.value] = seeds[value.value] + cotangent
        else:
            seeds[value.value] = match_type(cotangent, value) if cotangent.ndim else cotangent
    # Partial derivatives: the walk stops at every ``wrt``, so a ``wrt`` computed from another
    # does not pass its gradient on to it (the caller's walk does that, once).
    totals, _ = _backpropagate(seeds, set(), wrt, {t.value for t in wrt})
    results = []
    for target in wrt:
        total = totals[target.value]
        if total is None:
            total = basic.zeros_like(target)
        elif total.dtype != target.dtype:
            total = basic.cast(total, target.dtype)
        results.append(total)
    return results


def _static_size(variable: TensorVariable, what: str) -> int:
    sizes = variable.type.shape
    if any(size is None for size in sizes):
        raise UnsupportedOperationError(
            f"{what}: the shape of {variable.describe()} ({variable.type}) must be known when "
            "the graph is built, since each row of the result is one gradient; declare it with "
            "a static shape, e.g. T.TensorType('float64', shape=(3,))('x')"
        )
    return int(np.prod([s for s in sizes if s is not None], dtype=np.int64))


@overload
def jacobian(
    expression: TensorVariable,
    wrt: TensorVariable,
    consider_constant: Sequence[TensorVariable] | None = None,
    disconnected_inputs: DisconnectedPolicy = "raise",
) -> TensorVariable: ...


@overload
def jacobian(
    expression: TensorVariable,
    wrt: Sequence[TensorVariable],
    consider_constant: Sequence[TensorVariable] | None = None,
    disconnected_inputs: DisconnectedPolicy = "raise",
) -> list[TensorVariable]: ...


def jacobian(
    expression: TensorVariable,
    wrt: TensorVariable | Sequence[TensorVariable],
    consider_constant: Sequence[TensorVariable] | None = None,
    disconnected_inputs: DisconnectedPolicy = "raise",
) -> TensorVariable | list[TensorVariable]:
    """The Jacobian of ``expression`` with respect to ``wrt``: an array of shape
    ``expression.shape + wrt.shape`` (one per ``wrt`` when it is a list).

    Each element of ``expression`` gives one gradient, computed by one step of a loop
    (``scan``), so shapes may be symbolic.

    >>> import tracegraph.tensor as T
    >>> from tracegraph import function
    >>> x = T.TensorType('float64', shape=(2,))('x')
    >>> f = function([x], jacobian(x ** 2, x))
    >>> f([1.0, 3.0])
    array([[2., 0.],
           [0., 6.]])
    """
    targets = [wrt] if isinstance(wrt, TensorVariable) else list(wrt)
    if expression.ndim == 0:
        rows = grad(expression, targets, consider_constant, disconnected_inputs)
        return rows[0] if isinstance(wrt, TensorVariable) else rows
    flat = shapes.flatten(expression)

    def row(i: TensorVariable) -> list[TensorVariable]:
        return grad(flat[i], targets, consider_constant, disconnected_inputs)

    if ROW_LOOP:
        # One step per row, as Theano: a loop op, whatever the size (not unrolled).
        stacked_rows = ROW_LOOP[0](row, flat.shape[0])
    else:
        count = _static_size(expression, "jacobian")
        per_target: list[list[TensorVariable]] = [[] for _ in targets]
        for i in range(count):
            for column, gradient in zip(per_target, row(as_tensor_variable(i)), strict=True):
                column.append(gradient)
        stacked_rows = [shapes.stack(column) for column in per_target]
    results = []
    for target, stacked in zip(targets, stacked_rows, strict=True):
        out_shape = [*expression.type.shape, *target.type.shape]
        if all(size is not None for size in out_shape):
            results.append(stacked.reshape(tuple(s for s in out_shape if s is not None)))
        else:
            shape = shapes.concatenate([shapes.shape(expression), shapes.shape(target)])
            results.append(stacked.reshape(shape, ndim=len(out_shape)))
    return results[0] if isinstance(wrt, TensorVariable) else results


ROW_LOOP: list[
    Callable[
        [Callable[[TensorVariable], list[TensorVariable]], TensorVariable], list[TensorVariable]
    ]
] = []
"""The loop ``jacobian`` builds its rows with: ``loop(row, n)`` stacks ``row(i)`` (a list of
tensors) for ``i`` in ``0..n-1``, each of them on a new first axis. ``tracegraph.scan_module``
(a layer above) registers ``scan``; without it the rows are unrolled, which needs static
sizes."""


@overload
def hessian(
    cost: TensorVariable,
    wrt: TensorVariable,
    consider_constant: Sequence[TensorVariable] | None = None,
    disconnected_inputs: DisconnectedPolicy = "raise",
) -> TensorVariable: ...


@overload
def hessian(
    cost: TensorVariable,
    wrt: Sequence[TensorVariable],
    consider_constant: Sequence[TensorVariable] | None = None,
    disconnected_inputs: DisconnectedPolicy = "raise",
) -> list[TensorVariable]: ...


def hessian(
    cost: TensorVariable,
    wrt: TensorVariable | Sequence[TensorVariable],
    consider_constant: Sequence[TensorVariable] | None = None,
    disconnected_inputs: DisconnectedPolicy = "raise",
) -> TensorVariable | list[TensorVariable]:
    """The Hessian of the scalar ``cost`` with respect to a vector ``wrt`` (or each of a list):
    the Jacobian of the gradient.

    >>> import tracegraph.tensor as T
    >>> from tracegraph import function
    >>> x = T.TensorType('float64', shape=(2,))('x')
    >>> f = function([x], hessian((x ** 3).sum(), x))
    >>> f([1.0, 2.0])
    array([[ 6.,  0.],
           [ 0., 12.]])
    """
    targets = [wrt] if isinstance(wrt, TensorVariable) else list(wrt)
    results = []
    for target in targets:
        if not ROW_LOOP:
            _static_size(target, "hessian")  # name the variable asked for, not its gradient
        gradient = grad(cost, target, consider_constant, disconnected_inputs)
        results.append(jacobian(gradient, target, consider_constant, disconnected_inputs))
    return results[0] if isinstance(wrt, TensorVariable) else results
