"""Every op of the dialect is in every table it needs (or marked there as not belonging).

Each ``missing_*`` function returns the (op, table) pairs missing for the ops of the dialect
now (``tg_operations()``), naming the table to edit; ``test_every_op_is_in_every_table`` fails
with all of them. A table filled from another one is not named twice: an elementwise op's
reference rule comes from ``NUMPY_FUNCTIONS`` and its C rule from ``SCALAR_RULES``.

Throwaway ops, registered as the real ones are (``registered_op_module``), show that an op
added with nothing else is named in every table it lacks. ``docs/adding-an-op.md`` is the
checklist these functions enforce.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from typing import Any, TypeAlias

import numpy as np
import pytest
from xdsl.dialects.builtin import TensorType
from xdsl.ir import Block, Operation
from xdsl.irdl import (
    IRDLOperation,
    irdl_op_definition,
    operand_def,
    result_def,
    traits_def,
)
from xdsl.traits import Pure

from tests.backends.test_numpy_elementwise import UNARY_FLOAT_FUNCTIONS, UNARY_UFUNCS
from tests.gradient.test_rules import CASES
from tests.numpy_oracle import BINARY_OPS
from tracegraph.backends.c.libm import LIBM_FUNCTIONS, UnknownLibmFunction
from tracegraph.backends.c.rules import C_RULES, Native, RunsReference
from tracegraph.backends.c.scalar import SCALAR_RULES, Operand, ScalarEmitter
from tracegraph.backends.reference import REFERENCE_RULES
from tracegraph.backends.triton.rules import TRITON_RULES, NoKernel
from tracegraph.gradient import VJP_RULES, NotDifferentiable
from tracegraph.gradient.rules import UndefinedGradient
from tracegraph.ir import TG_OPERATIONS, ops, tensor_type
from tracegraph.ir.dialect import make_context, registered_op_module, tg_operations
from tracegraph.ir.numpy_functions import NUMPY_FUNCTIONS, ufunc
from tracegraph.ir.ops.elementwise import UnaryElementwiseOp
from tracegraph.ir.traits import Elementwise, FusibleReduction

Missing: TypeAlias = list[tuple[str, str]]
"""(op name, table) pairs."""

EXPORTS = "the exports of tracegraph.ir.ops (ir/ops/__init__.py: the import and __all__)"
REFERENCE = "REFERENCE_RULES (ir/interpreter.py: a kernel builder, @reference_rule)"
NUMPY = "NUMPY_FUNCTIONS (ir/numpy_functions.py: the reference's function, the dtype's ufunc)"
VJP = "VJP_RULES (gradient/rules.py: a rule, NotDifferentiable(reason) or UndefinedGradient)"
GRADIENT_CASES = "CASES (tests/gradient/test_rules.py: the finite-difference cases of its rule)"
C = (
    "C_RULES (backends/c/rules.py: Native(how) or RunsReference(reason); a fusible reduction "
    "gets its rule from REDUCTION_KINDS in backends/c/loops.py)"
)
SCALAR = "SCALAR_RULES (backends/c/scalar.py: a ScalarEmitter method)"
TRITON = (
    "TRITON_RULES (backends/triton/rules.py: a TritonScalarEmitter method, Native(how) or "
    "NoKernel(reason))"
)
LIBM = "LIBM_FUNCTIONS (backends/c/libm.py)"
BACKEND_CASES = (
    "UNARY_UFUNCS or UNARY_FLOAT_FUNCTIONS (tests/backends/test_numpy_elementwise.py) or "
    "BINARY_OPS (tests/numpy_oracle.py): the backend suite's cases"
)

OWN_BACKEND_TESTS = {
    "tg.cast": "tests/backends/test_numpy_casts.py and test_cast_* of test_numpy_elementwise.py",
    "tg.fill": "test_fill_* of tests/backends/test_numpy_shapes.py",
    "tg.switch": "test_switch_* of tests/backends/test_numpy_elementwise.py",
}
"""Elementwise ops the backend suite tests in tests of their own, not in its tables."""


def _name(op: type[Operation]) -> str:
    return str(getattr(op, "name", op.__name__))


def _elementwise(op: type[Operation]) -> bool:
    return op.has_trait(Elementwise)


def missing_exports() -> Missing:
    """Ops that ``tracegraph.ir.ops`` does not export (the dialect has them anyway: its op set
    comes from the op modules; other modules reach ops as ``ops.NameOp``)."""
    return [
        (_name(op), EXPORTS)
        for op in tg_operations()
        if getattr(ops, op.__name__, None) is not op or op.__name__ not in ops.__all__
    ]


def missing_reference_rules() -> Missing:
    """Ops the reference cannot run, but elementwise ops that ``NUMPY_FUNCTIONS`` gives a rule
    (the interpreter registers one for each of its functions)."""
    return [
        (_name(op), REFERENCE)
        for op in tg_operations()
        if op not in REFERENCE_RULES
        and not (
            _elementwise(op)
            and (op not in NUMPY_FUNCTIONS or NUMPY_FUNCTIONS[op].compute is not None)
        )
    ]


def missing_numpy_functions() -> Missing:
    """Elementwise ops without their NumPy function and dtype ufunc."""
    return [
        (_name(op), NUMPY)
        for op in tg_operations()
        if _elementwise(op) and op not in NUMPY_FUNCTIONS
    ]


def missing_vjp_rules() -> Missing:
    """Ops without a gradient rule or a marker saying why they have none."""
    return [(_name(op), VJP) for op in tg_operations() if op not in VJP_RULES]


def missing_gradient_cases() -> Missing:
    """Ops not marked NotDifferentiable or UndefinedGradient (a rule, or none yet) without
    finite-difference cases."""
    return [
        (_name(op), GRADIENT_CASES)
        for op in tg_operations()
        if op not in CASES
        and not isinstance(VJP_RULES.get(op), NotDifferentiable | UndefinedGradient)
    ]


def missing_c_rules() -> Missing:
    """Ops the C backend cannot run, but elementwise ops (``SCALAR_RULES`` gives them theirs)."""
    return [(_name(op), C) for op in tg_operations() if op not in C_RULES and not _elementwise(op)]


def missing_triton_rules() -> Missing:
    """Ops without a Triton rule or a reason why the Triton backend has no kernel for them."""
    return [(_name(op), TRITON) for op in tg_operations() if op not in TRITON_RULES]


def missing_scalar_rules() -> Missing:
    """Elementwise ops without a C expression."""
    return [
        (_name(op), SCALAR) for op in tg_operations() if _elementwise(op) and op not in SCALAR_RULES
    ]


_CALL = re.compile(r"\b([A-Za-z_]\w*)\(")


def libm_names(op: type[Operation], rule: Callable[..., str]) -> set[str]:
    """The double names of the libm functions ``rule`` calls for float32 and float64 results
    and operands; a function that ``LIBM_FUNCTIONS`` lacks is named as it was called (the
    prelude's ``tg_*`` helpers are not libm)."""
    assert issubclass(op, IRDLOperation)
    definition = op.get_irdl_definition()
    names: set[str] = set()
    for dtype in ("float32", "float64"):
        block = Block(arg_types=[tensor_type(dtype, ())] * len(definition.operands))
        instance = op.create(
            operands=list(block.args),
            result_types=[tensor_type(dtype, ())] * len(definition.results),
        )
        operands = [Operand(f"x{i}", dtype) for i in range(len(definition.operands))]
        try:
            expression = rule(ScalarEmitter(), instance, *operands)
        except UnknownLibmFunction as error:
            names.add(str(error.args[0]))
            continue
        for called in _CALL.findall(expression):
            if called.startswith("tg_"):
                continue
            double = called[:-1] if dtype == "float32" and called[:-1] in LIBM_FUNCTIONS else called
            names.add(double)
    return names


def missing_libm_functions() -> Missing:
    """Libm functions a scalar rule calls that ``LIBM_FUNCTIONS`` lacks (without them, a
    float32 result would call the double function, and no loop over it would vectorize)."""
    return [
        (_name(op), f"{LIBM}: {name}, which its scalar rule calls")
        for op in tg_operations()
        if op in SCALAR_RULES
        for name in sorted(libm_names(op, SCALAR_RULES[op]) - set(LIBM_FUNCTIONS))
    ]


def missing_backend_cases() -> Missing:
    """Elementwise ops the backend suite (run on every backend against NumPy) does not test."""
    cases = {*UNARY_UFUNCS, *UNARY_FLOAT_FUNCTIONS, *BINARY_OPS}
    return [
        (_name(op), BACKEND_CASES)
        for op in tg_operations()
        if _elementwise(op)
        and _name(op) not in OWN_BACKEND_TESTS
        and _name(op).removeprefix("tg.") not in cases
    ]


CHECKS: tuple[Callable[[], Missing], ...] = (
    missing_exports,
    missing_reference_rules,
    missing_numpy_functions,
    missing_vjp_rules,
    missing_gradient_cases,
    missing_c_rules,
    missing_scalar_rules,
    missing_triton_rules,
    missing_libm_functions,
    missing_backend_cases,
)
"""Every completeness check, in the order of the checklist (``docs/adding-an-op.md``)."""


def report(missing: Missing) -> str:
    """One line per missing entry: the op, and the table to add it to."""
    return "\n".join(f"{op} is missing from {table}" for op, table in missing)


@pytest.mark.parametrize("check", CHECKS, ids=[check.__name__ for check in CHECKS])
def test_every_op_is_in_every_table(check: Callable[[], Missing]) -> None:
    missing = check()
    assert not missing, "\n" + report(missing)


def test_the_c_rules_agree_with_the_lowering() -> None:
    """An elementwise op is a scalar expression, a fusible reduction a loop (the lowering makes
    loops of both); an op marked RunsReference is lowered to a call of its reference kernel."""
    for op in TG_OPERATIONS:
        rule = C_RULES[op]
        if _elementwise(op):
            assert rule is SCALAR_RULES[op], op
        if op.has_trait(FusibleReduction):
            assert isinstance(rule, Native), op
        if isinstance(rule, RunsReference):
            assert not (_elementwise(op) or op.has_trait(FusibleReduction)), op


def test_every_libm_function_of_the_table_is_called() -> None:
    called = {name for op, rule in SCALAR_RULES.items() for name in libm_names(op, rule)}
    assert set(LIBM_FUNCTIONS) == called


# -- throwaway ops: what a new op lacks is named -----------------------------------------------


@irdl_op_definition
class ThrowawayArcsinhOp(UnaryElementwiseOp):
    """A new elementwise op as it stands before any table has it."""

    name = "tg.test_arcsinh"


@irdl_op_definition
class ThrowawayCumsumOp(IRDLOperation):
    """A new op that is not elementwise, before any table has it."""

    name = "tg.test_cumsum"
    x = operand_def(TensorType)
    result = result_def(TensorType)
    traits = traits_def(Pure())


@irdl_op_definition
class ThrowawaySumOfSquaresOp(ops.ReductionOp):
    """A new fusible reduction, before any table has it: C loops must not accumulate it as some
    other reduction."""

    name = "tg.test_sum_of_squares"
    traits = traits_def(Pure(), FusibleReduction())


@pytest.fixture
def throwaway_ops() -> Iterator[list[type[Operation]]]:
    """The dialect has the throwaway ops of this module while the test runs."""
    with registered_op_module(sys.modules[__name__]) as added:
        yield added


def test_the_throwaway_ops_join_the_dialect(throwaway_ops: list[type[Operation]]) -> None:
    throwaways = [ThrowawayArcsinhOp, ThrowawayCumsumOp, ThrowawaySumOfSquaresOp]
    assert throwaway_ops == throwaways
    assert tg_operations() == (*TG_OPERATIONS, *throwaways)
    assert make_context().get_optional_op("tg.test_arcsinh") is ThrowawayArcsinhOp


def test_a_new_op_is_named_in_every_table_it_lacks(throwaway_ops: list[type[Operation]]) -> None:
    found = {check.__name__: check() for check in CHECKS}
    new, other, reduction = "tg.test_arcsinh", "tg.test_cumsum", "tg.test_sum_of_squares"
    assert found == {
        "missing_exports": [(new, EXPORTS), (other, EXPORTS), (reduction, EXPORTS)],
        "missing_reference_rules": [(other, REFERENCE), (reduction, REFERENCE)],
        "missing_numpy_functions": [(new, NUMPY)],
        "missing_vjp_rules": [(new, VJP), (other, VJP), (reduction, VJP)],
        "missing_gradient_cases": [
            (new, GRADIENT_CASES),
            (other, GRADIENT_CASES),
            (reduction, GRADIENT_CASES),
        ],
        "missing_c_rules": [(other, C), (reduction, C)],
        "missing_scalar_rules": [(new, SCALAR)],
        "missing_triton_rules": [(new, TRITON), (other, TRITON), (reduction, TRITON)],
        "missing_libm_functions": [],
        "missing_backend_cases": [(new, BACKEND_CASES)],
    }
    missing_for_new = [pair for pairs in found.values() for pair in pairs if pair[0] == new]
    assert report(missing_for_new) == (
        "tg.test_arcsinh is missing from the exports of tracegraph.ir.ops (ir/ops/__init__.py: "
        "the import and __all__)\n"
        "tg.test_arcsinh is missing from NUMPY_FUNCTIONS (ir/numpy_functions.py: the "
        "reference's function, the dtype's ufunc)\n"
        "tg.test_arcsinh is missing from VJP_RULES (gradient/rules.py: a rule, "
        "NotDifferentiable(reason) or UndefinedGradient)\n"
        "tg.test_arcsinh is missing from CASES (tests/gradient/test_rules.py: the "
        "finite-difference cases of its rule)\n"
        "tg.test_arcsinh is missing from SCALAR_RULES (backends/c/scalar.py: a ScalarEmitter "
        "method)\n"
        "tg.test_arcsinh is missing from TRITON_RULES (backends/triton/rules.py: a "
        "TritonScalarEmitter method, Native(how) or NoKernel(reason))\n"
        "tg.test_arcsinh is missing from UNARY_UFUNCS or UNARY_FLOAT_FUNCTIONS "
        "(tests/backends/test_numpy_elementwise.py) or BINARY_OPS (tests/numpy_oracle.py): the "
        "backend suite's cases"
    )


def _asinh_through_the_table(emitter: ScalarEmitter, op: Operation, x: Operand) -> str:
    return emitter._float_function(op, x, "test_asinh")


def _asinh_written_out(emitter: ScalarEmitter, op: Operation, x: Operand) -> str:
    return f"test_asinh({x.expr})"


@pytest.mark.parametrize("rule", [_asinh_through_the_table, _asinh_written_out])
def test_a_libm_function_missing_from_the_table_is_named(
    throwaway_ops: list[type[Operation]],
    rule: Callable[..., str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The new elementwise op in every table but the libm one: only that one is named."""
    op: type[Operation] = ThrowawayArcsinhOp
    monkeypatch.setattr(ops, op.__name__, op, raising=False)
    monkeypatch.setattr(ops, "__all__", [*ops.__all__, op.__name__])
    monkeypatch.setitem(NUMPY_FUNCTIONS, op, ufunc(np.arcsinh))
    monkeypatch.setitem(VJP_RULES, op, NotDifferentiable("a throwaway op"))
    monkeypatch.setitem(SCALAR_RULES, op, rule)
    monkeypatch.setitem(TRITON_RULES, op, NoKernel("a throwaway op"))
    monkeypatch.setitem(UNARY_UFUNCS, "test_arcsinh", (_unused, np.arcsinh, "any"))
    missing = [pair for check in CHECKS for pair in check() if pair[0] == op.name]
    assert missing == [("tg.test_arcsinh", f"{LIBM}: test_asinh, which its scalar rule calls")]


def _unused(*args: Any) -> Any:
    raise AssertionError("never called")
