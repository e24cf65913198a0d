"""``TritonProgram``: a function of the final stage, lowered for the ``triton`` target, emitted
as one Python module of kernels and a launcher, written to the compile cache and loaded for the
runtime that runs it (Triton's interpreter on NumPy arrays where there is no GPU)."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType, TracebackType
from typing import TYPE_CHECKING, Any

import numpy as np
from xdsl.dialects.builtin import ModuleOp
from xdsl.dialects.func import FuncOp
from xdsl.ir import Block, Operation

from tracegraph.backends.c.cache import cache_dir, digest, write_atomically
from tracegraph.backends.profiling import step_time
from tracegraph.backends.registry import Binding, DeviceValue, StepClock
from tracegraph.backends.steps import STEP_ERRORS, blames
from tracegraph.backends.triton.emit import NATIVE_HOST_CALLS, emit_module, module_variant
from tracegraph.backends.triton.runtime import InterpreterRuntime, load_module
from tracegraph.backends.triton.target import TRITON_TARGET
from tracegraph.ir import ops
from tracegraph.ir.control_kernels import Body, ifelse_kernel, scan_kernel
from tracegraph.ir.interpreter import LOCATED, REFERENCE_RULES, runtime_error
from tracegraph.ir.regions import body_function
from tracegraph.ir.types import dtype_of, is_tensor, shape_of
from tracegraph.lowering import dialect as tgk
from tracegraph.lowering import lowered
from tracegraph.passes.pipeline import run_pipeline

if TYPE_CHECKING:
    from tracegraph.backends.triton.torch_runtime import TorchRuntime


def _call(op: Operation, *, compiled_bodies: bool) -> Callable[..., tuple[Any, ...]]:
    """The reference kernel of ``op`` as a step of the launcher: its results as a tuple
    (tensors as arrays), the reference's typed errors naming the op. With
    ``compiled_bodies`` (the NumPy runtime), a loop's step and a condition's branches are
    Triton programs of their own, run by the host loop of the op's kernel."""
    if compiled_bodies and isinstance(op, ops.ScanOp):
        kernel = scan_kernel(op, _body_program(op.body.block, "scan_step"))
    elif compiled_bodies and isinstance(op, ops.IfElseOp):
        then_body = _body_program(op.then_body.block, "ifelse_then")
        kernel = ifelse_kernel(op, then_body, _body_program(op.else_body.block, "ifelse_else"))
    else:
        kernel = REFERENCE_RULES[type(op)](op)
    tensors = [is_tensor(result) for result in op.results]
    types = [
        (np.dtype(dtype_of(result)), len(shape_of(result))) if tensor else None
        for result, tensor in zip(op.results, tensors, strict=True)
    ]

    def call(*operands: Any) -> tuple[Any, ...]:
        try:
            with np.errstate(all="ignore"):
                results = kernel(*operands)
        except Exception as error:
            raise runtime_error(op, operands, error) from error
        values = results if len(tensors) > 1 else (results,)
        arrays = tuple(
            np.asarray(value) if tensor else value
            for value, tensor in zip(values, tensors, strict=True)
        )
        for array, graph_type in zip(arrays, types, strict=True):
            if graph_type is not None and (array.dtype.newbyteorder("="), array.ndim) != graph_type:
                # The kernels after the step read it as the graph's type (the C module checks
                # its host calls' results in the same words).
                dtype, rank = graph_type
                message = (
                    f"its reference kernel returned a {array.dtype} array of rank {array.ndim} "
                    f"where the graph has a {dtype} array of rank {rank} (a bug of tracegraph's)"
                )
                raise runtime_error(op, operands, STEP_ERRORS["runtime"](message))
        return arrays

    return call


def _body_program(block: Block, name: str) -> Body:
    """A body as a Triton program of its own (on the NumPy runtime), through the pipeline."""
    module = ModuleOp([body_function(block, name)])
    function = run_pipeline(module, keep=(), in_place=True)["final"].body.block.first_op
    assert isinstance(function, FuncOp)
    return TritonProgram(function, device="numpy").run


DEFAULT_DEVICE = "auto"
"""Where programs run unless told (see ``TritonProgram``): tests of the torch path on a
machine without a GPU set it to ``cpu``."""


def gpu_available() -> bool:
    """Whether torch is installed and sees a CUDA GPU."""
    if importlib.util.find_spec("torch") is None:
        return False
    import torch

    return bool(torch.cuda.is_available())


def module_path(source: str, *, interpret: bool) -> Path:
    """Where the module of ``source`` lives in the compile cache, to compile or to run under
    Triton's interpreter (written there once)."""
    variant = module_variant(source, interpret=interpret)
    path = cache_dir() / "triton" / f"tg_{digest('triton', variant)}.py"
    if not path.exists():
        write_atomically(path, variant)
    return path


