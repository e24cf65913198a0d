"""``tg.python_op``: an op users write in Python (Theano's ``Op`` with ``perform``, or
``as_op``), as one generic op of the dialect. ``key`` names the user's op object in this
process's registry (``ir/python_ops.py``), which runs its ``perform`` on host arrays; equal
user ops (by ``__props__``, or by their ``__eq__``) have the same key, so CSE merges their
applications."""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.dialects.builtin import StringAttr, TensorType
from xdsl.ir import Attribute, SSAValue
from xdsl.irdl import (
    IRDLOperation,
    ParsePropInAttrDict,
    irdl_op_definition,
    prop_def,
    traits_def,
    var_operand_def,
    var_result_def,
)
from xdsl.traits import Pure


@irdl_op_definition
class PythonOp(IRDLOperation):
    """The user's op ``key`` applied to its operands (its ``perform`` computes the results, on
    the host, on every backend)."""

    name = "tg.python_op"
    xs = var_operand_def(TensorType)
    outputs = var_result_def(TensorType)
    key = prop_def(StringAttr)
    traits = traits_def(Pure())
    assembly_format = "$xs attr-dict `:` functional-type($xs, $outputs)"
    irdl_options = (ParsePropInAttrDict(),)

    def __init__(self, key: str, xs: Sequence[SSAValue], result_types: Sequence[Attribute]):
        super().__init__(
            operands=[list(xs)],
            properties={"key": StringAttr(key)},
            result_types=[list(result_types)],
        )

    def get_key(self) -> str:
        """The registry key of the user's op."""
        return self.key.data
