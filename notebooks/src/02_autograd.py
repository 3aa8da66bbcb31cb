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
# - build a computation graph and read it (`grad_fn`, its inputs), with the values and gradients on it;
# - work the chain rule by hand, then step through `backward()` to check every product;
# - explain why a tensor used twice gets the *sum* of its gradients;
# - explain why backward visits nodes in topological order, and write that order yourself;
# - use gradient accumulation, `zero_grad`, and `no_grad` on purpose;
# - add a new op with its own `backward`, as PyTorch does it (`torch.autograd.Function`), and check it with
#   `gradcheck`;
# - take a gradient of a gradient.

# %% id=setup locked
import numpy as np

import autolab as torch
import widgets
from autolab.autograd import Function
from autolab.course import FAST, checks, set_language, tr

set_language("en")
print(tr("fast mode:"), FAST)

# %% [markdown] id=a-graph
# ## A graph, recorded as you compute
#
# The smallest model there is: a weight `w` times an input `x`, plus a bias `b`, and the square of the result
# as the loss. We want the gradient of the loss with respect to the parameters `w` and `b`, so they
# `requires_grad`; the input `x` is data and does not.
#
# Each result remembers the op that made it in `grad_fn`. Leaves (tensors you created) have none.

# %% id=a-graph-code
w = torch.tensor(2.0, requires_grad=True)
b = torch.tensor(10.0, requires_grad=True)
x = torch.tensor(-3.0)
loss = (w * x + b) ** 2
print("loss =", loss.item())
print("loss.grad_fn:", loss.grad_fn.name(), "  the op before it:", loss.grad_fn.inputs[0].grad_fn.name())
print("w.grad_fn:", w.grad_fn, "  w.requires_grad:", w.requires_grad, "  x.requires_grad:", x.requires_grad)

# %% [markdown] id=a-graph-note
# The graph view draws it. Each box is a tensor, named after your variable (`w`, `x`, `b`, `loss`); results you
# did not name get short labels, `t1` and `t2`, in the order they were computed. Between the boxes sit the ops.
# A box shows the tensor's value (`data`) and, once known, its gradient (`grad`): here still `?`.
#
# - **▶ / ◀** (or the slider) walk the forward pass, then the backward pass, one step at a time. The note above
#   the graph says what happens at each step.
# - **Click a node** (or move to it with Tab and the arrow keys and press Enter) to see its details: shape,
#   dtype, `requires_grad`, `grad_fn`, and for an op its local derivative rule and its `backward` source.
# - *Show local derivative rules* writes each op's rule under it, with the numbers filled in.
# - *Text view* lists every node as a table; *⤓ SVG* and *⤓ PNG* download the drawing.

# %% id=a-graph-code-2
widgets.graph(loss)

# %% [markdown] id=the-chain-rule-by-hand
# ## The chain rule by hand
#
# Before you step the backward pass, predict it. With `t1 = w * x`, `t2 = t1 + b` and `loss = t2 ** 2`:
# `∂loss/∂t2 = 2·t2`, `∂t2/∂t1 = 1`, `∂t2/∂b = 1`, `∂t1/∂w = x` and `∂t1/∂x = w`. The gradient of the loss with
# respect to a leaf is the product of the local derivatives along the path from the loss to it.
#
# ### Your turn
# Write the three derivatives `∂loss/∂w`, `∂loss/∂x` and `∂loss/∂b` as formulas in `w`, `x` and `b` (worked out
# by hand, no autograd). The check evaluates them at `w = 2, x = -3, b = 10` and compares with `backward()`.
# Then press ▶ on the graph above until the backward pass is done: each step shows one of your products.


# %% id=hand-gradients solution
def hand_gradients(w, x, b):
    ### BEGIN SOLUTION
    t2 = w * x + b
    return {"w": 2 * t2 * x, "x": 2 * t2 * w, "b": 2 * t2}
    ### END SOLUTION


# %% id=hand-gradients-check test points=1
checks.chain_rule(hand_gradients)
### BEGIN HIDDEN TESTS
checks.chain_rule(hand_gradients, seed=7)
### END HIDDEN TESTS

# %% [markdown] id=which-ops-quiz
# ### Predict the walk
# `x` needs no gradient. Which ops' `backward` must run before `w` has its gradient? (a) only `Pow`, (b) `Pow`
# and `Add`, (c) `Pow`, `Add` and `Mul`, (d) only `Mul`. Make `which_ops_answer()` return your letter, run the
# check, then step the walk on the graph above and watch which ops light up.


# %% id=which-ops-answer solution
def which_ops_answer():
    ### BEGIN SOLUTION
    return "c"
    ### END SOLUTION


