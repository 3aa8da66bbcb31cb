# Source of notebooks/10_gpu.ipynb (build with scripts/build_notebooks.py).
# ruff: noqa: E402

# %% [markdown] id=intro
# # 10. GPUs under the hood
#
# A GPU runs one small function, a *kernel*, on thousands of threads at once. This notebook writes kernels in
# Python with [numba](https://numba.readthedocs.io)'s CUDA target, watches which thread computes what, and then
# moves the LeNet of notebook 7 to the GPU with the one line PyTorch code uses: `.to(device)`.
#
# No GPU here? Then numba's **CUDA simulator** runs the same kernels on the CPU, each GPU thread as a Python
# thread. It checks what you write (indexing, bounds, barriers, results) exactly, and it is slow: every timing it
# gives is meaningless. On Colab with a GPU runtime (see the end) the same cells run on a real GPU.
#
# **Learning goals.** After this notebook you can
# - explain threads, blocks and grids, and find a thread's element from `blockIdx`, `blockDim` and `threadIdx`;
# - write a kernel with a bounds test and a grid-stride loop, and tell coalesced from strided memory access;
# - reduce an array in a block with shared memory and `cuda.syncthreads()`;
# - write a shared-memory tiled matrix product;
# - run the same PyTorch-style training code on CPU or GPU with `device = torch.device(...)` and `.to(device)`.

# %% id=setup locked
import os
import shutil
import subprocess


def gpu_present():
    """True when an NVIDIA driver answers (nvidia-smi lists a GPU)."""
    smi = shutil.which("nvidia-smi")
    return smi is not None and subprocess.run([smi, "-L"], capture_output=True).returncode == 0


# The simulator must be chosen before numba.cuda is imported, so this comes first.
if "NUMBA_ENABLE_CUDASIM" not in os.environ and not gpu_present():
    os.environ["NUMBA_ENABLE_CUDASIM"] = "1"
    print("No GPU found: numba's CUDA simulator is on (NUMBA_ENABLE_CUDASIM=1). Kernels run on the CPU, slowly.")

import numpy as np
from IPython.display import display
from numba import cuda

import autolab as torch
import autolab.nn as nn
import autolab.nn.functional as F
import widgets.threads as threads
from autolab.course import FAST, checks, pick, set_language

set_language("en")
print("fast mode:", FAST, "| CUDA available:", torch.cuda.is_available(), "| simulator:", torch.cuda.is_simulator())

# %% [markdown] id=threads-blocks-grids
# ## 1. Threads, blocks and grids
#
# You launch a kernel on a **grid** of **blocks**; each block is a group of **threads** (up to 1024) that run on
# the same multiprocessor, can share a small fast memory, and can wait for each other. Every thread runs the same
# code; what differs is its coordinates:
#
# - `cuda.threadIdx.x`: its number inside its block, `0 .. blockDim.x - 1`;
# - `cuda.blockIdx.x`: its block's number in the grid, `0 .. gridDim.x - 1`;
# - `cuda.grid(1)` = `blockIdx.x * blockDim.x + threadIdx.x`: its number in the whole grid.
#
# `kernel[blocks, threads_per_block](args...)` launches it. Kernels return nothing: they write into arrays.
# The hardware runs threads in groups of 32, *warps*, that execute one instruction at a time together.


# %% id=who-am-i
@cuda.jit
def who_am_i(block_of, thread_of, global_id):
    i = cuda.grid(1)
    if i < global_id.size:  # the grid may have more threads than elements
        block_of[i] = cuda.blockIdx.x
        thread_of[i] = cuda.threadIdx.x
        global_id[i] = i


n = 10
block_of, thread_of, global_id = (np.full(n, -1) for _ in range(3))
who_am_i[3, 4](block_of, thread_of, global_id)  # 3 blocks of 4 threads: 12 threads, 10 elements
print("blockIdx.x :", block_of)
print("threadIdx.x:", thread_of)
print("cuda.grid(1):", global_id)

# %% [markdown] id=grid-stride
# ## 2. Which thread computes which element
#
# A kernel must not depend on the grid being exactly as large as the data. The **grid-stride loop** makes any grid
# work: thread `i` handles elements `i`, `i + S`, `i + 2S`, ... where `S = cuda.gridsize(1)` is the number of
# threads in the grid. autolab's own CUDA kernels (`autolab/kernels/cuda/`) are all written this way.
#
# The widget runs the kernel in the simulator with every array access recorded, then colours each element of the
# output by the thread that wrote it (the number is the thread's `threadIdx.x`; colours repeat).


