"""Data-parallel training code as docs/distributed.md writes it: typed."""

import tempfile
from pathlib import Path
from typing import reveal_type

import numpy as np

import tracegraph
import tracegraph.distributed as tgd
import tracegraph.tensor as T

world = tgd.init()
count: int = tgd.size() + tgd.rank()
x, y = T.dmatrix("x"), T.dvector("y")
w = tracegraph.shared(np.zeros(3), "w")
cost = ((T.dot(x, w) - y) ** 2).mean()
reveal_type(tgd.all_reduce(T.grad(cost, [w]), op="mean"))  # R: list[TensorVariable[Any, Any]]
reveal_type(tgd.all_reduce(cost, op="sum"))  # R: TensorVariable[Any, Any]
(gw,) = tgd.all_reduce(T.grad(cost, [w]), op="mean")
train = tracegraph.function([x, y], cost, updates=[(w, w - 0.1 * gw)])
tgd.broadcast_shared([w], root=0)
for xb, yb in tgd.shard(np.ones((4, 3)), np.ones(4), batch_size=2):
    train(xb, yb)
tgd.print0("done", tgd.is_root(), count, world.describe())
checkpoint = Path(tempfile.mkdtemp()) / "checkpoint.npz"
tgd.save_shared(str(checkpoint), [w])
tgd.load_shared(checkpoint, [w])
