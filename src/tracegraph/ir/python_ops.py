"""The registry of the ops users write in Python (``tg.python_op``): each user op object gets
a key, the same for equal objects, under which the IR names it; the reference kernel looks the
op up and runs it on host arrays.

The frontend (``tensor/op.py``) registers each op with the function that runs it (building
Theano's ``node`` and output storage around ``perform``): the IR layer knows nothing of
variables.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

import numpy as np
from numpy.typing import NDArray

from tracegraph.errors import GraphTypeError
from tracegraph.ir import ops
from tracegraph.ir.reference_rules import Kernel, reference_rule
from tracegraph.ir.types import dtype_of, shape_of

Array: TypeAlias = NDArray[Any]

Run = Callable[[ops.PythonOp, Sequence[Array]], Sequence[Any]]
"""How a user op computes: given the ``tg.python_op`` and the operand arrays, one value per
result."""


@dataclass(frozen=True)
class Registered:
    """A user op object and how it runs."""

    instance: Any
    run: Run


_REGISTRY: dict[str, Registered] = {}
_LOCK = threading.Lock()


def register(instance: Any, run: Run) -> str:
    """The key of ``instance``: that of an equal op registered before, else a new one
    (``module.Class`` and its properties or a number).

    >>> class Double:
    ...     def __eq__(self, other): return type(other) is Double
    ...     def __hash__(self): return 1
    >>> register(Double(), lambda op, xs: xs) == register(Double(), lambda op, xs: xs)
    True
    """
    cls = type(instance)
    base = f"{cls.__module__}.{cls.__qualname__}"
    props = getattr(cls, "__props__", None)
    with _LOCK:
        if props is not None:
            shown = ", ".join(f"{p}={getattr(instance, p)!r}" for p in props)
            key = f"{base}({shown})"
            existing = _REGISTRY.get(key)
            if existing is None or existing.instance != instance:
                key = _unused(key)
                _REGISTRY[key] = Registered(instance, run)
            return key
        for key, entry in _REGISTRY.items():
            if type(entry.instance) is cls and entry.instance == instance:
                return key
        key = _unused(base)
        _REGISTRY[key] = Registered(instance, run)
        return key


def _unused(base: str) -> str:
    if base not in _REGISTRY:
        return base
    number = 2
    while f"{base}#{number}" in _REGISTRY:
        number += 1
    return f"{base}#{number}"


def lookup(key: str) -> Registered:
    """The user op of ``key``; an unknown key (a dump parsed in another process) is an error
    that says so."""
    entry = _REGISTRY.get(key)
    if entry is None:
        raise GraphTypeError(
            f"tg.python_op {key!r} is not registered in this process: a graph with ops written "
            "in Python runs only where they are defined (pickle the function, not its dump)"
        )
    return entry


@reference_rule(ops.PythonOp)
def _python_op(op: ops.PythonOp) -> Kernel:
    entry = lookup(op.get_key())
    expected = [(np.dtype(dtype_of(r)), shape_of(r)) for r in op.outputs]

    def kernel(*arrays: Array) -> Any:
        values = entry.run(op, arrays)
        if len(values) != len(expected):
            raise GraphTypeError(
                f"{op.get_key()}: perform gave {len(values)} outputs, its node has {len(expected)}"
            )
        results = []
        for index, (value, (dtype, shape)) in enumerate(zip(values, expected, strict=True)):
            array = np.asarray(value)
            if array.dtype != dtype or array.ndim != len(shape):
                raise GraphTypeError(
                    f"{op.get_key()}: output {index} of perform is {array.dtype} of rank "
                    f"{array.ndim}, its type says {dtype} of rank {len(shape)}"
                )
            results.append(array)
        return results[0] if len(results) == 1 else tuple(results)

    return kernel
