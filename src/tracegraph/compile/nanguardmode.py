"""Theano's ``theano.compile.nanguardmode``: ``NanGuardMode``, re-exported."""

from tracegraph.compile.modes import NanGuardMode

__all__ = ["NanGuardMode"]
