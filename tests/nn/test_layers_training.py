"""Small language models in the style of PyTorch's word_language_model example (an LSTM one and a Transformer
one), written once for both libraries, trained for a few SGD steps from the same weights: the losses and the
final weights must agree."""

from __future__ import annotations

import math

import numpy as np
from nn_helpers import AL, T, copy_weights, to_np

VOCAB, EMB, SEQ, BATCH = 30, 16, 7, 4


def rnn_model(L):
    class RNNModel(L.nn.Module):
        def __init__(self):
            super().__init__()
            self.drop = L.nn.Dropout(0.0)
            self.encoder = L.nn.Embedding(VOCAB, EMB)
            self.rnn = L.nn.LSTM(EMB, 12, 2, dropout=0.0)
            self.decoder = L.nn.Linear(12, VOCAB)

        def forward(self, x, hidden):
            out, hidden = self.rnn(self.drop(self.encoder(x)), hidden)
            return L.F.log_softmax(self.decoder(self.drop(out)).view(-1, VOCAB), dim=1), hidden

    return RNNModel()


def transformer_model(L):
    class PositionalEncoding(L.nn.Module):
        def __init__(self):
            super().__init__()
            pe = np.zeros((50, EMB))
            pos = np.arange(50)[:, None]
            div = np.exp(np.arange(0, EMB, 2) * (-math.log(10000.0) / EMB))
            pe[:, 0::2], pe[:, 1::2] = np.sin(pos * div), np.cos(pos * div)
            self.register_buffer("pe", L.t.tensor(pe[:, None, :]))

        def forward(self, x):
            return x + self.pe[: x.size(0), :]

    class TransformerModel(L.nn.Module):
        def __init__(self):
            super().__init__()
            self.pos = PositionalEncoding()
            layer = L.nn.TransformerEncoderLayer(EMB, 2, 32, 0.0)
            self.encoder = L.nn.TransformerEncoder(layer, 2)
            self.embed = L.nn.Embedding(VOCAB, EMB)
            self.decoder = L.nn.Linear(EMB, VOCAB)

        def forward(self, x, mask):
            h = self.encoder(self.pos(self.embed(x) * math.sqrt(EMB)), mask)
            return L.F.log_softmax(self.decoder(h), dim=-1).view(-1, VOCAB)

    return TransformerModel()


def _train(L, model, kind):
    rng = np.random.default_rng(0)
    opt = L.t.optim.SGD(model.parameters(), lr=0.5)
    losses = []
    hidden = None
    data = L.t.tensor(rng.integers(0, VOCAB, (SEQ + 1, BATCH)))  # one batch, learnt three times
    x, y = data[:-1], data[1:].reshape(-1)
    for _ in range(3):
        opt.zero_grad()
        if kind == "rnn":
            out, hidden = model(x, hidden)
            hidden = tuple(h.detach() for h in hidden)  # truncated backpropagation through time
        else:
            mask = (T.nn.Transformer if L is T else AL.nn.Transformer).generate_square_subsequent_mask(SEQ)
            out = model(x, mask.double())
        loss = L.F.nll_loss(out, y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


def _compare(make, kind):
    T.t.manual_seed(0)
    tm, am = make(T).double(), make(AL).double()
    copy_weights(tm, am)
    tl, al = _train(T, tm, kind), _train(AL, am, kind)
    np.testing.assert_allclose(al, tl, rtol=1e-9)
    assert tl[-1] < tl[0]
    for (k, t), a in zip(tm.state_dict().items(), am.state_dict().values()):
        np.testing.assert_allclose(to_np(a), to_np(t), rtol=1e-8, atol=1e-10, err_msg=k)


def test_lstm_language_model_trains_like_torch():
    _compare(rnn_model, "rnn")


def test_transformer_language_model_trains_like_torch():
    _compare(transformer_model, "transformer")
