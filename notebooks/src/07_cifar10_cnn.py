# Source of notebooks/07_cifar10_cnn.ipynb (build with scripts/build_notebooks.py).
# ruff: noqa: E402

# %% [markdown] id=intro
# # 7. A CNN on CIFAR-10
#
# Everything so far, on real images: 60,000 colour photos of 32x32 pixels in 10 classes. We train the LeNet of
# PyTorch's "Training a classifier" tutorial, watch it learn on the live dashboard, look inside it (filters,
# feature maps, the mistakes it makes), then train a better network with data augmentation.
#
# **Learning goals.** After this notebook you can
# - load a dataset with transforms and iterate over it in batches with a `DataLoader`;
# - compute the output size of convolution and pooling layers, and build a CNN from them;
# - train with a live dashboard against a validation split, and read its loss, accuracy and gradient views
#   (what an update-to-weight ratio near 1e-3 means);
# - evaluate a classifier: validation accuracy, a confusion matrix, its predictions, and the test set once;
# - tell a model that is too small from one that overfits;
# - see what the first layer learned (its filters) and what each layer computes (feature maps);
# - improve a model with depth and data augmentation.
#
# *Fast mode* (`AUTOLAB_FAST=1`) trains on a small subset for one epoch, to check the notebook runs. The numbers
# it prints are then meaningless; the real run is without it.

# %% id=setup locked
import copy

import numpy as np
from IPython.display import display

import autolab as torch
import autolab.nn.functional as F
import widgets
from autolab import nn, optim
from autolab.course import FAST, TrainingClock, checks, peak_memory_mb, pick, set_language, tr
from autolab.utils.data import DataLoader, Subset, random_split
from autolab.vision import datasets, transforms
from autolab.vision.utils import show_images

set_language("en")
torch.manual_seed(0)
print(tr("fast mode:"), FAST)

# %% [markdown] id=the-data
# ## The data
#
# `ToTensor` turns a uint8 image (H, W, C) into floats in [0, 1] with shape (C, H, W); `Normalize` then maps each
# channel to [-1, 1]. The datasets look for the files under `$AUTOLAB_DATA` (and download them if they are missing
# and you are online).
#
# As in notebook 6, the 10,000 test images wait until the very end. The dashboard's curves, and every choice made
# while watching them, use a **validation** split: 5,000 of the 50,000 training images, set aside at random.

# %% id=the-data-code
MEAN, STD = (0.5, 0.5, 0.5), (0.5, 0.5, 0.5)
transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize(MEAN, STD)])
train_full = datasets.CIFAR10(train=True, download=True, transform=transform)
test_full = datasets.CIFAR10(train=False, download=True, transform=transform)
classes = train_full.classes

train_part, val_part = random_split(train_full, [45000, 5000], generator=torch.Generator().manual_seed(0))
# Fast mode: small subsets. The full run uses every image.
train_set = Subset(train_full, train_part.indices[: pick(2000, 45000)])
val_set = Subset(train_full, val_part.indices[: pick(500, 5000)])
test_set = Subset(test_full, range(pick(500, len(test_full))))
train_loader = DataLoader(train_set, batch_size=64, shuffle=True)
val_loader = DataLoader(val_set, batch_size=128)  # larger batches raise peak memory (VGG below)
test_loader = DataLoader(test_set, batch_size=128)
print(f"{len(train_set)} training, {len(val_set)} validation, {len(test_set)} test images; classes: {classes}")

# %% id=the-data-code-2
images, labels = next(iter(train_loader))
print("a batch:", images.shape, images.dtype, labels.shape, labels.dtype)
display(show_images(images[:16], labels[:16], classes=classes, mean=MEAN, std=STD))

# %% [markdown] id=sizes-through-a-cnn
# ## Sizes through a CNN
#
# A convolution with kernel `k`, stride `s` and padding `p` turns `n` pixels into `(n + 2p - k) // s + 1`; a
# 2x2 max-pool with stride 2 halves the size. LeNet's first `Linear` needs to know how many numbers come out of
# the last pool.
#
# ### Your turn
# Write `conv_output_size`, then use it to follow a 32x32 image through conv(5) -> pool(2) -> conv(5) -> pool(2).


