"""nn against torch.nn: the Module API, layers with copied weights (outputs and gradients), losses, init."""

from __future__ import annotations

import numpy as np
import pytest
from engine_helpers import AL, assert_close, dtype_name, to_np, torch_ns

import autolab
import autolab.nn as nn

torch = pytest.importorskip("torch")
T = torch_ns()


def lenet(L):
    """The CIFAR-10 tutorial's network, written once for both libraries."""

    class LeNet(L.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = L.nn.Conv2d(3, 6, 5)
            self.pool = L.nn.MaxPool2d(2, 2)
            self.conv2 = L.nn.Conv2d(6, 16, 5)
            self.fc1 = L.nn.Linear(16 * 5 * 5, 120)
            self.fc2 = L.nn.Linear(120, 84)
            self.fc3 = L.nn.Linear(84, 10)

        def forward(self, x):
            x = self.pool(L.F.relu(self.conv1(x)))
            x = self.pool(L.F.relu(self.conv2(x)))
            x = L.t.flatten(x, 1)
            x = L.F.relu(self.fc1(x))
            x = L.F.relu(self.fc2(x))
            return self.fc3(x)

    return LeNet()


def zoo(L):
    """A Sequential holding one of every layer, plus nesting, to compare reprs and state_dict keys."""
    nn_ = L.nn
    return nn_.Sequential(
        nn_.Conv2d(1, 4, 3, stride=2, padding=1),
        nn_.BatchNorm2d(4),
        nn_.ReLU(),
        nn_.AvgPool2d(2),
        nn_.Flatten(),
        nn_.Dropout(0.25),
        nn_.Linear(16, 8, bias=False),
        nn_.BatchNorm1d(8),
        nn_.LeakyReLU(0.1),
        nn_.Sigmoid(),
        nn_.Tanh(),
        nn_.Softmax(dim=1),
        nn_.LogSoftmax(dim=-1),
        nn_.Identity(),
        nn_.ModuleList([nn_.Linear(2, 2), nn_.Sequential(nn_.Linear(2, 3))]),
        nn_.MaxPool2d(3, stride=1, padding=1),
        nn_.MSELoss(),
        nn_.CrossEntropyLoss(),
        nn_.Conv2d(2, 2, (3, 1), padding=(1, 0), bias=False),
        nn_.ReLU(inplace=True),
        nn_.Dropout(),
    )


def copy_weights(src_torch, dst):
    """Load a torch module's state into an autolab one (through autolab tensors, as a user would)."""
    state = {k: autolab.tensor(v.detach().numpy()) for k, v in src_torch.state_dict().items()}
    dst.load_state_dict(state)
    return dst


# ---- Module API ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("build", [lenet, zoo], ids=["lenet", "sequential"])
def test_repr_and_names_match_torch(build):
    a, t = build(AL), build(T)
    assert repr(a) == repr(t)
    assert list(a.state_dict()) == list(t.state_dict())
    assert [n for n, _ in a.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert [n for n, _ in a.named_modules()] == [n for n, _ in t.named_modules()]
    assert [n for n, _ in a.named_buffers()] == [n for n, _ in t.named_buffers()]
    assert [type(m).__name__ for m in a.children()] == [type(m).__name__ for m in t.children()]
    assert [type(m).__name__ for m in a.modules()] == [type(m).__name__ for m in t.modules()]
    assert [tuple(p.shape) for p in a.parameters()] == [tuple(p.shape) for p in t.parameters()]
    assert all(isinstance(p, nn.Parameter) and p.requires_grad and p.is_leaf for p in a.parameters())


def test_lenet_forward_and_backward_match_torch():
    t_net = lenet(T).double()
    a_net = copy_weights(t_net, lenet(AL)).double()
    x = np.random.default_rng(0).standard_normal((2, 3, 32, 32))
    y = np.array([3, 7])
    ta, tt = autolab.tensor(x), torch.tensor(x)
    la = nn.functional.cross_entropy(a_net(ta), autolab.tensor(y))
    lt = torch.nn.functional.cross_entropy(t_net(tt), torch.tensor(y))
    assert_close(la, lt, rtol=1e-10)
    la.backward()
    lt.backward()
    for (name, pa), (_, pt) in zip(a_net.named_parameters(), t_net.named_parameters()):
        assert_close(pa.grad, pt.grad, rtol=1e-7, atol=1e-12, what=name)


def test_train_eval_propagate():
    m = zoo(AL)
    assert m.training and all(c.training for c in m.modules())
    assert m.eval() is m
    assert not any(c.training for c in m.modules())
    m.train()
    assert all(c.training for c in m.modules())


def test_zero_grad_sets_to_none_by_default():
    m = nn.Linear(3, 2)
    m(autolab.randn(4, 3)).sum().backward()
    assert m.weight.grad is not None
    m.zero_grad(set_to_none=False)
    assert m.weight.grad.tolist() == [[0.0] * 3] * 2
    m.zero_grad()
    assert m.weight.grad is None and m.bias.grad is None


def test_load_state_dict_strict_errors():
    m = nn.Sequential(nn.Linear(3, 2), nn.ReLU(), nn.Linear(2, 1))
    good = m.state_dict()
    extra = dict(good, **{"2.scale": autolab.ones(1)})
    with pytest.raises(RuntimeError, match=r'Unexpected key\(s\) in state_dict: "2.scale"'):
        m.load_state_dict(extra)
    missing = {k: v for k, v in good.items() if k != "0.bias"}
    with pytest.raises(
        RuntimeError,
        match=r"(?s)Error\(s\) in loading state_dict for Sequential.*Missing key\(s\) in "
        r'state_dict: "0.bias"',
    ):
        m.load_state_dict(missing)
    result = m.load_state_dict(missing, strict=False)
    assert result.missing_keys == ["0.bias"] and result.unexpected_keys == []
    bad = dict(good, **{"0.weight": autolab.zeros(5, 5)})
    with pytest.raises(
        RuntimeError,
        match=r"size mismatch for 0.weight: copying a param with shape \(5, 5\) from "
        r"checkpoint, the shape in current model is \(2, 3\)",
    ):
        m.load_state_dict(bad)


def test_state_dict_round_trip_copies_values():
    autolab.manual_seed(0)
    a, b = nn.Linear(3, 2), nn.Linear(3, 2)
    b.load_state_dict(a.state_dict())
    np.testing.assert_array_equal(to_np(b.weight), to_np(a.weight))
    with autolab.no_grad():
        a.weight.add_(1.0)
    assert not np.array_equal(to_np(b.weight), to_np(a.weight))  # a copy, not shared storage
    sd = a.state_dict()
    assert not sd["weight"].requires_grad  # detached, as PyTorch's


def test_apply_visits_children_first_like_torch():
    order = {}
    for L in (AL, T):
        seen = order[L.name] = []
        zoo(L).apply(lambda m, seen=seen: seen.append(type(m).__name__))
    assert order["autolab"] == order["torch"]


def test_apply_reinitialises_and_to_changes_dtype():
    m = nn.Sequential(nn.Linear(3, 2), nn.Linear(2, 2))

    def init(mod):
        if isinstance(mod, nn.Linear):
            nn.init.constant_(mod.weight, 0.5)
            nn.init.zeros_(mod.bias)

    m.apply(init)
    assert all(v == 0.5 for p in m.parameters() if p.ndim == 2 for v in to_np(p).ravel())
    assert m.to(autolab.float64) is m
    assert all(p.dtype == autolab.float64 for p in m.parameters())
    assert m(autolab.ones(1, 3, dtype=autolab.float64)).dtype == autolab.float64
    assert m.to("cpu") is m


def test_parameters_registered_by_assignment_and_shared_once():
    class Tied(nn.Module):
        def __init__(self):
            super().__init__()
            self.a = nn.Linear(2, 2)
            self.b = self.a
            self.scale = nn.Parameter(autolab.ones(1))
            self.plain = autolab.ones(1)  # a plain tensor attribute is not a parameter

    m = Tied()
    assert [n for n, _ in m.named_parameters()] == ["scale", "a.weight", "a.bias"] or [
        n for n, _ in m.named_parameters()
    ] == ["a.weight", "a.bias", "scale"]
    assert len(list(m.parameters())) == 3


# ---- layers vs torch.nn with copied weights ---------------------------------------------------------------------
LAYERS = {
    "Linear": (lambda L: L.nn.Linear(5, 3), (4, 5)),
    "Linear_3d_input": (lambda L: L.nn.Linear(5, 3), (2, 4, 5)),
    "Linear_nobias": (lambda L: L.nn.Linear(5, 3, bias=False), (4, 5)),
    "Conv2d": (lambda L: L.nn.Conv2d(2, 3, 3), (2, 2, 6, 6)),
    "Conv2d_stride_pad": (lambda L: L.nn.Conv2d(2, 3, (3, 2), stride=2, padding=1), (2, 2, 7, 6)),
    "Conv2d_unbatched": (lambda L: L.nn.Conv2d(2, 3, 3, padding=1, bias=False), (2, 5, 5)),
    "MaxPool2d": (lambda L: L.nn.MaxPool2d(2), (2, 3, 6, 6)),
    "MaxPool2d_stride_pad": (lambda L: L.nn.MaxPool2d(3, stride=2, padding=1), (1, 2, 7, 7)),
    "AvgPool2d": (lambda L: L.nn.AvgPool2d(2), (2, 3, 6, 6)),
    "AvgPool2d_stride_pad": (lambda L: L.nn.AvgPool2d(3, stride=2, padding=1), (1, 2, 7, 7)),
    "ReLU": (lambda L: L.nn.ReLU(), (3, 4)),
    "LeakyReLU": (lambda L: L.nn.LeakyReLU(0.2), (3, 4)),
    "Sigmoid": (lambda L: L.nn.Sigmoid(), (3, 4)),
    "Tanh": (lambda L: L.nn.Tanh(), (3, 4)),
    "Softmax": (lambda L: L.nn.Softmax(dim=1), (3, 4)),
    "LogSoftmax": (lambda L: L.nn.LogSoftmax(dim=0), (3, 4)),
    "Flatten": (lambda L: L.nn.Flatten(), (2, 3, 4)),
    "Identity": (lambda L: L.nn.Identity(), (2, 3)),
    "Dropout_eval": (lambda L: L.nn.Dropout(0.5).eval(), (3, 4)),
    "BatchNorm1d_eval": (lambda L: L.nn.BatchNorm1d(4).eval(), (3, 4)),
    "BatchNorm2d_train": (lambda L: L.nn.BatchNorm2d(3), (2, 3, 4, 4)),
    "BatchNorm1d_3d_train": (lambda L: L.nn.BatchNorm1d(3), (2, 3, 5)),
    "BatchNorm2d_no_affine": (lambda L: L.nn.BatchNorm2d(3, affine=False), (2, 3, 4, 4)),
    "BatchNorm2d_bias_false": (lambda L: L.nn.BatchNorm2d(3, bias=False), (2, 3, 4, 4)),
    "BatchNorm1d_untracked_eval": (lambda L: L.nn.BatchNorm1d(4, track_running_stats=False).eval(), (3, 4)),
    "Sequential": (
        lambda L: L.nn.Sequential(
            L.nn.Conv2d(1, 2, 3), L.nn.ReLU(), L.nn.MaxPool2d(2), L.nn.Flatten(), L.nn.Linear(8, 3)
        ),
        (2, 1, 6, 6),
    ),
}


@pytest.mark.parametrize("build, shape", LAYERS.values(), ids=LAYERS.keys())
def test_layer_matches_torch(build, shape):
    torch.manual_seed(0)
    t_mod = build(T).double()
    a_mod = copy_weights(t_mod, build(AL)).double()
    a_mod.train(t_mod.training)
    x = np.random.default_rng(1).standard_normal(shape)
    xa, xt = autolab.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ya, yt = a_mod(xa), t_mod(xt)
    assert_close(ya, yt, rtol=1e-9, atol=1e-12, what="forward")
    gy = np.random.default_rng(2).standard_normal(tuple(yt.shape))
    ya.backward(autolab.tensor(gy))
    yt.backward(torch.tensor(gy))
    assert_close(xa.grad, xt.grad, rtol=1e-8, atol=1e-12, what="input grad")
    for (name, pa), (_, pt) in zip(a_mod.named_parameters(), t_mod.named_parameters()):
        assert_close(pa.grad, pt.grad, rtol=1e-8, atol=1e-12, what=name)
    for (name, ba), (_, bt) in zip(a_mod.named_buffers(), t_mod.named_buffers()):
        assert_close(ba, bt, rtol=1e-9, what=name)


def test_modulelist_holds_parameters():
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])

        def forward(self, x):
            for layer in self.layers:
                x = layer(x)
            return x

    net = Net()
    assert len(net.layers) == 3 and len(list(net.parameters())) == 6
    assert list(net.state_dict())[:2] == ["layers.0.weight", "layers.0.bias"]
    assert net(autolab.ones(1, 2)).shape == (1, 2)


