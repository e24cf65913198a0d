"""What tracegraph supports of Theano, generated from the code: for each public name of
Theano 1.0's ``tensor``, ``nnet``, ``signal.pool``, ``nlinalg``, ``slinalg``, ``gradient``,
``compile`` and top-level modules, whether tracegraph has it (looked up in its modules), and
for what it lacks or has in part, why. ``docs/support.md`` is this module's output, and a test
regenerates it (``python -m tracegraph.tools.support > docs/support.md``), so it cannot go
stale: implementing a name listed as missing fails the test until its entry goes.

>>> status("theano.tensor", "exp")
('supported', '')
>>> status("theano.tensor", "zscalar")[0]
'not planned'
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator

THEANO: dict[str, str] = {
    "theano": """
        function shared In Out Param Mode FAST_RUN FAST_COMPILE grad dot clone scan map reduce
        foldl foldr config printing pp debugprint Op Apply Variable Constant gof compile tensor
        gradient ifelse sparse gpuarray OpFromGraph as_op ProfileStats pydotprint
        function_dump SharedVariable
    """,
    "theano.tensor": """
        scalar scalars vector vectors row rows col cols matrix matrices tensor3 tensor3s tensor4
        tensor4s tensor5 tensor5s tensor6 tensor7
        bscalar bvector brow bcol bmatrix btensor3 btensor4
        wscalar wvector wrow wcol wmatrix wtensor3 wtensor4
        iscalar ivector irow icol imatrix itensor3 itensor4 iscalars ivectors imatrices
        lscalar lvector lrow lcol lmatrix ltensor3 ltensor4 lscalars lvectors lmatrices
        fscalar fvector frow fcol fmatrix ftensor3 ftensor4 fscalars fvectors fmatrices
        dscalar dvector drow dcol dmatrix dtensor3 dtensor4 dscalars dvectors dmatrices
        cscalar cvector cmatrix zscalar zvector zmatrix
        TensorType TensorVariable TensorConstant TensorSharedVariable tensor
        as_tensor_variable as_tensor constant cast
        abs_ add sub mul true_div int_div floor_div mod pow neg inv sqr sqrt exp exp2 expm1 log
        log2 log10 log1p sin cos tan arcsin arccos arctan arctan2 sinh cosh tanh arcsinh
        arccosh arctanh sgn ceil floor trunc iround round round_half_to_even
        round_half_away_from_zero erf erfc erfcx erfinv erfcinv gamma gammaln psi tri_gamma
        chi2sf gammainc gammaincc gammau gammal j0 j1 jv i0 i1 iv sigmoid softplus deg2rad
        rad2deg maximum minimum clip real imag angle complex conj complex_from_polar isnan isinf
        isclose allclose eq neq lt le gt ge and_ or_ xor invert bitwise_and bitwise_or
        bitwise_xor bitwise_not switch where
        sum prod mean var std max min argmax argmin max_and_argmax any all ptp cumsum cumprod
        dot tensordot batched_dot batched_tensordot outer
        fill second zeros ones zeros_like ones_like alloc arange eye identity_like tri tril triu
        diag diagonal tile repeat roll reshape flatten shape transpose squeeze shape_padleft
        shape_padright shape_padaxis specify_shape addbroadcast unbroadcast patternbroadcast
        join stack concatenate vertical_stack horizontal_stack split sort argsort mgrid ogrid
        nonzero flatnonzero nonzero_values inc_subtensor set_subtensor take choose largest
        smallest grad jacobian hessian Lop Rop verify_grad get_scalar_constant_value
        NotScalarConstantError power extra_ops nnet nlinalg slinalg signal bincount diff unique
        fill_diagonal fill_diagonal_offset searchsorted compress to_one_hot ravel_multi_index
        unravel_index shared_randomstreams
    """,
    "theano.tensor.nnet": """
        sigmoid softplus softmax logsoftmax relu elu selu softsign hard_sigmoid
        ultra_fast_sigmoid binary_crossentropy sigmoid_binary_crossentropy
        categorical_crossentropy crossentropy_categorical_1hot crossentropy_softmax_1hot
        crossentropy_softmax_argmax_1hot_with_bias crossentropy_softmax_1hot_with_bias
        crossentropy_softmax_max_and_argmax_1hot crossentropy_softmax_max_and_argmax_1hot_with_bias
        softmax_with_bias softmax_graph conv2d conv3d conv2d_transpose separable_conv2d
        abstract_conv bn h_softmax confusion_matrix images2neibs neibs2images ctc
    """,
    "theano.tensor.nnet.bn": """
        batch_normalization batch_normalization_train batch_normalization_test
    """,
    "theano.tensor.signal.pool": """
        pool_2d pool_3d max_pool_2d_same_size
    """,
    "theano.tensor.nlinalg": """
        matrix_inverse pinv det eig eigh svd qr matrix_dot trace diag extract_diag alloc_diag
        norm lstsq matrix_power tensorinv tensorsolve
    """,
    "theano.tensor.slinalg": """
        cholesky solve solve_lower_triangular solve_upper_triangular solve_symmetric eigvalsh
        expm kron
    """,
    "theano.gradient": """
        grad jacobian hessian Lop Rop verify_grad disconnected_grad zero_grad grad_clip
        consider_constant grad_not_implemented grad_undefined DisconnectedType
        DisconnectedInputError NullTypeGradError GradientError subgraph_grad numeric_grad
        grad_scale
    """,
    "theano.compile": """
        function pfunc shared SharedVariable In Out Param Mode FAST_RUN FAST_COMPILE DebugMode
        ProfileStats MonitorMode OpFromGraph as_op get_mode predefined_modes register_mode
        function_dump rebuild_collect_shared
    """,
}
"""Theano 1.0's public names, by module (the data this page checks against)."""