# %% id=conv-output-size solution
def conv_output_size(size, kernel, stride=1, padding=0):
    ### BEGIN SOLUTION
    return (size + 2 * padding - kernel) // stride + 1
    ### END SOLUTION


# %% id=conv-output-size-check test points=1
checks.conv_output_size(conv_output_size)
### BEGIN HIDDEN TESTS
checks.conv_output_size(conv_output_size, seed=7)
### END HIDDEN TESTS

# %% id=sizes-through-a-cnn-code
if checks.passed(conv_output_size):
    side = 32
    for kernel, stride in [(5, 1), (2, 2), (5, 1), (2, 2)]:
        side = conv_output_size(side, kernel, stride)
        print("->", side, end=" ")
    print(f"\nso the first Linear gets 16 channels x {side} x {side} = {16 * side * side} features")

# %% [markdown] id=lenet
# ## LeNet
#
# Two convolution + ReLU + max-pool stages extract features, three `Linear` layers classify them.


# %% id=lenet-code
class LeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


model = LeNet()
print(model)
print("parameters:", sum(p.numel() for p in model.parameters()))

# %% [markdown] id=training-live
# ## Training, live
#
# The dashboard wraps the training loop: loss and accuracy curves (training and validation), the model's graph,
# and the gradient flowing into each layer. The next cell starts training in a background thread, so the dashboard stays
# live: its sliders change the learning rate and momentum *while it trains*, its buttons pause, resume and stop.
#
# The learning rate follows a *schedule*: big steps while the loss falls fast, smaller and smaller ones as it
# settles, so the last epochs fine-tune instead of bouncing around the minimum. (The schedule sets a new rate at
# the end of each epoch by scaling the current one, as PyTorch's schedulers do: a rate you set with the slider
# stays, and the schedule keeps shrinking it from there.)

# %% id=training-live-code
EPOCHS = pick(1, 8)
optimizer = optim.SGD(model.parameters(), lr=0.02, momentum=0.9)
dash = widgets.dashboard(model, optimizer, nn.CrossEntropyLoss(), train_loader, val_loader, epochs=EPOCHS)
# After each epoch the schedule lowers the learning rate along a cosine, from 0.02 to 0 at the end of the run.
schedule = optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=EPOCHS)
dash.trainer.subscribe(lambda event: schedule.step() if event.kind == "epoch" else None)
lenet_clock = TrainingClock(dash.trainer)  # counts running time only, not pauses
dash.trainer.start()
display(dash)

# %% [markdown] id=training-live-note
# The next cell waits until training has finished (run it whenever you like; it returns at once if training is
# already done).

# %% id=training-live-code-2
dash.trainer.join()
if dash.trainer.error is not None:
    raise dash.trainer.error
lenet_minutes = lenet_clock.minutes
print(f"trained {dash.trainer.epoch} epoch(s) in {lenet_minutes:.1f} min")

# %% [markdown] id=gradient-views
# ### Reading the gradient views
#
# - **Gradient norm per parameter**: how large each parameter's gradient is, step by step. Here the weights'
#   norms stay within a few times of each other (between about 0.2 and 0.7 in a measured run): the error signal
#   reaches the first convolution as well as the last `Linear` (notebook 8 shows what it looks like when it
#   does not).
# - **Update / weight ratio**: $\lVert \Delta w \rVert / \lVert w \rVert$, how much one optimizer step changes a
#   parameter relative to its size. The dashed line marks $10^{-3}$, a common rule of thumb for healthy training:
#   each step moves a weight by a thousandth of its size, so a thousand steps can change it completely, while no
#   single batch can throw it around. Ratios near $10^{-1}$ or above mean the learning rate is far too high (every
#   step rewrites the weights); near $10^{-5}$ or below, that parameter barely learns. In a measured run the
#   weights' ratios sat between about $3 \cdot 10^{-3}$ and $10^{-2}$ over the first 200 steps; in the last epoch, where
#   the cosine schedule has brought the learning rate down from 0.02 to 0.0008, between $2 \cdot 10^{-4}$ and
#   $6 \cdot 10^{-4}$: on purpose, fine adjustments instead of large moves.
# - **Histograms** of each parameter's weights and gradients: their ranges, and whether gradients are all near
#   zero (a layer that learns nothing) or spread out.

