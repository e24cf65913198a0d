"""The examples of Theano's "Extending Theano" page (creating an op in Python), with ``theano``
renamed to ``tracegraph``: ``DoubleOp`` (``__props__``), ``DoubleOp2`` (``__eq__``/``__hash__``),
``AXPBOp`` (properties that make ops equal), ``itypes``/``otypes``, and ``as_op``. They run as
the page writes them and give its values; the page's own checks are ``numpy.allclose``."""

from __future__ import annotations

import pickle
import warnings
from typing import Any

import numpy
import pytest

import tracegraph
import tracegraph.tensor
from tracegraph import function
from tracegraph.compile.ops import as_op

# -- the page's code, as written there (theano -> tracegraph) ------------------------------------


class DoubleOp(tracegraph.Op):
    __props__ = ()

    def make_node(self, x: Any) -> Any:
        x = tracegraph.tensor.as_tensor_variable(x)
        # Note: using x_.type() is dangerous, as it copies x's broadcasting
        # behaviour
        return tracegraph.Apply(self, [x], [x.type()])

    def perform(self, node: Any, inputs: Any, output_storage: Any) -> None:
        x = inputs[0]
        z = output_storage[0]
        z[0] = x * 2

    def infer_shape(self, node: Any, i0_shapes: Any) -> Any:
        return i0_shapes

    def grad(self, inputs: Any, output_grads: Any) -> Any:
        return [output_grads[0] * 2]

    def R_op(self, inputs: Any, eval_points: Any) -> Any:
        # R_op can receive None as eval_points.
        # That mean there is no diferientiable path through that input
        # If this imply that you cannot compute some outputs,
        # return None for those.
        if eval_points[0] is None:
            return eval_points
        return self.grad(inputs, eval_points)


doubleOp1 = DoubleOp()


class DoubleOp2(tracegraph.Op):
    def __eq__(self, other: object) -> bool:
        return type(self) == type(other)  # noqa: E721 - the page's spelling

    def __hash__(self) -> int:
        return hash(type(self))

    def __str__(self) -> str:
        return self.__class__.__name__

    def make_node(self, x: Any) -> Any:
        x = tracegraph.tensor.as_tensor_variable(x)
        return tracegraph.Apply(self, [x], [x.type()])

    def perform(self, node: Any, inputs: Any, output_storage: Any) -> None:
        x = inputs[0]
        z = output_storage[0]
        z[0] = x * 2

    def infer_shape(self, node: Any, i0_shapes: Any) -> Any:
        return i0_shapes

    def grad(self, inputs: Any, output_grads: Any) -> Any:
        return [output_grads[0] * 2]


doubleOp2 = DoubleOp2()


class AXPBOp(tracegraph.Op):
    """
    This creates an Op that takes x to a*x+b.
    """

    __props__ = ("a", "b")

    def __init__(self, a: float, b: float) -> None:
        self.a = a
        self.b = b
        super(AXPBOp, self).__init__()  # noqa: UP008 - the page's spelling

    def make_node(self, x: Any) -> Any:
        x = tracegraph.tensor.as_tensor_variable(x)
        return tracegraph.Apply(self, [x], [x.type()])

    def perform(self, node: Any, inputs: Any, output_storage: Any) -> None:
        x = inputs[0]
        z = output_storage[0]
        z[0] = self.a * x + self.b

    def infer_shape(self, node: Any, i0_shapes: Any) -> Any:
        return i0_shapes

    def grad(self, inputs: Any, output_grads: Any) -> Any:
        return [self.a * output_grads[0]]


class DoubleOpTyped(tracegraph.Op):
    """The page's other way: ``itypes`` and ``otypes`` instead of ``make_node``."""

    __props__ = ()
    itypes = [tracegraph.tensor.dmatrix]  # noqa: RUF012 - the page's spelling
    otypes = [tracegraph.tensor.dmatrix]  # noqa: RUF012

    def perform(self, node: Any, inputs: Any, output_storage: Any) -> None:
        output_storage[0][0] = inputs[0] * 2


