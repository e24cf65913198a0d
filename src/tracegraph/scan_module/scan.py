"""``scan``: Theano's loop, as one ``tg.scan`` op (``ir/ops/control.py``).

The step function is called once, on placeholders, and what it computes becomes the loop's
body: sequences are sliced per step, ``outputs_info`` gives the recurrent states (with Theano's
negative taps) or ``None`` for outputs that are only collected, ``non_sequences`` are passed
whole. Values the body reads from outside that do not change between steps stay outside;
random draws, and shared variables the step function updates (returning a dict), are threaded
through the steps, and their last values are the updates ``scan`` returns.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from xdsl.ir import Block, Operation, SSAValue

from tracegraph.compile.shared import BaseSharedVariable, advanced_state
from tracegraph.ir.location import user_location
from tracegraph.ir.ops import InputOp, ScanOp, SharedOp
from tracegraph.ir.regions import build_body, plan_body
from tracegraph.ir.types import tensor_type
from tracegraph.tensor.variable import (
    TensorVariable,
    Variable,
    as_tensor_variable,
    forget_uses,
    variable_of,
    wrap_value,
)


class until:
    """The condition that ends a loop after the step that makes it true: a step function
    returns ``(outputs, until(condition))`` (or with updates between them).

    >>> import tracegraph.tensor as T
    >>> until(T.dscalar("x") > 1).condition.dtype
    'bool'
    """

    def __init__(self, condition: Any):
        from tracegraph.tensor.basic import cast

        self.condition = cast(as_tensor_variable(condition), "bool")


@dataclass
class _State:
    """A recurrent state: its initial values and the taps its step reads."""

    initial: TensorVariable
    taps: tuple[int, ...]


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _sequences(sequences: Any, go_backwards: bool) -> list[TensorVariable]:
    """One sequence per tap the step reads: with ``dict(input=u, taps=[-4, 0])``, step ``t``
    reads ``u[t]`` for tap -4 and ``u[t + 4]`` for tap 0 (Theano's rule: the first step is at
    the most negative tap, or at 0 if no tap is negative), so the taps are the slices
    ``u[0:-4]`` and ``u[4:]``; the slices are cut as if tap 0 were among the taps (``[1, 2]``:
    ``u[1:-1]`` and ``u[2:]``). ``go_backwards`` reverses each slice once cut, so that a step
    still reads ``u[t - 4]`` with ``u[t]``."""
    result = []
    for sequence in _as_list(sequences):
        taps: tuple[int, ...] = (0,)
        if isinstance(sequence, dict):
            taps = tuple(int(t) for t in (sequence.get("taps", [0]) or [0]))
            sequence = sequence["input"]
        variable = as_tensor_variable(sequence)
        if variable.ndim == 0:
            raise TypeError(f"scan: a sequence needs at least one axis, got {variable.describe()}")
        if taps == (0,):
            result.append(variable[::-1] if go_backwards else variable)
            continue
        first, last = min(*taps, 0), max(*taps, 0)
        for tap in taps:
            start, end = tap - first, last - tap
            piece = variable[start:] if end == 0 else variable[start:-end]
            result.append(piece[::-1] if go_backwards else piece)
    return result


def _outputs_info(outputs_info: Any) -> list[_State | None]:
    states: list[_State | None] = []
    for info in _as_list(outputs_info):
        if isinstance(info, dict):
            if info.get("initial") is None:
                states.append(None)
                continue
            taps = tuple(int(t) for t in info.get("taps", [-1]))
            initial = info["initial"]
        elif info is None:
            states.append(None)
            continue
        else:
            taps, initial = (-1,), info
        if not taps or any(t >= 0 for t in taps):
            raise ValueError(f"scan: the taps of outputs_info are negative, got {list(taps)}")
        states.append(_State(as_tensor_variable(initial), taps))
    return states


def _split_returns(returned: Any) -> tuple[list[Any], dict[Any, Any], Any]:
    """Theano's forms of what a step function returns: outputs, an updates dict, an
    ``until``, alone or in a tuple or list in any order."""
    if isinstance(returned, until):
        return [], {}, returned.condition
    if isinstance(returned, Mapping):
        return [], dict(returned), None
    parts = list(returned) if isinstance(returned, tuple | list) else [returned]
    outputs: list[Any] = []
    updates: dict[Any, Any] = {}
    condition = None
    nested = [p for p in parts if isinstance(p, Mapping | until | list | tuple)]
    if not nested:
        return parts, {}, None
    for part in parts:
        if isinstance(part, until):
            condition = part.condition
        elif isinstance(part, Mapping):
            updates.update(part)
        elif isinstance(part, list | tuple):
            outputs.extend(part)
        else:
            outputs.append(part)
    return outputs, updates, condition


def _state_type(initial: TensorVariable, taps: tuple[int, ...]) -> Any:
    if taps == (-1,):
        return initial.value.type
    if initial.ndim == 0:
        raise TypeError(
            f"scan: the initial value of a state with taps {list(taps)} stacks "
            f"{-min(taps)} values on a first axis; {initial.describe()} has none"
        )
    return tensor_type(initial.dtype, initial.type.shape[1:])


def scan(
    fn: Callable[..., Any],
    sequences: Any = None,
    outputs_info: Any = None,
    non_sequences: Any = None,
    n_steps: Any = None,
    truncate_gradient: int = -1,
    go_backwards: bool = False,
    mode: Any = None,
    name: str | None = None,
    profile: bool = False,
    allow_gc: bool | None = None,
    strict: bool = False,
    return_list: bool = False,
) -> tuple[Any, dict[BaseSharedVariable, Variable]]:
    """Theano's ``scan``: ``fn`` applied step after step; returns ``(outputs, updates)``.

    ``fn`` gets, in order, the step's slice of each sequence, the previous values of each
    recurrent state (one argument per tap) and the non-sequences; it returns the step's
    outputs, and optionally a dict of shared-variable updates and an :class:`until`.
    ``outputs`` are the outputs over the steps (the first axis is the step); ``updates`` is a
    dict to pass to ``function``. ``mode``, ``name``, ``profile`` and ``allow_gc`` are
    accepted for compatibility.

    >>> import numpy as np, tracegraph, tracegraph.tensor as T
    >>> k = T.iscalar("k"); a = T.dvector("a")
    >>> powers, _ = scan(lambda prior, a: prior * a, outputs_info=T.ones_like(a),
    ...                  non_sequences=a, n_steps=k)
    >>> tracegraph.function([a, k], powers[-1])(np.arange(4.0), 2)
    array([0., 1., 4., 9.])
    """
    from tracegraph.tensor import basic, math

    location = user_location()
    seqs = _sequences(sequences, go_backwards)
    states = _outputs_info(outputs_info)
    given_non_sequences = [
        v if isinstance(v, Variable) else as_tensor_variable(v) for v in _as_list(non_sequences)
    ]
    recurrent = [s for s in states if s is not None]

    block = Block()
    arguments: list[Variable] = []
    for sequence in seqs:
        arguments.append(_argument(block, tensor_type(sequence.dtype, sequence.type.shape[1:])))
    for state in recurrent:
        state_type = _state_type(state.initial, state.taps)
        arguments += [_argument(block, state_type) for _ in state.taps]
    inner_non_sequences = [_argument(block, v.value.type) for v in given_non_sequences]
    returned = fn(*arguments, *inner_non_sequences)
    outputs, shared_updates, condition = _split_returns(returned)
    outputs = [as_tensor_variable(o) for o in outputs]
    if outputs_info is not None and len(_as_list(outputs_info)) != len(outputs):
        raise ValueError(
            f"scan: outputs_info describes {len(_as_list(outputs_info))} outputs but the step "
            f"function returned {len(outputs)}"
        )
    if outputs_info is None:
        states = [None] * len(outputs)
    for shared, update in shared_updates.items():
        if not isinstance(shared, BaseSharedVariable):
            raise TypeError(f"scan: updates must be of shared variables, not {shared!r}")
        shared.check_update(update if isinstance(update, Variable) else as_tensor_variable(update))
    updates = {
        s: (u if isinstance(u, Variable) else as_tensor_variable(u))
        for s, u in shared_updates.items()
    }

    for maybe_state, output in zip(states, outputs, strict=True):
        if maybe_state is not None and output.dtype != maybe_state.initial.dtype:
            raise TypeError(
                f"scan: a step gives {output.describe()} for a state whose initial value is "
                f"{maybe_state.initial.dtype} (outputs_info); cast one of them "
                f"(T.cast(..., '{maybe_state.initial.dtype}'))"
            )

    # Shared variables threaded through the steps: those updated, and those draws advance.
    carried: dict[BaseSharedVariable, Variable] = dict(updates)
    inner_values = {a.value for a in arguments} | {a.value for a in inner_non_sequences}
    roots = [o.value for o in outputs] + ([condition.value] if condition is not None else [])
    while True:
        sources = inner_values | {s.value for s in carried}
        every_root = roots + [u.value for u in carried.values()]
        plan = plan_body(every_root, sources, _inside_a_step)
        drawn = {advanced_state(op) for op in plan.ops} - {None} - set(carried)
        if not drawn:
            break
        for shared in drawn:
            assert shared is not None and shared.default_update is not None
            carried[shared] = shared.default_update

    position = len(block.args) - len(inner_non_sequences)
    bound: dict[SSAValue, SSAValue] = {}
    for shared in carried:
        arg = block.insert_arg(shared.value.type, position)
        bound[shared.value] = arg
        position += 1
    recurrent_outputs = [o for s, o in zip(states, outputs, strict=True) if s is not None]
    mapped_outputs = [o for s, o in zip(states, outputs, strict=True) if s is None]
    yielded = [o.value for o in recurrent_outputs]
    yielded += [u.value for u in carried.values()] + [o.value for o in mapped_outputs]
    yielded += [condition.value] if condition is not None else []
    implicit = build_body(block, plan, yielded, bound)
    if strict:
        _check_strict(implicit)

    if n_steps is not None:
        steps = basic.cast(as_tensor_variable(n_steps), "int64")
    elif seqs:
        steps = seqs[0].shape[0]
        for sequence in seqs[1:]:
            steps = math.minimum(steps, sequence.shape[0])
    else:
        raise ValueError("scan: give sequences or n_steps (the number of steps)")
    steps = basic.cast(steps, "int64")
    initial = [
        s.initial.dimshuffle("x", *range(s.initial.ndim))
        if s.taps == (-1,)
        else s.initial[: -min(s.taps)]
        for s in recurrent
    ]
    static_steps = n_steps if isinstance(n_steps, int) and condition is None else None
    result_types: list[Any] = [
        tensor_type(o.dtype, (static_steps, *state_shape(s)))
        for s, o in zip(recurrent, recurrent_outputs, strict=True)
    ]
    result_types += [shared.value.type for shared in carried]
    result_types += [tensor_type(o.dtype, (static_steps, *o.type.shape)) for o in mapped_outputs]
    op = ScanOp(
        steps.value,
        [s.value for s in seqs],
        [i.value for i in initial],
        [shared.value for shared in carried],
        [v.value for v in given_non_sequences] + implicit,
        [s.taps for s in recurrent],
        result_types,
        block,
        until=condition is not None,
        truncate_gradient=truncate_gradient,
    )
    forget_uses(op).location = location
    results = [wrap_value(r) for r in op.results]
    recurrent_results = iter(results[: len(recurrent)])
    carried_results = results[len(recurrent) : len(recurrent) + len(carried)]
    mapped_results = iter(results[len(recurrent) + len(carried) :])
    ordered = [next(recurrent_results) if s is not None else next(mapped_results) for s in states]
    returned_updates = {
        shared: _like(update, result.value)
        for (shared, update), result in zip(carried.items(), carried_results, strict=True)
    }
    if return_list:
        return ordered, returned_updates
    if not ordered:
        return None, returned_updates
    return (ordered[0] if len(ordered) == 1 else ordered), returned_updates


def _check_strict(implicit: Sequence[SSAValue]) -> None:
    """``strict=True``: the step reads no input or shared variable it was not given (as
    Theano's ``strict``: pass them in ``non_sequences``)."""
    for value in implicit:
        owner = value.owner
        if isinstance(owner, InputOp | SharedOp):
            raise ValueError(
                f"scan(strict=True): the step reads {variable_of(value).describe()}, which is not "
                "among its sequences, outputs_info or non_sequences"
            )


def state_shape(state: _State) -> tuple[int | None, ...]:
    """The static shape of one value of a recurrent state."""
    shape = state.initial.type.shape
    return tuple(shape) if state.taps == (-1,) else tuple(shape[1:])


def _like(variable: Variable, value: SSAValue) -> Variable:
    """A variable for ``value`` of the same type as ``variable`` (a random state's final value
    is a random state, as the draw's new state was)."""
    if isinstance(variable, TensorVariable):
        return TensorVariable(value)
    result = Variable(value)
    result.type = variable.type
    return result


def _argument(block: Block, ir_type: Any) -> Variable:
    return wrap_value(block.insert_arg(ir_type, len(block.args)))


def _inside_a_step(op: Operation, reads_inside: bool) -> bool:
    """Inside a step: what reads a value of the step, and draws (a new number at every step);
    the rest does not change between steps and stays outside."""
    return reads_inside or advanced_state(op) is not None
