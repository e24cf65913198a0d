"""The Hypothesis settings of the random-graph property tests (backends against the reference,
passes, the PyTensor differential, the fuzzer). A normal run is derandomized: every run, CI's
included, draws the same examples, so a failure there is reproducible and never a flake.
``TG_EXPLORE=1`` draws fresh examples, ten times as many, to look for new disagreements (how
the C backend's ``pow(x, 0.5)`` in vectorized loops and the ``exp(x) + (-1)`` spelling of
``expm1`` were found); a failure prints the ``@reproduce_failure`` line that replays it."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

EXPLORE = os.environ.get("TG_EXPLORE", "") not in ("", "0")
"""Whether this run draws fresh examples (``TG_EXPLORE=1``)."""

EXPLORE_FACTOR = 10
"""How many times as many examples an exploring run draws."""

SLOW_GRAPHS = (HealthCheck.too_slow, HealthCheck.filter_too_much)
"""What random graphs trip and is no fault of theirs: compiling one takes a while, and the
generators reject the graphs that do not fit a frame."""


def property_settings(
    max_examples: int, suppress: tuple[HealthCheck, ...] = SLOW_GRAPHS
) -> settings:
    """``max_examples`` derandomized examples, or ten times as many fresh ones where
    :data:`EXPLORE`; no deadline (compiles vary)."""
    if EXPLORE:
        return settings(
            max_examples=max_examples * EXPLORE_FACTOR,
            deadline=None,
            suppress_health_check=list(suppress),
            print_blob=True,
        )
    return settings(
        derandomize=True,
        max_examples=max_examples,
        deadline=None,
        suppress_health_check=list(suppress),
    )
