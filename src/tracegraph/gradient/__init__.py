"""Symbolic differentiation: ``grad``, ``jacobian``, ``hessian`` and ``verify_grad``.

The rules live in one table keyed by op class (``VJP_RULES`` in ``tracegraph.gradient.rules``);
the same rules also run on IR modules as the ``tg-grad`` pass.

>>> import tracegraph.tensor as T
>>> from tracegraph.printing import pp
>>> x = T.dscalar('x')
>>> pp(grad(x ** 2, x))
'((fill((x ** 2), 1.0) * 2) * (x ** (2 - 1)))'
"""

from tracegraph.errors import DisconnectedInputError, GradientError
from tracegraph.gradient.core import grad, hessian, jacobian
from tracegraph.gradient.rules import VJP_RULES, NotDifferentiable
from tracegraph.gradient.verify import verify_grad

__all__ = [
    "VJP_RULES",
    "DisconnectedInputError",
    "GradientError",
    "NotDifferentiable",
    "grad",
    "hessian",
    "jacobian",
    "verify_grad",
]