# %% id=grid-stride-code
@cuda.jit
def add(x, y, out):
    for i in range(cuda.grid(1), out.size, cuda.gridsize(1)):
        out[i] = x[i] + y[i]


x = np.arange(48, dtype=np.float32)
y = np.ones(48, dtype=np.float32)
out = np.zeros(48, dtype=np.float32)
trace_add = threads.trace(add, 2, 8, x, y, out, names=["x", "y", "out"])  # 2 blocks of 8 threads
assert np.array_equal(out, x + y)
display(threads.thread_map(trace_add, "out"))
display(threads.thread_map(trace_add, "out", by="block"))

# %% [markdown] id=grid-stride-quiz
# ### Predict: how many elements per thread?
#
# A grid-stride loop over 1000 elements, launched on 3 blocks of 128 threads. How many elements does thread 0
# handle? Make `grid_stride_answer()` return the number.


# %% id=grid-stride-answer solution
def grid_stride_answer():
    ### BEGIN SOLUTION
    return 3
    ### END SOLUTION


# %% id=grid-stride-check test points=1
checks.grid_stride_quiz(grid_stride_answer)

# %% [markdown] id=coalescing
# ### Coalesced and strided access
#
# A warp's 32 threads execute each load together. When they read 32 *neighbouring* floats, one memory
# transaction serves them all: the access is **coalesced**. When each thread reads far from its neighbour, the
# same load needs many transactions, and the kernel runs several times slower.
#
# Below, the same sum written two ways. In the grid-stride loop, at each step the threads read neighbouring
# elements. In the "chunked" version, the natural way to split work on a CPU, each thread owns a contiguous chunk,
# so at each step the threads are a whole chunk apart. (The simulator cannot show the speed difference; it shows
# the pattern, and on a GPU the pattern decides the speed.)


# %% id=coalescing-code
@cuda.jit
def add_chunked(x, y, out):
    chunk = (out.size + cuda.gridsize(1) - 1) // cuda.gridsize(1)
    start = cuda.grid(1) * chunk
    for i in range(start, min(start + chunk, out.size)):
        out[i] = x[i] + y[i]


trace_chunked = threads.trace(add_chunked, 2, 8, x, y, out, names=["x", "y", "out"])
display(threads.access_steps(trace_add, "x", title="grid-stride: coalesced (neighbours read neighbours)"))
display(threads.access_steps(trace_chunked, "x", title="chunked: strided (each thread 3 elements from the next)"))

# %% [markdown] id=saxpy-task
# ### Your turn: saxpy
#
# Write the kernel `saxpy(a, x, y, out)` that computes `out = a * x + y` (a number `a`, arrays `x`, `y`, `out`)
# with a grid-stride loop, so that it is right for any grid. The check launches it with fewer threads than
# elements and with more.


# %% id=saxpy solution
@cuda.jit
def saxpy(a, x, y, out):
    ### BEGIN SOLUTION
    for i in range(cuda.grid(1), out.size, cuda.gridsize(1)):
        out[i] = a * x[i] + y[i]
    ### END SOLUTION


# %% id=saxpy-check test points=2
checks.saxpy(saxpy)
### BEGIN HIDDEN TESTS
checks.saxpy(saxpy, seed=7)
### END HIDDEN TESTS

# %% [markdown] id=reduction
# ## 3. A reduction in shared memory
#
# Summing an array is harder: every element contributes to one result. Inside a block, threads can cooperate
# through **shared memory** (`cuda.shared.array`, a few dozen KB per block, about as fast as registers) and wait
# for each other at a **barrier**, `cuda.syncthreads()`: no thread passes it until every thread of its block has
# reached it.
#
# The tree reduction: each thread loads one element into shared memory (0 past the end of the array); then, with
# `step = THREADS // 2, THREADS // 4, ..., 1`, every thread `t < step` adds `s[t + step]` into `s[t]`, and the
# block waits before the next step. After `log2(THREADS)` steps, `s[0]` holds the block's sum, which thread 0
# writes to `partial[blockIdx.x]`. (The host, or a second launch, adds the partial sums.)
#
# Careful: a barrier must be reached by *every* thread of the block. Put `cuda.syncthreads()` inside an `if`
# that only some threads enter and the block hangs forever (the simulator reports it).
#
# ### Your turn
# Write `block_sum(x, partial)` with `THREADS` threads per block.

