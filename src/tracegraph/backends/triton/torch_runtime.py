"""``TorchRuntime``: the launchers of generated modules on torch tensors, on a GPU.

Arrays are torch tensors on the runtime's device. On a CUDA device each kernel is compiled
ahead of time for the launch's specialization (its constexprs, and which pointers and integers
are multiples of 16, as Triton's own launcher specializes) through ``compile_kernel``, once per
specialization, and launched through the compiled kernel's own launcher (``compiled[grid]``),
which skips the argument binding of ``kernel[grid](...)``. On the CPU (a machine without a GPU,
for testing) the kernels run under Triton's interpreter on CPU tensors.

The array operations of ``tgk.host_call`` steps are torch's where the runtime has one
(``TORCH_OPERATIONS`` in ``torch_operations.py``: reshapes, indexing and its updates, joins,
alloc, arange); RandomStreams draws run on the host (NumPy's ``RandomState``,
Theano's numbers) and are uploaded; any other op is refused when the program is made, naming
the op and the user's line, never run by a silent round trip through the host.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from xdsl.ir import Operation

from tracegraph.backends.registry import StepClock
from tracegraph.backends.triton.compile import compile_kernel
from tracegraph.backends.triton.runtime import split_columns
from tracegraph.backends.triton.torch_operations import TORCH_OPERATIONS
from tracegraph.errors import ShapeMismatchError, TracegraphError, UnsupportedOperationError
from tracegraph.ir import ops
from tracegraph.ir.interpreter import runtime_error
from tracegraph.ir.location import format_location
from tracegraph.lowering import dialect as tgk

Fail = Callable[[int, int, str, str, Sequence[Any]], None]
Call = Callable[..., tuple[Any, ...]]

TORCH_DTYPES = {
    "bool": "bool",
    "int8": "int8",
    "int16": "int16",
    "int32": "int32",
    "int64": "int64",
    "uint8": "uint8",
    "uint16": "uint16",
    "uint32": "uint32",
    "uint64": "uint64",
    "float32": "float32",
    "float64": "float64",
}
"""The torch dtype (``torch.<name>``) of each dtype."""


def _power_of_two(n: int) -> int:
    return 1 << max(0, (n - 1).bit_length())


def _on_host(reference: Call, device: Any) -> Call:
    """A reference kernel run on host copies of its tensor operands, its array results
    uploaded: the draws of RandomStreams, which are NumPy's ``RandomState``'s."""
    import torch

    def call(*operands: Any) -> tuple[Any, ...]:
        host = [o.cpu().numpy() if isinstance(o, torch.Tensor) else o for o in operands]
        results = reference(*host)
        return tuple(
            torch.from_numpy(r.copy(order="C")).to(device) if isinstance(r, np.ndarray) else r
            for r in results
        )

    return call


TORCH_ARRAY_OPERATIONS: dict[type[Operation], str] = {
    **{op: "a torch operation on the device" for op in TORCH_OPERATIONS},
    **{
        draw: "drawn on the host by NumPy's RandomState, uploaded"
        for draw in ops.RANDOM_STATE_DRAWS
    },
    ops.NonzeroOp: "computed on the host by NumPy (its size is the data's), uploaded",
    ops.PythonOp: "the user's perform on host copies, its results uploaded (warned once)",
    ops.PrintOp: "printed from a host copy, the operand passed on",
    **{
        op: "computed on the host by NumPy, uploaded (no kernel yet)"
        for op in (*ops.CONVOLUTION_OPS, *ops.LINEAR_ALGEBRA_OPS)
    },
}
"""The ops of host-call steps this runtime runs, and how."""


def _on_device(op: Operation, function: Callable[..., Any], download: Callable[[Any], Any]) -> Call:
    """A torch operation as a step: its result as a tuple; a failure raises the reference's
    error kind, naming the op (the operation's own typed errors keep their kind; torch's errors
    are sizes that do not fit, shape errors as NumPy's ``ValueError`` is there)."""

    def call(*operands: Any) -> tuple[Any, ...]:
        try:
            return (function(*operands),)
        except TracegraphError as error:  # the operation's own, of the reference's kind
            raise runtime_error(op, [download(o) for o in operands], error) from error
        except (RuntimeError, ValueError) as error:
            shown = [download(o) for o in operands]
            raise runtime_error(op, shown, ShapeMismatchError(str(error))) from error

    return call


def torch_calls(
    steps: Sequence[Operation], reference_calls: Mapping[int, Call], device: Any
) -> dict[int, Call]:
    """The array operation of every host-call step; an op this runtime cannot run on the
    device raises ``UnsupportedOperationError`` naming it and the user's line."""
    calls: dict[int, Call] = {}
    for step, kernel in enumerate(steps):
        if not isinstance(kernel, tgk.HostCallOp):
            continue
        op = kernel.callee
        if step not in reference_calls:
            continue  # a kernel of its own (emit.NATIVE_HOST_CALLS)
        if type(op) not in TORCH_ARRAY_OPERATIONS:
            raise UnsupportedOperationError(
                f"{op.name} at {format_location(op.location)}: the Triton backend has no "
                "kernel for this op on a GPU yet (it runs only under Triton's interpreter)"
            )
        builder = TORCH_OPERATIONS.get(type(op))
        if isinstance(op, ops.PythonOp):
            _warn_host_round_trip(op)
        if builder is not None:
            calls[step] = _on_device(op, builder(op), _to_host)
        else:
            calls[step] = _on_host(reference_calls[step], device)
    return calls


_WARNED_ROUND_TRIP: set[str] = set()


def _warn_host_round_trip(op: ops.PythonOp) -> None:
    """Warn once per user op that it runs on the host: its operands are copied from the device
    and its results back, on every call."""
    key = op.get_key()
    if key in _WARNED_ROUND_TRIP:
        return
    _WARNED_ROUND_TRIP.add(key)
    warnings.warn(
        f"{key} at {format_location(op.location)} runs its perform on the host: its operands "
        "are copied from the GPU and its results back on every call",
        UserWarning,
        stacklevel=2,
    )


def _to_host(value: Any) -> Any:
    return value.detach().cpu().numpy() if hasattr(value, "detach") else value


class TorchRuntime:
    """Torch tensors on ``device``; compiled launches on CUDA, Triton's interpreter on the
    CPU."""

    def __init__(
        self,
        fail: Fail,
        calls: Mapping[int, Call],
        signatures: Mapping[str, Mapping[str, str]],
        device: str,
    ) -> None:
        import torch

        self.torch = torch
        self.device = torch.device(device)
        self.interpret = self.device.type != "cuda"
        self.fail = fail
        self.calls = calls
        self.signatures = signatures
        self._compiled: dict[tuple[Any, ...], Any] = {}
        self.target: tuple[str, int, int] = ("cuda", 90, 32)
        self.fill = 1
        """Programs that fill the device (four per multiprocessor)."""
        if not self.interpret:
            major, minor = torch.cuda.get_device_capability(self.device)
            self.target = ("cuda", 10 * major + minor, 32)
            properties = torch.cuda.get_device_properties(self.device)
            self.fill = 4 * properties.multi_processor_count

    clock: StepClock | None = None
    """The profiled program's clock, which a profiled launcher ticks (it waits for the device
    at each tick)."""

    def synchronize(self) -> None:
        """Wait for what was launched on the device to finish."""
        self.torch.cuda.synchronize(self.device)

    def tick(self, step: int) -> None:
        """Start timing ``step`` (-1: end the last): the launcher of a profiled program."""
        assert self.clock is not None
        self.clock.tick(step)

    # -- the program's boundary --------------------------------------------------------------------

    def upload(self, value: Any) -> Any:
        """An argument on the device: a tensor already there is used as it is; a NumPy array
        (or a number) is copied there; other objects (random states) pass."""
        torch = self.torch
        if isinstance(value, torch.Tensor):
            return value if value.device == self.device else value.to(self.device)
        if isinstance(value, np.ndarray | np.generic):
            array = np.asarray(value)  # (ascontiguousarray would make a 0-d array 1-d)
            if not array.flags.c_contiguous:
                array = array.copy(order="C")
            if not array.dtype.isnative:
                array = array.astype(array.dtype.newbyteorder("="))
            return torch.from_numpy(array).to(self.device)
        return value

    def download(self, value: Any) -> Any:
        """A result as NumPy (a copy on the host)."""
        if isinstance(value, self.torch.Tensor):
            return np.asarray(value.detach().cpu().numpy())
        return value

    # -- what launchers call -----------------------------------------------------------------------

    def call(self, step: int, *operands: Any) -> tuple[Any, ...]:
        return self.calls[step](*operands)

    def _dtype(self, dtype: str) -> Any:
        return getattr(self.torch, TORCH_DTYPES[dtype])

    def empty(self, shape: tuple[int, ...], dtype: str) -> Any:
        return self.torch.empty(shape, dtype=self._dtype(dtype), device=self.device)

    def flags(self, count: int) -> Any:
        return self.torch.zeros(count, dtype=self.torch.int8, device=self.device)

    @staticmethod
    def flagged(flags: Any, position: int) -> bool:
        return bool(flags[position].item())

    @staticmethod
    def host_values(vector: Any) -> list[int]:
        return [int(v) for v in vector.reshape(-1).tolist()]

    @staticmethod
    def product(values: Sequence[int]) -> int:
        return math.prod(values)

    @staticmethod
    def copy(tensor: Any) -> Any:
        return tensor.clone()

    @staticmethod
    def contiguous(tensor: Any) -> Any:
        return tensor.contiguous()

    @staticmethod
    def strides(tensor: Any) -> tuple[int, ...]:
        return tuple(tensor.stride())

    @staticmethod
    def cdiv(a: int, b: int) -> int:
        return -(-a // b)

    def block(self, total: int) -> int:
        if self.interpret:
            return min(_power_of_two(total), 1 << 16)
        return 1024

    def tile(self, rows: int, columns: int) -> tuple[int, int]:
        """Rows per program and the chunk of a row: a whole row up to 1,024 elements (4,096
        under the interpreter), a looped accumulator above."""
        widest = 4096 if self.interpret else 1024
        br = min(_power_of_two(max(columns, 1)), widest)
        budget = (1 << 16 if self.interpret else 4096) // br
        return max(1, min(_power_of_two(rows), budget)), br

    def split(self, rows: int, columns: int, rows_per_program: int, chunk: int) -> tuple[int, int]:
        """``(parts, span)``: on a GPU, rows split into parts where there are too few programs
        to fill it (about four per multiprocessor) and a row has several chunks; under the
        interpreter one part."""
        programs = -(-rows // rows_per_program)
        if self.interpret or programs >= self.fill:
            return split_columns(columns, 1, chunk)
        return split_columns(columns, max(1, self.fill // programs), chunk)

    @staticmethod
    def dot_tile(m: int, n: int, k: int) -> tuple[int, int, int]:
        def size(x: int, most: int) -> int:
            return max(16, min(_power_of_two(x), most))

        return size(m, 64), size(n, 64), size(k, 32)

    def dimshuffle(self, x: Any, order: Sequence[int], shape: Sequence[int | None]) -> Any:
        listed = [axis for axis in order if axis != -1]
        dropped = [axis for axis in range(x.dim()) if axis not in listed]
        moved = x.permute(listed + dropped)  # a list: a 0-d tensor has no axes to spread
        return moved.reshape([x.shape[axis] if axis != -1 else 1 for axis in order])

    def shape_of(self, x: Any) -> Any:
        return self.torch.tensor(list(x.shape), dtype=self.torch.int64, device=self.device)

    def element(self, step: int, x: Any, index: Any) -> Any:
        i, n = int(index.item()), x.shape[0]
        if not -n <= i < n:
            message = f"index {i} is out of bounds for axis 0 with size {n} (indexed shape ({n},))"
            self.fail(step, 0, "index", message, (self.download(x), self.download(index)))
        return x[i].clone()

    def launch(self, kernel: Any, grid: tuple[int, ...], args: Sequence[Any]) -> None:
        if self.interpret:
            # Masked-off lanes compute too, and NumPy's reductions warn on NaN there.
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                kernel[grid](*args)
            return
        self._compiled_for(kernel, args)[grid](*args)

    def _compiled_for(self, kernel: Any, args: Sequence[Any]) -> Any:
        """The kernel compiled for this launch's specialization (once per specialization)."""
        name = kernel.fn.__name__
        signature = dict(self.signatures[name])
        constexprs: dict[str, int] = {}
        divisible: list[int] = []
        for position, (parameter, kind) in enumerate(list(signature.items())):
            value = args[position]
            if kind == "constexpr":
                constexprs[parameter] = value
            elif isinstance(value, self.torch.Tensor):
                if value.data_ptr() % 16 == 0:
                    divisible.append(position)
            elif isinstance(value, int) and value == 1:
                # As Triton's own launcher: an integer 1 (a unit stride) becomes a constant,
                # which lets strided loads vectorize.
                signature[parameter] = "constexpr"
                constexprs[parameter] = 1
            elif isinstance(value, int) and value % 16 == 0:
                divisible.append(position)
        key = (name, tuple(constexprs.items()), tuple(divisible))
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = compile_kernel(kernel, signature, constexprs, tuple(divisible), self.target)
            self._compiled[key] = compiled
        return compiled
