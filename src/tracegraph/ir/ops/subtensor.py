"""Indexing: basic slicing, integer and integer-array indexing, ``set_subtensor``/``inc_subtensor``.

The index is described by the ``entries`` property, one number per indexed axis, and the index
values (0-d integer tensors, or integer arrays) are operands, in order:

- ``-1`` (``SCALAR_INDEX``): an integer index; takes one 0-d operand; removes the axis;
- ``-2`` (``ARRAY_INDEX``): an integer-array index; takes one operand; NumPy advanced indexing;
- ``-3`` (``EMPTY_ELLIPSIS``): an ``...`` that stands for no axis; takes no operand and no axis,
  but separates the advanced indices around it (NumPy then puts their dimensions first);
- ``0..7``: a slice; bit 1 / 2 / 4 set means start / stop / step is present, taking one 0-d
  operand each in that order, absent parts are ``None`` as in Python.

Axes after the last entry are taken whole. Semantics are exactly NumPy's for the same index.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from xdsl.dialects.builtin import DenseArrayBase, TensorType, i64
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
    var_result_def,
)
from xdsl.traits import Pure
from xdsl.utils.exceptions import VerifyException

from tracegraph.ir.types import dtype_of, is_integer_dtype, ndim_of

SCALAR_INDEX = -1
ARRAY_INDEX = -2
EMPTY_ELLIPSIS = -3
SLICE_START = 1
SLICE_STOP = 2
SLICE_STEP = 4

T = TypeVar("T")


def entry_operand_count(entry: int) -> int:
    """How many operands an index entry takes."""
    if entry in (SCALAR_INDEX, ARRAY_INDEX):
        return 1
    if entry == EMPTY_ELLIPSIS:
        return 0
    if not 0 <= entry <= 7:
        raise ValueError(f"bad index entry {entry}")
    return bin(entry).count("1")


def group_index_operands(entries: Sequence[int], operands: Sequence[T]) -> list[list[T]]:
    """Split the flat index operands into one list per entry."""
    groups: list[list[T]] = []
    position = 0
    for entry in entries:
        count = entry_operand_count(entry)
        groups.append(list(operands[position : position + count]))
        position += count
    if position != len(operands):
        raise ValueError(
            f"index entries {list(entries)} take {position} operands, not {len(operands)}"
        )
    return groups


class _IndexedOp(IRDLOperation):
    """Shared verification of the index entries and operands."""

    entries = prop_def(DenseArrayBase)
    indices = var_operand_def(TensorType)

    def get_entries(self) -> tuple[int, ...]:
        """The index entries as a tuple of ints."""
        return tuple(int(v) for v in self.entries.iter_values())

    def _verify_index(self, indexed: SSAValue) -> None:
        entries = self.get_entries()
        try:
            groups = group_index_operands(entries, list(self.indices))
        except ValueError as error:
            raise VerifyException(f"{self.name}: {error}") from error
        indexed_axes = sum(1 for entry in entries if entry != EMPTY_ELLIPSIS)
        if indexed_axes > ndim_of(indexed):
            raise VerifyException(
                f"{self.name}: {indexed_axes} indices for rank {ndim_of(indexed)}"
            )
        for entry, group in zip(entries, groups, strict=True):
            for value in group:
                if not is_integer_dtype(dtype_of(value)):
                    raise VerifyException(f"{self.name}: index of dtype {dtype_of(value)}")
                if entry != ARRAY_INDEX and ndim_of(value) != 0:
                    raise VerifyException(f"{self.name}: scalar index or slice bound is not 0-d")


@irdl_op_definition
class SubtensorOp(_IndexedOp):
    """``x[index]`` (basic and integer-array indexing)."""

    name = "tg.subtensor"
    x = operand_def(TensorType)
    result = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = "$x `[` $indices `]` attr-dict `:` functional-type(operands, results)"
    irdl_options = (ParsePropInAttrDict(),)

    def __init__(
        self,
        x: SSAValue,
        indices: Sequence[SSAValue],
        entries: Sequence[int],
        result_type: Attribute,
    ):
        super().__init__(
            operands=[x, list(indices)],
            properties={"entries": DenseArrayBase.from_list(i64, list(entries))},
            result_types=[result_type],
        )

    def verify_(self) -> None:
        self._verify_index(self.x)


class SubtensorUpdateOp(_IndexedOp):
    """Base of set/inc: a copy of ``x`` with ``x[index]`` replaced or incremented by ``y``."""

    x = operand_def(TensorType)
    y = operand_def(TensorType)
    result = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = "$x `[` $indices `]` `,` $y attr-dict `:` functional-type(operands, results)"
    irdl_options = (ParsePropInAttrDict(),)

    def __init__(
        self, x: SSAValue, y: SSAValue, indices: Sequence[SSAValue], entries: Sequence[int]
    ):
        super().__init__(
            operands=[x, y, list(indices)],
            properties={"entries": DenseArrayBase.from_list(i64, list(entries))},
            result_types=[x.type],
        )

    def verify_(self) -> None:
        self._verify_index(self.x)
        if self.result.type != self.x.type:
            raise VerifyException(f"{self.name}: the result type must be the type of x")


@irdl_op_definition
class SetSubtensorOp(SubtensorUpdateOp):
    """``set_subtensor(x[index], y)``: ``x`` with the indexed part replaced by ``y``."""

    name = "tg.set_subtensor"


@irdl_op_definition
class IncSubtensorOp(SubtensorUpdateOp):
    """``inc_subtensor(x[index], y)``: ``x`` with ``y`` added to the indexed part; repeated
    array indices add repeatedly (NumPy's ``add.at``)."""

    name = "tg.inc_subtensor"


@irdl_op_definition
class NonzeroOp(IRDLOperation):
    """The indices of the nonzero (true) elements of ``x``, one int64 vector per axis, in C
    order (NumPy's ``nonzero``): their length is known only when the function runs. A boolean
    mask index ``x[mask]`` is ``x[nonzero(mask)]``."""

    name = "tg.nonzero"
    x = operand_def(TensorType)
    indices = var_result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = "$x attr-dict `:` type($x) `->` type($indices)"

    def __init__(self, x: SSAValue, result_types: Sequence[Attribute]):
        super().__init__(operands=[x], result_types=[list(result_types)])

    def verify_(self) -> None:
        rank = ndim_of(self.x)
        if rank == 0 or len(self.indices) != rank:
            raise VerifyException(
                f"tg.nonzero: needs one result per axis of a tensor of rank >= 1 (rank {rank})"
            )
        for index in self.indices:
            if ndim_of(index) != 1 or dtype_of(index) != "int64":
                raise VerifyException("tg.nonzero: every result is an int64 vector")