@pytest.mark.parametrize("momentum", [0.2, None], ids=["momentum", "cumulative"])
@pytest.mark.parametrize("cls, shape", [("BatchNorm1d", (8, 3)), ("BatchNorm2d", (4, 3, 2, 2))])
def test_batchnorm_running_stats_follow_torch(cls, shape, momentum):
    t_bn = getattr(torch.nn, cls)(3, momentum=momentum).double()
    a_bn = getattr(nn, cls)(3, momentum=momentum).double()
    rng = np.random.default_rng(0)
    for step in range(4):
        x = rng.standard_normal(shape) * (step + 1) + step
        a_bn(autolab.tensor(x))
        t_bn(torch.tensor(x))
    assert_close(a_bn.running_mean, t_bn.running_mean, rtol=1e-10)
    assert_close(a_bn.running_var, t_bn.running_var, rtol=1e-10)
    assert a_bn.num_batches_tracked.item() == t_bn.num_batches_tracked.item() == 4
    a_bn.eval()
    t_bn.eval()
    x = rng.standard_normal(shape)
    assert_close(a_bn(autolab.tensor(x)), t_bn(torch.tensor(x)), rtol=1e-10)
    with autolab.no_grad():
        a_bn(autolab.tensor(x))
    assert a_bn.num_batches_tracked.item() == 4  # eval mode leaves the statistics alone


