"""What the three students of the nbgrader test hand in.

- ``model``: every solution cell holds the instructor's solution.
- ``typical``: typical wrong answers in some exercises (below), the model solution in the others. Two of them
  pass the visible check and are caught only by the hidden tests.
- ``nothing``: the notebook as released, untouched.

``WRONG[notebook][solution cell id]`` is the wrong cell; ``FAILS[notebook]`` the test cells it must fail.
"""

from __future__ import annotations

WRONG: dict[str, dict[str, str]] = {
    "01_tensors": {
        # Written for the visible check's 3-D points: the hidden test uses other dimensions.
        "pairwise-sq-distances": """\
def pairwise_sq_distances(a, b):
    x = (a[:, None, 0] - b[None, :, 0]) ** 2
    y = (a[:, None, 1] - b[None, :, 1]) ** 2
    z = (a[:, None, 2] - b[None, :, 2]) ** 2
    return x + y + z
""",
    },
    "02_autograd": {
        # Forgets the outer derivative 2d of loss = d**2.
        "hand-gradients": """\
def hand_gradients(a, b, c):
    return {"a": b, "b": a, "c": 1.0}
""",
        # Post-order without the final reverse: inputs before outputs.
        "topo-sort": """\
def topo_sort(root):
    order, visited = [], set()

    def visit(t):
        if id(t) in visited:
            return
        visited.add(id(t))
        if t.grad_fn is not None:
            for parent in t.grad_fn.inputs:
                if parent.requires_grad:
                    visit(parent)
        order.append(t)

    visit(root)
    return order
""",
    },
    "03_modules": {
        # Counts only Linear layers, with a bias each: right for the visible MLP, wrong for convs or bias=False.
        "count-parameters": """\
def count_parameters(model):
    return sum(m.in_features * m.out_features + m.out_features for m in model if isinstance(m, nn.Linear))
""",
    },
    "04_linear_regression": {
        # Sums instead of averaging.
        "mse": """\
def mse(pred, target):
    return ((pred - target) ** 2).sum()
""",
    },
    "05_losses_optimizers": {
        # The textbook formula, without the log-sum-exp trick: right for small logits, NaN for large ones.
        "cross-entropy": """\
def cross_entropy(logits, target):
    probs = logits.exp() / logits.exp().sum(dim=1, keepdim=True)
    return -probs.log()[torch.arange(len(target)), target].mean()
""",
        # Believes log_softmax makes the loss larger.
        "log-softmax-answer": """\
def answer_log_softmax():
    return "b"
""",
    },
    "06_data_pipelines": {
        # Pixels read as floats: ToTensor would not scale them.
        "csv-dataset": """\
class MNISTCSV(Dataset):
    def __init__(self, path, transform=None):
        rows = np.loadtxt(path, delimiter=",", skiprows=1, dtype=np.float32)
        self.labels = rows[:, 0].astype(np.int64)
        self.images = rows[:, 1:].reshape(-1, 28, 28)
        self.transform = transform

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, index):
        image = self.images[index]
        if self.transform is not None:
            image = self.transform(image)
        return image, int(self.labels[index])
""",
        # Floor instead of ceiling: the drop_last=True count.
        "batches-answer": """\
def answer_batches():
    return 781
""",
    },
    "08_debugging": {
        # Fixes the order, keeps the missing zero_grad.
        "train-step": """\
def train_step(model, optimizer, loss_fn, x, y):
    loss = loss_fn(model(x), y)
    loss.backward()
    optimizer.step()
    return loss.item()
""",
        # Names the symptom (the ReLUs died) instead of its cause (the inputs' scale).
        "run2-answer": """\
def answer_run2():
    return "c"
""",
    },
    "07_cifar10_cnn": {
        # Forgets the padding.
        "conv-output-size": """\
def conv_output_size(size, kernel, stride=1, padding=0):
    return (size - kernel) // stride + 1
""",
    },
    "09_under_the_hood": {
        # Rows in (i, j, c) order instead of (c, i, j).
        "im2col-task": """\
def im2col(x, kh, kw):
    n, c, h, w = x.shape
    ho, wo = h - kh + 1, w - kw + 1
    cols = np.empty((n, kh, kw, c, ho, wo), dtype=x.dtype)
    for i in range(kh):
        for j in range(kw):
            cols[:, i, j] = x[:, :, i : i + ho, j : j + wo]
    return cols.reshape(n, c * kh * kw, ho * wo)
""",
    },
    "10_gpu": {
        # One element per thread: right only when the grid has a thread for every element.
        "saxpy": """\
@cuda.jit
def saxpy(a, x, y, out):
    i = cuda.grid(1)
    if i < out.size:
        out[i] = a * x[i] + y[i]
""",
    },
    "11_parallel": {
        # Sums over the ranks and forgets to divide: N times the average.
        "average-gradients": """\
def average_gradients(model):
    \"\"\"Runs on every rank: replace each p.grad by its average over the ranks.\"\"\"
    for p in model.parameters():
        dist.all_reduce(p.grad)
""",
    },
}

FAILS: dict[str, set[str]] = {
    "01_tensors": {"pairwise-sq-distances-check"},
    "02_autograd": {"hand-gradients-check", "topo-sort-check"},
    "03_modules": {"count-parameters-check"},
    "04_linear_regression": {"mse-check"},
    "05_losses_optimizers": {"cross-entropy-check", "log-softmax-check"},
    "06_data_pipelines": {"csv-dataset-check", "batches-check"},
    "07_cifar10_cnn": {"conv-output-size-check"},
    "08_debugging": {"train-step-check", "run2-check"},
    "09_under_the_hood": {"im2col-check"},
    "10_gpu": {"saxpy-check"},
    "11_parallel": {"average-gradients-check"},
}

# Wrong answers that pass the visible check (so only the hidden tests catch them).
HIDDEN_ONLY = {("01_tensors", "pairwise-sq-distances"), ("03_modules", "count-parameters")}
