# Source of notebooks/06_data_pipelines.ipynb (build with scripts/build_notebooks.py).
# ruff: noqa: E402

# %% [markdown] id=title
# # 6. Data pipelines
#
# So far the data came ready-made: `datasets.MNIST(...)` and a `DataLoader`. Real projects start from files, a
# CSV export or a folder of photos, and the pipeline from files to batches is code you write. This notebook
# builds that pipeline piece by piece, each piece checked against `autolab.utils.data` (which has PyTorch's
# API), then uses it to train the CNN of PyTorch's MNIST example.
#
# **Learning goals.** After this notebook you can
# - write a `Dataset` for your own data: over a CSV file and over a folder of images;
# - say what a `DataLoader` does (sampling, batching, shuffling, collation, `drop_last`) and write a small one;
# - compute normalisation constants from the training data, and say why only from it;
# - split data into training, validation and test sets with `random_split`, and say what each is for;
# - measure what `num_workers` (worker processes) buys, and when it buys nothing;
# - train a CNN on MNIST on the live dashboard against a validation set, and measure it on the test set once.

# %% id=setup locked
import os
import time
import warnings

import matplotlib.pyplot as plt
import numpy as np
from IPython.display import display
from PIL import Image  # Pillow, which matplotlib installs: it reads PNG files

import autolab as torch
import autolab.nn.functional as F
import widgets
from autolab import nn, optim
from autolab.course import FAST, TrainingClock, checks, peak_memory_mb, pick, set_language, tr
from autolab.course.files import mnist_files
from autolab.utils.data import DataLoader, Dataset, Subset, default_collate, random_split
from autolab.vision import datasets, transforms

set_language("en")
torch.manual_seed(0)
print(tr("fast mode:"), FAST)

# %% [markdown] id=files-intro
# ## MNIST, as files
#
# To have files to read, we write some MNIST digits out the way data often arrives: a CSV file (one image per
# row, the label first, then 784 pixel values) and a folder of PNG images, one sub-folder per class. This runs
# once; later runs find the files in your course work directory.

# %% id=files
mnist_train = datasets.MNIST(train=True, download=True)  # no transform: uint8 images (28, 28)
csv_path, png_root = mnist_files(
    mnist_train.data.numpy(), mnist_train.targets.numpy(), csv_count=pick(1000, 5000), png_count=pick(500, 5000)
)
print(csv_path)
with open(csv_path) as f:
    print(f.readline()[:70], "...")
    print(f.readline()[:70], "...")
print(png_root, "holds", sorted(os.listdir(png_root)))
threes = sorted(os.listdir(png_root / "3"))
print(png_root / "3", "holds", threes[:4], "...")
first = Image.open(png_root / "3" / threes[0])  # Pillow reads the PNG
print(threes[0], "is a", first.size, "image in mode", first.mode, "(L: 8-bit grayscale)")

# %% [markdown] id=dataset-intro
# ## A `Dataset` is two methods
#
# A map-style dataset promises `len(dataset)` and `dataset[i]`, the i-th sample. Nothing else: where the data
# lives, and when it is read, is up to you. torchvision's convention for images, which our datasets follow:
# `dataset[i]` returns `(image, label)`, the image as the file holds it (here a uint8 array of shape (28, 28)),
# passed through `transform` when one was given, so that the same dataset serves training (with augmentation)
# and evaluation (without).
#
# ### Your turn: a dataset over the CSV
#
# Write `MNISTCSV(path, transform=None)`. Read the whole file once in `__init__` (`np.loadtxt(path,
# delimiter=",", skiprows=1, dtype=np.uint8)`), then hand out `(image, label)`: the image reshaped to (28, 28),
# kept as uint8, and the label as an `int`.


# %% id=csv-dataset solution
class MNISTCSV(Dataset):
    def __init__(self, path, transform=None):
        ### BEGIN SOLUTION
        rows = np.loadtxt(path, delimiter=",", skiprows=1, dtype=np.uint8)
        self.labels = rows[:, 0].astype(np.int64)
        self.images = rows[:, 1:].reshape(-1, 28, 28)
        self.transform = transform
        ### END SOLUTION

    def __len__(self):
        ### BEGIN SOLUTION
        return len(self.labels)
        ### END SOLUTION

    def __getitem__(self, index):
        ### BEGIN SOLUTION
        image = self.images[index]
        if self.transform is not None:
            image = self.transform(image)
        return image, int(self.labels[index])
        ### END SOLUTION


