"""DataLoader, samplers and dataset wrappers against torch.utils.data."""

import numpy as np
import pytest
import torch
import torch.utils.data as tud

import autolab
from autolab.utils.data import (
    BatchSampler,
    ConcatDataset,
    DataLoader,
    Dataset,
    IterableDataset,
    RandomSampler,
    SequentialSampler,
    Subset,
    SubsetRandomSampler,
    TensorDataset,
    WeightedRandomSampler,
    get_worker_info,
    random_split,
)


class Squares(Dataset):
    """Sample i is (i, i*i as float, an array); works for both libraries."""

    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return i, float(i * i), np.full(3, i, dtype=np.float32)


class TorchSquares(tud.Dataset):
    def __init__(self, n):
        self.inner = Squares(n)

    def __len__(self):
        return self.inner.n

    def __getitem__(self, i):
        return self.inner[i]


def as_lists(batches):
    return [[b.tolist() if hasattr(b, "tolist") else b for b in batch] for batch in batches]


@pytest.mark.parametrize("n", [1, 10, 64, 65])
@pytest.mark.parametrize("batch_size", [1, 3, 64])
@pytest.mark.parametrize("drop_last", [False, True])
def test_sequential_batches_and_len_match_torch(n, batch_size, drop_last):
    ours = DataLoader(Squares(n), batch_size=batch_size, drop_last=drop_last)
    theirs = tud.DataLoader(TorchSquares(n), batch_size=batch_size, drop_last=drop_last)
    assert len(ours) == len(theirs)
    got, want = list(ours), list(theirs)
    assert len(got) == len(want) == len(ours)
    for a, b in zip(got, want):
        assert [str(t.dtype).split(".")[-1] for t in a] == [str(t.dtype).split(".")[-1] for t in b]
    assert as_lists(got) == as_lists(want)


def test_batch_size_none_yields_converted_samples_like_torch():
    got = list(DataLoader(Squares(3), batch_size=None))
    want = list(tud.DataLoader(TorchSquares(3), batch_size=None))
    assert as_lists(got) == as_lists(want)
    assert isinstance(got[0][2], autolab.Tensor) and isinstance(got[0][0], int)


def first_column(loader):
    return [i for batch in loader for i in batch[0].tolist()]


def test_shuffle_is_a_permutation_and_the_seed_repeats_it():
    autolab.manual_seed(0)
    loader = DataLoader(Squares(100), batch_size=16, shuffle=True)
    epoch1, epoch2 = first_column(loader), first_column(loader)
    assert sorted(epoch1) == list(range(100)) and sorted(epoch2) == list(range(100))
    assert epoch1 != epoch2 and epoch1 != list(range(100))
    autolab.manual_seed(0)
    loader = DataLoader(Squares(100), batch_size=16, shuffle=True)
    assert first_column(loader) == epoch1 and first_column(loader) == epoch2


def test_generator_argument_gives_its_own_repeatable_order_without_touching_the_global_one():
    orders = []
    for _ in range(2):
        g = autolab.Generator().manual_seed(7)
        state = autolab.random.default_generator.get_state()
        orders.append(first_column(DataLoader(Squares(50), batch_size=8, shuffle=True, generator=g)))
        assert autolab.random.default_generator.get_state() == state
    assert orders[0] == orders[1] and sorted(orders[0]) == list(range(50))


def test_argument_errors_match_torch():
    ds, tds = Squares(4), TorchSquares(4)
    cases = [
        dict(sampler=SequentialSampler(ds), shuffle=True),
        dict(batch_sampler=BatchSampler(SequentialSampler(ds), 2, False), batch_size=2),
        dict(batch_size=None, drop_last=True),
        dict(num_workers=-1),
        dict(timeout=-1),
        dict(prefetch_factor=2),
        dict(persistent_workers=True),
    ]
    for kwargs in cases:
        with pytest.raises(ValueError):
            DataLoader(ds, **kwargs)
        torch_kwargs = dict(kwargs)
        for key in ("sampler",):
            if key in kwargs:
                torch_kwargs[key] = tud.SequentialSampler(tds)
        if "batch_sampler" in kwargs:
            torch_kwargs["batch_sampler"] = tud.BatchSampler(tud.SequentialSampler(tds), 2, False)
        with pytest.raises(ValueError):
            tud.DataLoader(tds, **torch_kwargs)


def test_num_workers_and_pin_memory_are_accepted():
    loader = DataLoader(Squares(10), batch_size=4, num_workers=2, pin_memory=True)
    with pytest.warns(UserWarning, match="'pin_memory' argument is set as true but no accelerator is found"):
        assert as_lists(loader) == as_lists(DataLoader(Squares(10), batch_size=4))
    with pytest.warns(UserWarning, match="'pin_memory' argument is set as true but no accelerator is found"):
        list(tud.DataLoader(TorchSquares(10), batch_size=4, pin_memory=True))


