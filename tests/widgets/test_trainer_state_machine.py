"""The Trainer as a state machine: hypothesis drives start, fit, pause, resume, stop, reset, evaluate,
hyperparameter changes, a second Trainer on the same model, raising listeners and raising models (SystemExit
and KeyboardInterrupt included), one call at a time and several at once from different threads. After every
step it checks the promises of autolab/training/control.py:

- one training thread at most, and every event of a run comes from that run's thread;
- ``state`` matches reality: "running"/"paused" only while a run's thread is alive, and a paused run makes no
  progress; no run in progress means no thread left and a state that is not "running"/"paused";
- every error ends its run in "error", with the exception and a traceback that shows where it was raised;
- events arrive in a legal order (nothing after a reset from the run before it; steps count up by one);
- ``stop()`` and ``reset()`` return with the thread gone; after ``reset()`` the weights and the optimizer
  are the initial ones.
"""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

import autolab
from autolab import nn
from autolab.training import Trainer
from autolab.utils.data import DataLoader, TensorDataset

ENDED = ("idle", "finished", "stopped", "error")
RUNNING = ("running", "paused")
# state -> the states that may follow it (a terminal state may turn into "error" when a listener raises on it)
LEGAL = {
    "idle": {"running", "idle"},
    "running": {"paused", "finished", "stopped", "error"},
    "paused": {"running", "stopped", "error"},
    "finished": {"running", "idle", "error"},
    "stopped": {"running", "idle", "error"},
    "error": {"running", "idle"},
}
ERRORS = {"ValueError": ValueError, "SystemExit": SystemExit, "KeyboardInterrupt": KeyboardInterrupt}


def explode(bombs: list, kind: str, where: str, run: int | None):
    exc = ERRORS[kind](f"a deliberate {kind} in the {where}")
    bombs.append((run, where, exc))
    raise exc


class Net(nn.Module):
    """A linear classifier whose forward can be armed to raise, or to return NaN."""

    def __init__(self, machine: TrainerMachine) -> None:
        super().__init__()
        self.fc = nn.Linear(4, 3)
        self.armed: str | None = None
        self.machine = machine

    def forward(self, x):
        run = self.machine.current_run()
        if self.armed is not None and run is not None:  # only in the main Trainer's runs
            armed, self.armed = self.armed, None
            if armed == "nan":
                return self.fc(x) * float("nan")
            explode(self.machine.recorder.bombs, armed, "model", run)
        return self.fc(x)