# %% id=csv-dataset-check test points=2
checks.csv_dataset(MNISTCSV)
### BEGIN HIDDEN TESTS
checks.csv_dataset(MNISTCSV, seed=2)
### END HIDDEN TESTS

# %% [markdown] id=folder-intro
# ### Your turn: a dataset over a folder of images
#
# Write `MNISTFolder(root, transform=None)` for the layout `root/<class name>/<file>.png`, the layout of
# torchvision's `ImageFolder`. In `__init__`, list the class folders in sorted order (`self.classes`); the label
# of an image is its folder's index in that list. Collect `self.samples`, a list of `(path, label)`, with the
# files of each folder sorted too (so every machine builds the same dataset). Read an image only when it is
# asked for: `np.asarray(Image.open(path).convert("L"))` gives the (28, 28) uint8 array.


# %% id=folder-dataset solution
class MNISTFolder(Dataset):
    def __init__(self, root, transform=None):
        ### BEGIN SOLUTION
        self.classes = sorted(d for d in os.listdir(root) if os.path.isdir(os.path.join(root, d)))
        self.samples = [
            (os.path.join(root, name, file), label)
            for label, name in enumerate(self.classes)
            for file in sorted(os.listdir(os.path.join(root, name)))
        ]
        self.transform = transform
        ### END SOLUTION

    def __len__(self):
        ### BEGIN SOLUTION
        return len(self.samples)
        ### END SOLUTION

    def __getitem__(self, index):
        ### BEGIN SOLUTION
        path, label = self.samples[index]
        image = np.asarray(Image.open(path).convert("L"))
        if self.transform is not None:
            image = self.transform(image)
        return image, label
        ### END SOLUTION


# %% id=folder-dataset-check test points=2
checks.folder_dataset(MNISTFolder)
### BEGIN HIDDEN TESTS
checks.folder_dataset(MNISTFolder, seed=3)
### END HIDDEN TESTS

# %% [markdown] id=datasets-used
# Both datasets, with `ToTensor` as their transform (uint8 (28, 28) becomes float32 (1, 28, 28) in [0, 1]).
# Until your classes pass their checks, a built-in stands in: a `TensorDataset` over the same pixels.

# %% id=datasets-used-code
to_tensor = transforms.ToTensor()
if checks.passed(MNISTCSV):
    csv_set = MNISTCSV(csv_path, transform=to_tensor)
else:
    from autolab.utils.data import TensorDataset

    n = pick(1000, 5000)
    csv_set = TensorDataset(mnist_train.data[:n].float().unsqueeze(1) / 255, mnist_train.targets[:n])
folder_set = MNISTFolder(png_root, transform=to_tensor) if checks.passed(MNISTFolder) else None
image, label = csv_set[0]
print("CSV dataset:", len(csv_set), "samples; sample 0:", tuple(image.shape), image.dtype, "label", label)
if folder_set is not None:
    print("folder dataset:", len(folder_set), "samples, classes", folder_set.classes)
fig, axes = plt.subplots(1, 8, figsize=(8, 1.3))
for ax, i in zip(axes, range(8)):
    ax.imshow(csv_set[i][0][0].numpy(), cmap="gray")
    ax.set_title(str(csv_set[i][1]))
    ax.axis("off")
plt.show()

# %% [markdown] id=loader-intro
# ## What a `DataLoader` does
#
# A `DataLoader` turns a dataset into batches, in four steps:
# 1. a **sampler** yields indices: `0, 1, 2, ...`, or with `shuffle=True` a new random permutation every epoch;
# 2. the indices are cut into groups of `batch_size`; with `drop_last=True` a last, shorter group is dropped;
# 3. each group is **fetched**: `[dataset[i] for i in group]`;
# 4. `collate_fn` turns the list of samples into a batch: images stacked into one `(N, 1, 28, 28)` tensor,
#    labels into one int64 tensor of shape `(N,)`.
#
# ### Your turn: collate
#
# Write `collate(samples)`: `samples` is a list of `(image tensor, int label)`; return `(images, labels)` with
# `torch.stack` and `torch.tensor`.


