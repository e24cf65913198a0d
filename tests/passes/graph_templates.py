"""The templates of the random graphs (``tests/passes/random_graphs.py``): what a template
returns (``Generated``), the helpers that build expressions, and the registry the
``@template`` decorator fills (a template's name, the patterns it is written for, its weight).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeAlias

from tests.passes.graph_expressions import Apply, Expression
from tests.tensor.test_properties import BROADCAST, Frame


@dataclass(frozen=True)
class Generated:
    """A generated float64 subtree and its frame."""

    expression: Expression
    frame: Frame


def merged(left: Frame, right: Frame) -> Frame:
    """The frame of an elementwise op on operands of these frames."""
    rank = max(len(left), len(right))
    padded_left = (BROADCAST,) * (rank - len(left)) + left
    padded_right = (BROADCAST,) * (rank - len(right)) + right
    return tuple(b if a == BROADCAST else a for a, b in zip(padded_left, padded_right, strict=True))


def unary(op: str, x: Expression) -> Apply:
    return Apply(op, (x,))


def binary(op: str, x: Expression, y: Expression) -> Apply:
    return Apply(op, (x, y))


def cast(x: Expression, dtype: str) -> Apply:
    return Apply("cast", (x,), (dtype,))


Template: TypeAlias = Callable[[Any, Frame, int], Generated]
"""A generator method: ``template(generator, target frame, depth)``."""

TEMPLATES: dict[str, Template] = {}
"""Every kind of subtree root the generator draws, by name."""

TEMPLATE_PATTERNS: dict[str, frozenset[str]] = {}
"""The patterns each template is written for: with the template at the root of a few random
graphs, each of them fires."""

TEMPLATE_WEIGHTS: dict[str, int] = {}


def template(*patterns: str, weight: int = 1) -> Callable[[Template], Template]:
    """Register a generator method as a template (its name without ``t_``) for ``patterns``."""

    def register(method: Template) -> Template:
        name = method.__name__.removeprefix("t_")
        TEMPLATES[name] = method
        TEMPLATE_PATTERNS[name] = frozenset(patterns)
        TEMPLATE_WEIGHTS[name] = weight
        return method

    return register
