"""The README's example runs and gives the values its comments show."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np

README = Path(__file__).resolve().parents[1] / "README.md"


def test_the_readme_example_runs_and_shows_its_values(capsys: Any) -> None:
    match = re.search(r"```python\n(.*?)```", README.read_text(), re.S)
    assert match is not None
    namespace: dict[str, Any] = {}
    exec(compile(match.group(1), str(README), "exec"), namespace)
    capsys.readouterr()
    function, T = namespace["function"], namespace["T"]
    x = T.dmatrix("x")
    logistic = function([x], 1 / (1 + T.exp(-x)))
    np.testing.assert_allclose(
        logistic([[0, 1], [-1, -2]]), [[0.5, 0.73105858], [0.26894142, 0.11920292]], atol=5e-9
    )
    powers = function([namespace["a"], namespace["k"]], namespace["powers"][-1])
    np.testing.assert_array_equal(powers([1.0, 2.0, 3.0], 3), [1.0, 8.0, 27.0])
    assert float(namespace["lazy"](-4.0)) == 4.0
    assert float(namespace["lazy"](9.0)) == 3.0
