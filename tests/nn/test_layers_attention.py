"""scaled_dot_product_attention, MultiheadAttention and the Transformer layers against PyTorch (float64,
PyTorch's initial weights copied in; train mode with dropout 0, so that PyTorch takes its reference path)."""

from __future__ import annotations

import numpy as np
import pytest
from nn_helpers import AL, T, compare, randn, to_np, torch

import autolab


def _both(x: np.ndarray | None, grad: bool = False) -> tuple:
    if x is None:
        return None, None
    return torch.tensor(x, requires_grad=grad), autolab.tensor(x, requires_grad=grad)


@pytest.mark.parametrize("mask", ["none", "bool", "float", "causal"])
def test_sdpa_matches_torch(mask):
    q, k, v = randn(2, 3, 5, 4), randn(2, 3, 6, 4, seed=2), randn(2, 3, 6, 7, seed=3)
    m = {"bool": randn(5, 6, seed=4) > -0.5, "float": randn(5, 6, seed=4)}.get(mask)
    if mask == "causal":
        k, v = k[:, :, :5], v[:, :, :5]
    tq, aq = _both(q, True)
    tk, ak = _both(k, True)
    tv, av = _both(v, True)
    tm, am = _both(m)
    kw = {"is_causal": mask == "causal", "scale": 0.3 if mask == "float" else None}
    ty = T.F.scaled_dot_product_attention(tq, tk, tv, attn_mask=tm, **kw)
    ay = AL.F.scaled_dot_product_attention(aq, ak, av, attn_mask=am, **kw)
    np.testing.assert_allclose(to_np(ay), to_np(ty), rtol=1e-10, atol=1e-12)
    w = randn(*ty.shape, seed=9)
    (ty * torch.tensor(w)).sum().backward()
    (ay * autolab.tensor(w)).sum().backward()
    for a, t in ((aq, tq), (ak, tk), (av, tv)):
        np.testing.assert_allclose(to_np(a.grad), to_np(t.grad), rtol=1e-9, atol=1e-11)


MHA_CASES = {
    "plain": ({}, {}),
    "batch_first": ({"batch_first": True}, {}),
    "no_bias": ({"bias": False}, {}),
    "kdim_vdim": ({"kdim": 5, "vdim": 3}, {}),
    "per_head_weights": ({}, {"average_attn_weights": False}),
    "no_weights": ({}, {"need_weights": False}),
}


@pytest.mark.parametrize("case", sorted(MHA_CASES))
def test_multihead_attention_matches_torch(case):
    ctor, call_kw = MHA_CASES[case]
    n, l, s, e = 3, 4, 6, 8
    kd, vd = ctor.get("kdim", e), ctor.get("vdim", e)
    bf = ctor.get("batch_first", False)
    shape = lambda length, d: (n, length, d) if bf else (length, n, d)
    q, k, v = randn(*shape(l, e)), randn(*shape(s, kd), seed=2), randn(*shape(s, vd), seed=3)
    tm, am = compare(lambda L: L.nn.MultiheadAttention(e, 2, **ctor), [q, k, v], train=True,
                     call=lambda m, q, k, v: m(q, k, v, **call_kw))  # fmt: skip
    assert list(am.state_dict()) == list(tm.state_dict())


def test_multihead_attention_masks():
    n, l, e, h = 2, 5, 8, 2
    x = randn(l, n, e)
    pad = np.array([[False] * 5, [False, False, False, True, True]])
    causal = np.triu(np.ones((l, l), bool), 1)
    per_head = randn(n * h, l, l, seed=5)

    def call(m, x, mask, padding):
        return m(x, x, x, key_padding_mask=padding, attn_mask=mask)

    for mask, padding in (
        (causal, None),
        (None, pad),
        (causal, pad),
        (per_head, pad),
        (np.where(causal, -1e9, 0.0), None),
    ):
        compare(lambda L: L.nn.MultiheadAttention(e, h), [x, mask, padding], train=True, call=call, nograd=(1, 2))


def _lib(module):
    return torch if isinstance(module, torch.nn.Module) else autolab