# %% [markdown] id=how-good-is-it
# ## How good is it?
#
# ### Your turn: accuracy
# Given the model's outputs `logits` (N, 10) and the true `labels` (N,), return the fraction of rows whose largest
# logit is at the true label.


# %% id=accuracy solution
def accuracy(logits, labels):
    ### BEGIN SOLUTION
    return (logits.argmax(dim=1) == labels).float().mean().item()
    ### END SOLUTION


# %% id=accuracy-check test points=1
checks.accuracy(accuracy)
### BEGIN HIDDEN TESTS
checks.accuracy(accuracy, seed=7)
### END HIDDEN TESTS


# %% id=how-good-is-it-code
def evaluate(model, loader, accuracy_fn):
    """Accuracy over a whole loader, in eval mode and without recording a graph."""
    model.eval()
    correct, seen = 0.0, 0
    with torch.no_grad():
        for x, y in loader:
            correct += accuracy_fn(model(x), y) * len(y)
            seen += len(y)
    model.train()
    return correct / seen


def builtin_accuracy(logits, labels):
    return (logits.argmax(dim=1) == labels).float().mean().item()


accuracy_fn = accuracy if checks.passed(accuracy) else builtin_accuracy
train_probe = DataLoader(Subset(train_full, train_part.indices[: pick(500, 5000)]), batch_size=128)
lenet_train_accuracy = evaluate(model, train_probe, accuracy_fn)
lenet_accuracy = evaluate(model, val_loader, accuracy_fn)
print(f"LeNet: training accuracy {lenet_train_accuracy:.1%} (on {len(train_probe.dataset)} training images)")
print(f"LeNet: validation accuracy {lenet_accuracy:.1%} on {len(val_set)} images (chance: 10%)")
print(f"peak memory so far: {peak_memory_mb():.0f} MB")

# %% [markdown] id=confusion-matrix
# ## Where it goes wrong: the confusion matrix
#
# One accuracy hides *which* mistakes a model makes. A confusion matrix counts them: entry `[t, p]` is how many
# images of true class `t` were predicted as class `p`. The diagonal holds the right answers; large numbers off
# the diagonal are classes the model mixes up.
#
# ### Your turn: the confusion matrix
#
# Write `confusion(predictions, labels, num_classes)`: both are int64 tensors of class indices; return the
# `(num_classes, num_classes)` counts, row = true class, column = prediction (a numpy array is fine:
# `np.add.at(m, (rows, columns), 1)` adds 1 at each pair, repeats included).


# %% id=confusion solution
def confusion(predictions, labels, num_classes):
    ### BEGIN SOLUTION
    m = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(m, (labels.numpy(), predictions.numpy()), 1)
    return m
    ### END SOLUTION


# %% id=confusion-check test points=2
checks.confusion_matrix(confusion)
### BEGIN HIDDEN TESTS
checks.confusion_matrix(confusion, seed=7)
### END HIDDEN TESTS

# %% [markdown] id=per-class
# The accuracy of each class is its diagonal entry divided by its row's total, on the validation images:

# %% id=per-class-code
model.eval()
with torch.no_grad():
    predictions = torch.cat([model(x).argmax(dim=1) for x, _ in val_loader])
