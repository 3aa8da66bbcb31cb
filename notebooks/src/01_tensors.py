# Source of notebooks/01_tensors.ipynb (build with scripts/build_notebooks.py).
# ruff: noqa: E402

# %% [markdown] id=intro
# # 1. Tensors
#
# A tensor is an n-dimensional array of numbers that can remember how it was computed. This notebook is about
# the first half: the array. The second half (autograd) is notebook 2.
#
# **Learning goals.** After this notebook you can
# - create tensors and choose their `dtype` and `shape`;
# - predict the shape of a broadcast operation, and draw it;
# - index and slice, and say when a result is a *view* that shares memory;
# - move data between numpy and tensors;
# - read PyTorch code, because autolab's API is the same: `import autolab as torch`.

# %% id=setup locked
import numpy as np

import autolab as torch
from autolab.course import FAST, checks, set_language

set_language("en")
print("fast mode:", FAST)

# %% [markdown] id=creating-tensors
# ## Creating tensors
#
# From Python lists, from functions that fill a shape, or at random. A seeded generator makes random numbers
# repeatable.

# %% id=creating-tensors-code
a = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
print(a)
print("shape", a.shape, " ndim", a.ndim, " numel", a.numel(), " dtype", a.dtype)

# %% id=creating-tensors-code-2
torch.manual_seed(0)
print(torch.zeros(2, 3))
print(torch.ones(2, 3, dtype=torch.int64))
print(torch.arange(0, 10, 2))
print(torch.linspace(0, 1, 5))
print(torch.randn(2, 3))  # standard normal
print(torch.full((2, 2), 7.0))
print(torch.zeros_like(a))

# %% [markdown] id=dtype
# ## dtype
#
# Every element of a tensor has the same type. Floats default to `float32` (what deep learning uses: half the
# memory of `float64`, and precise enough); Python ints give `int64`. Arithmetic between types *promotes*.

# %% id=dtype-code
i = torch.tensor([1, 2, 3])
f = torch.tensor([0.5, 0.5, 0.5])
print(i.dtype, f.dtype, (i + f).dtype)
print(f.double().dtype, f.long(), f.to(torch.float64).dtype)
print("bytes per element:", torch.zeros(1).element_size(), "(float32) vs", torch.zeros(1).double().element_size())

# %% [markdown] id=shape
# ## Shape
#
# `reshape` re-reads the same numbers in a new shape (row-major order); `-1` means "whatever fits".
# `unsqueeze` adds an axis of size 1, `squeeze` removes them, `permute` and `transpose` reorder the axes.

# %% id=shape-code
x = torch.arange(12)
print(x.reshape(3, 4))
print(x.reshape(2, -1).shape, x.reshape(2, 3, 2).shape)
print(x.reshape(3, 4).T.shape, x.reshape(3, 4).unsqueeze(0).shape, torch.zeros(1, 3, 1).squeeze().shape)
images = torch.zeros(8, 32, 32, 3)  # N, H, W, C as an image library stores them
print(images.permute(0, 3, 1, 2).shape)  # N, C, H, W as convolutions want them

# %% [markdown] id=broadcasting
# ## Broadcasting
#
# Two tensors of different shapes can still be added: line the shapes up **from the right**; each pair of sizes
# must be equal, or one of them must be 1 (a missing axis counts as 1). The size-1 axes are *stretched*
# (without copying) to match. Below, a column `(3, 1)` plus a row `(1, 4)` gives a `(3, 4)` table.

# %% id=broadcasting-code
col = torch.tensor([[0.0], [10.0], [20.0]])  # (3, 1)
row = torch.tensor([[1.0, 2.0, 3.0, 4.0]])  # (1, 4)
print(col + row)

# %% [markdown] id=broadcasting-note
# The same picture, drawn: grey cells are the stretched copies that broadcasting pretends are there.

# %% id=broadcasting-code-2
import matplotlib.pyplot as plt


def draw_broadcast(a, b):
    """Draw a + b: each operand stretched to the result's shape (stretched cells in grey)."""
    a2, b2 = np.atleast_2d(a.numpy()), np.atleast_2d(b.numpy())
    out = a2 + b2
    panels = [("a " + str(tuple(a.shape)), a2), ("b " + str(tuple(b.shape)), b2), ("a + b", out)]
    fig, axes = plt.subplots(1, 3, figsize=(9, 2.6))
    for ax, (title, arr) in zip(axes, panels):
        rows, cols = out.shape
        for r in range(rows):
            for c in range(cols):
                real = r < arr.shape[0] and c < arr.shape[1]
                value = arr[min(r, arr.shape[0] - 1), min(c, arr.shape[1] - 1)]
                ax.add_patch(plt.Rectangle((c, -r), 1, 1, fill=True, fc="white" if real else "#ddd", ec="k"))
                ax.text(c + 0.5, -r + 0.5, f"{value:g}", ha="center", va="center", color="k" if real else "#888")
        ax.set_xlim(0, out.shape[1])
        ax.set_ylim(-out.shape[0] + 1, 1)
        ax.set_title(title)
        ax.axis("off")
    plt.show()