def test_unbatched_multihead_attention_and_init():
    compare(lambda L: L.nn.MultiheadAttention(6, 3), [randn(4, 6), randn(5, 6, seed=2), randn(5, 6, seed=3)],
            train=True)  # fmt: skip
    a = AL.nn.MultiheadAttention(64, 4)
    w = to_np(a.in_proj_weight)
    bound = np.sqrt(6 / (64 + 192))  # Xavier-uniform over the stacked (3E, E) matrix, as PyTorch
    assert w.min() >= -bound and w.max() <= bound and abs(w.std() - bound / np.sqrt(3)) < 0.05 * bound
    assert not np.any(to_np(a.in_proj_bias)) and not np.any(to_np(a.out_proj.bias))


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("activation", ["relu", "gelu"])
def test_encoder_layer_and_stack(norm_first, activation):
    kw = dict(dim_feedforward=16, dropout=0.0, activation=activation, norm_first=norm_first, batch_first=True)
    x = randn(2, 5, 8)
    tm, am = compare(lambda L: L.nn.TransformerEncoderLayer(8, 2, **kw), [x], train=True)
    assert repr(am) == repr(tm)
    mask = np.triu(np.full((5, 5), -np.inf), 1)

    def make(L):
        return L.nn.TransformerEncoder(L.nn.TransformerEncoderLayer(8, 2, **kw), 2, norm=L.nn.LayerNorm(8))

    compare(make, [x, mask], train=True, call=lambda m, x, mask: m(x, mask=mask), nograd=(1,))


@pytest.mark.parametrize("norm_first", [False, True])
def test_decoder_layer_and_full_transformer(norm_first):
    kw = dict(dim_feedforward=12, dropout=0.0, norm_first=norm_first)
    tgt, mem = randn(4, 2, 8), randn(6, 2, 8, seed=2)
    compare(lambda L: L.nn.TransformerDecoderLayer(8, 2, **kw), [tgt, mem], train=True)

    def call(m, src, tgt):
        L = _lib(m)
        mask = (torch.nn.Transformer if L is torch else autolab.nn.Transformer).generate_square_subsequent_mask(4)
        pad = L.tensor(np.array([[False] * 6, [False] * 4 + [True] * 2]))
        return m(src, tgt, tgt_mask=mask.double(), src_key_padding_mask=pad, memory_key_padding_mask=pad)

    tm, am = compare(lambda L: L.nn.Transformer(8, 2, 2, 2, **kw), [mem, tgt], train=True, call=call)
    assert list(am.state_dict()) == list(tm.state_dict())


def test_generate_square_subsequent_mask():
    np.testing.assert_array_equal(
        to_np(AL.nn.Transformer.generate_square_subsequent_mask(4)),
        to_np(T.nn.Transformer.generate_square_subsequent_mask(4)),
    )


def test_stacked_layers_are_independent_copies():
    enc = AL.nn.TransformerEncoder(AL.nn.TransformerEncoderLayer(8, 2, 16), 3)
    w = [layer.linear1.weight for layer in enc.layers]
    assert len({id(p) for p in enc.parameters()}) == len(list(enc.parameters())) == 3 * 12
    w[0]._data[...] = 0
    assert np.any(to_np(w[1]))


def test_attention_errors():
    with pytest.raises(AssertionError, match="divisible"):
        AL.nn.MultiheadAttention(10, 3)
    with pytest.raises(RuntimeError, match="Need attn_mask"):
        x = autolab.randn(3, 1, 4)
        AL.nn.MultiheadAttention(4, 2)(x, x, x, is_causal=True)
    with pytest.raises(RuntimeError, match="activation should be relu/gelu"):
        AL.nn.TransformerEncoderLayer(4, 2, activation="tanh")


def test_multihead_attention_gradchecks():
    m = AL.nn.MultiheadAttention(4, 2, kdim=3).double()
    q = autolab.tensor(randn(3, 2, 4), requires_grad=True)
    k = autolab.tensor(randn(5, 2, 3, seed=2), requires_grad=True)
    v = autolab.tensor(randn(5, 2, 4, seed=3), requires_grad=True)
    assert autolab.autograd.gradcheck(lambda q, k, v: m(q, k, v)[0], (q, k, v))
    q2, k2, v2 = (autolab.tensor(randn(2, n, 4, seed=n), requires_grad=True) for n in (3, 5, 5))
    sdpa = lambda q, k, v: AL.F.scaled_dot_product_attention(q, k, v, is_causal=False)
    assert autolab.autograd.gradcheck(sdpa, (q2, k2, v2))
