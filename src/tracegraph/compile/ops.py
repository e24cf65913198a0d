"""Theano's ``theano.compile.ops``: ``as_op``, re-exported from ``tensor/op.py``."""

from tracegraph.tensor.op import FromFunctionOp, as_op

__all__ = ["FromFunctionOp", "as_op"]
