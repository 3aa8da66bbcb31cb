"""Optimizer state_dict: PyTorch's layout and keys, a checkpoint through autolab.save/load, and the API around it
(add_param_group, zero_grad, the implementation flags, the optimizers autolab does not have)."""

from __future__ import annotations

import numpy as np
import pytest
from optim_helpers import Problem, assert_same_trajectory, lib, run, to_np, torch

import autolab

OPTIMIZERS = {
    "SGD": dict(lr=0.01, momentum=0.9),
    "Adam": dict(lr=0.01, amsgrad=True),
    "AdamW": dict(lr=0.01),
    "Adadelta": dict(),
    "Adagrad": dict(lr=0.1),
    "RMSprop": dict(lr=1e-3, centered=True, momentum=0.5),
    "Adamax": dict(),
    "NAdam": dict(),
    "RAdam": dict(),
    "Rprop": dict(),
    "ASGD": dict(t0=3),
}


def _train(name: str, opt_name: str, steps: int, prob=None, opt=None):
    prob = prob or Problem(name)
    opt = opt or getattr(lib(name).optim, opt_name)(prob.params, **OPTIMIZERS[opt_name])
    for _ in range(steps):
        opt.zero_grad()
        prob.loss().backward()
        opt.step()
    return prob, opt


@pytest.mark.parametrize("opt_name", OPTIMIZERS)
def test_state_dict_has_torchs_layout(opt_name):
    _, ours = _train("autolab", opt_name, 5)
    _, theirs = _train("torch", opt_name, 5)
    a, b = ours.state_dict(), theirs.state_dict()
    assert list(a) == list(b) == ["state", "param_groups"]
    assert a["param_groups"] == b["param_groups"]  # every hyperparameter PyTorch has, and the params' indices
    assert [list(g) for g in a["param_groups"]] == [list(g) for g in b["param_groups"]]  # in PyTorch's order
    assert list(a["state"]) == list(b["state"])  # parameters numbered 0, 1, ...
    for i, st in b["state"].items():
        assert list(a["state"][i]) == list(st), f"state keys of parameter {i}"
        for key, value in st.items():
            mine = a["state"][i][key]
            assert isinstance(mine, autolab.Tensor), key
            assert tuple(mine.shape) == tuple(value.shape), key
            assert str(mine.dtype).split(".")[-1] == str(value.dtype).split(".")[-1], key
            np.testing.assert_allclose(to_np(mine), to_np(value), rtol=1e-10, atol=1e-14, err_msg=key)


def _checkpoint_resume(name: str, opt_name: str, ck_path, split: int = 60, rest: int = 60):
    """Train ``split`` steps, checkpoint weights and optimizer, start afresh from the checkpoint, train on."""
    prob, opt = _train(name, opt_name, split)
    if name == "autolab":
        autolab.save({"params": prob.params, "optimizer": opt.state_dict()}, ck_path)
        ck = autolab.load(ck_path)
    else:
        torch.save({"params": prob.params, "optimizer": opt.state_dict()}, ck_path)
        ck = torch.load(ck_path)
    fresh = Problem(name)  # the same objective; its weights and the optimizer's state come from the checkpoint
    for p, saved in zip(fresh.params, ck["params"]):
        if name == "autolab":
            p._data[...] = saved._data
        else:
            p.data.copy_(saved)
    opt2 = getattr(lib(name).optim, opt_name)(fresh.params, **OPTIMIZERS[opt_name])
    opt2.load_state_dict(ck["optimizer"])
    out = []
    for _ in range(rest):
        _train(name, opt_name, 1, fresh, opt2)
        out.append(fresh.snapshot())
    return out


@pytest.mark.parametrize("opt_name", OPTIMIZERS)
def test_checkpoint_resume_matches_torch(opt_name, tmp_path):
    ours = _checkpoint_resume("autolab", opt_name, tmp_path / "a.pt")
    theirs = _checkpoint_resume("torch", opt_name, tmp_path / "t.pt")
    assert_same_trajectory(ours, theirs)
    if opt_name != "NAdam":  # its float32 mu_product becomes float64 on loading, in PyTorch as here
        whole = Problem("autolab")
        _, opt = _train("autolab", opt_name, 60, whole)
        uninterrupted = []
        for _ in range(60):
            _train("autolab", opt_name, 1, whole, opt)
            uninterrupted.append(whole.snapshot())
        for a, b in zip(ours, uninterrupted):
            for x, y in zip(a, b):
                np.testing.assert_array_equal(x, y)


