"""Profiles of compiled functions: ``function(..., profile=True)`` or ``config.profile``.

A profiled function times each call and, through its backend, each step of the program (an op
on the reference backend; a kernel, a fused loop or a host call on C and Triton). Its
``profile`` attribute is a :class:`ProfileStats`: the data, and :meth:`ProfileStats.summary`,
which prints Theano-style tables (per op, then per step, the slowest first). Profiles made
with ``profile=True`` or ``config.profile`` are printed when the program exits, as Theano
did; ``ProfileStats(atexit_print=False)`` makes one that is not.

>>> import io, tracegraph, tracegraph.tensor as T
>>> x = T.dvector('x')
>>> stats = ProfileStats(atexit_print=False)
>>> f = tracegraph.function([x], T.exp(x).sum(), profile=stats, mode="FAST_COMPILE")
>>> for _ in range(3):
...     _ = f([1.0, 2.0])
>>> stats.calls, [step.label for step in stats.steps]
(3, ['tg.exp', 'tg.sum'])
>>> "Function profile" in stats.summary(file=io.StringIO())
True
"""

from __future__ import annotations

import atexit
import sys
import threading
from typing import IO, Any

from tracegraph.backends.registry import StepTime

_to_print: list[ProfileStats] = []
_lock = threading.Lock()


class ProfileStats:
    """The profile of one compiled function (Theano's ``ProfileStats``): how many calls, their
    time, the compile time, and each step of the program with its time and count.

    ``message`` names it in the summary (by default the function's name, or "the function
    compiled at <the user's line>"); ``atexit_print``: print the summary when the program
    exits."""

    def __init__(self, atexit_print: bool = True, message: str | None = None):
        self.message = message
        self.calls = 0
        """How many calls were made."""
        self.call_time = 0.0
        """Seconds spent in the calls, from argument to result."""
        self.compile_time = 0.0
        """Seconds ``function()`` took."""
        self.backend = ""
        """The backend that runs the program ("the C backend")."""
        self.steps: list[StepTime] = []
        """Each step of the program (an op, a kernel, a fused loop), in program order."""
        if atexit_print:
            with _lock:
                if not _to_print:
                    atexit.register(_print_all)
                _to_print.append(self)

    @property
    def step_time(self) -> float:
        """Seconds spent in the steps (the rest of :attr:`call_time` is the call's own
        work: checking arguments, converting, storing updates)."""
        return sum(step.seconds for step in self.steps)

    def op_time(self) -> dict[str, tuple[float, int, int]]:
        """Per kind of step (an op's name, or a fused loop's ops): seconds, calls and
        how many steps of the program are of that kind, the slowest first."""
        kinds: dict[str, tuple[float, int, int]] = {}
        for step in self.steps:
            seconds, calls, count = kinds.get(step.kind, (0.0, 0, 0))
            kinds[step.kind] = (seconds + step.seconds, calls + step.calls, count + 1)
        return dict(sorted(kinds.items(), key=lambda item: -item[1][0]))

    def summary(self, file: IO[str] | None = None, n_ops_to_print: int = 20) -> str:
        """Print (to ``file``, by default ``sys.stdout``) and return the tables: the calls,
        then the time per op and per step, the slowest first (``n_ops_to_print`` rows of
        each)."""
        text = "\n".join(self._lines(n_ops_to_print)) + "\n"
        print(text, file=file or sys.stdout, end="")
        return text

    def _lines(self, rows: int) -> list[str]:
        total = self.step_time
        lines = [
            "Function profile",
            "================",
            f"  Message: {self.message}",
            f"  Time in {self.calls} calls to Function.__call__: {self.call_time:.6e}s",
            f"  Time in steps of {self.backend or 'the program'}: {total:.6e}s "
            f"({_share(total, self.call_time)} of the calls)",
            f"  Total compile time: {self.compile_time:.6e}s",
        ]
        if not self.calls:
            return [*lines, "  No call was made."]
        lines += [
            "",
            "Ops",
            "---",
            "<% time> <sum %> <time (s)> <time per call> <#call> <#steps> <op>",
        ]
        cumulative = 0.0
        kinds = list(self.op_time().items())
        for kind, (seconds, calls, count) in kinds[:rows]:
            cumulative += seconds
            lines.append(
                f"  {_share(seconds, total):>6} {_share(cumulative, total):>6}  {seconds:.3e}s"
                f"  {seconds / max(calls, 1):.3e}s  {calls:>6}  {count:>4}  {kind}"
            )
        lines += _remaining(kinds[rows:], total, "ops")
        lines += [
            "",
            "Steps",
            "-----",
            "<% time> <sum %> <time (s)> <time per call> <#call> <step> <what> <where>",
        ]
        cumulative = 0.0
        ordered = sorted(enumerate(self.steps), key=lambda item: -item[1].seconds)
        for number, step in ordered[:rows]:
            cumulative += step.seconds
            lines.append(
                f"  {_share(step.seconds, total):>6} {_share(cumulative, total):>6}"
                f"  {step.seconds:.3e}s  {step.seconds / max(step.calls, 1):.3e}s"
                f"  {step.calls:>6}  {number:>4}  {step.label}  {step.location}"
            )
        lines += _remaining([(s.label, (s.seconds,)) for _, s in ordered[rows:]], total, "steps")
        return lines


def _share(part: float, whole: float) -> str:
    return f"{100 * part / whole:.1f}%" if whole > 0 else "-"


def _remaining(rest: list[tuple[str, tuple[Any, ...]]], total: float, what: str) -> list[str]:
    if not rest:
        return []
    seconds = sum(float(values[0]) for _, values in rest)
    return [f"  ... ({len(rest)} other {what}, {_share(seconds, total)} of the time)"]


def _print_all() -> None:
    with _lock:
        profiles = list(_to_print)
    for stats in profiles:
        stats.summary()
