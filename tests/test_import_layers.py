"""The import graph of ``src/tracegraph``: no cycles, and each layer imports only what
``DESIGN.md``'s table of layers allows.

The graph is read from the source with ``ast``, not by importing: an edge is an import that
runs when its module is imported (at module level, in a class body, under ``if``/``try``),
not one inside a function (it runs at call time, when every module is loaded) nor one under
``if TYPE_CHECKING:`` (it never runs).
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = "tracegraph"

BASE = frozenset({"config", "errors"})
"""The flags and the exception classes: every layer may import them."""

BELOW_RANDOM = BASE | {"ir", "tensor", "gradient", "passes", "lowering", "backends", "compile"}

ALLOWED: dict[str, frozenset[str] | None] = {
    "config": frozenset(),
    "errors": frozenset(),
    "ir": BASE,
    "tensor": BASE | {"ir"},
    "gradient": BASE | {"ir", "tensor"},
    "passes": BASE | {"ir"},
    "lowering": BASE | {"ir", "passes"},
    "backends": BASE | {"ir", "passes", "lowering"},
    "compile": BASE | {"ir", "tensor", "gradient", "passes", "lowering", "backends"},
    # Built on tensor and compile, and what those build on.
    "random": BELOW_RANDOM,
    "scan_module": BELOW_RANDOM,
    "ifelse": BELOW_RANDOM,
    "distributed": BELOW_RANDOM,
    # ``None``: any layer.
    "printing": None,
    "tools": None,
    "sandbox": None,
    "gof": None,
    "__init__": None,
    "__main__": None,
}
"""The layers (``tracegraph.<layer>``) each layer may import: DESIGN.md's table."""

THIRD_PARTY: dict[str, frozenset[str]] = {
    "config": frozenset(),
    "errors": frozenset(),
    "ir": frozenset({"xdsl", "numpy", "scipy"}),
}
"""The layers whose imports outside the standard library are restricted, and to what."""

COMPATIBILITY = frozenset({"tracegraph.tensor.shared_randomstreams"})
"""Theano's import paths, which only re-export (DESIGN.md): they may import any layer."""


def _modules() -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its ``__init__``)."""
    modules: dict[str, Path] = {}
    for path in sorted((SRC / PACKAGE).rglob("*.py")):
        parts = path.relative_to(SRC).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(parts)] = path
    return modules


MODULES = _modules()


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_time_statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """The statements of ``body`` that run when the module runs, nested blocks included,
    functions' bodies and ``if TYPE_CHECKING:`` blocks excluded."""
    for statement in body:
        yield statement
        if isinstance(statement, ast.If):
            if not _is_type_checking(statement.test):
                yield from _import_time_statements(statement.body)
            yield from _import_time_statements(statement.orelse)
        elif isinstance(statement, ast.ClassDef):
            yield from _import_time_statements(statement.body)
        elif isinstance(statement, ast.Try | ast.TryStar):
            for block in (statement.body, statement.orelse, statement.finalbody):
                yield from _import_time_statements(block)
            for handler in statement.handlers:
                yield from _import_time_statements(handler.body)
        elif isinstance(statement, ast.With | ast.For | ast.While):
            yield from _import_time_statements(statement.body)
            if not isinstance(statement, ast.With):
                yield from _import_time_statements(statement.orelse)