model.train()
val_labels = torch.cat([y for _, y in val_loader])
if checks.passed(confusion):
    m = np.asarray(confusion(predictions, val_labels, 10))
    per_class = m.diagonal() / np.maximum(m.sum(axis=1), 1)
    for k in np.argsort(per_class):
        others = m[k].copy()
        others[k] = -1  # not the right answer itself
        mixed = others.argmax()
        print(f"{classes[k]:>10s}: {per_class[k]:.0%} right, most often mistaken for {classes[mixed]}")

# %% [markdown] id=confusion-matrix-view
# The same matrix drawn (brighter is more), then some validation images with the model's guess: green when right,
# red when wrong (the true class in brackets).

# %% id=confusion-matrix-code
widgets.confusion_matrix(model, val_loader, classes)

# %% id=confusion-matrix-code-2
widgets.prediction_grid(model, val_set, classes, n=24)

# %% [markdown] id=inside-the-network
# ## Inside the network
#
# The first layer's six 5x5x3 filters, drawn as small colour images: after training they look like edge and
# colour detectors. Then the feature maps: what each channel of each layer outputs for one image.

# %% id=inside-the-network-code
widgets.conv_filters(model.conv1)

# %% id=inside-the-network-code-2
image, label = val_set[0]
print("the input, of class", classes[label])
widgets.feature_maps(model, image)

# %% [markdown] id=a-better-network
# ## A better network
#
# Compare LeNet's training and validation accuracy above. Two different things can stop a model:
# - **too little capacity** (underfitting): it cannot fit even its training images well, so training accuracy
#   is low too, and validation accuracy sits close to it. More epochs do not help; a bigger model does;
# - **overfitting**: it fits the training images far better than new ones, a growing gap between training and
#   validation. More data, augmentation or regularisation help.
#
# LeNet, with its 62,000 parameters, shows both. Its training accuracy is itself far from 100% (74% in the
# measured run at the end): it is too small to fit even the images it learns from. And it is already about 10
# points above its validation accuracy (64%): it has begun to memorise, and more epochs would widen that gap
# without raising the validation accuracy much. A VGG-style network addresses both: 3x3 convolutions stacked deeper and wider give it more capacity
# (batch normalisation keeps each layer's activations at a steady scale, so a higher learning rate trains
# stably), and *data augmentation* shows it a randomly shifted and mirrored version of each image every epoch, so
# it cannot simply memorise them.

# %% id=a-better-network-code
augment = transforms.Compose(
    [
        transforms.RandomCrop(32, padding=4),
        transforms.RandomHorizontalFlip(),
        transforms.ToTensor(),
        transforms.Normalize(MEAN, STD),
    ]
)
# The same images with another transform: a shallow copy shares the 150 MB of pixels instead of loading them twice.
train_aug = copy.copy(train_full)
train_aug.transform = augment
train_aug_loader = DataLoader(Subset(train_aug, train_part.indices[: pick(512, 45000)]), batch_size=128, shuffle=True)


def vgg_block(c_in, c_out):
    return [
        nn.Conv2d(c_in, c_out, 3, padding=1),
        nn.BatchNorm2d(c_out),
        nn.ReLU(),
        nn.Conv2d(c_out, c_out, 3, padding=1),
        nn.BatchNorm2d(c_out),
        nn.ReLU(),
        nn.MaxPool2d(2),
    ]


width = pick(8, 16)
vgg = nn.Sequential(
    *vgg_block(3, width),  # 32 -> 16
    *vgg_block(width, 2 * width),  # 16 -> 8
    *vgg_block(2 * width, 4 * width),  # 8 -> 4
    nn.Flatten(),
    nn.Linear(4 * width * 4 * 4, 10),
)
print("parameters:", sum(p.numel() for p in vgg.parameters()))

