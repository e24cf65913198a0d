"""Random numbers in graphs: ``RandomStreams`` (NumPy ``RandomState`` streams, seeded as
Theano seeded them) and ``MRG_RandomStreams`` (the MRG31k3p generator, the same numbers on
every backend).

>>> from tracegraph import function
>>> from tracegraph.random import RandomStreams
>>> srng = RandomStreams(seed=234)
>>> f = function([], srng.uniform((2, 2)))
>>> f().round(8)
array([[0.12672381, 0.97091597],
       [0.13989098, 0.88754825]])
"""

from tracegraph.random.mrg import MRG_RandomStreams
from tracegraph.random.streams import RandomStreams
from tracegraph.random.variables import (
    RandomStateSharedVariable,
    RandomStateType,
    RandomStateVariable,
    RandomVariable,
)

__all__ = [
    "MRG_RandomStreams",
    "RandomStateSharedVariable",
    "RandomStateType",
    "RandomStateVariable",
    "RandomStreams",
    "RandomVariable",
]