draw_broadcast(col, row)

# %% [markdown] id=the-broadcasting-rule-task
# ### Your turn: the broadcasting rule
#
# Write `broadcast_shape(a_shape, b_shape)` that returns the broadcast shape as a tuple, or raises `ValueError`
# when the shapes do not broadcast. Use plain Python, not numpy.


# %% id=broadcast-shape solution
def broadcast_shape(a_shape, b_shape):
    ### BEGIN SOLUTION
    n = max(len(a_shape), len(b_shape))
    a = (1,) * (n - len(a_shape)) + tuple(a_shape)
    b = (1,) * (n - len(b_shape)) + tuple(b_shape)
    out = []
    for x, y in zip(a, b):
        if x != y and x != 1 and y != 1:
            raise ValueError(f"sizes {x} and {y} do not broadcast")
        out.append(max(x, y))
    return tuple(out)
    ### END SOLUTION


# %% id=broadcast-shape-check test points=2
checks.broadcast_shape(broadcast_shape)
### BEGIN HIDDEN TESTS
checks.broadcast_shape(broadcast_shape, seed=7)
### END HIDDEN TESTS

# %% [markdown] id=distances-without-loops-task
# ### Your turn: distances without loops
#
# `a` holds N points and `b` holds M points, each with D coordinates. Return the `(N, M)` tensor of squared
# distances `out[i, j] = sum_d (a[i, d] - b[j, d])**2`, using broadcasting, not a Python loop.


# %% id=pairwise-sq-distances solution
def pairwise_sq_distances(a, b):
    ### BEGIN SOLUTION
    return ((a[:, None, :] - b[None, :, :]) ** 2).sum(dim=-1)
    ### END SOLUTION


# %% id=pairwise-sq-distances-check test points=2
checks.pairwise_sq_distances(pairwise_sq_distances)
### BEGIN HIDDEN TESTS
checks.pairwise_sq_distances(pairwise_sq_distances, seed=7)
### END HIDDEN TESTS

# %% [markdown] id=indexing-slicing-and-views
# ## Indexing, slicing and views
#
# Indexing works like numpy. A basic slice is a **view**: a new tensor header over the *same* memory, so writing
# through it changes the original. `clone()` makes an independent copy.

# %% id=indexing-slicing-and-views-code
m = torch.arange(12.0).reshape(3, 4)
print(m[0], m[:, 1], m[1:, ::2], m[-1, -1].item())
view = m[0]
view[0] = 100.0
print("after writing through the view:\n", m)
copy = m[1].clone()
copy[0] = -1.0
print("the clone did not change m:", m[1])

# %% [markdown] id=indexing-slicing-and-views-note
# Boolean masks and integer lists ("advanced indexing") always copy:

# %% id=indexing-slicing-and-views-code-2
print(m[m > 5])
print(m[[0, 2]])

# %% [markdown] id=numpy-interop
# ## numpy interop
#
# `torch.from_numpy` wraps a numpy array without copying, and `.numpy()` gives the array back; they share
# memory. (In autolab a tensor *is* a numpy array plus autograd bookkeeping: see `autolab/tensor.py`.)

# %% id=numpy-interop-code
arr = np.zeros(3, dtype=np.float32)
t = torch.from_numpy(arr)
arr[0] = 5.0
print(t)
print(type(t.numpy()), t.numpy())

# %% [markdown] id=side-by-side-with-pytorch
# ## Side by side with PyTorch
#
# The same code runs on both libraries. If PyTorch is installed, we run one function with each and compare.


# %% id=side-by-side-with-pytorch-code
def some_math(lib):
    lib.manual_seed(0)
    x = lib.arange(6.0).reshape(2, 3)
    y = (x - x.mean(dim=1, keepdim=True)) ** 2
    return y.sum(dim=0), y.max(), x.T @ x


try:
    import torch as pytorch
except ImportError:
    pytorch = None
    print("PyTorch is not installed: skipping the comparison.")

ours = some_math(torch)
print("autolab:", ours)
if pytorch is not None:
    theirs = some_math(pytorch)
    print("PyTorch:", theirs)
    same = all(np.allclose(o.numpy(), t.numpy()) for o, t in zip(ours, theirs))
    print("identical results:", same)

# %% [markdown] id=summary
# ## Summary
#
# - A tensor is an array with a `shape` and a `dtype`; `float32` is the deep-learning default.
# - Broadcasting aligns shapes from the right and stretches size-1 axes without copying.
# - Basic slices are views that share memory; `clone()` copies; masks and index lists copy.
# - `from_numpy` and `.numpy()` share memory with numpy.
# - autolab speaks PyTorch's API, so what you learn here carries over.
#
# Next: **2. Autograd**, where tensors remember how they were made and compute gradients.
