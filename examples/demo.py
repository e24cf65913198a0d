"""The demo of the README: the logistic function and the accumulator of the Theano tutorial."""

import tracegraph.tensor as T
from tracegraph import function, shared

x = T.dmatrix("x")
logistic = function([x], 1 / (1 + T.exp(-x)))
print("logistic([[0, 1], [-1, -2]]) =")
print(logistic([[0, 1], [-1, -2]]))

state = shared(0)
inc = T.iscalar("inc")
accumulator = function([inc], state, updates=[(state, state + inc)])
for amount in (1, 300):
    print(f"accumulator({amount}) returned {accumulator(amount)}; state is now {state.get_value()}")

print("\nThe compiled accumulator, as tg IR:")
print(accumulator.dump_ir(locations=False))