def _stand_in(value: Any) -> Any:
    """An array of ``value``'s dtype and shape that takes no memory (a torch tensor's too, on
    any device), for an error's description of the operands."""
    if value is None or isinstance(value, np.ndarray):
        return value
    dtype = np.dtype(str(getattr(value, "dtype", "float64")).removeprefix("torch."))
    return np.broadcast_to(np.zeros((), dtype), tuple(getattr(value, "shape", ())))


class TritonProgram:
    """A ``func.func`` as Triton kernels and their launcher.

    >>> from tracegraph.ir import parse_module
    >>> module = parse_module('''
    ... func.func @f(%x: tensor<?xf64>) -> tensor<?xf64> {
    ...   %y = tg.add %x, %x : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
    ...   func.return %y : tensor<?xf64>
    ... }''')
    >>> TritonProgram(module.body.block.first_op).run([np.array([1.0, 2.0])])
    [array([2., 4.])]
    """

    def __init__(self, function: FuncOp, device: str | None = None, *, profile: bool = False):
        """``device``: ``cuda`` (torch tensors on the GPU, kernels compiled ahead of time),
        ``numpy`` (NumPy arrays, Triton's interpreter), ``cpu`` (torch CPU tensors, Triton's
        interpreter: the torch path without a GPU) or ``auto``: ``cuda`` where torch sees a
        GPU, else ``numpy``; ``None``: ``DEFAULT_DEVICE``. ``profile``: time each step (the
        program's :attr:`clock`)."""
        device = device or DEFAULT_DEVICE
        self.kernels: FuncOp = lowered(function, TRITON_TARGET.name)
        """The function lowered for the ``triton`` target (the kernel dialect)."""
        emitter = emit_module(self.kernels, profile=profile)
        self.source = emitter.source
        """The module: kernels and launcher."""
        self.signatures = emitter.signatures
        named = [blames(kernel) for kernel in emitter.steps]
        self._named = named
        self._step_operands = [
            [emitter.var[value] for value in kernel.operands if value in emitter.var]
            for kernel in emitter.steps
        ]
        """The launcher's names of each step's operands (for the errors it raises unnamed)."""

        def fail(step: int, blame: int, kind: str, message: str, operands: Sequence[Any]) -> None:
            op, name = named[step][blame]
            error = STEP_ERRORS[kind](message)
            raise runtime_error(op, list(operands), error, name=name) from None

        if device == "auto":
            device = "cuda" if gpu_available() else "numpy"
        calls = {
            step: _call(kernel.callee, compiled_bodies=device == "numpy")
            for step, kernel in enumerate(emitter.steps)
            if isinstance(kernel, tgk.HostCallOp)
            and not isinstance(kernel.callee, NATIVE_HOST_CALLS)
        }
        self.runtime: InterpreterRuntime | TorchRuntime
        if device == "numpy":
            self.runtime = InterpreterRuntime(fail, calls)
        else:
            from tracegraph.backends.triton.torch_runtime import TorchRuntime, torch_calls

            on_device = torch_calls(emitter.steps, calls, device)
            self.runtime = TorchRuntime(fail, on_device, self.signatures, device)
        self.clock: StepClock | None = None
        """The time of each step, when profiled."""
        if profile:
            wait: Callable[[], None] | None = None
            if not isinstance(self.runtime, InterpreterRuntime) and not self.runtime.interpret:
                wait = self.runtime.synchronize
            self.clock = StepClock([step_time(kernel) for kernel in emitter.steps], wait)
            self.runtime.clock = self.clock
        self.path = module_path(self.source, interpret=self.runtime.interpret)
        """The module's file in the compile cache."""
        self.module = load_module(self.path, interpret=self.runtime.interpret)
        self._run: Callable[..., tuple[Any, ...]] = self.module.run
        self.constants = tuple(self.runtime.upload(op.to_array()) for op in emitter.constants)

    def compiled_module(self) -> ModuleType:
        """The module loaded for compiling (its kernels ``JITFunction``s), whatever runs it."""
        return load_module(module_path(self.source, interpret=False), interpret=False)

    def run(self, args: Sequence[Any]) -> list[Any]:
        """Run on the argument arrays (NumPy, or torch tensors on the runtime's device); return
        the results as NumPy arrays."""
        return [self.runtime.download(result) for result in self.run_on_device(args)]

    def run_on_device(self, args: Sequence[Any]) -> list[Any]:
        """As :meth:`run`, the results left on the device (torch tensors there; NumPy arrays
        under the NumPy runtime)."""
        runtime = self.runtime
        try:
            return list(self._run(runtime, self.constants, *(runtime.upload(a) for a in args)))
        except Exception as error:
            located = self.located(error)
            if located is error:
                raise
            raise located from error

    def located(self, error: Exception) -> Exception:
        """``error`` as the launcher raised it, or, when it names no op (NumPy's or torch's
        ``MemoryError`` of an allocation...), the same builtin class of error naming the op of
        the step whose lines raised it and the user's line."""
        if getattr(error, LOCATED, False):
            return error
        found = self._step_of(error.__traceback__)
        if found is None:
            return error
        step, launcher = found
        op, name = self._named[step][0]
        operands = [_stand_in(launcher.get(value)) for value in self._step_operands[step]]
        return runtime_error(op, operands, error, name=name)

    def _step_of(self, traceback: TracebackType | None) -> tuple[int, dict[str, Any]] | None:
        """The step of the launcher's line where ``traceback`` last passed (its ``# step K``
        comment is the last one above it) and the launcher's variables then, or None."""
        path, line, variables = str(self.path), None, {}
        while traceback is not None:
            if traceback.tb_frame.f_code.co_filename == path:
                line, variables = traceback.tb_lineno, traceback.tb_frame.f_locals
            traceback = traceback.tb_next
        if line is None:
            return None
        lines = self.path.read_text(encoding="utf-8").splitlines()[:line]
        marks = [text.strip() for text in lines if text.strip().startswith("# step ")]
        return (int(marks[-1].split()[2].rstrip(":")), variables) if marks else None

    def bind(self, binding: Binding) -> Callable[..., Any] | None:
        """On a device (the torch runtime), a whole call that keeps shared values there (see
        ``DeviceCall``); under the NumPy runtime None: every call goes through :meth:`run`."""
        if isinstance(self.runtime, InterpreterRuntime):
            return None
        return DeviceCall(self, binding)