# %% id=which-ops-check test points=1
checks.which_ops_quiz(which_ops_answer)

# %% [markdown] id=backward-note
# Now the real thing. `backward()` stores the gradient of every leaf that requires it in `.grad`; `x` asked for
# none. Drawn after `backward()`, the graph starts at the end of the walk, with every gradient filled in: the
# same numbers.

# %% id=the-chain-rule-by-hand-code
loss.backward()
print("backward says: dloss/dw =", w.grad.item(), "  dloss/db =", b.grad.item(), "  x.grad =", x.grad)
widgets.graph(loss)

# %% [markdown] id=twice-intro
# ## A tensor used twice: its gradients add up
#
# Training rarely uses a weight once. A common loss adds a penalty that keeps weights small (L2 regularisation,
# or weight decay): `loss = (w * x + b) ** 2 + lam * w ** 2`. Now `w` reaches the loss along two paths, and a
# small change of `w` changes the loss through both, so `∂loss/∂w` is the **sum** of the gradients along each
# path. The engine does exactly that: a tensor's gradient is complete only when every op that used it has sent
# its part, and the parts are added. Step through the backward pass and watch `w`: its box shows the addition.

# %% id=twice-graph
w = torch.tensor(2.0, requires_grad=True)
b = torch.tensor(10.0, requires_grad=True)
lam = 0.1
loss = (w * x + b) ** 2 + lam * w**2
view = widgets.graph(loss, rules=True)
view

# %% [markdown] id=twice-task
# ### Your turn
# Write `∂loss/∂w` for this loss as a formula in `w`, `x`, `b` and `lam`. The check compares it with
# `backward()` at a few points.


# %% id=twice-exercise solution
def w_gradient(w, x, b, lam):
    ### BEGIN SOLUTION
    return 2 * (w * x + b) * x + 2 * lam * w
    ### END SOLUTION


# %% id=twice-check test points=1
checks.used_twice(w_gradient)
### BEGIN HIDDEN TESTS
checks.used_twice(w_gradient, seed=7)
### END HIDDEN TESTS

# %% [markdown] id=twice-backward
# The walk's numbers are `backward()`'s: after it, `w.grad` holds the sum.

# %% id=twice-run
loss.backward()
print(f"w.grad = {w.grad.item():.5g}   (the walk's last step for w shows the same sum)")

# %% [markdown] id=gradients-accumulate
# ## Gradients accumulate across calls too
#
# `backward()` *adds* into `.grad`, for the same reason: it cannot tell a second use of a tensor in this graph
# from a use in the last one. That is what you want within one graph, and a classic bug when you forget to
# clear gradients between training steps. Optimizers do the clearing with `zero_grad()`.

# %% id=gradients-accumulate-code
w = torch.tensor(1.0, requires_grad=True)
for step in range(3):
    (3 * w).backward()
    print(f"after backward #{step + 1}: w.grad = {w.grad.item()}")
w.grad = None  # what optimizer.zero_grad() does for every parameter
(3 * w).backward()
print("after clearing and one more backward:", w.grad.item())

# %% [markdown] id=gradients-accumulate-note
# A module (notebook 3) or an optimizer (notebook 5) clears all its parameters at once with `zero_grad()`. In
# the graph of a module, the parameters carry their names (`weight`, `bias`) and the module's ops sit in a box.

# %% id=gradients-accumulate-code-2
layer = torch.nn.Linear(2, 1)
out = layer(torch.ones(1, 2)).sum()
out.backward()
print("weight.grad after backward:", layer.weight.grad)
layer.zero_grad()
print("after zero_grad():", layer.weight.grad)
widgets.graph(out, layer)

# %% [markdown] id=topological-order
# ## Topological order
#
# `backward()` may only process a node once the gradients from *all* of its consumers have arrived: you saw
# `w` wait for both of its parts. So the engine first sorts the graph: the output first, every tensor before
# the tensors it was computed from. A depth-first search that appends a node after visiting its inputs
# (post-order), reversed, gives exactly that. The graph's backward walk visits the nodes in the engine's own
# order.
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
# You can add an op to autograd yourself, the way PyTorch does it: subclass `torch.autograd.Function` and write
# two static methods side by side. `forward(ctx, ...)` computes the result from tensors (nothing inside it is
# recorded); `backward(ctx, grad)` receives `dL/d(output)` and returns `dL/d(input)`, one gradient per argument
# of `forward`. The `ctx` carries what backward needs: `ctx.save_for_backward(...)` in forward,
# `ctx.saved_tensors` in backward. You call the op with `.apply`. Here is `Exp`, which saves its output because
# `d exp(x)/dx = exp(x)`:


