"""optim against torch.optim (whole trajectories), live hyperparameter changes, StepLR, and pickle-free save/load."""

from __future__ import annotations

import os
import zipfile

import numpy as np
import pytest
from engine_helpers import AL, to_np, torch_ns

import autolab
import autolab.nn as nn
import autolab.optim as optim

torch = pytest.importorskip("torch")
T = torch_ns()


def _model(L):
    return L.nn.Sequential(L.nn.Linear(4, 3), L.nn.Tanh(), L.nn.Linear(3, 2))


def _trajectory(L, make_opt, steps=6, change=None):
    """Train the same tiny model on the same data; return the weights after each step."""
    L.t.manual_seed(0)
    model = _model(L).double()
    if L.name == "autolab":  # start from torch's weights, so both runs begin identical
        torch.manual_seed(0)
        ref = _model(T).double()
        model.load_state_dict({k: autolab.tensor(v.numpy()) for k, v in ref.state_dict().items()})
    opt = make_opt(L, model.parameters())
    rng = np.random.default_rng(0)
    out = []
    for step in range(steps):
        x, y = L.t.tensor(rng.standard_normal((5, 4))), L.t.tensor(rng.standard_normal((5, 2)))
        opt.zero_grad()
        loss = L.F.mse_loss(model(x), y)
        loss.backward()
        opt.step()
        if change is not None and step == 2:
            change(opt)
        out.append([to_np(p).copy() for p in model.parameters()])
    return out


OPTIMIZERS = {
    "SGD": lambda L, ps: L.t.optim.SGD(ps, lr=0.1),
    "SGD_momentum": lambda L, ps: L.t.optim.SGD(ps, lr=0.1, momentum=0.9),
    "SGD_dampening_wd": lambda L, ps: L.t.optim.SGD(ps, lr=0.05, momentum=0.8, dampening=0.3, weight_decay=0.01),
    "SGD_nesterov": lambda L, ps: L.t.optim.SGD(ps, lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-3),
    "SGD_maximize": lambda L, ps: L.t.optim.SGD(ps, lr=0.01, momentum=0.5, maximize=True),
    "Adam": lambda L, ps: L.t.optim.Adam(ps, lr=0.01),
    "Adam_wd_betas": lambda L, ps: L.t.optim.Adam(ps, lr=0.02, betas=(0.8, 0.99), weight_decay=0.1),
    "Adam_amsgrad": lambda L, ps: L.t.optim.Adam(ps, lr=0.01, amsgrad=True),
    "AdamW": lambda L, ps: L.t.optim.AdamW(ps, lr=0.01),
    "AdamW_wd": lambda L, ps: L.t.optim.AdamW(ps, lr=0.01, weight_decay=0.5, eps=1e-6),
}


@pytest.mark.parametrize("make_opt", OPTIMIZERS.values(), ids=OPTIMIZERS.keys())
def test_optimizer_trajectory_matches_torch(make_opt):
    a, t = _trajectory(AL, make_opt), _trajectory(T, make_opt)
    for step, (pa, pt) in enumerate(zip(a, t)):
        for i, (x, y) in enumerate(zip(pa, pt)):
            np.testing.assert_allclose(x, y, rtol=1e-9, atol=1e-12, err_msg=f"step {step} param {i}")


@pytest.mark.parametrize("key, value", [("lr", 0.5), ("momentum", 0.0), ("weight_decay", 0.2)])
def test_hyperparameter_change_takes_effect_at_next_step(key, value):
    def change(opt):
        for g in opt.param_groups:
            g[key] = value

    make = OPTIMIZERS["SGD_momentum"]
    a, t = _trajectory(AL, make, change=change), _trajectory(T, make, change=change)
    for pa, pt in zip(a, t):
        for x, y in zip(pa, pt):
            np.testing.assert_allclose(x, y, rtol=1e-9, atol=1e-12)
    unchanged = _trajectory(AL, make)
    assert np.array_equal(unchanged[2][0], a[2][0]) and not np.array_equal(unchanged[3][0], a[3][0])


def test_param_groups_with_their_own_lr():
    lin = nn.Linear(2, 1)
    opt = optim.SGD([{"params": [lin.weight]}, {"params": [lin.bias], "lr": 1.0}], lr=0.1)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 1.0]
    lin.weight.grad = autolab.ones(1, 2)
    lin.bias.grad = autolab.ones(1)
    w, b = to_np(lin.weight).copy(), to_np(lin.bias).copy()
    opt.step()
    np.testing.assert_allclose(to_np(lin.weight), w - 0.1, rtol=1e-6)
    np.testing.assert_allclose(to_np(lin.bias), b - 1.0, rtol=1e-6)


def test_steplr_matches_torch():
    lrs = {}
    for L in (AL, T):
        opt = L.t.optim.SGD([L.t.nn.Parameter(L.t.zeros(1))], lr=0.1)
        sched = L.t.optim.lr_scheduler.StepLR(opt, step_size=3, gamma=0.5)
        seq = []
        for _ in range(10):
            opt.step()
            sched.step()
            seq.append(opt.param_groups[0]["lr"])
        lrs[L.name] = (seq, sched.get_last_lr())
    assert lrs["autolab"][0] == pytest.approx(lrs["torch"][0])
    assert lrs["autolab"][1] == pytest.approx(lrs["torch"][1])


def test_optimizer_errors_and_zero_grad():
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.SGD([], lr=0.1)
    with pytest.raises(ValueError, match="Invalid learning rate"):
        optim.Adam(nn.Linear(1, 1).parameters(), lr=-1)
    lin = nn.Linear(2, 2)
    opt = optim.SGD(lin.parameters(), lr=0.1)
    lin(autolab.ones(1, 2)).sum().backward()
    opt.zero_grad()
    assert all(p.grad is None for p in lin.parameters())


