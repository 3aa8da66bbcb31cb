"""DataLoader worker processes, against torch.utils.data where PyTorch's output is deterministic."""

import os
import random

import numpy as np
import pytest
import torch.utils.data as tud
from torch.utils.data._utils.worker import _generate_state

import autolab
from autolab.utils.data import (
    ChainDataset,
    DataLoader,
    Dataset,
    IterableDataset,
    TensorDataset,
    _multiprocessing,
    get_worker_info,
)
from autolab.utils.data._worker import numpy_seed_state


class Squares(Dataset):
    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return i, float(i * i), np.full(3, i, dtype=np.float32), {"name": f"s{i}"}


class WhoAmI(Dataset):
    """Sample i says which worker made it, with that worker's draws from every generator."""

    def __len__(self):
        return 8

    def __getitem__(self, i):
        info = get_worker_info()
        return {
            "i": i,
            "id": info.id,
            "num_workers": info.num_workers,
            "seed": info.seed,
            "pid": os.getpid(),
            "py": random.random(),
            "np": float(np.random.rand()),
            "autolab": float(autolab.rand(()).item()),
            "init": INIT_CALLS[-1] if INIT_CALLS else -1,
        }


INIT_CALLS = []


def remember(worker_id):
    INIT_CALLS.append(worker_id)


def as_lists(batches):
    out = []
    for batch in batches:
        out.append([b.tolist() if hasattr(b, "tolist") else b for b in batch])
    return out


@pytest.mark.parametrize("batch_size", [None, 1, 3])
def test_batches_come_in_the_samplers_order_as_with_no_workers(batch_size):
    serial = list(DataLoader(Squares(11), batch_size=batch_size))
    parallel = list(DataLoader(Squares(11), batch_size=batch_size, num_workers=2, prefetch_factor=3))
    assert len(parallel) == len(serial)
    for a, b in zip(serial, parallel):
        if batch_size is None:
            assert a[0] == b[0] and a[1] == b[1] and a[2].tolist() == b[2].tolist() and a[3] == b[3]
        else:
            assert [x.tolist() for x in a[:3]] == [x.tolist() for x in b[:3]] and a[3] == b[3]
    torch_batches = list(tud.DataLoader(TorchSquares(), batch_size=batch_size, num_workers=2))
    firsts = [b[0].tolist() if batch_size else b[0] for b in parallel]
    assert firsts == [b[0].tolist() if batch_size else b[0] for b in torch_batches]


class TorchSquares(tud.Dataset):
    def __len__(self):
        return 11

    def __getitem__(self, i):
        return Squares(11)[i]


def test_each_worker_is_seeded_base_seed_plus_id_and_numpy_as_pytorch_does():
    for base_seed in (0, 1, 12345, 2**40 + 7, 2**63 - 2):
        for worker_id in (0, 1, 5):
            assert numpy_seed_state(base_seed, worker_id) == _generate_state(base_seed, worker_id)
    INIT_CALLS.clear()
    loader = DataLoader(WhoAmI(), batch_size=None, num_workers=2, worker_init_fn=remember)
    samples = list(loader)
    assert [s["i"] for s in samples] == list(range(8))
    assert [s["id"] for s in samples] == [0, 1] * 4  # round-robin, as PyTorch assigns tasks
    assert {s["num_workers"] for s in samples} == {2}
    assert [s["init"] for s in samples] == [0, 1] * 4  # worker_init_fn ran in each worker with its id
    assert INIT_CALLS == []  # ... and not in the main process
    seeds = {s["id"]: s["seed"] for s in samples}
    assert seeds[1] == seeds[0] + 1
    base_seed = seeds[0]
    # Each worker's first draws are those of generators seeded as PyTorch seeds them.
    first = {s["id"]: s for s in samples[:2]}
    for worker_id, s in first.items():
        assert s["py"] == random.Random(base_seed + worker_id).random()
        assert s["np"] == np.random.RandomState(_generate_state(base_seed, worker_id)).rand()
        autolab.manual_seed(base_seed + worker_id)
        assert s["autolab"] == autolab.rand(()).item()
    assert first[0]["autolab"] != first[1]["autolab"] and first[0]["np"] != first[1]["np"]
    assert get_worker_info() is None


