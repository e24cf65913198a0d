"""Theano's ``theano.tensor.signal``: ``pool`` (``pool_2d``)."""

from tracegraph.tensor.signal import pool

__all__ = ["pool"]