@pytest.mark.parametrize("opt_name", ["Adam", "NAdam", "RMSprop", "ASGD"])
def test_loads_a_state_dict_written_by_torch(opt_name):
    """PyTorch's state dict, converted tensor by tensor, continues in autolab as it does in PyTorch."""
    prob_t, opt_t = _train("torch", opt_name, 30)
    sd = opt_t.state_dict()
    converted = {
        "state": {i: {k: autolab.tensor(v.numpy()) for k, v in st.items()} for i, st in sd["state"].items()},
        "param_groups": sd["param_groups"],
    }
    prob_a = Problem("autolab")
    for p, q in zip(prob_a.params, prob_t.params):
        p._data[...] = q.detach().numpy()
    opt_a = getattr(autolab.optim, opt_name)(prob_a.params, **OPTIMIZERS[opt_name])
    opt_a.load_state_dict(converted)
    opt_t = getattr(torch.optim, opt_name)(prob_t.params, **OPTIMIZERS[opt_name])
    opt_t.load_state_dict(sd)  # loading casts state to the parameters' dtype: do the same on both sides
    ours, theirs = [], []
    for _ in range(30):
        _train("autolab", opt_name, 1, prob_a, opt_a)
        _train("torch", opt_name, 1, prob_t, opt_t)
        ours.append(prob_a.snapshot())
        theirs.append(prob_t.snapshot())
    assert_same_trajectory(ours, theirs)


def test_add_param_group_mid_training_matches_torch():
    runs = {}
    for name in ("autolab", "torch"):
        prob = Problem(name)
        opt = lib(name).optim.Adam(prob.params[:2], lr=0.01)
        for step in range(40):
            if step == 10:
                opt.add_param_group({"params": prob.params[2:], "lr": 0.003, "betas": (0.8, 0.9)})
            opt.zero_grad()
            prob.loss().backward()
            opt.step()
        runs[name] = (prob.snapshot(), opt.state_dict()["param_groups"])
    assert_same_trajectory([runs["autolab"][0]], [runs["torch"][0]])
    assert runs["autolab"][1] == runs["torch"][1]


def test_zero_grad_set_to_none_and_to_zero():
    prob = Problem("autolab")
    opt = autolab.optim.SGD(prob.params, lr=0.1)
    prob.loss().backward()
    opt.zero_grad(set_to_none=False)
    assert all(p.grad is not None and not to_np(p.grad).any() for p in prob.params)
    opt.zero_grad()
    assert all(p.grad is None for p in prob.params)


def test_named_parameters_give_param_names_as_in_torch():
    groups = {}
    for name in ("autolab", "torch"):
        model = lib(name).nn.Linear(2, 3)
        groups[name] = lib(name).optim.SGD(model.named_parameters(), lr=0.1).state_dict()["param_groups"]
    assert groups["autolab"] == groups["torch"]
    assert groups["autolab"][0]["param_names"] == ["weight", "bias"]


@pytest.mark.parametrize(
    "opt_name, kw",
    [
        ("SGD", dict(lr=-1)),
        ("SGD", dict(momentum=-0.1)),
        ("SGD", dict(nesterov=True)),
        ("Adam", dict(betas=(1.0, 0.9))),
        ("Adam", dict(eps=-1)),
        ("Adadelta", dict(rho=1.5)),
        ("Adagrad", dict(lr_decay=-1)),
        ("RMSprop", dict(alpha=-1)),
        ("NAdam", dict(momentum_decay=-1)),
        ("RAdam", dict(weight_decay=-1)),
        ("Rprop", dict(etas=(1.5, 1.2))),
    ],
)
def test_invalid_hyperparameters_raise_torchs_error(opt_name, kw):
    messages = []
    for name in ("autolab", "torch"):
        with pytest.raises(ValueError) as e:
            getattr(lib(name).optim, opt_name)([lib(name).zeros(2, requires_grad=True)], **kw)
        messages.append(str(e.value))
    assert messages[0] == messages[1]


