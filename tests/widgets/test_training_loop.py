"""autolab.training.Trainer: events, steering between steps, NaN and exceptions, consistent stops."""

from __future__ import annotations

import os
import signal
import threading

import numpy as np
import pytest
from widget_helpers import params_of

from autolab.training import Trainer, stats


def make(setup, **kw) -> Trainer:
    model, opt, loss_fn, train, val = setup
    return Trainer(model, opt, loss_fn, train, val, **kw)


def test_fit_emits_steps_epochs_and_evaluations(mlp_setup):
    trainer = make(mlp_setup, epochs=3, stats_every=2)
    events = []
    trainer.subscribe(events.append)
    trainer.fit()
    kinds = [e.kind for e in events]
    assert kinds.count("step") == 12 and kinds.count("forward") == 12  # 64 samples / 16 per batch * 3 epochs
    assert kinds.count("epoch") == 3 and kinds.count("evaluation") == 3
    assert [e.state for e in events if e.kind == "state"] == ["running", "finished"]
    steps = [e for e in events if e.kind == "step"]
    assert [e.step for e in steps] == list(range(1, 13))
    assert [e.stats is not None for e in steps] == [s % 2 == 0 for s in range(1, 13)]
    epochs = [e for e in events if e.kind == "epoch"]
    # The epoch's loss is the sample-weighted mean of its steps' losses.
    assert epochs[0].train_loss == pytest.approx(np.mean([e.loss for e in steps[:4]]), rel=1e-6)
    assert epochs[-1].train_loss < epochs[0].train_loss
    # The evaluation agrees with a direct count over the validation set.
    model, _, loss_fn, _, val = mlp_setup
    x, y = val.dataset.tensors
    out = model(x)
    last = [e for e in events if e.kind == "evaluation"][-1]
    assert last.val_accuracy == pytest.approx(stats.count_correct(out, y) / len(y))
    assert last.val_loss == pytest.approx(loss_fn(out, y).item(), rel=1e-5)


def test_step_stats_are_the_gradient_norms_and_real_update_ratios(mlp_setup):
    trainer = make(mlp_setup, epochs=1, stats_every=1)
    seen = {}

    def listener(e):
        if e.kind == "forward" and e.step == 2:
            seen["before"] = params_of(trainer.model)
        elif e.kind == "step" and e.step == 2:
            seen["grads"] = {n: p.grad.numpy().copy() for n, p in trainer.model.named_parameters()}
            seen["after"] = params_of(trainer.model)
            seen["stats"] = e.stats

    trainer.subscribe(listener)
    trainer.fit()
    for name, g in seen["grads"].items():
        assert seen["stats"].grad_norms[name] == pytest.approx(np.linalg.norm(g), rel=1e-5)
        delta = np.linalg.norm(seen["after"][name] - seen["before"][name]) / np.linalg.norm(seen["before"][name])
        assert seen["stats"].update_ratios[name] == pytest.approx(delta, rel=1e-5)
        # plain SGD: the step moved each weight by lr * grad
        np.testing.assert_allclose(seen["before"][name] - seen["after"][name], 0.1 * g, rtol=1e-4, atol=1e-7)


def test_learning_rate_changes_at_the_next_step(mlp_setup):
    trainer = make(mlp_setup, epochs=1)
    lrs = []

    def listener(e):
        if e.kind == "step":
            lrs.append(e.hparams["lr"])
            if e.step == 2:
                trainer.set_hparams(lr=0.02, momentum=0.5, weight_decay=1e-3)

    trainer.subscribe(listener)
    trainer.fit()
    assert lrs == [0.1, 0.1, 0.02, 0.02]
    group = trainer.optimizer.param_groups[0]
    assert (group["lr"], group["momentum"], group["weight_decay"]) == (0.02, 0.5, 1e-3)
    with pytest.raises(ValueError, match="unknown hyperparameter"):
        trainer.set_hparams(learning_rate=1.0)


def test_batch_size_changes_at_the_next_epoch(mlp_setup):
    trainer = make(mlp_setup, epochs=2)
    sizes = []

    def listener(e):
        if e.kind == "step":
            sizes.append(e.batch_size)
            if e.step == 1:
                trainer.set_batch_size(32)

    trainer.subscribe(listener)
    trainer.fit()
    assert sizes == [16, 16, 16, 16, 32, 32]
    assert trainer.train_loader.batch_size == 32
    assert type(trainer.train_loader.sampler).__name__ == "RandomSampler"  # still shuffled


