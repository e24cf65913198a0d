"""``function``: compile symbolic outputs and updates into a callable ``Function``.

>>> import tracegraph.tensor as T
>>> from tracegraph import function, shared
>>> state = shared(0)
>>> inc = T.iscalar('inc')
>>> accumulator = function([inc], state, updates=[(state, state + inc)])
>>> accumulator(1), state.get_value()
(array(0), array(1))
"""

from __future__ import annotations

import contextlib
import copy as copy_module
import gc
import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Generic, TypeVar, overload

import numpy as np
from numpy.typing import ArrayLike, NDArray
from xdsl.dialects.builtin import ArrayAttr, FunctionType, ModuleOp
from xdsl.dialects.func import FuncOp, ReturnOp
from xdsl.transforms.dead_code_elimination import region_dce

from tracegraph.backends.registry import (
    Binding,
    backend_for,
    describe_names,
    get_backend,
)
from tracegraph.compile.dumps import dump_folder, write_stages
from tracegraph.compile.graph import (
    TracedFunction,
    UnusedInputPolicy,
    check_replacement,
    func_of,
    trace_function,
)
from tracegraph.compile.io import In, Out
from tracegraph.compile.maker import FunctionGraph, FunctionMaker, make_program
from tracegraph.compile.modes import Mode, excluded_passes, get_mode, linker_of
from tracegraph.compile.profiling import ProfileStats
from tracegraph.compile.progress import Progress, progress
from tracegraph.compile.shared import (
    BaseSharedVariable,
    SharedVariable,
    owned_value,
    update_lock,
)
from tracegraph.config import config
from tracegraph.errors import ArgumentError, GraphTypeError
from tracegraph.ir.dialect import print_module
from tracegraph.ir.location import format_location, user_location
from tracegraph.lowering import lowered
from tracegraph.passes.pipeline import STAGES, run_pipeline
from tracegraph.tensor.types import TensorType
from tracegraph.tensor.variable import (
    TensorLike,
    TensorVariable,
    Variable,
    as_tensor_variable,
)

R = TypeVar("R")
_MISSING: Any = object()

# Random-stream states are updated with a list of pairs (``srng.updates()``); the dict form
# takes tensor shared variables only.
Updates = (
    Sequence[tuple[SharedVariable, TensorLike] | tuple[BaseSharedVariable, Variable]]
    | Mapping[SharedVariable, TensorLike]
)
Givens = (
    Sequence[tuple[TensorVariable, TensorLike]]
    | Mapping[TensorVariable, TensorLike]
    | Mapping[SharedVariable, TensorLike]
)