def test_the_loaders_generator_fixes_the_worker_seeds():
    def seeds(generator_seed):
        g = autolab.Generator().manual_seed(generator_seed)
        return [s["seed"] for s in DataLoader(WhoAmI(), batch_size=None, num_workers=2, generator=g)]

    assert seeds(3) == seeds(3) != seeds(4)


class Shards(IterableDataset):
    """Worker k streams k*100, k*100+1, ... (5 + k of them): each worker reads its own shard."""

    def __iter__(self):
        info = get_worker_info()
        k = 0 if info is None else info.id
        return iter(range(k * 100, k * 100 + 5 + k))


class TorchShards(tud.IterableDataset):
    def __iter__(self):
        info = tud.get_worker_info()
        k = 0 if info is None else info.id
        return iter(range(k * 100, k * 100 + 5 + k))


@pytest.mark.parametrize("batch_size", [None, 2, 3])
@pytest.mark.parametrize("drop_last", [False, True])
def test_iterable_dataset_with_workers_matches_torch(batch_size, drop_last):
    if batch_size is None and drop_last:
        return
    ours = DataLoader(Shards(), batch_size=batch_size, num_workers=2, drop_last=drop_last)
    theirs = tud.DataLoader(TorchShards(), batch_size=batch_size, num_workers=2, drop_last=drop_last)
    assert [b.tolist() if hasattr(b, "tolist") else b for b in ours] == [
        b.tolist() if hasattr(b, "tolist") else b for b in theirs
    ]


def test_chain_dataset_matches_torch():
    ours = list(ChainDataset([Shards(), Shards()]))
    assert ours == list(tud.ChainDataset([TorchShards(), TorchShards()])) == [0, 1, 2, 3, 4] * 2
    with pytest.raises(TypeError):
        len(ChainDataset([Shards()]))


class Fails(Dataset):
    def __len__(self):
        return 6

    def __getitem__(self, i):
        if i == 4:
            return {"a": 1}["missing key"]
        return i


def test_an_error_in_a_worker_is_raised_in_the_main_process_with_the_workers_traceback():
    with pytest.raises(KeyError) as ours:
        list(DataLoader(Fails(), batch_size=2, num_workers=2))
    with pytest.raises(KeyError) as theirs:
        list(tud.DataLoader(FailsTorch(), batch_size=2, num_workers=2))
    for caught in (ours, theirs):
        text = str(caught.value)
        assert text.startswith("Caught KeyError in DataLoader worker process 0.\nOriginal Traceback")
        assert 'return {"a": 1}["missing key"]' in text and "KeyError: 'missing key'" in text


class FailsTorch(tud.Dataset):
    def __len__(self):
        return 6

    def __getitem__(self, i):
        return Fails()[i]


