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
# - compute elementwise, with `@` (matrix product), and with reductions along a `dim`, with or without `keepdim`;
# - predict the shape of a broadcast operation, and draw it;
# - index and slice, and say when a result is a *view* that shares memory;
# - move data between numpy and tensors;
# - read PyTorch code, because autolab's API is the same: `import autolab as torch`.

# %% id=setup locked
import numpy as np

import autolab as torch
from autolab.course import FAST, checks, set_language, tr

set_language("en")
print(tr("fast mode:"), FAST)

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

# %% [markdown] id=arithmetic
# ## Arithmetic, `@` and reductions
#
# `+`, `-`, `*`, `/`, `**` and functions such as `exp` work **elementwise**: on tensors of the same shape they
# pair up the numbers position by position. The **matrix product** is `@`: `(n, k) @ (k, m)` gives `(n, m)`,
# each entry the sum over `k` of a row times a column. (`*` is not a matrix product.)

# %% id=arithmetic-code
p = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
q = torch.tensor([[10.0, 20.0], [30.0, 40.0]])
print("p * q  (elementwise):\n", p * q)
print("p @ q  (matrix product):\n", p @ q)
print("(2, 3) @ (3, 4) ->", (torch.ones(2, 3) @ torch.ones(3, 4)).shape)

# %% [markdown] id=reductions
# A **reduction** (`sum`, `mean`, `max`, `std`, ...) combines many numbers into fewer. Without arguments it
# reduces everything to one number. With `dim=d` it reduces along axis `d` only, and that axis disappears from
# the shape: for `x` of shape `(2, 3)`, `x.sum(dim=0)` adds down the columns and has shape `(3,)`,
# `x.sum(dim=1)` adds along each row and has shape `(2,)`. With `keepdim=True` the reduced axis stays, with size
# 1: `x.sum(dim=1, keepdim=True)` has shape `(2, 1)`. That matters as soon as the result is combined with `x`
# again, as the next section shows: a `(2, 1)` column lines up with the rows of `x`, a `(2,)` vector does not.

# %% id=reductions-code
x = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
print("x.sum()                     ", x.sum(), " shape", tuple(x.sum().shape))
print("x.sum(dim=0)                ", x.sum(dim=0), " shape", tuple(x.sum(dim=0).shape))
print("x.sum(dim=1)                ", x.sum(dim=1), " shape", tuple(x.sum(dim=1).shape))
print(
    "x.mean(dim=1, keepdim=True) ",
    x.mean(dim=1, keepdim=True).tolist(),
    " shape",
    tuple(x.mean(dim=1, keepdim=True).shape),
)
print("x.max(dim=1) gives values and indices:", x.max(dim=1).values, x.max(dim=1).indices)

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

# %% [markdown] id=standardize-rows-task
# ### Your turn: standardise the rows
#
# Return `x` with every row shifted and scaled to mean 0 and standard deviation 1: subtract the row's mean,
# divide by the row's standard deviation. Use reductions with `dim` and `keepdim`; the check tries a square `x`
# too, where a missing `keepdim` gives no error, just a wrong answer.


# %% id=standardize-rows solution
def standardize_rows(x):
    ### BEGIN SOLUTION
    return (x - x.mean(dim=1, keepdim=True)) / x.std(dim=1, keepdim=True)
    ### END SOLUTION


# %% id=standardize-rows-check test points=2
checks.standardize_rows(standardize_rows)
### BEGIN HIDDEN TESTS
checks.standardize_rows(standardize_rows, seed=7)
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

# %% [markdown] id=views-quiz
# ### Predict the output
#
# ```python
# a = torch.arange(6).reshape(2, 3)   # [[0, 1, 2], [3, 4, 5]]
# b = a[:, 1]
# c = a[a > 2]
# b[0] = 100
# c[0] = -1
# ```
#
# Which entries of `a` changed? (a) `a[0, 1]` and `a[1, 0]`, (b) only `a[0, 1]`, (c) only `a[1, 0]`, (d) neither.
# Make `views_answer()` return your letter, then run the check (and only then the cell after it).


# %% id=views-answer solution
def views_answer():
    ### BEGIN SOLUTION
    return "b"
    ### END SOLUTION


# %% id=views-check test points=1
checks.views_quiz(views_answer)

# %% id=views-demo
a = torch.arange(6).reshape(2, 3)
b = a[:, 1]
c = a[a > 2]
b[0] = 100
c[0] = -1
print(a)

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
# - Arithmetic is elementwise; `@` is the matrix product; a reduction along `dim` removes that axis, unless
#   `keepdim=True` keeps it with size 1, ready to broadcast back against the original.
# - Broadcasting aligns shapes from the right and stretches size-1 axes without copying.
# - Basic slices are views that share memory; `clone()` copies; masks and index lists copy.
# - `from_numpy` and `.numpy()` share memory with numpy.
# - autolab speaks PyTorch's API, so what you learn here carries over.
#
# Next: **2. Autograd**, where tensors remember how they were made and compute gradients.
