# Source of notebooks/02_autograd.ipynb (build with scripts/build_notebooks.py).
# ruff: noqa: E402

# %% [markdown] id=intro
# # 2. Autograd
#
# Training a network means following the gradient of the loss. Autograd computes that gradient for you: every
# operation on a tensor that `requires_grad` is recorded in a graph, and `backward()` walks the graph from the
# loss back to the inputs, applying the chain rule at each node.
#
# **Learning goals.** After this notebook you can
# - build a computation graph and read it (`grad_fn`, its inputs), live in the graph view;
# - work the chain rule by hand and check it against `backward()`;
# - explain why backward visits nodes in topological order, and write that order yourself;
# - use gradient accumulation, `zero_grad`, and `no_grad` on purpose;
# - add a new op with its own `backward`, and verify it with `gradcheck`;
# - take a gradient of a gradient.

# %% id=setup locked
import numpy as np

import autolab as torch
import widgets
from autolab.autograd import Function
from autolab.course import FAST, checks, set_language

set_language("en")
print("fast mode:", FAST)

# %% [markdown] id=a-graph
# ## A graph, recorded as you compute
#
# Each result remembers the op that made it in `grad_fn`. Leaves (tensors you created) have none.

# %% id=a-graph-code
a = torch.tensor(2.0, requires_grad=True)
b = torch.tensor(-3.0, requires_grad=True)
c = torch.tensor(10.0, requires_grad=True)
d = a * b + c
loss = d**2
print("loss =", loss.item())
print("loss.grad_fn:", loss.grad_fn.name(), " d.grad_fn:", d.grad_fn.name(), " a.grad_fn:", a.grad_fn)
print("inputs of d's op:", [t.shape for t in d.grad_fn.inputs])

# %% [markdown] id=a-graph-note
# The graph view draws it: one box per tensor (with its value), one node per op. Run the next cell again after
# `backward()` below and the gradients appear too.

# %% id=a-graph-code-2
widgets.graph(loss)

# %% [markdown] id=the-chain-rule-by-hand
# ## The chain rule by hand
#
# With `d = a*b + c` and `loss = d**2`:
# `dloss/dd = 2d`, and `dd/da = b`, `dd/db = a`, `dd/dc = 1`. Multiply along each path.
#
# ### Your turn
# Write the three derivatives as formulas in `a`, `b` and `c` (worked out by hand, no autograd). The check
# evaluates them at `a = 2, b = -3, c = 10` and compares with what `backward()` computes.


# %% id=hand-gradients solution
def hand_gradients(a, b, c):
    ### BEGIN SOLUTION
    d = a * b + c
    return {"a": 2 * d * b, "b": 2 * d * a, "c": 2 * d}
    ### END SOLUTION


# %% id=hand-gradients-check test points=1
checks.chain_rule(hand_gradients)
### BEGIN HIDDEN TESTS
checks.chain_rule(hand_gradients, seed=7)
### END HIDDEN TESTS

# %% id=the-chain-rule-by-hand-code
loss.backward()
print("backward says: dL/da =", a.grad.item(), " dL/db =", b.grad.item(), " dL/dc =", c.grad.item())
widgets.graph(loss)

# %% [markdown] id=topological-order
# ## Topological order
#
# `backward()` may only process a node once the gradients from *all* of its consumers have arrived. So it first
# sorts the graph: the output first, every tensor before the tensors it was computed from. A depth-first search
# that appends a node after visiting its inputs (post-order), reversed, gives exactly that.
#
# ### Your turn
# Write `topo_sort(root)`: every tensor reachable from `root` through `t.grad_fn.inputs` (keep only inputs with
# `requires_grad`), each listed before its inputs, each once. Leaves have `grad_fn` `None`. (autolab's engine does
# the same, without recursion, in `autolab/autograd/engine.py`.)


# %% id=topo-sort solution
def topo_sort(root):
    ### BEGIN SOLUTION
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
    return order[::-1]
    ### END SOLUTION


# %% id=topo-sort-check test points=2
checks.topo_sort(topo_sort)
### BEGIN HIDDEN TESTS
checks.topo_sort(topo_sort, seed=7)
### END HIDDEN TESTS

# %% [markdown] id=gradients-accumulate
# ## Gradients accumulate
#
# `backward()` *adds* into `.grad`. That is what you want when a tensor is used twice in a graph, and a classic
# bug when you forget to clear gradients between training steps. Optimizers do the clearing with `zero_grad()`.

# %% id=gradients-accumulate-code
w = torch.tensor(1.0, requires_grad=True)
for step in range(3):
    (3 * w).backward()
    print(f"after backward #{step + 1}: w.grad = {w.grad.item()}")
w.grad = None  # what optimizer.zero_grad() does for every parameter
(3 * w).backward()
print("after clearing and one more backward:", w.grad.item())

