"""Theano's ``theano.gof.fg``: ``MissingInputError``, re-exported."""

from tracegraph.errors import MissingInputError

__all__ = ["MissingInputError"]