class Recorder:
    """Listener that checks the event stream as it arrives (on whichever thread emits it)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.state = "idle"
        self.run = 0
        self.run_thread: threading.Thread | None = None  # the thread of the current (or last) run
        self.in_run = False
        self.step = 0
        self.bombs: list = []  # (run, where, exception) of every bomb that went off
        self.errors: dict[int, list] = {}  # run -> its "error" StateEvents
        self.violations: list[str] = []

    def __call__(self, e) -> None:
        me = threading.current_thread()
        with self.lock:
            if e.kind == "state":
                if e.state not in LEGAL[self.state]:
                    self.violations.append(f"{self.state} -> {e.state}")
                if e.state == "running" and self.state not in RUNNING:  # a new run, not a resume
                    if self.in_run:
                        self.violations.append("a run started while another was in progress")
                    self.run, self.run_thread, self.in_run = self.run + 1, me, True
                elif e.state == "idle":
                    if self.in_run:
                        self.violations.append("reset while a run was in progress")
                    self.step = 0
                elif self.run_thread is not me:
                    self.violations.append(f"'{e.state}' from a thread that is not the run's")
                if e.state == "error":
                    self.errors.setdefault(self.run, []).append(e)
                if e.state in ("finished", "stopped", "error"):
                    self.in_run = False
                self.state = e.state
            elif e.kind == "evaluation" and not self.in_run:
                pass  # a stand-alone evaluate()
            else:
                if self.state != "running" or self.run_thread is not me:
                    self.violations.append(f"'{e.kind}' event while {self.state}, or from another thread")
                if e.kind == "forward" and e.step != self.step + 1:
                    self.violations.append(f"forward of step {e.step} after step {self.step}")
                if e.kind == "step":
                    if e.step != self.step + 1:
                        self.violations.append(f"step {e.step} after step {self.step}")
                    self.step = e.step


def weights(model) -> dict[str, np.ndarray]:
    return {k: v.numpy().copy() for k, v in model.state_dict().items()}


def catching(fn, *args, expected=(), **kwargs):
    """Run fn; return the exception it raised (any BaseException), or None. Unexpected ones are re-raised."""
    try:
        fn(*args, **kwargs)
    except BaseException as exc:  # noqa: B036 -- bombs raise SystemExit and KeyboardInterrupt on purpose
        if isinstance(exc, expected):
            return exc
        raise
    return None


class TrainerMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        autolab.manual_seed(0)
        rng = np.random.default_rng(0)
        x = autolab.tensor(rng.standard_normal((32, 4)).astype(np.float32))
        y = autolab.tensor(rng.integers(0, 3, 32))
        self.recorder = Recorder()
        self.model = Net(self)
        opt = autolab.optim.SGD(self.model.parameters(), lr=0.05, momentum=0.9)
        train = DataLoader(TensorDataset(x, y), batch_size=8, shuffle=True)
        val = DataLoader(TensorDataset(x[:16], y[:16]), batch_size=4)
        self.trainer = Trainer(self.model, opt, nn.CrossEntropyLoss(), train, val, epochs=10_000, stats_every=3)
        self.trainer.subscribe(self.recorder)
        self.listener_bomb: tuple[str, str] | None = None  # (exception, event kind)
        self.trainer.subscribe(self.listener)
        self.initial = weights(self.model)
        self.other = Trainer(
            self.model, autolab.optim.SGD(self.model.parameters(), lr=0.1), nn.CrossEntropyLoss(), train, val
        )
        self.threads: list[threading.Thread] = []
        self.reset_bombs: list = []

    def current_run(self) -> int | None:
        """The number of the main Trainer's run this thread is running, if it is running one."""
        t = self.trainer
        return self.recorder.run if threading.current_thread() is t._runner and t.running else None

    def listener(self, e) -> None:
        bomb = self.listener_bomb
        if bomb is not None and e.kind == bomb[1] and not (e.kind == "state" and e.state == "error"):
            self.listener_bomb = None
            explode(self.recorder.bombs, bomb[0], f"listener on {e.kind}", self.current_run())

    # ---- rules: one call at a time -------------------------------------------------------------------------
    @rule(epochs=st.sampled_from([1, 2, None]))
    def start(self, epochs):
        was_running = self.trainer.running
        exc = catching(self.trainer.start, epochs, expected=RuntimeError)
        if exc is None:
            self.threads.append(self.trainer._thread)
        else:
            assert was_running and "already running" in str(exc)

    @rule()
    def pause(self):
        self.trainer.pause()

    @rule()
    def resume(self):
        self.trainer.resume()

    @rule(wait=st.booleans())
    def stop(self, wait):
        self.trainer.stop(wait=wait, timeout=30 if wait else None)
        if wait:
            assert not self.trainer.running and self.trainer.state in ENDED
            assert not any(t.is_alive() for t in self.threads)

    @rule()
    def reset(self):
        exc = catching(self.trainer.reset, expected=BaseException)
        assert not self.trainer.running and not any(t.is_alive() for t in self.threads)
        if exc is not None:  # only a listener bomb on the "idle" event may raise here, after the reset is done
            assert any(b[2] is exc and b[1] == "listener on state" for b in self.recorder.bombs), repr(exc)
        assert self.trainer.state == "idle" and self.trainer.step == 0 and self.trainer.error is None
        now = weights(self.model)
        for k, v in self.initial.items():
            np.testing.assert_array_equal(now[k], v)
        assert self.trainer.optimizer.state_dict()["state"] == {}  # no momentum left over

    @rule(lr=st.sampled_from([0.01, 0.1, 0.5]), size=st.sampled_from([4, 8, 16]))
    def hyperparameters(self, lr, size):
        self.trainer.set_hparams(lr=lr, momentum=0.5)
        self.trainer.set_batch_size(size)

    @rule(kind=st.sampled_from(["ValueError", "SystemExit", "KeyboardInterrupt", "nan"]))
    def arm_the_model(self, kind):
        self.model.armed = kind

    @rule(kind=st.sampled_from(sorted(ERRORS)), on=st.sampled_from(["forward", "step", "epoch", "evaluation", "state"]))
    def arm_a_listener(self, kind, on):
        self.listener_bomb = (kind, on)

    @rule(seconds=st.sampled_from([0.001, 0.01, 0.03]))
    def let_it_train(self, seconds):
        time.sleep(seconds)

    @rule()
    def evaluate_alone(self):
        was_running = self.trainer.running
        exc = catching(self.trainer.evaluate, expected=BaseException)
        if exc is not None and not any(b[2] is exc for b in self.recorder.bombs):
            assert was_running and isinstance(exc, RuntimeError) and "stop() it first" in str(exc)

    @rule(action=st.sampled_from(["start", "reset", "evaluate"]))
    def a_second_trainer_on_the_same_model(self, action):
        was_running = self.trainer.running
        fn = {"start": lambda: self.other.start(1000), "reset": self.other.reset, "evaluate": self.other.evaluate}
        exc = catching(fn[action], expected=BaseException)
        if exc is not None and not any(b[2] is exc for b in self.recorder.bombs):
            assert isinstance(exc, RuntimeError), repr(exc)
            assert was_running and "another Trainer" in str(exc), str(exc)
        if action == "start" and exc is None:  # and the other way round
            refused = catching(self.trainer.start, expected=RuntimeError)
            assert refused is not None and "another Trainer" in str(refused), refused
        self.other.stop(timeout=30)

    # ---- several threads at once ---------------------------------------------------------------------------
    @rule(
        actions=st.lists(
            st.sampled_from(["start", "fit", "stop", "reset", "pause", "resume", "lr"]), min_size=2, max_size=4
        )
    )
    def concurrently(self, actions):
        barrier = threading.Barrier(len(actions))
        unexpected: list[BaseException] = []

        def act(name):
            barrier.wait()
            try:
                if name == "start":
                    t = self.trainer.start(2)
                    self.threads.append(t)
                elif name == "fit":
                    self.trainer.fit(1)
                elif name == "stop":
                    self.trainer.stop(timeout=30)
                elif name == "reset":
                    self.trainer.reset()
                elif name == "pause":
                    self.trainer.pause()
                elif name == "resume":
                    self.trainer.resume()
                else:
                    self.trainer.set_hparams(lr=0.02)
            except RuntimeError as exc:
                if "already running" not in str(exc) and not any(b[2] is exc for b in self.recorder.bombs):
                    unexpected.append(exc)
            except BaseException as exc:  # noqa: B036 -- a bomb's SystemExit / KeyboardInterrupt, raised by fit()
                if not any(b[2] is exc for b in self.recorder.bombs):
                    unexpected.append(exc)

        workers = [threading.Thread(target=act, args=(a,)) for a in actions]
        for w in workers:
            w.start()
        deadline = time.monotonic() + 20
        while any(w.is_alive() for w in workers) and time.monotonic() < deadline:
            if self.trainer.state == "paused":
                self.trainer.resume()  # a fit() paused by a pause() from another thread waits for a resume: legal
            time.sleep(0.002)
        assert not any(w.is_alive() for w in workers), "a control call never returned (deadlock)"
        assert not unexpected, unexpected

    # ---- what must hold after every step ------------------------------------------------------------------
    @invariant()
    def at_most_one_training_thread(self):
        assert sum(t.is_alive() for t in self.threads) <= 1
        assert not self.recorder.violations, self.recorder.violations

    @invariant()
    def state_matches_reality(self):
        t = self.trainer
        with t._state_lock:  # a consistent snapshot: the run sets its last state under this lock
            state, thread, running = t.state, t._runner, t.running
            alive = thread is not None and thread.is_alive()
        if state in RUNNING:
            assert alive and running
        if state == "paused":
            step = t.step
            time.sleep(0.005)
            assert t.step == step or t.state != "paused", "a paused run made progress"
        if not t.running:
            assert t.state not in RUNNING
            for th in self.threads:
                th.join(5)
                assert not th.is_alive()

    @invariant()
    def every_error_is_surfaced_with_its_traceback(self):
        for run, where, exc in self.recorder.bombs:
            if run is None or (run == self.recorder.run and self.trainer.running):
                continue  # raised to the caller of reset() / evaluate(); or its run has not ended yet
            events = self.recorder.errors.get(run, [])
            mine = [e for e in events if e.message.endswith(f"{type(exc).__name__}: {exc}")]
            assert mine, f"{where} raised {exc!r} in run {run}, which did not end in 'error' for it: {events}"
            assert "Traceback" in mine[0].traceback and "explode" in mine[0].traceback
        if self.trainer.state == "error" and not self.trainer.running:
            assert self.trainer.error is not None and "Traceback" in self.trainer.error_traceback

    def teardown(self):
        self.trainer.stop(timeout=30)
        self.other.stop(timeout=30)
        assert not any(t.is_alive() for t in self.threads)


TrainerMachine.TestCase.settings = settings(
    max_examples=30,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
test_trainer_state_machine = pytest.mark.slow(TrainerMachine.TestCase)
