"""Misuses of shared variables, printing, modes and config that mypy --strict must reject
(``# E: <text>`` marks each line, as in bad_tensor.py)."""

import sys

import tracegraph
import tracegraph.tensor as T
from tracegraph import Mode, SharedVariable, debugprint, pp, shared

x = T.dmatrix("x")
state = shared(0)

# -- shared variables -----------------------------------------------------------------------------

named = shared(0, name=3)  # E: arg-type
shaped = shared(0, shape=(2, "a"))  # E: arg-type
borrowed = state.get_value(borrow="x")  # E: arg-type
as_text: str = state.get_value()  # E: assignment
set_result = state.set_value(3)  # E: "set_value" of "SharedVariable" does not return a value
not_shared: SharedVariable = x  # E: assignment
shared_missing = state.nonexistent  # E: attr-defined

# -- printing -------------------------------------------------------------------------------------

printed = pp(3)  # E: arg-type
file_positional = debugprint(x, sys.stdout)  # E: Too many positional arguments for "debugprint"
printed_number: int = pp(x)  # E: assignment

# -- modes and config -----------------------------------------------------------------------------

optimizer = Mode(optimizer=3)  # E: arg-type
excluded = Mode().excluding(3)  # E: arg-type
tracegraph.config.floatX = 32  # E: assignment
unknown_flag = tracegraph.config.nonexistent  # E: "Config" has no attribute "nonexistent"