MODULES: dict[str, str] = {
    "theano": "tracegraph",
    "theano.tensor": "tracegraph.tensor",
    "theano.tensor.nnet": "tracegraph.tensor.nnet",
    "theano.tensor.nnet.bn": "tracegraph.tensor.nnet.bn",
    "theano.tensor.signal.pool": "tracegraph.tensor.signal.pool",
    "theano.tensor.nlinalg": "tracegraph.tensor.nlinalg",
    "theano.tensor.slinalg": "tracegraph.tensor.slinalg",
    "theano.gradient": "tracegraph.gradient",
    "theano.compile": "tracegraph.compile",
}
"""Where each Theano module's names are looked up."""

_COMPLEX = "tracegraph has no complex dtypes"
_GPU = "the GPU backend is Triton (device=cuda), not libgpuarray"

NOT_PLANNED: dict[tuple[str, str], str] = {
    **{
        ("theano.tensor", name): _COMPLEX
        for name in [
            "cscalar",
            "cvector",
            "cmatrix",
            "zscalar",
            "zvector",
            "zmatrix",
            "real",
            "imag",
            "angle",
            "complex",
            "conj",
            "complex_from_polar",
        ]
    },
    ("theano", "sparse"): "sparse matrices (theano.sparse) are not planned",
    ("theano", "gpuarray"): _GPU,
    ("theano.tensor", "TensorSharedVariable"): "shared variables are tracegraph.SharedVariable",
    ("theano.tensor", "tensor6"): "tensors of rank 6 and 7 are made with T.tensor(dtype, shape)",
    ("theano.tensor", "tensor7"): "tensors of rank 6 and 7 are made with T.tensor(dtype, shape)",
    ("theano.compile", "predefined_modes"): "modes are FAST_RUN, FAST_COMPILE or a Mode",
    ("theano.compile", "register_mode"): "modes are FAST_RUN, FAST_COMPILE or a Mode",
    ("theano.compile", "rebuild_collect_shared"): "an internal of Theano's function",
    ("theano.tensor.nnet", "ctc"): "CTC was a wrapper of Baidu's warp-ctc library",
    ("theano.tensor.nlinalg", "eig"): f"eig's results are complex; {_COMPLEX}",
}
"""Names tracegraph will not have, and why."""

