"""Where the launchers of generated modules run: a *runtime* owns the arrays and the launches.

``InterpreterRuntime`` runs kernels under Triton's interpreter on NumPy arrays (every machine:
no GPU, no torch). The interpreter asks of an argument what it asks of a torch tensor;
``_Pointer`` gives it that for a NumPy array, with the host as the device, so kernels read and
write the arrays in place. ``libdevice`` calls do not run in the interpreter: a module loaded
for it calls ``INTERPRETED_LIBDEVICE`` instead, the NumPy function of each
(``LIBDEVICE_FUNCTIONS``).
"""

from __future__ import annotations

import importlib.util
import math
import sys
import threading
import types
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from tracegraph.backends.registry import StepClock
from tracegraph.backends.triton.scalar import LIBDEVICE_FUNCTIONS

Fail = Callable[[int, int, str, str, Sequence[Any]], None]
"""``fail(step, blame, kind, message, operands)``: raise the error of a failed step."""

_import_lock = threading.Lock()


def load_module(path: Path, *, interpret: bool) -> types.ModuleType:
    """Import the generated module at ``path``: for Triton's interpreter (its kernels
    ``InterpretedFunction``s, its ``libdevice`` the NumPy one) or for compiling."""
    import triton

    name = f"{path.stem}_{'interpreted' if interpret else 'compiled'}"
    with _import_lock:
        if name in sys.modules:
            return sys.modules[name]
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        previous = triton.knobs.runtime.interpret
        triton.knobs.runtime.interpret = interpret
        try:
            spec.loader.exec_module(module)
        finally:
            triton.knobs.runtime.interpret = previous
        if interpret:
            module.libdevice = interpreted_libdevice()  # type: ignore[attr-defined]
        sys.modules[name] = module
        return module


def interpreted_libdevice() -> types.SimpleNamespace:
    """``libdevice`` for the interpreter: each function of ``LIBDEVICE_FUNCTIONS`` on the
    interpreter's blocks (``tl.tensor``s of NumPy arrays)."""
    return types.SimpleNamespace(
        **{name: _on_blocks(function) for name, function in LIBDEVICE_FUNCTIONS.items()}
    )


def _on_blocks(function: Callable[..., Any]) -> Callable[..., Any]:
    def call(*args: Any, **_: Any) -> Any:
        import triton.language as tl
        from triton.runtime.interpreter import TensorHandle

        widest = max(args, key=lambda a: a.handle.data.size)
        data = [a.handle.data for a in args]
        with np.errstate(all="ignore"):
            result = np.asarray(function(*data), dtype=widest.handle.data.dtype)
        return tl.tensor(TensorHandle(result, widest.handle.dtype), widest.type)

    return call


class _Pointer:
    """A NumPy array as Triton's interpreter takes a tensor argument: its address, dtype and
    what the interpreter's copy to and from the host asks for (identities here: the host is
    the device)."""

    def __init__(self, array: np.ndarray[Any, Any] | None, address: int = 0) -> None:
        self.array = array
        self.address = address if array is None else array.__array_interface__["data"][0]
        self.dtype = None if array is None else array.dtype

    def data_ptr(self) -> int:
        return self.address

    def untyped_storage(self) -> _Pointer:
        return self

    def cpu(self) -> _Pointer:
        return self

    def new_empty(self, *_: Any, **__: Any) -> _Pointer:
        return _Pointer(None)

    def set_(self, storage: _Pointer, offset: int, size: Any, stride: Any) -> _Pointer:
        self.address = storage.address
        self.dtype = storage.dtype
        return self

    def storage_offset(self) -> int:
        return 0

    def size(self) -> tuple[int, ...]:
        return () if self.array is None else self.array.shape

    def stride(self) -> tuple[int, ...]:
        return () if self.array is None else self.array.strides

    def copy_(self, other: _Pointer) -> _Pointer:
        return self


