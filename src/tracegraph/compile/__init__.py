"""``function``, its inputs (``In``, ``Param``), shared variables and modes."""

from tracegraph.compile.function import Function, FunctionGraph, FunctionMaker, function
from tracegraph.compile.io import In, Out, Param
from tracegraph.compile.modes import (
    FAST_COMPILE,
    FAST_RUN,
    DebugMode,
    Mode,
    MonitorMode,
    NanGuardMode,
    get_mode,
)
from tracegraph.compile.pfunc import pfunc
from tracegraph.compile.shared import SharedVariable, shared
from tracegraph.tensor.op import as_op

__all__ = [
    "FAST_COMPILE",
    "FAST_RUN",
    "DebugMode",
    "Function",
    "FunctionGraph",
    "FunctionMaker",
    "In",
    "Mode",
    "MonitorMode",
    "NanGuardMode",
    "Out",
    "Param",
    "SharedVariable",
    "as_op",
    "function",
    "get_mode",
    "pfunc",
    "shared",
]
