"""Theano's ``theano.compile.sharedvalue``: ``shared`` and ``SharedVariable``, re-exported."""

from tracegraph.compile.shared import SharedVariable, shared

__all__ = ["SharedVariable", "shared"]