# %% id=reduction-constants locked
THREADS = 8  # threads per block, a power of two (a real GPU would use 256)


# %% id=block-sum solution
@cuda.jit
def block_sum(x, partial):
    ### BEGIN SOLUTION
    s = cuda.shared.array(THREADS, dtype=np.float32)
    t = cuda.threadIdx.x
    i = cuda.grid(1)
    s[t] = x[i] if i < x.size else 0
    cuda.syncthreads()
    step = THREADS // 2
    while step > 0:
        if t < step:
            s[t] += s[t + step]
        cuda.syncthreads()
        step //= 2
    if t == 0:
        partial[cuda.blockIdx.x] = s[0]
    ### END SOLUTION


# %% id=block-sum-check test points=2
checks.block_sum(block_sum, THREADS)
### BEGIN HIDDEN TESTS
checks.block_sum(block_sum, THREADS, seed=7)
### END HIDDEN TESTS

# %% [markdown] id=tiled-matmul
# ## 4. A tiled matrix product
#
# In a naive product kernel, the thread for `c[i, j]` reads row `i` of `a` and column `j` of `b` from global
# memory: every element of `a` is read `n` times. **Tiling** shares the reads: a block of `TILE x TILE` threads
# computes one `TILE x TILE` tile of `c`. It walks along `k` one tile at a time: each thread loads *one* element of
# the `a` tile and one of the `b` tile into shared memory, the block waits (`syncthreads`), each thread does `TILE`
# multiply-adds from shared memory, and the block waits again before the tiles are overwritten. Global reads drop
# by a factor `TILE`. autolab's CUDA matmul (`autolab/kernels/cuda/matmul.py`) is this kernel with `TILE = 16`.
#
# ### Your turn
# Write `matmul_tiled(a, b, c)` for `c = a @ b`, launched on a grid of `(ceil(n / TILE), ceil(m / TILE))` blocks
# of `(TILE, TILE)` threads: the thread `(tx, ty) = (threadIdx.x, threadIdx.y)` of block `(bx, by)` computes
# `c[by * TILE + ty, bx * TILE + tx]`. Threads outside the matrices load zeros and write nothing, but still reach
# every barrier.

# %% id=tile-constant locked
TILE = 4


# %% id=matmul-tiled solution
@cuda.jit
def matmul_tiled(a, b, c):
    ### BEGIN SOLUTION
    ta = cuda.shared.array((TILE, TILE), dtype=np.float32)
    tb = cuda.shared.array((TILE, TILE), dtype=np.float32)
    tx, ty = cuda.threadIdx.x, cuda.threadIdx.y
    row, col = cuda.blockIdx.y * TILE + ty, cuda.blockIdx.x * TILE + tx
    m, k = a.shape
    n = b.shape[1]
    acc = 0.0
    for t0 in range(0, k, TILE):
        ta[ty, tx] = a[row, t0 + tx] if row < m and t0 + tx < k else 0
        tb[ty, tx] = b[t0 + ty, col] if t0 + ty < k and col < n else 0
        cuda.syncthreads()
        for j in range(TILE):
            acc += ta[ty, j] * tb[j, tx]
        cuda.syncthreads()
    if row < m and col < n:
        c[row, col] = acc
    ### END SOLUTION


# %% id=matmul-tiled-check test points=3
checks.tiled_matmul(matmul_tiled, TILE)
### BEGIN HIDDEN TESTS
checks.tiled_matmul(matmul_tiled, TILE, seed=7)
### END HIDDEN TESTS

# %% [markdown] id=tiles-picture
# Each block of threads owns one tile of `c`: colour `c` by the block that wrote each element.

# %% id=tiles-picture-code
if checks.passed(matmul_tiled):
    a = np.random.default_rng(0).standard_normal((10, 6)).astype(np.float32)
    b = np.random.default_rng(1).standard_normal((6, 12)).astype(np.float32)
    c = np.zeros((10, 12), dtype=np.float32)
    trace_mm = threads.trace(matmul_tiled, (3, 3), (TILE, TILE), a, b, c, names=["a", "b", "c"])
    print("c == a @ b:", np.allclose(c, a @ b, atol=1e-5))
    display(threads.thread_map(trace_mm, "c", by="block", title="c: the block that wrote each element (tiles)"))

