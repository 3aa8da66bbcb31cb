"""The exercise checks pass the model solutions, and catch typical wrong answers with a hint."""

from __future__ import annotations

import numpy as np
import pytest

from autolab.course import checks


def passes(capsys, result) -> bool:
    out = capsys.readouterr().out
    assert out.startswith(checks.PASS if result else checks.FAIL), out
    return bool(result)


def not_done(*args):
    raise NotImplementedError()


def test_unfinished_exercise_gives_a_hint_not_a_traceback(capsys):
    assert not checks.mse(not_done)
    assert "not done yet" in capsys.readouterr().out


@pytest.fixture
def working(monkeypatch):
    """A student at work: no grader in the environment."""
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    monkeypatch.delenv("AUTOLAB_GRADING", raising=False)


@pytest.mark.parametrize(
    "env", [{"NBGRADER_EXECUTION": "autograde"}, {"NBGRADER_EXECUTION": "validate"}, {"AUTOLAB_GRADING": "1"}]
)
def test_grading_mode_fails_the_cell_after_the_friendly_line(capsys, monkeypatch, working, env):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert checks.grading()
    with pytest.raises(AssertionError, match="checks.mse did not pass"):
        checks.mse(not_done)
    assert capsys.readouterr().out.startswith("✗ not done yet")
    with pytest.raises(checks.CheckFailed):
        checks.mse(lambda p, t: ((p - t) ** 2).sum())  # wrong
    assert "You summed" in capsys.readouterr().out
    with pytest.raises(checks.CheckFailed):
        checks.mse(lambda p, t: 1 / 0)  # crashed
    assert "ZeroDivisionError" in capsys.readouterr().out
    assert checks.mse(lambda p, t: ((p - t) ** 2).mean())  # right: no exception, a ✓
    assert capsys.readouterr().out.startswith("✓")


def test_working_mode_never_raises(capsys, monkeypatch, working):
    monkeypatch.setenv("AUTOLAB_GRADING", "0")
    assert not checks.grading()
    assert not checks.mse(not_done)
    assert not checks.mse(lambda p, t: 1 / 0)


def test_passed_remembers_each_answer(capsys, working):
    def right(p, t):
        return ((p - t) ** 2).mean()

    def wrong(p, t):
        return ((p - t) ** 2).sum()

    assert not checks.passed(right), "never checked"
    checks.mse(right)
    checks.mse(wrong)
    assert checks.passed(right) and not checks.passed(wrong)
    checks.mse(right, seed=3)
    assert checks.passed(right)
    # the hidden tests fail an answer that only fits the visible inputs: passed() stays False after that
    fitted = lambda p, t: ((p - t) ** 2).mean() if tuple(p.shape) == (6,) else p.sum()  # noqa: E731
    assert checks.mse(fitted)
    assert not checks.mse(fitted, seed=7)
    assert not checks.passed(fitted)


def test_passed_survives_grading_mode(capsys, monkeypatch, working):
    """`loss_fn = mse if checks.passed(mse) else F.mse_loss` works after a check raised."""
    monkeypatch.setenv("AUTOLAB_GRADING", "1")
    with pytest.raises(AssertionError):
        checks.mse(not_done)
    assert checks.passed(not_done) is False


def test_hidden_inputs_differ_from_the_visible_ones(capsys, working):
    """A seed gives other inputs: an answer fitted to the visible check fails the hidden one."""
    import autolab
    from autolab import nn

    three_d = lambda a, b: sum((a[:, None, i] - b[None, :, i]) ** 2 for i in range(3))  # noqa: E731
    assert checks.pairwise_sq_distances(three_d) and not checks.pairwise_sq_distances(three_d, seed=7)
    linear_only = lambda m: sum(x.in_features * x.out_features + x.out_features for x in m if isinstance(x, nn.Linear))  # noqa: E731
    assert checks.count_parameters(linear_only) and not checks.count_parameters(linear_only, seed=7)
    square = lambda n, k, stride=1, padding=0: (n + 2 * padding - k) // stride + 1 if stride < 3 else n // stride  # noqa: E731
    assert checks.conv_output_size(square) and not checks.conv_output_size(square, seed=7)
    # a topological sort that only goes two levels deep passes neither; the model answer passes both
    assert not checks.topo_sort(_two_levels) and not checks.topo_sort(_two_levels, seed=7)
    assert checks.topo_sort(checks_topo) and checks.topo_sort(checks_topo, seed=7)
    assert autolab.__name__ == "autolab"


def checks_topo(root):
    from autolab.autograd.engine import topological_order

    return topological_order([root])


