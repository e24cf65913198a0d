"""The libm functions the scalar rules call, in one table: whether each has a float32 variant
(``expf``), which a float32 result must call (the double one costs precision nowhere but time
everywhere, and rounds twice), and whether the prelude declares it ``omp declare simd``, so
that loops over it vectorize through glibc's vector math library (libmvec).

``tests/test_rule_tables.py`` checks that every libm function a scalar rule emits is here.

>>> libm_call("exp", "float32", "x"), libm_call("atan2", "float64", "a", "b")
('expf(x)', 'atan2(a, b)')
"""

from __future__ import annotations

from dataclasses import dataclass

CALL_COST = 8
"""The cost of a call of a vectorized libm function: measured here, a ``tanh`` loop costs
about 8 times an ``add`` loop of the same size (3.0 against 0.35 ns per element)."""
INLINE_COST = 1
"""The cost of what GCC computes inline (``sqrt``, ``fabs``, rounding)."""
POW_COST = 2 * CALL_COST
"""The cost of ``pow``, which the runtime's ``tg_pow_*`` call (not vectorized)."""


@dataclass(frozen=True)
class LibmFunction:
    """What the C backend needs to know of one libm function of floats."""

    float32: bool
    """It has a float32 variant, named with an ``f`` (``expf``)."""

    vectorized: bool
    """The prelude declares both variants ``omp declare simd`` (libmvec has them); ``False``
    for the functions GCC computes inline (``sqrt``, ``fabs``, rounding) or libmvec lacks."""

    arity: int = 1
    """How many arguments it takes."""

    cost: int = CALL_COST
    """What one call costs, in the arithmetic operations of a loop body (1 each): how much it
    lowers the size above which a loop uses threads (``loops.py``)."""


LIBM_FUNCTIONS: dict[str, LibmFunction] = {
    "exp": LibmFunction(float32=True, vectorized=True),
    "log": LibmFunction(float32=True, vectorized=True),
    "log1p": LibmFunction(float32=True, vectorized=True),
    "expm1": LibmFunction(float32=True, vectorized=True),
    "tanh": LibmFunction(float32=True, vectorized=True),
    "sin": LibmFunction(float32=True, vectorized=True),
    "cos": LibmFunction(float32=True, vectorized=True),
    "erf": LibmFunction(float32=True, vectorized=True),
    "asinh": LibmFunction(float32=True, vectorized=True),
    "log2": LibmFunction(float32=True, vectorized=True),
    "log10": LibmFunction(float32=True, vectorized=True),
    "tan": LibmFunction(float32=True, vectorized=True),
    "asin": LibmFunction(float32=True, vectorized=True),
    "acos": LibmFunction(float32=True, vectorized=True),
    "atan": LibmFunction(float32=True, vectorized=True),
    "sinh": LibmFunction(float32=True, vectorized=True),
    "cosh": LibmFunction(float32=True, vectorized=True),
    "acosh": LibmFunction(float32=True, vectorized=True),
    "atanh": LibmFunction(float32=True, vectorized=True),
    "erfc": LibmFunction(float32=True, vectorized=True),
    "atan2": LibmFunction(float32=True, vectorized=True, arity=2),
    "fabs": LibmFunction(float32=True, vectorized=False, cost=INLINE_COST),
    "sqrt": LibmFunction(float32=True, vectorized=False, cost=INLINE_COST),
    "floor": LibmFunction(float32=True, vectorized=False, cost=INLINE_COST),
    "ceil": LibmFunction(float32=True, vectorized=False, cost=INLINE_COST),
    "rint": LibmFunction(float32=True, vectorized=False, cost=INLINE_COST),
    "trunc": LibmFunction(float32=True, vectorized=False, cost=INLINE_COST),
}
"""Every libm function a scalar rule calls, by its double name."""


class UnknownLibmFunction(KeyError):
    """A scalar rule called a libm function that ``LIBM_FUNCTIONS`` lacks (its one argument)."""


def libm_cost(name: str) -> int:
    """What a call of ``name`` costs in a loop body (see ``LibmFunction.cost``).

    >>> libm_cost("tanh") > libm_cost("sqrt")
    True
    """
    return LIBM_FUNCTIONS[name].cost


def libm_call(name: str, dtype: str, *args: str) -> str:
    """The C call of the libm function ``name`` for a result of ``dtype``: its float32
    variant for float32 where it has one. A name missing from ``LIBM_FUNCTIONS`` raises
    ``UnknownLibmFunction``."""
    function = LIBM_FUNCTIONS.get(name)
    if function is None:
        raise UnknownLibmFunction(name)
    suffix = "f" if dtype == "float32" and function.float32 else ""
    return f"{name}{suffix}({', '.join(args)})"


def simd_declarations() -> str:
    """The ``omp declare simd`` declarations of the vectorized functions, for the prelude.

    >>> print(simd_declarations().splitlines()[:2])
    ['#pragma omp declare simd notinbranch', 'double exp(double);']
    """
    declarations = []
    for name, function in LIBM_FUNCTIONS.items():
        if not function.vectorized:
            continue
        variants = [("double", name)] + ([("float", name + "f")] if function.float32 else [])
        for c_type, c_name in variants:
            parameters = ", ".join([c_type] * function.arity)
            declarations.append(
                f"#pragma omp declare simd notinbranch\n{c_type} {c_name}({parameters});"
            )
    return "\n".join(declarations)