# %% [markdown] id=device-idiom
# ## 5. The same model on the GPU: `.to(device)`
#
# PyTorch code picks its device once and moves the model and every batch there:
#
# ```python
# device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
# model = LeNet().to(device)
# images, labels = images.to(device), labels.to(device)
# ```
#
# autolab runs that code unchanged: its CUDA backend (numba kernels like the ones above: elementwise ops,
# reductions, the tiled matmul, im2col convolution, pooling, softmax cross-entropy, fused optimizer updates)
# takes over when tensors live on `"cuda"`. Here `"cuda"` is the simulator, so we train on two images only, and
# check the GPU result against the CPU: the same loss, gradients and weights.

# %% id=lenet-on-device
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
print("device:", device, "|", torch.cuda.get_device_name() if device.type == "cuda" else "CPU")


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


def train_steps(device, steps, batch):
    """A few SGD steps of LeNet on random CIFAR-shaped batches; returns the losses and the final weights."""
    torch.manual_seed(0)
    model = LeNet().to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    rng = np.random.default_rng(0)
    losses = []
    for _ in range(steps):
        images = torch.from_numpy(rng.standard_normal((batch, 3, 32, 32), dtype=np.float32)).to(device)
        labels = torch.from_numpy(rng.integers(0, 10, batch)).to(device)
        optimizer.zero_grad()
        loss = F.cross_entropy(model(images), labels)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses, [p.detach().cpu().numpy() for p in model.parameters()]


# the simulator runs every GPU thread in Python: keep it tiny there; a real GPU takes the full size
small = torch.cuda.is_simulator()
STEPS, BATCH = (1, 2) if small else (pick(2, 20), pick(8, 64))
losses_dev, weights_dev = train_steps(device, STEPS, BATCH)
losses_cpu, weights_cpu = train_steps("cpu", STEPS, BATCH)
print("losses on", device, np.round(losses_dev, 5), "| on cpu", np.round(losses_cpu, 5))
print("largest weight difference:", max(float(np.abs(a - b).max()) for a, b in zip(weights_dev, weights_cpu)))
print(
    "conv2d ran on:", torch.kernels.last_path.get("conv2d_forward"), "| matmul:", torch.kernels.last_path.get("matmul")
)

# %% [markdown] id=colab
# ## 6. On a real GPU: Colab
#
# 1. Open this notebook in Colab, then **Runtime → Change runtime type → T4 GPU** (any GPU) and save.
# 2. In a first cell: `!pip install "autolab-learn[cuda]" "numba-cuda[cu12]"` (numba's CUDA target and the CUDA
#    12 libraries it compiles with; Colab's driver is already installed), then restart the runtime.
# 3. Check with `!nvidia-smi` that a GPU is listed. Do **not** set `NUMBA_ENABLE_CUDASIM` there: the setup cell
#    above only sets it when `nvidia-smi` finds no GPU.
# 4. Run all. The same cells now launch real kernels; `torch.cuda.is_simulator()` is False, so section 5 trains
#    on full-size batches. On a GPU, time with `torch.cuda.synchronize()` before reading the clock: launches return
#    before the kernel has finished.
#
# This recipe has not been run by autolab's authors: no GPU was available when this chapter was written (see
# docs/gpu.md). If a step fails on Colab, the error names what numba could not find.
#
# ## Summary
#
# - A kernel runs on a grid of blocks of threads; `cuda.grid(1)` gives a thread its element. Test bounds, and use a
#   grid-stride loop so that any grid is right.
# - Neighbouring threads should read neighbouring memory (coalesced access); the same work with a strided pattern
#   is several times slower on a GPU.
# - Threads of a block cooperate through shared memory and `cuda.syncthreads()`, which every thread must reach:
#   a tree reduction and a tiled matmul are the two classic uses.
# - `device = torch.device("cuda" if torch.cuda.is_available() else "cpu")` and `.to(device)` move the same
#   training code to the GPU; autolab does it with numba kernels you can read in `autolab/kernels/cuda/`.
# - The simulator checks indexing, bounds, barriers and results exactly; it cannot tell you anything about speed.
