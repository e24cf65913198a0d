"""Loops: Theano's ``scan`` and its shorthands ``map``, ``reduce``, ``foldl``, ``foldr``
(Theano's import path ``theano.scan_module``; ``tracegraph.scan`` is the function).

>>> import numpy as np, tracegraph, tracegraph.tensor as T
>>> x = T.dvector("x")
>>> squares, _ = map(lambda v: v ** 2, sequences=x)
>>> tracegraph.function([x], squares)(np.array([1.0, 2.0, 3.0]))
array([1., 4., 9.])
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tracegraph.compile.shared import BaseSharedVariable
from tracegraph.gradient import core as _core
from tracegraph.scan_module import gradient as _gradient  # noqa: F401 (registers the VJP)
from tracegraph.scan_module.scan import scan, until
from tracegraph.tensor.variable import TensorVariable, Variable


def map(
    fn: Callable[..., Any],
    sequences: Any,
    non_sequences: Any = None,
    truncate_gradient: int = -1,
    go_backwards: bool = False,
    mode: Any = None,
    name: str | None = None,
) -> tuple[Any, dict[BaseSharedVariable, Variable]]:
    """``fn`` applied to each step of the sequences: ``scan`` with no recurrent state.

    >>> import tracegraph.tensor as T
    >>> map(lambda v: v * 2, sequences=T.dvector("x"))[0].ndim
    1
    """
    return scan(
        fn,
        sequences=sequences,
        non_sequences=non_sequences,
        truncate_gradient=truncate_gradient,
        go_backwards=go_backwards,
        mode=mode,
        name=name,
    )


def reduce(
    fn: Callable[..., Any],
    sequences: Any,
    outputs_info: Any,
    non_sequences: Any = None,
    go_backwards: bool = False,
    mode: Any = None,
    name: str | None = None,
) -> tuple[Any, dict[BaseSharedVariable, Variable]]:
    """The last value of each output of ``scan``: a fold of the sequences.

    >>> import numpy as np, tracegraph, tracegraph.tensor as T
    >>> x = T.dvector("x")
    >>> total, _ = reduce(lambda v, acc: acc + v, sequences=x, outputs_info=T.zeros(()))
    >>> float(tracegraph.function([x], total)(np.array([1.0, 2.0, 3.5])))
    6.5
    """
    outputs, updates = scan(
        fn,
        sequences=sequences,
        outputs_info=outputs_info,
        non_sequences=non_sequences,
        go_backwards=go_backwards,
        mode=mode,
        name=name,
        return_list=True,
    )
    last = [output[-1] for output in outputs]
    return (last[0] if len(last) == 1 else last), updates


def foldl(
    fn: Callable[..., Any],
    sequences: Any,
    outputs_info: Any,
    non_sequences: Any = None,
    mode: Any = None,
    name: str | None = None,
) -> tuple[Any, dict[BaseSharedVariable, Variable]]:
    """``reduce`` from the first step to the last.

    >>> import tracegraph.tensor as T
    >>> foldl(lambda v, acc: acc + v, T.dvector("x"), T.zeros(()))[0].ndim
    0
    """
    return reduce(fn, sequences, outputs_info, non_sequences, False, mode, name)


def foldr(
    fn: Callable[..., Any],
    sequences: Any,
    outputs_info: Any,
    non_sequences: Any = None,
    mode: Any = None,
    name: str | None = None,
) -> tuple[Any, dict[BaseSharedVariable, Variable]]:
    """``reduce`` from the last step to the first.

    >>> import tracegraph.tensor as T
    >>> foldr(lambda v, acc: acc + v, T.dvector("x"), T.zeros(()))[0].ndim
    0
    """
    return reduce(fn, sequences, outputs_info, non_sequences, True, mode, name)


def _rows(
    row: Callable[[TensorVariable], list[TensorVariable]], count: TensorVariable
) -> list[TensorVariable]:
    """``jacobian``'s loop: ``row(i)`` for each ``i`` below ``count``, stacked."""
    from tracegraph.tensor.shapes import arange

    rows, _ = scan(row, sequences=arange(count), return_list=True)
    return list(rows)


_core.ROW_LOOP[:] = [_rows]

__all__ = ["foldl", "foldr", "map", "reduce", "scan", "until"]
