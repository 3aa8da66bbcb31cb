"""Every learning-rate schedule against torch.optim.lr_scheduler: 300 steps of rates (and momenta), state_dict
keys, and a save/load through autolab.save in the middle that continues exactly as the uninterrupted run."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from optim_helpers import lib

import autolab

STEPS = 300


def _metric(i: int) -> float:
    """A validation loss that improves, then plateaus with a little noise (for ReduceLROnPlateau)."""
    return 1.0 / (1 + i) if i < 60 else 0.02 + 0.001 * math.sin(i)


# name -> (optimizer, schedule); ``S`` is the lr_scheduler module, ``o`` the optimizer
SCHEDULES = {
    "LambdaLR": ("SGD", lambda S, o: S.LambdaLR(o, lambda e: 0.97**e)),
    "LambdaLR-list": ("SGD", lambda S, o: S.LambdaLR(o, [lambda e: 0.97**e, lambda e: 1 / (1 + e)])),
    "MultiplicativeLR": ("SGD", lambda S, o: S.MultiplicativeLR(o, lambda e: 0.99)),
    "StepLR": ("SGD", lambda S, o: S.StepLR(o, step_size=30, gamma=0.5)),
    "MultiStepLR": ("SGD", lambda S, o: S.MultiStepLR(o, milestones=[30, 80, 80, 150], gamma=0.5)),
    "ExponentialLR": ("SGD", lambda S, o: S.ExponentialLR(o, gamma=0.99)),
    "LinearLR-warmup": ("SGD", lambda S, o: S.LinearLR(o, start_factor=0.2, total_iters=40)),
    "LinearLR-decay": ("SGD", lambda S, o: S.LinearLR(o, start_factor=1.0, end_factor=0.1, total_iters=100)),
    "ConstantLR": ("SGD", lambda S, o: S.ConstantLR(o, factor=0.5, total_iters=20)),
    "PolynomialLR": ("SGD", lambda S, o: S.PolynomialLR(o, total_iters=200, power=2.0)),
    "CosineAnnealingLR": ("SGD", lambda S, o: S.CosineAnnealingLR(o, T_max=70, eta_min=1e-3)),
    "CosineAnnealingWarmRestarts": (
        "SGD",
        lambda S, o: S.CosineAnnealingWarmRestarts(o, T_0=20, T_mult=2, eta_min=1e-3),
    ),
    "CyclicLR-triangular2": (
        "SGD",
        lambda S, o: S.CyclicLR(o, base_lr=0.01, max_lr=[0.1, 0.2], step_size_up=25, mode="triangular2"),
    ),
    "CyclicLR-exp_range-adam": (
        "Adam",
        lambda S, o: S.CyclicLR(o, 0.001, 0.01, step_size_up=20, step_size_down=30, mode="exp_range", gamma=0.995),
    ),
    "OneCycleLR": ("SGD", lambda S, o: S.OneCycleLR(o, max_lr=[0.5, 0.2], total_steps=STEPS + 1)),
    "OneCycleLR-three_phase-adam": (
        "Adam",
        lambda S, o: S.OneCycleLR(
            o, max_lr=0.01, epochs=3, steps_per_epoch=101, anneal_strategy="linear", three_phase=True
        ),
    ),
    "SequentialLR": (
        "SGD",
        lambda S, o: S.SequentialLR(
            o, [S.LinearLR(o, start_factor=0.1, total_iters=10), S.CosineAnnealingLR(o, T_max=290)], milestones=[10]
        ),
    ),
    "SequentialLR-three": (
        "SGD",
        lambda S, o: S.SequentialLR(
            o,
            [S.ConstantLR(o, factor=0.1, total_iters=5), S.ExponentialLR(o, 0.99), S.StepLR(o, 50, 0.5)],
            milestones=[5, 100],
        ),
    ),
    "ChainedScheduler": (
        "SGD",
        lambda S, o: S.ChainedScheduler([S.ConstantLR(o, factor=0.5, total_iters=10), S.ExponentialLR(o, 0.99)]),
    ),
    "ReduceLROnPlateau": (
        "SGD",
        lambda S, o: S.ReduceLROnPlateau(o, patience=5, cooldown=3, factor=0.5, min_lr=[1e-4, 1e-3]),
    ),
    "ReduceLROnPlateau-max-abs": (
        "SGD",
        lambda S, o: S.ReduceLROnPlateau(o, mode="max", threshold_mode="abs", threshold=0.01, patience=2),
    ),
}


def _optimizer(name: str, opt_name: str):
    t = lib(name)
    a, b = t.zeros(2, requires_grad=True), t.zeros(3, requires_grad=True)
    groups = [{"params": [a]}, {"params": [b], "lr": 0.05}]
    if opt_name == "SGD":
        return getattr(t.optim, opt_name)(groups, lr=0.1, momentum=0.9)
    return getattr(t.optim, opt_name)(groups, lr=0.1)


def _record(opt, sched) -> list:
    momentum = [g["betas"][0] if "betas" in g else g["momentum"] for g in opt.param_groups]
    return [*sched.get_last_lr(), *[g["lr"] for g in opt.param_groups], *momentum]


def _advance(opt, sched, steps: range, out: list) -> None:
    for i in steps:
        opt.step()
        if type(sched).__name__ == "ReduceLROnPlateau":
            sched.step(_metric(i))
        else:
            sched.step()
        out.append(_record(opt, sched))


def _run(name: str, key: str, stop: int = STEPS, resume_from: str | None = None):
    opt_name, make = SCHEDULES[key]
    opt = _optimizer(name, opt_name)
    sched = make(lib(name).optim.lr_scheduler, opt)
    out = [_record(opt, sched)]
    _advance(opt, sched, range(stop), out)
    return opt, sched, out


@pytest.mark.parametrize("key", SCHEDULES)
def test_rates_match_torch(key):
    *_, ours = _run("autolab", key)
    *_, theirs = _run("torch", key)
    np.testing.assert_allclose(np.array(ours), np.array(theirs), rtol=1e-12, atol=1e-15)
    assert len({tuple(r) for r in theirs}) >= 2, "the schedule must change the rate, or the test proves nothing"


def _same_structure(ours, theirs, path="state_dict"):
    """The same keys all the way down, and the same numbers where the values are numbers."""
    if isinstance(theirs, dict):
        assert isinstance(ours, dict) and set(ours) == set(theirs), (path, sorted(ours), sorted(theirs))
        for k in theirs:
            if k not in ("_scale_fn_ref",):
                _same_structure(ours[k], theirs[k], f"{path}[{k!r}]")
    elif isinstance(theirs, (list, tuple)):
        assert isinstance(ours, (list, tuple)) and len(ours) == len(theirs), path
        for i, (a, b) in enumerate(zip(ours, theirs)):
            _same_structure(a, b, f"{path}[{i}]")
    elif isinstance(theirs, (int, float)) and not isinstance(theirs, bool):
        assert ours == pytest.approx(theirs, rel=1e-12, abs=1e-15), path
    elif not callable(theirs) and type(theirs).__module__ == "builtins":
        assert ours == theirs, path


@pytest.mark.parametrize("key", SCHEDULES)
def test_state_dict_matches_torch(key):
    _, ours, _ = _run("autolab", key, stop=57)
    _, theirs, _ = _run("torch", key, stop=57)
    _same_structure(ours.state_dict(), theirs.state_dict())


@pytest.mark.parametrize("key", SCHEDULES)
def test_resume_from_a_checkpoint_continues_exactly(key, tmp_path):
    opt, sched, before = _run("autolab", key, stop=120)
    autolab.save({"optimizer": opt.state_dict(), "scheduler": sched.state_dict()}, tmp_path / "ck.pt")
    ck = autolab.load(tmp_path / "ck.pt")
    opt_name, make = SCHEDULES[key]
    opt2 = _optimizer("autolab", opt_name)
    sched2 = make(autolab.optim.lr_scheduler, opt2)
    opt2.load_state_dict(ck["optimizer"])
    sched2.load_state_dict(ck["scheduler"])
    resumed = [_record(opt2, sched2)]
    _advance(opt2, sched2, range(120, STEPS), resumed)
    *_, whole = _run("autolab", key)
    np.testing.assert_array_equal(np.array(before + resumed[1:]), np.array(whole))


CLOSED_FORM = {
    "StepLR": lambda S, o: S.StepLR(o, step_size=7, gamma=0.5),
    "MultiStepLR": lambda S, o: S.MultiStepLR(o, milestones=[5, 12, 12], gamma=0.5),
    "ExponentialLR": lambda S, o: S.ExponentialLR(o, gamma=0.9),
    "LinearLR": lambda S, o: S.LinearLR(o, start_factor=0.25, total_iters=10),
    "ConstantLR": lambda S, o: S.ConstantLR(o, factor=0.5, total_iters=6),
    "PolynomialLR": lambda S, o: S.PolynomialLR(o, total_iters=15, power=0.5),
    "CosineAnnealingLR": lambda S, o: S.CosineAnnealingLR(o, T_max=9),
    "CosineAnnealingWarmRestarts": lambda S, o: S.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2),
}


@pytest.mark.parametrize("key", CLOSED_FORM)
def test_step_with_an_epoch_uses_the_closed_form_as_torch_does(key):
    epochs = [3, 0.5, 17, 4, 4, 30, 2.25, 11] if key == "CosineAnnealingWarmRestarts" else [3, 0, 17, 4, 4, 30, 2, 11]
    seqs = {}
    for name in ("autolab", "torch"):
        opt = _optimizer(name, "SGD")
        sched = CLOSED_FORM[key](lib(name).optim.lr_scheduler, opt)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            seqs[name] = []
            for e in epochs:
                opt.step()
                sched.step(e)
                seqs[name].append(sched.get_last_lr())
    np.testing.assert_allclose(seqs["autolab"], seqs["torch"], rtol=1e-12)


def test_warnings_and_errors_as_in_torch():
    S = autolab.optim.lr_scheduler
    opt = _optimizer("autolab", "SGD")
    sched = S.StepLR(opt, 3)
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        sched.step()
    with pytest.warns(UserWarning, match="get_last_lr"):
        sched.get_lr()
    with pytest.raises(TypeError, match="is not an Optimizer"):
        S.StepLR(object(), 3)
    with pytest.raises(KeyError, match="initial_lr"):
        S.ExponentialLR(_optimizer("autolab", "SGD"), 0.9, last_epoch=4)
    with pytest.raises(ValueError, match="ReduceLROnPlateau"):
        S.SequentialLR(opt, [S.ReduceLROnPlateau(opt), S.StepLR(opt, 2)], milestones=[3])
    with pytest.raises(ValueError, match="Factor should be < 1.0"):
        S.ReduceLROnPlateau(opt, factor=2.0)
    with pytest.raises(ValueError, match="Tried to step 3 times"):
        one = S.OneCycleLR(_optimizer("autolab", "SGD"), max_lr=0.1, total_steps=2)
        for _ in range(3):
            one.optimizer.step()
            one.step()


def test_multisteplr_jumps_after_a_checkpoint(tmp_path):
    opt = _optimizer("autolab", "SGD")
    sched = autolab.optim.lr_scheduler.MultiStepLR(opt, milestones=[2, 5, 5], gamma=0.5)
    autolab.save(sched.state_dict(), tmp_path / "s.pt")
    sched.load_state_dict(autolab.load(tmp_path / "s.pt"))
    with pytest.warns(UserWarning, match="epoch parameter"):
        opt.step()
        sched.step(6)
    assert sched.get_last_lr() == pytest.approx([0.1 / 8, 0.05 / 8])


def test_scheduler_records_initial_lr_in_param_groups():
    opt = _optimizer("autolab", "SGD")
    autolab.optim.lr_scheduler.ExponentialLR(opt, 0.5)
    assert [g["initial_lr"] for g in opt.param_groups] == [0.1, 0.05]
    assert "initial_lr" in opt.state_dict()["param_groups"][0]


def test_a_copy_of_the_optimizer_steps_itself_not_the_original():
    """The scheduler wraps optimizer.step; a copy must not inherit a wrapper bound to the original."""
    import copy

    opt = _optimizer("autolab", "SGD")
    autolab.optim.lr_scheduler.StepLR(opt, 3)
    twin = copy.copy(opt)
    assert opt.step.__name__ == "step" and hasattr(opt.step, "_wrapped_by_lr_sched")
    assert twin.step.__self__ is twin and not hasattr(twin, "_opt_called")


@settings(max_examples=25, deadline=None)
@given(
    kind=st.sampled_from(["step", "cosine", "warm_restarts", "cyclic", "onecycle", "linear", "polynomial"]),
    a=st.integers(1, 40),
    b=st.floats(0.05, 0.95),
    steps=st.integers(1, 120),
)
def test_random_schedules_match_torch(kind, a, b, steps):
    def make(S, o):
        return {
            "step": lambda: S.StepLR(o, step_size=a, gamma=b),
            "cosine": lambda: S.CosineAnnealingLR(o, T_max=a, eta_min=b * 1e-3),
            "warm_restarts": lambda: S.CosineAnnealingWarmRestarts(o, T_0=a, T_mult=1 + a % 3, eta_min=b * 1e-3),
            "cyclic": lambda: S.CyclicLR(o, base_lr=b * 0.01, max_lr=0.2, step_size_up=a, mode="triangular2"),
            "onecycle": lambda: S.OneCycleLR(o, max_lr=0.3, total_steps=steps + 1, pct_start=b),
            "linear": lambda: S.LinearLR(o, start_factor=b, total_iters=a),
            "polynomial": lambda: S.PolynomialLR(o, total_iters=a, power=b * 3),
        }[kind]()

    seqs = []
    for name in ("autolab", "torch"):
        opt = _optimizer(name, "SGD")
        sched = make(lib(name).optim.lr_scheduler, opt)
        out = [_record(opt, sched)]
        _advance(opt, sched, range(steps), out)
        seqs.append(out)
    np.testing.assert_allclose(np.array(seqs[0]), np.array(seqs[1]), rtol=1e-12, atol=1e-15)
