"""``Source``: lines of Python (Triton kernels and launchers), indented by nesting level."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


class Source:
    """Lines of Python, indented by nesting level.

    >>> out = Source()
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
        """Add ``lines`` at the current level."""
        for line in lines:
            self.lines.append(("    " * self.level + line) if line else "")

    @contextmanager
    def indent(self, opening: str = "") -> Iterator[None]:
        """Write ``opening``, then what the block writes one level deeper."""
        if opening:
            self.write(opening)
        self.level += 1
        try:
            yield
        finally:
            self.level -= 1

    def text(self) -> str:
        """The lines, joined."""
        return "\n".join(self.lines) + "\n"
