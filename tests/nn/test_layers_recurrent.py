"""RNN, LSTM, GRU and their cells against PyTorch, with PyTorch's own initial weights copied in through
load_state_dict: outputs, final states, gradients of the input, the initial state and every weight."""

from __future__ import annotations

import numpy as np
import pytest
from nn_helpers import AL, T, compare, copy_weights, randn, to_np, torch

import autolab

CONFIGS = [
    {},
    {"num_layers": 2},
    {"bidirectional": True},
    {"num_layers": 2, "bidirectional": True, "batch_first": True},
    {"bias": False},
    {"num_layers": 3, "dropout": 0.5},  # compared in eval mode, where dropout is off
]


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("cfg", CONFIGS, ids=lambda c: ",".join(f"{k}={v}" for k, v in c.items()) or "default")
def test_recurrent_layer_matches_torch(kind, cfg):
    seq, batch = (3, 5) if cfg.get("batch_first") else (5, 3)
    tm, am = compare(lambda L: getattr(L.nn, kind)(4, 6, **cfg), [randn(seq, batch, 4)])
    assert repr(am) == repr(tm)


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_initial_state_gets_its_gradient(kind):
    layers, d = 2, 2
    h0 = randn(layers * d, 3, 5, seed=2)
    hx = [h0, randn(layers * d, 3, 5, seed=3)] if kind == "LSTM" else [h0]
    if kind == "LSTM":
        call = lambda m, x, h, c: m(x, (h, c))
    else:
        call = lambda m, x, h: m(x, h)
    compare(
        lambda L: getattr(L.nn, kind)(4, 5, num_layers=layers, bidirectional=True), [randn(6, 3, 4), *hx], call=call
    )


def test_relu_rnn_and_unbatched_input():
    compare(lambda L: L.nn.RNN(4, 5, nonlinearity="relu", num_layers=2), [randn(7, 4)])
    compare(lambda L: L.nn.LSTM(4, 5, bidirectional=True), [randn(7, 4), randn(2, 5), randn(2, 5, seed=4)],
            call=lambda m, x, h, c: m(x, (h, c)))  # fmt: skip


@pytest.mark.parametrize("kind", ["RNNCell", "LSTMCell", "GRUCell"])
@pytest.mark.parametrize("bias", [True, False])
def test_cells_match_torch(kind, bias):
    x, h = randn(3, 4), randn(3, 5, seed=2)
    tm, am = compare(lambda L: getattr(L.nn, kind)(4, 5, bias=bias), [x])  # the zero initial state
    assert repr(am) == repr(tm)
    if kind == "LSTMCell":
        compare(lambda L: L.nn.LSTMCell(4, 5, bias), [x, h, randn(3, 5, seed=3)], call=lambda m, x, h, c: m(x, (h, c)))
        compare(lambda L: L.nn.LSTMCell(4, 5, bias), [x[0], h[0], h[1]], call=lambda m, x, h, c: m(x, (h, c)))
    else:
        compare(lambda L: getattr(L.nn, kind)(4, 5, bias), [x, h])
        compare(lambda L: getattr(L.nn, kind)(4, 5, bias), [x[0], h[0]])


def test_a_cell_unrolled_by_hand_trains_like_torch():
    """The tutorial pattern: a cell in a Python loop, a Linear on top, three SGD steps."""

    def run(L):
        L.t.manual_seed(0)
        cell, head = L.nn.GRUCell(3, 8).double(), L.nn.Linear(8, 2).double()
        return cell, head

    tc, th = run(T)
    ac, ah = run(AL)
    copy_weights(tc, ac), copy_weights(th, ah)
    losses = {}
    for L, cell, head in ((T, tc, th), (AL, ac, ah)):
        opt = L.t.optim.SGD(list(cell.parameters()) + list(head.parameters()), lr=0.5)
        out = []
        for _ in range(3):
            h = L.t.zeros(4, 8, dtype=L.t.float64)
            for t in range(5):
                h = cell(L.t.tensor(randn(4, 3, seed=t)), h)
            loss = L.F.cross_entropy(head(h), L.t.tensor(np.array([0, 1, 1, 0])))
            opt.zero_grad()
            loss.backward()
            opt.step()
            out.append(loss.item())
        losses[L.name] = out
    np.testing.assert_allclose(losses["autolab"], losses["torch"], rtol=1e-10)