def infer_shape_numpy_dot(node: Any, input_shapes: Any) -> Any:
    ashp, bshp = input_shapes
    return [ashp[:-1] + bshp[-1:]]


@as_op(
    itypes=[tracegraph.tensor.fmatrix, tracegraph.tensor.fmatrix],
    otypes=[tracegraph.tensor.fmatrix],
    infer_shape=infer_shape_numpy_dot,
)
def numpy_dot(a: Any, b: Any) -> Any:
    return numpy.dot(a, b)


# -- the page's uses -----------------------------------------------------------------------------


def test_using_double_op(capsys: pytest.CaptureFixture[str]) -> None:
    x = tracegraph.tensor.matrix()
    f = tracegraph.function([x], doubleOp1(x))
    inp = numpy.random.rand(5, 4)
    out = f(inp)
    assert numpy.allclose(inp * 2, out)
    print(inp)
    print(out)
    printed = capsys.readouterr().out
    assert printed.count("[") == 2 * (5 + 1)


def test_double_op2_is_the_same_op_by_its_eq() -> None:
    x = tracegraph.tensor.matrix()
    f = tracegraph.function([x], doubleOp2(x))
    inp = numpy.random.rand(5, 4)
    assert numpy.allclose(inp * 2, f(inp))
    assert DoubleOp2() == doubleOp2
    assert str(doubleOp2) == "DoubleOp2"


def test_axpb_ops_are_equal_by_their_properties() -> None:
    mult4plus5op = AXPBOp(4, 5)
    another_mult4plus5op = AXPBOp(4, 5)
    mult2plus3op = AXPBOp(2, 3)

    assert mult4plus5op == another_mult4plus5op
    assert mult4plus5op != mult2plus3op

    x = tracegraph.tensor.matrix()
    f = tracegraph.function([x], mult4plus5op(x))
    g = tracegraph.function([x], mult2plus3op(x))

    inp = numpy.random.rand(5, 4).astype(numpy.float32)
    assert numpy.allclose(4 * inp + 5, f(inp))
    assert numpy.allclose(2 * inp + 3, g(inp))


def test_itypes_and_otypes_instead_of_make_node() -> None:
    x = tracegraph.tensor.dmatrix()
    f = tracegraph.function([x], DoubleOpTyped()(x))
    inp = numpy.random.rand(2, 3)
    assert numpy.allclose(inp * 2, f(inp))
    with pytest.raises(TypeError, match="itypes"):
        DoubleOpTyped()(tracegraph.tensor.fmatrix())


def test_as_op() -> None:
    x = tracegraph.tensor.fmatrix()
    y = tracegraph.tensor.fmatrix()
    f = function([x, y], numpy_dot(x, y))
    inp1 = numpy.random.rand(5, 4).astype("float32")
    inp2 = numpy.random.rand(4, 7).astype("float32")
    out = f(inp1, inp2)
    assert out.dtype == numpy.float32
    assert numpy.allclose(out, numpy.dot(inp1, inp2))


# -- what else a user op takes part in ------------------------------------------------------------


def test_gradients_through_the_users_grad() -> None:
    x = tracegraph.tensor.dvector("x")
    cost = tracegraph.tensor.sum(AXPBOp(3.0, 1.0)(doubleOp1(x)) ** 2)
    g = tracegraph.function([x], tracegraph.grad(cost, x))
    value = numpy.array([1.0, -2.0])
    numpy.testing.assert_allclose(g(value), 2 * (6 * value + 1) * 6)
    tracegraph.gradient.verify_grad(
        lambda v: tracegraph.tensor.sum(doubleOp1(v) ** 3), [value], rng=numpy.random
    )


def test_rop_of_a_user_op_comes_from_its_grad() -> None:
    x, v = tracegraph.tensor.dvectors("x", "v")
    rop = tracegraph.tensor.Rop(doubleOp1(x), x, v)
    result = tracegraph.function([x, v], rop)(numpy.ones(2), numpy.array([1.0, 3.0]))
    numpy.testing.assert_allclose(result, [2.0, 6.0])


