"""The demo of the README: the logistic function, the accumulator, a gradient and random
numbers from the Theano tutorial."""

import tracegraph.tensor as T
from tracegraph import function, pp, shared
from tracegraph.tensor.shared_randomstreams import RandomStreams

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

y = T.dscalar("y")
gradient = T.grad(y**2, y)
print("\nThe gradient of y ** 2, as built:", pp(gradient))
double = function([y], gradient)
print("after optimization:", pp(double.maker.fgraph.outputs[0]), "; at 4:", double(4))

srng = RandomStreams(seed=234)
rv_u = srng.uniform((2, 2))
draw = function([], rv_u)
print("\nRandomStreams(seed=234).uniform((2, 2)), twice:")
print(draw())
print(draw())
nearly_zeros = function([], rv_u + rv_u - 2 * rv_u)
print("rv_u + rv_u - 2 * rv_u (rv_u drawn once per call):", nearly_zeros().tolist())
