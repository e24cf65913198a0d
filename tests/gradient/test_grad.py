"""The gradient API: ``grad`` (its arguments, disconnected inputs, ``consider_constant``,
``known_grads``, shared variables and updates, dtypes, locations, printing), higher
derivatives, ``jacobian`` and ``hessian``. Values are compared with NumPy formulas; the rule of
each op is checked against finite differences in ``test_rules.py``."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeAlias

import numpy as np
import pytest
from numpy.typing import NDArray
from xdsl.dialects.builtin import FileLineColLoc
from xdsl.ir import Operation

import tracegraph
import tracegraph.tensor as T
from tracegraph import function, shared
from tracegraph.errors import DisconnectedInputError
from tracegraph.gradient import grad, hessian, jacobian, verify_grad
from tracegraph.ir.location import format_location
from tracegraph.printing import pp
from tracegraph.tensor import TensorType, TensorVariable

Array: TypeAlias = NDArray[Any]

_RNG = np.random.default_rng(7)


def _line() -> int:
    """The line of the caller."""
    frame = inspect.currentframe()
    assert frame is not None and frame.f_back is not None
    return frame.f_back.f_lineno


def _ops(output: TensorVariable) -> list[Operation]:
    """The ops ``output`` is computed from."""
    seen: dict[int, Operation] = {}
    stack = [output.value]
    while stack:
        owner = stack.pop().owner
        if isinstance(owner, Operation) and id(owner) not in seen:
            seen[id(owner)] = owner
            stack.extend(owner.operands)
    return list(seen.values())


# -- results and arguments ----------------------------------------------------------------------


def test_single_wrt_gives_a_variable_and_a_list_gives_a_list_in_order() -> None:
    x, y, z = T.dvectors("x", "y", "z")
    cost = (x * 2 + y * 3 + z * 5).sum()
    single = grad(cost, y)
    assert isinstance(single, TensorVariable)
    listed = grad(cost, [z, x, y])
    assert isinstance(listed, list) and len(listed) == 3
    f = function([x, y, z], listed)
    ones = np.ones(2)
    for result, factor in zip(f(ones, ones, ones), [5.0, 2.0, 3.0], strict=True):
        np.testing.assert_array_equal(result, [factor, factor])
    (only,) = grad(cost, [x])
    np.testing.assert_array_equal(function([x, y, z], only)(ones, ones, ones), [2.0, 2.0])
    assert T.grad is grad and tracegraph.gradient.grad is grad


def test_value_matches_numpy() -> None:
    x, w = T.dvector("x"), T.dmatrix("w")
    cost = T.sum(T.tanh(T.dot(w, x)) ** 2)
    gx, gw = grad(cost, [x, w])
    xv, wv = _RNG.normal(size=3), _RNG.normal(size=(2, 3))
    ax, aw = function([x, w], [gx, gw])(xv, wv)
    t = np.tanh(wv @ xv)
    back = 2 * t * (1 - t**2)
    np.testing.assert_allclose(ax, wv.T @ back)
    np.testing.assert_allclose(aw, np.outer(back, xv))


def test_cost_must_be_a_scalar_naming_its_type() -> None:
    x = T.dmatrix("x")
    with pytest.raises(TypeError, match=r"scalar.*TensorType\(float64, shape=\(\?, \?\)\)"):
        grad(x * 2, x)
    with pytest.raises(TypeError, match="cost must be a symbolic variable"):
        grad(2.0, x)  # type: ignore[call-overload]


def test_bad_arguments() -> None:
    x = T.dscalar("x")
    with pytest.raises(TypeError, match=r"wrt\[1\] must be a symbolic variable"):
        grad(x**2, [x, 1.0])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="disconnected_inputs"):
        grad(x**2, x, disconnected_inputs="loud")  # type: ignore[call-overload]
    with pytest.raises(ValueError, match="return_disconnected"):
        grad(x**2, x, return_disconnected="nothing")  # type: ignore[call-overload]
    with pytest.raises(ValueError, match="known_grads"):
        grad(None, x)


def test_gradient_with_respect_to_the_cost_and_an_intermediate() -> None:
    x = T.dvector("x")
    squares = x**2
    cost = T.sum(squares * 3)
    np.testing.assert_array_equal(function([x], grad(cost, cost))(np.ones(2)), 1.0)
    g_squares, g_x = grad(cost, [squares, x])
    a, b = function([x], [g_squares, g_x])(np.array([1.0, 2.0]))
    np.testing.assert_array_equal(a, [3.0, 3.0])
    np.testing.assert_array_equal(b, [6.0, 12.0])


@pytest.mark.parametrize(
    ("form", "inverse"),
    [
        ("sigmoid", lambda x: T.nnet.sigmoid(x)),
        ("exp", lambda x: T.exp(x)),
        ("softmax", lambda x: T.nnet.softmax(x)),
        ("softmax column", lambda x: T.nnet.softmax(x)[:, 1]),
        ("one minus exp", lambda x: 1 - T.exp(-x * x - 0.5)),
        ("sum of exp", lambda x: T.sum(T.exp(x), axis=1)),
    ],
)
def test_gradient_with_respect_to_the_argument_of_a_stable_log(
    form: str, inverse: Callable[[TensorVariable], TensorVariable]
) -> None:
    # The composite rule of log(p) bypasses p: asked for p itself, grad must still give 1 / p
    # (it gave 0: the whole gradient went past p to x), alone or with x.
    x = T.dmatrix("x")
    p = inverse(x)
    cost = T.sum(T.log(p))
    xv = _RNG.normal(size=(3, 4))
    g_p, (g_p2, g_x) = grad(cost, p), grad(cost, [p, x])
    expected_p = 1 / function([x], p)(xv)
    for g in (g_p, g_p2):
        np.testing.assert_allclose(function([x], g)(xv), expected_p, rtol=1e-12)
    verify_grad(lambda x: T.log(inverse(x)), [xv])
    assert np.all(np.isfinite(function([x], g_x)(xv)))


def test_names() -> None:
    x = T.dvector("x")
    cost = (x**2).sum()
    cost.name = "c"
    assert grad(cost, x).name == "(dc/dx)"
    assert grad(cost, x, add_names=False).name is None
    assert grad((x**2).sum(), x).name is None  # the cost has no name


def test_unoptimized_gradient_prints_as_theano() -> None:
    x = T.dscalar("x")
    assert pp(grad(x**2, x)) == "((fill((x ** 2), 1.0) * 2) * (x ** (2 - 1)))"


# -- disconnected inputs ------------------------------------------------------------------------


def test_disconnected_input_raises_by_default() -> None:
    x, y = T.dvector("x"), T.dvector("y")
    with pytest.raises(DisconnectedInputError, match=r"does not depend on 'y'.*'ignore'"):
        grad(x.sum(), [x, y])


def test_disconnected_input_warns() -> None:
    x, y = T.dvector("x"), T.dmatrix("y")
    with pytest.warns(UserWarning, match="does not depend on 'y'"):
        gx, gy = grad(x.sum(), [x, y], disconnected_inputs="warn")
    values = function([x, y], [gx, gy], on_unused_input="ignore")(np.ones(2), np.ones((2, 3)))
    np.testing.assert_array_equal(values[1], np.zeros((2, 3)))


def test_disconnected_input_ignored_gives_zeros_of_its_shape_and_dtype() -> None:
    x, y = T.dvector("x"), T.fmatrix("y")
    gy = grad(x.sum(), y, disconnected_inputs="ignore")
    assert gy.dtype == "float32" and gy.ndim == 2
    value = function([y], gy)(np.ones((2, 3), dtype=np.float32))
    assert value.dtype == np.float32
    np.testing.assert_array_equal(value, np.zeros((2, 3)))


@pytest.mark.parametrize("policy", ["none", "disconnected"])
def test_return_disconnected_none(policy: Any) -> None:
    x, y = T.dvector("x"), T.dvector("y")
    gx, gy = grad(x.sum(), [x, y], disconnected_inputs="ignore", return_disconnected=policy)
    assert gy is None and isinstance(gx, TensorVariable)
    assert grad(x.sum(), y, disconnected_inputs="ignore", return_disconnected=policy) is None
    # A connected input with no gradient flowing is not disconnected: it still gets zeros.
    g = grad(T.sum(T.cast(x > 0, "float64")), x, return_disconnected=policy)
    assert g is not None


# -- no gradient through integers and comparisons ----------------------------------------------


ZERO_GRADIENT_PATHS: dict[str, Callable[[TensorVariable, TensorVariable], TensorVariable]] = {
    "comparison": lambda x, y: T.sum(y * (x > 0)),
    "switch-condition": lambda x, y: T.sum(T.switch(x > 0, y, 2 * y)),
    "argmax": lambda x, y: y[T.argmax(x)],
    "argmin-keepdims": lambda x, y: T.sum(T.argmin(x, keepdims=True) * y),
    "integer-cast": lambda x, y: T.sum(T.cast(x, "int32") * y),
    "floor-div-to-int": lambda x, y: T.sum(y[T.cast(T.floor(x[0]), "int64")]),
    "shape": lambda x, y: T.sum(y * x.shape[0]),
    "equality-then-any": lambda x, y: T.sum(y * T.any(T.eq(x, 1.0))),
}


@pytest.mark.parametrize("path", sorted(ZERO_GRADIENT_PATHS))
def test_input_reached_only_through_non_differentiable_ops_gets_zeros(path: str) -> None:
    x, y = T.dvector("x"), T.dvector("y")
    cost = ZERO_GRADIENT_PATHS[path](x, y)
    gx, gy = grad(cost, [x, y])
    xv, yv = np.array([0.5, -1.5, 1.0]), np.array([1.0, 2.0, 3.0])
    ax, ay = function([x, y], [gx, gy])(xv, yv)
    assert gx.dtype == "float64" and ax.shape == (3,)
    np.testing.assert_array_equal(ax, np.zeros(3))
    assert np.any(ay != 0)


def test_integer_wrt_gets_the_gradient_of_a_float_wrt() -> None:
    # As in Theano (its test_grad_int, in tests/backends/test_training_patterns.py on every
    # backend); it was zeros, a silent wrong answer.
    i, x = T.ivector("i"), T.dvector("x")
    gi = grad(T.sum(i * x), i)
    assert gi.dtype == "float64"
    value = function([i, x], gi)(np.array([1, 2], dtype=np.int32), [3.0, 4.0])
    np.testing.assert_array_equal(value, [3.0, 4.0])


@pytest.mark.parametrize(
    "form",
    [
        lambda u: T.log(T.nnet.sigmoid(u)),
        lambda u: T.log(1 - T.nnet.sigmoid(u)),
        lambda u: T.log(1 / (1 + T.exp(u))),
        lambda u: T.log(1 - T.exp(u)),
        lambda u: T.log1p(-T.exp(u)),
    ],
)
@pytest.mark.parametrize("dtype", ["uint8", "int8", "int32"])
def test_integer_wrt_of_a_stable_log_gets_the_gradient_of_a_float_wrt(
    form: Callable[[TensorVariable], TensorVariable], dtype: str
) -> None:
    # The stable rules negate their argument: an integer one wrapped (-uint8(3) is 253, and
    # -int8(-128) is -128), so the gradient of log(sigmoid(u)) at uint8 3 was 1, not 0.047.
    info = np.iinfo(dtype)
    values = np.array(sorted({info.min, -3, -1, 0, 2, 3}), dtype=np.int64)
    values = values[(values >= info.min) & (values <= info.max)]
    u, x = T.vector("u", dtype=dtype), T.vector("x", dtype="float32")
    g_int = function([u], grad(T.sum(form(u)), u))(values.astype(dtype))
    g_float = function([x], grad(T.sum(form(x)), x))(values.astype(np.float32))
    np.testing.assert_allclose(g_int, g_float, rtol=1e-6)


def test_integer_wrt_reached_only_through_integer_values_gets_float_zeros() -> None:
    # Integer intermediate values carry no gradient, as in Theano.
    i, x = T.ivector("i"), T.dvector("x")
    gi = grad(T.sum(T.cast(i * 2, "float64") * x), i)
    assert gi.dtype == tracegraph.config.floatX
    value = function([i], gi)(np.array([1, 2], dtype=np.int32))
    np.testing.assert_array_equal(value, [0.0, 0.0])


# -- dtypes -------------------------------------------------------------------------------------


def test_gradient_dtype_is_the_wrt_dtype() -> None:
    f, d = T.fvector("f"), T.dvector("d")
    # The float32 input meets float64 values, so its gradient is computed in float64.
    gf, gd = grad(T.sum(f * d) + T.sum(T.cast(f, "float64") ** 2), [f, d])
    assert gf.dtype == "float32" and gd.dtype == "float64"
    fv, dv = np.array([1.0, 2.0], dtype=np.float32), np.array([3.0, 4.0])
    af, ad = function([f, d], [gf, gd])(fv, dv)
    assert af.dtype == np.float32 and ad.dtype == np.float64
    np.testing.assert_allclose(af, dv + 2 * fv)
    np.testing.assert_allclose(ad, fv)
    # Pure float32 graphs stay float32.
    g32 = grad(T.sum(T.exp(f) * 2), f)
    assert g32.dtype == "float32"
    assert function([f], g32)(fv).dtype == np.float32


# -- consider_constant and known_grads ---------------------------------------------------------


def test_consider_constant_stops_the_flow() -> None:
    x = T.dvector("x")
    squares = x**2
    cost = T.sum(squares * x)
    xv = np.array([1.0, 2.0, -3.0])
    full = function([x], grad(cost, x))(xv)
    stopped = function([x], grad(cost, x, consider_constant=[squares]))(xv)
    np.testing.assert_allclose(full, 3 * xv**2)
    np.testing.assert_allclose(stopped, xv**2)


def test_consider_constant_on_the_only_path_disconnects() -> None:
    x = T.dvector("x")
    squares = x**2
    with pytest.raises(DisconnectedInputError):
        grad(squares.sum(), x, consider_constant=[squares])
    g = grad(squares.sum(), x, consider_constant=[squares], disconnected_inputs="ignore")
    np.testing.assert_array_equal(function([x], g)(np.ones(2)), [0.0, 0.0])


def test_known_grads_without_cost() -> None:
    x = T.dvector("x")
    y = T.exp(x)
    upstream = T.dvector("upstream")
    g = grad(None, x, known_grads={y: upstream})
    xv, uv = np.array([0.0, 1.0]), np.array([2.0, 3.0])
    np.testing.assert_allclose(function([x, upstream], g)(xv, uv), uv * np.exp(xv))


def test_known_grads_replace_what_the_cost_sends() -> None:
    # As in Theano: backpropagation starts from a known gradient; the gradient the cost sends
    # to that variable is not added to it (it was, a silent wrong answer).
    x = T.dvector("x")
    y = x**2
    g = grad(T.sum(y), x, known_grads={y: np.array([10.0, 20.0])})
    xv = np.array([1.0, 3.0])
    np.testing.assert_allclose(function([x], g)(xv), 2 * xv * np.array([10.0, 20.0]))
    # Other paths from the cost to x still count.
    h = x * 3
    g = grad((h**2).sum() + T.sum(x), x, known_grads={h: T.ones_like(h)})
    np.testing.assert_allclose(function([x], g)([1.0, 2.0]), [4.0, 4.0])


def test_known_grads_scalar_and_several() -> None:
    x = T.dscalar("x")
    a, b = T.sin(x), x**3
    g = grad(None, x, known_grads={a: 2.0, b: T.constant(1.0)})
    assert function([x], g)(0.5) == pytest.approx(2 * np.cos(0.5) + 3 * 0.25)


def test_known_grads_of_wrong_rank() -> None:
    x = T.dvector("x")
    with pytest.raises(TypeError, match="rank 2, not 1"):
        grad(None, x, known_grads={x: np.ones((2, 2))})


# -- shared variables and updates ---------------------------------------------------------------


def test_gradient_with_respect_to_shared_variables() -> None:
    w = shared(np.array([1.0, -2.0]), name="w")
    x = T.dvector("x")
    g = grad(T.sum(w * x) ** 2, w)
    xv = np.array([3.0, 0.5])
    np.testing.assert_allclose(function([x], g)(xv), 2 * (xv @ w.get_value()) * xv)


def test_sgd_steps_in_updates_match_numpy() -> None:
    xv = _RNG.normal(size=(5, 3))
    tv = _RNG.normal(size=5)
    w0, b0 = _RNG.normal(size=3), 0.25
    w = shared(w0.copy(), name="w")
    b = shared(b0, name="b")
    x, t = T.dmatrix("x"), T.dvector("t")
    cost = T.mean((T.dot(x, w) + b - t) ** 2)
    gw, gb = grad(cost, [w, b])
    rate = 0.1
    train = function([x, t], cost, updates=[(w, w - rate * gw), (b, b - rate * gb)])

    w_np, b_np = w0.copy(), float(b0)
    for _ in range(4):
        error = xv @ w_np + b_np - tv
        expected_cost = np.mean(error**2)
        w_np = w_np - rate * 2 * xv.T @ error / len(tv)
        b_np = b_np - rate * 2 * float(np.mean(error))
        assert train(xv, tv) == pytest.approx(expected_cost)
        np.testing.assert_allclose(w.get_value(), w_np)
        assert float(b.get_value()) == pytest.approx(b_np)


# -- locations ---------------------------------------------------------------------------------


def test_gradient_ops_carry_the_users_location() -> None:
    x, w = T.dvector("x"), T.dmatrix("w")
    cost = T.sum(T.nnet.softmax(T.dot(w, x).dimshuffle("x", 0))[0, [0, 1]] * T.prod(x))
    before = {id(op) for op in _ops(cost)}
    line = _line() + 1
    gx, gw = grad(cost, [x, w])
    new_ops = [op for g in (gx, gw) for op in _ops(g) if id(op) not in before]
    assert new_ops
    this_file = Path(__file__).resolve()
    for op in new_ops:
        location = op.location
        assert isinstance(location, FileLineColLoc), op.name
        assert location.line.data == line, (op.name, format_location(location))
        assert Path(location.filename.data).resolve() == this_file
    filename, line_text, _column = gx.location.rsplit(":", 2)
    assert Path(filename).resolve() == this_file and int(line_text) == line


# -- higher derivatives, jacobian, hessian -----------------------------------------------------


def test_second_and_third_derivatives() -> None:
    x = T.dscalar("x")
    first = grad(T.sin(x) * x, x)
    second = grad(first, x)
    third = grad(second, x)
    xv = 0.7
    values = function([x], [first, second, third])(xv)
    np.testing.assert_allclose(
        values,
        [
            np.cos(xv) * xv + np.sin(xv),
            -np.sin(xv) * xv + 2 * np.cos(xv),
            -np.cos(xv) * xv - 3 * np.sin(xv),
        ],
    )


def test_grad_of_grad_of_a_vector_cost() -> None:
    x = T.dvector("x")
    g = grad(T.sum(T.exp(x) * x), x)
    gg = grad(T.sum(g), x)
    xv = np.array([-1.0, 0.0, 2.0])
    np.testing.assert_allclose(function([x], gg)(xv), (xv + 2) * np.exp(xv))


SECOND_ORDER: dict[str, tuple[Callable[..., TensorVariable], list[Array]]] = {
    "tanh": (lambda x: T.tanh(x) ** 2, [_RNG.uniform(-1, 1, (2, 3))]),
    "softmax": (lambda x: T.nnet.softmax(x)[:, 0], [_RNG.uniform(-1, 1, (2, 3))]),
    "prod": (lambda x: T.prod(x, axis=1), [np.array([[0.5, 2.0, -1.5], [1.0, 0.0, 3.0]])]),
    "prod-zeros": (
        lambda x: T.prod(x, axis=0),
        [np.array([[0.0, 0.0, 0.0, 1.5], [2.0, 0.0, 0.0, -1.0], [-0.5, 3.0, 0.0, 2.0]])],
    ),
    "max": (lambda x: T.max(x, axis=0) ** 2, [np.array([[0.5, 2.0], [1.0, -3.0]])]),
    "dot": (lambda a, b: T.dot(a, b) ** 2, [_RNG.uniform(-1, 1, (2, 3)), _RNG.uniform(-1, 1, 3)]),
    "indexing": (lambda x: x[[0, 0, 2]] ** 3, [_RNG.uniform(0.5, 1, 3)]),
    "set-subtensor": (
        lambda x, y: T.set_subtensor(x[[1, 1]], y) ** 2,
        [_RNG.uniform(-1, 1, 3), _RNG.uniform(-1, 1, 2)],
    ),
    "concatenate": (
        lambda a, b: T.concatenate([a, b**2], axis=0) ** 2,
        [_RNG.uniform(-1, 1, (1, 2)), _RNG.uniform(-1, 1, (2, 2))],
    ),
    "mean-reshape": (lambda x: T.mean(x.reshape((2, 2)) ** 3, axis=0), [_RNG.uniform(-1, 1, 4)]),
    "pow-div": (lambda a, b: a**b / (a + b), [_RNG.uniform(0.5, 2, 3), _RNG.uniform(0.5, 2, 3)]),
}


@pytest.mark.parametrize("name", sorted(SECOND_ORDER))
def test_gradient_graphs_are_differentiable(name: str) -> None:
    fun, point = SECOND_ORDER[name]

    def gradient(*inputs: TensorVariable) -> TensorVariable:
        gradients = grad(T.sum(fun(*inputs)), list(inputs))
        return T.concatenate([g.flatten() for g in gradients])

    verify_grad(gradient, point)


def test_jacobian_matches_numpy() -> None:
    x = TensorType("float64", shape=(3,))("x")
    a = np.array([[1.0, 2.0, 0.0], [0.0, -1.0, 3.0]])
    jac = jacobian(T.dot(T.constant(a), T.sin(x)), x)
    assert isinstance(jac, TensorVariable) and jac.type.shape == (2, 3)
    xv = np.array([0.1, 0.2, 0.3])
    np.testing.assert_allclose(function([x], jac)(xv), a * np.cos(xv))


def test_jacobian_of_a_matrix_and_of_several_inputs() -> None:
    x = TensorType("float64", shape=(2,))("x")
    y = TensorType("float64", shape=(3,))("y")
    outer = T.outer(x, y)
    jx, jy = jacobian(outer, [x, y])
    xv, yv = np.array([1.0, 2.0]), np.array([3.0, 4.0, 5.0])
    ax, ay = function([x, y], [jx, jy])(xv, yv)
    assert ax.shape == (2, 3, 2) and ay.shape == (2, 3, 3)
    np.testing.assert_allclose(ax, np.einsum("ik,j->ijk", np.eye(2), yv))
    np.testing.assert_allclose(ay, np.einsum("i,jk->ijk", xv, np.eye(3)))


def test_jacobian_of_a_scalar_is_the_gradient() -> None:
    x = T.dvector("x")  # a 0-d expression needs no static shape
    jac = jacobian(T.sum(x**2), x)
    np.testing.assert_allclose(function([x], jac)(np.array([1.0, 2.0])), [2.0, 4.0])


def test_jacobian_with_a_symbolic_wrt_shape() -> None:
    # Only the expression's shape must be static; the wrt axes may be symbolic.
    x = T.dvector("x")
    expression = T.stack([T.sum(x**2), T.prod(x)])
    jac = jacobian(expression, x)
    xv = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(function([x], jac)(xv), [2 * xv, np.prod(xv) / xv])


def test_jacobian_and_hessian_of_symbolic_shapes_loop_over_the_rows() -> None:
    # One scan step per row (issue 15), so a T.dvector needs no static shape, and the graph
    # holds one loop, not one gradient per row.
    from tracegraph.ir.ops import ScanOp

    x = T.dvector("x")
    j, h = jacobian(x**2, x), hessian(T.sum(x**3) * T.sum(x), x)
    assert j.type.shape == h.type.shape == (None, None)
    f = function([x], [j, h])
    assert sum(isinstance(op, ScanOp) for op in f.maker.fgraph.toposort()) >= 1
    xv = np.array([1.0, 2.0, 3.0])
    jv, hv = f(xv)
    np.testing.assert_allclose(jv, np.diag(2 * xv))
    total = np.sum(xv)
    expected = np.diag(6 * xv * total) + 3 * xv[:, None] ** 2 + 3 * xv[None, :] ** 2
    np.testing.assert_allclose(hv, expected)


def test_hessian_matches_numpy() -> None:
    x = TensorType("float64", shape=(3,))("x")
    a = np.array([[2.0, 1.0, 0.0], [1.0, 3.0, -1.0], [0.0, -1.0, 1.0]])
    quadratic = 0.5 * T.dot(x, T.dot(T.constant(a), x)) + T.sum(T.exp(x))
    h = hessian(quadratic, x)
    assert isinstance(h, TensorVariable) and h.type.shape == (3, 3)
    xv = np.array([0.1, -0.2, 0.3])
    np.testing.assert_allclose(function([x], h)(xv), a + np.diag(np.exp(xv)))


@pytest.mark.parametrize(
    "point",
    [[1.5, -2.0, 0.5, 3.0], [1.5, 0.0, 0.5, 3.0], [0.0, -2.0, 0.0, 3.0], [0.0, 0.0, 0.5, 0.0]],
    ids=["no-zero", "one-zero", "two-zeros", "three-zeros"],
)
def test_hessian_of_prod_with_zeros(point: list[float]) -> None:
    # Regression: the gradient of prod was right at zeros, but its own derivative was not (the
    # gradient treated the zeros as constants), so the Hessian had zeros where it should not.
    x = TensorType("float64", shape=(4,))("x")
    xv = np.array(point)
    expected = np.array(
        [[0.0 if j == k else np.prod(np.delete(xv, [j, k])) for k in range(4)] for j in range(4)]
    )
    np.testing.assert_allclose(function([x], hessian(T.prod(x), x))(xv), expected)


def test_hessian_of_several_inputs() -> None:
    x = TensorType("float64", shape=(2,))("x")
    y = TensorType("float64", shape=(1,))("y")
    cost = T.sum(x**3) * T.sum(y**2)
    hx, hy = hessian(cost, [x, y])
    xv, yv = np.array([1.0, 2.0]), np.array([3.0])
    ax, ay = function([x, y], [hx, hy])(xv, yv)
    np.testing.assert_allclose(ax, np.diag(6 * xv) * 9.0)
    np.testing.assert_allclose(ay, [[2.0 * np.sum(xv**3)]])