# %% id=collate solution
def collate(samples):
    ### BEGIN SOLUTION
    images = torch.stack([image for image, _ in samples])
    labels = torch.tensor([label for _, label in samples])
    return images, labels
    ### END SOLUTION


# %% id=collate-check test points=1
checks.collate(collate)
### BEGIN HIDDEN TESTS
checks.collate(collate, seed=1)
### END HIDDEN TESTS

# %% [markdown] id=miniloader-intro
# ### Your turn: a DataLoader
#
# Write `MiniLoader(dataset, batch_size=1, shuffle=False, drop_last=False, collate_fn=collate)`: `__len__` is
# the number of batches; `__iter__` yields the batches of one epoch (a generator, with `yield`). Shuffle with
# `torch.randperm(len(dataset))`, drawn anew at every epoch.


# %% id=miniloader solution
class MiniLoader:
    def __init__(self, dataset, batch_size=1, shuffle=False, drop_last=False, collate_fn=collate):
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.drop_last = drop_last
        self.collate_fn = collate_fn

    def __len__(self):
        ### BEGIN SOLUTION
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else (n + self.batch_size - 1) // self.batch_size
        ### END SOLUTION

    def __iter__(self):
        ### BEGIN SOLUTION
        n = len(self.dataset)
        order = torch.randperm(n).tolist() if self.shuffle else list(range(n))
        for b in range(len(self)):
            indices = order[b * self.batch_size : (b + 1) * self.batch_size]
            yield self.collate_fn([self.dataset[i] for i in indices])
        ### END SOLUTION


# %% id=miniloader-check test points=2
checks.loader(MiniLoader)
### BEGIN HIDDEN TESTS
checks.loader(MiniLoader, seed=4)
### END HIDDEN TESTS

# %% [markdown] id=miniloader-compare
# Yours and `DataLoader` side by side on the CSV dataset:

# %% id=miniloader-compare-code
if checks.passed(MiniLoader):
    mine = MiniLoader(csv_set, batch_size=64, collate_fn=collate if checks.passed(collate) else default_collate)
    theirs = DataLoader(csv_set, batch_size=64)
    a, b = next(iter(mine)), next(iter(theirs))
    print("batches:", len(mine), "vs", len(theirs), "| first batch:", tuple(a[0].shape), "vs", tuple(b[0].shape))
    print(
        "same images:",
        np.array_equal(a[0].numpy(), b[0].numpy()),
        "| same labels:",
        np.array_equal(a[1].numpy(), b[1].numpy()),
    )

# %% [markdown] id=batches-quiz
# ### Predict: batches per epoch
#
# 50,000 training images, `batch_size=64`, `drop_last=False`. How many batches does one epoch have? Make
# `answer_batches()` return the number.


# %% id=batches-answer solution
def answer_batches():
    ### BEGIN SOLUTION
    return 782
    ### END SOLUTION


# %% id=batches-check test points=1
checks.batches_quiz(answer_batches)

# %% [markdown] id=split-intro
# ## Training, validation and test
#
# Three sets, three jobs:
# - the **training set** is what the weights are fitted to;
# - the **validation set** is for your decisions: the learning rate, the number of epochs, the architecture.
#   Every time you look at it and change something, a little of it leaks into your choices;
# - the **test set** is the final exam, used once, at the end, to report how well the finished model does on
#   data nobody tuned anything on. Tune on it and its number stops meaning that.
#
# MNIST comes as 60,000 training and 10,000 test images. We keep the test set aside and split the training
# images into 50,000 for training and 10,000 for validation. `random_split` draws a random permutation; a seeded
# generator makes it the same split every time.

# %% id=split
mnist_test = datasets.MNIST(train=False, download=True)
train_part, val_part = random_split(mnist_train, [50000, 10000], generator=torch.Generator().manual_seed(0))
print(f"train {len(train_part)}, validation {len(val_part)}, test {len(mnist_test)}")
counts = np.bincount(mnist_train.targets.numpy()[train_part.indices], minlength=10)
print("training images per digit:", counts.tolist())