def _imported_names(module: str, path: Path) -> Iterator[str]:
    """The dotted names of the modules ``module`` imports when it runs."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    is_package = path.name == "__init__.py"
    for statement in _import_time_statements(tree.body):
        if isinstance(statement, ast.Import):
            for alias in statement.names:
                yield alias.name
        elif isinstance(statement, ast.ImportFrom):
            if statement.level:
                anchor = module.split(".")
                if not is_package:
                    anchor = anchor[:-1]
                anchor = anchor[: len(anchor) - (statement.level - 1)]
                base = ".".join([*anchor, *([statement.module] if statement.module else [])])
            else:
                assert statement.module is not None
                base = statement.module
            for alias in statement.names:
                submodule = f"{base}.{alias.name}"
                # ``from package import module`` imports the module; ``from module import name``
                # the module.
                yield submodule if submodule in MODULES else base


def _ancestors(module: str) -> list[str]:
    parts = module.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def _graph() -> dict[str, set[str]]:
    """The modules of the package each module of it needs when it is imported.

    An import of ``a.b.c`` needs ``a.b.c``, and runs the packages ``a`` and ``a.b`` first
    unless the importer is inside them (then they are already running: ``tensor/math.py``
    importing ``tracegraph.tensor.variable`` does not need ``tensor/__init__.py``, but
    ``from tracegraph.tensor import grad`` in it would)."""
    graph: dict[str, set[str]] = {module: set() for module in MODULES}
    for module, path in MODULES.items():
        enclosing = set(_ancestors(module))
        for name in _imported_names(module, path):
            if name.split(".")[0] != PACKAGE:
                continue
            targets = {name} | (set(_ancestors(name)) - enclosing)
            graph[module] |= {target for target in targets if target in MODULES} - {module}
    return graph


GRAPH = _graph()


def _find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` as a list of nodes (the first repeated at the end), if any."""
    done: set[str] = set()
    stack: list[str] = []
    on_stack: set[str] = set()

    def visit(node: str) -> list[str] | None:
        stack.append(node)
        on_stack.add(node)
        for successor in sorted(graph[node]):
            if successor in on_stack:
                return [*stack[stack.index(successor) :], successor]
            if successor not in done:
                found = visit(successor)
                if found is not None:
                    return found
        stack.pop()
        on_stack.discard(node)
        done.add(node)
        return None

    for node in sorted(graph):
        if node not in done:
            found = visit(node)
            if found is not None:
                return found
    return None


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def test_the_graph_is_read() -> None:
    # A sanity check of the reader itself: known edges are found, function-level and
    # TYPE_CHECKING imports are not.
    assert "tracegraph.ir.ops" in GRAPH["tracegraph.tensor.math"]
    assert "tracegraph.tensor.variable" in GRAPH["tracegraph.compile.function"]
    assert "tracegraph.tensor" in GRAPH["tracegraph.compile.function"]
    assert "tracegraph.tensor.variable" not in GRAPH["tracegraph.tensor.types"]
    assert "tracegraph.ir.random_kernels" in GRAPH["tracegraph.ir.interpreter"]
    assert "tracegraph.tensor" not in GRAPH["tracegraph.tensor.math"]  # its own package


def test_no_import_cycle() -> None:
    cycle = _find_cycle(GRAPH)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_a_cycle_is_found() -> None:
    assert _find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _find_cycle({"a": {"b"}, "b": set()}) is None


@pytest.mark.parametrize("module", sorted(MODULES))
def test_layers(module: str) -> None:
    layer = _layer(module)
    assert layer in ALLOWED, f"{module}: add its layer {layer!r} to the table of ALLOWED"
    allowed = ALLOWED[layer]
    if allowed is None or module in COMPATIBILITY:
        return
    wrong = sorted(target for target in GRAPH[module] if _layer(target) not in allowed | {layer})
    assert not wrong, f"{module} ({layer}) may import only {sorted(allowed)}, imports {wrong}"


@pytest.mark.parametrize("layer", sorted(THIRD_PARTY))
def test_third_party_imports(layer: str) -> None:
    allowed = THIRD_PARTY[layer] | sys.stdlib_module_names | {PACKAGE}
    wrong = sorted(
        f"{module}: {name}"
        for module, path in MODULES.items()
        if _layer(module) == layer
        for name in _imported_names(module, path)
        if name.split(".")[0] not in allowed
    )
    assert not wrong, f"{layer} may import only {sorted(THIRD_PARTY[layer])}: {wrong}"


def test_no_import_after_code() -> None:
    # ``noqa: E402`` marks an import below other code: the usual way to hold a cycle together.
    users = sorted(
        str(path.relative_to(SRC))
        for path in MODULES.values()
        if "noqa: E402" in path.read_text(encoding="utf-8")
    )
    assert not users, f"imports below code (noqa: E402): {users}"
