"""Write docs/ops.md: for every op in autolab/ops, the file and line of its forward, backward and public function.

    python scripts/make_ops_doc.py           # rewrite docs/ops.md
    python scripts/make_ops_doc.py --check   # exit 1 if docs/ops.md is out of date (tests/test_ops_doc.py)

Read from the source with ``ast`` (nothing is imported), so the table is the code's own layout: an op is a class
deriving from ``Function`` (directly or through another op), its public functions are the module-level functions
that call it, and the Tensor methods are those in _tensor_methods.py / _tensor_shape.py that forward to them.
"""

from __future__ import annotations

import argparse
import ast
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OPS = ROOT / "autolab" / "ops"
SURFACE = [ROOT / "autolab" / "_tensor_methods.py", ROOT / "autolab" / "_tensor_shape.py"]
OUT = ROOT / "docs" / "ops.md"
SCREEN = 60  # lines: an op's class and its public function must fit in this many (tests/test_ops_doc.py)


@dataclass
class Op:
    name: str
    path: Path
    line: int
    end: int
    forward: tuple[Path, int] | None = None
    backward: tuple[Path, int] | None = None
    base: str | None = None
    # (name, first line, last line) of the functions that call it, in its own file (0, 0: an alias)
    functions: list[tuple[str, int, int]] = field(default_factory=list)
    users: list[str] = field(default_factory=list)  # functions in other op files that call it (matmul.diag)

    def unit_lines(self) -> int:
        """Lines from the class to the end of the first function below it that calls it: what a reader sees as
        one unit. An op only other ops use (IndexAdd, the backward of indexing) is its class alone."""
        below = [f for f in self.functions if f[1] > self.line]
        return (below[0][2] if below else self.end) - self.line + 1


