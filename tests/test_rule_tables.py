"""Every op of the dialect is in every rule table (or explicitly marked as not belonging)."""

from __future__ import annotations

from collections.abc import Collection

from xdsl.ir import Operation

from tracegraph.backends.c.rules import C_RULES, RunsReference
from tracegraph.backends.c.scalar import SCALAR_RULES
from tracegraph.backends.numpy import REFERENCE_RULES
from tracegraph.gradient import VJP_RULES
from tracegraph.ir import TG_OPERATIONS
from tracegraph.ir.numpy_functions import NUMPY_FUNCTIONS
from tracegraph.ir.traits import Elementwise
from tracegraph.passes.fusion import FUSED_REDUCTIONS


def _names(classes: Collection[type[Operation]]) -> list[str]:
    return sorted(str(getattr(c, "name", c.__name__)) for c in classes)


def test_reference_backend_has_a_rule_for_every_op() -> None:
    missing = set(TG_OPERATIONS) - set(REFERENCE_RULES)
    assert not missing, f"add these ops to REFERENCE_RULES: {_names(missing)}"


def test_gradient_has_a_rule_or_a_not_differentiable_marker_for_every_op() -> None:
    missing = set(TG_OPERATIONS) - set(VJP_RULES)
    assert not missing, (
        f"add these ops to VJP_RULES (a rule, or NotDifferentiable(reason)): {_names(missing)}"
    )


def test_every_elementwise_op_has_a_numpy_function() -> None:
    elementwise = {op for op in TG_OPERATIONS if op.has_trait(Elementwise)}
    missing = elementwise - set(NUMPY_FUNCTIONS)
    assert not missing, f"add these ops to NUMPY_FUNCTIONS: {_names(missing)}"


def test_c_backend_has_a_rule_for_every_op() -> None:
    missing = set(TG_OPERATIONS) - set(C_RULES)
    assert not missing, (
        f"add these ops to C_RULES (a scalar expression, Native(how) or RunsReference(reason)): "
        f"{_names(missing)}"
    )


def test_the_c_rules_agree_with_the_lowering() -> None:
    """An op marked RunsReference is lowered to a call of its reference kernel; an elementwise
    op has a scalar expression."""
    for op in TG_OPERATIONS:
        rule = C_RULES[op]
        if op.has_trait(Elementwise):
            assert op in SCALAR_RULES, op
        if isinstance(rule, RunsReference):
            assert not (op.has_trait(Elementwise) or op in FUSED_REDUCTIONS), op
