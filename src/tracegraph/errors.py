"""The exceptions tracegraph raises.

Every error that concerns a symbolic variable or an op names it and the user's line that created
it (its location), and the shapes and dtypes involved. Each class also derives from the builtin
exception a Python user would expect (``TypeError`` for a wrong argument, ``ValueError`` for a
wrong shape), so ``except TypeError`` keeps working.
"""

from __future__ import annotations


class TracegraphError(Exception):
    """Base class of every tracegraph exception."""


class InputTypeError(TracegraphError, TypeError):
    """A value passed to a compiled function has the wrong dtype or number of dimensions."""


class ArgumentError(TracegraphError, TypeError):
    """A compiled function was called with a wrong number or names of arguments."""


class ShapeMismatchError(TracegraphError, ValueError):
    """Shapes disagree at run time (elementwise operands, dot, reshape, indexing...)."""


class RuntimeOpError(TracegraphError, RuntimeError):
    """An op failed at run time for a reason other than a shape mismatch; the base of the
    run-time errors below, each also the builtin a Python user catches."""


class AllocationError(RuntimeOpError, MemoryError):
    """An op's result does not fit in memory (``except MemoryError`` catches it)."""


class InvalidValueError(RuntimeOpError, ValueError):
    """An op was given a value it is not defined for: the maximum of an empty axis, an integer
    to a negative integer power, a slice step of 0, a negative size (``except ValueError``)."""


class RuntimeOverflowError(RuntimeOpError, OverflowError):
    """A value does not fit the type it must be converted to (``except OverflowError``)."""


class RuntimeTypeError(RuntimeOpError, TypeError):
    """An op was given a value of the wrong type at run time (``except TypeError``)."""


class NonFiniteError(RuntimeOpError, FloatingPointError):
    """``NanGuardMode`` found a NaN, an infinity or a huge value in an op's result
    (``except FloatingPointError``)."""


class MissingInputError(TracegraphError, ValueError):
    """The graph of an output depends on a symbolic input that is not among the inputs."""


class UnusedInputError(TracegraphError, ValueError):
    """An input given to ``function`` is not used by any output or update."""


class GivensReplaceInputError(UnusedInputError, RuntimeError):
    """``givens`` replace a variable that is also an input of ``function`` (the value passed for
    it would never be read). A ``RuntimeError`` too, as Theano and PyTensor raise."""


class GraphTypeError(TracegraphError, TypeError):
    """Two variables that must have the same type do not (givens, updates, ``copy(swap=...)``)."""


class UnsupportedOperationError(TracegraphError, NotImplementedError):
    """An expression tracegraph cannot represent (boolean masks, unsupported dtypes...)."""


class IndexOutOfBoundsError(TracegraphError, IndexError):
    """An index is out of bounds at run time."""


class DisconnectedInputError(TracegraphError, ValueError):
    """``grad`` was asked for the gradient with respect to a variable the cost does not use."""


class GradientError(TracegraphError, AssertionError):
    """``verify_grad`` found a symbolic gradient that disagrees with finite differences."""


class UndefinedGradientError(TracegraphError, TypeError):
    """``grad`` was asked for a gradient that flows through an op that has none (a random draw
    whose parameters depend on the variable)."""


class DebugModeError(TracegraphError, AssertionError):
    """``DebugMode`` found an op (or the whole function) whose results on the chosen backend
    differ from the NumPy reference's."""


class CollectiveMismatchError(RuntimeOpError):
    """The ranks of a data-parallel job reached different collectives (another op, dtype or
    shape) at the same point: their graphs differ."""


class BackendUnavailableError(TracegraphError, RuntimeError):
    """The backend a function needs cannot run here (``device=cuda`` before tracegraph has a
    Triton backend, a plug-in whose library is missing...)."""
