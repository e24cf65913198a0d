"""Linear algebra beyond products (Theano's ``nlinalg`` and ``slinalg``): the inverse,
determinant, Cholesky factor, pseudo-inverse, eigendecomposition of a symmetric matrix, SVD and
QR of a matrix, and the solution of a linear system. ``variant`` holds an op's option (which
triangle, which factors), as NumPy's and SciPy's functions of the same name take them:

- ``tg.cholesky``: ``"lower"`` or ``"upper"`` (the factor returned; the input's lower triangle
  is read, as NumPy reads it);
- ``tg.eigh``: ``"L"`` or ``"U"``, the triangle read; results: eigenvalues ascending, then the
  eigenvectors as columns;
- ``tg.svd``: ``"full"``/``"reduced"`` (results ``u, s, vt``) or ``"values"`` (``s``);
- ``tg.qr``: ``"reduced"``/``"complete"`` (``q, r``) or ``"r"`` (``r``);
- ``tg.solve``: the structure of ``a``: ``"general"``, ``"symmetric"``, ``"lower_triangular"``
  or ``"upper_triangular"`` (a triangular solve reads only that triangle, a symmetric one the
  lower triangle).
"""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.dialects.builtin import StringAttr, TensorType
from xdsl.ir import Attribute, SSAValue
from xdsl.irdl import (
    IRDLOperation,
    ParsePropInAttrDict,
    irdl_op_definition,
    operand_def,
    prop_def,
    traits_def,
    var_result_def,
)
from xdsl.traits import Pure
from xdsl.utils.exceptions import VerifyException

from tracegraph.ir.types import dtype_of, is_float_dtype, ndim_of

VARIANTS: dict[str, tuple[str, ...]] = {
    "tg.matrix_inverse": ("",),
    "tg.det": ("",),
    "tg.pinv": ("",),
    "tg.cholesky": ("lower", "upper"),
    "tg.eigh": ("L", "U"),
    "tg.svd": ("full", "reduced", "values"),
    "tg.qr": ("reduced", "complete", "r"),
    "tg.solve": ("general", "symmetric", "lower_triangular", "upper_triangular"),
}
"""The variants each op takes."""


class MatrixFunctionOp(IRDLOperation):
    """Base of the functions of one float matrix ``a``."""

    a = operand_def(TensorType)
    outputs = var_result_def(TensorType)
    variant = prop_def(StringAttr)
    traits = traits_def(Pure())
    assembly_format = "$a attr-dict `:` type($a) `->` type($outputs)"
    irdl_options = (ParsePropInAttrDict(),)

    def __init__(self, a: SSAValue, variant: str, result_types: Sequence[Attribute]):
        super().__init__(
            operands=[a],
            properties={"variant": StringAttr(variant)},
            result_types=[list(result_types)],
        )

    def get_variant(self) -> str:
        """The op's option (see the module's description)."""
        return self.variant.data

    def verify_(self) -> None:
        if ndim_of(self.a) != 2 or not is_float_dtype(dtype_of(self.a)):
            raise VerifyException(f"{self.name}: needs a float matrix, got {self.a.type}")
        if self.get_variant() not in VARIANTS[self.name]:
            raise VerifyException(
                f"{self.name}: variant {self.get_variant()!r} is not one of {VARIANTS[self.name]}"
            )


@irdl_op_definition
class MatrixInverseOp(MatrixFunctionOp):
    """The inverse of a square matrix (an error when it is singular)."""

    name = "tg.matrix_inverse"


@irdl_op_definition
class DetOp(MatrixFunctionOp):
    """The determinant of a square matrix (a 0-d result)."""

    name = "tg.det"


@irdl_op_definition
class PinvOp(MatrixFunctionOp):
    """The Moore-Penrose pseudo-inverse (NumPy's ``pinv``)."""

    name = "tg.pinv"


@irdl_op_definition
class CholeskyOp(MatrixFunctionOp):
    """The Cholesky factor of a symmetric positive-definite matrix (an error otherwise)."""

    name = "tg.cholesky"


@irdl_op_definition
class EighOp(MatrixFunctionOp):
    """The eigenvalues (ascending) and eigenvectors of a symmetric matrix."""

    name = "tg.eigh"


@irdl_op_definition
class SVDOp(MatrixFunctionOp):
    """The singular value decomposition ``u @ diag(s) @ vt`` (or ``s`` alone)."""

    name = "tg.svd"


@irdl_op_definition
class QROp(MatrixFunctionOp):
    """The QR decomposition (``q, r``, or ``r`` alone)."""

    name = "tg.qr"


@irdl_op_definition
class SolveOp(IRDLOperation):
    """``x`` with ``a @ x == b``, for a square ``a`` of the structure ``variant`` and ``b`` a
    vector or a matrix (an error when ``a`` is singular)."""

    name = "tg.solve"
    a = operand_def(TensorType)
    b = operand_def(TensorType)
    outputs = var_result_def(TensorType)
    variant = prop_def(StringAttr)
    traits = traits_def(Pure())
    assembly_format = "$a `,` $b attr-dict `:` `(` type($a) `,` type($b) `)` `->` type($outputs)"
    irdl_options = (ParsePropInAttrDict(),)

    def __init__(self, a: SSAValue, b: SSAValue, variant: str, result_type: Attribute):
        super().__init__(
            operands=[a, b],
            properties={"variant": StringAttr(variant)},
            result_types=[[result_type]],
        )

    def get_variant(self) -> str:
        """The structure of ``a``."""
        return self.variant.data

    def verify_(self) -> None:
        if ndim_of(self.a) != 2 or ndim_of(self.b) not in (1, 2) or len(self.outputs) != 1:
            raise VerifyException("tg.solve: a matrix and a vector or matrix give one result")
        if self.get_variant() not in VARIANTS[self.name]:
            raise VerifyException(f"tg.solve: structure {self.get_variant()!r} is not known")


LINEAR_ALGEBRA_OPS: tuple[type[IRDLOperation], ...] = (
    MatrixInverseOp,
    DetOp,
    PinvOp,
    CholeskyOp,
    EighOp,
    SVDOp,
    QROp,
    SolveOp,
)
"""The decompositions and solvers (backends run them alike: LAPACK on the host)."""
