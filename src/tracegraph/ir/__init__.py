"""The ``tg`` dialect: tensor types, ops with verifiers, locations, printing and parsing."""

from tracegraph.ir import ops
from tracegraph.ir.dialect import TG, TG_OPERATIONS, make_context, parse_module, print_module
from tracegraph.ir.location import format_location, user_location
from tracegraph.ir.types import dtype_of, ndim_of, shape_of, tensor_type

__all__ = [
    "TG",
    "TG_OPERATIONS",
    "dtype_of",
    "format_location",
    "make_context",
    "ndim_of",
    "ops",
    "parse_module",
    "print_module",
    "shape_of",
    "tensor_type",
    "user_location",
]
