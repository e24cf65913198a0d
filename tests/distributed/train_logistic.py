"""The tutorial's logistic regression, data-parallel: run by ``mpiexec -n N python
train_logistic.py OUT`` (each rank a part of the batch, the gradients averaged) or alone (one
process, the whole batch); each rank writes its final weights to ``OUT-<rank>.npy``."""

from __future__ import annotations

import sys

import numpy as np

import tracegraph
import tracegraph.distributed as tgd
import tracegraph.tensor as T


def main(out: str) -> None:
    """Train, and write this rank's weights to ``OUT-<rank>.npy``."""
    tgd.init()
    rng = np.random.default_rng(4)
    N, feats, steps = 400, 784, 50
    D = (rng.standard_normal((N, feats)), rng.integers(0, 2, size=N).astype(np.float64))

    x = T.dmatrix("x")
    y = T.dvector("y")
    # Each rank starts from its own weights; broadcast_shared makes them rank 0's.
    w = tracegraph.shared(np.random.default_rng(tgd.seed_for_rank(1)).standard_normal(feats), "w")
    b = tracegraph.shared(0.0, name="b")
    p_1 = 1 / (1 + T.exp(-T.dot(x, w) - b))
    xent = -y * T.log(p_1) - (1 - y) * T.log(1 - p_1)
    cost = xent.mean() + 0.01 * (w**2).sum()
    gw, gb = tgd.all_reduce(T.grad(cost, [w, b]), op="mean")
    train = tracegraph.function([x, y], cost, updates=[(w, w - 0.1 * gw), (b, b - 0.1 * gb)])
    tgd.broadcast_shared([w, b], root=0)

    for _ in range(steps):
        for xb, yb in tgd.shard(*D):  # the whole part of this rank: one batch per step
            train(xb, yb)

    # Every rank writes its replica (OUT-<rank>.npy): they must be identical.
    np.save(f"{out}-{tgd.rank()}.npy", np.concatenate([w.get_value(), [float(b.get_value())]]))


if __name__ == "__main__":
    main(sys.argv[1])
