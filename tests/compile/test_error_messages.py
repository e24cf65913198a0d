"""A run-time error names the op, its operands' dtypes and shapes and the user's line, in the
same words on every backend: a shape mismatch planted in a small model, run on the reference,
C and Triton (interpreted) backends."""

from __future__ import annotations

import importlib.util
import inspect
from typing import Any

import numpy as np
import pytest

import tracegraph
import tracegraph.tensor as T

LINKERS = ["numpy", "c", *(["triton"] if importlib.util.find_spec("triton") else [])]


def classifier(mode: Any, hidden_rows: int, bias_size: int) -> Any:
    """A two-layer classifier whose second layer has ``hidden_rows`` rows (8 fits) and whose
    first bias has ``bias_size`` entries (8 fits)."""
    x = T.dmatrix("x")
    y = T.lvector("y")
    rng = np.random.default_rng(0)
    w1 = tracegraph.shared(rng.standard_normal((4, 8)), "w1")
    b1 = tracegraph.shared(np.zeros(bias_size), "b1")
    w2 = tracegraph.shared(rng.standard_normal((hidden_rows, 3)), "w2")
    b2 = tracegraph.shared(np.zeros(3), "b2")
    hidden = T.tanh(T.dot(x, w1) + b1)  # the planted bias mismatch fails here
    scores = T.dot(hidden, w2) + b2  # the planted weight mismatch fails here
    probabilities = T.nnet.softmax(scores)
    loss = -T.mean(T.log(probabilities)[T.arange(y.shape[0]), y])
    updates = [(w, w - 0.1 * g) for w, g in zip([w1, w2], T.grad(loss, [w1, w2]), strict=True)]
    return tracegraph.function([x, y], loss, updates=updates, mode=mode)


def _line_of(text: str) -> int:
    source, first = inspect.getsourcelines(classifier)
    return first + next(i for i, line in enumerate(source) if text in line)


def _messages(hidden_rows: int, bias_size: int) -> dict[str, str]:
    messages = {}
    for linker in LINKERS:
        f = classifier(tracegraph.Mode(linker=linker), hidden_rows, bias_size)
        with pytest.raises(tracegraph.ShapeMismatchError) as caught:
            f(np.ones((5, 4)), np.zeros(5, dtype=np.int64))
        messages[linker] = str(caught.value)
    return messages


def test_a_product_of_mismatched_sizes_is_the_same_message_everywhere() -> None:
    messages = _messages(hidden_rows=7, bias_size=8)
    line = _line_of("planted weight mismatch")
    expected = (
        f"tg.dot at {__file__}:{line}:14 failed on operands (float64[5, 8], float64[7, 3]): "
        "inner sizes 8 and 7 differ"
    )
    assert messages == dict.fromkeys(LINKERS, expected)


def test_an_elementwise_mismatch_names_the_line_and_the_sizes_everywhere() -> None:
    messages = _messages(hidden_rows=8, bias_size=7)
    line = _line_of("planted bias mismatch")
    for linker, message in messages.items():
        assert f"{__file__}:{line}:" in message, linker
        assert "operands have sizes 8 and 7 on axis 1" in message, (linker, message)


def test_high_verbosity_adds_the_graph_around_the_failing_op(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(tracegraph.config, "exception_verbosity", "high")
    messages = _messages(hidden_rows=7, bias_size=8)
    for linker, message in messages.items():
        first, rest = message.split("\n", 1)
        assert first.endswith("inner sizes 8 and 7 differ"), linker
        assert rest.startswith("the graph around it:"), linker
        # The graph the backend runs: tg ops on the reference, its kernels on C and Triton.
        assert "dot" in rest and "test_error_messages.py" in rest, linker


def _failures() -> dict[str, tuple[type[Exception], Any, tuple[Any, ...]]]:
    """Run-time failures of other kinds: what each raises, its function and its arguments."""
    x, v, n, i = T.dmatrix("x"), T.dvector("v"), T.lscalar("n"), T.lvector("i")
    return {
        "index": (tracegraph.IndexOutOfBoundsError, ([x, i], x[i]), ([[1.0, 2.0]], [0, 3])),
        "scalar index": (tracegraph.IndexOutOfBoundsError, ([x, n], x[n]), ([[1.0]], 5)),
        "increment": (
            tracegraph.IndexOutOfBoundsError,
            ([x, i], T.inc_subtensor(x[i], 1.0)),
            ([[1.0]], [2]),
        ),
        "reshape": (tracegraph.ShapeMismatchError, ([x], x.reshape((3, 3))), (np.ones((2, 2)),)),
        "join": (
            tracegraph.ShapeMismatchError,
            ([x, v], T.concatenate([x, v.dimshuffle("x", 0)], axis=0)),
            (np.ones((2, 2)), np.ones(3)),
        ),
        "specified shape": (
            tracegraph.ShapeMismatchError,
            ([v], T.specify_shape(v, (3,))),
            (np.ones(2),),
        ),
        "negative size": (tracegraph.ShapeMismatchError, ([n], T.zeros((n, 2))), (-1,)),
        "zero step": (tracegraph.RuntimeOpError, ([n], T.arange(0, 10, n)), (0,)),
        # An operand broadcast by an implicit dimshuffle is described as written (float64[3]):
        # the reference runs the dimshuffle as an op, the fused kernels as a view.
        "implicit broadcast": (
            tracegraph.ShapeMismatchError,
            ([x, v], x + v),
            (np.ones((2, 2)), np.ones(3)),
        ),
    }


@pytest.mark.parametrize("kind", list(_failures()))
def test_every_kind_of_run_time_failure_is_the_same_message_everywhere(kind: str) -> None:
    messages = {}
    for linker in LINKERS:
        error_class, (inputs, output), args = _failures()[kind]
        f = tracegraph.function(inputs, output, mode=tracegraph.Mode(linker=linker))
        with pytest.raises(error_class) as caught:
            f(*args)
        messages[linker] = str(caught.value)
    reference = messages["numpy"]
    assert f" at {__file__}:" in reference and "failed on operands (" in reference
    assert messages == dict.fromkeys(LINKERS, reference)
