"""The checks of notebooks 05, 06 and 08 pass the model solutions and name the first thing wrong in typical
wrong answers (the hint a student would get)."""

from __future__ import annotations

import os

import numpy as np
import pytest

import autolab as torch
from autolab import nn, optim
from autolab.course import checks
from autolab.optim import Optimizer
from autolab.utils.data import Dataset


def verdict(capsys, result) -> tuple[bool, str]:
    out = capsys.readouterr().out
    assert out.startswith(checks.PASS if result else checks.FAIL), out
    return bool(result), out


def passes(capsys, result) -> bool:
    return verdict(capsys, result)[0]


def fails_with(capsys, result, *words: str) -> None:
    ok, out = verdict(capsys, result)
    assert not ok, out
    for word in words:
        assert word in out, out


# ---- 05: cross-entropy -------------------------------------------------------------------------------------


def stable_ce(logits, target):
    z = logits - logits.max(dim=1, keepdim=True).values
    log_probs = z - z.exp().sum(dim=1, keepdim=True).log()
    return -log_probs[torch.arange(len(target)), target].mean()


def test_cross_entropy(capsys):
    assert passes(capsys, checks.cross_entropy(stable_ce))
    assert passes(capsys, checks.cross_entropy(stable_ce, seed=3))

    def naive(logits, target):
        p = logits.exp() / logits.exp().sum(dim=1, keepdim=True)
        return -p.log()[torch.arange(len(target)), target].mean()

    fails_with(capsys, checks.cross_entropy(naive), "log-sum-exp", "overflowed")
    fails_with(capsys, checks.cross_entropy(lambda z, t: stable_ce(z, t) * len(t)), "summed")
    fails_with(capsys, checks.cross_entropy(lambda z, t: -stable_ce(z, t)), "sign")
    fails_with(capsys, checks.cross_entropy(torch.nn.functional.cross_entropy), "built-in")

    def half_detached(logits, target):
        z = logits - logits.max(dim=1, keepdim=True).values
        log_probs = z - z.exp().sum(dim=1, keepdim=True).log().detach()
        return -log_probs[torch.arange(len(target)), target].mean()

    fails_with(capsys, checks.cross_entropy(half_detached), "gradient")
    fails_with(capsys, checks.cross_entropy(lambda z, t: stable_ce(z, t).item()), "one number")


# ---- 05: optimizers ----------------------------------------------------------------------------------------


class GoodSGD(Optimizer):
    def __init__(self, params, lr, momentum=0.0, nesterov=False):
        super().__init__(params, dict(lr=lr, momentum=momentum, nesterov=nesterov))

    def direction(self, group, p, state):
        mu, g = group["momentum"], p.grad
        if not mu:
            return g
        v = state.get("v")
        v = g.clone() if v is None else mu * v + g
        state["v"] = v
        return g + mu * v if group["nesterov"] else v

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    p -= group["lr"] * self.direction(group, p, self.state.setdefault(p, {}))


class AverageVelocity(GoodSGD):
    def direction(self, group, p, state):
        mu = group["momentum"]
        if not mu:
            return p.grad
        state["v"] = mu * state.get("v", torch.zeros_like(p)) + (1 - mu) * p.grad
        return state["v"]


class IgnoresNesterov(GoodSGD):
    def direction(self, group, p, state):
        return super().direction({**group, "nesterov": False}, p, state)


class NoMomentum(GoodSGD):
    def direction(self, group, p, state):
        return p.grad


class CachedLR(GoodSGD):
    def __init__(self, params, lr, momentum=0.0, nesterov=False):
        super().__init__(params, lr, momentum, nesterov)
        self.lr = lr

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    p -= self.lr * self.direction(group, p, self.state.setdefault(p, {}))


class Uphill(GoodSGD):
    def direction(self, group, p, state):
        return -super().direction(group, p, state)


class PyTorchStateLookup(GoodSGD):
    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    p -= group["lr"] * self.direction(group, p, self.state[p])


