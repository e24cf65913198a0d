"""tracegraph: Theano's programming model on an MLIR-style compiler stack.

Build symbolic expressions with ``tracegraph.tensor``, compile them with :func:`function`, and
call the result on NumPy arrays.

>>> import tracegraph
>>> import tracegraph.tensor as T
>>> x, y = T.dscalars('x', 'y')
>>> f = tracegraph.function([x, tracegraph.In(y, value=1)], x + y)
>>> f(33)
array(34.)
"""

from tracegraph import gof, tensor
from tracegraph import gradient as gradient
from tracegraph import ifelse as ifelse
from tracegraph.backends.registry import get_backend as _get_backend
from tracegraph.compile import (
    FAST_COMPILE,
    FAST_RUN,
    DebugMode,
    Function,
    In,
    Mode,
    Out,
    Param,
    ProfileStats,
    SharedVariable,
    function,
    shared,
)
from tracegraph.config import config
from tracegraph.errors import (
    ArgumentError,
    BackendUnavailableError,
    DebugModeError,
    DisconnectedInputError,
    GivensReplaceInputError,
    GradientError,
    GraphTypeError,
    IndexOutOfBoundsError,
    InputTypeError,
    MissingInputError,
    RuntimeOpError,
    ShapeMismatchError,
    TracegraphError,
    UndefinedGradientError,
    UnsupportedOperationError,
    UnusedInputError,
)
from tracegraph.gradient import Lop, Rop, grad
from tracegraph.printing import debugprint, dprint, pp, pydotprint
from tracegraph.scan_module import foldl, foldr, map, reduce, scan
from tracegraph.tensor.graph import clone
from tracegraph.tensor.math import dot
from tracegraph.tensor.op import Apply, Constant, Op, as_op
from tracegraph.tensor.variable import Variable

# The backend of the configured linker is loaded with the package, as a compiled-in backend
# would be, so that the first function() of a program pays no import (the others load on
# first use).
_get_backend(config.linker)

__version__ = "0.1.0"

__all__ = [
    "FAST_COMPILE",
    "FAST_RUN",
    "Apply",
    "ArgumentError",
    "BackendUnavailableError",
    "Constant",
    "DebugMode",
    "DebugModeError",
    "DisconnectedInputError",
    "Function",
    "GivensReplaceInputError",
    "GradientError",
    "GraphTypeError",
    "In",
    "IndexOutOfBoundsError",
    "InputTypeError",
    "Lop",
    "MissingInputError",
    "Mode",
    "Op",
    "Out",
    "Param",
    "ProfileStats",
    "Rop",
    "RuntimeOpError",
    "ShapeMismatchError",
    "SharedVariable",
    "TracegraphError",
    "UndefinedGradientError",
    "UnsupportedOperationError",
    "UnusedInputError",
    "Variable",
    "__version__",
    "as_op",
    "clone",
    "config",
    "debugprint",
    "dot",
    "dprint",
    "foldl",
    "foldr",
    "function",
    "gof",
    "grad",
    "map",
    "pp",
    "pydotprint",
    "reduce",
    "scan",
    "shared",
    "tensor",
]
