"""``python -m tracegraph cache info|list|clear|prune|where``: look at, trim or empty the
compile cache (``prune``: to ``config.cache_size_limit``, the least recently used first).

>>> import contextlib, io
>>> with contextlib.redirect_stdout(io.StringIO()) as printed:
...     status = main(["cache", "where"])
>>> status, printed.getvalue().strip() == str(cache.configured_dir())
(0, True)
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence

from tracegraph.backends.c import cache
from tracegraph.config import config


def _list() -> int:
    entries = cache.entries(cache.configured_dir())
    for entry in entries:
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(entry.modified))
        print(f"{when}  {entry.size:>10,d}  {entry.path}")
    total = sum(entry.size for entry in entries)
    print(f"{len(entries)} compiled modules, {total:,d} bytes, in {cache.configured_dir()}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m tracegraph")
    commands = parser.add_subparsers(dest="command", required=True)
    cache_parser = commands.add_parser("cache", help="the compile cache of the C backend")
    cache_parser.add_argument("action", choices=["info", "list", "clear", "prune", "where"])
    cache_parser.add_argument(
        "--size", type=int, default=None, help="prune: megabytes to keep (default: the limit)"
    )
    arguments = parser.parse_args(argv)
    if arguments.action == "list":
        return _list()
    if arguments.action == "info":
        limit = config.cache_size_limit
        print(f"directory {cache.configured_dir()}")
        print(f"modules   {len(cache.entries(cache.configured_dir()))}")
        print(f"size      {cache.total_size(cache.configured_dir()) / 2**20:.1f} MB")
        print(f"limit     {f'{limit} MB' if limit else 'none'} (config.cache_size_limit)")
        return 0
    if arguments.action == "prune":
        size = arguments.size if arguments.size is not None else config.cache_size_limit
        removed, freed = cache.prune(size * 2**20, cache.configured_dir())
        print(f"removed {removed} modules ({freed / 2**20:.1f} MB) from {cache.configured_dir()}")
        return 0
    if arguments.action == "clear":
        removed = cache.clear(cache.configured_dir())
        print(f"removed {removed} files from {cache.configured_dir()}")
        return 0
    print(cache.configured_dir())
    return 0


if __name__ == "__main__":
    sys.exit(main())