def test_dropout_train_uses_the_seed():
    d = nn.Dropout(0.5)
    x = autolab.ones(100)
    autolab.manual_seed(0)
    a = d(x)
    autolab.manual_seed(0)
    b = d(x)
    np.testing.assert_array_equal(to_np(a), to_np(b))
    assert set(np.unique(to_np(a)).tolist()) == {0.0, 2.0}
    d.eval()
    assert d(x) is x


def _module_facts(L):
    """Facts about buffers, containers and state_dict options, to compare between the libraries."""

    class M(L.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = L.nn.Linear(2, 2)
            self.register_buffer("stat", L.t.zeros(2))
            self.register_buffer("tmp", L.t.ones(1), persistent=False)

    m = M()
    r = [list(m.state_dict()), [n for n, _ in m.named_buffers()]]
    r.append(m.state_dict(keep_vars=True)["fc.weight"].requires_grad)
    r.append(m.state_dict()["fc.weight"].requires_grad)
    m.stat = L.t.ones(2)
    r.append(m.state_dict()["stat"].tolist())
    m.fc = None
    r.append((list(m.state_dict()), list(dict(m.named_children()))))
    s = L.nn.Sequential(L.nn.Linear(1, 2), L.nn.ReLU(), L.nn.Linear(2, 3))
    r.append((type(s[-1]).__name__, len(s[1:]), type(s[1:]).__name__, list(s[1:].state_dict())))
    r.append([n for n, _ in s.named_parameters(prefix="net")])
    ml = L.nn.ModuleList([L.nn.Linear(1, 1)])
    ml += [L.nn.ReLU(), L.nn.Linear(1, 2)]
    ml.append(L.nn.Tanh())
    r.append((len(ml), list(ml.state_dict()), type(ml[1:]).__name__))
    bn = L.nn.BatchNorm1d(2).double()
    r.append((dtype_name(bn.num_batches_tracked.dtype), dtype_name(bn.running_mean.dtype)))
    p = L.nn.Parameter(L.t.ones(2))
    r.append((type(p * 2).__name__, type(p.detach()).__name__, p.is_leaf, p.grad_fn is None))
    return r


def test_buffers_containers_and_state_dict_options_match_torch():
    assert _module_facts(AL) == _module_facts(T)
    m = nn.Module()
    m.register_buffer("stat", autolab.zeros(1))
    with pytest.raises(TypeError, match="cannot assign 'int' as buffer 'stat'"):
        m.stat = 5


def test_max_pool_return_indices_match_torch():
    a = np.random.default_rng(0).standard_normal((2, 3, 6, 7))
    res = []
    for L in (AL, T):
        x = L.t.tensor(a, requires_grad=True)
        y, i = L.F.max_pool2d(x, 3, 2, 1, return_indices=True)
        _, i2 = L.nn.MaxPool2d(2, return_indices=True)(x)
        _, i3 = L.F.max_pool2d(x[0], 2, return_indices=True)  # unbatched
        res.append([to_np(y), to_np(i), to_np(i2), to_np(i3), dtype_name(i.dtype)])
    for k in range(4):
        np.testing.assert_array_equal(res[0][k], res[1][k])
    assert res[0][4] == res[1][4] == "int64"
