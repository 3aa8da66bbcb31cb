"""Embedding, the channel and alpha dropouts, Unflatten, ParameterList/ParameterDict and the containers' list
operations, against PyTorch."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from nn_helpers import AL, T, compare, randn, to_np, torch

import autolab


@pytest.mark.parametrize("kwargs", [{}, {"padding_idx": 0}, {"padding_idx": -1}, {"max_norm": 1.0}])
def test_embedding_matches_torch(kwargs):
    idx = np.array([[1, 2, 0, 4], [4, 3, 2, 9]])  # repeated ids: their gradients add up
    tm, am = compare(lambda L: L.nn.Embedding(10, 3, **kwargs), [idx])
    assert repr(am) == repr(tm)
    if "max_norm" in kwargs:  # the rows used were renormalised in place, in both
        np.testing.assert_allclose(to_np(am.weight), to_np(tm.weight), rtol=1e-12)
        assert np.linalg.norm(to_np(am.weight)[idx.ravel()], axis=1).max() <= 1.0 + 1e-6
    if "padding_idx" in kwargs:
        assert not np.any(to_np(am.weight.grad)[kwargs["padding_idx"]])


def test_embedding_init_from_pretrained_and_errors():
    e = AL.nn.Embedding(1000, 50, padding_idx=3)
    w = to_np(e.weight)
    assert abs(w.mean()) < 0.01 and abs(w.std() - 1) < 0.01 and not np.any(w[3])  # N(0, 1), padding row 0
    table = randn(4, 2)
    for freeze in (True, False):
        te = T.nn.Embedding.from_pretrained(torch.tensor(table), freeze=freeze)
        ae = AL.nn.Embedding.from_pretrained(autolab.tensor(table), freeze=freeze)
        assert ae.weight.requires_grad == te.weight.requires_grad == (not freeze)
        np.testing.assert_array_equal(to_np(ae(autolab.tensor([3, 1]))), to_np(te(torch.tensor([3, 1]))))
    ids = np.array([0, 2])
    got = AL.F.embedding(autolab.tensor(ids), autolab.tensor(table), padding_idx=2)
    np.testing.assert_array_equal(to_np(got), to_np(T.F.embedding(torch.tensor(ids), torch.tensor(table), 2)))
    with pytest.raises(RuntimeError, match="Long, Int"):
        e(autolab.tensor([1.0]))
    with pytest.raises(IndexError, match="index out of range"):
        e(autolab.tensor([1000]))


@pytest.mark.parametrize("cls,shape", [("Dropout1d", (8, 50, 6)), ("Dropout2d", (8, 50, 3, 2))])
def test_channel_dropout_zeros_whole_channels(cls, shape):
    autolab.manual_seed(0)
    m = getattr(AL.nn, cls)(0.4)
    y = to_np(m(autolab.ones(*shape)))
    flat = y.reshape(shape[0], shape[1], -1)
    assert np.all(flat == flat[..., :1])  # each channel all kept or all dropped
    assert (
        set(np.unique(y).tolist()) <= {0.0, np.float32(1 / 0.6).item()} and abs((flat[..., 0] == 0).mean() - 0.4) < 0.06
    )
    assert np.array_equal(to_np(m.eval()(autolab.ones(*shape))), np.ones(shape))
    assert repr(m) == repr(getattr(T.nn, cls)(0.4))


CHANNEL_CASES = [  # (function, input shape): PyTorch 2.13's dims rules, deprecated inputs included
    ("dropout1d", (6, 40)),
    ("dropout1d", (4, 30, 5)),
    ("dropout2d", (50, 40)),  # 2-D: deprecated, one draw per element (PyTorch's MNIST RNN example does this)
    ("dropout2d", (4, 30, 5)),  # 3-D: read as (N, C, L), with PyTorch's warning
    ("dropout2d", (4, 30, 3, 2)),
    ("dropout3d", (30, 2, 3, 2)),
    ("dropout3d", (4, 30, 2, 3, 2)),
    ("dropout3d", (50, 40)),
]


def _independent_axes(y: np.ndarray) -> tuple[bool, ...]:
    """For each axis: does the keep/drop pattern change along it (independent draws) or not (broadcast)?"""
    return tuple(bool(np.any(y != y.take([0], axis=d))) for d in range(y.ndim))


@pytest.mark.parametrize("fn,shape", CHANNEL_CASES, ids=[f"{f}-{len(s)}d" for f, s in CHANNEL_CASES])
def test_channel_dropout_draws_over_the_dims_torch_does_and_warns_as_it_does(fn, shape):
    autolab.manual_seed(0)
    torch.manual_seed(0)
    with warnings.catch_warnings(record=True) as ours:
        warnings.simplefilter("always")
        a = to_np(getattr(AL.F, fn)(autolab.ones(*shape), 0.5, True))
    with warnings.catch_warnings(record=True) as theirs:
        warnings.simplefilter("always")
        t = to_np(getattr(T.F, fn)(torch.ones(*shape), 0.5, True))
    assert a.shape == t.shape and _independent_axes(a) == _independent_axes(t)
    assert [str(w.message) for w in ours] == [str(w.message) for w in theirs]


def test_dropout1d_refuses_other_dims_in_torchs_words():
    with pytest.raises(RuntimeError) as ours:
        AL.F.dropout1d(autolab.ones(2, 3, 4, 5), 0.5, True)
    with pytest.raises(RuntimeError) as theirs:
        T.F.dropout1d(torch.ones(2, 3, 4, 5), 0.5, True)
    assert str(ours.value) == str(theirs.value)


def test_alpha_dropout_keeps_mean_and_variance():
    autolab.manual_seed(0)
    x = autolab.tensor(randn(200000))
    y = to_np(AL.F.alpha_dropout(x, 0.2, training=True))
    t = to_np(T.F.alpha_dropout(torch.tensor(to_np(x)), 0.2, training=True))
    assert abs(y.mean() - t.mean()) < 0.01 and abs(y.std() - t.std()) < 0.01
    assert abs(y.mean()) < 0.01 and abs(y.std() - 1) < 0.01
    assert AL.nn.AlphaDropout(0.5).eval()(x) is x


def test_unflatten():
    tm, am = compare(lambda L: L.nn.Sequential(L.nn.Linear(6, 12), L.nn.Unflatten(1, (3, 4))), [randn(2, 6)])
    assert repr(am) == repr(tm)


def test_parameter_list_and_dict_register_parameters():
    def make(L):
        class M(L.nn.Module):
            def __init__(self):
                super().__init__()
                L.t.manual_seed(0)
                self.ws = L.nn.ParameterList([L.nn.Parameter(L.t.ones(3, 3) * i) for i in range(3)])
                self.ws.append(L.t.full((3, 3), 0.5))  # a plain tensor becomes a Parameter
                self.bs = L.nn.ParameterDict({"a": L.nn.Parameter(L.t.zeros(3)), "b": L.t.ones(3)})

            def forward(self, x):
                for w in self.ws:
                    x = x @ w + self.bs["a"] - self.bs["b"]
                return x

        return M()

    tm, am = compare(make, [randn(2, 3)])
    assert list(am.state_dict()) == ["ws.0", "ws.1", "ws.2", "ws.3", "bs.a", "bs.b"] == list(tm.state_dict())
    assert len(am.ws) == 4 and "a" in am.bs and list(am.bs.keys()) == ["a", "b"]


def test_sequential_and_module_list_editing_like_torch():
    for L in (T, AL):
        layers = [L.nn.Linear(2, 2), L.nn.ReLU(), L.nn.Tanh()]
        s = L.nn.Sequential(*layers)
        s.insert(1, L.nn.Sigmoid())
        s.extend([L.nn.Identity()])
        del s[0]
        assert [type(m).__name__ for m in s] == ["Sigmoid", "ReLU", "Tanh", "Identity"]
        assert list(s._modules) == ["0", "1", "2", "3"]
        assert type(s.pop(1)).__name__ == "ReLU" and len(s) == 3
        ml = L.nn.ModuleList(layers)
        ml.insert(0, L.nn.Identity())
        del ml[1]
        ml[0] = L.nn.ELU()
        assert [type(m).__name__ for m in ml] == ["ELU", "ReLU", "Tanh"] and list(ml._modules) == ["0", "1", "2"]
        md = L.nn.ModuleDict({"a": L.nn.ReLU()})
        md.update({"b": L.nn.Tanh()})
        assert "b" in md and type(md.pop("a")).__name__ == "ReLU" and list(md.keys()) == ["b"]


PADS = [
    ("ZeroPad2d", (1, 2, 0, 3)),
    ("ZeroPad1d", 2),
    ("ConstantPad2d", (2, 3.5)),
    ("ConstantPad1d", ((1, 0), -1.0)),
    ("ReflectionPad2d", 2),
    ("ReflectionPad1d", (3, 1)),
    ("ReplicationPad2d", (1, 0, 2, 1)),
    ("ReplicationPad1d", 2),
    ("CircularPad2d", 1),
    ("CircularPad1d", (2, 1)),
]


@pytest.mark.parametrize("name,args", PADS, ids=[p[0] for p in PADS])
def test_padding_layers(name, args):
    shape = (2, 3, 5, 6) if name.endswith("2d") else (2, 3, 6)
    args = args if isinstance(args, tuple) and name.startswith("Constant") else (args,)
    tm, am = compare(lambda L: getattr(L.nn, name)(*args), [randn(*shape)])
    assert repr(am) == repr(tm)
