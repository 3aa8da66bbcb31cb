"""The code's structure stays the way docs/architecture.md describes it.

- every dependency is visible at the top of a file: an import inside a function needs a ``# lazy: why`` comment;
- Tensor's methods are written out in class bodies (so "go to definition", help() and type checkers see them),
  each a one-line forward to the op of the same name with the same parameters;
- an op with several inputs skips the gradient of an input that needs none (``needs_input_grad``).
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import numpy as np
import pytest

import autolab
from autolab import _tensor_methods, _tensor_shape, tensor

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "autolab"


def _function_level_imports(path: Path) -> list[tuple[int, str]]:
    """(line, text) of each import inside a function body that no ``lazy`` comment explains.

    The comment may sit on the import line, or on the line above the first of a run of imports."""
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for stmt in ast.walk(node):
            if not isinstance(stmt, (ast.Import, ast.ImportFrom)):
                continue
            first = stmt.lineno - 1
            while first > 0 and (lines[first - 1].lstrip().startswith(("import ", "from ")) or not lines[first - 1]):
                first -= 1  # the top of a run of imports (blank lines between groups included)
            context = [lines[stmt.lineno - 1], lines[first], lines[first - 1] if first else ""]
            if not any("# lazy" in line or line.lstrip().startswith("# lazy") for line in context):
                found.append((stmt.lineno, lines[stmt.lineno - 1].strip()))
    return sorted(set(found))


def test_no_import_inside_a_function_without_a_lazy_comment():
    offenders = [
        f"{path.relative_to(ROOT)}:{line}: {text}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for line, text in _function_level_imports(path)
    ]
    assert not offenders, (
        "import at the top of the file, or say why it must wait with a `# lazy: ...` comment (an optional "
        "dependency, import time):\n" + "\n".join(offenders)
    )


def test_the_lazy_import_check_finds_an_unexplained_import(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "def f():\n    import json\n\n\ndef g():\n    # lazy: slow to import\n    import csv\n    import json\n"
        "\n\ndef h():\n    import csv  # lazy: optional\n"
    )
    assert _function_level_imports(sample) == [(2, "import json")]


# ---- the Tensor surface ------------------------------------------------------------------------------------------
SURFACE_FILES = [
    PACKAGE / "tensor.py",
    PACKAGE / "_tensor_methods.py",
    PACKAGE / "_tensor_shape.py",
    PACKAGE / "_tensor_inplace.py",
]
CLASS_NAMES = {"Tensor", "TensorMethods", "TensorShapeMethods", "TensorInplaceMethods"}
PYTHON_SUPPLIED = {"__module__", "__dict__", "__weakref__", "__doc__", "__qualname__", "__annotations__"}


def _names_written_in_class_bodies() -> set[str]:
    names = set()
    for path in SURFACE_FILES:
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ClassDef) and node.name in CLASS_NAMES:
                for stmt in ast.walk(node):
                    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        names.add(stmt.name)
                    elif isinstance(stmt, ast.Assign):
                        names.update(t.id for t in stmt.targets if isinstance(t, ast.Name))
                    elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                        names.add(stmt.target.id)
    return names


def test_every_tensor_method_is_written_in_a_class_body():
    """No setattr(Tensor, ...) anywhere: what Tensor has at run time is what its source shows."""
    at_runtime = set()
    for cls in autolab.Tensor.__mro__[:-1]:
        at_runtime |= set(vars(cls)) - PYTHON_SUPPLIED
    attached = at_runtime - _names_written_in_class_bodies()
    assert not attached, f"attached to Tensor outside its class bodies: {sorted(attached)}"


def _forwards(cls: type) -> dict[str, str]:
    """method name -> op name, for each method whose body is ``return autolab.ops.<op>(self, ...)``."""
    out = {}
    for node in ast.parse(inspect.getsource(cls)).body[0].body:
        if isinstance(node, ast.FunctionDef) and len(node.body) == 1 and isinstance(node.body[0], ast.Return):
            call = node.body[0].value
            if isinstance(call, ast.Call) and ast.unparse(call.func).startswith("autolab.ops."):
                if call.args and ast.unparse(call.args[0]) == "self":
                    out[node.name] = ast.unparse(call.func).removeprefix("autolab.ops.")
    return out


@pytest.mark.parametrize("cls", [_tensor_methods.TensorMethods, _tensor_shape.TensorShapeMethods])
def test_each_method_takes_the_parameters_of_its_op(cls):
    """``x.sum(dim, keepdim)`` accepts exactly what ``autolab.sum(x, dim, keepdim)`` does, with the same defaults."""
    forwards = _forwards(cls)
    assert len(forwards) > 30
    for method, op in forwards.items():
        if method != op:
            continue  # operators (x + y is add(x, y) with its defaults) and views like x.view_as(y)
        got = list(inspect.signature(getattr(cls, method)).parameters.values())[1:]
        want = list(inspect.signature(getattr(autolab.ops, op)).parameters.values())[1:]
        want = [p for p in want if p.name != "out"]  # torch.add(a, b, out=c) has it; the method a.add(b) does not
        assert [(p.kind, p.default) for p in got] == [(p.kind, p.default) for p in want], (method, op)


def test_the_surface_is_visible_to_help_and_has_one_rtruediv():
    text = inspect.getsource(_tensor_methods)
    assert text.count("def __rtruediv__") == 1
    assert "__rtruediv__" not in inspect.getsource(tensor)
    assert autolab.Tensor.sum.__qualname__ == "TensorMethods.sum"
    assert autolab.Tensor.view.__qualname__ == "TensorShapeMethods.view"
    x = autolab.tensor([1.0, 2.0])
    assert (2 / x).tolist() == [2.0, 1.0] and (x / 2).tolist() == [0.5, 1.0]


# ---- gradient skipping -------------------------------------------------------------------------------------------
def _t(*shape: int, seed: int = 0) -> autolab.Tensor:
    return autolab.tensor(np.random.default_rng(seed).uniform(0.5, 1.5, shape), dtype=autolab.float64)


MULTI_INPUT = {  # op: (function of the inputs, inputs)
    "Add": (lambda a, b: a + b, (_t(2, 3), _t(3))),
    "Sub": (lambda a, b: a - b, (_t(2, 3), _t(3))),
    "Mul": (lambda a, b: a * b, (_t(2, 3), _t(3))),
    "Div": (lambda a, b: a / b, (_t(2, 3), _t(3))),
    "Pow": (lambda a, b: a**b, (_t(2, 3), _t(3))),
    "Mod": (lambda a, b: autolab.remainder(a, b), (_t(2, 3), _t(3))),
    "Where": (lambda a, b: autolab.where(a > 1, a, b), (_t(2, 3), _t(2, 3, seed=1))),
    "Cat": (lambda a, b: autolab.cat([a, b]), (_t(2, 3), _t(1, 3))),
    "MatMul": (lambda a, b: a @ b, (_t(2, 3), _t(3, 4))),
    "Conv2d": (lambda x, w, b: autolab.nn.functional.conv2d(x, w, b), (_t(1, 2, 5, 5), _t(3, 2, 3, 3), _t(3))),
    "BatchNorm": (
        lambda x, w, b: autolab.nn.functional.batch_norm(x, None, None, w, b, training=True),
        (_t(4, 3), _t(3), _t(3)),
    ),
    "Solve": (
        lambda a, b: autolab.linalg.solve(a + 3 * autolab.eye(3, dtype=autolab.float64), b),
        (_t(3, 3), _t(3, 2)),
    ),
    "Atan2": (lambda y, x: autolab.atan2(y, x), (_t(2, 3), _t(2, 3, seed=1))),
    "ConvTranspose2d": (
        lambda x, w: autolab.nn.functional.conv_transpose2d(x, w, stride=2),
        (_t(1, 2, 3, 3), _t(2, 3, 2, 2)),
    ),
    "ScatterAdd": (
        lambda x, s: x.scatter_add(0, autolab.tensor([[0, 1, 0]]), s),
        (_t(2, 3), _t(1, 3)),
    ),
}


@pytest.mark.parametrize("op", sorted(MULTI_INPUT))
def test_backward_skips_the_inputs_that_need_no_gradient(op):
    fn_of, inputs = MULTI_INPUT[op]
    for wanted in range(len(inputs)):
        args = [t.detach().requires_grad_(i == wanted) for i, t in enumerate(inputs)]
        out = fn_of(*args)
        fn = out.grad_fn
        assert type(fn).__name__ == op
        with autolab.no_grad():  # as backward() runs it (without create_graph)
            grads = fn.backward(autolab.ones_like(out))
        assert [g is not None for g in grads] == [i == wanted for i in range(len(inputs))], (op, wanted)


def test_every_op_with_several_tensor_inputs_is_checked():
    """Each Function in autolab/ops whose backward looks at needs_input_grad (the ops with several tensor inputs)
    is in MULTI_INPUT."""
    several = set()
    for path in sorted((PACKAGE / "ops").glob("*.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ClassDef) and "needs_input_grad" in ast.unparse(node):
                several.add(node.name)
    assert several == set(MULTI_INPUT)