def split_columns(columns: int, parts: int, chunk: int) -> tuple[int, int]:
    """``columns`` in at most ``parts`` parts of a multiple of ``chunk`` columns each:
    ``(parts, span)``, every part non-empty.

    >>> split_columns(1000, 4, 64), split_columns(10, 4, 64), split_columns(0, 4, 64)
    ((4, 256), (1, 64), (1, 0))
    """
    per_part = -(-columns // max(parts, 1))
    span = -(-per_part // chunk) * chunk
    return (-(-columns // span) if span else 1), span


def _power_of_two(n: int) -> int:
    return 1 << max(0, (n - 1).bit_length())


class InterpreterRuntime:
    """NumPy arrays and Triton's interpreter. Blocks are large: each program instance costs
    about a millisecond there, whatever its size."""

    interpret = True
    MAX_BLOCK = 1 << 16

    def __init__(self, fail: Fail, calls: Mapping[int, Callable[..., tuple[Any, ...]]]):
        self.fail = fail
        self.calls = calls
        """The array operation of each ``tgk.host_call`` step: the op's reference kernel."""

    def call(self, step: int, *operands: Any) -> tuple[Any, ...]:
        """Run the array operation of a step on its operands; its results, as a tuple."""
        return self.calls[step](*operands)

    clock: StepClock | None = None
    """The profiled program's clock, which a profiled launcher ticks."""

    def tick(self, step: int) -> None:
        """Start timing ``step`` (-1: end the last): the launcher of a profiled program."""
        assert self.clock is not None
        self.clock.tick(step)

    @staticmethod
    def upload(value: Any) -> Any:
        """An argument as the kernels read it: an array in native byte order and aligned (a
        copy where it is not); other objects as they are."""
        if isinstance(value, np.ndarray) and not (value.dtype.isnative and value.flags.aligned):
            return np.array(value, dtype=value.dtype.newbyteorder("="))
        return value

    @staticmethod
    def download(value: Any) -> Any:
        """A result as the caller gets it (the host is the device here)."""
        return value

    @staticmethod
    def empty(shape: tuple[int, ...], dtype: str) -> np.ndarray[Any, Any]:
        return np.empty(shape, dtype=dtype)

    @staticmethod
    def flags(count: int) -> np.ndarray[Any, Any]:
        """A zeroed int8 flag per op of a loop's body, which lanes that fail set."""
        return np.zeros(count, dtype=np.int8)

    @staticmethod
    def flagged(flags: np.ndarray[Any, Any], position: int) -> bool:
        return bool(flags[position])

    @staticmethod
    def host_values(vector: np.ndarray[Any, Any]) -> list[int]:
        """A small integer vector's values, on the host (sizes of a draw)."""
        return [int(v) for v in np.asarray(vector).reshape(-1)]

    @staticmethod
    def product(values: Sequence[int]) -> int:
        return math.prod(values)

    @staticmethod
    def copy(array: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        return np.array(array, copy=True)

    @staticmethod
    def contiguous(array: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        return np.ascontiguousarray(array)

    @staticmethod
    def strides(array: np.ndarray[Any, Any]) -> tuple[int, ...]:
        """The strides in elements."""
        return tuple(s // array.itemsize for s in array.strides)

    @staticmethod
    def cdiv(a: int, b: int) -> int:
        return -(-a // b)

    def block(self, total: int) -> int:
        return min(_power_of_two(total), self.MAX_BLOCK)

    widest_chunk = 4096
    """The most columns of a row one chunk takes (tests set fewer, to walk rows in chunks)."""

    def tile(self, rows: int, columns: int) -> tuple[int, int]:
        br = min(_power_of_two(max(columns, 1)), self.widest_chunk)
        return max(1, min(_power_of_two(rows), self.MAX_BLOCK // br)), br

    split_parts = 1
    """How many parts a reduction's rows are split into (tests set more, to run the split
    path under the interpreter)."""

    def split(self, rows: int, columns: int, rows_per_program: int, chunk: int) -> tuple[int, int]:
        """``(parts, span)``: the parts of each row, each ``span`` columns (a multiple of
        ``chunk``). Under the interpreter one part (programs cost, not lanes)."""
        return split_columns(columns, self.split_parts, chunk)

    @staticmethod
    def dot_tile(m: int, n: int, k: int) -> tuple[int, int, int]:
        def size(x: int) -> int:
            return max(16, min(_power_of_two(x), 128))

        return size(m), size(n), size(k)

    @staticmethod
    def launch(kernel: Any, grid: tuple[int, ...], args: Sequence[Any]) -> None:
        wrapped = [_Pointer(a) if isinstance(a, np.ndarray) else a for a in args]
        # Masked-off lanes compute too, and NumPy's reductions warn on NaN: neither is the
        # user's concern.
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            kernel[grid](*wrapped)

    @staticmethod
    def dimshuffle(
        x: np.ndarray[Any, Any], order: Sequence[int], shape: Sequence[int | None]
    ) -> np.ndarray[Any, Any]:
        """``tg.dimshuffle`` as a view: ``order`` lists each result axis's axis of ``x``
        (``-1``: new); the size-1 axes it leaves out are dropped."""
        listed = [axis for axis in order if axis != -1]
        dropped = [axis for axis in range(x.ndim) if axis not in listed]
        moved = np.transpose(x, listed + dropped)
        return moved.reshape([x.shape[axis] if axis != -1 else 1 for axis in order])

    @staticmethod
    def shape_of(x: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        return np.array(x.shape, dtype=np.int64)

    def element(
        self, step: int, x: np.ndarray[Any, Any], index: np.ndarray[Any, Any]
    ) -> np.ndarray[Any, Any]:
        """``x[index]`` of a vector as a new 0-d array; out of range is an ``index`` error."""
        i, n = int(index), x.shape[0]
        if not -n <= i < n:
            message = f"index {i} is out of bounds for axis 0 with size {n} (indexed shape ({n},))"
            self.fail(step, 0, "index", message, (x, index))
        return np.array(x[i], dtype=x.dtype)
