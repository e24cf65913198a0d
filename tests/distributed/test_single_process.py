"""``tracegraph.distributed`` in one process: the world of one, the collectives as ops of the
graph on every backend (never merged or dropped by the passes), the helpers (``shard``,
``broadcast_shared``) on a communicator that pretends to be one rank of several."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import tracegraph
import tracegraph.distributed as tgd
import tracegraph.tensor as T
from tracegraph.ir.communication import Communicator, SingleProcess, install
from tracegraph.tensor.shared_randomstreams import RandomStreams

LINKERS = ["numpy", "c", *(["triton"] if importlib.util.find_spec("triton") else [])]


def test_alone_the_world_is_one_process(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in tgd.LAUNCHERS:
        monkeypatch.delenv(name, raising=False)
    assert isinstance(tgd.init(), SingleProcess)
    assert (tgd.rank(), tgd.size(), tgd.is_root()) == (0, 1, True)
    assert tgd.seed_for_rank(7) == 7


def test_under_a_launcher_without_mpi4py_the_error_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PMI_RANK", "0")
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ImportError, match=r"tracegraph\[distributed\]"):
        tgd.init()


@pytest.mark.parametrize("linker", LINKERS)
def test_the_collectives_run_on_every_backend(linker: str, three_ranks: Communicator) -> None:
    x = T.dvector("x")
    f = tracegraph.function(
        [x],
        [
            tgd.all_reduce(x, "sum"),
            tgd.all_reduce(x * 2, "mean"),
            tgd.all_reduce(x, "max"),
            tgd.broadcast(x, root=2),
            tgd.all_gather(x),
        ],
        mode=tracegraph.Mode(linker=linker),
    )
    values = np.array([1.0, -2.0])
    total, mean, largest, broadcast, gathered = f(values)
    np.testing.assert_allclose(total, values * 111)
    np.testing.assert_allclose(mean, values * 2 * 37)
    np.testing.assert_allclose(largest, np.max([values * 10, values, values * 100], axis=0))
    np.testing.assert_allclose(broadcast, values * 100)
    np.testing.assert_allclose(gathered, np.concatenate([values * 10, values, values * 100]))


def test_the_gradient_of_an_all_reduce_is_the_all_reduce_of_the_gradient(
    three_ranks: Communicator,
) -> None:
    x = T.dvector("x")
    grad = tracegraph.function([x], T.grad(tgd.all_reduce(x**2, "sum").sum(), x))
    values = np.array([1.0, 3.0])
    # On each rank d/dx of the summed cost is 2x; summed over the ranks (x, 10x, 100x here).
    np.testing.assert_allclose(grad(values), 2 * values * 111)


def test_the_passes_neither_merge_nor_drop_collectives() -> None:
    x = T.dvector("x")
    twice = tgd.all_reduce(x, "sum") + tgd.all_reduce(x, "sum")
    unbucketed = tracegraph.function(
        [x], twice, mode=tracegraph.Mode().excluding("bucket-all-reduce")
    )
    final = unbucketed.dump_ir("final", locations=False)
    assert final.count("tg.all_reduce ") == 2  # CSE would merge two equal pure ops
    # Bucketed, they are still two operands of one message.
    final = tracegraph.function([x], twice).dump_ir("final", locations=False)
    assert 'tg.all_reduce_bucket %x, %x {reduction = "sum"}' in final, final


def test_all_reduce_of_a_list_and_its_errors() -> None:
    a, b = T.dscalar("a"), T.dvector("b")
    reduced = tgd.all_reduce([a, b], op="mean")
    assert [r.type for r in reduced] == [a.type, b.type]
    with pytest.raises(ValueError, match="op 'product'"):
        tgd.all_reduce(a, op="product")
    with pytest.raises(TypeError, match="the mean of floats only"):
        tgd.all_reduce(T.lvector("i"), op="mean")


def test_shard_gives_this_rank_its_part_in_batches(three_ranks: Communicator) -> None:
    data, labels = np.arange(20), np.arange(20) * 10
    parts = list(tgd.shard(data, labels, batch_size=4))
    # 20 samples over 3 ranks: parts of 6 (the last 2 samples go to no rank); rank 1: 6..11.
    assert [list(p[0]) for p in parts] == [[6, 7, 8, 9], [10, 11]]
    assert [list(p[1]) for p in parts] == [[60, 70, 80, 90], [100, 110]]
    assert [list(p[0]) for p in tgd.shard(data, batch_size=4, drop_last=True)] == [[6, 7, 8, 9]]
    assert [list(p[0]) for p in tgd.shard(data)] == [[6, 7, 8, 9, 10, 11]]
    with pytest.raises(ValueError, match="different lengths"):
        list(tgd.shard(data, labels[:3]))


def test_broadcast_shared_gives_every_rank_the_roots_values(three_ranks: Communicator) -> None:
    w = tracegraph.shared(np.ones(3), "w")
    tgd.broadcast_shared([w], root=2)
    np.testing.assert_array_equal(w.get_value(), np.ones(3) * 100)
    with pytest.raises(TypeError, match="not a tensor shared variable"):
        state = RandomStreams(1).uniform((2,)).rng
        tgd.broadcast_shared([state])


def test_print0_prints_on_rank_zero_only(capsys: Any, three_ranks: Communicator) -> None:
    tgd.print0("hidden")
    install(SingleProcess())
    tgd.print0("shown")
    assert capsys.readouterr().out == "shown\n"


def test_ranks_on_one_machine_share_its_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    from types import SimpleNamespace

    from tracegraph.backends.c.threads import available_cores

    # A stand-in for config: assigning the real config.threads sets OpenBLAS's threads, which
    # other tests of this worker read.
    settings = SimpleNamespace(threads=0)
    monkeypatch.setattr(tgd, "config", settings)
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    tgd._share_the_cores(2)
    assert settings.threads == max(1, available_cores() // 2)
    settings.threads = 0
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    tgd._share_the_cores(2)  # the user chose: left alone
    assert settings.threads == 0


def test_the_ranks_agree_on_each_collective_at_its_first_call(three_ranks: Any) -> None:
    x = T.dvector("x")
    f = tracegraph.function([x], tgd.all_reduce(x, "sum") * 2 + tgd.broadcast(x, root=0))
    f(np.ones(2))
    f(np.ones(2))
    assert three_ranks.signatures == [
        "all_reduce(sum) of float64[2]",
        "broadcast(root 0) of float64[2]",
    ]


def test_a_checkpoint_saves_and_restores_shared_variables(tmp_path: Path) -> None:
    w = tracegraph.shared(np.arange(6.0).reshape(2, 3), "w")
    b = tracegraph.shared(np.float32(0.5), "b")
    unnamed = tracegraph.shared(np.arange(3))
    path = tmp_path / "checkpoint.npz"
    tgd.save_shared(path, [w, b, unnamed])
    assert sorted(np.load(path).files) == ["b", "variable_2", "w"]
    assert [p.name for p in tmp_path.iterdir()] == ["checkpoint.npz"]  # no temporary left
    for variable in (w, b, unnamed):
        variable.set_value(np.zeros_like(variable.get_value()))
    tgd.load_shared(path, [w, b, unnamed])
    np.testing.assert_array_equal(w.get_value(), np.arange(6.0).reshape(2, 3))
    assert b.get_value() == np.float32(0.5) and b.get_value().dtype == np.float32
    np.testing.assert_array_equal(unnamed.get_value(), np.arange(3))


def test_a_checkpoint_that_does_not_fit_is_an_error(tmp_path: Path) -> None:
    w = tracegraph.shared(np.zeros(3), "w")
    path = tmp_path / "checkpoint.npz"
    tgd.save_shared(path, [w])
    with pytest.raises(KeyError, match=r"has no values for \['v'\]"):
        tgd.load_shared(path, [tracegraph.shared(np.zeros(3), "v")])
    with pytest.raises(ValueError, match=r"w is float64\[3\], the variable float64\[4\]"):
        tgd.load_shared(path, [tracegraph.shared(np.zeros(4), "w")])
    with pytest.raises(ValueError, match=r"several shared variables are named \['w'\]"):
        tgd.save_shared(path, [w, tracegraph.shared(np.zeros(2), "w")])


def test_only_the_root_writes_and_reads_a_checkpoint(
    tmp_path: Path, three_ranks: Communicator
) -> None:
    w = tracegraph.shared(np.ones(2), "w")
    tgd.save_shared(tmp_path / "none.npz", [w])  # rank 1 of 3: rank 0 writes
    assert not (tmp_path / "none.npz").exists()
    tgd.load_shared(tmp_path / "none.npz", [w])  # rank 1 reads nothing: rank 0 broadcasts
    np.testing.assert_array_equal(w.get_value(), [10.0, 10.0])  # ThirdOfThree's rank 0: 10x