# %% id=a-better-network-code-2
VGG_EPOCHS = pick(1, 10)
vgg_optimizer = optim.SGD(vgg.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
vgg_dash = widgets.dashboard(vgg, vgg_optimizer, nn.CrossEntropyLoss(), train_aug_loader, val_loader, epochs=VGG_EPOCHS)
# The same cosine schedule, from 0.05 down to 0.
vgg_schedule = optim.lr_scheduler.CosineAnnealingLR(vgg_optimizer, T_max=VGG_EPOCHS)
vgg_dash.trainer.subscribe(lambda event: vgg_schedule.step() if event.kind == "epoch" else None)
vgg_clock = TrainingClock(vgg_dash.trainer)
vgg_dash.trainer.start()
display(vgg_dash)

# %% id=a-better-network-code-3
vgg_dash.trainer.join()
if vgg_dash.trainer.error is not None:
    raise vgg_dash.trainer.error
vgg_minutes = vgg_clock.minutes
vgg_accuracy = evaluate(vgg, val_loader, accuracy_fn)
print(
    f"VGG-small: validation accuracy {vgg_accuracy:.1%} after {vgg_dash.trainer.epoch} epoch(s), {vgg_minutes:.1f} min"
)

# %% [markdown] id=leakage-quiz
# ## The test set, once
#
# ### Your turn: why only once?
#
# Suppose you had trained with 20 learning rates and kept the one whose **test** accuracy was best, 66%. What does
# that 66% estimate? (a) the accuracy to expect on new photos; (b) an optimistic estimate: the test set helped
# pick the learning rate, so it is no longer unseen; (c) the training accuracy; (d) a pessimistic estimate, since
# the best run was kept. Make `leakage_answer()` return your letter.


# %% id=leakage-answer solution
def leakage_answer():
    ### BEGIN SOLUTION
    return "b"
    ### END SOLUTION


# %% id=leakage-check test points=1
checks.leakage_quiz(leakage_answer)

# %% [markdown] id=test-once
# Both networks are finished: nothing will be tuned any more. Now, and only now, the test set.

# %% id=test-once-code
lenet_test = evaluate(model, test_loader, accuracy_fn)
vgg_test = evaluate(vgg, test_loader, accuracy_fn)
print(
    f"LeNet:     test accuracy {lenet_test:.1%} (validation {lenet_accuracy:.1%}), {lenet_minutes:.1f} min of training"
)
print(f"VGG-small: test accuracy {vgg_test:.1%} (validation {vgg_accuracy:.1%}), {vgg_minutes:.1f} min of training")
print(f"on {len(test_set)} test images")

# %% [markdown] id=measured
# **Measured.** A full run of this notebook on the project's 2-core machine, while other work shared it (load
# average 9 to 14, so the minutes are an upper bound; `docs/benchmarks.md` has the command and the details):
# - LeNet, 8 epochs on the 45,000 training images: **2.3 minutes** of training; training accuracy 73.9%,
#   validation 63.8%, **test 64.3%**. Its worst classes were cats (43% right, most often taken for dogs) and dogs
#   (49%, most often taken for cats).
# - VGG-small (width 16), 10 epochs with crop and flip: **31.8 minutes** of training; validation 75.6%,
#   **test 74.8%**.
# - Peak memory of the notebook: 624 MB.

# %% id=a-better-network-code-4
print(f"peak memory of this notebook so far: {peak_memory_mb():.0f} MB")

# %% [markdown] id=summary
# ## Summary
#
# - `Dataset` + `transforms` + `DataLoader` feed batches of normalised (N, C, H, W) tensors.
# - Output sizes follow `(n + 2p - k) // s + 1`; LeNet's `16 * 5 * 5` comes from that.
# - The training loop is the one from notebook 4; the dashboard shows it live against a validation split and lets
#   you steer it; a learning-rate schedule takes smaller steps as training settles. An update/weight ratio near
#   1e-3 is healthy.
# - A confusion matrix shows *which* classes are confused; filters and feature maps show what the layers compute.
# - Low training accuracy means too little capacity; a gap between training and validation means overfitting.
# - The test set is measured once, at the end, after every choice is made.
# - Depth, batch normalisation, data augmentation and a learning-rate schedule are what take a CNN well past
#   LeNet: 74.8% against 64.3% on the test set in the measured run.
#
# Next: **8. Debugging a training run**: what the views show when training goes wrong.
