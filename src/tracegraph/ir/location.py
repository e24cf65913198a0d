"""Source locations: the user's line that created an op.

Every op built by the frontend carries a ``FileLineColLoc`` of the first stack frame outside the
tracegraph package, so errors at trace time and at run time can name the user's line.
"""

from __future__ import annotations

import sys
from functools import lru_cache
from pathlib import Path
from types import CodeType, FrameType

from xdsl.dialects.builtin import FileLineColLoc, IntAttr, LocationAttr, StringAttr, UnknownLoc

_PACKAGE_DIR = str(Path(__file__).resolve().parent.parent)


@lru_cache(maxsize=1024)
def _is_internal(filename: str) -> bool:
    try:
        resolved = str(Path(filename).resolve())
    except OSError:
        return False
    return resolved.startswith(_PACKAGE_DIR)


@lru_cache(maxsize=256)
def _columns(code: CodeType) -> tuple[int, ...]:
    # Python 3.11 records a column per bytecode instruction; keep the start column of each.
    return tuple((col or 0) for _, _, col, _ in code.co_positions())


@lru_cache(maxsize=8192)
def _make_location(filename: str, line: int, column: int) -> FileLineColLoc:
    return FileLineColLoc(StringAttr(filename), IntAttr(line), IntAttr(column))


def user_location() -> LocationAttr:
    """The location of the innermost caller frame that is not tracegraph's own code.

    >>> str(user_location()).startswith('loc("')
    True
    """
    frame: FrameType | None = sys._getframe(1)
    while frame is not None and _is_internal(frame.f_code.co_filename):
        frame = frame.f_back
    if frame is None:
        return UnknownLoc()
    code = frame.f_code
    columns = _columns(code)
    index = frame.f_lasti // 2
    column = columns[index] + 1 if index < len(columns) else 1
    return _make_location(code.co_filename, frame.f_lineno or 0, column)


def format_location(location: LocationAttr) -> str:
    """``file:line:col`` for a ``FileLineColLoc``, ``<unknown location>`` otherwise.

    >>> format_location(_make_location("model.py", 12, 5))
    'model.py:12:5'
    """
    if isinstance(location, FileLineColLoc):
        return f"{location.filename.data}:{location.line.data}:{location.column.data}"
    return "<unknown location>"
