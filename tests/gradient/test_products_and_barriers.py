"""``Lop``/``Rop`` against Jacobians formed in NumPy (by finite differences), through plain
graphs and through loops; the gradient barriers ``disconnected_grad``, ``zero_grad`` and
``grad_clip``, in gradients and in compiled functions (where they are the identity)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import tracegraph
import tracegraph.tensor as T
from tracegraph.errors import DisconnectedInputError
from tracegraph.gradient import Lop, Rop, disconnected_grad, grad, grad_clip, zero_grad
from tracegraph.ir import ops

RNG = np.random.default_rng(3)


def numeric_jacobian(f: Any, x: np.ndarray) -> np.ndarray:
    columns = []
    for index in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[index] += 1e-6
        down[index] -= 1e-6
        columns.append(((f(up) - f(down)) / 2e-6).reshape(-1))
    return np.stack(columns, axis=1)


def test_rop_and_lop_of_a_matrix_expression() -> None:
    w, x = T.dmatrix("w"), T.dvector("x")
    y = T.tanh(T.dot(w, x)) * x.sum()
    v_in, v_out = T.dvector("v_in"), T.dvector("v_out")
    f = tracegraph.function([w, x, v_in, v_out], [Rop(y, x, v_in), Lop(y, x, v_out)])
    wv, xv = RNG.normal(size=(4, 3)), RNG.normal(size=3)
    vi, vo = RNG.normal(size=3), RNG.normal(size=4)
    jacobian = numeric_jacobian(lambda a: np.tanh(wv @ a) * a.sum(), xv)
    forward, backward = f(wv, xv, vi, vo)
    np.testing.assert_allclose(forward, jacobian @ vi, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(backward, vo @ jacobian, rtol=1e-6, atol=1e-8)


def test_lop_through_a_loop() -> None:
    x, v = T.dvector("x"), T.dvector("v")
    powers, _ = tracegraph.scan(
        lambda p, x: p * x, outputs_info=T.ones_like(x), non_sequences=x, n_steps=3
    )
    f = tracegraph.function([x, v], Lop(powers[-1], x, v))
    xv, vv = np.array([0.5, 2.0]), np.array([1.0, -1.0])
    np.testing.assert_allclose(f(xv, vv), 3 * xv**2 * vv, rtol=1e-12)


def test_rop_through_a_loop() -> None:
    # A second derivative through scan: the reverse loop differentiated again.
    x, v = T.dvector("x"), T.dvector("v")
    powers, _ = tracegraph.scan(
        lambda p, x: p * x, outputs_info=T.ones_like(x), non_sequences=x, n_steps=3
    )
    f = tracegraph.function([x, v], Rop(powers[-1], x, v))
    xv, vv = np.array([0.5, 2.0]), np.array([1.0, -1.0])
    np.testing.assert_allclose(f(xv, vv), 3 * xv**2 * vv, rtol=1e-12)


def test_rop_and_lop_of_several_outputs_and_inputs() -> None:
    a, b = T.dvectors("a", "b")
    first, second = a * b, T.exp(a)
    va, vb = T.dvectors("va", "vb")
    forward = Rop([first, second], [a, b], [va, vb])
    backward = Lop([first, second], [a, b], [va, vb])
    assert isinstance(forward, list) and isinstance(backward, list)
    f = tracegraph.function([a, b, va, vb], [*forward, *backward])
    av, bv, vav, vbv = (RNG.normal(size=2) for _ in range(4))
    r1, r2, l_a, l_b = f(av, bv, vav, vbv)
    np.testing.assert_allclose(r1, vav * bv + av * vbv)
    np.testing.assert_allclose(r2, np.exp(av) * vav)
    np.testing.assert_allclose(l_a, vav * bv + vbv * np.exp(av))
    np.testing.assert_allclose(l_b, vav * av)


def test_disconnected_grad_disconnects() -> None:
    x = T.dscalar("x")
    assert float(tracegraph.function([x], grad(x * disconnected_grad(x), x))(3.0)) == 3.0
    with pytest.raises(DisconnectedInputError):
        grad(disconnected_grad(x) * 2, x)
    gradient = grad(disconnected_grad(x) * 2, x, disconnected_inputs="ignore")
    assert float(tracegraph.function([x], gradient)(3.0)) == 0.0


def test_zero_grad_gives_a_connected_zero() -> None:
    x = T.dvector("x")
    f = tracegraph.function([x], grad((zero_grad(x) ** 2).sum() + x.sum(), x))
    np.testing.assert_array_equal(f(np.array([1.0, 5.0])), [1.0, 1.0])


def test_theanos_other_names_are_there() -> None:
    """``consider_constant`` (Theano's older ``zero_grad``), ``tracegraph.Rop``/``Lop``
    (Theano exports them at the top) and ``printing.pprint`` (``pp``)."""
    from tracegraph.gradient import consider_constant
    from tracegraph.printing import pp, pprint

    x = T.dvector("x")
    f = tracegraph.function([x], grad((consider_constant(x) ** 2).sum() + x.sum(), x))
    np.testing.assert_array_equal(f(np.array([1.0, 5.0])), [1.0, 1.0])
    assert (tracegraph.Rop, tracegraph.Lop) == (Rop, Lop)
    assert pprint(T.exp(x) * 2) == pp(T.exp(x) * 2) == "(exp(x) * 2)"


def test_grad_clip_clips_the_gradient_only() -> None:
    x = T.dvector("x")
    clipped = grad_clip(x, -1.0, 2.0)
    f = tracegraph.function([x], [clipped * 3, grad((clipped * 3).sum(), x)])
    value, gradient = f(np.array([1.0, -4.0]))
    np.testing.assert_array_equal(value, [3.0, -12.0])
    np.testing.assert_array_equal(gradient, [2.0, 2.0])
    assert (
        float(
            tracegraph.function([x], grad((grad_clip(x, -1.0, 2.0) * -3).sum(), x))(np.ones(1))[0]
        )
        == -1.0
    )
    with pytest.raises(Exception, match="lower bound exceeds"):
        grad_clip(x, 1.0, 0.0).owner.verify()  # type: ignore[union-attr]


@pytest.mark.parametrize("optimizer", ["fast_run", None])
@pytest.mark.parametrize("linker", ["py", "c"])
def test_barriers_are_the_identity_in_compiled_functions(
    optimizer: str | None, linker: str
) -> None:
    x = T.dvector("x")
    outputs = [disconnected_grad(x) * 2, zero_grad(x) + 1, grad_clip(x, -1.0, 1.0)]
    f = tracegraph.function([x], outputs, mode=tracegraph.Mode(linker=linker, optimizer=optimizer))
    xv = np.array([1.5, -2.0])
    for result, expected in zip(f(xv), [xv * 2, xv + 1, xv], strict=True):
        np.testing.assert_array_equal(result, expected)
    if optimizer == "fast_run":
        names = {type(op) for op in f.maker.fgraph.toposort()}
        assert not names & {ops.DisconnectedGradOp, ops.ZeroGradOp, ops.GradClipOp}
