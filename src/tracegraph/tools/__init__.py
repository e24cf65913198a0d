"""Command-line tools (``tracegraph-opt``)."""
