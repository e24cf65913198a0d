"""``tracegraph-opt``'s command line: ``--list-passes``, ``--verify-each``,
``--split-input-file``, locations on or off, and errors as a compiler prints them (one line,
``file:line:col``, exit status 1, no traceback)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracegraph.tools.opt import PASS_DESCRIPTIONS, available_passes, main

VALID = """func.func @f(%x: tensor<f64>) -> tensor<f64> {
  %one = tg.constant dense<1.0> : tensor<f64>
  %y = tg.mul %x, %one : (tensor<f64>, tensor<f64>) -> tensor<f64>
  func.return %y : tensor<f64>
}
"""


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_every_pass_has_a_description() -> None:
    assert set(available_passes()) == set(PASS_DESCRIPTIONS)


def test_list_passes(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = _run(capsys, "--list-passes")
    assert status == 0
    assert {line.split()[0] for line in out.splitlines()} == set(available_passes())


def test_a_pipeline_with_options_verified_after_each_pass(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "f.mlir"
    path.write_text(VALID)
    status, out, err = _run(
        capsys, str(path), "-p", "canonicalize,dce,lower{target=c}", "--verify-each"
    )
    assert (status, err) == (0, "")
    assert "tgk." not in out or "func.return %x" in out
    assert "loc(" in out
    status, out, _ = _run(capsys, str(path), "-p", "canonicalize", "--no-locations")
    assert "loc(" not in out


def test_split_input_file_runs_each_part(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "parts.mlir"
    path.write_text(VALID + "// -----\n" + VALID.replace("@f", "@g"))
    status, out, _ = _run(capsys, str(path), "-p", "canonicalize", "--split-input-file")
    assert status == 0
    assert out.count("// -----") == 1 and "@f" in out and "@g" in out


def test_a_parse_error_is_one_line_with_the_position(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.mlir"
    path.write_text(VALID.replace("tg.mul", "tg.bogus"))
    status, _out, err = _run(capsys, str(path))
    assert status == 1
    assert err == f"{path}:3:17: error: Operation tg.bogus is not registered\n"


def test_an_error_in_a_later_part_gives_its_line_in_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "parts.mlir"
    path.write_text(VALID + "// -----\n" + VALID.replace("tg.mul", "tg.bogus"))
    status, _, err = _run(capsys, str(path), "--split-input-file")
    assert status == 1 and err.startswith(f"{path}:9:17: error:")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("-p", "bogus"), "error: Unrecognized passes: ['bogus']"),
        (("-p", "lower{target=nothing}"), "error:"),
    ],
)
def test_unknown_passes_and_bad_options_are_one_line_errors(
    argv: tuple[str, ...], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "f.mlir"
    path.write_text(VALID)
    status, _, err = _run(capsys, str(path), *argv)
    assert status == 1 and message in err and err.count("\n") == 1


def test_invalid_input_and_missing_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "invalid.mlir"
    path.write_text(
        "func.func @f(%x: tensor<3xf64>, %y: tensor<f64>) -> tensor<3xf64> {\n"
        "  %z = tg.mul %x, %y : (tensor<3xf64>, tensor<f64>) -> tensor<3xf64>\n"
        "  func.return %z : tensor<3xf64>\n"
        "}\n"
    )
    status, _, err = _run(capsys, str(path))
    assert status == 1 and err.startswith(f"{path}: error: tg.mul: operand of rank 0")
    assert err.count("\n") == 1
    status, _, err = _run(capsys, str(tmp_path / "nothing.mlir"))
    assert status == 1 and "No such file" in err
