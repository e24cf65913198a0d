"""``function``, its inputs (``In``, ``Param``), shared variables and modes."""

from tracegraph.compile.function import Function, function
from tracegraph.compile.io import In, Out, Param
from tracegraph.compile.maker import FunctionGraph, FunctionMaker
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
from tracegraph.compile.profiling import ProfileStats
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
    "ProfileStats",
    "SharedVariable",
    "as_op",
    "function",
    "get_mode",
    "pfunc",
    "shared",
]
