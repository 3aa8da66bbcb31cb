"""What needs no MPI job: PyTorch's names, signatures and errors, DataParallel's message, the sampler's arithmetic
(against torch's own DistributedSampler), and a one-process world started without mpiexec."""

from __future__ import annotations

import inspect
import subprocess
import sys

import pytest
import torch
import torch.distributed as tdist
from hypothesis import given, settings
from hypothesis import strategies as st
from mpi_helpers import job_env, mpiexec
from torch.utils.data.distributed import DistributedSampler as TorchSampler

import autolab
import autolab.distributed as dist
from autolab import nn
from autolab.nn.parallel import DistributedDataParallel
from autolab.utils.data import DistributedSampler

COLLECTIVES = [
    "all_reduce", "broadcast", "all_gather", "all_gather_into_tensor", "reduce_scatter", "reduce_scatter_tensor",
    "gather", "scatter", "reduce", "barrier", "send", "recv", "isend", "irecv", "destroy_process_group",
    "get_rank", "get_world_size", "all_gather_object", "gather_object", "broadcast_object_list",
]  # fmt: skip


@pytest.mark.parametrize("name", COLLECTIVES)
def test_signatures_match_torch(name):
    ours = inspect.signature(getattr(dist, name)).parameters
    theirs = inspect.signature(getattr(tdist, name)).parameters
    for pname, p in ours.items():
        assert pname in theirs, f"{name}({pname}) is not in torch"
        t = theirs[pname]
        if p.default is not inspect.Parameter.empty and not isinstance(t.default, tdist.ReduceOp.RedOpType):
            assert p.default == t.default, (name, pname)
    missing = [p for p in theirs if p not in ours and not p.startswith("_")]
    assert missing in ([], ["timeout"], ["device"]), (name, missing)


def test_reduce_ops_have_torchs_numbers():
    for name in ["SUM", "AVG", "PRODUCT", "MIN", "MAX", "BAND", "BOR", "BXOR", "PREMUL_SUM"]:
        assert int(getattr(dist.ReduceOp, name)) == int(getattr(tdist.ReduceOp.RedOpType, name))
    assert repr(dist.ReduceOp.SUM) == repr(tdist.ReduceOp.SUM) == "<RedOpType.SUM: 0>"


def test_errors_before_init_process_group_match_torch():
    assert not dist.is_initialized() and dist.is_available() and dist.group.WORLD is None
    for call in (dist.get_rank, dist.get_world_size, lambda: dist.all_reduce(autolab.ones(2)), dist.barrier):
        with pytest.raises(ValueError) as ours:
            call()
        assert (
            str(ours.value)
            == "Default process group has not been initialized, please make sure to call init_process_group."
        )
    with pytest.raises(ValueError, match="has not been initialized"):
        DistributedDataParallel(nn.Linear(2, 2))
    with pytest.raises(RuntimeError, match="init_process_group"):
        DistributedSampler(range(4))


@pytest.mark.parametrize("backend", ["nccl", "gloo", "ucc"])
def test_other_backends_say_to_use_mpi(backend):
    with pytest.raises(RuntimeError, match="runs over MPI only.*backend='mpi'.*autolab run -n 2"):
        dist.init_process_group(backend)
    assert not dist.is_initialized()


def test_data_parallel_says_what_to_use_on_a_cpu():
    with pytest.raises(RuntimeError) as e:
        nn.DataParallel(nn.Linear(2, 2))
    msg = str(e.value)
    assert "DistributedDataParallel" in msg and "autolab run -n 2" in msg and "DistributedSampler" in msg
    assert nn.parallel.DataParallel is nn.DataParallel


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(1, 40),
    replicas=st.integers(1, 7),
    drop_last=st.booleans(),
    shuffle=st.booleans(),
    epoch=st.integers(0, 3),
)
def test_sampler_matches_torchs_lengths_and_partitions_each_epoch(n, replicas, drop_last, shuffle, epoch):
    ours, theirs = [], []
    for rank in range(replicas):
        s = DistributedSampler(range(n), replicas, rank, shuffle=shuffle, seed=3, drop_last=drop_last)
        t = TorchSampler(range(n), replicas, rank, shuffle=shuffle, seed=3, drop_last=drop_last)
        s.set_epoch(epoch)
        t.set_epoch(epoch)
        ours.append(list(s))
        theirs.append(list(t))
        assert len(s) == len(t) == len(ours[-1]) == len(theirs[-1])
    if not shuffle:  # the same arithmetic as torch: identical indices, padding included
        assert ours == theirs
    flat = sorted(i for ix in ours for i in ix)
    if drop_last:  # a partition of a subset: nobody sees an example twice
        assert len(set(flat)) == len(flat)
    else:  # everything is seen; only the padding repeats (same multiset shape as torch's)
        assert set(flat) == set(range(n))
        assert (
            sorted(flat) == sorted(i for ix in theirs for i in ix)
            if not shuffle
            else len(flat) == sum(map(len, theirs))
        )


def test_sampler_epochs_differ_and_ranks_agree_on_the_permutation():
    a0 = DistributedSampler(range(10), 2, 0, seed=1)
    a1 = DistributedSampler(range(10), 2, 1, seed=1)
    first = list(a0)
    a0.set_epoch(1)
    assert list(a0) != first
    assert sorted(list(a0) + [i for i in (a1.set_epoch(1), list(a1))[1]]) == list(range(10))
    with pytest.raises(ValueError, match=r"Invalid rank 2, rank should be in the interval \[0, 1\]"):
        DistributedSampler(range(4), 2, 2)
    with pytest.raises(ValueError, match="Invalid rank 2"):
        TorchSampler(range(4), 2, 2)


def test_a_script_started_without_mpiexec_is_a_world_of_one(tmp_path):
    mpiexec()
    script = tmp_path / "one.py"
    script.write_text(
        "import autolab, autolab.distributed as dist\n"
        "from autolab import nn\n"
        "from autolab.nn.parallel import DistributedDataParallel as DDP\n"
        "dist.init_process_group()\n"
        "t = autolab.tensor([1.0, 2.0]); dist.all_reduce(t, op=dist.ReduceOp.AVG)\n"
        "m = DDP(nn.Linear(2, 1)); m(autolab.ones(3, 2)).sum().backward()\n"
        "print(dist.get_rank(), dist.get_world_size(), t.tolist(), m.module.bias.grad.tolist())\n"
        "try:\n    dist.init_process_group()\nexcept ValueError as e:\n    print(e)\n"
    )
    out = subprocess.run([sys.executable, str(script)], env=job_env(), capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["0 1 [1.0, 2.0] [3.0]", "trying to initialize the default process group twice!"]


def test_torchrun_style_environment_without_mpi_is_explained(tmp_path):
    mpiexec()
    script = tmp_path / "one.py"
    script.write_text("import autolab.distributed as dist\ndist.init_process_group()\n")
    out = subprocess.run(
        [sys.executable, str(script)], env=job_env(WORLD_SIZE="4"), capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 1
    assert "WORLD_SIZE=4 in the environment, but MPI started 1 process(es)" in out.stderr
    assert "autolab run -n 4" in out.stderr


def test_torch_is_the_oracle_for_the_names():
    assert torch.nn.parallel.DistributedDataParallel.__name__ == DistributedDataParallel.__name__
    params = inspect.signature(torch.nn.parallel.DistributedDataParallel.__init__).parameters
    ours = inspect.signature(DistributedDataParallel.__init__).parameters
    for name in list(ours)[:13]:
        assert name in params and (ours[name].default == params[name].default or name == "broadcast_buffers")
