"""Theano's ``theano.compile.pfunc``: ``pfunc``, the older name of ``function``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tracegraph.compile.function import Function, function
from tracegraph.compile.graph import UnusedInputPolicy
from tracegraph.compile.io import In
from tracegraph.compile.modes import Mode
from tracegraph.compile.shared import BaseSharedVariable
from tracegraph.tensor.variable import TensorVariable


def pfunc(
    params: Sequence[TensorVariable | In],
    outputs: Any = None,
    mode: str | Mode | None = None,
    updates: Any = None,
    givens: Any = None,
    no_default_updates: bool | Sequence[BaseSharedVariable] = False,
    accept_inplace: bool = False,
    name: str | None = None,
    rebuild_strict: bool = True,
    allow_input_downcast: bool | None = None,
    profile: Any = None,
    on_unused_input: UnusedInputPolicy | None = None,
) -> Function[Any]:
    """``function`` with Theano's ``pfunc`` signature (``params`` are its inputs;
    ``accept_inplace`` and ``rebuild_strict`` change nothing here).

    >>> import tracegraph.tensor as T
    >>> x = T.dscalar('x')
    >>> float(pfunc([x], x * 3)(2.0))
    6.0
    """
    return function(
        params,
        outputs,
        updates=updates,
        givens=givens,
        mode=mode,
        name=name,
        no_default_updates=no_default_updates,
        on_unused_input=on_unused_input,
        allow_input_downcast=allow_input_downcast,
        profile=profile,
    )
