"""Checks for notebook 02 (autograd): the chain rule by hand, a topological sort, and a new op's backward."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import numpy as np

import autolab

from ._core import Result, exercise, fail, ok, to_numpy
from ._quiz import Choice

CHAIN_RULE_INPUTS = {"a": 2.0, "b": -3.0, "c": 10.0}
# Notebook 02 names the same graph after a model: loss = (w * x + b) ** 2, with w = 2, x = -3, b = 10.
MODEL_NAMES = {"a": "w", "b": "x", "c": "b"}


def _chain_rule_grads(inputs: dict[str, float]) -> dict[str, float]:
    """L = (a*b + c)**2 at ``inputs``, differentiated by autolab itself."""
    t = {k: autolab.tensor(v, dtype=autolab.float64, requires_grad=True) for k, v in inputs.items()}
    loss = (t["a"] * t["b"] + t["c"]) ** 2
    loss.backward()
    return {k: float(v.grad.item()) for k, v in t.items()}


def _uses_model_names(grads: Any) -> bool:
    """Whether the student wrote the graph as ``(w * x + b) ** 2`` (notebook 02) rather than with a, b, c."""
    if callable(grads):
        try:
            return list(inspect.signature(grads).parameters)[:3] == ["w", "x", "b"]
        except (TypeError, ValueError):
            return False
    return isinstance(grads, dict) and bool(set(grads) & {"w", "x"})


@exercise
def chain_rule(grads: dict[str, float] | Callable[..., dict[str, float]], seed: int | None = None) -> Result:
    """``grads`` maps "a", "b", "c" to dL/da, dL/db, dL/dc worked out by hand (or is a function of a, b, c
    returning that dict; it is called with CHAIN_RULE_INPUTS, or with random inputs drawn from ``seed``).
    Notebook 02's names work too: ``loss = (w * x + b) ** 2`` with a function of ``w, x, b`` returning
    ``{"w": ..., "x": ..., "b": ...}``."""
    names = MODEL_NAMES if _uses_model_names(grads) else {k: k for k in CHAIN_RULE_INPUTS}
    inputs = CHAIN_RULE_INPUTS
    if seed is not None and callable(grads):
        rng = np.random.default_rng(seed)
        inputs = {k: float(np.round(v, 2)) for k, v in zip("abc", rng.uniform(-5, 5, 3))}
    want = {names[k]: v for k, v in _chain_rule_grads(inputs).items()}
    if callable(grads):
        grads = grads(**{names[k]: v for k, v in inputs.items()})
    if grads is None:
        return fail("your function returned None: did you forget `return`?")
    if not isinstance(grads, dict) or set(grads) != set(want):
        keys = [f'"{k}"' for k in want]
        example = ", ".join(f"{k}: ..." for k in keys)
        return fail(f"give a dict with the keys {', '.join(keys[:-1])} and {keys[-1]}, e.g. {{{example}}}.")
    inner = f"{names['a']}*{names['b']} + {names['c']}"
    for name in (names["c"], names["a"], names["b"]):
        got = float(grads[name])
        if not np.isclose(got, want[name]):
            where = "" if inputs is CHAIN_RULE_INPUTS else f" at { ({names[k]: v for k, v in inputs.items()}) }"
            return fail(
                f"dL/d{name} = {got:g}{where} is not what backward() says. Start from dL/dt = 2*t where "
                f"t = {inner}, then multiply by the local derivative of t with respect to each input (the "
                "graph's backward walk shows each product)."
            )
    shown = {k: float(f"{v:.6g}") for k, v in want.items()}
    return ok(f"your hand-worked gradients match backward(): {shown}")


@exercise
def which_ops_quiz(answer: Any) -> Result:
    """In ``loss = (w * x + b) ** 2`` with ``x`` needing no gradient: whose backward runs before w has its gradient?"""
    question = Choice(
        right="c",
        options={"a": "only Pow", "b": "Pow and Add", "c": "Pow, Add and Mul", "d": "only Mul"},
        why=(
            "w's gradient is the product of the local derivatives along the path loss <- Pow <- t2 <- Add <- t1 "
            "<- Mul <- w, so each of the three ops applies its rule, in that order (the walk shows exactly these "
            "steps). x needs no gradient, so Mul computes w's part only."
        ),
        hints={
            "a": "Pow gives dL/dt2, but w is two ops further back: t2 = t1 + b, and t1 = w * x.",
            "b": "Add passes the gradient on to t1; one more op stands between t1 and w.",
            "d": "Mul's rule multiplies dL/dt1 by x, and dL/dt1 only exists once Pow and Add have run.",
        },
    )
    return question.check(answer)


@exercise
def used_twice(fn: Callable[..., float], seed: int | None = None) -> Result:
    """``fn(w, x, b, lam)`` is dloss/dw for ``loss = (w * x + b) ** 2 + lam * w ** 2``, worked out by hand.
    ``seed`` draws other points than the fixed ones."""
    points = [(2.0, -3.0, 10.0, 0.1), (-1.5, 0.5, 2.0, 1.0), (0.3, 4.0, -1.0, 0.01)]
    if seed is not None:
        rng = np.random.default_rng(seed)
        points = [tuple(float(np.round(v, 2)) for v in (*rng.uniform(-5, 5, 3), rng.uniform(0, 1))) for _ in range(3)]
    for w, x, b, lam in points:
        t = {k: autolab.tensor(v, dtype=autolab.float64, requires_grad=True) for k, v in zip("wxb", (w, x, b))}
        loss = (t["w"] * t["x"] + t["b"]) ** 2 + lam * t["w"] ** 2
        loss.backward()
        want = float(t["w"].grad.item())
        got = fn(w, x, b, lam)
        if got is None:
            return fail("your function returned None: did you forget `return`?")
        got = float(got)
        if np.isclose(got, 2 * (w * x + b) * x) and not np.isclose(got, want):
            return fail(
                "that is only the gradient through the squared error. w is used a second time, in the "
                "penalty lam * w**2: backward adds the gradient from each use."
            )
        if np.isclose(got, 2 * lam * w) and not np.isclose(got, want):
            return fail("that is only the penalty's part: add the gradient through the squared error too.")
        if not np.isclose(got, want):
            return fail(f"at w={w}, x={x}, b={b}, lam={lam} backward() gives {want:g}, you give {got:g}.")
    return ok("right: the gradients from both uses of w add up, exactly as the walk showed.")


def _random_graph(seed: int) -> Any:
    """A random graph of elementwise ops over three leaves, with shared subexpressions (diamonds)."""
    rng = np.random.default_rng(seed)
    nodes = [autolab.tensor(rng.standard_normal(2), requires_grad=True) for _ in range(3)]
    nodes.append(autolab.tensor(rng.standard_normal(2)))  # a constant: no grad, must not be listed
    for _ in range(int(rng.integers(5, 9))):
        i, j = (int(k) for k in rng.integers(0, len(nodes), 2))
        op = int(rng.integers(0, 3))
        x, y = nodes[i], nodes[j]
        nodes.append(x * y if op == 0 else x + y if op == 1 else (x - y).tanh())
    return sum(nodes[3:], nodes[0]).sum()


def _reachable(root: Any) -> dict[int, Any]:
    found, stack = {id(root): root}, [root]
    while stack:
        t = stack.pop()
        if t.grad_fn is None:
            continue
        for parent in t.grad_fn.inputs:
            if parent.requires_grad and id(parent) not in found:
                found[id(parent)] = parent
                stack.append(parent)
    return found


@exercise
def topo_sort(fn: Callable[[Any], list], seed: int | None = None) -> Result:
    """``fn(root)`` must list every tensor reachable from root (that requires grad), each before its inputs.

    ``seed`` builds a larger random graph, with tensors used several times, instead of the fixed one."""
    if seed is None:
        x = autolab.tensor([1.0, 2.0], requires_grad=True)
        y = autolab.tensor([3.0, -1.0], requires_grad=True)
        z = x * y
        w = z + x
        root = (w * z).sum()
    else:
        root = _random_graph(seed)
    order = fn(root)
    if order is None:
        return fail("your function returned None: did you forget `return`?")
    order = list(order)
    want = _reachable(root)
    ids = [id(t) for t in order]
    if len(set(ids)) != len(ids):
        return fail("a tensor appears twice: keep a `visited` set so each tensor is added once.")
    if set(ids) != set(want):
        return fail(
            f"expected {len(want)} tensors (the root, every intermediate and both leaves), got {len(order)}. "
            "Follow t.grad_fn.inputs from each tensor; leaves have grad_fn None."
        )
    position = {i: k for k, i in enumerate(ids)}
    for t in order:
        if t.grad_fn is None:
            continue
        for parent in t.grad_fn.inputs:
            if id(parent) in position and position[id(parent)] < position[id(t)]:
                return fail(
                    "an input comes before a tensor computed from it. Backward needs the OUTPUT first: "
                    "a post-order depth-first search lists inputs first, so reverse it at the end."
                )
    return ok(f"a valid topological order of all {len(order)} tensors, output first.")


def _numeric_grads(f: Callable, arrays: list[np.ndarray], weights: np.ndarray, eps: float = 1e-6):
    """Central finite differences of sum(f(*arrays) * weights), in float64."""

    def value(arrs):
        with autolab.no_grad():
            out = f(*[autolab.tensor(a, dtype=autolab.float64) for a in arrs])
        return float((to_numpy(out) * weights).sum())

    grads = []
    for i, a in enumerate(arrays):
        g = np.zeros_like(a)
        for idx in np.ndindex(a.shape):
            plus = [x.copy() for x in arrays]
            minus = [x.copy() for x in arrays]
            plus[i][idx] += eps
            minus[i][idx] -= eps
            g[idx] = (value(plus) - value(minus)) / (2 * eps)
        grads.append(g)
    return grads


@exercise
def backward(
    op: Any, *shapes: tuple, reference: Callable | None = None, positive: bool = False, seed: int | None = None
) -> Result:
    """Check a new op (a ``Function`` subclass, or a function of tensors) against finite differences.

    ``shapes`` gives one shape per input. ``reference`` (numpy arrays -> array) checks the forward too.
    ``positive`` draws inputs away from zero, for ops like log and sqrt. ``seed`` draws other inputs.
    """
    f = op.apply if hasattr(op, "apply") else op
    rng = np.random.default_rng(0 if seed is None else seed)
    arrays = [rng.standard_normal(s) for s in shapes]
    if positive:
        arrays = [np.abs(a) + 0.5 for a in arrays]
    inputs = [autolab.tensor(a, dtype=autolab.float64, requires_grad=True) for a in arrays]
    out = f(*inputs)
    if reference is not None:
        want = reference(*arrays)
        if not np.allclose(to_numpy(out), want, rtol=1e-6, atol=1e-8):
            return fail("the forward pass gives the wrong values: check `forward` before `backward`.")
    # A random weighting of the outputs, so every output element's gradient path is tested.
    weights = rng.standard_normal(tuple(out.shape))
    (out * autolab.tensor(weights, dtype=autolab.float64)).sum().backward()
    numeric = _numeric_grads(f, arrays, weights)
    for i, (t, num) in enumerate(zip(inputs, numeric)):
        if t.grad is None:
            return fail(
                f"input {i} got no gradient: `backward` must return one gradient per input "
                f"({len(inputs)} here), as a tuple when there are several."
            )
        got = to_numpy(t.grad)
        if got.shape != num.shape:
            return fail(f"the gradient of input {i} has shape {got.shape}, but the input has shape {num.shape}.")
        err = float(np.max(np.abs(got - num))) if got.size else 0.0
        if not np.allclose(got, num, rtol=1e-4, atol=1e-6):
            return fail(
                f"the gradient of input {i} is off by up to {err:.3g} from finite differences. `backward` gets "
                "dL/d(output) and must multiply it by d(output)/d(input): the chain rule."
            )
    return ok(f"backward matches finite differences for all {len(inputs)} input(s) (float64).")
