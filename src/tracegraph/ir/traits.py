"""Facts about an op that passes and backends read from its class: xDSL traits.

A pass asks ``op.has_trait(Elementwise)`` (or the class: ``ops.AddOp.has_trait(Elementwise)``)
rather than testing the op against a list of classes, so a new op states its facts once, in its
IRDL definition.

>>> from tracegraph.ir import ops
>>> ops.TanhOp.has_trait(Elementwise), ops.SumOp.has_trait(Elementwise)
(True, False)
>>> ops.SumOp.has_trait(FusibleReduction), ops.ArgmaxOp.has_trait(FusibleReduction)
(True, False)
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.traits import OpTrait


@dataclass(frozen=True)
class Elementwise(OpTrait):
    """The op computes each element of its result from the elements of its operands at the
    same index (after broadcasting): unary and binary math, comparisons, casts, ``fill`` and
    ``switch``. Fusion groups such ops into one loop, and a compiled backend needs a scalar
    expression for each."""


@dataclass(frozen=True)
class FusibleReduction(OpTrait):
    """The op is a reduction that a loop nest can compute while it visits the values it
    reduces (an accumulator per result element), so fusion may put it at the root of a group
    of elementwise ops."""
