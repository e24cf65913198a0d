"""``NanGuardMode`` (``mode="NanGuardMode"``, ``Mode(nan_guard=True)``): the first op whose
result holds a NaN (an infinity, a value above 1e10) raises, naming the op, its operands and
the user's line; without one the function gives what it gives in other modes."""

from __future__ import annotations

import numpy as np
import pytest

import tracegraph
import tracegraph.tensor as T
from tracegraph.compile.nanguardmode import NanGuardMode


def test_the_first_op_making_a_nan_is_named_with_its_line() -> None:
    x = T.dvector("x")
    y = T.sqrt(x - 1)  # NaN below 1
    f = tracegraph.function([x], T.exp(y) * 2, mode="NanGuardMode")
    np.testing.assert_allclose(f(np.array([2.0])), [2 * np.e])
    with pytest.raises(tracegraph.RuntimeOpError) as caught:
        f(np.array([0.5, 2.0]))
    message = str(caught.value)
    assert message.startswith(f"tg.sqrt at {__file__}:")
    assert "NanGuardMode: the result holds NaN" in message and "float64[2]" in message


def test_infinities_and_big_values_as_asked() -> None:
    x = T.dvector("x")
    out = T.exp(x)
    values = np.array([800.0])
    with pytest.raises(tracegraph.RuntimeOpError, match="infinity"):
        tracegraph.function([x], out, mode=tracegraph.Mode(nan_guard=True))(values)
    quiet = tracegraph.function([x], out, mode=NanGuardMode(inf_is_error=False))
    assert np.isinf(quiet(values)).all()
    with pytest.raises(tracegraph.RuntimeOpError, match="above 1e"):
        tracegraph.function([x], out, mode=NanGuardMode(big_is_error=True))(np.array([30.0]))


def test_a_mode_checks_only_what_it_knows() -> None:
    with pytest.raises(ValueError, match="nan_guard"):
        tracegraph.Mode(nan_guard=frozenset({"negative"}))