def test_parameter_errors():
    p = autolab.zeros(2, requires_grad=True)
    with pytest.raises(ValueError, match="more than one parameter group"):
        autolab.optim.SGD([{"params": [p]}, {"params": [p]}], lr=0.1)
    with pytest.raises(TypeError, match="ordered collections"):
        autolab.optim.SGD([{"params": {p}}], lr=0.1)
    with pytest.raises(ValueError, match="different number of parameter groups"):
        autolab.optim.SGD([p], lr=0.1).load_state_dict({"state": {}, "param_groups": []})


@pytest.mark.parametrize(
    "opt_name, flag",
    [("Adam", "capturable"), ("SGD", "differentiable"), ("RMSprop", "capturable"), ("NAdam", "differentiable")],
)
def test_flags_autolab_cannot_honour_say_so_by_name(opt_name, flag):
    p = autolab.zeros(2, requires_grad=True)
    with pytest.raises(NotImplementedError, match=f"autolab.optim.{opt_name}\\({flag}=True\\)"):
        getattr(autolab.optim, opt_name)([p], **{flag: True})


@pytest.mark.parametrize("kw", [dict(foreach=True), dict(foreach=False), dict(fused=True), dict(fused=False)])
def test_foreach_and_fused_select_torchs_kernels_and_give_its_steps(kw):
    """PyTorch's foreach and fused kernels compute the same update; autolab has one kernel and accepts both."""
    make = lambda O, params: O.Adam(params, lr=0.01, **kw)  # noqa: E731
    assert_same_trajectory(run("autolab", make, 100), run("torch", make, 100))
    assert autolab.optim.Adam([autolab.zeros(1, requires_grad=True)], **kw).defaults == {
        **torch.optim.Adam([torch.zeros(1, requires_grad=True)], **kw).defaults
    }


def test_a_tensor_lr_is_refused_by_name():
    with pytest.raises(NotImplementedError, match="autolab.optim.Adam: a Tensor lr is not supported"):
        autolab.optim.Adam([autolab.zeros(1, requires_grad=True)], lr=autolab.tensor(0.01))


def test_fused_and_foreach_together_are_refused_as_in_torch():
    with pytest.raises(RuntimeError, match="cannot be `True` together"):
        autolab.optim.SGD([autolab.zeros(1, requires_grad=True)], lr=0.1, foreach=True, fused=True)


@pytest.mark.parametrize("name", ["LBFGS", "SparseAdam", "Adafactor"])
def test_optimizers_autolab_lacks_are_named_in_the_error(name):
    with pytest.raises(AttributeError, match=f"autolab.optim.{name} is not implemented in autolab yet"):
        getattr(autolab.optim, name)
    assert hasattr(torch.optim, name)


@pytest.mark.parametrize("opt_name", sorted(OPTIMIZERS))
def test_a_nan_gradient_makes_the_parameter_nan(opt_name):
    """NaN stays NaN: a diverged run shows as NaN weights, never as weights that silently stopped moving."""
    p = autolab.tensor(np.ones(3), requires_grad=True)
    opt = getattr(autolab.optim, opt_name)([p], **OPTIMIZERS[opt_name])
    for g in ([1.0, 1.0, 1.0], [np.nan, -1.0, 1.0]):
        p.grad = autolab.tensor(np.array(g))
        opt.step()
    assert np.isnan(to_np(p)[0]) and np.isfinite(to_np(p)[1:]).all()


def test_an_optimizer_written_pytorchs_way_runs():
    """A custom optimizer as PyTorch's tutorials write it: ``self.state[p]`` with no setdefault."""

    class Momentum(autolab.optim.Optimizer):
        def __init__(self, params, lr=0.01, beta=0.9):
            super().__init__(params, dict(lr=lr, beta=beta))

        @autolab.no_grad()
        def step(self, closure=None):
            for group in self.param_groups:
                for p in group["params"]:
                    state = self.state[p]
                    if len(state) == 0:
                        state["v"] = autolab.zeros_like(p)
                    state["v"] = group["beta"] * state["v"] + p.grad
                    p -= group["lr"] * state["v"]

    mine = run("autolab", lambda O, ps: Momentum(ps, lr=0.01), 50)
    assert_same_trajectory(mine, run("torch", lambda O, ps: O.SGD(ps, lr=0.01, momentum=0.9), 50))