def test_optimizer_state_dict_round_trip_continues_identically(tmp_path):
    def run(steps, opt, model, rng):
        for _ in range(steps):
            opt.zero_grad()
            nn.functional.mse_loss(
                model(autolab.tensor(rng.standard_normal((3, 4)), dtype=autolab.float32)), autolab.zeros(3, 2)
            ).backward()
            opt.step()

    autolab.manual_seed(0)
    model = _model(AL)
    opt = optim.Adam(model.parameters(), lr=0.01)
    run(3, opt, model, np.random.default_rng(0))
    autolab.save({"model": model.state_dict(), "opt": opt.state_dict()}, tmp_path / "ck.pt")
    run(3, opt, model, np.random.default_rng(1))
    ck = autolab.load(tmp_path / "ck.pt")
    model2 = _model(AL)
    model2.load_state_dict(ck["model"])
    opt2 = optim.Adam(model2.parameters(), lr=0.01)
    opt2.load_state_dict(ck["opt"])
    run(3, opt2, model2, np.random.default_rng(1))
    for p, q in zip(model.parameters(), model2.parameters()):
        np.testing.assert_array_equal(to_np(p), to_np(q))


# ---- save / load -------------------------------------------------------------------------------------------------
def test_save_load_round_trip_of_tensors_and_state_dicts(tmp_path):
    bn = nn.BatchNorm1d(3)
    bn(autolab.randn(4, 3))
    obj = {
        "f32": autolab.randn(2, 3),
        "f64": autolab.tensor([1.5], dtype=autolab.float64),
        "i64": autolab.tensor([1, 2, 3]),
        "bool": autolab.tensor([True, False]),
        "f16": autolab.ones(2, dtype=autolab.float16),
        "view": autolab.arange(12).reshape(3, 4).T,
        "bn": bn.state_dict(),
        "meta": {
            "epoch": 3,
            "lr": 0.1,
            "name": "run",
            "tags": ["a", "b"],
            "pair": (1, 2),
            "none": None,
            "nan": float("nan"),
        },
        7: "int key",
    }
    path = tmp_path / "obj.pt"
    autolab.save(obj, path)
    back = autolab.load(str(path))
    assert list(back) == list(obj)
    for k in ("f32", "f64", "i64", "bool", "f16", "view"):
        assert back[k].dtype == obj[k].dtype and back[k].shape == obj[k].shape
        np.testing.assert_array_equal(to_np(back[k]), to_np(obj[k]))
    assert list(back["bn"]) == list(obj["bn"])
    assert back["bn"]["num_batches_tracked"].item() == 1 and back["bn"]["num_batches_tracked"].dtype == autolab.int64
    m = back["meta"]
    assert (m["epoch"], m["lr"], m["name"], m["tags"], m["pair"], m["none"]) == (
        3,
        0.1,
        "run",
        ["a", "b"],
        (1, 2),
        None,
    )
    assert np.isnan(m["nan"]) and back[7] == "int key"


def test_save_load_model_reproduces_outputs(tmp_path):
    autolab.manual_seed(0)
    model = _model(AL)
    autolab.save(model.state_dict(), tmp_path / "m.pt")
    other = _model(AL)
    other.load_state_dict(autolab.load(tmp_path / "m.pt"))
    x = autolab.randn(5, 4)
    np.testing.assert_array_equal(to_np(model(x).detach()), to_np(other(x).detach()))


def test_parameters_and_requires_grad_survive(tmp_path):
    p = nn.Parameter(autolab.ones(2))
    t = autolab.ones(2, requires_grad=True)
    autolab.save([p, t, autolab.ones(2)], tmp_path / "p.pt")
    bp, bt, bc = autolab.load(tmp_path / "p.pt")
    assert isinstance(bp, nn.Parameter) and bp.requires_grad
    assert bt.requires_grad and not bc.requires_grad


def test_file_objects_work(tmp_path):
    import io

    buf = io.BytesIO()
    autolab.save({"x": autolab.arange(3)}, buf)
    buf.seek(0)
    assert autolab.load(buf)["x"].tolist() == [0, 1, 2]


def test_format_has_no_pickle(tmp_path):
    path = tmp_path / "x.pt"
    autolab.save({"x": autolab.ones(2)}, path)
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        assert "structure.json" in names and all(not n.endswith(".pkl") for n in names)
        for n in names:
            if n.endswith(".npy"):
                assert np.load(z.open(n), allow_pickle=False).dtype == np.float32


def test_loading_a_torch_pickle_refuses_without_running_it(tmp_path):
    path = tmp_path / "torch.pt"
    torch.save({"w": torch.ones(2)}, path)
    with pytest.raises(ValueError, match="PyTorch pickle checkpoint.*never unpickles"):
        autolab.load(path)
    (tmp_path / "junk.pt").write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="not an autolab checkpoint"):
        autolab.load(tmp_path / "junk.pt")
    with pytest.raises(FileNotFoundError):
        autolab.load(tmp_path / "missing.pt")


def test_failed_save_leaves_previous_file_whole(tmp_path):
    path = tmp_path / "ck.pt"
    autolab.save({"w": autolab.ones(3)}, path)
    before = path.read_bytes()
    with pytest.raises(TypeError, match="can store tensors"):
        autolab.save({"w": autolab.zeros(3), "model": nn.Linear(2, 2)}, path)  # fails half-way through
    assert path.read_bytes() == before
    assert autolab.load(path)["w"].tolist() == [1.0, 1.0, 1.0]
    assert os.listdir(tmp_path) == ["ck.pt"]  # no temporary file left behind
