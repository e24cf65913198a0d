"""Theano's import path for ``RandomStreams`` (it lives in ``tracegraph.random``).

>>> from tracegraph.tensor.shared_randomstreams import RandomStreams
>>> RandomStreams.__module__
'tracegraph.random.streams'
"""

from tracegraph.random.streams import RandomStreams
from tracegraph.random.variables import RandomStateSharedVariable

__all__ = ["RandomStateSharedVariable", "RandomStreams"]