def test_an_op_without_grad_says_so() -> None:
    x = tracegraph.tensor.dmatrix("x")
    with pytest.raises(tracegraph.UndefinedGradientError, match="defines no grad"):
        tracegraph.grad(tracegraph.tensor.sum(DoubleOpTyped()(x)), x)


def test_equal_applications_are_merged_and_unused_ones_dropped() -> None:
    x = tracegraph.tensor.dvector("x")
    f = tracegraph.function([x], AXPBOp(2, 1)(x) + AXPBOp(2, 1)(x))
    final = f.dump_ir("final")
    assert final.count("tg.python_op") == 1
    assert "AXPBOp(a=2, b=1)" in final
    numpy.testing.assert_allclose(f(numpy.array([1.0])), [6.0])


@pytest.mark.parametrize("mode", ["FAST_COMPILE", "FAST_RUN"])
def test_user_ops_run_on_every_cpu_backend_and_pickle(mode: str) -> None:
    x = tracegraph.tensor.dvector("x")
    f = tracegraph.function([x], AXPBOp(4, 5)(x) * 2, mode=mode)
    numpy.testing.assert_allclose(f(numpy.array([1.0])), [18.0])
    restored = pickle.loads(pickle.dumps(f))
    numpy.testing.assert_allclose(restored(numpy.array([2.0])), [26.0])


def test_a_wrong_output_dtype_is_an_error() -> None:
    class Wrong(tracegraph.Op):
        __props__ = ()

        def make_node(self, x: Any) -> Any:
            x = tracegraph.tensor.as_tensor_variable(x)
            return tracegraph.Apply(self, [x], [x.type()])

        def perform(self, node: Any, inputs: Any, output_storage: Any) -> None:
            output_storage[0][0] = inputs[0].astype(numpy.int32)

    x = tracegraph.tensor.dvector("x")
    with pytest.raises(tracegraph.GraphTypeError, match="int32"):
        tracegraph.function([x], Wrong()(x), mode="FAST_COMPILE")(numpy.ones(2))


def test_on_the_gpu_target_a_user_op_is_a_host_round_trip() -> None:
    pytest.importorskip("triton")
    x = tracegraph.tensor.dvector("x")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        f = tracegraph.function([x], AXPBOp(4, 5)(x), mode=tracegraph.Mode(linker="triton"))
    numpy.testing.assert_allclose(f(numpy.array([1.0])), [9.0])


_MODULE = """
import tracegraph, tracegraph.tensor as T

class AXPB(tracegraph.Op):
    __props__ = ("a", "b")
    def __init__(self, a, b):
        self.a, self.b = a, b
    def make_node(self, x):
        x = T.as_tensor_variable(x)
        return tracegraph.Apply(self, [x], [x.type()])
    def perform(self, node, inputs, out):
        out[0][0] = self.a * inputs[0] + self.b
"""


def test_a_pickled_function_with_user_ops_runs_in_another_process(tmp_path: Any) -> None:
    import subprocess
    import sys

    (tmp_path / "user_ops_module.py").write_text(_MODULE)
    save = (
        "import pickle, tracegraph, tracegraph.tensor as T\n"
        "from user_ops_module import AXPB\n"
        "x = T.dvector('x')\n"
        "f = tracegraph.function([x], AXPB(4, 5)(x) + AXPB(2, 0)(x))\n"
        "open('f.pkl', 'wb').write(pickle.dumps(f))\n"
    )
    load = (
        "import pickle, numpy, tracegraph.tensor as T\n"
        "from user_ops_module import AXPB\n"
        "AXPB(7, 7)(T.dvector())\n"
        "f = pickle.loads(open('f.pkl', 'rb').read())\n"
        "print(f(numpy.array([1.0, 2.0])).tolist())\n"
    )
    env = {**__import__("os").environ, "PYTHONPATH": f"{tmp_path}:{sys.path[0]}"}
    for script in (save, load):
        done = subprocess.run(
            [sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[11.0, 17.0]"
