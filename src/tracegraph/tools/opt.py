"""``tracegraph-opt``: run passes on a module written in the ``tg`` dialect.

``python -m tracegraph.tools.opt -p canonicalize,cse input.mlir`` parses the module (from a
file, or standard input with ``-``), verifies it, applies the pipeline (xDSL's pass-pipeline
syntax, so options go in braces: ``tg-grad{wrt="0"}``, ``lower{target=c}``), verifies the
result and prints it. The passes are those of ``function``'s pipeline, ``tg-grad`` and
``lower`` (to the kernel dialect, which it reads too): ``--list-passes`` lists them.
``--emit c`` prints the C module of each lowered function instead, ``--emit triton`` its Triton
module; ``--verify-each`` verifies after every pass; ``--split-input-file`` treats each part
between ``// -----`` lines as a module of its own (golden tests). Errors are one line each, as
a compiler prints them (``file:line:col: error: ...``), with exit status 1.

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

from xdsl.dialects.builtin import ModuleOp
from xdsl.dialects.func import FuncOp
from xdsl.passes import ModulePass, PassPipeline
from xdsl.utils.exceptions import DiagnosticException, ParseError, VerifyException

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


PASS_DESCRIPTIONS: dict[str, str] = {
    "canonicalize": "value-preserving simplifications (x * 1, folds, loops), to a fixed point",
    "stabilize": "numerically stable forms (log(sigmoid(x)) is -softplus(-x)...), to a fixed point",
    "cse": "merge equal pure ops (xDSL's pass)",
    "dce": "drop the ops whose results nothing uses (xDSL's pass)",
    "expand": "softmax and log-softmax as reductions and loops, before fusion",
    "bucket-all-reduce": "join the independent all-reduces of a step into one message each",
    "fuse": "group elementwise ops and the reductions of their values into tg.fused loops",
    "tg-grad": 'append the gradient of each function\'s first result (tg-grad{wrt="0"})',
    "lower": "to the kernel dialect of a target: lower{target=c} (or triton, reference)",
}
"""One line per pass, for ``--list-passes`` (a test checks that every pass has one)."""


def describe_passes() -> list[tuple[str, str]]:
    """Each pass ``tracegraph-opt`` knows and what it does.

    >>> dict(describe_passes())["fuse"]
    'group elementwise ops and the reductions of their values into tg.fused loops'
    """
    return [(name, PASS_DESCRIPTIONS.get(name, "")) for name in sorted(available_passes())]


def _verify_between(
    previous: ModulePass | None, module: ModuleOp, following: ModulePass | None
) -> None:
    try:
        module.verify()
    except VerifyException as error:
        after = previous.name if previous is not None else "the input"
        raise VerifyException(f"after {after}: {error}") from error


def run_passes(
    text: str,
    pipeline: str,
    *,
    locations: bool = True,
    emit: str = "mlir",
    verify_each: bool = False,
    name: str = "<unknown>",
) -> str:
    """Parse ``text``, apply the comma-separated ``pipeline`` and print the result (``emit``:
    ``mlir``, or ``c`` / ``triton`` for the C module or the Triton module of each function,
    which must be lowered for that target)."""
    module = parse_lowered(text, name)
    module.verify()  # the input, as a compiler checks what it reads before rewriting it
    if pipeline.strip():
        callback = _verify_between if verify_each else None
        passes = PassPipeline.parse_spec(available_passes(), pipeline, callback)
        passes.apply(lowering_context(), module)
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


SPLIT = "// -----"
"""The line between the modules of a ``--split-input-file`` input (MLIR's)."""


def _chunks(text: str) -> list[str]:
    """The parts of ``text`` between ``// -----`` lines, each padded with the newlines before
    it, so that errors give lines of the whole file."""
    chunks, start = [], 0
    lines = text.splitlines(keepends=True)
    for index, line in enumerate([*lines, SPLIT]):
        if line.strip() == SPLIT:
            chunks.append("\n" * start + "".join(lines[start:index]))
            start = index + 1
    return chunks


def _error_line(error: Exception, name: str) -> str:
    """One line for an error, as a compiler prints it."""
    if isinstance(error, ParseError):
        return f"{error.span.get_location()}: error: {error.msg}"
    first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return f"{name}: error: {first}"


def main(argv: Sequence[str] | None = None) -> int:
    """The command line: ``tracegraph-opt [-p PIPELINE] [--list-passes] [--no-locations]
    [--verify-each] [--split-input-file] [--emit mlir|c|triton] [FILE]``."""
    parser = argparse.ArgumentParser(prog="tracegraph-opt", description=__doc__.split("\n\n")[0])
    parser.add_argument("file", nargs="?", default="-", help="input module (default: stdin)")
    parser.add_argument("-p", "--passes", default="", help="comma-separated pass pipeline")
    parser.add_argument("--list-passes", action="store_true", help="list the passes and exit")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--no-locations", action="store_true", help="omit loc(...) in output")
    where.add_argument(
        "--print-debuginfo", action="store_true", help="print loc(...) of every op (default)"
    )
    parser.add_argument("--verify-each", action="store_true", help="verify after every pass")
    parser.add_argument(
        "--split-input-file",
        action="store_true",
        help="each part between '// -----' lines is a module",
    )
    parser.add_argument(
        "--emit",
        choices=("mlir", "c", "triton"),
        default="mlir",
        help="print MLIR (default), C or the Triton module",
    )
    args = parser.parse_args(argv)
    if args.list_passes:
        for name, description in describe_passes():
            print(f"{name:16} {description}")
        return 0
    name = "<stdin>" if args.file == "-" else args.file
    try:
        if args.file == "-":
            text = sys.stdin.read()
        else:
            with open(args.file, encoding="utf-8") as source:
                text = source.read()
    except OSError as error:
        print(f"{name}: error: {error.strerror}", file=sys.stderr)
        return 1
    outputs = []
    failed = False
    for chunk in _chunks(text) if args.split_input_file else [text]:
        try:
            outputs.append(
                run_passes(
                    chunk,
                    args.passes,
                    locations=not args.no_locations,
                    emit=args.emit,
                    verify_each=args.verify_each,
                    name=name,
                )
            )
        except (ParseError, VerifyException, DiagnosticException, ValueError) as error:
            print(_error_line(error, name), file=sys.stderr)
            failed = True
    sys.stdout.write(f"{SPLIT}\n".join(outputs))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
