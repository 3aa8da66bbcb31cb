"""The local derivative rule of each op, as a student writes it, with the numbers filled in.

``Mul`` with inputs ``w`` and ``x`` and output ``t1`` reads ``∂t1/∂w = x = 3.0`` and ``∂t1/∂x = w = 2.0``. These
texts only *explain*: the gradients the graph shows always come from the op's own ``backward`` (see walk.py).
An op without an entry here shows where its ``backward`` is, and its source.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

import autolab

from .summary import fmt, is_small

# name -> (formula per input, local derivative per input from (inputs, output, options)).
# Formulas use {a}, {b} for the inputs, {out} for the output and {p} for an exponent; the derivative functions
# get numpy arrays and return arrays broadcastable to each input (elementwise ops only).
_Local = Callable[[list[np.ndarray], np.ndarray, dict], list[Any]]
ELEMENTWISE: dict[str, tuple[list[str], _Local]] = {
    "Add": (["1", "1"], lambda i, o, k: [1.0, 1.0]),
    "Sub": (["1", "-1"], lambda i, o, k: [1.0, -1.0]),
    "Mul": (["{b}", "{a}"], lambda i, o, k: [i[1], i[0]]),
    "Div": (["1/{b}", "-{a}/{b}²"], lambda i, o, k: [1 / i[1], -i[0] / i[1] ** 2]),
    "Neg": (["-1"], lambda i, o, k: [-1.0]),
    "PowScalar": (["{p}·{a}^{pm1}"], lambda i, o, k: [k["p"] * i[0] ** (k["p"] - 1)]),
    "Square": (["2·{a}"], lambda i, o, k: [2 * i[0]]),
    "Pow": (["{b}·{a}^({b}-1)", "{out}·ln {a}"], lambda i, o, k: [i[1] * i[0] ** (i[1] - 1), o * np.log(i[0])]),
    "Exp": (["exp({a}) = {out}"], lambda i, o, k: [o]),
    "Log": (["1/{a}"], lambda i, o, k: [1 / i[0]]),
    "Sqrt": (["1/(2·√{a})"], lambda i, o, k: [0.5 / o]),
    "Tanh": (["1 - {out}²"], lambda i, o, k: [1 - o * o]),
    "Sigmoid": (["{out}·(1 - {out})"], lambda i, o, k: [o * (1 - o)]),
    "Relu": (["1 where {a} > 0, else 0"], lambda i, o, k: [(i[0] > 0).astype(np.float64)]),
    "Sin": (["cos {a}"], lambda i, o, k: [np.cos(i[0])]),
    "Cos": (["-sin {a}"], lambda i, o, k: [-np.sin(i[0])]),
    "Abs": (["sign {a}"], lambda i, o, k: [np.sign(i[0])]),
}

# Ops whose rule is not elementwise: one sentence about the whole gradient.
OTHER: dict[str, list[str]] = {
    "Sum": ["every element of {a} gets ∂L/∂{out}: ∂{out}/∂{a} = 1"],
    "Mean": ["every element of {a} gets ∂L/∂{out} / n (n = {n})"],
    "MatMul": ["∂L/∂{a} = ∂L/∂{out} @ {b}ᵀ", "∂L/∂{b} = {a}ᵀ @ ∂L/∂{out}"],
    "Reshape": ["∂L/∂{out} reshaped back to the shape of {a}"],
    "View": ["∂L/∂{out} reshaped back to the shape of {a}"],
    "Permute": ["∂L/∂{out} permuted back"],
    "Transpose": ["∂L/∂{out} transposed back"],
    "Expand": ["∂L/∂{out} summed over the dimensions that were expanded"],
    "NllLoss": ["(softmax({a}) - onehot(target)) / batch size"],
    "LogSoftmax": ["∂L/∂{out} - softmax({a}) · Σ ∂L/∂{out}"],
    "Softmax": ["{out} · (∂L/∂{out} - Σ {out} ∂L/∂{out})"],
    "Conv2d": [
        "a full convolution of ∂L/∂{out} with the weights (readable loops: autolab/kernels/reference.py)",
        "a correlation of {a} with ∂L/∂{out}",
        "∂L/∂{out} summed over batch and positions",
    ],
    "MaxPool2d": ["∂L/∂{out} goes to the largest element of each window, 0 elsewhere"],
    "AvgPool2d": ["∂L/∂{out} shared equally by the elements of each window"],
}

SYMBOLS = {"Add": "+", "Sub": "−", "Mul": "×", "Div": "÷", "Neg": "−", "MatMul": "@", "Pow": "^"}


def op_key(fn: Any, name: str) -> str:
    """``PowScalar`` (a Python-number exponent: one input) is PyTorch's ``Pow`` but has its own rule."""
    return "PowScalar" if name == "Pow" and len(fn.inputs) == 1 else name