class NotAnOptimizer:
    def __init__(self, params, lr, momentum=0.0, nesterov=False):
        self.param_groups = [{"params": list(params), "lr": lr}]

    def zero_grad(self):
        for p in self.param_groups[0]["params"]:
            p.grad = None

    @torch.no_grad()
    def step(self):
        for p in self.param_groups[0]["params"]:
            if p.grad is not None:
                p -= self.param_groups[0]["lr"] * p.grad


def test_sgd(capsys):
    assert passes(capsys, checks.sgd(GoodSGD))
    assert passes(capsys, checks.sgd(GoodSGD, seed=5))
    assert passes(capsys, checks.sgd(optim.SGD))
    fails_with(capsys, checks.sgd(AverageVelocity), "(1 - momentum)")
    fails_with(capsys, checks.sgd(IgnoresNesterov), "nesterov")
    fails_with(capsys, checks.sgd(NoMomentum), "momentum has no effect")
    fails_with(capsys, checks.sgd(CachedLR), "group['lr']")
    fails_with(capsys, checks.sgd(Uphill), "UP the gradient")
    assert passes(capsys, checks.sgd(PyTorchStateLookup))  # optimizer.state is a defaultdict, as in PyTorch
    fails_with(capsys, checks.sgd(NotAnOptimizer), "subclass")


