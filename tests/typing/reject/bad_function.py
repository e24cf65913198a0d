"""Misuses of ``function``, ``In``/``Param`` and compiled functions that mypy --strict must
reject (``# E: <text>`` marks each line, as in bad_tensor.py)."""

import numpy as np

import tracegraph.tensor as T
from tracegraph import In, Param, function, shared

x = T.dmatrix("x")
y = T.dmatrix("y")
state = shared(0)
single = function([x], x + 1)
several = function([x], [x + 1, x * 2])

# -- function() arguments -------------------------------------------------------------------------

not_a_list = function(x, y)  # E: No overload variant of "function"
number_input = function([3], y)  # E: list-item
text_output = function([x], "y")  # E: arg-type
number_output = function([x], 3)  # E: call-overload
bad_mode = function([x], y, mode=3)  # E: call-overload
bad_name = function([x], y, name=1)  # E: call-overload
bad_unused = function([x], y, on_unused_input="sometimes")  # E: call-overload
not_shared = function([x], y, updates=[(x, x + 1)])  # E: list-item
not_shared_dict = function([x], y, updates={x: x + 1})  # E: dict-item
not_pairs = function([x], y, updates=[state])  # E: list-item
bad_givens = function([x], y, givens=[(3, x)])  # E: list-item

# -- In and Param ---------------------------------------------------------------------------------

in_number = In(3)  # E: Argument 1 to "In" has incompatible type "int"
in_name = In(x, name=3)  # E: arg-type
in_default = In(x, default=1)  # E: Unexpected keyword argument "default" for "In"
param_value = Param(x, default=1, value=2)  # E: Unexpected keyword argument "value" for "Param"
param_number = Param(1.5)  # E: arg-type

# -- results of calls -----------------------------------------------------------------------------

outs: list[np.ndarray] = single(1)  # E: assignment
out: np.ndarray = several(1)  # E: assignment
first: str = several(1)[0]  # E: assignment
rank: str = single(1).ndim  # E: assignment

# -- compiled functions ---------------------------------------------------------------------------

missing = single.nonexistent  # E: has no attribute "nonexistent"
by_position = single[0]  # E: Invalid index type "int"
swap_value = single.copy(swap={state: 3})  # E: dict-item
swap_plain = single.copy(swap={x: state})  # E: dict-item
stage_number = single.dump_ir(3)  # E: arg-type
positional = single.dump_ir("final", False)  # E: Too many positional arguments
name: int = single.name  # E: assignment
graph_output: int = single.maker.fgraph.outputs[0]  # E: assignment
