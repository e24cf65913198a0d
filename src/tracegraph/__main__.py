"""``python -m tracegraph cache list|clear|where``: look at or empty the compile cache.

>>> import contextlib, io
>>> with contextlib.redirect_stdout(io.StringIO()) as printed:
...     status = main(["cache", "where"])
>>> status, printed.getvalue().strip() == str(cache.cache_dir())
(0, True)
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence

from tracegraph.backends.c import cache


def _list() -> int:
    entries = cache.entries()
    for entry in entries:
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(entry.modified))
        print(f"{when}  {entry.size:>10,d}  {entry.path}")
    total = sum(entry.size for entry in entries)
    print(f"{len(entries)} compiled modules, {total:,d} bytes, in {cache.cache_dir()}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m tracegraph")
    commands = parser.add_subparsers(dest="command", required=True)
    cache_parser = commands.add_parser("cache", help="the compile cache of the C backend")
    cache_parser.add_argument("action", choices=["list", "clear", "where"])
    arguments = parser.parse_args(argv)
    if arguments.action == "list":
        return _list()
    if arguments.action == "clear":
        removed = cache.clear()
        print(f"removed {removed} files from {cache.cache_dir()}")
        return 0
    print(cache.cache_dir())
    return 0


if __name__ == "__main__":
    sys.exit(main())