# %% id=a-new-op-code
class Exp(Function):
    @staticmethod
    def forward(ctx, x):
        y = x.exp()
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad * y  # d exp(x)/dx = exp(x)


t = torch.tensor([0.0, 1.0], requires_grad=True)
y = Exp.apply(t)
print(y.grad_fn.name())
y.sum().backward()
print(t.grad)

# %% [markdown] id=ctx-more
# This code runs unchanged on PyTorch. A few more things `ctx` does:
# - `ctx.needs_input_grad[i]` says whether input `i` needs a gradient, so backward can skip work (return `None`);
# - an argument that is not a tensor (a number, a flag) gets `None` as its gradient;
# - with several outputs, `backward` receives one gradient per output;
# - `ctx.mark_non_differentiable(idx)` marks an output such as indices that has no gradient.
#
# autolab's own ops (in `autolab/ops/`) are written in an older form that works one level lower, on numpy
# arrays, with `self` instead of `ctx`. You may read them; write your own ops in PyTorch's form, as here.


# %% id=ctx-more-code
class ScaleBy(Function):
    @staticmethod
    def forward(ctx, x, k):  # k is a plain number
        ctx.k = k
        return x * k

    @staticmethod
    def backward(ctx, grad):
        return grad * ctx.k, None  # one gradient per forward argument; None for the number


t = torch.tensor([1.0, 2.0], requires_grad=True)
ScaleBy.apply(t, 3.0).sum().backward()
print(t.grad, ScaleBy.apply(t, 3.0).grad_fn.name())

# %% [markdown] id=hypot-task
# ### Your turn: `Hypot`
# `hypot(a, b) = sqrt(a**2 + b**2)`, element-wise. Write its `forward` (save what backward needs) and its
# `backward` (return a tuple with one gradient per input). The check compares your gradients with finite
# differences in float64.


# %% id=hypot solution
class Hypot(Function):
    @staticmethod
    def forward(ctx, a, b):
        ### BEGIN SOLUTION
        h = (a * a + b * b).sqrt()
        ctx.save_for_backward(a, b, h)
        return h
        ### END SOLUTION

    @staticmethod
    def backward(ctx, grad):
        ### BEGIN SOLUTION
        a, b, h = ctx.saved_tensors
        return grad * a / h, grad * b / h
        ### END SOLUTION


# %% id=hypot-check test points=3
checks.backward(Hypot, (3, 4), (3, 4), reference=np.hypot)
### BEGIN HIDDEN TESTS
checks.backward(Hypot, (2, 5), (2, 5), reference=np.hypot, seed=7)
### END HIDDEN TESTS

# %% [markdown] id=hypot-graph
# Your op is a node like any other: click it in the graph to see its `backward`, your code.

# %% id=hypot-graph-demo
a = torch.tensor(3.0, requires_grad=True)
c = torch.tensor(4.0, requires_grad=True)
if checks.passed(Hypot):
    h = Hypot.apply(a, c)
    widgets.graph(h)

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
# Your own `Function`s too, when their `backward` is written with tensor ops, as `Exp`'s is.

# %% id=a-gradient-of-a-gradient-code
x = torch.tensor(3.0, requires_grad=True)
y = x**3
(dy_dx,) = torch.autograd.grad(y, x, create_graph=True)
(d2y_dx2,) = torch.autograd.grad(dy_dx, x)
print("dy/dx =", dy_dx.item(), " d2y/dx2 =", d2y_dx2.item())
widgets.graph(dy_dx)  # the graph of the gradient itself: the ops backward recorded

x = torch.tensor(1.0, requires_grad=True)
(g,) = torch.autograd.grad(Exp.apply(x), x, create_graph=True)
(gg,) = torch.autograd.grad(g, x)
print("through your Exp: first", g.item(), "second", gg.item())  # both e = 2.718...

# %% [markdown] id=summary
# ## Summary
#
# - Ops on tensors that require grad record a graph in `grad_fn`; `backward()` applies the chain rule along it,
#   in topological order: each op turns the gradient of its output into gradients of its inputs.
# - A tensor used twice gets the sum of its gradients; `.grad` accumulates across `backward()` calls too, so
#   clear it each step (`zero_grad`).
# - `no_grad()` and `detach()` compute without recording.
# - A new op is a `torch.autograd.Function` with static `forward(ctx, ...)` and `backward(ctx, grad)`, as in
#   PyTorch; `ctx.save_for_backward` keeps what backward needs; `gradcheck` verifies it.
# - `create_graph=True` makes gradients differentiable, for higher-order derivatives.
#
# Next: **3. Modules**, which package parameters and computation into reusable layers.
