"""The README's example runs as written, learns, and saves a checkpoint that loads back."""

import re
from pathlib import Path

import numpy as np

import autolab

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_example_trains_and_saves(tmp_path, monkeypatch):
    code = re.search(r"## Ten lines.*?```python\n(.*?)```", README.read_text(), re.S).group(1)
    monkeypatch.chdir(tmp_path)
    autolab.manual_seed(0)
    scope: dict = {}
    exec(code, scope)
    final = autolab.nn.functional.mse_loss(scope["model"](scope["x"]), scope["y"]).item()
    assert final < 0.01, final
    state = autolab.load(tmp_path / "model.pt")
    assert list(state) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    np.testing.assert_array_equal(state["2.bias"].numpy(), scope["model"][2].bias.detach().numpy())
