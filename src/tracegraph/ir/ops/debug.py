"""``tg.print``: Theano's ``printing.Print``, the identity on its operand that prints it (or
attributes of it) each time it is computed, on every backend (on the host). It is ``Pure`` as
Theano's is: an unused print is not computed, and two equal ones compute once."""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.dialects.builtin import ArrayAttr, StringAttr, TensorType
from xdsl.ir import SSAValue
from xdsl.irdl import (
    IRDLOperation,
    ParsePropInAttrDict,
    irdl_op_definition,
    operand_def,
    prop_def,
    result_def,
    traits_def,
)
from xdsl.traits import Pure
from xdsl.utils.exceptions import VerifyException

PRINTABLE = ("__str__", "shape", "dtype", "min", "max", "mean", "sum", "std")
"""What ``attrs`` may name: the value itself (``__str__``) or one of these of it."""


@irdl_op_definition
class PrintOp(IRDLOperation):
    """``x``, printed as ``message attr = value`` for each of ``attrs`` when computed."""

    name = "tg.print"
    x = operand_def(TensorType)
    message = prop_def(StringAttr)
    attrs = prop_def(ArrayAttr[StringAttr])
    result = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = "$x attr-dict `:` type($x) `->` type($result)"
    irdl_options = (ParsePropInAttrDict(),)

    def __init__(self, x: SSAValue, message: str, attrs: Sequence[str]):
        super().__init__(
            operands=[x],
            properties={
                "message": StringAttr(message),
                "attrs": ArrayAttr([StringAttr(a) for a in attrs]),
            },
            result_types=[x.type],
        )

    def get_attrs(self) -> tuple[str, ...]:
        """The attributes printed."""
        return tuple(a.data for a in self.attrs.data)

    def verify_(self) -> None:
        if self.x.type != self.result.type:
            raise VerifyException("tg.print: the result has the operand's type")
        unknown = [a for a in self.get_attrs() if a not in PRINTABLE]
        if unknown:
            raise VerifyException(f"tg.print: cannot print {unknown}; printable: {PRINTABLE}")
