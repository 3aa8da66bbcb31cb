"""Tensors on "cuda": moving them, creating them there, PyTorch's errors, the optimizers' fused kernels, and the
counted host fallback, under numba's CUDA simulator."""

from __future__ import annotations

import numpy as np
import pytest

import autolab
import autolab.nn as nn
import autolab.nn.functional as F

from .conftest import sim

pytestmark = sim


def test_cuda_answers_as_pytorch():
    assert autolab.cuda.is_available() and autolab.cuda.device_count() == 1 and autolab.cuda.is_simulator()
    assert autolab.cuda.current_device() == 0 and "simulator" in autolab.cuda.get_device_name()
    device = autolab.device("cuda" if autolab.cuda.is_available() else "cpu")
    assert device.type == "cuda" and repr(autolab.device("cuda:0")) == "device(type='cuda', index=0)"
    autolab.cuda.synchronize()
    autolab.cuda.manual_seed(0)
    assert autolab.accelerator.is_available() and autolab.accelerator.current_accelerator() == autolab.device("cuda")
    assert autolab.accelerator.device_count() == 1 and autolab.accelerator.current_device_index() == 0


def test_to_cuda_and_back_keeps_values_and_says_where():
    x = autolab.arange(6.0).reshape(2, 3)
    c = x.to("cuda")
    assert c.device == autolab.device("cuda:0") and str(c.device) == "cuda:0" and c.is_cuda and not x.is_cuda
    assert c.to("cuda") is c and c.cuda() is c and x.cpu() is x
    np.testing.assert_array_equal(c.cpu().numpy(), x.numpy())
    assert autolab.zeros(2, 3, device="cuda").is_cuda and autolab.randn(4, device="cuda").device.type == "cuda"
    assert c.sum().item() == 15.0 and c.tolist() == x.tolist()
    assert x.to(autolab.device("cuda:0"), autolab.float64).dtype == autolab.float64
    assert repr(c) == "tensor([[0., 1., 2.],\n        [3., 4., 5.]], device='cuda:0')"
    w = autolab.ones(2, dtype=autolab.float64, device="cuda", requires_grad=True)
    assert repr(w) == "tensor([1., 1.], device='cuda:0', dtype=autolab.float64, requires_grad=True)"


def test_pytorch_errors_for_numpy_and_mixed_devices():
    c = autolab.ones(3, device="cuda")
    with pytest.raises(TypeError, match=r"can't convert cuda:0 device type tensor to numpy. Use Tensor.cpu\(\)"):
        c.numpy()
    with pytest.raises(TypeError, match="can't convert cuda:0"):
        np.asarray(c)
    msg = "Expected all tensors to be on the same device, but found at least two devices, cuda:0 and cpu!"
    for mix in (lambda: c + autolab.ones(3), lambda: autolab.ones(3) * c, lambda: nn.Linear(3, 2)(c)):
        with pytest.raises(RuntimeError, match=msg):
            mix()
    assert (c + autolab.tensor(2.0)).is_cuda  # a 0-d CPU tensor is allowed, as in PyTorch
    with pytest.raises(RuntimeError, match="invalid device ordinal"):
        autolab.ones(2).to("cuda:1")


def test_gradient_flows_back_across_to():
    x = autolab.tensor([1.0, -2.0, 3.0], requires_grad=True)
    y = (x.to("cuda") ** 2).sum()
    assert y.is_cuda
    y.backward()
    assert not x.grad.is_cuda
    np.testing.assert_allclose(x.grad.numpy(), [2.0, -4.0, 6.0])


def test_fallback_is_counted_not_silent():
    from autolab.kernels.cuda.array import fallbacks

    c = autolab.tensor([3.0, 1.0, 2.0], device="cuda")
    s = autolab.sort(c).values  # no sort kernel: host round trip
    assert s.is_cuda and s.cpu().tolist() == [1.0, 2.0, 3.0]
    assert sum(fallbacks.values()) >= 1


