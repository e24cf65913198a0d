"""Theano's ``theano.gof`` import paths: the classes of ops written in Python (``Op``,
``Apply``), variables (``Variable``, ``Constant``), types, and the graph errors, re-exported
from where they live (``tensor/op.py``, ``tensor/variable.py``, ``errors.py``)."""

from tracegraph.errors import MissingInputError
from tracegraph.tensor.op import Apply, Constant, Op
from tracegraph.tensor.types import TensorType
from tracegraph.tensor.variable import Variable

Type = TensorType
"""Theano's base of types; every type here is a tensor type."""

__all__ = ["Apply", "Constant", "MissingInputError", "Op", "Type", "Variable"]
