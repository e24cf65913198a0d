"""Printing graphs: ``pp`` (Theano's infix style), ``debugprint`` (one op per line) and
``pydotprint`` (a picture, with Graphviz).

>>> import tracegraph.tensor as T
>>> x = T.dscalar('x')
>>> pp(2.0 * x)
'(2.0 * x)'
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from xdsl.ir import Operation, SSAValue

from tracegraph.ir import ops
from tracegraph.ir.location import format_location
from tracegraph.ir.ops.debug import PRINTABLE
from tracegraph.ir.ops.shape import NEW_AXIS
from tracegraph.ir.ops.subtensor import (
    ARRAY_INDEX,
    EMPTY_ELLIPSIS,
    SCALAR_INDEX,
    group_index_operands,
)
from tracegraph.tensor.variable import (
    TensorVariable,
    Variable,
    as_tensor_variable,
    emit,
    variable_of,
)

if TYPE_CHECKING:
    from tracegraph.compile.function import Function

INFIX_SYMBOLS: dict[type[Operation], str] = {
    ops.AddOp: "+",
    ops.SubOp: "-",
    ops.MulOp: "*",
    ops.TrueDivOp: "/",
    ops.IntDivOp: "//",
    ops.ModOp: "%",
    ops.PowOp: "**",
    ops.GtOp: ">",
    ops.GeOp: ">=",
    ops.LtOp: "<",
    ops.LeOp: "<=",
    ops.EqOp: "==",
    ops.NeqOp: "!=",
    ops.AndOp: "&",
    ops.OrOp: "|",
    ops.XorOp: "^",
}
"""Binary ops that ``pp`` prints infix, with their symbol."""

PREFIX_SYMBOLS: dict[type[Operation], str] = {ops.NegOp: "-", ops.InvertOp: "~"}
"""Unary ops that ``pp`` prints as a prefix symbol."""


def _format_constant(op: ops.ConstantOp) -> str:
    array = op.to_array()
    if array.size == 1:
        value = array.reshape(()).item()
        return repr(float(value)) if array.dtype.kind == "f" else repr(value)
    return np.array2string(array, separator=", ", threshold=8)


def _format_index(op: ops.SubtensorOp, operands: Sequence[str]) -> str:
    parts: list[str] = []
    entries = op.get_entries()
    for entry, group in zip(entries, group_index_operands(entries, list(operands)), strict=True):
        if entry in (SCALAR_INDEX, ARRAY_INDEX):
            parts.append(group[0])
            continue
        if entry == EMPTY_ELLIPSIS:
            parts.append("...")
            continue
        values = iter(group)
        start = next(values) if entry & 1 else ""
        stop = next(values) if entry & 2 else ""
        step = ":" + next(values) if entry & 4 else ""
        parts.append(f"{start}:{stop}{step}")
    return ", ".join(parts)


def _pp_value(value: SSAValue, names: dict[SSAValue, str]) -> str:
    if value in names:
        return names[value]
    op = value.owner
    if not isinstance(op, Operation):
        return value.name_hint or "<arg>"
    if isinstance(op, ops.InputOp | ops.SharedOp):
        variable = variable_of(value)
        return variable.name or f"<{op.name.removeprefix('tg.')}>"
    if isinstance(op, ops.ConstantOp):
        return _format_constant(op)
    operands = [_pp_value(v, names) for v in op.operands]
    kind = type(op)
    if kind in INFIX_SYMBOLS:
        return f"({operands[0]} {INFIX_SYMBOLS[kind]} {operands[1]})"
    if kind in PREFIX_SYMBOLS:
        return f"({PREFIX_SYMBOLS[kind]}{operands[0]})"
    if isinstance(op, ops.DimShuffleOp):
        if operands and op.get_order() == tuple(reversed(range(len(op.get_order())))):
            return f"{operands[0]}.T"
        order = ",".join("x" if a == NEW_AXIS else str(a) for a in op.get_order())
        return f"DimShuffle{{{order}}}({operands[0]})"
    if isinstance(op, ops.SubtensorOp):
        return f"{operands[0]}[{_format_index(op, operands[1:])}]"
    if isinstance(op, ops.ReductionOp):
        axes = ",".join(str(a) for a in op.get_axes())
        return f"{op.name.removeprefix('tg.')}{{{axes}}}({operands[0]})"
    return f"{op.name.removeprefix('tg.')}({', '.join(operands)})"


def pp(variable: Variable | SSAValue) -> str:
    """A variable's expression in Theano's infix style.

    >>> import tracegraph.tensor as T
    >>> x = T.dmatrix('x')
    >>> pp(1 / (1 + T.exp(-x)))
    '(1 / (1 + exp((-x))))'
    """
    value = variable.value if isinstance(variable, Variable) else variable
    names: dict[SSAValue, str] = {}
    return _pp_value(value, names)


def pprint(variable: Variable | SSAValue) -> str:
    """Theano's other name of :func:`pp`.

    >>> import tracegraph.tensor as T
    >>> x = T.dscalar('x')
    >>> pprint(T.exp(x) * 2)
    '(exp(x) * 2)'
    """
    return pp(variable)


def debugprint(
    obj: Variable | SSAValue | Sequence[Variable] | Function[Any], *, file: object = None
) -> str:
    """One line per op, indented by depth, with each op's type and the user's line; repeated
    subexpressions are printed once and referred to by id (Theano's ``debugprint``, also
    ``dprint``). Takes a variable, a list of them, or a compiled function (its final graph:
    each output, then each shared variable's update; a fused loop lists its ops). Returns the
    text (and prints it when ``file`` is a stream).

    >>> import tracegraph
    >>> import tracegraph.tensor as T
    >>> x = T.dvector('x')
    >>> print(debugprint(T.exp(x) + x).splitlines()[0].split(' at ')[0])
    tg.add [id A] tensor<?xf64>
    >>> print(debugprint(tracegraph.function([x], T.exp(x) * 2)).splitlines()[0].split(' at ')[0])
    output 0: tg.fused [id A] tensor<?xf64> {tg.constant, tg.exp, tg.mul}
    """
    roots = _roots(obj)
    lines: list[str] = []
    ids: dict[SSAValue, str] = {}
    for label, root in roots:
        _print_tree(root, label, lines, ids)
    text = "\n".join(lines)
    write = getattr(file, "write", None)
    if callable(write):
        write(text + "\n")
    return text


dprint = debugprint


def _roots(obj: Any) -> list[tuple[str, SSAValue]]:
    """The values ``debugprint`` starts from, each with a label (empty for plain variables)."""
    from tracegraph.compile.function import Function
    from tracegraph.compile.graph import func_of

    if isinstance(obj, Function):
        func = func_of(obj._stage("final"))
        returned = func.body.block.last_op
        assert returned is not None
        results = list(returned.operands)
        outputs = obj._num_outputs
        targets = [getattr(t, "name", None) or "?" for t in obj._update_targets]
        labels = [f"output {i}: " for i in range(outputs)]
        labels += [f"update of {name}: " for name in targets]
        return list(zip(labels, results, strict=False))
    if isinstance(obj, Variable | SSAValue):
        return [("", obj.value if isinstance(obj, Variable) else obj)]
    return [("", v.value if isinstance(v, Variable) else v) for v in obj]


def _print_tree(root: SSAValue, label: str, lines: list[str], ids: dict[SSAValue, str]) -> None:
    def next_id() -> str:
        index = len(ids)
        letters = ""
        while True:
            letters = chr(ord("A") + index % 26) + letters
            index = index // 26 - 1
            if index < 0:
                return letters

    stack: list[tuple[SSAValue, int]] = [(root, 0)]
    while stack:
        value, depth = stack.pop()
        indent = " |" * depth
        op = value.owner
        if not isinstance(op, Operation) or isinstance(op, ops.InputOp | ops.SharedOp):
            name = variable_of(value).name if isinstance(op, Operation) else value.name_hint
            prefix = label if depth == 0 else ""
            lines.append(f"{indent}{prefix}{name or '<arg>'} {value.type}")
            continue
        if value in ids:
            lines.append(f"{indent}{op.name} [id {ids[value]}] (seen above)")
            continue
        ids[value] = next_id()
        detail = f" {_format_constant(op)}" if isinstance(op, ops.ConstantOp) else ""
        body = ""
        if isinstance(op, ops.FusedOp):  # a fused loop: the ops it computes
            inner = [o.name for o in op.body.block.ops if not isinstance(o, ops.YieldOp)]
            body = " {" + ", ".join(inner) + "}"
        where = format_location(op.location)
        prefix = label if depth == 0 else ""
        lines.append(
            f"{indent}{prefix}{op.name}{detail} [id {ids[value]}] {value.type}{body} at {where}"
        )
        for operand in reversed(op.operands):
            stack.append((operand, depth + 1))


class Print:
    """Theano's ``printing.Print``: ``Print(message)(x)`` is ``x``, printed as ``message
    __str__ = value`` each time the function computes it (on every backend), or the given
    ``attrs`` of it (``"shape"``, ``"min"``, ...). Like Theano's, an unused print does not run.

    >>> import tracegraph
    >>> import tracegraph.tensor as T
    >>> x = T.dvector('x')
    >>> f = tracegraph.function([x], Print("x is")(x) * 2)
    >>> f([1.0, 2.0])
    x is __str__ = [1. 2.]
    array([2., 4.])
    """

    def __init__(self, message: str = "", attrs: Sequence[str] = ("__str__",)):
        unknown = [attr for attr in attrs if attr not in PRINTABLE]
        if unknown:
            raise ValueError(f"Print: cannot print {unknown}; printable: {PRINTABLE}")
        self.message = message
        self.attrs = tuple(attrs)

    def __call__(self, x: Any) -> TensorVariable:
        variable = as_tensor_variable(x)
        return emit(ops.PrintOp(variable.value, self.message, self.attrs))


# -- pictures -------------------------------------------------------------------------------------

_INPUT_COLOR = "limegreen"
_SHARED_COLOR = "cyan"
_OUTPUT_COLOR = "dodgerblue"
_CONSTANT_COLOR = "lightgrey"
_FUSED_COLOR = "gold"
"""Theano's colors: inputs green, outputs blue; shared variables cyan, fused loops gold."""

_NO_DOT = (
    "pydotprint needs Graphviz's `dot` program to draw, which is not installed or not on PATH "
    "(apt-get install graphviz, brew install graphviz, or conda install graphviz); "
    "pydot_graph(...) returns the graph as DOT text without it"
)


def pydot_graph(
    obj: Variable | SSAValue | Sequence[Variable] | Function[Any],
    *,
    with_ids: bool = False,
    max_label_size: int = 70,
) -> Any:
    """The graph of a compiled function (its final graph) or of variables as a
    ``graphviz.Digraph``, in Theano's ``pydotprint`` style: ops are ellipses (a fused loop
    lists its ops), inputs green boxes, shared variables cyan, outputs blue, constants grey;
    each edge carries the type of the value on it. Needs the ``graphviz`` package (the
    ``graphviz`` extra), not the ``dot`` program: ``.source`` is the DOT text.

    >>> import tracegraph.tensor as T
    >>> x = T.dvector('x')
    >>> source = pydot_graph(T.exp(x) + x).source
    >>> print([line.strip() for line in source.splitlines() if "label=x" in line][0])
    n2 [label=x color=limegreen shape=box style=filled]
    """
    import graphviz

    graph = graphviz.Digraph("tracegraph", graph_attr={"rankdir": "TB"})
    nodes: dict[SSAValue | Operation, str] = {}
    arguments = _argument_names(obj)

    def clip(text: str) -> str:
        return text if len(text) <= max_label_size else text[: max_label_size - 3] + "..."

    def node_of(value: SSAValue) -> str:
        """The node that produces ``value`` (drawing it and what it reads first)."""
        op = value.owner
        if not isinstance(op, Operation) or isinstance(op, ops.InputOp | ops.SharedOp):
            if value not in nodes:
                nodes[value] = f"n{len(nodes)}"
                if isinstance(op, Operation):
                    name, shared = variable_of(value).name, isinstance(op, ops.SharedOp)
                else:
                    name, shared = arguments.get(value, (value.name_hint, False))
                graph.node(
                    nodes[value],
                    clip(name or "<input>"),
                    shape="box",
                    style="filled",
                    color=_SHARED_COLOR if shared else _INPUT_COLOR,
                )
            return nodes[value]
        if op in nodes:
            return nodes[op]
        key = nodes[op] = f"n{len(nodes)}"
        if isinstance(op, ops.ConstantOp):
            graph.node(
                key, clip(_format_constant(op)), shape="box", style="filled", color=_CONSTANT_COLOR
            )
            return key
        label = op.name
        attributes: dict[str, str] = {}
        if isinstance(op, ops.FusedOp):
            inner = [o.name for o in op.body.block.ops if not isinstance(o, ops.YieldOp)]
            label += "\\n" + clip(" ".join(dict.fromkeys(inner)))
            attributes = {"style": "filled", "color": _FUSED_COLOR}
        if with_ids:
            label += f"\\nid={key}"
        graph.node(key, label, tooltip=format_location(op.location), **attributes)
        several = len(op.operands) > 1
        for position, operand in enumerate(op.operands):
            edge = str(operand.type)
            graph.edge(node_of(operand), key, clip(f"{position} {edge}" if several else edge))
        return key

    for number, (label, root) in enumerate(_roots(obj)):
        output = f"out{number}"
        graph.node(
            output,
            clip(label.rstrip(": ") or f"output {number}"),
            shape="box",
            style="filled",
            color=_OUTPUT_COLOR,
        )
        graph.edge(node_of(root), output, clip(str(root.type)))
    return graph


def _argument_names(obj: Any) -> dict[SSAValue, tuple[str | None, bool]]:
    """For a compiled function, the name of each argument of its final graph and whether it
    is a shared variable's value (the arguments after the inputs)."""
    from tracegraph.compile.function import Function
    from tracegraph.compile.graph import func_of

    if not isinstance(obj, Function):
        return {}
    args = func_of(obj._stage("final")).body.block.args
    names = [spec.name for spec in obj._inputs] + [variable.name for variable in obj._shared]
    count = len(obj._inputs)
    return {arg: (names[i], i >= count) for i, arg in enumerate(args)}


def pydotprint(
    fct: Variable | Sequence[Variable] | Function[Any],
    outfile: str | None = None,
    compact: bool = True,
    format: str = "png",
    with_ids: bool = False,
    max_label_size: int = 70,
    print_output_file: bool = True,
    return_image: bool = False,
) -> bytes | None:
    """Draw the graph of a compiled function or of variables (Theano's ``pydotprint``, see
    :func:`pydot_graph`) into ``outfile`` (default ``tracegraph.pydotprint.<format>`` in the
    current directory) in ``format`` (``png``, ``svg``, ``pdf``, ``dot``...), or return the
    image's bytes (``return_image``). Needs the ``graphviz`` package and Graphviz's ``dot``
    program (a system package: ``apt-get install graphviz``); without ``dot``, a
    ``RuntimeError`` says so. ``compact`` is accepted for Theano's signature: values are
    always drawn as edges.

    >>> import tracegraph.tensor as T
    >>> x = T.dvector('x')
    >>> try:
    ...     image = pydotprint(T.exp(x), format="svg", return_image=True)
    ... except RuntimeError as error:  # no `dot` program here
    ...     image = b"<svg" if "needs Graphviz's `dot`" in str(error) else b""
    >>> b"<svg" in image
    True
    """
    import graphviz

    graph = pydot_graph(fct, with_ids=with_ids, max_label_size=max_label_size)
    try:
        image: bytes = graph.pipe(format=format)
    except graphviz.ExecutableNotFound as error:
        raise RuntimeError(_NO_DOT) from error
    if return_image:
        return image
    path = outfile or f"tracegraph.pydotprint.{format}"
    with open(path, "wb") as out:
        out.write(image)
    if print_output_file:
        print(f"The output file is available at {path}")
    return None
