"""A backend plug-in for the tests: the reference interpreter under another name, added with
``register_backend`` as a user's backend would be. It counts what it compiles and runs (so a
test can tell that it ran), and can offer a fast call path through ``Program.bind``."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from xdsl.dialects.func import FuncOp

from tracegraph.backends.registry import (
    HOST,
    Backend,
    Binding,
    get_backend,
    register_backend,
    unregister_backend,
)
from tracegraph.ir.interpreter import ReferenceProgram

FastCall = Callable[[Binding, tuple[Any, ...]], Any]
"""What a toy program's fast path does with the binding and the positional arguments."""


class ToyProgram:
    """The interpreter's program, counting its runs."""

    def __init__(self, func: FuncOp, fast: FastCall | None):
        self._program = ReferenceProgram(func)
        self._fast = fast
        self.runs = 0
        self.bindings: list[Binding] = []

    def run(self, args: Sequence[Any]) -> list[Any]:
        self.runs += 1
        return self._program.run(args)

    def bind(self, binding: Binding) -> Callable[..., Any] | None:
        self.bindings.append(binding)
        fast = self._fast
        if fast is None:
            return None

        def call(*args: Any) -> Any:
            return fast(binding, args)

        return call


class ToyBackend(Backend):
    """The ``toy`` backend (also ``plaything``)."""

    name = "toy"
    title = "toy"
    language = "tg IR"

    def __init__(self, device: str = HOST, fast: FastCall | None = None):
        self.device = device
        self.programs: list[ToyProgram] = []
        self._fast = fast

    def compile(self, func: FuncOp) -> ToyProgram:
        program = ToyProgram(func, self._fast)
        self.programs.append(program)
        return program

    def source(self, func: FuncOp) -> str:
        return "// toy\n" + get_backend("reference").source(func)


@contextmanager
def toy_backend(device: str = HOST, fast: FastCall | None = None) -> Iterator[ToyBackend]:
    """The toy backend, registered while the block runs."""
    backend = register_backend(ToyBackend(device, fast), aliases=["plaything"])
    try:
        yield backend
    finally:
        unregister_backend("toy")
