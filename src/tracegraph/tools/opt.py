"""``tracegraph-opt``: run passes on a module written in the ``tg`` dialect.

``python -m tracegraph.tools.opt -p canonicalize,cse input.mlir`` parses the module (from a
file, or standard input with ``-``), applies the pipeline (xDSL's pass-pipeline syntax, so
options go in braces: ``tg-grad{wrt="0"}``), verifies the result and prints it. The passes are
those of ``function``'s pipeline, ``tg-grad`` and ``lower{target=c}`` (to the kernel dialect,
which it reads too). ``--emit c`` prints the C module of each lowered function instead,
``--emit triton`` its Triton module.

>>> text = '''
... func.func @f(%x: tensor<f64>) -> tensor<f64> {
...   %one = tg.constant dense<1.0> : tensor<f64>
...   %y = tg.mul %x, %one : (tensor<f64>, tensor<f64>) -> tensor<f64>
...   func.return %y : tensor<f64>
... }'''
>>> print(run_passes(text, "canonicalize,dce", locations=False))
builtin.module {
  func.func @f(%x: tensor<f64>) -> tensor<f64> {
    func.return %x : tensor<f64>
  }
}
<BLANKLINE>
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from xdsl.dialects.func import FuncOp
from xdsl.passes import ModulePass, PassPipeline

from tracegraph.gradient.module_pass import GradPass
from tracegraph.ir.dialect import print_module
from tracegraph.lowering import LowerPass, lowering_context, parse_lowered
from tracegraph.passes.pipeline import PASSES


def available_passes() -> dict[str, Callable[[], type[ModulePass]]]:
    """Every pass ``tracegraph-opt`` knows, by name."""
    passes: dict[str, type[ModulePass]] = {
        **PASSES,
        GradPass.name: GradPass,
        LowerPass.name: LowerPass,
    }
    return {name: _returning(cls) for name, cls in passes.items()}


def _returning(cls: type[ModulePass]) -> Callable[[], type[ModulePass]]:
    # xDSL takes a factory per pass, so that passes can be imported lazily.
    return lambda: cls


def run_passes(text: str, pipeline: str, *, locations: bool = True, emit: str = "mlir") -> str:
    """Parse ``text``, apply the comma-separated ``pipeline`` and print the result (``emit``:
    ``mlir``, or ``c`` / ``triton`` for the C module or the Triton module of each function,
    which must be lowered for that target)."""
    module = parse_lowered(text)
    module.verify()  # the input, as a compiler checks what it reads before rewriting it
    if pipeline.strip():
        PassPipeline.parse_spec(available_passes(), pipeline).apply(lowering_context(), module)
    module.verify()
    if emit == "c":
        from tracegraph.backends.c.module import emit_module

        return "".join(emit_module(op) for op in module.walk() if isinstance(op, FuncOp))
    if emit == "triton":
        from tracegraph.backends.triton.emit import emit_module as emit_triton
        from tracegraph.backends.triton.emit import module_variant

        functions = [op for op in module.walk() if isinstance(op, FuncOp)]
        return "".join(
            module_variant(emit_triton(func).source, interpret=False) for func in functions
        )
    return print_module(module, locations=locations)


def main(argv: Sequence[str] | None = None) -> int:
    """The command line: ``tracegraph-opt [-p PIPELINE] [--no-locations] [FILE]``."""
    parser = argparse.ArgumentParser(prog="tracegraph-opt", description=__doc__.split("\n\n")[0])
    parser.add_argument("file", nargs="?", default="-", help="input module (default: stdin)")
    parser.add_argument("-p", "--passes", default="", help="comma-separated pass pipeline")
    parser.add_argument("--no-locations", action="store_true", help="omit loc(...) in output")
    parser.add_argument(
        "--emit",
        choices=("mlir", "c", "triton"),
        default="mlir",
        help="print MLIR (default), C or the Triton module",
    )
    args = parser.parse_args(argv)
    if args.file == "-":
        text = sys.stdin.read()
    else:
        with open(args.file, encoding="utf-8") as source:
            text = source.read()
    sys.stdout.write(run_passes(text, args.passes, locations=not args.no_locations, emit=args.emit))
    return 0


if __name__ == "__main__":
    sys.exit(main())