NOT_YET: dict[tuple[str, str], str] = {
    ("theano", "OpFromGraph"): "a graph as an op (issue 16 names user ops in Python only)",
    ("theano", "function_dump"): "not yet",
    ("theano.compile", "OpFromGraph"): "a graph as an op: not yet",
    ("theano.compile", "function_dump"): "not yet",
    **{
        ("theano.tensor", name): "special functions of SciPy not wired yet"
        for name in [
            "erfcx",
            "erfcinv",
            "chi2sf",
            "gammainc",
            "gammaincc",
            "gammau",
            "gammal",
            "j0",
            "j1",
            "jv",
            "i0",
            "i1",
            "iv",
        ]
    },
    ("theano.tensor", "split"): "its sizes are data: several results of unknown size, not yet",
    ("theano.tensor", "bincount"): "its size is data: not yet",
    ("theano.tensor", "unique"): "its size is data: not yet",
    ("theano.tensor", "compress"): "not yet (boolean indexing does it: x[mask])",
    ("theano.tensor", "take"): "not yet (indexing does it: x[indices])",
    ("theano.tensor", "choose"): "not yet",
    ("theano.tensor", "searchsorted"): "not yet",
    ("theano.tensor", "fill_diagonal_offset"): "not yet",
    ("theano.tensor", "ravel_multi_index"): "not yet",
    ("theano.tensor", "unravel_index"): "not yet",
    ("theano.tensor", "get_scalar_constant_value"): "not yet",
    ("theano.tensor", "NotScalarConstantError"): "not yet",
    ("theano.tensor", "round_half_to_even"): "T.round(x, 'half_to_even') does it",
    ("theano.tensor", "round_half_away_from_zero"): "T.round(x, 'half_away_from_zero') does it",
    ("theano.tensor", "tensor5s"): "not yet",
    ("theano.tensor.nnet", "conv3d"): "3-d convolutions: not yet",
    ("theano.tensor.nnet", "conv2d_transpose"): "not yet (the gradient op computes it)",
    ("theano.tensor.nnet", "separable_conv2d"): "not yet (conv2d with num_groups)",
    ("theano.tensor.nnet", "h_softmax"): "not yet",
    ("theano.tensor.nnet", "confusion_matrix"): "not yet",
    ("theano.tensor.nnet", "images2neibs"): "not yet",
    ("theano.tensor.nnet", "neibs2images"): "not yet",
    ("theano.tensor.signal.pool", "pool_3d"): "3-d pooling: not yet",
    ("theano.tensor.signal.pool", "max_pool_2d_same_size"): "not yet",
    ("theano.tensor.nlinalg", "lstsq"): "not yet",
    ("theano.tensor.nlinalg", "tensorinv"): "not yet",
    ("theano.tensor.nlinalg", "tensorsolve"): "not yet",
    ("theano.tensor.slinalg", "expm"): "not yet",
    ("theano.gradient", "grad_not_implemented"): "not yet (a user op's grad may raise)",
    ("theano.gradient", "grad_undefined"): "not yet",
    ("theano.gradient", "DisconnectedType"): "not yet (a user op's grad returns None)",
    ("theano.gradient", "subgraph_grad"): "not yet",
    ("theano.gradient", "numeric_grad"): "not yet (verify_grad)",
    ("theano.gradient", "grad_scale"): "not yet",
}
"""Names tracegraph lacks for now, and why (or what to use instead)."""

PARTIAL: dict[tuple[str, str], str] = {
    ("theano.tensor.nnet", "conv2d"): "no unshared filters; C and GPU run NumPy kernels",
    ("theano.tensor.slinalg", "eigvalsh"): "no generalized problem (b)",
    (
        "theano.tensor.nlinalg",
        "norm",
    ): "matrix norms 2, -2 and 'nuc' are not supported (as in Theano)",
    ("theano", "Op"): "perform only (no c_code, no make_thunk); R_op comes from grad",
    ("theano.tensor", "sort"): "every kind gives the same values; argsort is stable",
    ("theano.tensor", "argsort"): "always stable (kind is accepted)",
    ("theano.tensor", "nonzero"): "its results' size is data: C and GPU compute it on the host",
    ("theano.tensor", "verify_grad"): "in tracegraph.gradient",
}
"""Names tracegraph has with a limitation, and what it is."""


def _names(module: str) -> list[str]:
    return THEANO[module].split()


def _lookup(module: str, name: str) -> bool:
    where = importlib.import_module(MODULES[module])
    if module == "theano.tensor" and name == "verify_grad":
        where = importlib.import_module("tracegraph.gradient")
    try:
        getattr(where, name)
    except AttributeError:
        return False
    return True


def status(module: str, name: str) -> tuple[str, str]:
    """``(status, why)`` of one of Theano's names: ``supported``, ``partial``, ``not yet``,
    ``not planned``, or ``missing`` (lacking without a reason: the test fails on it)."""
    key = (module, name)
    if _lookup(module, name):
        if key in PARTIAL:
            return "partial", PARTIAL[key]
        return "supported", ""
    if key in NOT_PLANNED:
        return "not planned", NOT_PLANNED[key]
    if key in NOT_YET:
        return "not yet", NOT_YET[key]
    return "missing", ""


def rows() -> Iterator[tuple[str, str, str, str]]:
    """``(module, name, status, why)`` for every name of ``THEANO``."""
    for module in THEANO:
        for name in _names(module):
            yield (module, name, *status(module, name))


def render() -> str:
    """The Markdown page: counts, then one table per module."""
    table = list(rows())
    counts: dict[str, int] = {}
    for _, _, state, _ in table:
        counts[state] = counts.get(state, 0) + 1
    lines = [
        "# What tracegraph supports of Theano",
        "",
        "Generated by `python -m tracegraph.tools.support > docs/support.md` from",
        "`src/tracegraph/tools/support.py` (Theano 1.0's public names, each looked up in",
        "tracegraph's modules); `tests/tools/test_support.py` fails when this page is stale.",
        "",
        ", ".join(f"{state}: {counts[state]}" for state in sorted(counts)),
        "",
    ]
    for module in THEANO:
        lines += [f"## `{module}` (in `{MODULES[module]}`)", "", "| name | status | note |"]
        lines.append("| --- | --- | --- |")
        for row_module, name, state, why in table:
            if row_module == module:
                lines.append(f"| `{name}` | {state} | {why} |")
        lines.append("")
    return "\n".join(lines)


def main() -> int:
    """Print the page."""
    sys.stdout.write(render())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