def _module_defs(path: Path) -> tuple[list[ast.ClassDef], list[ast.FunctionDef], dict[str, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    classes = [n for n in tree.body if isinstance(n, ast.ClassDef)]
    functions = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
    aliases = {}  # alias -> function, e.g. clip = clamp, fix = trunc
    for n in tree.body:
        if isinstance(n, ast.Assign) and isinstance(n.value, ast.Name):
            for t in n.targets:
                if isinstance(t, ast.Name):
                    aliases[t.id] = n.value.id
        if isinstance(n, ast.Assign) and isinstance(n.value, ast.Call) and isinstance(n.value.func, ast.Name):
            for t in n.targets:  # floor = _rounding(np.floor, "Floor"): a public function made by a factory
                if isinstance(t, ast.Name):
                    aliases[t.id] = n.value.func.id
    return classes, functions, aliases


def _names_used(node: ast.AST) -> set[str]:
    used = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
    used |= {n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)}
    return used


def collect() -> tuple[list[Op], list[tuple[str, Path, int]], dict[str, list[str]]]:
    """The ops, the composite public functions (no Function of their own), and function -> Tensor methods."""
    ops: dict[str, Op] = {}
    bases: dict[str, list[str]] = {}
    per_file = {}
    classes_of: dict[Path, list[ast.ClassDef]] = {}
    for path in sorted(OPS.glob("*.py")):
        if path.name == "__init__.py":
            continue
        classes, functions, aliases = _module_defs(path)
        per_file[path] = (functions, aliases)
        classes_of[path] = classes
        for c in classes:
            bases[c.name] = [ast.unparse(b).split(".")[-1] for b in c.bases]
            op = Op(c.name, path, c.lineno, c.end_lineno or c.lineno)
            for stmt in c.body:
                if isinstance(stmt, ast.FunctionDef) and stmt.name in ("forward", "backward"):
                    setattr(op, stmt.name, (path, stmt.lineno))
            ops[c.name] = op

    def is_function(name: str) -> bool:
        return name == "Function" or any(is_function(b) for b in bases.get(name, []))

    ops = {k: v for k, v in ops.items() if is_function(k) and k != "Function"}
    for op in ops.values():
        parent = next((b for b in bases[op.name] if b in ops), None)
        if parent and (op.forward is None or op.backward is None):
            op.base = parent
            op.forward = op.forward or ops[parent].forward
            op.backward = op.backward or ops[parent].backward

    exported = _exported()
    composites = []
    for path, (functions, aliases) in per_file.items():
        callers = {fn.name: [g for g in functions if fn.name in _names_used(g) and g is not fn] for fn in functions}
        for fn in functions:
            used = _names_used(fn)
            applied = [op for op in ops.values() if op.name in used and "apply" in used]
            for op in applied:
                if op.path != path:
                    op.users.append(f"{path.stem}.{fn.name}")
                elif not fn.name.startswith("_"):
                    op.functions.append((fn.name, fn.lineno, fn.end_lineno or fn.lineno))
                else:  # a private helper (max -> _maxmin -> IndexedMaxMin): list the public functions calling it
                    for g in callers[fn.name]:
                        op.functions.append((g.name, g.lineno, g.end_lineno or g.lineno))
            if not applied and not fn.name.startswith("_") and fn.name in exported:
                composites.append((fn.name, path, fn.lineno))
        for c in classes_of[path]:  # ops applied inside another op's backward (GetItem's is an IndexAdd)
            for op in ops.values():
                if op.name != c.name and f"{op.name}.apply" in ast.unparse(c):
                    op.users.append(f"{c.name}.backward")
        for alias, target in aliases.items():
            for op in ops.values():
                if alias in exported and (any(f[0] == target for f in op.functions) or target.startswith("_")):
                    if op.path == path and (any(f[0] == target for f in op.functions) or _calls(path, target, op)):
                        op.functions.append((alias, 0, 0))
    for op in ops.values():
        seen, unique = set(), []
        for f in sorted(op.functions, key=lambda f: (f[1] == 0, f[1] < op.line, f[1])):
            if f[0] not in seen:
                seen.add(f[0])
                unique.append(f)
        op.functions = unique
    return sorted(ops.values(), key=lambda o: (o.path.name, o.line)), composites, _methods()


def _calls(path: Path, factory: str, op: Op) -> bool:
    """Whether ``factory`` (a private function that makes public ones, like _rounding) applies ``op``."""
    _, functions, _ = _module_defs(path)
    return any(f.name == factory and op.name in _names_used(f) for f in functions)


def _exported() -> set[str]:
    """Names that autolab.ops (or autolab.nn.functional, for the fused losses and norms) makes public."""
    names = set()
    for path in (OPS / "__init__.py", ROOT / "autolab" / "nn" / "functional.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for n in ast.walk(tree):
            if isinstance(n, ast.ImportFrom):
                names |= {a.asname or a.name for a in n.names} | {a.name for a in n.names}
    return names


def _methods() -> dict[str, list[str]]:
    """op function name -> the Tensor methods that forward to it."""
    out: dict[str, list[str]] = {}
    for path in SURFACE:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef):
                for call in ast.walk(node):
                    if isinstance(call, ast.Call) and ast.unparse(call.func).startswith("autolab.ops."):
                        out.setdefault(ast.unparse(call.func).removeprefix("autolab.ops."), []).append(node.name)
    return out


def _where(path: Path, line: int) -> str:
    rel = path.relative_to(ROOT).as_posix()
    return f"[{path.name}:{line}](../{rel}#L{line})"


def render() -> str:
    ops, composites, methods = collect()
    rows = []
    for op in ops:
        public = [f for f in op.functions if not f[0].startswith("_")] or op.functions
        names = ", ".join(f"`{f[0]}`" for f in public) or "(used by " + ", ".join(sorted(set(op.users))) + ")"
        meths = sorted({m for f in op.functions for m in methods.get(f[0], [])})
        fwd = _where(*op.forward) if op.forward else ""
        bwd = _where(*op.backward) if op.backward else ""
        first = next((f for f in public if f[1]), None)
        fn = _where(op.path, first[1]) if first else ""
        note = f" (a `{op.base}`)" if op.base else ""
        rows.append(f"| `{op.name}`{note} | {names} | {' '.join(f'`{m}`' for m in meths)} | {fwd} | {bwd} | {fn} |")
    comp_rows = [
        f"| `{name}` | {' '.join(f'`{m}`' for m in sorted(methods.get(name, [])))} | {_where(path, line)} |"
        for name, path, line in sorted(composites, key=lambda c: (c[1].name, c[2]))
    ]
    return "\n".join(
        [
            "# Where each op lives",
            "",
            "Generated from the source by `python scripts/make_ops_doc.py`; `tests/test_ops_doc.py` fails when it is",
            "out of date. Each op in `autolab/ops` is one unit: its `Function` class (`forward` on numpy arrays,",
            "`backward` on tensors) and, right below it, the public function that checks the arguments and calls",
            f"`Function.apply` — together on one screen (at most {SCREEN} lines, also checked by the test).",
            "How to add an op: [CONTRIBUTING.md](../CONTRIBUTING.md).",
            "",
            "## Ops with their own backward",
            "",
            "| op (`Function`) | public function | Tensor methods | forward | backward | function |",
            "|---|---|---|---|---|---|",
            *rows,
            "",
            "## Functions built from other ops",
            "",
            "Their gradient comes from the ops they call (`var` is `mean`, `sub`, `mul` and `sum`), so they have no",
            "backward of their own; some carry no gradient at all (comparisons, `argmax`, `nonzero`).",
            "",
            "| function | Tensor methods | defined at |",
            "|---|---|---|",
            *comp_rows,
            "",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if docs/ops.md differs from the source")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        if not OUT.exists() or OUT.read_text(encoding="utf-8") != text:
            print("docs/ops.md is out of date: run python scripts/make_ops_doc.py", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
