"""Theano's ``theano.compile.function_module``: the function class and its errors,
re-exported."""

from tracegraph.compile.function import Function, function
from tracegraph.errors import UnusedInputError

__all__ = ["Function", "UnusedInputError", "function"]
