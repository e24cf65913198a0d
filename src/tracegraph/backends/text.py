"""``IndentedBuffer``: generated source (C or Python), line by line, indented by nesting level;
the emitters of every backend write into one."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


class IndentedBuffer:
    """Lines of source, indented by nesting level; ``indent`` writes an opening line, then
    its block one level deeper, then a closing line (C's braces; none for Python).

    >>> out = IndentedBuffer()
    >>> with out.indent("def f():"):
    ...     out.write("return 1")
    >>> print(out.text(), end="")
    def f():
        return 1
    """

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.level = 0

    def write(self, *lines: str) -> None:
        for line in lines:
            self.lines.append(("    " * self.level + line) if line else "")

    @contextmanager
    def indent(self, opening: str = "", closing: str = "") -> Iterator[None]:
        if opening:
            self.write(opening)
        self.level += 1
        try:
            yield
        finally:
            self.level -= 1
            if closing:
                self.write(closing)

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"
