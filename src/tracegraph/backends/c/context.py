"""What a generated module's two functions take first: ``run(context, *args)`` a
:class:`RunContext`, ``call(context, *inputs)`` a :class:`CallContext`.

The C code reads both by position (``PyTuple_GET_ITEM``, a named tuple being a tuple); the
emitters take every position from the field order defined here
(``CallContext._fields.index("convertible")``), so a field is added or moved in one place.
Shared values are reached through their :class:`~tracegraph.backends.registry.ValueCell`,
whose attribute :data:`CELL_VALUE` the C code reads and assigns.

>>> CallContext._fields.index("convertible")
5
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from tracegraph.backends.registry import ValueCell

CELL_VALUE = "value"
"""The attribute of a :class:`~tracegraph.backends.registry.ValueCell` that holds the value."""


class RunContext(NamedTuple):
    """What a module cannot hold itself, since one compiled module may serve several functions
    (those with the same source)."""

    calls: tuple[Callable[..., Any], ...]
    """The reference kernels of the ``tgk.host_call`` steps, in step order."""
    constants: tuple[Any, ...]
    """The values of the function's constants, in order, in native byte order and aligned."""
    raise_error: Callable[[int, int, str, str, Any], None]
    """``raise_error(step, blame, kind, message, operands)`` raises the typed error the
    reference backend would, naming the op and the user's line (the prelude's ``tg_raise_at``
    reads it at the position the prelude defines as ``TG_RUN_RAISE_ERROR``)."""


class CallContext(NamedTuple):
    """What ``call`` needs besides the inputs to do a whole call of one function: its
    :class:`RunContext` and the :class:`~tracegraph.backends.registry.Binding` the function
    gave the program."""

    run_context: RunContext
    """The context ``run`` takes."""
    shared: tuple[ValueCell[Any], ...]
    """The cells of the shared variables, in argument order (after the inputs)."""
    targets: tuple[ValueCell[Any], ...]
    """The cells the updates write, in result order (after the outputs)."""
    target_shapes: tuple[tuple[int | None, ...], ...]
    """The static shape of each update target (None: any size)."""
    single_output: bool
    """Whether the function returns its one output rather than a list."""
    convertible: tuple[bool, ...]
    """For each input, whether an argument may be cast safely to its dtype."""


def run_field(name: str) -> int:
    """The position of a field of :class:`RunContext`, as the C code reads it.

    >>> run_field("constants")
    1
    """
    return RunContext._fields.index(name)


def call_field(name: str) -> int:
    """The position of a field of :class:`CallContext`, as the C code reads it.

    >>> call_field("shared")
    1
    """
    return CallContext._fields.index(name)


__all__ = ["CELL_VALUE", "CallContext", "RunContext", "call_field", "run_field"]
