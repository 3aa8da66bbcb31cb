"""autolab.training.Trainer: events, steering between steps, NaN and exceptions, consistent stops."""

from __future__ import annotations

import os
import signal
import threading
import time

import numpy as np
import pytest
from widget_helpers import params_of

import autolab
from autolab.training import Trainer, stats
from autolab.utils.data import DataLoader, TensorDataset


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


# ---- issue 12: no zombie runs, no races, errors surfaced (the state machine covers the combinations) -----------
def states_of(trainer):
    states = []
    trainer.subscribe(lambda e: states.append(e) if e.kind == "state" else None)
    return states


@pytest.mark.parametrize("on", ["running", "step", "finished"])
def test_a_raising_listener_ends_the_run_in_error_with_its_traceback(mlp_setup, on):
    trainer = make(mlp_setup, epochs=1)
    states = states_of(trainer)

    def broken_listener(e):
        if e.kind == on or getattr(e, "state", None) == on:
            raise KeyError("a deliberate listener failure")

    trainer.subscribe(broken_listener)
    trainer.start()
    trainer.join(30)
    assert trainer.state == "error" and not trainer.running and isinstance(trainer.error, KeyError)
    assert states[-1].state == "error" and "broken_listener" in states[-1].traceback
    assert "a deliberate listener failure" in states[-1].message


@pytest.mark.parametrize("exc", [SystemExit, KeyboardInterrupt])
def test_system_exit_or_keyboard_interrupt_in_forward_is_an_error_not_a_zombie(mlp_setup, exc):
    model, opt, loss_fn, train, val = mlp_setup
    calls = []

    def dying_loss(out, y):
        calls.append(1)
        if len(calls) == 2:
            raise exc("a deliberate exit inside the step")
        return loss_fn(out, y)

    trainer = Trainer(model, opt, dying_loss, train, val, epochs=3)
    states = states_of(trainer)
    trainer.start()
    trainer.join(30)
    assert trainer.state == "error" and isinstance(trainer.error, exc) and trainer.step == 1
    assert states[-1].message == f"{exc.__name__}: a deliberate exit inside the step"
    assert "dying_loss" in states[-1].traceback and "dying_loss" in trainer.error_traceback
    calls.clear()
    with pytest.raises(exc):  # in the foreground the exception reaches the caller, after the "error" event
        trainer.fit()
    assert trainer.state == "error" and not trainer.running


def test_concurrent_starts_run_one_thread(mlp_setup):
    trainer = make(mlp_setup, epochs=10_000)
    barrier, results = threading.Barrier(8), []

    def press_start():
        barrier.wait()
        try:
            results.append(trainer.start())
        except RuntimeError as e:
            results.append(str(e))

    pressers = [threading.Thread(target=press_start) for _ in range(8)]
    for p in pressers:
        p.start()
    for p in pressers:
        p.join()
    threads = [r for r in results if isinstance(r, threading.Thread)]
    assert len(threads) == 1 and all("already running" in r for r in results if isinstance(r, str))
    trainer.stop()
    assert not threads[0].is_alive()


def test_stop_and_reset_return_only_when_the_run_is_over_and_nothing_follows_the_reset(mlp_setup):
    trainer = make(mlp_setup, epochs=10_000)
    initial = params_of(trainer.model)
    events, at_reset = [], []
    in_step = threading.Event()

    def slow_listener(e):
        events.append(e)
        if e.kind == "step" and e.step % 3 == 0:
            in_step.set()
            time.sleep(0.2)  # a slow step: stop() and reset() must wait for it

    trainer.subscribe(slow_listener)
    # fit() in a worker thread (a script's own thread, or a test's): reset() from here must still wait for it
    worker = threading.Thread(target=trainer.fit)
    worker.start()
    assert in_step.wait(30)
    trainer.reset()
    at_reset = [e.state for e in events if e.kind == "state"]
    assert not trainer.running and trainer.state == "idle" and trainer.step == 0
    for name, value in params_of(trainer.model).items():
        np.testing.assert_array_equal(value, initial[name])
    worker.join(30)
    time.sleep(0.05)
    assert at_reset[-2:] == ["stopped", "idle"] and [e.state for e in events if e.kind == "state"] == at_reset
    thread = trainer.start()
    in_step.clear()
    assert in_step.wait(30)
    trainer.stop()
    assert not thread.is_alive() and trainer.state == "stopped"


def test_a_stop_interrupts_a_long_evaluation(mlp_setup):
    model, opt, loss_fn, train, val = mlp_setup
    x, y = val.dataset.tensors
    slow_val = DataLoader(TensorDataset(x, y), batch_size=1)  # 32 batches
    trainer = Trainer(model, opt, loss_fn, train, slow_val, epochs=1)
    evaluating = threading.Event()
    batches = []

    def slow_forward(module, inputs, output):
        if not module.training:
            batches.append(1)
            evaluating.set()
            time.sleep(0.05)

    model.register_forward_hook(slow_forward)
    trainer.start()
    assert evaluating.wait(30)
    started = time.perf_counter()
    trainer.stop()
    assert time.perf_counter() - started < 1.0 and len(batches) < 10  # 32 batches would take 1.6 s
    assert trainer.state == "stopped" and model.training


def test_two_trainers_cannot_train_one_model_at_once(mlp_setup):
    model, opt, loss_fn, train, val = mlp_setup
    first = Trainer(model, opt, loss_fn, train, val, epochs=10_000)
    second = Trainer(model, autolab.optim.SGD(model.parameters(), lr=0.5), loss_fn, train, val, epochs=1)
    first.start()
    for call in (second.start, second.fit, second.reset, second.evaluate):
        with pytest.raises(RuntimeError, match="another Trainer"):
            call()
    with pytest.raises(RuntimeError, match="stop\\(\\) it first"):
        first.evaluate()  # not even its own trainer evaluates while it trains
    first.stop()
    second.fit()  # free again
    assert second.state == "finished" and first.state == "stopped"


def test_controls_called_from_a_listener_do_not_deadlock(mlp_setup):
    trainer = make(mlp_setup, epochs=10_000)
    refused = []

    def listener(e):
        if e.kind == "step" and e.step == 2:
            for call in (trainer.start, trainer.reset, trainer.fit):
                try:
                    call()
                except RuntimeError as err:
                    refused.append(str(err))
            trainer.stop()  # on the training thread: returns at once, the run ends after this step

    trainer.subscribe(listener)
    trainer.start()
    trainer.join(30)
    assert trainer.state == "stopped" and trainer.step == 2 and len(refused) == 3


def test_hyperparameters_and_batch_sizes_are_checked(mlp_setup):
    trainer = make(mlp_setup, epochs=1)
    for bad in (2.5, 0, -1, True, "8"):
        with pytest.raises(ValueError, match="batch_size should be a positive integer value"):
            trainer.set_batch_size(bad)
    trainer.set_batch_size(np.int64(8))
    assert trainer.train_loader.batch_size == 8
    with pytest.raises(ValueError, match="Invalid lr"):
        trainer.set_hparams(lr=float("nan"))
    with pytest.raises(ValueError, match="Invalid momentum"):
        trainer.set_hparams(momentum=-0.5)
    with pytest.raises(TypeError, match="lr must be a number"):
        trainer.set_hparams(lr="0.1")
    with pytest.raises(ValueError, match="epochs must be an integer"):
        Trainer(*mlp_setup, epochs=2.5)