class GoodAdam(Optimizer):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, correct=True, root=True):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps))
        self.correct, self.root = correct, root

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            b1, b2 = group["betas"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                s = self.state.setdefault(p, {"t": 0, "m": torch.zeros_like(p), "v": torch.zeros_like(p)})
                s["t"] += 1
                s["m"] = b1 * s["m"] + (1 - b1) * p.grad
                s["v"] = b2 * s["v"] + (1 - b2) * p.grad * p.grad
                m, v = s["m"], s["v"]
                if self.correct:
                    m, v = m / (1 - b1 ** s["t"]), v / (1 - b2 ** s["t"])
                p -= group["lr"] * m / ((v.sqrt() if self.root else v) + group["eps"])


def test_adam(capsys):
    assert passes(capsys, checks.adam(GoodAdam))
    assert passes(capsys, checks.adam(GoodAdam, seed=4))
    assert passes(capsys, checks.adam(optim.Adam))
    no_correction = lambda ps, lr=1e-3, betas=(0.9, 0.999), eps=1e-8: GoodAdam(ps, lr, betas, eps, correct=False)  # noqa: E731
    no_root = lambda ps, lr=1e-3, betas=(0.9, 0.999), eps=1e-8: GoodAdam(ps, lr, betas, eps, root=False)  # noqa: E731
    no_correction.__name__ = no_root.__name__ = "MyAdam"
    fails_with(capsys, checks.adam(no_correction), "bias correction")
    fails_with(capsys, checks.adam(no_root), "sqrt")
    fails_with(capsys, checks.adam(GoodSGD), "differs")


def test_losses_quizzes(capsys):
    assert passes(capsys, checks.log_softmax_quiz("a"))
    assert passes(capsys, checks.log_softmax_quiz(" (A) "))
    fails_with(capsys, checks.log_softmax_quiz("b"), "log-sum-exp")
    fails_with(capsys, checks.log_softmax_quiz(None), "not done")
    fails_with(capsys, checks.log_softmax_quiz("e"), "not one of")
    assert passes(capsys, checks.lr_limit_quiz(2 / 20))
    assert passes(capsys, checks.lr_limit_quiz(torch.tensor(0.1)))
    fails_with(capsys, checks.lr_limit_quiz(2.0), "FLAT")
    fails_with(capsys, checks.lr_limit_quiz(0.05), "overshoots")
    fails_with(capsys, checks.lr_limit_quiz("fast"), "not a number")


def test_log_softmax_quiz_answer_is_what_pytorch_computes():
    """The quiz says CrossEntropyLoss(log_softmax(x)) == CrossEntropyLoss(x); the oracle agrees."""
    pytorch = pytest.importorskip("torch")
    x = pytorch.randn(6, 10) * 3
    t = pytorch.randint(0, 10, (6,))
    ce = pytorch.nn.functional.cross_entropy
    assert ce(pytorch.log_softmax(x, 1), t).item() == pytest.approx(ce(x, t).item(), rel=1e-6)


# ---- 06: data pipelines ------------------------------------------------------------------------------------


class CSVSet(Dataset):
    def __init__(self, path, transform=None):
        rows = np.loadtxt(path, delimiter=",", skiprows=1, dtype=np.uint8)
        self.labels, self.images, self.transform = (
            rows[:, 0].astype(np.int64),
            rows[:, 1:].reshape(-1, 28, 28),
            transform,
        )

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        image = self.images[i] if self.transform is None else self.transform(self.images[i])
        return image, int(self.labels[i])


def test_csv_dataset(capsys):
    assert passes(capsys, checks.csv_dataset(CSVSet))
    assert passes(capsys, checks.csv_dataset(CSVSet, seed=2))

    class WithHeader(CSVSet):
        def __len__(self):
            return len(self.labels) + 1

    class Flat(CSVSet):
        def __getitem__(self, i):
            return self.images[i].reshape(-1), int(self.labels[i])

    class Floats(CSVSet):
        def __getitem__(self, i):
            return self.images[i].astype(np.float32), int(self.labels[i])

    class FloatLabel(CSVSet):
        def __getitem__(self, i):
            return self.images[i], float(self.labels[i])

    class Swapped(CSVSet):
        def __getitem__(self, i):
            return int(self.labels[i]), self.images[i]

    class NoTransform(CSVSet):
        def __getitem__(self, i):
            return self.images[i], int(self.labels[i])

    fails_with(capsys, checks.csv_dataset(WithHeader), "header")
    fails_with(capsys, checks.csv_dataset(Flat), "(28, 28)")
    fails_with(capsys, checks.csv_dataset(Floats), "uint8")
    fails_with(capsys, checks.csv_dataset(FloatLabel), "int")
    fails_with(capsys, checks.csv_dataset(Swapped), "image first")
    fails_with(capsys, checks.csv_dataset(NoTransform), "transform")


class FolderSet(Dataset):
    def __init__(self, root, transform=None):
        self.classes = sorted(os.listdir(root))
        self.samples = [
            (os.path.join(root, c, f), k)
            for k, c in enumerate(self.classes)
            for f in sorted(os.listdir(os.path.join(root, c)))
        ]
        self.transform = transform

    def __len__(self):
        return len(self.samples)

    def __getitem__(self, i):
        from PIL import Image

        path, label = self.samples[i]
        image = np.asarray(Image.open(path).convert(self.mode))
        return (image if self.transform is None else self.transform(image)), label

    mode = "L"


def test_folder_dataset(capsys):
    assert passes(capsys, checks.folder_dataset(FolderSet))
    assert passes(capsys, checks.folder_dataset(FolderSet, seed=3))

    class Unsorted(FolderSet):
        def __init__(self, root, transform=None):
            super().__init__(root, transform)
            self.classes = self.classes[::-1]

    class IntNames(FolderSet):
        def __init__(self, root, transform=None):
            super().__init__(root, transform)
            self.samples = [(p, int(os.path.basename(os.path.dirname(p)))) for p, _ in self.samples]

    class Colour(FolderSet):
        mode = "RGB"

    class FilesUnsorted(FolderSet):
        def __init__(self, root, transform=None):
            super().__init__(root, transform)
            self.samples = sorted(self.samples, key=lambda s: (s[1], -len(s[0]), s[0][::-1]))[::-1]
            self.samples.sort(key=lambda s: s[1])

    fails_with(capsys, checks.folder_dataset(Unsorted), "sorted")
    fails_with(capsys, checks.folder_dataset(IntNames), "int(name)")
    fails_with(capsys, checks.folder_dataset(Colour), "convert('L')")
    fails_with(capsys, checks.folder_dataset(FilesUnsorted), "sorted order")


def test_collate_and_loader(capsys):
    good = lambda s: (torch.stack([x for x, _ in s]), torch.tensor([y for _, y in s]))  # noqa: E731
    assert passes(capsys, checks.collate(good))
    fails_with(capsys, checks.collate(lambda s: (torch.cat([x for x, _ in s]), good(s)[1])), "torch.stack")
    fails_with(capsys, checks.collate(lambda s: (good(s)[0], [y for _, y in s])), "torch.tensor")
    fails_with(capsys, checks.collate(lambda s: (good(s)[0], good(s)[1].float())), "int64")

    class Loader:
        def __init__(self, dataset, batch_size=1, shuffle=False, drop_last=False, collate_fn=good):
            self.dataset, self.bs, self.shuffle, self.drop_last, self.collate = (
                dataset,
                batch_size,
                shuffle,
                drop_last,
                collate_fn,
            )
            self.fixed = torch.randperm(len(dataset)).tolist()

        def __len__(self):
            n = len(self.dataset)
            return n // self.bs if self.drop_last else -(-n // self.bs)

        def order(self):
            return torch.randperm(len(self.dataset)).tolist() if self.shuffle else list(range(len(self.dataset)))

        def __iter__(self):
            order = self.order()
            for b in range(len(self)):
                yield self.collate([self.dataset[i] for i in order[b * self.bs : (b + 1) * self.bs]])

    class Floor(Loader):
        def __len__(self):
            return len(self.dataset) // self.bs

    class OncePerLoader(Loader):
        def order(self):
            return self.fixed if self.shuffle else list(range(len(self.dataset)))

    class NeverShuffles(Loader):
        def order(self):
            return list(range(len(self.dataset)))

    assert passes(capsys, checks.loader(Loader))
    assert passes(capsys, checks.loader(Loader, seed=4))
    fails_with(capsys, checks.loader(Floor), "ceil")
    fails_with(capsys, checks.loader(OncePerLoader), "__iter__")
    fails_with(capsys, checks.loader(NeverShuffles), "randperm")


def test_mean_std_and_quizzes(capsys):
    assert passes(capsys, checks.mean_std(lambda x: ((x.float() / 255).mean(), (x.float() / 255).std(unbiased=False))))
    assert passes(capsys, checks.mean_std(lambda x: ((x.float() / 255).mean(), (x.float() / 255).std()), seed=6))
    fails_with(capsys, checks.mean_std(lambda x: (x.float().mean(), x.float().std())), "255")
    per_image = lambda x: ((x.float() / 255).mean(), (x.float() / 255).reshape(len(x), -1).std(dim=1).mean())  # noqa: E731
    fails_with(capsys, checks.mean_std(per_image), "per-image stds")
    per_mean = lambda x: ((x.float() / 255).mean(), (x.float() / 255).reshape(len(x), -1).mean(dim=1).std())  # noqa: E731
    fails_with(capsys, checks.mean_std(per_mean), "per-image means")
    assert passes(capsys, checks.batches_quiz(782))
    fails_with(capsys, checks.batches_quiz(781), "drop_last=True")
    fails_with(capsys, checks.batches_quiz(781.25), "whole number")
    assert passes(capsys, checks.workers_quiz("b"))
    fails_with(capsys, checks.workers_quiz("a"), "GIL")


# ---- 08: debugging -----------------------------------------------------------------------------------------


def test_train_step(capsys):
    def right(model, opt, loss_fn, x, y):
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    def as_shown(model, opt, loss_fn, x, y):  # the notebook's buggy version: all three bugs
        loss = loss_fn(model(x), y)
        opt.step()
        loss.backward()
        return loss

    def no_zero_grad(model, opt, loss_fn, x, y):
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    def returns_tensor(model, opt, loss_fn, x, y):
        right(model, opt, loss_fn, x, y)
        return loss_fn(model(x), y)

    assert passes(capsys, checks.train_step(right))
    assert passes(capsys, checks.train_step(right, seed=3))
    fails_with(capsys, checks.train_step(as_shown), "AFTER loss.backward()")
    fails_with(capsys, checks.train_step(no_zero_grad), "zero_grad")
    fails_with(capsys, checks.train_step(returns_tensor), "loss.item()")


def _relu_hooks(model, stat, remove=True):
    out, handles = {}, []
    for name, m in model.named_modules():
        if isinstance(m, nn.ReLU):
            handles.append(m.register_forward_hook(lambda mod, i, o, name=name: out.__setitem__(name, stat(o))))
    return out, handles


def test_dead_fraction(capsys):
    def good(model, x, stat=lambda o: (o == 0).all(dim=0).float().mean().item(), remove=True):
        out, handles = _relu_hooks(model, stat)
        with torch.no_grad():
            model(x)
        if remove:
            for h in handles:
                h.remove()
        return out

    assert passes(capsys, checks.dead_fraction(good))
    assert passes(capsys, checks.dead_fraction(good, seed=2))
    fails_with(capsys, checks.dead_fraction(lambda m, x: good(m, x, lambda o: (o == 0).float().mean().item())), "EVERY")
    fails_with(
        capsys, checks.dead_fraction(lambda m, x: good(m, x, lambda o: (o == 0).all(dim=0).sum().item())), "count"
    )
    fails_with(capsys, checks.dead_fraction(lambda m, x: good(m, x, remove=False)), "handle.remove()")


def test_diagnosis(capsys):
    from autolab.course.debugging import ANSWERS, CAUSES

    assert sorted(set(ANSWERS.values())) == sorted(CAUSES), "every cause appears in exactly one run"
    for run, letter in ANSWERS.items():
        ok, out = verdict(capsys, checks.diagnosis(run, letter))
        assert ok and "Fix" in out
    fails_with(capsys, checks.diagnosis(2, "c"), "why so large")
    fails_with(capsys, checks.diagnosis(5, "b"), "exactly zero")
    fails_with(capsys, checks.diagnosis(3, "?"), "not done")
    fails_with(capsys, checks.diagnosis(9, "a"), "no mystery run 9")


# ---- the exercises added to 01, 03, 04, 07, 09 --------------------------------------------------------------


def test_standardize_rows_and_views(capsys):
    good = lambda x: (x - x.mean(dim=1, keepdim=True)) / x.std(dim=1, keepdim=True)  # noqa: E731
    assert passes(capsys, checks.standardize_rows(good))
    assert passes(capsys, checks.standardize_rows(good, seed=2))
    population = lambda x: (x - x.mean(dim=1, keepdim=True)) / x.std(dim=1, keepdim=True, unbiased=False)  # noqa: E731
    assert passes(capsys, checks.standardize_rows(population))
    fails_with(capsys, checks.standardize_rows(lambda x: (x - x.mean(dim=1)) / x.std(dim=1, unbiased=False)), "keepdim")
    fails_with(capsys, checks.standardize_rows(lambda x: (x - x.mean(dim=0)) / x.std(dim=0, unbiased=False)), "dim=1")
    fails_with(capsys, checks.standardize_rows(lambda x: x - x.mean(dim=1, keepdim=True)), "std")
    assert passes(capsys, checks.views_quiz(lambda: "b"))
    fails_with(capsys, checks.views_quiz(lambda: "a"), "mask")
    fails_with(capsys, checks.views_quiz(lambda: "d"), "does not copy")


def test_views_quiz_answer_is_what_autolab_and_pytorch_do():
    pytorch = pytest.importorskip("torch")
    for lib in (torch, pytorch):
        a = lib.arange(6).reshape(2, 3)
        b, c = a[:, 1], a[a > 2]
        b[0] = 100
        c[0] = -1
        assert a.tolist() == [[0, 100, 2], [3, 4, 5]], lib


def test_mlp_and_init_scale(capsys):
    def good(sizes):
        layers = []
        for i in range(len(sizes) - 1):
            layers += [nn.Linear(sizes[i], sizes[i + 1]), nn.ReLU()]
        return nn.Sequential(*layers[:-1])

    assert passes(capsys, checks.mlp(good))
    assert passes(capsys, checks.mlp(good, seed=3))
    fails_with(capsys, checks.mlp(lambda s: nn.Sequential(*good(s), nn.ReLU())), "no ReLU after the last")
    fails_with(
        capsys, checks.mlp(lambda s: nn.Sequential(*[m for m in good(s) if isinstance(m, nn.Linear)])), "expected"
    )
    fails_with(capsys, checks.mlp(lambda s: list(good(s))), "nn.Sequential")
    assert passes(capsys, checks.init_scale_quiz(lambda: 0.58))
    fails_with(capsys, checks.init_scale_quiz(lambda: 1.0), "b²/3")
    fails_with(capsys, checks.init_scale_quiz(lambda: 1 / 1000**0.5), "largest weight")


def test_init_scale_quiz_answer_is_measured():
    torch.manual_seed(0)
    y = nn.Linear(1000, 1000)(torch.randn(500, 1000))
    assert float(y.std()) == pytest.approx(3**-0.5, rel=0.03)


def test_hessian_and_lr_regime(capsys):
    good = lambda x: 2 * torch.stack([torch.stack([(x * x).mean(), x.mean()]), torch.stack([x.mean(), torch.ones(())])])  # noqa: E731
    assert passes(capsys, checks.hessian(good))
    assert passes(capsys, checks.hessian(good, seed=5))
    fails_with(capsys, checks.hessian(lambda x: good(x) / 2), "factor of 2")
    fails_with(capsys, checks.hessian(lambda x: good(x) * len(x)), "MEAN")
    fails_with(capsys, checks.hessian(lambda x: good(x).flip(0).flip(1)), "order")
    assert passes(capsys, checks.lr_regime_quiz(lambda: "b"))
    fails_with(capsys, checks.lr_regime_quiz(lambda: "a"), "2/λ_max")


def test_hessian_is_what_autograd_computes():
    """The check's formula against autograd's second derivatives of the notebook's loss."""
    torch.manual_seed(1)
    x, y = torch.rand(20, 1) * 2 - 1, torch.randn(20, 1)
    wb = torch.tensor([0.3, -0.7], requires_grad=True)
    (g,) = torch.autograd.grad(((x * wb[0] + wb[1] - y) ** 2).mean(), wb, create_graph=True)
    rows = [torch.autograd.grad(g[i], wb, retain_graph=True)[0].numpy() for i in range(2)]
    m1, m2 = float(x.mean()), float((x * x).mean())
    np.testing.assert_allclose(np.array(rows), 2 * np.array([[m2, m1], [m1, 1]]), rtol=1e-5)


def test_confusion_matrix_and_leakage(capsys):
    def good(preds, labels, k):
        m = np.zeros((k, k), dtype=np.int64)
        np.add.at(m, (labels.numpy(), preds.numpy()), 1)
        return m

    assert passes(capsys, checks.confusion_matrix(good))
    assert passes(capsys, checks.confusion_matrix(good, seed=4))
    fails_with(capsys, checks.confusion_matrix(lambda p, t, k: good(p, t, k).T), "swapped")
    fails_with(capsys, checks.confusion_matrix(lambda p, t, k: np.minimum(good(p, t, k), 1)), "add up")
    assert passes(capsys, checks.leakage_quiz(lambda: "b"))
    fails_with(capsys, checks.leakage_quiz(lambda: "a"), "part in the choice")


def test_conv_im2col_and_copies(capsys):
    from autolab.kernels.reference import conv2d_forward

    def im2col(x, kh, kw):
        n, c, h, w = x.shape
        ho, wo = h - kh + 1, w - kw + 1
        cols = np.empty((n, c, kh, kw, ho, wo), dtype=x.dtype)
        for i in range(kh):
            for j in range(kw):
                cols[:, :, i, j] = x[:, :, i : i + ho, j : j + wo]
        return cols.reshape(n, c * kh * kw, ho * wo)

    def good(x, w, b):
        o, _, kh, kw = w.shape
        n, _, h, wd = x.shape
        out = w.reshape(o, -1) @ im2col(x, kh, kw) + b[:, None]
        return out.reshape(n, o, h - kh + 1, wd - kw + 1)

    assert passes(capsys, checks.conv_im2col(good))
    assert passes(capsys, checks.conv_im2col(good, seed=6))
    assert passes(capsys, checks.conv_im2col(lambda x, w, b: conv2d_forward(x, w, b, (1, 1), (0, 0))))
    fails_with(capsys, checks.conv_im2col(lambda x, w, b: good(x, w, 0 * b)), "bias")
    assert passes(capsys, checks.im2col_copies_quiz(lambda: 25))
    fails_with(capsys, checks.im2col_copies_quiz(lambda: 5), "5 across")
