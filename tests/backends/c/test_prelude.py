"""The prelude: the C runtime's headers are package data, which the prelude holds whole, and
it defines the helpers the emitters call for every dtype."""

from __future__ import annotations

import subprocess
import tomllib
from fnmatch import fnmatch
from importlib import resources
from pathlib import Path

from tracegraph.backends.c import build, find_toolchain, prelude
from tracegraph.backends.c.scalar import C_TYPES, SUFFIX, kind

ROOT = Path(__file__).resolve().parents[3]


def test_the_runtime_headers_are_package_data_that_the_prelude_holds_whole() -> None:
    runtime = resources.files("tracegraph.backends.c") / "runtime"
    headers = sorted(entry.name for entry in runtime.iterdir() if entry.name.endswith(".h"))
    # None left out of the prelude but those that modules hold when they need them.
    assert headers == sorted(prelude.RUNTIME_FILES + prelude.MODULE_RUNTIME_FILES)
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"
    ]["tracegraph.backends.c"]
    for name in prelude.RUNTIME_FILES:
        text = (runtime / name).read_text(encoding="utf-8")
        assert text == prelude.runtime_source(name)
        assert text.startswith(f"/* {name}: ")  # it says what it holds
        assert f'#line 1 "runtime/{name}"\n{text}' in prelude.PRELUDE
        assert any(fnmatch(f"runtime/{name}", pattern) for pattern in package_data)
    for name in prelude.MODULE_RUNTIME_FILES:
        text = (runtime / name).read_text(encoding="utf-8")
        assert text.startswith(f"/* {name}: ") and text not in prelude.PRELUDE
        assert any(fnmatch(f"runtime/{name}", pattern) for pattern in package_data)
    assert prelude.PRELUDE.index("#define TG_PARALLEL_THRESHOLD") < prelude.PRELUDE.index(
        "tg_run_flat"
    )


def _helpers() -> list[str]:
    """The helpers generated code may call, for every dtype of each family."""
    names = [f"tg_fill_{dtype}" for dtype in C_TYPES]
    for dtype in C_TYPES:
        suffix = SUFFIX[dtype]
        if kind(dtype) in "iu":
            names += [f"tg_{f}_{suffix}" for f in ("floordiv", "mod", "maximum", "minimum", "pow")]
        elif kind(dtype) == "f":
            functions = ("floordiv", "mod", "maximum", "minimum", "sign", "sigmoid", "softplus")
            names += [f"tg_{f}_{suffix}" for f in functions]
            names += [f"tg_cast_{suffix}_{target}" for target in ("i32", "i64", "ui32", "ui64")]
    return [*names, "tg_dot_d", "tg_dot_s", "tg_cmp_i64_u64", "tg_run_flat", "tg_mrg_uniform"]


def test_the_prelude_defines_the_helpers_of_every_dtype() -> None:
    """The per-dtype families are macros the runtime instantiates (``tg_fill`` through the
    generated ``TG_DTYPES``): each name is defined, as compiling its address shows."""
    toolchain = find_toolchain()
    assert toolchain is not None
    addresses = ", ".join(f"(void (*)(void)){name}" for name in _helpers())
    source = f"{prelude.PRELUDE}\nvoid (*tg_helpers[])(void) = {{{addresses}}};\n"
    includes = [f"-I{directory}" for directory in toolchain.include_dirs]
    result = subprocess.run(
        [toolchain.compiler, *build.COMPILE_FLAGS, *includes, "-fsyntax-only", "-x", "c", "-"],
        input=source,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