def test_batch_sampler_and_custom_collate():
    bs = BatchSampler(SequentialSampler(range(7)), 3, drop_last=False)
    assert list(bs) == list(tud.BatchSampler(tud.SequentialSampler(range(7)), 3, False)) == [[0, 1, 2], [3, 4, 5], [6]]
    loader = DataLoader(Squares(7), batch_sampler=bs, collate_fn=lambda samples: [s[0] for s in samples])
    assert list(loader) == [[0, 1, 2], [3, 4, 5], [6]] and len(loader) == 3


class CountingGetitems(Squares):
    def __init__(self, n):
        super().__init__(n)
        self.calls = []

    def __getitems__(self, indices):
        self.calls.append(list(indices))
        return [self[i] for i in indices]


def test_getitems_is_called_once_per_batch_also_through_a_subset():
    ds = CountingGetitems(10)
    assert len(list(DataLoader(ds, batch_size=4))) == 3
    assert ds.calls == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    ds.calls.clear()
    batches = list(DataLoader(Subset(ds, [9, 8, 7]), batch_size=2))
    assert ds.calls == [[9, 8], [7]] and batches[0][0].tolist() == [9, 8]


class Stream(IterableDataset):
    def __iter__(self):
        return iter(range(7))


class TorchStream(tud.IterableDataset):
    def __iter__(self):
        return iter(range(7))


@pytest.mark.parametrize("drop_last", [False, True])
def test_iterable_dataset_matches_torch(drop_last):
    got = [b.tolist() for b in DataLoader(Stream(), batch_size=3, drop_last=drop_last)]
    want = [b.tolist() for b in tud.DataLoader(TorchStream(), batch_size=3, drop_last=drop_last)]
    assert got == want
    with pytest.raises(ValueError):
        DataLoader(Stream(), shuffle=True)
    with pytest.raises(TypeError):
        len(DataLoader(Stream()))


def test_samplers():
    autolab.manual_seed(3)
    assert sorted(RandomSampler(range(20))) == list(range(20))
    with_replacement = list(RandomSampler(range(5), replacement=True, num_samples=50))
    assert len(with_replacement) == 50 and set(with_replacement) <= set(range(5)) and len(set(with_replacement)) > 1
    more = list(RandomSampler(range(5), num_samples=12))
    assert len(more) == 12 and sorted(more[:5]) == list(range(5)) and sorted(more[5:10]) == list(range(5))
    assert sorted(SubsetRandomSampler([10, 20, 30])) == [10, 20, 30]
    with pytest.raises(ValueError):
        BatchSampler(range(3), 0, False)


def test_tensor_subset_concat_datasets():
    x, y = autolab.arange(12).reshape(6, 2), autolab.tensor([0, 1, 0, 1, 0, 1])
    ds = TensorDataset(x, y)
    assert len(ds) == 6 and ds[2][0].tolist() == [4, 5] and ds[2][1].item() == 0
    with pytest.raises(ValueError):
        TensorDataset(x, autolab.tensor([1, 2]))
    xb, yb = next(iter(DataLoader(ds, batch_size=4)))
    assert xb.tolist() == x.tolist()[:4] and yb.tolist() == [0, 1, 0, 1]
    sub = Subset(ds, [5, 0])
    assert len(sub) == 2 and sub[0][0].tolist() == [10, 11]
    cat = ConcatDataset([Squares(3), Squares(2)])
    assert len(cat) == 5 and cat[3][0] == 0 and cat[-1][0] == 1 and (Squares(1) + Squares(2))[2][0] == 1


@pytest.mark.filterwarnings("ignore:Length of split at index 2 is 0")
@pytest.mark.parametrize("lengths", [[3, 7], [0.3, 0.7], [0.33, 0.33, 0.34], [0.5, 0.5, 0.0]])
def test_random_split_sizes_match_torch(lengths):
    ours = random_split(Squares(10), lengths, generator=autolab.Generator().manual_seed(0))
    theirs = tud.random_split(TorchSquares(10), lengths, generator=torch.Generator().manual_seed(0))
    assert [len(s) for s in ours] == [len(s) for s in theirs]
    everything = sorted(i for s in ours for i in s.indices)
    assert everything == list(range(10))
    again = random_split(Squares(10), lengths, generator=autolab.Generator().manual_seed(0))
    assert [s.indices for s in again] == [s.indices for s in ours]
    with pytest.raises(ValueError):
        random_split(Squares(10), [3, 3])


def test_weighted_random_sampler_follows_the_weights():
    g = autolab.Generator().manual_seed(0)
    draws = list(WeightedRandomSampler([1.0, 0.0, 3.0], 4000, generator=g))
    counts = np.bincount(draws, minlength=3)
    assert len(draws) == 4000 and counts[1] == 0 and 0.7 < counts[2] / 4000 < 0.8
    once = list(WeightedRandomSampler(autolab.tensor([1.0, 2.0, 3.0, 4.0]), 4, replacement=False))
    assert sorted(once) == [0, 1, 2, 3]
    assert len(WeightedRandomSampler([1.0], 7)) == 7 == len(tud.WeightedRandomSampler([1.0], 7))
    with pytest.raises(ValueError):
        WeightedRandomSampler([1.0], 0)


def test_get_worker_info_is_none_in_the_main_process_as_in_torch():
    assert get_worker_info() is None and tud.get_worker_info() is None
