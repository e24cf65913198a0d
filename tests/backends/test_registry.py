"""The backend registry: names and other names, lazy built-ins, plug-ins, the choice of a
backend for a mode and a device, the fast call path of the ``Program`` protocol, and
``Function.source`` for every backend."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import tracegraph
import tracegraph.compile
import tracegraph.tensor as T
from tests.backends.toy import ToyBackend, toy_backend
from tracegraph.backends.c import CProgram, find_toolchain
from tracegraph.backends.reference import ReferenceProgram
from tracegraph.backends.registry import (
    Backend,
    Binding,
    ValueCell,
    backend_for,
    backend_names,
    devices,
    get_backend,
    linker_names,
    register_backend,
    unregister_backend,
)
from tracegraph.errors import BackendUnavailableError

THIS_FILE = Path(__file__).name
needs_a_compiler = pytest.mark.skipif(find_toolchain() is None, reason="no C compiler")


@pytest.fixture
def linker_name() -> str:
    """These tests choose their backends themselves (FAST_RUN: the reference)."""
    return "numpy"


def _doubling(mode: tracegraph.Mode | str | None = None) -> tracegraph.Function[Any]:
    x = T.dvector("x")
    return tracegraph.function([x], T.exp(x) * 2, mode=mode)


# -- names ---------------------------------------------------------------------------------------


def test_the_built_in_backends_and_their_other_names() -> None:
    assert backend_names() == ("c", "reference", "triton")
    assert set(linker_names()) == {"c", "c|py", "cvm", "vm", "reference", "numpy", "py", "triton"}
    assert devices() == ("cpu", "cuda")
    for name in ("reference", "numpy", "py"):
        assert get_backend(name).name == "reference"
    for name in ("c", "c|py", "cvm", "vm"):
        assert get_backend(name).name == "c"
    assert get_backend("triton").device == "cuda"


def test_unknown_names_are_errors_naming_the_choices() -> None:
    choices = r"backends are c \(also c\|py, cvm, vm\), reference \(also numpy, py\), triton"
    with pytest.raises(ValueError, match=f"unknown backend 'banana'; {choices}"):
        get_backend("banana")
    with pytest.raises(ValueError, match=f"unknown linker 'banana'; {choices}"):
        tracegraph.Mode(linker="banana")
    with pytest.raises(ValueError, match=f"unknown backend 'cuda' for source\\(\\); {choices}"):
        _doubling().source("cuda")
    with pytest.raises(ValueError, match="unknown backend 'toy'"):
        unregister_backend("toy")


LOADED_WITH_THE_PACKAGE = "import sys, tracegraph; print('tracegraph.backends.c' in sys.modules)"


def test_the_linkers_backend_loads_with_the_package_and_the_others_when_first_looked_up() -> None:
    """The configured linker's backend is imported with ``tracegraph`` (the first function()
    pays no import: 45 ms for the C backend); every other backend on first use."""
    script = textwrap.dedent(
        """
        import sys
        import tracegraph, tracegraph.tensor as T
        assert "tracegraph.backends.reference" in sys.modules  # linker=numpy
        assert "tracegraph.backends.c" not in sys.modules
        x = T.dvector("x")
        tracegraph.function([x], x * 2)
        assert "tracegraph.backends.c" not in sys.modules
        tracegraph.function([x], x * 2, mode=tracegraph.Mode(linker="c"))
        assert "tracegraph.backends.c" in sys.modules
        print("ok")
        """
    )
    environment = {**os.environ, "TRACEGRAPH_FLAGS": "linker=numpy"}
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=300,
        env=environment,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
    default = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, tracegraph; print('tracegraph.backends.c' in sys.modules)",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={k: v for k, v in os.environ.items() if k != "TRACEGRAPH_FLAGS"},
    )
    assert default.stdout.strip() == "True", default.stderr


def test_compile_imports_no_backend_but_the_registry() -> None:
    compile_package = Path(tracegraph.compile.__file__).parent
    for path in compile_package.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            for name in names:
                if name.startswith("tracegraph.backends"):
                    assert name == "tracegraph.backends.registry", f"{path.name} imports {name}"


@pytest.mark.parametrize("linker", ["py", "numpy", "reference"])
def test_theano_s_python_linker_runs_the_reference(linker: str) -> None:
    f = _doubling(tracegraph.Mode(linker=linker))
    assert isinstance(f._program, ReferenceProgram)
    np.testing.assert_allclose(f(np.zeros(2)), [2.0, 2.0])


@needs_a_compiler
@pytest.mark.parametrize("linker", ["c", "c|py", "cvm", "vm"])
def test_theano_s_c_linkers_compile_to_c(linker: str) -> None:
    f = _doubling(tracegraph.Mode(linker=linker))
    assert isinstance(f._program, CProgram)
    np.testing.assert_allclose(f(np.zeros(2)), [2.0, 2.0])


# -- plug-ins ------------------------------------------------------------------------------------


def test_a_registered_backend_runs_functions_under_its_names() -> None:
    with toy_backend() as toy:
        assert "toy" in backend_names() and "plaything" in linker_names()
        for name in ("toy", "plaything"):
            f = _doubling(tracegraph.Mode(linker=name))
            np.testing.assert_allclose(f(np.zeros(2)), [2.0, 2.0])
            assert toy.programs[-1].runs == 1
        tracegraph.config.linker = "toy"  # config.linker takes the names of the registry
        try:
            _doubling()
            assert len(toy.programs) == 3
        finally:
            tracegraph.config.linker = "numpy"
        assert _doubling(tracegraph.Mode(linker="toy")).source("toy").startswith("// toy\n")
    assert "toy" not in backend_names() and "plaything" not in linker_names()
    with pytest.raises(ValueError, match="unknown linker 'toy'"):
        tracegraph.Mode(linker="toy")
    with pytest.raises(ValueError, match=r"config\.linker must be one of"):
        tracegraph.config.linker = "toy"


def test_a_function_keeps_its_program_after_its_backend_is_unregistered() -> None:
    with toy_backend():
        f = _doubling(tracegraph.Mode(linker="toy"))
    np.testing.assert_allclose(f(np.zeros(2)), [2.0, 2.0])


def test_names_are_registered_once() -> None:
    with toy_backend() as toy, pytest.raises(ValueError, match="already registered as 'toy'"):
        register_backend(toy)
    with pytest.raises(ValueError, match="already registered as 'numpy'"):
        register_backend(ToyBackend(), aliases=["numpy"])
    assert "toy" not in backend_names()


def test_built_in_names_belong_to_the_built_in_backends() -> None:
    class Impostor(ToyBackend):
        name = "c"

    with pytest.raises(ValueError, match="'c' is the name of a built-in backend"):
        register_backend(Impostor())
    with pytest.raises(ValueError, match="'reference' is a built-in backend"):
        unregister_backend("numpy")
    assert get_backend("c").name == "c"


def test_a_backend_implements_compile_and_source() -> None:
    class Incomplete(Backend):
        name = "incomplete"

    with pytest.raises(TypeError, match="abstract"):
        Incomplete()  # type: ignore[abstract]


# -- devices -------------------------------------------------------------------------------------


@pytest.fixture
def device() -> Any:
    previous = tracegraph.config.device
    yield
    tracegraph.config.device = previous


@pytest.mark.usefixtures("device")
@pytest.mark.parametrize("mode", ["FAST_RUN", "FAST_COMPILE", tracegraph.Mode(linker="c")])
def test_device_cuda_runs_every_mode_on_the_triton_backend(mode: str | tracegraph.Mode) -> None:
    pytest.importorskip("triton")
    tracegraph.config.device = "cuda"
    f = _doubling(mode)
    assert type(f._program).__name__ == "TritonProgram"
    np.testing.assert_allclose(f(np.array([0.0, 1.0])), 2 * np.exp([0.0, 1.0]), rtol=1e-15)


@pytest.fixture
def triton_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    """The Triton backend as where the ``gpu`` extra is not installed."""
    backend = get_backend("triton")
    monkeypatch.setattr(type(backend), "available", lambda self: False)


@pytest.mark.usefixtures("device", "triton_missing")
@pytest.mark.parametrize("mode", ["FAST_RUN", "FAST_COMPILE", tracegraph.Mode(linker="c")])
def test_device_cuda_is_an_error_at_function_time_without_triton(
    mode: str | tracegraph.Mode,
) -> None:
    tracegraph.config.device = "cuda"
    with pytest.raises(
        BackendUnavailableError,
        match=re.escape(
            "device 'cuda' runs functions on the Triton backend, which is not available: "
            "Triton is not installed (pip install 'tracegraph[gpu]')"
        ),
    ):
        _doubling(mode)


@pytest.mark.usefixtures("triton_missing")
def test_the_triton_backend_is_not_available_by_name_either_without_triton() -> None:
    with pytest.raises(BackendUnavailableError, match="linker 'triton' runs functions on the"):
        _doubling(tracegraph.Mode(linker="triton"))


@pytest.mark.usefixtures("device")
def test_another_device_runs_every_mode_on_its_backend() -> None:
    with toy_backend(device="toydev") as toy:
        assert devices() == ("cpu", "cuda", "toydev")
        tracegraph.config.device = "toydev"
        for mode in ("FAST_RUN", "FAST_COMPILE", tracegraph.Mode(linker="c")):
            f = _doubling(mode)
            np.testing.assert_allclose(f(np.zeros(2)), [2.0, 2.0])
            assert toy.programs[-1].runs == 1
        assert len(toy.programs) == 3
        tracegraph.config.device = "cpu"
    assert devices() == ("cpu", "cuda")
    with pytest.raises(ValueError, match=r"config\.device must be one of"):
        tracegraph.config.device = "toydev"


# -- the fallback of the C backend ---------------------------------------------------------------


def test_without_a_c_compiler_the_c_linker_runs_the_reference(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("tracegraph.backends.c.backend.c_backend_available", lambda: False)
    assert backend_for("c", "cpu").name == "reference"
    assert isinstance(_doubling(tracegraph.Mode(linker="cvm"))._program, ReferenceProgram)


@needs_a_compiler
def test_the_c_backend_runs_the_reference_where_it_has_nothing_to_compile() -> None:
    x = T.dmatrix("x")
    f = tracegraph.function([x], x[1:], mode=tracegraph.Mode(linker="c"))
    assert isinstance(f._program, ReferenceProgram)
    assert isinstance(_doubling(tracegraph.Mode(linker="c"))._program, CProgram)


# -- the fast call path --------------------------------------------------------------------------


def test_the_fast_path_of_a_program_takes_whole_calls() -> None:
    def answer(binding: Binding, args: tuple[Any, ...]) -> Any:
        return "fast" if len(args) == 1 else NotImplemented

    state = tracegraph.shared(np.zeros(2), name="state")
    x = T.dvector("x")
    with toy_backend(fast=answer) as toy:
        f = tracegraph.function(
            [tracegraph.In(x, strict=True)],
            x * 2,
            updates=[(state, state + x)],
            mode=tracegraph.Mode(linker="toy"),
        )
    (program,) = toy.programs
    (binding,) = program.bindings
    assert binding.shared == (state.cell,) and binding.update_targets == (state.cell,)
    assert binding.target_shapes == ((None,),)
    assert binding.single_output and binding.convertible == (False,)
    assert f(np.ones(2)) == "fast" and program.runs == 0
    np.testing.assert_allclose(f(x=np.ones(2)), [2.0, 2.0])  # keywords: the general path
    assert program.runs == 1
    np.testing.assert_allclose(state.get_value(), [1.0, 1.0])


def test_a_program_reaches_shared_values_through_the_cells_it_is_bound_to() -> None:
    # The plug-in's whole call: read the cells, compute, assign the targets' cells; it never
    # sees a shared variable.
    def answer(binding: Binding, args: tuple[Any, ...]) -> Any:
        (x,) = args
        (cell,) = binding.shared
        (target,) = binding.update_targets
        output = x * 2
        target.value = cell.value + x
        return output

    state = tracegraph.shared(np.zeros(2), name="state")
    weight = tracegraph.shared(np.ones(2), name="weight")
    x = T.dvector("x")
    with toy_backend(fast=answer) as toy:
        f = tracegraph.function(
            [x], x * 2, updates=[(state, state + x)], mode=tracegraph.Mode(linker="toy")
        )
        g = f.copy(swap={state: weight})
    bindings = [binding for program in toy.programs for binding in program.bindings]
    for binding in bindings:
        cells = [*binding.shared, *binding.update_targets]
        assert cells and all(type(cell) is ValueCell for cell in cells)
    assert bindings[-1].shared == (weight.cell,)
    np.testing.assert_allclose(f(np.array([1.0, 2.0])), [2.0, 4.0])
    np.testing.assert_allclose(state.get_value(), [1.0, 2.0])
    g(np.ones(2))
    np.testing.assert_allclose(weight.get_value(), [2.0, 2.0])
    state.set_value(np.full(2, 5.0))  # the cell stays the variable's, with the new value
    assert bindings[0].shared[0] is state.cell and state.cell.value[0] == 5.0
    f(np.ones(2))
    np.testing.assert_allclose(state.get_value(), [6.0, 6.0])


def test_functions_without_a_fast_path_run_their_program() -> None:
    with toy_backend() as toy:
        f = _doubling(tracegraph.Mode(linker="toy"))
    assert f._fast_call is None
    f(np.zeros(2))
    assert toy.programs[0].runs == 1


# -- sources -------------------------------------------------------------------------------------


def test_every_backend_shows_its_source() -> None:
    f = _doubling()  # runs on the reference
    c_source = f.source("c")
    assert "exp(" in c_source and f"{THIS_FILE}:" in c_source
    reference = f.source("reference")
    assert reference.startswith("func.func @f(") and "tg.exp" in reference
    assert f'{THIS_FILE}":' in reference  # the user's lines
    assert f.source("numpy") == f.source("py") == reference
    assert f.source() == c_source == f.source("cvm")
    with toy_backend():
        assert f.source("toy") == "// toy\n" + reference


@needs_a_compiler
def test_the_c_source_is_the_compiled_module() -> None:
    f = _doubling(tracegraph.Mode(linker="c"))
    assert isinstance(f._program, CProgram)
    assert f.source("c") == f._program.source
