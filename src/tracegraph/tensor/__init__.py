"""The tensor frontend: types, symbolic variables and the functions that build graphs.

``import tracegraph.tensor as T`` gives Theano's names: constructors (``T.dmatrix``), math
(``T.exp``, ``T.dot``, ``T.sum``...), shape functions and indexing helpers.

>>> import tracegraph.tensor as T
>>> x = T.dmatrix('x')
>>> (1 / (1 + T.exp(-x))).type
TensorType(float64, shape=(?, ?))
"""

from typing import TYPE_CHECKING, Any

from tracegraph.tensor import extra_ops, nnet
from tracegraph.tensor.basic import *  # noqa: F403 - the constructors, by Theano's names
from tracegraph.tensor.basic import (
    alloc,
    cast,
    fill,
    ones,
    ones_like,
    second,
    tensor,
    zeros,
    zeros_like,
)
from tracegraph.tensor.extra_ops import (
    argsort,
    cumprod,
    cumsum,
    diag,
    diagonal,
    eye,
    flip,
    horizontal_stack,
    identity_like,
    join,
    repeat,
    roll,
    shape_padaxis,
    shape_padleft,
    shape_padright,
    sort,
    squeeze,
    take_along_axis,
    tile,
    trace,
    vertical_stack,
)
from tracegraph.tensor.math import (
    abs_,
    add,
    all,
    allclose,
    and_,
    any,
    arccos,
    arccosh,
    arcsin,
    arcsinh,
    arctan,
    arctan2,
    arctanh,
    argmax,
    argmin,
    bitwise_and,
    bitwise_not,
    bitwise_or,
    bitwise_xor,
    ceil,
    clip,
    cos,
    cosh,
    deg2rad,
    dot,
    eq,
    erf,
    erfc,
    erfinv,
    exp,
    expm1,
    floor,
    floor_div,
    gamma,
    gammaln,
    ge,
    gt,
    int_div,
    invert,
    iround,
    isclose,
    isinf,
    isnan,
    le,
    log,
    log1p,
    log2,
    log10,
    lt,
    matmul,
    max,
    maximum,
    mean,
    min,
    minimum,
    mod,
    mul,
    neg,
    neq,
    or_,
    outer,
    pow,
    prod,
    psi,
    rad2deg,
    round,
    sgn,
    sigmoid,
    sign,
    sin,
    sinh,
    softplus,
    sqr,
    sqrt,
    std,
    sub,
    sum,
    switch,
    tan,
    tanh,
    tri_gamma,
    true_div,
    true_divide,
    trunc,
    var,
    where,
    xor,
)
from tracegraph.tensor.shapes import (
    arange,
    concatenate,
    dimshuffle,
    flatten,
    reshape,
    shape,
    stack,
    transpose,
)
from tracegraph.tensor.subtensor import inc_subtensor, set_subtensor
from tracegraph.tensor.types import TensorType
from tracegraph.tensor.variable import (
    TensorLike,
    TensorVariable,
    Variable,
    as_tensor_variable,
    constant,
)

if TYPE_CHECKING:
    from tracegraph.gradient import grad, hessian, jacobian

abs = abs_

_GRADIENT_FUNCTIONS = ("Lop", "Rop", "grad", "hessian", "jacobian")
"""``T.grad``, ``T.jacobian``, ``T.hessian``, ``T.Lop`` and ``T.Rop``, as in Theano: the
functions of ``tracegraph.gradient``, a layer above this package that imports it, so they are
imported on first use (``__getattr__``, PEP 562)."""

if not TYPE_CHECKING:  # mypy sees the import above, and no attribute of T that does not exist

    def __getattr__(name: str) -> Any:
        """The gradient functions, imported from ``tracegraph.gradient`` on first use (and
        the submodule ``shared_randomstreams``, as Theano's ``T.shared_randomstreams``).

        >>> import tracegraph.tensor as T
        >>> x = T.dscalar('x')
        >>> T.grad(x ** 2, x).type
        TensorType(float64, shape=())
        """
        if name in _GRADIENT_FUNCTIONS:
            from tracegraph import gradient

            function = getattr(gradient, name)
            globals()[name] = function
            return function
        if name == "shared_randomstreams":  # T.shared_randomstreams.RandomStreams, as Theano
            import importlib

            return importlib.import_module(f"{__name__}.{name}")
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

    def __dir__() -> list[str]:
        return sorted({*globals(), *_GRADIENT_FUNCTIONS})


__all__ = [
    "TensorLike",
    "TensorType",
    "TensorVariable",
    "Variable",
    "abs",
    "abs_",
    "add",
    "all",
    "allclose",
    "alloc",
    "and_",
    "any",
    "arange",
    "arccos",
    "arccosh",
    "arcsin",
    "arcsinh",
    "arctan",
    "arctan2",
    "arctanh",
    "argmax",
    "argmin",
    "argsort",
    "as_tensor_variable",
    "bitwise_and",
    "bitwise_not",
    "bitwise_or",
    "bitwise_xor",
    "cast",
    "ceil",
    "clip",
    "concatenate",
    "constant",
    "cos",
    "cosh",
    "cumprod",
    "cumsum",
    "deg2rad",
    "diag",
    "diagonal",
    "dimshuffle",
    "dot",
    "eq",
    "erf",
    "erfc",
    "erfinv",
    "exp",
    "expm1",
    "extra_ops",
    "eye",
    "fill",
    "flatten",
    "flip",
    "floor",
    "floor_div",
    "gamma",
    "gammaln",
    "ge",
    "grad",
    "gt",
    "hessian",
    "horizontal_stack",
    "identity_like",
    "inc_subtensor",
    "int_div",
    "invert",
    "iround",
    "isclose",
    "isinf",
    "isnan",
    "jacobian",
    "join",
    "le",
    "log",
    "log1p",
    "log2",
    "log10",
    "lt",
    "matmul",
    "max",
    "maximum",
    "mean",
    "min",
    "minimum",
    "mod",
    "mul",
    "neg",
    "neq",
    "nnet",
    "ones",
    "ones_like",
    "or_",
    "outer",
    "pow",
    "prod",
    "psi",
    "rad2deg",
    "repeat",
    "reshape",
    "roll",
    "round",
    "second",
    "set_subtensor",
    "sgn",
    "shape",
    "shape_padaxis",
    "shape_padleft",
    "shape_padright",
    "sigmoid",
    "sign",
    "sin",
    "sinh",
    "softplus",
    "sort",
    "sqr",
    "sqrt",
    "squeeze",
    "stack",
    "std",
    "sub",
    "sum",
    "switch",
    "take_along_axis",
    "tan",
    "tanh",
    "tensor",
    "tile",
    "trace",
    "transpose",
    "tri_gamma",
    "true_div",
    "true_divide",
    "trunc",
    "var",
    "vertical_stack",
    "where",
    "xor",
    "zeros",
    "zeros_like",
]
