"""Theano's import path for ``MRG_RandomStreams`` (it lives in ``tracegraph.random``).

>>> from tracegraph.sandbox.rng_mrg import MRG_RandomStreams
>>> MRG_RandomStreams.__module__
'tracegraph.random.mrg'
"""

from tracegraph.random.mrg import MRG_RandomStreams, guess_n_streams

__all__ = ["MRG_RandomStreams", "guess_n_streams"]
