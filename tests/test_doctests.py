"""The examples in autolab's docstrings run, and print what they show (doctest)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import numpy as np
import pytest

import autolab
import autolab.nn
import autolab.optim

SKIP = ("autolab.bench.__main__", "autolab.cli.__main__")  # command lines: importing them runs nothing useful


def _modules() -> list[str]:
    names = ["autolab"]
    for info in pkgutil.walk_packages(autolab.__path__, "autolab."):
        if info.name not in SKIP:
            names.append(info.name)
    return names


def _examples() -> list[tuple[str, doctest.DocTest]]:
    finder = doctest.DocTestFinder()
    found = []
    for name in _modules():
        module = importlib.import_module(name)
        found += [(t.name, t) for t in finder.find(module, name) if t.examples]
    return sorted(found, key=lambda t: t[0])


EXAMPLES = _examples()


def test_the_docstrings_have_examples():
    assert len(EXAMPLES) >= 15


@pytest.mark.parametrize("test", [t for _, t in EXAMPLES], ids=[n for n, _ in EXAMPLES])
def test_docstring_example(test, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # examples that save a file write it here
    autolab.manual_seed(0)
    test.globs.update(autolab=autolab, nn=autolab.nn, optim=autolab.optim, np=np)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    runner.run(test, out=lambda text: pytest.fail(f"{test.name}:\n{text}"))
    assert runner.failures == 0