# %% [markdown] id=normalize-intro
# ## Normalisation constants
#
# PyTorch's MNIST example normalises with `Normalize((0.1307,), (0.3081,))`. Those are the mean and standard
# deviation of all training pixels on `ToTensor`'s [0, 1] scale; subtracting the one and dividing by the other
# gives inputs centred on 0 with spread 1, the scale that the default initialisation of the layers assumes
# (notebook 8 shows what happens otherwise). Compute them from the **training** split only: the validation and
# test images stand for data you have not seen yet.
#
# ### Your turn: mean and std
#
# Write `mean_std(images)`: `images` is a uint8 tensor (N, 28, 28); return the mean and the standard deviation
# of all its pixels after dividing by 255, as two floats.


# %% id=mean-std solution
def mean_std(images):
    ### BEGIN SOLUTION
    x = images.float() / 255
    return x.mean().item(), x.std(unbiased=False).item()
    ### END SOLUTION


# %% id=mean-std-check test points=1
checks.mean_std(mean_std)
### BEGIN HIDDEN TESTS
checks.mean_std(mean_std, seed=6)
### END HIDDEN TESTS

# %% id=mean-std-used
train_pixels = mnist_train.data[torch.tensor(train_part.indices)]
if checks.passed(mean_std):
    MEAN, STD = mean_std(train_pixels)
else:
    MEAN, STD = 0.1307, 0.3081
print(f"training split: mean {MEAN:.4f}, std {STD:.4f}  (PyTorch's example, over all 60,000: 0.1307, 0.3081)")

# %% [markdown] id=workers-intro
# ## Worker processes
#
# Loading is work: reading a file, decoding a PNG, an augmentation. With `num_workers=0` the training loop
# waits for it, batch after batch. With `num_workers=2`, the `DataLoader` starts two helper *processes*; each
# gets a copy of the dataset, builds whole batches and sends them back, while the main process trains.
#
# ### Your turn: where does the loading run?
#
# With `DataLoader(dataset, batch_size=64, num_workers=2)`, where does `dataset.__getitem__` run? (a) in two
# threads of the notebook's process, (b) in two separate worker processes, each with its own copy of the
# dataset object, (c) in the notebook's process, two samples at a time. Make `answer_workers()` return a letter.


# %% id=workers-answer solution
def answer_workers():
    ### BEGIN SOLUTION
    return "b"
    ### END SOLUTION


# %% id=workers-check test points=1
checks.workers_quiz(answer_workers)

# %% [markdown] id=workers-measure-intro
# Measured, for two pipelines. The PNG folder decodes one file per sample in Python: real per-sample work,
# which workers can spread over the cores. The built-in MNIST keeps every image in memory and builds each batch
# with one vectorised operation (the batched fetch `__getitems__`): there is almost nothing to spread, and
# starting the workers and sending batches between processes costs time. This machine has few cores, and
# other programs may be using them, so the numbers vary from run to run.