# %% [markdown] id=gradients-accumulate-note
# A module (notebook 3) or an optimizer (notebook 4) clears all its parameters at once with `zero_grad()`:

# %% id=gradients-accumulate-code-2
layer = torch.nn.Linear(2, 1)
layer(torch.ones(1, 2)).sum().backward()
print("weight.grad after backward:", layer.weight.grad)
layer.zero_grad()
print("after zero_grad():", layer.weight.grad)

# %% [markdown] id=no-grad
# ## `no_grad`: compute without recording
#
# Evaluating a model, or updating weights, must not build a graph: it would waste memory, and an update that is
# recorded would become part of the next step's gradient.

# %% id=no-grad-code
x = torch.ones(3, requires_grad=True)
with torch.no_grad():
    y = x * 2
print("inside no_grad:", y.requires_grad, y.grad_fn)
z = x * 2
print("outside:", z.requires_grad, z.grad_fn.name())
print("detach() also cuts the graph:", z.detach().requires_grad)

# %% [markdown] id=a-new-op
# ## A new op, with its own backward
#
# Every op in autolab is a `Function` with two methods side by side: `forward` computes on numpy arrays,
# `backward` receives `dL/d(output)` as a tensor and returns `dL/d(input)` for each input. Here is `Exp`:


# %% id=a-new-op-code
class Exp(Function):
    def forward(self, x):
        return np.exp(x)

    def backward(self, grad):
        (x,) = self.inputs
        return grad * x.exp()  # d exp(x)/dx = exp(x)


t = torch.tensor([0.0, 1.0], requires_grad=True)
Exp.apply(t).sum().backward()
print(t.grad)

# %% [markdown] id=hypot-task
# ### Your turn: `Hypot`
# `hypot(a, b) = sqrt(a**2 + b**2)`, element-wise. Write its `forward` (numpy) and its `backward` (tensor ops;
# return a tuple with one gradient per input). The check compares your gradients with finite differences in
# float64.


# %% id=hypot solution
class Hypot(Function):
    def forward(self, a, b):
        ### BEGIN SOLUTION
        return np.sqrt(a * a + b * b)
        ### END SOLUTION

    def backward(self, grad):
        ### BEGIN SOLUTION
        a, b = self.inputs
        h = (a * a + b * b).sqrt()
        return grad * a / h, grad * b / h
        ### END SOLUTION


# %% id=hypot-check test points=3
checks.backward(Hypot, (3, 4), (3, 4), reference=np.hypot)
### BEGIN HIDDEN TESTS
checks.backward(Hypot, (2, 5), (2, 5), reference=np.hypot, seed=7)
### END HIDDEN TESTS

# %% [markdown] id=gradcheck
# ## gradcheck
#
# The same idea as the check above, built in: `gradcheck` compares `backward` with finite differences,
# `(f(x + eps) - f(x - eps)) / 2eps`, one input element at a time. Use float64, or rounding error swamps the
# comparison.

# %% id=gradcheck-code
p = torch.randn(3, dtype=torch.float64, requires_grad=True)
q = torch.randn(3, dtype=torch.float64, requires_grad=True)
print("Exp:", torch.autograd.gradcheck(Exp.apply, (p,)))
if checks.passed(Hypot):
    print("your Hypot:", torch.autograd.gradcheck(Hypot.apply, (p, q)))

# %% [markdown] id=a-gradient-of-a-gradient
# ## A gradient of a gradient
#
# `backward` is written with tensor ops, so with `create_graph=True` the backward pass is itself recorded, and
# can be differentiated again. For `y = x**3`: `dy/dx = 3x**2 = 27` and `d2y/dx2 = 6x = 18` at `x = 3`.

# %% id=a-gradient-of-a-gradient-code
x = torch.tensor(3.0, requires_grad=True)
y = x**3
(dy_dx,) = torch.autograd.grad(y, x, create_graph=True)
(d2y_dx2,) = torch.autograd.grad(dy_dx, x)
print("dy/dx =", dy_dx.item(), " d2y/dx2 =", d2y_dx2.item())
widgets.graph(dy_dx)  # the graph of the gradient itself

# %% [markdown] id=summary
# ## Summary
#
# - Ops on tensors that require grad record a graph in `grad_fn`; `backward()` applies the chain rule along it,
#   in topological order.
# - Gradients accumulate in `.grad`: clear them each step (`zero_grad`).
# - `no_grad()` and `detach()` compute without recording.
# - A new op is a `Function`: `forward` on arrays, `backward` on tensors; `gradcheck` verifies it.
# - `create_graph=True` makes gradients differentiable, for higher-order derivatives.
#
# Next: **3. Modules**, which package parameters and computation into reusable layers.
