"""Rewrite passes on ``tg`` modules and the named pipelines that run them."""

from tracegraph.passes.pipeline import STAGES, run_pipeline

__all__ = ["STAGES", "run_pipeline"]