def _two_levels(root):
    """Only the root and its direct inputs: right for no graph, caught on any deeper one."""
    return [root, *[t for t in root.grad_fn.inputs if t.requires_grad]]


@pytest.mark.parametrize(
    "check, answer",
    [
        ("broadcast_shape", lambda a, b: tuple(np.broadcast_shapes(a, b))),
        ("pairwise_sq_distances", lambda a, b: ((a[:, None, :] - b[None, :, :]) ** 2).sum(dim=-1)),
        ("chain_rule", lambda a, b, c: {"a": 2 * (a * b + c) * b, "b": 2 * (a * b + c) * a, "c": 2 * (a * b + c)}),
        ("topo_sort", checks_topo),
        ("count_parameters", lambda m: sum(p.numel() for p in m.parameters())),
        ("mse", lambda p, t: ((p - t) ** 2).mean()),
        ("conv_output_size", lambda n, k, stride=1, padding=0: (n + 2 * padding - k) // stride + 1),
        ("accuracy", lambda logits, y: (logits.argmax(1) == y).float().mean()),
        ("matmul", lambda a, b: a @ b),
    ],
)
@pytest.mark.parametrize("seed", [1, 7, 123])
def test_model_answers_pass_every_seed(capsys, working, check, answer, seed):
    assert passes(capsys, getattr(checks, check)(answer, seed=seed))


def test_result_is_silent_in_jupyter_but_truthy():
    r = checks.ok("fine")
    assert r and repr(r) == checks.PASS and r._ipython_display_() is None
    assert not checks.fail("nope")


def test_broadcast_shape(capsys):
    assert passes(capsys, checks.broadcast_shape(lambda a, b: tuple(np.broadcast_shapes(a, b))))
    assert not passes(capsys, checks.broadcast_shape(lambda a, b: max(a, b, key=len)))
    # right shapes but never raising on incompatible ones
    lenient = lambda a, b: tuple(np.broadcast_shapes(a, b)) if len(a) != len(b) or a == b else a  # noqa: E731
    assert not passes(capsys, checks.broadcast_shape(lenient))


def test_pairwise_sq_distances(capsys):
    good = lambda a, b: ((a[:, None, :] - b[None, :, :]) ** 2).sum(dim=-1)  # noqa: E731
    assert passes(capsys, checks.pairwise_sq_distances(good))
    assert not passes(capsys, checks.pairwise_sq_distances(lambda a, b: good(a, b).sqrt()))
    assert not passes(capsys, checks.pairwise_sq_distances(lambda a, b: (a - b[:1]) ** 2))


def test_chain_rule(capsys):
    assert passes(capsys, checks.chain_rule({"a": -24.0, "b": 16.0, "c": 8.0}))
    assert not passes(capsys, checks.chain_rule({"a": 16.0, "b": -24.0, "c": 8.0}))
    assert not passes(capsys, checks.chain_rule({"a": -24.0}))
    assert passes(
        capsys,
        checks.chain_rule(lambda a, b, c: {"a": 2 * (a * b + c) * b, "b": 2 * (a * b + c) * a, "c": 2 * (a * b + c)}),
    )
    assert not passes(capsys, checks.chain_rule(lambda a, b, c: {"a": b, "b": a, "c": 1.0}))


def test_chain_rule_in_notebook_02s_names(capsys):
    """loss = (w * x + b) ** 2: the same graph, named after a model."""

    def right(w, x, b):
        return {"w": 2 * (w * x + b) * x, "x": 2 * (w * x + b) * w, "b": 2 * (w * x + b)}

    assert passes(capsys, checks.chain_rule(right))
    assert passes(capsys, checks.chain_rule(right, seed=7))
    assert not passes(capsys, checks.chain_rule(lambda w, x, b: {"w": 2 * (w * x + b), "x": 0.0, "b": 1.0}))
    assert not passes(capsys, checks.chain_rule({"w": -24.0}))


def test_used_twice(capsys):
    assert passes(capsys, checks.used_twice(lambda w, x, b, lam: 2 * (w * x + b) * x + 2 * lam * w))
    assert passes(capsys, checks.used_twice(lambda w, x, b, lam: 2 * (w * x + b) * x + 2 * lam * w, seed=7))
    assert not checks.used_twice(lambda w, x, b, lam: 2 * (w * x + b) * x)  # only the error's path
    assert "used a second time" in capsys.readouterr().out
    assert not checks.used_twice(lambda w, x, b, lam: 2 * lam * w)  # only the penalty's
    assert "penalty's part" in capsys.readouterr().out


def test_which_ops_quiz(capsys):
    assert passes(capsys, checks.which_ops_quiz(lambda: "c"))
    assert not checks.which_ops_quiz(lambda: "b")
    assert "one more op" in capsys.readouterr().out
    assert not passes(capsys, checks.which_ops_quiz(lambda: "?"))


def test_topo_sort(capsys):
    from autolab.autograd.engine import topological_order

    assert passes(capsys, checks.topo_sort(lambda root: topological_order([root])))
    assert not passes(capsys, checks.topo_sort(lambda root: topological_order([root])[::-1]))
    assert not passes(capsys, checks.topo_sort(lambda root: [root]))


def _hypot(backward):
    from autolab.autograd import Function

    class Hypot(Function):
        def forward(self, a, b):
            return np.sqrt(a * a + b * b)

    Hypot.backward = backward
    return Hypot


def test_backward_against_finite_differences(capsys):
    def right(self, g):
        a, b = self.inputs
        h = (a * a + b * b).sqrt()
        return g * a / h, g * b / h

    def swapped(self, g):
        a, b = self.inputs
        h = (a * a + b * b).sqrt()
        return g * b / h, g * a / h

    def one_grad(self, g):
        a, b = self.inputs
        return g * a / (a * a + b * b).sqrt()

    assert passes(capsys, checks.backward(_hypot(right), (3, 4), (3, 4), reference=np.hypot))
    assert not passes(capsys, checks.backward(_hypot(swapped), (3, 4), (3, 4), reference=np.hypot))
    assert not passes(capsys, checks.backward(_hypot(one_grad), (3, 4), (3, 4)))


def _hypot_ctx(backward):
    """The notebook's exercise as it is now written: PyTorch's form, a ctx and static methods."""
    from autolab.autograd import Function

    class Hypot(Function):
        @staticmethod
        def forward(ctx, a, b):
            h = (a * a + b * b).sqrt()
            ctx.save_for_backward(a, b, h)
            return h

    Hypot.backward = staticmethod(backward)
    return Hypot


def test_backward_check_takes_pytorchs_form(capsys):
    def right(ctx, g):
        a, b, h = ctx.saved_tensors
        return g * a / h, g * b / h

    def swapped(ctx, g):
        a, b, h = ctx.saved_tensors
        return g * b / h, g * a / h

    def one_grad(ctx, g):
        a, b, h = ctx.saved_tensors
        return g * a / h

    assert passes(capsys, checks.backward(_hypot_ctx(right), (3, 4), (3, 4), reference=np.hypot))
    assert not passes(capsys, checks.backward(_hypot_ctx(swapped), (3, 4), (3, 4), reference=np.hypot))
    assert not checks.backward(_hypot_ctx(one_grad), (3, 4), (3, 4))
    assert "HypotBackward returned an incorrect number of gradients (expected 2, got 1)" in capsys.readouterr().out


def test_mse_and_sgd_step(capsys):
    import autolab

    assert passes(capsys, checks.mse(lambda p, t: ((p - t) ** 2).mean()))
    assert not passes(capsys, checks.mse(lambda p, t: ((p - t) ** 2).sum()))

    def step(params, lr):
        with autolab.no_grad():
            for p in params:
                p -= lr * p.grad
                p.grad = None

    def uphill(params, lr):
        with autolab.no_grad():
            for p in params:
                p += lr * p.grad
                p.grad = None

    def keeps_grads(params, lr):
        with autolab.no_grad():
            for p in params:
                p -= lr * p.grad

    assert passes(capsys, checks.sgd_step(step))
    assert not passes(capsys, checks.sgd_step(uphill))
    assert not passes(capsys, checks.sgd_step(keeps_grads))


def test_count_parameters(capsys):
    assert passes(capsys, checks.count_parameters(lambda m: sum(p.numel() for p in m.parameters())))
    assert not passes(capsys, checks.count_parameters(lambda m: len(list(m.parameters()))))


@pytest.mark.parametrize("bias_scale", [1.0, 0.0])
def test_linear(capsys, bias_scale):
    import autolab
    from autolab import nn

    class Good(nn.Module):
        def __init__(self, n_in, n_out):
            super().__init__()
            bound = 1 / np.sqrt(n_in)
            self.weight = nn.Parameter(autolab.empty(n_out, n_in).uniform_(-bound, bound))
            self.bias = nn.Parameter(autolab.empty(n_out).uniform_(-bound, bound))

        def forward(self, x):
            return x @ self.weight.T + self.bias * bias_scale

    class Transposed(Good):
        def __init__(self, n_in, n_out):
            super().__init__(n_out, n_in)

    assert passes(capsys, checks.linear(Good)) == (bias_scale == 1.0)
    assert not passes(capsys, checks.linear(Transposed))


def test_cnn_checks(capsys):
    assert passes(
        capsys, checks.conv_output_size(lambda n, k, stride=1, padding=0: (n + 2 * padding - k) // stride + 1)
    )
    assert not passes(capsys, checks.conv_output_size(lambda n, k, stride=1, padding=0: (n - k) // stride + 1))
    assert passes(capsys, checks.accuracy(lambda logits, y: (logits.argmax(1) == y).float().mean()))
    assert not passes(capsys, checks.accuracy(lambda logits, y: 100 * (logits.argmax(1) == y).float().mean()))


def _im2col(x, kh, kw, order="cij"):
    n, c, h, w = x.shape
    ho, wo = h - kh + 1, w - kw + 1
    cols = np.empty((n, c, kh, kw, ho, wo))
    for i in range(kh):
        for j in range(kw):
            cols[:, :, i, j] = x[:, :, i : i + ho, j : j + wo]
    if order == "ijc":
        cols = cols.transpose(0, 2, 3, 1, 4, 5)
    return cols.reshape(n, c * kh * kw, ho * wo)


def test_model_answers_of_classes_and_in_place_steps_pass_every_seed(capsys, working):
    import autolab
    from autolab import nn

    class Good(nn.Module):
        def __init__(self, n_in, n_out):
            super().__init__()
            bound = 1 / np.sqrt(n_in)
            self.weight = nn.Parameter(autolab.empty(n_out, n_in).uniform_(-bound, bound))
            self.bias = nn.Parameter(autolab.empty(n_out).uniform_(-bound, bound))

        def forward(self, x):
            return x @ self.weight.T + self.bias

    def step(params, lr):
        with autolab.no_grad():
            for p in params:
                p -= lr * p.grad
                p.grad = None

    for seed in (1, 7, 123):
        assert passes(capsys, checks.linear(Good, seed=seed))
        assert passes(capsys, checks.sgd_step(step, seed=seed))
        assert passes(capsys, checks.im2col(_im2col, seed=seed))
        assert passes(capsys, checks.backward(_hypot(_hypot_backward), (2, 5), (2, 5), reference=np.hypot, seed=seed))


def _hypot_backward(self, g):
    a, b = self.inputs
    h = (a * a + b * b).sqrt()
    return g * a / h, g * b / h


def test_kernel_checks(capsys):
    assert passes(capsys, checks.im2col(_im2col))
    assert not passes(capsys, checks.im2col(lambda x, kh, kw: _im2col(x, kh, kw, order="ijc")))
    assert passes(capsys, checks.matmul(lambda a, b: a @ b))
    assert not passes(capsys, checks.matmul(lambda a, b: (a[:, :64] @ b[:64]) if a.shape[1] > 64 else a @ b.T))


def test_training_clock_counts_only_running_time():
    import time as _time

    import autolab
    from autolab import nn, optim
    from autolab.course import TrainingClock
    from autolab.training import Trainer
    from autolab.utils.data import DataLoader, TensorDataset

    autolab.manual_seed(0)
    data = TensorDataset(autolab.randn(64, 4), autolab.randint(0, 3, (64,)))
    model = nn.Linear(4, 3)
    trainer = Trainer(model, optim.SGD(model.parameters(), lr=0.1), nn.CrossEntropyLoss(), DataLoader(data, 16))
    clock = TrainingClock(trainer)
    assert clock.seconds == 0.0
    started = _time.perf_counter()
    trainer.fit(epochs=2)
    wall = _time.perf_counter() - started
    first = clock.seconds
    assert 0.0 < first <= wall
    _time.sleep(0.05)
    assert clock.seconds == first, "the clock stops when training finishes"
    assert trainer.epoch == 2


def test_course_helpers_import_no_jupyter():
    import subprocess
    import sys

    code = (
        "import sys, autolab.course, autolab.course.checks; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('IPython', 'ipywidgets', 'matplotlib', 'jupyter_client', 'widgets')]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]  # `python -c` puts its cwd on sys.path: this repo's autolab
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root)
    assert result.returncode == 0, result.stdout + result.stderr


def test_fast_flag_and_pick(monkeypatch):
    import importlib

    import autolab.course as course

    for value, fast in [("1", True), ("true", True), ("0", False), ("", False), ("off", False)]:
        monkeypatch.setenv("AUTOLAB_FAST", value)
        reloaded = importlib.reload(course)
        assert reloaded.FAST is fast
        assert reloaded.pick("small", "big") == ("small" if fast else "big")
    monkeypatch.delenv("AUTOLAB_FAST")
    importlib.reload(course)