# %% id=workers-measure
def seconds_per_epoch(dataset, workers, batch_size=64, repeat=3):
    """The fastest of `repeat` epochs (after one untimed epoch that warms the file cache), starting the
    workers included: that is what each epoch pays."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        loader = DataLoader(dataset, batch_size=batch_size, shuffle=True, num_workers=workers)
    batches = sum(1 for _ in loader)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        for _ in loader:
            pass
        times.append(time.perf_counter() - started)
    return min(times), batches, [str(w.message) for w in caught]


normalize = transforms.Compose([transforms.ToTensor(), transforms.Normalize((MEAN,), (STD,))])
mnist_normalized = datasets.MNIST(train=True, download=True, transform=normalize)  # kept for training below
folder_timed = MNISTFolder(png_root, transform=normalize) if checks.passed(MNISTFolder) else None
in_memory = Subset(mnist_normalized, range(pick(500, 5000)))
for name, dataset in (("PNG folder, one file per sample", folder_timed), ("MNIST in memory, batched", in_memory)):
    if dataset is None:
        print(f"{name}: skipped until MNISTFolder passes its check")
        continue
    results = {workers: seconds_per_epoch(dataset, workers) for workers in (0, 2)}
    (t0, n, _), (t2, _, notes) = results[0], results[2]
    print(f"{name}: {len(dataset)} images, {n} batches: 0 workers {1000 * t0:.0f} ms, 2 workers {1000 * t2:.0f} ms")
    for note in notes:
        print("   note:", note)

# %% [markdown] id=cnn-intro
# ## The MNIST CNN
#
# PyTorch's MNIST tutorial trains this small network: a convolution with 10 filters of 5x5, a 2x2 max-pool, a
# ReLU, then one fully connected layer to the 10 classes. Its input size: a 5x5 filter fits $28 - 5 + 1 = 24$
# times across a 28-pixel image, pooling halves that to 12, so the `Linear` layer sees $10 \times 12 \times 12 =
# 1440$ numbers. It trains with SGD and momentum.
#
# The dashboard trains it against the **validation** split: its curves are what you may look at while you tune.
# The test set waits until the end.

# %% id=cnn-data
train_set = Subset(mnist_normalized, train_part.indices[: pick(2000, 50000)])
val_set = Subset(mnist_normalized, val_part.indices[: pick(500, 10000)])
mnist_test.transform = normalize  # the same constants as training: computed on the training split
test_set = Subset(mnist_test, range(pick(500, len(mnist_test))))
train_loader = DataLoader(train_set, batch_size=64, shuffle=True)
val_loader = DataLoader(val_set, batch_size=1000)


class MNISTNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 10, 5)  # 1 x 28 x 28 -> 10 x 24 x 24
        self.fc = nn.Linear(1440, 10)  # 10 x 12 x 12 after pooling

    def forward(self, x):
        x = F.relu(F.max_pool2d(self.conv(x), 2))
        return self.fc(torch.flatten(x, 1))


model = MNISTNet()
print(model)
print("parameters:", sum(p.numel() for p in model.parameters()))

# %% id=cnn-train
EPOCHS = pick(1, 5)
optimizer = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
dash = widgets.dashboard(model, optimizer, nn.CrossEntropyLoss(), train_loader, val_loader, epochs=EPOCHS)
clock = TrainingClock(dash.trainer)  # counts the time spent training, not pauses
dash.trainer.start()
display(dash)

# %% [markdown] id=cnn-wait
# The next cell waits for training to finish (it returns at once if it already has).

# %% id=cnn-wait-code
dash.trainer.join()
if dash.trainer.error is not None:
    raise dash.trainer.error
val = dash.trainer.evaluate()
print(f"trained {dash.trainer.epoch} epoch(s) in {clock.minutes:.1f} min; validation accuracy {val.val_accuracy:.1%}")

# %% [markdown] id=test-once
# ## The test set, once
#
# Training is over and nothing will be changed any more: now, and only now, the test set.

# %% id=test-once-code
test = dash.trainer.evaluate(DataLoader(test_set, batch_size=1000))
print(f"test accuracy: {test.val_accuracy:.1%} on {test.samples} images (chance: 10%)")
print(f"peak memory: {peak_memory_mb():.0f} MB")

# %% [markdown] id=measured
# **Measured.** A full run on the project's 2-core machine while other work shared it (load average about 12):
# the CNN trained 5 epochs on the 50,000 training images in 0.6 minutes and reached 98.3% on the validation
# split and 98.3% on the 10,000 test images; the notebook peaked at 668 MB. Loading one epoch with two worker
# processes against none, in a later run (2026-12-02, load average about 10): from the 5,000 PNG files 610 ms
# against 641 ms, a small gain, because two busy cores leave the workers little to spread over; from memory,
# batched, 106 ms against 6 ms: starting two processes and sending 79 batches between them costs far more than
# the loading itself. On a laptop with 8 idle cores the PNG folder gains much more; rerun the cell to see yours.

# %% [markdown] id=summary
# ## Summary
#
# - A `Dataset` is `__len__` and `__getitem__`; an image dataset returns `(image, label)` and applies its
#   `transform`, so one dataset serves training and evaluation.
# - A `DataLoader` samples indices (a new permutation per epoch when shuffling), groups them into batches
#   (`drop_last` drops a short last one), fetches the samples and collates them into tensors.
# - Normalisation constants are the mean and std of the training pixels; the validation and test sets are
#   normalised with the same numbers.
# - Training data fits the weights, validation data guides your choices, test data is measured once at the end.
# - Worker processes help when loading does per-sample work in Python; for data already in memory and batched
#   they only add the cost of starting processes and passing batches between them.
#
# Next: **7. A CNN on CIFAR-10**: colour photos, a deeper network, and what it learned.
