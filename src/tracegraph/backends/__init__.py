"""Backends: turn an optimized ``tg`` module into something callable.

The registry (:mod:`tracegraph.backends.registry`) knows every backend by name; the built-in
ones (``reference``, ``c``, ``triton``) are imported the first time they are looked up, and
:func:`register_backend` adds others.
"""

from tracegraph.backends.registry import (
    Backend,
    Binding,
    Program,
    ValueCell,
    backend_names,
    get_backend,
    register_backend,
    unregister_backend,
)

__all__ = [
    "Backend",
    "Binding",
    "Program",
    "ValueCell",
    "backend_names",
    "get_backend",
    "register_backend",
    "unregister_backend",
]