def symbol(fn: Any, name: str) -> str:
    """What the op node shows: ``×``, ``+``, ``**2``, ``exp``, ``@``."""
    if op_key(fn, name) == "PowScalar":
        p = getattr(fn, "p", None)
        return f"**{fmt(p).removesuffix('.0')}" if p is not None else "**"
    return SYMBOLS.get(name, name.lower())


@dataclass
class Rule:
    formulas: list[str]  # one per input: "∂t1/∂w = x"
    numbers: list[np.ndarray | float | None]  # the local derivative per input, where it is elementwise


def local_rule(fn: Any, name: str, names: list[str], out: str, inputs: list[np.ndarray], output: np.ndarray) -> Rule:
    """The rule of ``fn`` (readable ``name``) for inputs called ``names`` and an output called ``out``."""
    key = op_key(fn, name)
    p = getattr(fn, "p", None)
    fields = {"out": out, "p": fmt(p).removesuffix(".0") if p is not None else "p"}
    fields["pm1"] = fmt(p - 1).removesuffix(".0") if p is not None else "(p-1)"
    if key == "PowScalar" and p == 2:
        key = "Square"
    fields.update(zip("ab", names))
    fields["n"] = str(int(np.prod(inputs[0].shape))) if inputs else "n"
    if key in ELEMENTWISE:
        templates, local = ELEMENTWISE[key]
        formulas = [f"∂{out}/∂{n} = " + t.format(**fields) for n, t in zip(names, templates)]
        try:
            with np.errstate(all="ignore"):
                numbers = local(inputs, output, {"p": p})
        except Exception:  # an op with options this table does not know: words only
            numbers = [None] * len(names)
        for i, x in enumerate(inputs):
            if np.shape(x) != output.shape:
                formulas[i] += " (summed over the broadcast dimensions)"
        return Rule(formulas, list(numbers))
    if key in OTHER:
        return Rule([t.format(**fields) for t in OTHER[key]][: len(names)], [None] * len(names))
    where = source_location(fn)
    return Rule([f"see {type(fn).__name__}.backward" + (f" in {where}" if where else "")], [None] * len(names))


def rule_lines(rule: Rule, wanted: list[bool] | None = None) -> list[str]:
    """The rule as lines with the numbers filled in (``∂t1/∂w = x = 3.0``), one per input in ``wanted``."""
    lines = []
    numbers = rule.numbers + [None] * len(rule.formulas)
    for k, (formula, number) in enumerate(zip(rule.formulas, numbers)):
        if wanted is not None and len(rule.formulas) == len(wanted) and not wanted[k]:
            continue
        n = number_text(number)
        lines.append(formula + (f" = {n}" if n and not formula.endswith(n) else ""))
    return lines


def number_text(local: np.ndarray | float | None) -> str | None:
    """``3.0`` for a number, ``[1.0, 0.0]`` for a small array, None where it would not fit on a line."""
    if local is None:
        return None
    a = np.asarray(local, dtype=np.float64)
    if a.size == 1:
        return fmt(a.reshape(-1)[0])
    if is_small(a.shape) and a.ndim == 1:
        return "[" + ", ".join(fmt(v) for v in a) + "]"
    return None


@functools.lru_cache(maxsize=256)
def _source(cls: type) -> tuple[str | None, str | None]:
    try:
        lines, start = inspect.getsourcelines(cls.backward)
        file = inspect.getsourcefile(cls.backward) or ""
    except (OSError, TypeError):
        return None, None
    package = Path(autolab.__file__).resolve().parent
    if Path(file).resolve().is_relative_to(package):  # one of autolab's own ops: its path in the package
        short = f"autolab/{Path(file).resolve().relative_to(package).as_posix()}:{start}"
    else:  # a class defined in a notebook cell: IPython keeps its source under a temporary name
        short = "your notebook" if "ipykernel" in file or file.startswith("<") else f"{Path(file).name}:{start}"
    return "".join(lines), short


def _owner(fn: Any) -> type:
    # a custom Function in PyTorch's form: the node is generated, the backward to show is the user's class's
    return getattr(type(fn), "_forward_cls", type(fn))


def backward_source(fn: Any) -> str | None:
    """The source of the op's ``backward`` (yours too, for an op you wrote in a notebook)."""
    return _source(_owner(fn))[0]


def source_location(fn: Any) -> str | None:
    """``autolab/ops/arithmetic.py:52``: where to read the op's backward."""
    return _source(_owner(fn))[1]