def test_nan_loss_stops_before_the_step_with_a_learning_rate_hint(mlp_setup):
    model, opt, loss_fn, train, val = mlp_setup
    calls = {"n": 0}

    def poisoned(out, y):
        calls["n"] += 1
        loss = loss_fn(out, y)
        return loss * float("nan") if calls["n"] == 3 else loss

    trainer = Trainer(model, opt, poisoned, train, None, epochs=1)
    snapshots = {}
    trainer.subscribe(lambda e: snapshots.__setitem__(e.step, params_of(model)) if e.kind == "step" else None)
    states = []
    trainer.subscribe(lambda e: states.append(e) if e.kind == "state" else None)
    trainer.fit()
    assert trainer.state == "stopped" and trainer.step == 2
    assert states[-1].reason == "nan"
    assert "smaller" in states[-1].message and "learning rate 0.1" in states[-1].message
    for name, value in params_of(model).items():  # the poisoned step was never applied
        np.testing.assert_array_equal(value, snapshots[2][name])


def test_exception_in_the_thread_is_reported_with_its_traceback(mlp_setup):
    model, opt, loss_fn, train, val = mlp_setup

    def broken_loss(out, y):
        if broken_loss.calls == 1:
            raise ValueError("shapes do not match: a deliberate test failure")
        broken_loss.calls += 1
        return loss_fn(out, y)

    broken_loss.calls = 0
    trainer = Trainer(model, opt, broken_loss, train, None, epochs=1)
    states = []
    trainer.subscribe(lambda e: states.append(e) if e.kind == "state" else None)
    trainer.start()
    trainer.join(30)
    assert trainer.state == "error" and isinstance(trainer.error, ValueError)
    assert states[-1].message == "ValueError: shapes do not match: a deliberate test failure"
    assert "broken_loss" in states[-1].traceback and "Traceback" in states[-1].traceback
    trainer.model.train()
    assert trainer.step == 1


def test_stop_from_another_thread_lands_between_steps(mlp_setup):
    trainer = make(mlp_setup, epochs=50)
    snapshots = {}
    at_step_5, release = threading.Event(), threading.Event()

    def listener(e):
        if e.kind == "step":
            snapshots[e.step] = params_of(trainer.model)
            if e.step == 5:
                at_step_5.set()
                release.wait(30)

    trainer.subscribe(listener)
    trainer.start()
    assert at_step_5.wait(30)
    trainer.stop(wait=False)  # requested while step 5's listeners run: step 6 never starts
    release.set()
    trainer.join(30)
    assert trainer.state == "stopped" and trainer.step == 5
    for name, value in params_of(trainer.model).items():
        np.testing.assert_array_equal(value, snapshots[5][name])


def test_pause_resume_and_reset(mlp_setup):
    trainer = make(mlp_setup, epochs=2)
    initial = params_of(trainer.model)
    paused = threading.Event()
    trainer.subscribe(lambda e: trainer.pause() if e.kind == "step" and e.step == 2 else None)
    trainer.subscribe(lambda e: paused.set() if e.kind == "state" and e.state == "paused" else None)
    trainer.start()
    assert paused.wait(30)
    assert trainer.step == 2 and trainer.running
    trainer.resume()
    trainer.join(30)
    assert trainer.state == "finished" and trainer.step == 8
    assert any(not np.array_equal(v, initial[k]) for k, v in params_of(trainer.model).items())
    trainer.reset()
    assert trainer.step == 0 and trainer.state == "idle"
    for name, value in params_of(trainer.model).items():
        np.testing.assert_array_equal(value, initial[name])


def test_ctrl_c_in_fit_stops_cleanly_after_the_current_step(mlp_setup):
    trainer = make(mlp_setup, epochs=50)
    snapshots = {}

    def listener(e):
        if e.kind == "step":
            snapshots[e.step] = params_of(trainer.model)
        if e.kind == "forward" and e.step == 3:
            os.kill(os.getpid(), signal.SIGINT)  # arrives mid-step, like Jupyter's interrupt button

    trainer.subscribe(listener)
    trainer.fit()
    assert trainer.state == "stopped" and trainer.step == 3
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    for name, value in params_of(trainer.model).items():
        np.testing.assert_array_equal(value, snapshots[3][name])


def test_the_engine_side_never_imports_jupyter():
    import subprocess
    import sys

    code = (
        "import sys, autolab, autolab.training; "
        "bad = [m for m in ('ipywidgets', 'widgets', 'matplotlib', 'IPython') if m in sys.modules]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=str(__import__("pathlib").Path(__file__).parents[2]))
