"""The fixture of the single-process tests of the collectives."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.distributed.worlds import ThirdOfThree, playing


@pytest.fixture
def three_ranks() -> Iterator[ThirdOfThree]:
    """This process plays rank 1 of :class:`ThirdOfThree` for the test."""
    world = ThirdOfThree()
    with playing(world):
        yield world
