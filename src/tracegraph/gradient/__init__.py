"""Symbolic differentiation: ``grad``, ``jacobian``, ``hessian``, ``Lop``/``Rop``, the
gradient barriers (``disconnected_grad``, ``zero_grad`` or ``consider_constant``,
``grad_clip``) and ``verify_grad``.

The rules live in one table keyed by op class (``VJP_RULES`` in ``tracegraph.gradient.rules``);
the same rules also run on IR modules as the ``tg-grad`` pass.

>>> import tracegraph.tensor as T
>>> from tracegraph.printing import pp
>>> x = T.dscalar('x')
>>> pp(grad(x ** 2, x))
'((fill((x ** 2), 1.0) * 2) * (x ** (2 - 1)))'
"""

from tracegraph.errors import DisconnectedInputError, GradientError, UndefinedGradientError
from tracegraph.gradient import conv as _conv  # noqa: F401 - registers the convolutions' rules
from tracegraph.gradient import distributed as _distributed  # noqa: F401 - and collectives
from tracegraph.gradient import linalg as _linalg  # noqa: F401 - and linear algebra's
from tracegraph.gradient.barriers import consider_constant, disconnected_grad, grad_clip, zero_grad
from tracegraph.gradient.core import grad, hessian, jacobian
from tracegraph.gradient.products import Lop, Rop
from tracegraph.gradient.rules import VJP_RULES, NotDifferentiable
from tracegraph.gradient.verify import verify_grad

NullTypeGradError = UndefinedGradientError
"""Theano's name of the error of a gradient that is not defined."""

__all__ = [
    "VJP_RULES",
    "DisconnectedInputError",
    "GradientError",
    "Lop",
    "NotDifferentiable",
    "NullTypeGradError",
    "Rop",
    "UndefinedGradientError",
    "consider_constant",
    "disconnected_grad",
    "grad",
    "grad_clip",
    "hessian",
    "jacobian",
    "verify_grad",
    "zero_grad",
]
