"""Random sampling: draws from NumPy ``RandomState`` streams (Theano's ``RandomStreams``), the
MRG31k3p generator (``MRG_RandomStreams``) and sampling from MRG uniforms.

A draw takes the generator state as an operand and returns the advanced state with the sample,
so the state flows through the graph like any value, and a compiled function returns the new
state as the update of the shared variable that holds it. Draws are not ``Pure`` (they carry no
memory-effect trait): CSE never merges two of them and DCE never removes one, so a random
variable is drawn exactly once per call however many times it is used.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from xdsl.dialects.builtin import BoolAttr, TensorType
from xdsl.ir import Attribute, SSAValue
from xdsl.irdl import (
    IRDLOperation,
    ParsePropInAttrDict,
    irdl_op_definition,
    operand_def,
    prop_def,
    result_def,
    traits_def,
    var_operand_def,
)
from xdsl.traits import Pure
from xdsl.utils.exceptions import VerifyException

from tracegraph.ir.ops._verify import verify_dtype
from tracegraph.ir.types import (
    RandomStateIRType,
    dtype_of,
    is_float_dtype,
    ndim_of,
    shape_of,
)


def _verify_shape_operand(op_name: str, shape: SSAValue) -> int | None:
    """The sample shape operand is a 1-d int64 tensor; returns its static length."""
    verify_dtype(op_name, shape, "int64", "the shape operand")
    sizes = shape_of(shape)
    if len(sizes) != 1:
        raise VerifyException(f"{op_name}: the shape operand must be 1-d, got {shape.type}")
    return sizes[0]


class RandomStateDrawOp(IRDLOperation):
    """Base of the draws from a NumPy ``RandomState``: ``rng``, the sample's ``shape`` (a 1-d
    int64 tensor; empty means "the shape of the broadcast parameters", as NumPy's ``size=None``)
    and the distribution's parameters, named by ``PARAMS``. Results: the advanced state and the
    sample, whose rank is the shape's length plus ``ADDED_AXES`` and whose dtype may be any
    (the draw is cast to it, as Theano did: ``binomial(..., dtype=floatX)`` is a float mask)."""

    rng = operand_def(RandomStateIRType)
    shape = operand_def(TensorType)
    params = var_operand_def(TensorType)
    new_rng = result_def(RandomStateIRType)
    sample = result_def(TensorType)
    assembly_format = (
        "$rng `,` $shape (`,` $params^)? attr-dict `:` functional-type(operands, results)"
    )

    PARAMS: ClassVar[tuple[str, ...]] = ()
    ADDED_AXES: ClassVar[int] = 0

    def __init__(
        self, rng: SSAValue, shape: SSAValue, params: Sequence[SSAValue], sample_type: Attribute
    ):
        super().__init__(
            operands=[rng, shape, list(params)],
            result_types=[RandomStateIRType(), sample_type],
        )

    def verify_(self) -> None:
        length = _verify_shape_operand(self.name, self.shape)
        if len(self.params) != len(self.PARAMS):
            raise VerifyException(
                f"{self.name}: takes {len(self.PARAMS)} parameters ({', '.join(self.PARAMS)}), "
                f"got {len(self.params)}"
            )
        if length and ndim_of(self.sample) != length + self.ADDED_AXES:
            raise VerifyException(f"{self.name}: the sample's rank differs from the shape's length")


@irdl_op_definition
class UniformOp(RandomStateDrawOp):
    """``rng.uniform(low, high, shape)``, cast to the sample's dtype."""

    name = "tg.random.uniform"
    PARAMS: ClassVar[tuple[str, ...]] = ("low", "high")


@irdl_op_definition
class NormalOp(RandomStateDrawOp):
    """``rng.normal(loc, scale, shape)``, cast to the sample's dtype."""

    name = "tg.random.normal"
    PARAMS: ClassVar[tuple[str, ...]] = ("loc", "scale")


@irdl_op_definition
class BinomialOp(RandomStateDrawOp):
    """``rng.binomial(n, p, shape)``: successes in ``n`` trials of probability ``p``."""

    name = "tg.random.binomial"
    PARAMS: ClassVar[tuple[str, ...]] = ("n", "p")


@irdl_op_definition
class PoissonOp(RandomStateDrawOp):
    """``rng.poisson(lam, shape)``: Poisson counts of mean ``lam``."""

    name = "tg.random.poisson"
    PARAMS: ClassVar[tuple[str, ...]] = ("lam",)


@irdl_op_definition
class RandomIntegersOp(RandomStateDrawOp):
    """Integers between ``low`` and ``high``, both inclusive; one ``rng.randint(low, high + 1)``
    per element in C order (Theano's ``random_integers``, whose parameters broadcast)."""

    name = "tg.random.random_integers"
    PARAMS: ClassVar[tuple[str, ...]] = ("low", "high")