class Function(Generic[R]):
    """A compiled function. Call it with NumPy arrays (or anything ``numpy.asarray`` takes),
    positionally or by input name; it returns an array, or a list of arrays when ``function``
    was given a list of outputs, and applies the updates of shared variables."""

    def __new__(cls, **arguments: Any) -> Function[R]:
        # A function that updates shared variables is made a LockedFunction, whose __call__
        # takes the locks: the __call__ of the others stays as short as it was.
        if cls is Function and (arguments["update_targets"] or arguments.get("input_updates")):
            cls = LockedFunction
        return super().__new__(cls)

    def __init__(
        self,
        *,
        name: str | None,
        inputs: list[In],
        shared: list[BaseSharedVariable],
        num_outputs: int,
        update_targets: list[BaseSharedVariable],
        single_output: bool,
        stages: dict[str, ModuleOp],
        mode: Mode,
        allow_input_downcast: bool | None,
        trace_again: Callable[[], ModuleOp] | None = None,
        return_device: bool = False,
        output_keys: tuple[str, ...] | None = None,
        input_updates: tuple[int, ...] = (),
        profile: ProfileStats | None = None,
    ):
        self.name = name
        self.profile = profile
        """The :class:`~tracegraph.compile.profiling.ProfileStats` of a profiled function
        (``function(..., profile=True)``); None when not profiled."""
        self._input_updates = input_updates
        """The positions of the inputs given ``In(update=...)``: their updates are the last
        outputs of the program, stored as their values after each call."""
        self._return_device = return_device
        self._output_keys = output_keys
        """The names of the outputs when ``function`` was given a dict of them: each call
        then returns a dict."""
        self._inputs = inputs
        self._types: list[TensorType] = [spec.variable.type for spec in inputs]
        self._fast_types = [(np.dtype(type_.dtype), type_.shape) for type_ in self._types]
        self._shared = shared
        self._num_outputs = num_outputs
        self._update_targets = update_targets
        self._lock = update_lock(update_targets, threading.RLock() if input_updates else None)
        """Held by a call from reading the shared values it updates to storing the new ones
        (None: it updates nothing, and its calls may run at once)."""
        self._single_output = single_output
        # "final" always, "traced" unless trace_again can build it; other stages are computed
        # when dump_ir asks for them.
        self._stages = dict(stages)
        self._trace_again = trace_again
        self._excluded = excluded_passes(mode)
        self._mode = mode
        self._allow_input_downcast = allow_input_downcast
        final = func_of(stages["final"])
        self._program = make_program(final, mode, profile=profile is not None)
        if profile is not None:
            profile.steps = self._program.clock.steps  # type: ignore[attr-defined]
            watched = mode.guarded() or mode.monitor is not None
            chosen = backend_for("numpy" if watched else linker_of(mode), config.device)
            profile.backend = chosen.describe() + (" (DebugMode)" if mode.debug else "")
        # The program's own path for a whole call, offered to functions whose shared
        # variables are all tensors (random states take the general path); it reaches their
        # values through their cells only.
        self._fast_call: Callable[..., Any] | None = None
        if not input_updates and all(
            isinstance(s, SharedVariable) for s in [*shared, *update_targets]
        ):
            self._fast_call = self._program.bind(
                Binding(
                    shared=tuple(variable.cell for variable in shared),
                    update_targets=tuple(target.cell for target in update_targets),
                    target_shapes=tuple(
                        target.type.shape
                        for target in update_targets
                        if isinstance(target, TensorVariable)
                    ),
                    single_output=single_output,
                    convertible=tuple(not spec.strict for spec in inputs),
                    return_device=return_device,
                )
            )
        self._defaults: list[Any] = [
            self._convert(i, spec.value) if spec.has_default else _MISSING
            for i, spec in enumerate(inputs)
        ]
        self._positions: dict[str, int | None] = {}
        for position, spec in enumerate(inputs):
            if spec.name:
                self._positions[spec.name] = None if spec.name in self._positions else position
        self.maker = FunctionMaker(
            FunctionGraph(final, [spec.name for spec in inputs] + [s.name for s in shared]),
            inputs,
            mode,
        )

    # -- calling --------------------------------------------------------------------------------

    def _describe_input(self, position: int) -> str:
        spec = self._inputs[position]
        label = f" {spec.name!r}" if spec.name else ""
        return (
            f"argument {position}{label} of function {self.name or '<unnamed>'} "
            f"(declared at {spec.variable.location})"
        )

    def _convert(self, position: int, value: Any) -> NDArray[Any]:
        # The common case first, without building a description for an error: an ndarray
        # that already has the type's dtype, rank and static sizes.
        if type(value) is np.ndarray:
            dtype, shape = self._fast_types[position]
            if (
                value.dtype == dtype
                and len(value.shape) == len(shape)
                and all(s is None or s == v for s, v in zip(shape, value.shape, strict=True))
            ):
                array: NDArray[Any] = value
                return array
        spec = self._inputs[position]
        allow = (
            spec.allow_downcast if spec.allow_downcast is not None else self._allow_input_downcast
        )
        return self._types[position].filter(
            value, strict=spec.strict, allow_downcast=allow, what=self._describe_input(position)
        )

    def _bind(self, args: Sequence[Any], kwargs: Mapping[str, Any]) -> list[NDArray[Any]]:
        count = len(self._inputs)
        if len(args) > count:
            names = ", ".join(spec.name or "?" for spec in self._inputs)
            raise ArgumentError(
                f"function {self.name or '<unnamed>'} takes {count} argument(s) ({names}), "
                f"got {len(args)}"
            )
        values = [*args, *([_MISSING] * (count - len(args)))]
        for key, value in kwargs.items():
            if key not in self._positions:
                known = ", ".join(repr(n) for n in self._positions) or "none"
                raise ArgumentError(
                    f"function {self.name or '<unnamed>'} got an unknown keyword argument "
                    f"{key!r}; its input names are {known}"
                )
            position = self._positions[key]
            if position is None:
                raise ArgumentError(
                    f"the keyword {key!r} names several inputs; pass it by position"
                )
            if values[position] is not _MISSING:
                raise ArgumentError(f"got multiple values for argument {key!r}")
            values[position] = value
        arrays: list[NDArray[Any]] = []
        for position, value in enumerate(values):
            if value is _MISSING:
                if self._defaults[position] is _MISSING:
                    raise ArgumentError(f"missing {self._describe_input(position)}")
                arrays.append(self._defaults[position])
            else:
                arrays.append(self._convert(position, value))
        return arrays

    def __call__(self, *args: ArrayLike, **kwargs: ArrayLike) -> R:
        # A function that updates shared state is a LockedFunction (see __init__): this path,
        # a pure function's, takes no lock and adds no call (0.17 us of a 0.23 us call).
        if self._fast_call is not None and not kwargs:
            # The whole call in the program (in C when the arguments are arrays of the exact
            # types); it answers NotImplemented, having changed nothing, when the path below
            # must run.
            result = self._fast_call(*args)
            if result is not NotImplemented:
                if self._output_keys is not None:
                    return dict(zip(self._output_keys, result, strict=True))  # type: ignore[return-value]
                return result  # type: ignore[no-any-return]
        return self._general_call(args, kwargs)

    def _general_call(self, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> R:
        """A call through the program's ``run``: arguments bound and converted here, shared
        values read and updates stored here."""
        arrays = self._bind(args, kwargs)
        shared_values = [variable.get_value(borrow=True) for variable in self._shared]
        results = self._program.run(arrays + shared_values)
        protected: list[Any] = arrays + shared_values
        outputs = [owned_value(result, protected) for result in results[: self._num_outputs]]
        new_values = [
            target.new_value(result, protected)
            for target, result in zip(
                self._update_targets, results[self._num_outputs :], strict=True
            )
        ]
        # Every update was computed from the values before the call; write them all at once
        # (new_value checked each against its variable's type).
        for target, value in zip(self._update_targets, new_values, strict=True):
            target.store(value)
        if self._input_updates:
            count = len(self._input_updates)
            outputs, stored = outputs[:-count], outputs[-count:]
            for position, value in zip(self._input_updates, stored, strict=True):
                self._defaults[position] = self._convert(position, value)
        if self._single_output:
            return outputs[0]  # type: ignore[no-any-return]
        if self._output_keys is not None:
            return dict(zip(self._output_keys, outputs, strict=True))  # type: ignore[return-value]
        return outputs  # type: ignore[return-value]

    # -- defaults -------------------------------------------------------------------------------

    def __getitem__(self, name: str) -> NDArray[Any]:
        position = self._positions.get(name)
        if position is None or self._defaults[position] is _MISSING:
            raise KeyError(f"no input with a default value named {name!r}")
        value: NDArray[Any] = self._defaults[position]
        return value

    def __setitem__(self, name: str, value: Any) -> None:
        position = self._positions.get(name)
        if position is None:
            raise KeyError(f"no input named {name!r}")
        self._defaults[position] = self._convert(position, value)

    # -- introspection --------------------------------------------------------------------------

    def dump_ir(self, stage: str = "final", *, locations: bool = True, target: str = "c") -> str:
        """The function's module as MLIR text after a pipeline stage (``"traced"``,
        ``"canonicalized"``, ``"stabilized"`` or ``"final"``), or ``"lowered"`` for ``target``
        (the kernel dialect its backend walks), with ``loc(...)`` of the user's lines unless
        ``locations=False``."""
        if stage == "lowered":
            # Lowering builds a new function and leaves the final stage as it is.
            kernels = lowered(func_of(self._stage("final")), target)
            return print_module(ModuleOp([kernels]), locations=locations)
        if stage not in STAGES:
            choices = ", ".join((*STAGES, "lowered"))
            raise ValueError(f"unknown stage {stage!r}; stages are {choices}")
        return print_module(self._stage(stage), locations=locations)

    def _stage(self, stage: str) -> ModuleOp:
        """The module after ``stage``, computed (and kept) the first time it is asked for."""
        if stage not in self._stages:
            if stage == "traced":
                assert self._trace_again is not None
                self._stages[stage] = self._trace_again()
            else:
                self._stages[stage] = run_pipeline(
                    self._stage("traced"),
                    optimizer=self._mode.optimizer,
                    excluded=self._excluded,
                    keep=(stage,),
                )[stage]
        return self._stages[stage]

    def dump_all(self, directory: str | os.PathLike[str]) -> list[Path]:
        """Write every stage of the function into ``directory``: ``NN-<stage>.mlir`` for the
        traced module, each pass group and the lowered kernels of the backend that runs it,
        then that backend's source (``.c`` for C, ``.py`` for Triton). Returns the files.

        >>> import tempfile
        >>> import tracegraph.tensor as T
        >>> x = T.dvector('x')
        >>> with tempfile.TemporaryDirectory() as where:
        ...     [p.name for p in function([x], x * 2, mode="FAST_RUN").dump_all(where)][:2]
        ['00-traced.mlir', '01-canonicalized.mlir']
        """
        target = backend_for(linker_of(self._mode), config.device).name
        return write_stages(self, Path(directory), target)

    def source(self, backend: str = "c") -> str:
        """The source a backend generates for the function, whichever backend runs it:
        ``"c"``, the C module the C backend compiles; ``"reference"`` (or ``"numpy"``), the
        final ``tg`` function the reference interpreter walks; any name of the backend
        registry (an unknown name is a ValueError naming them); ``"ptx"``, the PTX of the
        Triton backend's kernels for sm_90 (compiled ahead of time: no GPU needed)."""
        if backend == "ptx":
            return get_backend("triton").assembly(func_of(self._stages["final"]))
        try:
            chosen = get_backend(backend)
        except ValueError:
            raise ValueError(
                f"unknown backend {backend!r} for source(); backends are {describe_names()}"
            ) from None
        return chosen.source(func_of(self._stages["final"]))

    # -- copies and pickling --------------------------------------------------------------------

    def copy(
        self,
        share_memory: bool = False,
        swap: Mapping[SharedVariable, SharedVariable] | None = None,
        delete_updates: bool = False,
        name: str | None = None,
    ) -> Function[R]:
        """A copy of this function, compiled once: ``swap`` replaces shared variables,
        ``delete_updates`` drops the updates. Shared variables stay shared unless swapped
        (``share_memory`` is accepted for Theano compatibility; there are no other buffers)."""
        replaced: dict[BaseSharedVariable, BaseSharedVariable] = {
            old: new for old, new in (swap or {}).items()
        }
        for old, new in replaced.items():
            if not isinstance(old, BaseSharedVariable) or not isinstance(new, BaseSharedVariable):
                raise GraphTypeError("copy(swap=...) maps shared variables to shared variables")
            check_replacement("copy(swap=...)", old, new)
        stages = self._stages
        targets = [replaced.get(t, t) for t in self._update_targets]
        if delete_updates and self._update_targets:
            stages = {}
            for stage in ("traced", "final"):
                stages[stage] = self._stage(stage).clone()
                _drop_results(func_of(stages[stage]), self._num_outputs)
            targets = []
        result: Function[R] = Function(
            name=name if name is not None else (f"{self.name} copy" if self.name else None),
            inputs=[copy_module.copy(spec) for spec in self._inputs],
            shared=[replaced.get(s, s) for s in self._shared],
            num_outputs=self._num_outputs,
            update_targets=targets,
            single_output=self._single_output,
            stages=stages,
            mode=self._mode,
            allow_input_downcast=self._allow_input_downcast,
            trace_again=self._trace_again,
            return_device=self._return_device,
            output_keys=self._output_keys,
            input_updates=self._input_updates,
        )
        result._defaults = list(self._defaults)
        return result

    def __copy__(self) -> Function[R]:
        return self.copy()

    def __reduce__(self) -> tuple[Any, ...]:
        from tracegraph.compile.pickling import restore_function, user_ops_of  # imports this

        texts: dict[str, str] = {}
        printed: dict[int, str] = {}
        for stage in ("traced", "final"):
            module = self._stage(stage)
            if id(module) not in printed:
                printed[id(module)] = print_module(module)
            texts[stage] = printed[id(module)]
        specs = [
            (
                spec.variable.type.dtype,
                spec.variable.type.shape,
                spec.name,
                spec.value,
                spec.strict,
                spec.allow_downcast,
                spec.mutable,
                spec.borrow,
            )
            for spec in self._inputs
        ]
        defaults = [None if d is _MISSING else d for d in self._defaults]
        state = (
            self.name,
            specs,
            defaults,
            self._shared,
            self._num_outputs,
            self._update_targets,
            self._single_output,
            texts,
            self._mode,
            self._allow_input_downcast,
            self._return_device,
            self._output_keys,
            self._input_updates,
            user_ops_of(self._stage("traced"), self._stage("final")),
        )
        return (restore_function, state)

    def __repr__(self) -> str:
        names = ", ".join(spec.name or "?" for spec in self._inputs)
        return f"<Function {self.name or '<unnamed>'}({names})>"


def _drop_results(func: FuncOp, keep: int) -> None:
    """Keep the first ``keep`` results of ``func`` and delete the ops only the others used."""
    block = func.body.block
    old_return = block.last_op
    assert isinstance(old_return, ReturnOp)
    kept = list(old_return.arguments)[:keep]
    block.insert_op_before(ReturnOp(*kept), old_return)
    block.erase_op(old_return)
    func.function_type = FunctionType.from_lists(
        list(func.function_type.inputs), [v.type for v in kept]
    )
    if func.res_attrs is not None:
        func.res_attrs = ArrayAttr(list(func.res_attrs.data)[:keep])
    region_dce(func.body)


def _as_pairs(pairs: Any, what: str) -> list[tuple[Any, Any]]:
    if pairs is None:
        return []
    items = list(pairs.items()) if isinstance(pairs, Mapping) else list(pairs)
    for item in items:
        if not isinstance(item, tuple | list) or len(item) != 2:
            raise TypeError(f"{what} must be pairs (variable, expression) or a dict, got {item!r}")
    return [(a, b) for a, b in items]


@overload
def function(
    inputs: Sequence[TensorVariable | In],
    outputs: TensorVariable | Out,
    updates: Updates | None = None,
    givens: Givens | None = None,
    mode: str | Mode | None = None,
    name: str | None = None,
    no_default_updates: bool | Sequence[BaseSharedVariable] = False,
    on_unused_input: UnusedInputPolicy | None = None,
    allow_input_downcast: bool | None = None,
    return_device: bool = False,
    profile: bool | str | ProfileStats | None = None,
) -> Function[NDArray[Any]]: ...


@overload
def function(
    inputs: Sequence[TensorVariable | In],
    outputs: Mapping[str, TensorVariable | Out],
    updates: Updates | None = None,
    givens: Givens | None = None,
    mode: str | Mode | None = None,
    name: str | None = None,
    no_default_updates: bool | Sequence[BaseSharedVariable] = False,
    on_unused_input: UnusedInputPolicy | None = None,
    allow_input_downcast: bool | None = None,
    return_device: bool = False,
    profile: bool | str | ProfileStats | None = None,
) -> Function[dict[str, NDArray[Any]]]: ...


@overload
def function(
    inputs: Sequence[TensorVariable | In],
    outputs: Sequence[TensorVariable | Out] | None = None,
    updates: Updates | None = None,
    givens: Givens | None = None,
    mode: str | Mode | None = None,
    name: str | None = None,
    no_default_updates: bool | Sequence[BaseSharedVariable] = False,
    on_unused_input: UnusedInputPolicy | None = None,
    allow_input_downcast: bool | None = None,
    return_device: bool = False,
    profile: bool | str | ProfileStats | None = None,
) -> Function[list[NDArray[Any]]]: ...


def function(
    inputs: Sequence[TensorVariable | In],
    outputs: TensorVariable
    | Out
    | Sequence[TensorVariable | Out]
    | Mapping[str, TensorVariable | Out]
    | None = None,
    updates: Updates | None = None,
    givens: Givens | None = None,
    mode: str | Mode | None = None,
    name: str | None = None,
    no_default_updates: bool | Sequence[BaseSharedVariable] = False,
    on_unused_input: UnusedInputPolicy | None = None,
    allow_input_downcast: bool | None = None,
    return_device: bool = False,
    profile: bool | str | ProfileStats | None = None,
) -> Function[Any]:
    """Compile ``outputs`` as a function of ``inputs``.

    ``inputs`` are variables or :class:`In`; ``updates`` are ``(shared, new_value)`` pairs (or
    a dict) applied after each call, all computed from the values before it, each of a type its
    shared variable can hold (a broadcastable axis only where the variable has one, as in
    Theano); ``givens`` replace variables of the graph, other than the inputs, for this
    function only. ``return_device``: on a device (the Triton backend on a GPU), calls with
    positional arguments return the device's arrays (torch tensors) instead of NumPy copies.
    ``profile``: time the calls and each step of the program (``True``, a message naming the
    profile, or a :class:`~tracegraph.compile.profiling.ProfileStats`; None:
    ``config.profile``), kept in ``f.profile`` and printed at exit.

    >>> import tracegraph.tensor as T
    >>> x = T.dmatrix('x')
    >>> logistic = function([x], 1 / (1 + T.exp(-x)))
    >>> logistic([[0, 1], [-1, -2]]).round(8)
    array([[0.5       , 0.73105858],
           [0.26894142, 0.11920292]])
    """
    specs = [spec if isinstance(spec, In) else In(spec) for spec in _check_inputs(inputs)]
    if isinstance(outputs, Out):
        outputs = outputs.variable
    single_output = isinstance(outputs, Variable)
    output_keys: tuple[str, ...] | None = None
    if outputs is None:
        output_list: list[Variable] = []
    elif isinstance(outputs, Variable):
        output_list = [outputs]
    elif isinstance(outputs, Mapping):
        output_keys = tuple(outputs)
        if not all(isinstance(key, str) for key in output_keys):
            raise TypeError("a dict of outputs must have str keys (the names of the results)")
        output_list = [_check_variable(_unwrap_out(o), "an output") for o in outputs.values()]
    elif isinstance(outputs, Sequence):
        output_list = [_check_variable(_unwrap_out(o), "an output") for o in outputs]
    else:
        raise TypeError(
            f"outputs must be a variable, a list of variables or a dict of them, not {outputs!r}"
        )
    if on_unused_input is None:
        on_unused_input = _unused_input_policy(config.on_unused_input)
    input_updates = tuple(i for i, spec in enumerate(specs) if spec.update is not None)
    output_list += [_check_variable(specs[i].update, "an input's update") for i in input_updates]
    update_pairs = _check_updates(_as_pairs(updates, "updates"))
    given_pairs = [
        (_check_variable(a, "givens key"), b if isinstance(b, Variable) else as_tensor_variable(b))
        for a, b in _as_pairs(givens, "givens")
    ]
    chosen_mode = get_mode(mode)
    stats = _profile_stats(config.profile if profile is None else profile, name)
    started = time.perf_counter()
    with _garbage_collection_paused(), progress(name) as shown:
        compiled = _compile(
            name,
            specs,
            output_list,
            single_output,
            update_pairs,
            given_pairs,
            chosen_mode,
            no_default_updates,
            on_unused_input,
            allow_input_downcast,
            return_device,
            output_keys,
            input_updates,
            shown,
            stats,
        )
    if stats is not None:
        stats.compile_time = time.perf_counter() - started
    return compiled


def _profile_stats(profile: bool | str | ProfileStats, name: str | None) -> ProfileStats | None:
    """The profile ``function(..., profile=...)`` asks for (None: none)."""
    if isinstance(profile, ProfileStats):
        if profile.message is None:
            profile.message = name or f"the function compiled at {format_location(user_location())}"
        return profile
    if profile is False:
        return None
    message = profile if isinstance(profile, str) else None
    return _profile_stats(ProfileStats(message=message), name)


class ProfiledFunction(Function[R]):
    """A function whose calls are counted and timed in its ``profile`` (its program times
    its steps)."""

    profile: ProfileStats

    def __call__(self, *args: ArrayLike, **kwargs: ArrayLike) -> R:
        started = time.perf_counter()
        try:
            with self._lock or contextlib.nullcontext():
                return super().__call__(*args, **kwargs)
        finally:
            self.profile.call_time += time.perf_counter() - started
            self.profile.calls += 1


class LockedFunction(Function[R]):
    """A function that updates shared variables (or draws random numbers): each call holds
    the locks of what it updates from reading the values to storing the new ones, so that
    calls from several threads lose no update and repeat no draw."""

    def __call__(self, *args: ArrayLike, **kwargs: ArrayLike) -> R:
        # Function.__call__'s paths under the lock, written out (a call through it cost
        # 0.2 us more).
        with self._lock:
            if self._fast_call is not None and not kwargs:
                result = self._fast_call(*args)
                if result is not NotImplemented:
                    if self._output_keys is not None:
                        return dict(zip(self._output_keys, result, strict=True))  # type: ignore[return-value]
                    return result  # type: ignore[no-any-return]
            return self._general_call(args, kwargs)


def _unwrap_out(output: Any) -> Any:
    """The variable of an ``Out`` (its ``borrow`` changes nothing: every call returns arrays
    of its own)."""
    return output.variable if isinstance(output, Out) else output


def _unused_input_policy(value: str) -> UnusedInputPolicy:
    if value == "warn":
        return "warn"
    if value == "ignore":
        return "ignore"
    return "raise"


@contextmanager
def _garbage_collection_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while compiling.

    Compiling allocates many small xDSL objects; the collector's repeated full traversals
    took about 40% of ``function()`` on a 10,000-op graph (1.6 s against 0.95 s here).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _compile(
    name: str | None,
    specs: list[In],
    output_list: list[Variable],
    single_output: bool,
    update_pairs: list[tuple[BaseSharedVariable, Variable]],
    given_pairs: list[tuple[Variable, Variable]],
    chosen_mode: Mode,
    no_default_updates: bool | Sequence[BaseSharedVariable],
    on_unused_input: UnusedInputPolicy,
    allow_input_downcast: bool | None,
    return_device: bool = False,
    output_keys: tuple[str, ...] | None = None,
    input_updates: tuple[int, ...] = (),
    shown: Progress | None = None,
    profile: ProfileStats | None = None,
) -> Function[Any]:
    traced: TracedFunction = trace_function(
        name,
        [spec.variable for spec in specs],
        output_list,
        update_pairs,
        given_pairs,
        no_default_updates,
        on_unused_input,
    )
    # The passes rewrite the traced module itself (a copy of it cost about 6% of function()
    # on the logistic step); the traced stage is traced again when asked for, from the same
    # variables, with every update resolved as it was now.
    if shown is not None:
        shown.stage("rewriting the graph")
    stages = run_pipeline(
        traced.module,
        optimizer=chosen_mode.optimizer,
        excluded=excluded_passes(chosen_mode),
        keep=(),
        in_place=True,
    )
    inputs = [spec.variable for spec in specs]

    def trace_again() -> ModuleOp:
        return trace_function(
            name, inputs, output_list, traced.updates, given_pairs, True, "ignore"
        ).module

    # Verifying the result checks both the traced graph and every rewrite; verifying the
    # traced module as well would double the largest cost of function() on big graphs.
    func_of(stages["final"]).verify()
    if shown is not None:
        shown.stage(f"building it for the {linker_of(chosen_mode)} backend")
    compiled: Function[Any] = (Function if profile is None else ProfiledFunction)(
        name=name,
        inputs=specs,
        shared=traced.shared,
        num_outputs=traced.num_outputs,
        update_targets=traced.update_targets,
        single_output=single_output,
        stages=stages,
        mode=chosen_mode,
        allow_input_downcast=allow_input_downcast,
        trace_again=trace_again,
        return_device=return_device,
        output_keys=output_keys,
        input_updates=input_updates,
        profile=profile,
    )
    if config.dump_ir:
        compiled.dump_all(dump_folder(Path(config.dump_ir), name))
    return compiled


def _check_variable(value: Any, what: str) -> Variable:
    if not isinstance(value, Variable):
        raise TypeError(f"{what} must be a symbolic variable, got {type(value).__name__}")
    return value


def _check_inputs(inputs: Sequence[TensorVariable | In]) -> list[TensorVariable | In]:
    if isinstance(inputs, TensorVariable | In) or not isinstance(inputs, Sequence):
        raise TypeError("function() takes a list of inputs, e.g. function([x], y)")
    seen: set[int] = set()
    checked: list[TensorVariable | In] = []
    with_default = False
    for position, spec in enumerate(inputs):
        variable = spec.variable if isinstance(spec, In) else spec
        if not isinstance(variable, TensorVariable):
            raise TypeError(f"input {position} is not a symbolic variable: {variable!r}")
        if isinstance(variable, SharedVariable):
            raise GraphTypeError(
                f"input {position} is the shared variable {variable.describe()}; shared "
                "variables are implicit inputs (to substitute one, use givens=)"
            )
        from tracegraph.ir.ops import ConstantOp

        if isinstance(variable.owner, ConstantOp):
            raise TypeError(f"input {position} is a constant, which cannot be an input")
        if id(variable) in seen or any(
            (c.variable if isinstance(c, In) else c).value is variable.value for c in checked
        ):
            raise ValueError(f"input {position} {variable.describe()} is given twice")
        seen.add(id(variable))
        has_default = isinstance(spec, In) and spec.has_default
        if with_default and not has_default:
            raise TypeError(
                f"input {position} {variable.describe()} has no default value but follows an "
                "input that has one; inputs with defaults must come last"
            )
        with_default = with_default or has_default
        checked.append(spec)
    return checked


def _check_updates(
    pairs: list[tuple[Any, Any]],
) -> list[tuple[BaseSharedVariable, Variable]]:
    checked: list[tuple[BaseSharedVariable, Variable]] = []
    for target, expression in pairs:
        if not isinstance(target, BaseSharedVariable):
            raise TypeError(f"only shared variables can be updated, not {target!r}")
        if any(target is t for t, _ in checked):
            raise ValueError(f"{target.describe()} is updated twice")
        update = expression if isinstance(expression, Variable) else as_tensor_variable(expression)
        target.check_update(update)
        checked.append((target, update))
    return checked