class Pid(Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        return os.getpid()


def test_workers_stop_at_the_end_of_an_epoch_unless_persistent():
    loader = DataLoader(Pid(), batch_size=None, num_workers=2)
    it = iter(loader)
    workers = list(it._workers)
    assert sorted(set(it)) == sorted(w.pid for w in workers) and os.getpid() not in {w.pid for w in workers}
    assert not any(w.is_alive() for w in workers) and all(w.exitcode == 0 for w in workers)

    persistent = DataLoader(Pid(), batch_size=None, num_workers=2, persistent_workers=True)
    first, second = set(persistent), set(persistent)
    assert first == second and len(first) == 2  # the same two processes, both epochs
    workers = list(persistent._iterator._workers)
    assert all(w.is_alive() for w in workers)
    del persistent  # dropping the loader stops its workers
    for w in workers:
        w.join(timeout=10)
    assert not any(w.is_alive() for w in workers)


def test_breaking_out_of_an_epoch_stops_the_workers_when_the_iterator_goes():
    it = iter(DataLoader(Pid(), batch_size=None, num_workers=2))
    next(it)
    workers = list(it._workers)
    del it
    for w in workers:
        w.join(timeout=10)
    assert not any(w.is_alive() for w in workers)


def test_persistent_workers_restart_a_half_read_epoch_cleanly():
    loader = DataLoader(Squares(9), batch_size=2, num_workers=2, persistent_workers=True, prefetch_factor=4)
    next(iter(loader))  # leaves tasks in flight
    assert [b[0].tolist() for b in loader] == [[0, 1], [2, 3], [4, 5], [6, 7], [8]]
    stream = DataLoader(Shards(), batch_size=2, num_workers=2, persistent_workers=True)
    for _ in range(2):  # each epoch restarts every worker's stream
        assert [b.tolist() for b in stream] == [[0, 1], [100, 101], [2, 3], [102, 103], [4], [104, 105]]


class Slow(Dataset):
    def __len__(self):
        return 2

    def __getitem__(self, i):
        import time

        time.sleep(1)
        return i


def test_timeout():
    with pytest.raises(RuntimeError, match=r"DataLoader timed out after 0.3 seconds"):
        next(iter(DataLoader(Slow(), num_workers=1, timeout=0.3)))


class Dies(Dataset):
    def __len__(self):
        return 2

    def __getitem__(self, i):
        os._exit(3)


def test_a_worker_that_dies_is_reported(monkeypatch):
    monkeypatch.setattr(_multiprocessing, "STATUS_CHECK_INTERVAL", 0.2)
    with pytest.raises(RuntimeError, match=r"DataLoader worker \(pid\(s\) \d+.*\) exited unexpectedly"):
        list(DataLoader(Dies(), num_workers=1))


def test_out_of_order_yields_every_batch():
    batches = [b[0].tolist() for b in DataLoader(Squares(10), batch_size=3, num_workers=2, in_order=False)]
    assert sorted(batches) == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]


def test_spawn_context_and_tensors_through_the_queues():
    x = autolab.arange(10.0).reshape(5, 2)
    ds = TensorDataset(x, autolab.tensor([0, 1, 0, 1, 0]))
    batches = list(DataLoader(ds, batch_size=2, num_workers=1, multiprocessing_context="spawn"))
    assert [b[0].tolist() for b in batches] == [[[0, 1], [2, 3]], [[4, 5], [6, 7]], [[8, 9]]]
    assert batches[0][0].dtype == autolab.float32 and batches[0][1].dtype == autolab.int64
    with pytest.raises(TypeError, match="not pickled"):  # only the loader's queues pickle tensors
        import pickle

        pickle.dumps(x)


def test_argument_errors_match_torch():
    for kwargs, error in [
        (dict(num_workers=0, prefetch_factor=2), ValueError),
        (dict(num_workers=0, persistent_workers=True), ValueError),
        (dict(num_workers=1, multiprocessing_context="nonsense"), ValueError),
        (dict(num_workers=1, multiprocessing_context=3), TypeError),
        (dict(num_workers=0, multiprocessing_context="fork"), ValueError),
    ]:
        with pytest.raises(error):
            DataLoader(Squares(4), **kwargs)
        with pytest.raises(error):
            tud.DataLoader(TorchSquares(), **kwargs)


def test_pin_memory_is_accepted_and_changes_nothing():
    with pytest.warns(UserWarning, match="no accelerator is found"):
        a = list(DataLoader(Squares(5), batch_size=2, pin_memory=True, pin_memory_device="cpu"))
    b = list(DataLoader(Squares(5), batch_size=2))
    assert [x[0].tolist() for x in a] == [x[0].tolist() for x in b]