@pytest.mark.parametrize(
    "make",
    [
        lambda p: autolab.optim.SGD(p, lr=0.1, momentum=0.9, weight_decay=0.01),
        lambda p: autolab.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True),
        lambda p: autolab.optim.SGD(p, lr=0.1),
        lambda p: autolab.optim.Adam(p, lr=0.01, weight_decay=0.1, amsgrad=True),
        lambda p: autolab.optim.AdamW(p, lr=0.01, weight_decay=0.1),
    ],
)
def test_optimizer_kernels_match_the_cpu_updates(make):
    from autolab.kernels.cuda.array import fallbacks

    rng = np.random.default_rng(1)
    w0, grads = rng.standard_normal((3, 4)).astype(np.float32), rng.standard_normal((3, 3, 4)).astype(np.float32)
    result = {}
    for device in ("cpu", "cuda"):
        p = nn.Parameter(autolab.tensor(w0).to(device))
        opt = make([p])
        for g in grads:
            p.grad = autolab.tensor(g).to(device)
            opt.step()
        result[device] = p.detach().cpu().numpy()
    np.testing.assert_allclose(result["cuda"], result["cpu"], rtol=1e-5, atol=1e-6)
    assert dict(fallbacks) == {}


def test_state_dict_round_trip_keeps_each_model_on_its_device(tmp_path):
    cpu_model = nn.Linear(3, 2)
    gpu_model = nn.Linear(3, 2).to("cuda")
    gpu_model.load_state_dict(cpu_model.state_dict())  # CPU checkpoint into a GPU model: stays on the GPU
    assert gpu_model.weight.is_cuda
    np.testing.assert_array_equal(gpu_model.weight.detach().cpu().numpy(), cpu_model.weight.detach().numpy())
    autolab.save(gpu_model.state_dict(), tmp_path / "m.pt")  # saved from the host; loads on the CPU
    back = autolab.load(tmp_path / "m.pt")
    assert not back["weight"].is_cuda
    np.testing.assert_array_equal(back["bias"].numpy(), cpu_model.bias.detach().numpy())


OPS = {
    "softmax": lambda x, y: F.softmax(x, dim=1),
    "log_softmax": lambda x, y: F.log_softmax(x, dim=1),
    "mse": lambda x, y: F.mse_loss(x, x.detach() * 0.5),
    "sigmoid+tanh": lambda x, y: autolab.sigmoid(x) * autolab.tanh(x),
    "mean+var": lambda x, y: x.mean(0) + x.var(0),
    "cat+slice": lambda x, y: autolab.cat([x, x * 2], 1)[1:3, ::2],
    "clamp": lambda x, y: x.clamp(-0.5, 0.5),
    "nll": lambda x, y: F.nll_loss(F.log_softmax(x, 1), y),
    "max-dim": lambda x, y: x.max(dim=1).values,
    "bce": lambda x, y: F.binary_cross_entropy_with_logits(x, (x.detach() > 0).float()),
    "batchnorm": lambda x, y: nn.BatchNorm1d(5).to(x.device)(x),
}


@pytest.mark.parametrize("name", OPS)
def test_common_ops_forward_and_backward_match_the_cpu(name):
    rng = np.random.default_rng(2)
    data, labels = rng.standard_normal((4, 5)).astype(np.float32), np.array([0, 1, 4, 3])
    got = {}
    for device in ("cpu", "cuda"):
        x = autolab.tensor(data, device=device, requires_grad=True)
        out = OPS[name](x, autolab.tensor(labels, device=device))
        assert out.device.type == device
        out.sum().backward()
        got[device] = (out.detach().cpu().numpy(), x.grad.cpu().numpy())
    for a, b in zip(got["cuda"], got["cpu"]):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_accuracy_idiom_and_dropout_stay_on_the_gpu():
    from autolab.kernels.cuda.array import fallbacks

    x = autolab.randn(6, 3, device="cuda")
    y = autolab.tensor([0, 1, 2, 0, 1, 2], device="cuda")
    correct = (x.argmax(1) == y).sum().item()
    assert correct == int((x.cpu().numpy().argmax(1) == y.cpu().numpy()).sum())
    d = F.dropout(x, 0.5, training=True)
    assert d.is_cuda and set(np.unique(np.round(d.cpu().numpy() / x.cpu().numpy(), 5))) <= {0.0, 2.0}
    assert dict(fallbacks) == {}
