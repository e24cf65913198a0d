"""Sphinx configuration of tracegraph's documentation (``bash scripts/docs`` builds it into
``build/docs``; CI builds it with warnings as errors and runs every example of its pages)."""

from __future__ import annotations

project = "tracegraph"
author = "the tracegraph developers"
copyright = "2026, the tracegraph developers"

extensions = ["myst_parser", "sphinx.ext.autodoc", "sphinx.ext.viewcode"]
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
exclude_patterns = ["_build"]
myst_heading_anchors = 3
myst_enable_extensions = ["colon_fence"]

# The API reference: each documented module's members, in source order, with the signatures
# as written (type hints in the signature, not repeated in the text).
autodoc_default_options = {"members": True, "member-order": "bysource"}
autodoc_typehints = "signature"
autodoc_preserve_defaults = True

html_theme = "alabaster"
html_title = "tracegraph"
html_theme_options = {"description": "Theano's programming model on a modern compiler stack"}


def setup(app: object) -> None:
    """MLIR text (the IR dumps) shown as it is: Pygments has no MLIR lexer."""
    from pygments.lexers.special import TextLexer

    app.add_lexer("mlir", TextLexer)  # type: ignore[attr-defined]
