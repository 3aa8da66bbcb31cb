"""Every loss of nn.functional and nn against PyTorch: values and gradients for each reduction, float64 gradchecks,
hypothesis over shapes, module constructors (with the deprecated size_average/reduce) and state_dict keys."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import autolab


def _data(seed, n=4, c=5):
    rng = np.random.default_rng(seed)
    return {
        "x": rng.standard_normal((n, c)),
        "y": rng.standard_normal((n, c)) * 2,
        "x1": rng.standard_normal(n),
        "x2": rng.standard_normal(n),
        "pos": rng.uniform(0.1, 3.0, (n, c)),
        "prob": rng.dirichlet(np.ones(c), n),
        "logprob": np.log(rng.dirichlet(np.ones(c), n)),
        "sign": rng.choice([-1.0, 1.0], n),
        "signs": rng.choice([-1.0, 1.0], (n, c)),
        "bits": rng.integers(0, 2, (n, c)).astype(np.float64),
        "count": rng.poisson(2.0, (n, c)).astype(np.float64),
        "cls": rng.integers(0, c, n),
        "w": rng.uniform(0.5, 2.0, c),
        "emb": rng.standard_normal((n, 3, c)),
        "ml": np.array([[3, 0, -1, 1, 2], [1, 2, 4, -1, 0], [0, -1, 2, 2, 2], [4, 3, 2, 1, 0]])[:n, :c],
    }


def _tensors(lib, d, grad):
    out = {}
    for k, v in d.items():
        if v.dtype.kind == "f":
            out[k] = lib.tensor(v, dtype=lib.float64, requires_grad=k in grad)
        else:
            out[k] = lib.tensor(v)
    return out


# name -> (function of (F, tensors, reduction), the inputs that get a gradient)
CASES = {
    "mse": (lambda F, t, r: F.mse_loss(t["x"], t["y"], reduction=r), "x y"),
    "l1": (lambda F, t, r: F.l1_loss(t["x"], t["y"], reduction=r), "x y"),
    "smooth_l1": (lambda F, t, r: F.smooth_l1_loss(t["x"], t["y"], reduction=r), "x y"),
    "smooth_l1_beta": (lambda F, t, r: F.smooth_l1_loss(t["x"], t["y"], reduction=r, beta=0.5), "x y"),
    "smooth_l1_beta0": (lambda F, t, r: F.smooth_l1_loss(t["x"], t["y"], reduction=r, beta=0.0), "x y"),
    "huber": (lambda F, t, r: F.huber_loss(t["x"], t["y"], reduction=r), "x y"),
    "huber_delta": (lambda F, t, r: F.huber_loss(t["x"], t["y"], reduction=r, delta=2.5), "x y"),
    "kl_div": (lambda F, t, r: F.kl_div(t["logprob"], t["prob"], reduction=r), "logprob prob"),
    "kl_div_log_target": (
        lambda F, t, r: F.kl_div(t["logprob"], t["logprob"] * 0.5, reduction=r, log_target=True),
        "logprob",
    ),
    "poisson_nll": (lambda F, t, r: F.poisson_nll_loss(t["x"], t["count"], reduction=r), "x"),
    "poisson_nll_full": (lambda F, t, r: F.poisson_nll_loss(t["x"], t["count"], full=True, reduction=r), "x"),
    "poisson_nll_rate": (
        lambda F, t, r: F.poisson_nll_loss(t["pos"], t["count"], log_input=False, eps=1e-3, reduction=r),
        "pos",
    ),
    "gaussian_nll": (lambda F, t, r: F.gaussian_nll_loss(t["x"], t["y"], t["pos"], reduction=r), "x y pos"),
    "gaussian_nll_full_per_row": (
        lambda F, t, r: F.gaussian_nll_loss(t["x"], t["y"], t["pos"][:, 0], full=True, reduction=r),
        "x pos",
    ),
    "gaussian_nll_clamped": (
        lambda F, t, r: F.gaussian_nll_loss(t["x"], t["y"], t["pos"] * 1e-9, eps=1e-6, reduction=r),
        "x pos",
    ),
    "soft_margin": (lambda F, t, r: F.soft_margin_loss(t["x"], t["signs"], reduction=r), "x"),
    "multilabel_soft_margin": (lambda F, t, r: F.multilabel_soft_margin_loss(t["x"], t["bits"], reduction=r), "x"),
    "multilabel_soft_margin_w": (
        lambda F, t, r: F.multilabel_soft_margin_loss(t["x"], t["bits"], weight=t["w"], reduction=r),
        "x",
    ),
    "multilabel_margin": (lambda F, t, r: F.multilabel_margin_loss(t["x"], t["ml"], reduction=r), "x"),
    "multi_margin": (lambda F, t, r: F.multi_margin_loss(t["x"], t["cls"], reduction=r), "x"),
    "multi_margin_p2_w": (
        lambda F, t, r: F.multi_margin_loss(t["x"], t["cls"], p=2, margin=0.7, weight=t["w"], reduction=r),
        "x",
    ),
    "margin_ranking": (
        lambda F, t, r: F.margin_ranking_loss(t["x1"], t["x2"], t["sign"], margin=0.3, reduction=r),
        "x1 x2",
    ),
    "hinge_embedding": (lambda F, t, r: F.hinge_embedding_loss(t["x"], t["signs"], reduction=r), "x"),
    "hinge_embedding_margin": (
        lambda F, t, r: F.hinge_embedding_loss(t["x"], t["signs"], margin=0.2, reduction=r),
        "x",
    ),
    "cosine_embedding": (
        lambda F, t, r: F.cosine_embedding_loss(t["x"], t["y"], t["sign"], margin=-0.2, reduction=r),
        "x y",
    ),
    "triplet_margin": (
        lambda F, t, r: F.triplet_margin_loss(t["emb"][:, 0], t["emb"][:, 1], t["emb"][:, 2], reduction=r),
        "emb",
    ),
    "triplet_margin_p1_swap": (
        lambda F, t, r: F.triplet_margin_loss(
            t["emb"][:, 0], t["emb"][:, 1], t["emb"][:, 2], margin=2.0, p=1, swap=True, reduction=r
        ),
        "emb",
    ),
    "triplet_with_distance": (
        lambda F, t, r: F.triplet_margin_with_distance_loss(
            t["emb"][:, 0],
            t["emb"][:, 1],
            t["emb"][:, 2],
            distance_function=lambda a, b: 1 - F.cosine_similarity(a, b),
            margin=0.5,
            swap=True,
            reduction=r,
        ),
        "emb",
    ),
    "nll_weight": (lambda F, t, r: F.nll_loss(t["logprob"], t["cls"], weight=t["w"], reduction=r), "logprob"),
    "nll_ignore": (lambda F, t, r: F.nll_loss(t["logprob"], t["cls"], ignore_index=2, reduction=r), "logprob"),
    "ce_weight_ignore": (
        lambda F, t, r: F.cross_entropy(t["x"], t["cls"], weight=t["w"], ignore_index=1, reduction=r),
        "x",
    ),
    "ce_smoothing": (lambda F, t, r: F.cross_entropy(t["x"], t["cls"], label_smoothing=0.2, reduction=r), "x"),
    "ce_smoothing_weight_ignore": (
        lambda F, t, r: F.cross_entropy(
            t["x"], t["cls"], weight=t["w"], ignore_index=0, label_smoothing=0.1, reduction=r
        ),
        "x",
    ),
    "ce_probs": (lambda F, t, r: F.cross_entropy(t["x"], t["prob"], reduction=r), "x prob"),
    "ce_probs_weight_smoothing": (
        lambda F, t, r: F.cross_entropy(t["x"], t["prob"], weight=t["w"], label_smoothing=0.3, reduction=r),
        "x",
    ),
    "bce_logits_pos_weight": (
        lambda F, t, r: F.binary_cross_entropy_with_logits(t["x"], t["bits"], pos_weight=t["w"], reduction=r),
        "x",
    ),
    "bce_logits_weight_pos_weight": (
        lambda F, t, r: F.binary_cross_entropy_with_logits(
            t["x"], t["prob"], weight=t["w"], pos_weight=t["w"] * 2, reduction=r
        ),
        "x prob",
    ),
}
REDUCTIONS = ["mean", "sum", "none"]


def _run(lib, case, reduction, seed=0):
    fn, grad = CASES[case]
    t = _tensors(lib, _data(seed), grad.split())
    F = lib.nn.functional
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # kl_div's 'mean' warns, as PyTorch's does
        out = fn(F, t, reduction)
    w = np.cos(np.arange(out.numel())).reshape(tuple(out.shape))
    (out * lib.tensor(w, dtype=lib.float64)).sum().backward()
    return out.detach().numpy(), {k: t[k].grad.numpy() for k in grad.split()}


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("case", sorted(CASES))
def test_loss_values_and_gradients_match_torch(case, reduction):
    want, want_grads = _run(torch, case, reduction)
    got, got_grads = _run(autolab, case, reduction)
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
    for k in want_grads:
        np.testing.assert_allclose(got_grads[k], want_grads[k], rtol=1e-9, atol=1e-12, err_msg=k)


def test_kl_div_batchmean():
    for seed in range(3):
        want, wg = _run(torch, "kl_div", "batchmean", seed)
        got, gg = _run(autolab, "kl_div", "batchmean", seed)
        np.testing.assert_allclose(got, want, rtol=1e-10)
        np.testing.assert_allclose(gg["logprob"], wg["logprob"], rtol=1e-10)


@pytest.mark.parametrize(
    "case",
    [
        "smooth_l1",
        "huber",
        "kl_div",
        "poisson_nll_full",
        "gaussian_nll",
        "soft_margin",
        "multilabel_soft_margin_w",
        "multi_margin_p2_w",
        "margin_ranking",
        "cosine_embedding",
        "triplet_margin",
        "ce_smoothing_weight_ignore",
        "ce_probs_weight_smoothing",
        "bce_logits_weight_pos_weight",
    ],
)
def test_gradcheck_float64(case):
    fn, grad = CASES[case]
    names = grad.split()
    t = _tensors(autolab, _data(3), names)
    F = autolab.nn.functional

    def f(*xs):
        return fn(F, {**t, **dict(zip(names, xs))}, "sum")

    assert autolab.autograd.gradcheck(f, [t[k] for k in names])


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(1, 5),
    c=st.integers(2, 6),
    extra=st.sampled_from([(), (3,), (2, 2)]),
    smoothing=st.sampled_from([0.0, 0.25]),
    weighted=st.booleans(),
    reduction=st.sampled_from(REDUCTIONS),
    seed=st.integers(0, 1000),
)
def test_cross_entropy_over_shapes(n, c, extra, smoothing, weighted, reduction, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, c, *extra))
    y = rng.integers(0, c, (n, *extra))
    w = rng.uniform(0.5, 2, c) if weighted else None
    results = []
    for lib in (torch, autolab):
        xt = lib.tensor(x, requires_grad=True)
        out = lib.nn.functional.cross_entropy(
            xt,
            lib.tensor(y),
            weight=None if w is None else lib.tensor(w),
            ignore_index=0,
            label_smoothing=smoothing,
            reduction=reduction,
        )
        out.sum().backward()
        results.append((out.detach().numpy(), xt.grad.numpy()))
    np.testing.assert_allclose(results[1][0], results[0][0], rtol=1e-9, atol=1e-12, equal_nan=True)
    np.testing.assert_allclose(results[1][1], results[0][1], rtol=1e-9, atol=1e-12, equal_nan=True)


@settings(max_examples=25, deadline=None)
@given(
    shape=st.sampled_from([(3,), (2, 4), (2, 3, 2)]),
    beta=st.sampled_from([0.0, 0.3, 1.0, 2.0]),
    seed=st.integers(0, 1000),
)
def test_smooth_l1_and_huber_over_shapes(shape, beta, seed):
    rng = np.random.default_rng(seed)
    a, b = rng.standard_normal(shape) * 2, rng.standard_normal(shape)
    for name, kw in (("smooth_l1_loss", {"beta": beta}), ("huber_loss", {"delta": beta or 1.0})):
        results = []
        for lib in (torch, autolab):
            xt = lib.tensor(a, requires_grad=True)
            out = getattr(lib.nn.functional, name)(xt, lib.tensor(b), reduction="none", **kw)
            (out * lib.tensor(np.cos(a))).sum().backward()
            results.append((out.detach().numpy(), xt.grad.numpy()))
        for g, w in zip(results[1], results[0]):
            np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-12)


MODULES = {
    "SmoothL1Loss": ((), {"beta": 0.5}, ("x", "y")),
    "HuberLoss": ((), {"delta": 2.0}, ("x", "y")),
    "KLDivLoss": ((), {"reduction": "batchmean"}, ("logprob", "prob")),
    "KLDivLoss_log_target": ((), {"reduction": "sum", "log_target": True}, ("logprob", "logprob")),
    "PoissonNLLLoss": ((False, True), {"eps": 1e-4}, ("pos", "count")),
    "GaussianNLLLoss": ((), {"full": True}, ("x", "y", "pos")),
    "SoftMarginLoss": ((), {}, ("x", "signs")),
    "MultiLabelSoftMarginLoss": ((), {}, ("x", "bits")),
    "MultiLabelMarginLoss": ((), {}, ("x", "ml")),
    "MultiMarginLoss": ((2, 0.5), {}, ("x", "cls")),
    "MarginRankingLoss": ((0.1,), {}, ("x1", "x2", "sign")),
    "HingeEmbeddingLoss": ((0.5,), {}, ("x", "signs")),
    "CosineEmbeddingLoss": ((0.1,), {}, ("x", "y", "sign")),
    "TripletMarginLoss": ((0.5, 1.0), {}, ("x", "y", "pos")),
    "TripletMarginWithDistanceLoss": ((), {"margin": 0.5, "swap": True}, ("x", "y", "pos")),
    "CrossEntropyLoss": ((), {"label_smoothing": 0.1, "ignore_index": 2}, ("x", "cls")),
    "NLLLoss": ((), {"reduction": "sum"}, ("logprob", "cls")),
    "L1Loss": ((None, None, "sum"), {}, ("x", "y")),
    "MSELoss": ((), {"size_average": False}, ("x", "y")),
    "BCEWithLogitsLoss": ((), {"reduce": False}, ("x", "bits")),
}


@pytest.mark.parametrize("name", sorted(MODULES))
def test_loss_modules_match_torch(name):
    args, kwargs, inputs = MODULES[name]
    cls = name.split("_")[0]
    outs = []
    for lib in (torch, autolab):
        t = _tensors(lib, _data(5), [inputs[0]])
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            module = getattr(lib.nn, cls)(*args, **kwargs)
            out = module(*[t[k] for k in inputs])
        out.sum().backward()
        deprecated = [str(w.message) for w in caught if "size_average" in str(w.message)]
        outs.append((module.reduction, out.detach().numpy(), t[inputs[0]].grad, deprecated))
    (tr, tv, tg, tw), (ar, av, ag, aw) = outs
    assert ar == tr and aw == tw
    np.testing.assert_allclose(av, tv, rtol=1e-10, atol=1e-12)
    if tg is not None:
        np.testing.assert_allclose(ag.numpy(), tg.numpy(), rtol=1e-9, atol=1e-12)


def test_weight_buffers_are_in_state_dict_as_in_torch():
    w = np.array([1.0, 2.0, 3.0])
    for cls, kw in (
        ("CrossEntropyLoss", {"weight": w}),
        ("NLLLoss", {"weight": w}),
        ("BCELoss", {"weight": w}),
        ("BCEWithLogitsLoss", {"pos_weight": w}),
        ("BCEWithLogitsLoss", {"weight": w, "pos_weight": w}),
        ("MultiMarginLoss", {"weight": w}),
        ("MultiLabelSoftMarginLoss", {"weight": w}),
        ("CrossEntropyLoss", {}),
    ):
        keys = [
            list(getattr(lib.nn, cls)(**{k: lib.tensor(v) for k, v in kw.items()}).state_dict())
            for lib in (torch, autolab)
        ]
        assert keys[1] == keys[0], cls


def test_errors_as_torch():
    x = np.ones((2, 3))

    def err(fn):
        out = []
        for lib in (torch, autolab):
            with pytest.raises(Exception) as info:
                fn(lib)
            out.append((type(info.value).__name__, str(info.value).split("\n")[0]))
        return out

    for fn in (
        lambda lib: lib.nn.functional.smooth_l1_loss(lib.tensor(x), lib.tensor(x), beta=-1.0),
        lambda lib: lib.nn.TripletMarginLoss(margin=0.0),
        lambda lib: lib.nn.MultiMarginLoss(p=3),
        lambda lib: lib.nn.functional.gaussian_nll_loss(lib.tensor(x), lib.tensor(x), lib.ones(3, 2)),
        lambda lib: lib.nn.functional.gaussian_nll_loss(lib.tensor(x), lib.tensor(x), -lib.ones(2, 3)),
        lambda lib: lib.nn.functional.cross_entropy(lib.tensor(x), lib.tensor(x), ignore_index=1),
        lambda lib: lib.nn.functional.cross_entropy(lib.tensor(x), lib.tensor([0, 1]), label_smoothing=1.5),
    ):
        want, got = err(fn)
        assert got == want
    # PyTorch accepts an unknown reduction until the first call; autolab refuses it at once
    with pytest.raises(ValueError, match="avg is not a valid value for reduction"):
        autolab.nn.MSELoss(reduction="avg")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_binary_cross_entropy_at_a_saturated_sigmoid_is_torchs_not_nan(dtype):
    """p exactly 0 or 1 (a float32 sigmoid saturates there): PyTorch's backward (p - y) / max(p (1 - p), 1e-12)
    gives a large finite gradient; the composed clamp(log(p)) form gave 0 * inf = NaN and stopped a VAE."""
    p = np.array([0.0, 1e-30, 0.3, 0.999999, 1.0, 0.5], dtype=dtype)
    y = np.array([1.0, 0.0, 0.7, 0.0, 0.0, 1.0], dtype=dtype)
    for reduction in ("none", "mean", "sum"):
        a, b = autolab.tensor(p, requires_grad=True), autolab.tensor(y, requires_grad=True)
        ta, tb = torch.tensor(p, requires_grad=True), torch.tensor(y, requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # log(0) in the target's gradient, as in torch
            got = autolab.nn.functional.binary_cross_entropy(a, b, reduction=reduction)
            got.sum().backward()
        want = torch.nn.functional.binary_cross_entropy(ta, tb, reduction=reduction)
        want.sum().backward()
        np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=1e-6)
        np.testing.assert_allclose(a.grad.numpy(), ta.grad.numpy(), rtol=1e-6)  # finite, as torch's
        np.testing.assert_allclose(b.grad.numpy(), tb.grad.numpy(), rtol=1e-6)  # inf where p is 0 or 1, as torch's
        assert np.isfinite(a.grad.numpy()).all()


def test_sigmoid_keeps_the_left_tail_like_torch():
    x = np.array([-80, -40, -20, -10, -5, -0.0, 0, 3, 20, 100, 1000, np.nan, np.inf, -np.inf], dtype=np.float32)
    got = autolab.sigmoid(autolab.tensor(x)).numpy()
    np.testing.assert_allclose(got, torch.sigmoid(torch.tensor(x)).numpy(), rtol=1e-6, atol=1e-38, equal_nan=True)
    assert got[2] > 0  # sigmoid(-20) = 2.1e-9, not 0
