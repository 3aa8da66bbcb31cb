"""Devices as on a CPU-only PyTorch: torch.accelerator, torch.backends, torch.device, non_blocking, pin_memory."""

import pickle

import pytest
import torch

import autolab
import autolab.backends.cudnn


def test_accelerator_answers_as_cpu_only_torch():
    assert autolab.accelerator.is_available() is torch.accelerator.is_available() is False
    assert autolab.accelerator.current_accelerator() is torch.accelerator.current_accelerator() is None
    assert autolab.accelerator.device_count() == torch.accelerator.device_count() == 0
    for lib in (autolab, torch):
        with pytest.raises(RuntimeError, match="Cannot access accelerator device when none is available"):
            lib.accelerator.current_device_index()
    # The official examples' idiom picks the CPU.
    for lib in (autolab, torch):
        use_accel = lib.accelerator.is_available()
        device = lib.accelerator.current_accelerator() if use_accel else lib.device("cpu")
        assert str(device) == "cpu"


def test_accelerator_asks_autolab_cuda(monkeypatch):
    monkeypatch.setattr(autolab.cuda, "is_available", lambda: True)
    monkeypatch.setattr(autolab.cuda, "device_count", lambda: 2)
    assert autolab.accelerator.is_available() and autolab.accelerator.device_count() == 2
    assert autolab.accelerator.current_accelerator() == autolab.device("cuda")


def test_backends_flags_exist_say_no_and_can_be_set(monkeypatch):
    for name in ("enabled", "benchmark", "deterministic", "allow_tf32"):
        assert getattr(autolab.backends.cudnn, name) == getattr(torch.backends.cudnn, name), name
    assert autolab.backends.cudnn.is_available() is torch.backends.cudnn.is_available() is False
    assert autolab.backends.cudnn.version() is torch.backends.cudnn.version() is None
    assert autolab.backends.mps.is_available() is torch.backends.mps.is_available() is False
    assert autolab.backends.mps.is_built() is torch.backends.mps.is_built() is False
    assert autolab.backends.cuda.is_built() is torch.backends.cuda.is_built() is False
    assert autolab.backends.cuda.matmul.allow_tf32 == torch.backends.cuda.matmul.allow_tf32
    monkeypatch.setattr(autolab.backends.cudnn, "benchmark", True)
    assert autolab.backends.cudnn.benchmark is True


@pytest.mark.parametrize(
    "args", [("cpu",), ("cpu", 0), ("cpu:0",), ("cuda",), ("cuda", 1), ("cuda:1",), ("mps",), ("meta",)]
)
def test_device_type_index_str_repr_equality_match_torch(args):
    ours, theirs = autolab.device(*args), torch.device(*args)
    assert (ours.type, ours.index, str(ours)) == (theirs.type, theirs.index, str(theirs))
    assert repr(ours) == repr(theirs)
    for other in [("cpu",), ("cpu", 0), ("cuda", 1)]:
        assert (ours == autolab.device(*other)) == (theirs == torch.device(*other))
    assert (ours == str(ours)) == (theirs == str(theirs))  # a device never equals a string
    assert autolab.device(ours) == ours and hash(autolab.device(*args)) == hash(ours)
    assert pickle.loads(pickle.dumps(ours)) == ours


@pytest.mark.parametrize("bad", [("tpu",), ("cpu", -1), ("cpu:x",), ("cpu:0", 0)])
def test_device_errors_match_torch(bad):
    with pytest.raises(RuntimeError):
        torch.device(*bad)
    with pytest.raises(RuntimeError):
        autolab.device(*bad)


def test_to_accepts_non_blocking_and_copy_and_pin_memory_fails_as_on_cpu_torch():
    for lib in (autolab, torch):
        x = lib.ones(2)
        assert x.to("cpu", non_blocking=True) is x and x.to(lib.device("cpu", 0)).tolist() == [1.0, 1.0]
        assert x.to("cpu", copy=True) is not x and x.to("cpu", copy=True).tolist() == [1.0, 1.0]
        assert x.to("cpu", lib.float64, True).dtype == lib.float64
        assert x.to(device="cpu", dtype=lib.float64, non_blocking=True).dtype == lib.float64
        assert x.is_pinned() is False
        with pytest.raises(RuntimeError, match="Cannot access accelerator device when none is available"):
            x.pin_memory()
