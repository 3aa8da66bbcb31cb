"""A PyTorch-style program: a custom autograd Function (the tutorial's LegendrePolynomial3) fitted to sin(x),
the losses tutorials use, and the everyday tensor surface. Deterministic data, so it prints the same on both."""

import copy
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class LegendrePolynomial3(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return 0.5 * (5 * input**3 - 3 * input)

    @staticmethod
    def backward(ctx, grad_output):
        (input,) = ctx.saved_tensors
        return grad_output * 1.5 * (5 * input**2 - 1)


@torch.no_grad
def evaluate(params, x, y):
    a, b, c, d = params
    return (a + b * LegendrePolynomial3.apply(c + d * x) - y).pow(2).sum()


def main():
    torch.set_default_dtype(torch.float64)
    x = torch.linspace(-math.pi, math.pi, 2000)
    y = torch.sin(x)
    a, b, c, d = (torch.full((), v, requires_grad=True) for v in (0.0, -1.0, 0.0, 0.3))
    for t in range(2000):
        y_pred = a + b * LegendrePolynomial3.apply(c + d * x)
        loss = (y_pred - y).pow(2).sum()
        if t % 500 == 99:
            print(f"step {t} loss {loss.item():.4f}")
        loss.backward()
        with torch.no_grad():
            for p in (a, b, c, d):
                p -= 5e-6 * p.grad
                p.grad = None
    print(f"Result: y = {a.item():.4f} + {b.item():.4f} * P3({c.item():.4f} + {d.item():.4f} x)")
    print(f"eval loss {evaluate((a, b, c, d), x, y):.4f}")

    # losses on fixed inputs
    logits = torch.linspace(-2, 2, 12).reshape(4, 3)
    labels = torch.tensor([0, 2, 1, 2])
    target = torch.cos(torch.arange(12.0)).reshape(4, 3)
    losses = {
        "cross_entropy smoothing": F.cross_entropy(logits, labels, label_smoothing=0.1),
        "cross_entropy weight": nn.CrossEntropyLoss(weight=torch.tensor([1.0, 2.0, 0.5]))(logits, labels),
        "cross_entropy probs": F.cross_entropy(logits, F.softmax(target, dim=1)),
        "smooth_l1": F.smooth_l1_loss(logits, target, beta=0.5),
        "huber": nn.HuberLoss(delta=0.7)(logits, target),
        "kl_div": F.kl_div(F.log_softmax(logits, 1), F.softmax(target, 1), reduction="batchmean"),
        "bce pos_weight": F.binary_cross_entropy_with_logits(
            logits, (target > 0).double(), pos_weight=torch.ones(3) * 2
        ),
        "margin_ranking": F.margin_ranking_loss(logits[:, 0], logits[:, 1], torch.tensor([1.0, -1.0, 1.0, -1.0])),
        "triplet": nn.TripletMarginLoss(margin=0.5)(logits, target, -target),
        "cosine_embedding": F.cosine_embedding_loss(logits, target, torch.tensor([1.0, -1.0, 1.0, 1.0])),
        "gaussian_nll": nn.GaussianNLLLoss()(logits, target, torch.ones(4, 1) * 0.5),
        "poisson_nll": F.poisson_nll_loss(logits, target.abs(), full=True),
    }
    for name, value in losses.items():
        print(f"{name}: {value:.4f}")

    # the everyday surface
    model = nn.Linear(3, 2)
    with torch.no_grad():
        model.weight.copy_(torch.arange(6.0).reshape(2, 3) / 10)
        model.bias.fill_(0.5)
    twin = copy.deepcopy(model)
    with torch.no_grad():
        twin.weight.mul_(2).clamp_(max=0.8)
    print("deepcopy kept the original:", torch.equal(model.weight, torch.arange(6.0).reshape(2, 3) / 10))
    print("einsum:", torch.einsum("ij,kj->ik", logits, model.weight).sum().item())
    print("finfo eps:", torch.finfo(torch.float32).eps, "float64 default:", torch.get_default_dtype() == torch.float64)
    torch.set_default_dtype(torch.float32)


if __name__ == "__main__":
    main()
