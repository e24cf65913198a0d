"""Backends: turn an optimized ``tg`` module into something callable."""