class DeviceCall:
    """A whole call of a program on a device, as ``Program.bind`` returns it: arguments that
    are NumPy arrays or torch tensors of the inputs' exact dtypes and ranks (anything else: the
    general path, ``NotImplemented``), shared values read from the device (a ``DeviceValue``
    a call left in the cell, or an upload kept while the cell holds the same host array),
    updates stored as ``DeviceValue``s (copied to the host only when ``get_value`` asks),
    outputs as NumPy unless ``binding.return_device``."""

    def __init__(self, program: TritonProgram, binding: Binding) -> None:
        self.program = program
        self.binding = binding
        args = program.kernels.body.block.args
        count = len(binding.convertible)
        self.inputs = [(dtype_of(arg), shape_of(arg)) for arg in args[:count]]
        self.outputs = len(program.kernels.body.block.last_op.operands) - len(  # type: ignore[union-attr]
            binding.update_targets
        )
        self.uploaded: dict[int, tuple[Any, Any]] = {}
        """By shared position: the host value last uploaded and its device copy."""

    def _argument(self, value: Any, dtype: str, shape: tuple[int | None, ...]) -> Any:
        """The argument on the device, or ``NotImplemented`` where the general path must
        convert or check it (another dtype, rank or static size)."""
        runtime = self.program.runtime
        torch = getattr(runtime, "torch", None)
        if torch is not None and isinstance(value, torch.Tensor):
            if str(value.dtype).removeprefix("torch.") != dtype:
                return NotImplemented
        elif not (isinstance(value, np.ndarray) and value.dtype == dtype):
            return NotImplemented
        sizes = tuple(value.shape)
        if len(sizes) != len(shape) or any(
            s is not None and s != size for s, size in zip(shape, sizes, strict=True)
        ):
            return NotImplemented
        return runtime.upload(value)

    def _shared(self, position: int, value: Any) -> Any:
        if isinstance(value, DeviceValue):
            return value.array
        if not isinstance(value, np.ndarray):
            return value  # a random state: the host draws read it
        last = self.uploaded.get(position)
        if last is not None and last[0] is value:
            return last[1]
        uploaded = self.program.runtime.upload(value)
        self.uploaded[position] = (value, uploaded)
        return uploaded

    def __call__(self, *args: Any) -> Any:
        if len(args) != len(self.inputs):
            return NotImplemented
        arguments = []
        for value, (dtype, shape) in zip(args, self.inputs, strict=True):
            argument = self._argument(value, dtype, shape)
            if argument is NotImplemented:
                return NotImplemented
            arguments.append(argument)
        binding = self.binding
        shared = [self._shared(i, cell.value) for i, cell in enumerate(binding.shared)]
        results = self.program.run_on_device(arguments + shared)
        updates = results[self.outputs :]
        for update, shape in zip(updates, binding.target_shapes, strict=False):
            sizes = tuple(getattr(update, "shape", ()))
            if len(sizes) != len(shape) or any(
                s is not None and s != size for s, size in zip(shape, sizes, strict=True)
            ):
                return NotImplemented  # the general path raises the error
        download = self.program.runtime.download
        for cell, update in zip(binding.update_targets, updates, strict=True):
            on_device = hasattr(update, "device")
            cell.value = DeviceValue(update, download) if on_device else update
        outputs = results[: self.outputs]
        if not binding.return_device:
            outputs = [download(output) for output in outputs]
        if binding.single_output:
            return outputs[0] if outputs else None
        return outputs


__all__ = ["TritonProgram"]