def test_state_dict_round_trip_both_ways_and_default_init():
    t = T.nn.LSTM(3, 4, num_layers=2, bidirectional=True)
    a = AL.nn.LSTM(3, 4, num_layers=2, bidirectional=True)
    assert [(k, tuple(v.shape)) for k, v in a.state_dict().items()] == [
        (k, tuple(v.shape)) for k, v in t.state_dict().items()
    ]
    t.load_state_dict({k: torch.tensor(to_np(v)) for k, v in a.state_dict().items()})  # autolab -> torch
    x = randn(5, 2, 3).astype(np.float32)
    np.testing.assert_allclose(to_np(a(autolab.tensor(x))[0]), to_np(t(torch.tensor(x))[0]), rtol=1e-5, atol=1e-6)
    # PyTorch's init: every weight from U(-1/sqrt(H), 1/sqrt(H))
    big = AL.nn.GRU(50, 400)
    w = np.concatenate([to_np(p).ravel() for p in big.parameters()])
    bound = 1 / np.sqrt(400)
    assert w.min() >= -bound and w.max() <= bound and abs(w.std() - bound / np.sqrt(3)) < 1e-3 * bound * 10


def test_dropout_between_layers_in_training():
    autolab.manual_seed(0)
    m = AL.nn.LSTM(4, 5, num_layers=2, dropout=0.5)
    x = autolab.randn(6, 2, 4)
    m.eval()
    a, b = m(x)[0], m(x)[0]
    assert np.array_equal(to_np(a), to_np(b))
    m.train()
    assert not np.allclose(to_np(m(x)[0]), to_np(a))


def test_errors_name_the_problem():
    m = AL.nn.GRU(4, 5, num_layers=2)
    with pytest.raises(RuntimeError, match="Expected 4, got 3"):
        m(autolab.randn(2, 3, 3))
    with pytest.raises(RuntimeError, match=r"Expected hidden size \(2, 3, 5\), got \[1, 3, 5\]"):
        m(autolab.randn(2, 3, 4), autolab.zeros(1, 3, 5))
    with pytest.raises(NotImplementedError, match="proj_size"):
        AL.nn.LSTM(4, 5, proj_size=2)
    with pytest.raises(ValueError, match="nonlinearity"):
        AL.nn.RNN(4, 5, nonlinearity="gelu")


def test_fused_lstm_gradchecks_and_refuses_double_backward():
    m = AL.nn.LSTM(2, 3, bidirectional=True).double()
    x = autolab.tensor(randn(4, 2, 2), requires_grad=True)
    h = autolab.tensor(randn(2, 2, 3, seed=5), requires_grad=True)
    c = autolab.tensor(randn(2, 2, 3, seed=6), requires_grad=True)
    f = lambda x, h, c: sum(t.sum() for t in (m(x, (h, c))[0], *m(x, (h, c))[1]))
    assert autolab.autograd.gradcheck(lambda x, h, c: m(x, (h, c))[0], (x, h, c))
    assert autolab.autograd.gradcheck(lambda x, h, c: m(x, (h, c))[1][1], (x, h, c))
    with pytest.raises(NotImplementedError, match="second time"):
        autolab.autograd.grad(f(x, h, c), x, create_graph=True)
    for kind in ("GRU", "RNN"):
        g = getattr(AL.nn, kind)(2, 3, bidirectional=True).double()
        assert autolab.autograd.gradcheck(lambda x, h, g=g: g(x, h)[0], (x, h))
        assert autolab.autograd.gradcheck(lambda x, h, g=g: g(x, h)[1], (x, h))
