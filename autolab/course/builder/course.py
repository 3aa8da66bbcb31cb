"""The course on disk: the sources in ``notebooks/src``, the committed student editions, and editions built on
request (instructor notebooks, an nbgrader course directory), in English and in Chinese."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass, field
from pathlib import Path

from . import editions, translations
from .source import Notebook, SourceError, parse

LANGUAGES = ("en", "zh")

NBGRADER_CONFIG = '''\
"""nbgrader configuration of the autolab course. Written once by `autolab course nbgrader`: edit it freely,
the builder never overwrites it. See docs/course.md ("Grading with nbgrader")."""

import os

c = get_config()  # noqa: F821 (nbgrader defines get_config when it reads this file)

c.CourseDirectory.course_id = {course_id!r}

# Autograde in fast mode: the checks do not depend on how long a model trains, and a full CIFAR-10 run per
# student would take minutes. Delete this line to grade in full mode. The notebooks that load CIFAR-10 or
# MNIST read them from $AUTOLAB_DATA: set it before running nbgrader.
os.environ.setdefault("AUTOLAB_FAST", "1")

# Seconds one cell may run during autograde and validate (nbgrader's default, 30, is short for a training cell).
c.Execute.timeout = 600

# The exchange that release_assignment, fetch_assignment, submit and collect go through. On a JupyterHub it
# is a folder every user can reach; nbgrader's default is /srv/nbgrader/exchange.
# c.Exchange.root = "/srv/nbgrader/exchange"
'''


@dataclass
class Report:
    """What a build or check did: files written (or out of date, for a check) and problems found."""

    changed: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def find_root(explicit: str | Path | None = None, cwd: Path | None = None) -> Path:
    """The repository holding ``notebooks/src``: ``explicit``, the checkout this autolab was imported from
    (an editable install), or the current folder or one above it."""
    candidates: list[Path] = []
    if explicit:
        candidates.append(Path(explicit).expanduser().resolve())
    else:
        spec = importlib.util.find_spec("autolab")
        if spec and spec.origin:
            candidates.append(Path(spec.origin).resolve().parent.parent)
        here = (cwd or Path.cwd()).resolve()
        candidates += [here, *here.parents]
    for folder in candidates:
        if (folder / "notebooks" / "src").is_dir():
            return folder
    where = candidates[0] if explicit else "this checkout or the current folder"
    raise FileNotFoundError(
        f"no notebooks/src under {where}: the course sources live in the autolab repository. Clone it, "
        "`pip install -e .` inside it, and run the command there (or pass --root PATH/TO/autolab)."
    )


class Course:
    """The notebooks of one repository."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.src = self.root / "notebooks" / "src"
        self.out = self.root / "notebooks"

    def names(self, only: list[str] | None = None) -> list[str]:
        """Source stems in course order; ``only`` may give stems, file names or paths."""
        names = sorted(p.stem for p in self.src.glob("[0-9][0-9]_*.py"))
        if not only:
            return names
        wanted = [Path(n).stem for n in only]
        unknown = [n for n in wanted if n not in names]
        if unknown:
            raise SourceError(self.src, 0, f"no source for {', '.join(unknown)} (have: {', '.join(names)})")
        return wanted

    def source_path(self, name: str) -> Path:
        return self.src / f"{name}.py"

    def translation_path(self, name: str, lang: str = "zh") -> Path:
        return self.src / lang / f"{name}.md"

    def load(self, name: str) -> Notebook:
        path = self.source_path(name)
        return parse(path.read_text(encoding="utf-8"), path.relative_to(self.root))

    def translation(self, name: str, lang: str = "zh") -> dict[str, translations.Block] | None:
        path = self.translation_path(name, lang)
        if not path.exists():
            return None
        return translations.parse(path.read_text(encoding="utf-8"), path.relative_to(self.root))

    def languages(self, name: str) -> list[str]:
        return ["en"] + [lang for lang in LANGUAGES[1:] if self.translation_path(name, lang).exists()]

    def render(self, name: str, edition: str, lang: str = "en") -> str:
        """One edition of one notebook as committed JSON text; SourceError when it cannot be built."""
        notebook = self.load(name)
        blocks = None
        if lang != "en":
            blocks = self.translation(name, lang)
            path = self.translation_path(name, lang).relative_to(self.root)
            if blocks is None:
                raise SourceError(path, 0, f"{name} has no {lang} translation")
            problems = translations.sync_problems(notebook, blocks, path)
            switches = translations.language_lines(notebook)
            if len(switches) != 1:
                problems.append(
                    f"{notebook.path}: a translated notebook chooses its language in one code line "
                    f'`set_language("en")` (the setup cell); found it in {len(switches)} cells'
                )
            if problems:
                raise SourceError(path, 0, "the translation is out of sync:\n  " + "\n  ".join(problems))
        return editions.dumps(editions.render(notebook, edition, lang, blocks))

    # The committed student editions: notebooks/NN_slug.ipynb and notebooks/<lang>/NN_slug.ipynb.

    def committed_path(self, name: str, lang: str = "en") -> Path:
        return self.out / f"{name}.ipynb" if lang == "en" else self.out / lang / f"{name}.ipynb"

    def build(self, check: bool = False, only: list[str] | None = None) -> Report:
        """Rewrite the committed student editions that changed (``check``: only report them)."""
        report = Report()
        names = self._names(only, report)
        expected: set[Path] = set()
        for name in names:
            for lang in self.languages(name):
                target = self.committed_path(name, lang)
                expected.add(target)
                try:
                    text = self.render(name, "student", lang)
                except SourceError as e:
                    report.problems.append(str(e))
                    continue
                if target.exists() and target.read_text(encoding="utf-8") == text:
                    continue
                report.changed.append(str(target.relative_to(self.root)))
                if not check:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_text(text, encoding="utf-8")
        if not only:
            for lang in LANGUAGES:
                folder = self.out if lang == "en" else self.out / lang
                for stray in sorted(folder.glob("[0-9][0-9]_*.ipynb")):
                    if stray not in expected:
                        report.problems.append(
                            f"{stray.relative_to(self.root)} has no source (or translation) in notebooks/src: "
                            "remove it, or restore its source"
                        )
        return report

    def write(self, out: Path, edition: str, langs: list[str], only: list[str] | None = None) -> Report:
        """Write an edition to ``out``: ``out/NN_slug.ipynb`` (English), ``out/zh/NN_slug.ipynb`` (Chinese); for
        ``nbgrader``, a course directory per language (``out/source/<assignment>/...`` and nbgrader_config.py)."""
        report = Report()
        for name in self._names(only, report):
            for lang in langs:
                if lang != "en" and lang not in self.languages(name):
                    if only:  # asked for by name: say it is missing; otherwise only translated ones are built
                        report.problems.append(f"{name} has no {lang} translation")
                    continue
                try:
                    text = self.render(name, edition, lang)
                except SourceError as e:
                    report.problems.append(str(e))
                    continue
                folder = out if lang == "en" or len(langs) == 1 and edition == "nbgrader" else out / lang
                target = (
                    folder / "source" / name / f"{name}.ipynb" if edition == "nbgrader" else folder / f"{name}.ipynb"
                )
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text, encoding="utf-8")
                report.changed.append(str(target))
        if edition == "nbgrader":
            for lang in langs:
                folder = out if lang == "en" or len(langs) == 1 else out / lang
                config = folder / "nbgrader_config.py"
                if folder.is_dir() and not config.exists():
                    course_id = "autolab" if lang == "en" else f"autolab-{lang}"
                    config.write_text(NBGRADER_CONFIG.format(course_id=course_id), encoding="utf-8")
                    report.changed.append(str(config))
        return report

    def _names(self, only: list[str] | None, report: Report) -> list[str]:
        try:
            return self.names(only)
        except SourceError as e:
            report.problems.append(str(e))
            return []
