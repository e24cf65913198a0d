"""Shared variables, updates (pairs and dicts), givens, copies, modes and introspection."""

import io
from typing import Any, assert_type

import numpy as np
from numpy.typing import NDArray
from xdsl.ir import Operation

import tracegraph
import tracegraph.tensor as T
from tracegraph import (
    FAST_COMPILE,
    Function,
    Mode,
    SharedVariable,
    debugprint,
    function,
    pp,
    shared,
)

# -- an accumulator: updates as a list of pairs ---------------------------------------------------

state = shared(0)
assert_type(state, SharedVariable)
inc = T.iscalar("inc")
accumulator = function([inc], state, updates=[(state, state + inc)])
assert_type(accumulator, Function[NDArray[Any]])
before: np.ndarray = accumulator(1)
assert int(before) == 0
value: NDArray[Any] = state.get_value()
assert int(value) == 1
accumulator(300)
assert int(state.get_value()) == 301
state.set_value(-1)
accumulator(3)
assert int(state.get_value(borrow=True)) == 2

# -- updates as a dict ----------------------------------------------------------------------------

decrementor = function([inc], state, updates={state: state - inc})
decrementor(2)
assert int(state.get_value()) == 0

# -- updates built before the call ----------------------------------------------------------------

pairs = [(state, state + 2 * inc)]
doubler = function([inc], [], updates=pairs)
by_dict = {state: state - 2 * inc}
undoubler = function([inc], [], updates=by_dict)
doubler(5)
undoubler(5)
assert int(state.get_value()) == 0

# -- several shared variables, updates computed from the values before the call -------------------

w = shared(np.zeros(3), name="w")
count = shared(np.int64(0), name="count")
v = T.dvector("v")
step = function(
    [v],
    [w.sum(), count],
    updates=[(w, w + v), (count, count + 1)],
    allow_input_downcast=True,
)
results: list[np.ndarray] = step([1.0, 2.0, 3.0])
assert float(results[0]) == 0.0
assert float(w.get_value().sum()) == 6.0 and int(count.get_value()) == 1
shared_name: str | None = w.name
assert shared_name == "w"

# -- givens: replace a variable of the graph for one function -------------------------------------

fn_of_state = state * 2 + inc
foo = T.scalar(dtype=state.dtype)
skip_shared = function([inc, foo], fn_of_state, givens=[(state, foo)])
assert int(skip_shared(1, 3)) == 7
assert int(state.get_value()) == 0
given_by_dict = function([inc, foo], fn_of_state, givens={state: foo})
assert int(given_by_dict(1, 3)) == 7

# -- copies of a function -------------------------------------------------------------------------

new_state = shared(0)
swapped = accumulator.copy(swap={state: new_state})
assert_type(swapped, Function[NDArray[Any]])
swapped(100)
assert int(new_state.get_value()) == 100 and int(state.get_value()) == 0
no_update = accumulator.copy(delete_updates=True)
no_update(5)
assert int(state.get_value()) == 0
renamed = step.copy(name="renamed")
assert_type(renamed, Function[list[NDArray[Any]]])
assert renamed.name == "renamed"

# -- modes ----------------------------------------------------------------------------------------

x = T.dvector("x")
fast = function([x], T.exp(x).sum(), mode=FAST_COMPILE)
unoptimized = function([x], T.log(T.exp(x)), mode=Mode(optimizer=None))
no_cse = function([x], x + x, mode=Mode().excluding("cse"))
by_name = function([x], x * 2, mode="FAST_RUN")
for compiled in (fast, unoptimized, no_cse, by_name):
    assert compiled([1.0, 2.0]).dtype == np.float64
floatx: str = tracegraph.config.floatX
assert floatx in ("float32", "float64")

# -- introspection --------------------------------------------------------------------------------

ir: str = accumulator.dump_ir()
assert "func" in ir
traced: str = accumulator.dump_ir("traced", locations=False)
assert "loc(" not in traced
graph = accumulator.maker.fgraph
printed: str = pp(graph.outputs[0])
assert printed
# Inputs and outputs of the graph are tensors or random-stream states.
inputs: list[T.Variable] = graph.inputs
assert len(inputs) == 2
ops: list[Operation] = accumulator.maker.env.toposort()
assert all(isinstance(op, Operation) for op in ops)
tree: str = debugprint(fn_of_state)
assert tree.count("\n") >= 1
stream = io.StringIO()
debugprint(accumulator.maker.fgraph.outputs[1], file=stream)
assert stream.getvalue()
