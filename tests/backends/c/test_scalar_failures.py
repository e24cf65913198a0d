"""A scalar rule's C sets the loop's error flag exactly where ``FAILING_RULES`` says the rule
can fail: the loop emitter declares, combines and checks the flag from that table alone, so a
rule that set it undeclared would compile to C that names an undefined variable, and a rule
declared failing that never sets it would carry a dead flag."""

from __future__ import annotations

import pytest
from xdsl.ir import Block, Operation
from xdsl.irdl import IRDLOperation

from tracegraph.backends.c.scalar import (
    FAILING_RULES,
    SCALAR_RULES,
    Operand,
    ScalarEmitter,
    failure_of,
)
from tracegraph.ir import ops
from tracegraph.ir.types import DTYPES, tensor_type


def _op(cls: type[Operation], dtype: str) -> tuple[Operation, list[Operand]]:
    """An op of ``cls`` on operands of ``dtype`` (a bool condition for switch), unverified."""
    assert issubclass(cls, IRDLOperation)
    arity = len(cls.get_irdl_definition().operands)
    dtypes = [dtype] * arity
    if cls is ops.SwitchOp:
        dtypes[0] = "bool"
    block = Block(arg_types=[tensor_type(d, (None,)) for d in dtypes])
    result = "bool" if issubclass(cls, ops.ComparisonOp) else dtype
    op = cls.create(operands=list(block.args), result_types=[tensor_type(result, (None,))])
    return op, [Operand(f"x{i}", d) for i, d in enumerate(dtypes)]


@pytest.mark.parametrize("cls", sorted(SCALAR_RULES, key=lambda c: str(c.name)), ids=str)
def test_a_rule_sets_the_error_flag_exactly_where_it_declares_it_can_fail(
    cls: type[Operation],
) -> None:
    for dtype in DTYPES:
        op, operands = _op(cls, dtype)
        expression = SCALAR_RULES[cls](ScalarEmitter(), op, *operands)
        assert ("tg_error" in expression) == (failure_of(op) is not None), (dtype, expression)


def test_an_integer_power_can_fail_and_a_float_one_cannot() -> None:
    assert set(FAILING_RULES) == {ops.PowOp}
    failure = failure_of(_op(ops.PowOp, "int32")[0])
    assert failure is not None and "negative integer powers" in failure.message
    assert failure_of(_op(ops.PowOp, "float64")[0]) is None
    assert failure_of(_op(ops.PowOp, "bool")[0]) is None
