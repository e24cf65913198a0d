"""The files under accept/ and reject/ are user code checked by mypy (and accept/ run by
test_typing.py), not test modules: keep pytest's collection (and doctest import) out of them."""

collect_ignore_glob = ["accept/*", "reject/*"]