@irdl_op_definition
class ChoiceOp(RandomStateDrawOp):
    """``rng.choice(a, shape, replace, p)``: ``a`` an integer (choose from ``range(a)``) or a
    vector; ``p`` the probabilities of its entries, an empty vector for equal ones."""

    name = "tg.random.choice"
    replace = prop_def(BoolAttr)
    irdl_options = (ParsePropInAttrDict(),)
    PARAMS: ClassVar[tuple[str, ...]] = ("a", "p")

    def __init__(
        self,
        rng: SSAValue,
        shape: SSAValue,
        params: Sequence[SSAValue],
        sample_type: Attribute,
        replace: bool = True,
    ):
        super().__init__(rng, shape, params, sample_type)
        self.replace = BoolAttr.from_bool(replace)


@irdl_op_definition
class PermutationOp(RandomStateDrawOp):
    """One ``rng.permutation(n)`` per index of ``shape`` in C order: the sample has one more
    axis, of size ``n``."""

    name = "tg.random.permutation"
    PARAMS: ClassVar[tuple[str, ...]] = ("n",)
    ADDED_AXES: ClassVar[int] = 1


@irdl_op_definition
class MultinomialOp(RandomStateDrawOp):
    """One ``rng.multinomial(n, pvals)`` per index of ``shape`` in C order, ``n`` and the rows
    of ``pvals`` broadcast (Theano's ``multinomial``): the sample has one more axis, the
    outcomes."""

    name = "tg.random.multinomial"
    PARAMS: ClassVar[tuple[str, ...]] = ("n", "pvals")
    ADDED_AXES: ClassVar[int] = 1


RANDOM_STATE_DRAWS: tuple[type[RandomStateDrawOp], ...] = (
    UniformOp,
    NormalOp,
    BinomialOp,
    PoissonOp,
    RandomIntegersOp,
    ChoiceOp,
    PermutationOp,
    MultinomialOp,
)
"""Every draw from a NumPy ``RandomState``, for the rule tables that treat them alike."""


@irdl_op_definition
class MRGUniformOp(IRDLOperation):
    """MRG31k3p uniform numbers in (0, 1): ``rstate`` is an n×6 int32 matrix, one generator
    state per stream; element ``i`` of the sample (C order) is the next number of stream
    ``i mod n``. Results: the advanced states and the sample of ``shape``."""

    name = "tg.random.mrg_uniform"
    rstate = operand_def(TensorType)
    shape = operand_def(TensorType)
    new_rstate = result_def(TensorType)
    sample = result_def(TensorType)
    assembly_format = "$rstate `,` $shape attr-dict `:` functional-type(operands, results)"

    def __init__(self, rstate: SSAValue, shape: SSAValue, sample_type: Attribute):
        super().__init__(operands=[rstate, shape], result_types=[rstate.type, sample_type])

    def verify_(self) -> None:
        length = _verify_shape_operand(self.name, self.shape)
        verify_dtype(self.name, self.rstate, "int32", "rstate")
        if len(shape_of(self.rstate)) != 2 or shape_of(self.rstate)[1] not in (None, 6):
            raise VerifyException(f"{self.name}: rstate must be an n×6 matrix")
        if length is not None and ndim_of(self.sample) != length:
            raise VerifyException(f"{self.name}: the sample's rank differs from the shape's length")
        if not is_float_dtype(dtype_of(self.sample)):
            raise VerifyException(f"{self.name}: the sample must be float32 or float64")


@irdl_op_definition
class MultinomialFromUniformOp(IRDLOperation):
    """Multinomial counts from uniform numbers (Theano's ``MultinomialFromUniform``): row ``r``
    of ``pvals`` takes ``n`` draws, draw ``c`` being the first outcome whose cumulative
    probability exceeds ``unis[c * rows + r]``."""

    name = "tg.random.multinomial_from_uniform"
    pvals = operand_def(TensorType)
    unis = operand_def(TensorType)
    n = operand_def(TensorType)
    result = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = "$pvals `,` $unis `,` $n attr-dict `:` functional-type(operands, results)"

    def __init__(self, pvals: SSAValue, unis: SSAValue, n: SSAValue, result_type: Attribute):
        super().__init__(operands=[pvals, unis, n], result_types=[result_type])

    def verify_(self) -> None:
        if ndim_of(self.pvals) != 2 or ndim_of(self.unis) != 1 or ndim_of(self.n) != 0:
            raise VerifyException(f"{self.name}: needs a matrix, a vector and a scalar")
        if ndim_of(self.result) != 2:
            raise VerifyException(f"{self.name}: the result is a matrix")
