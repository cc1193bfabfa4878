"""Lessons as plain Markdown files a teacher can edit: parsing them into steps (no Qt here).

A lesson file (latentlab/resources/lessons/NN-name.md):

    # 1. Why not plain autoencoders          <- the lesson's title
    ## Clusters and gaps                      <- a step; its text follows
    ```setup                                  <- what the step does to the application
    checkpoint: ae-mnist5k-2d
    panel: decoder
    ```
    Any Markdown: the explanation.
    ```formula                                <- a key formula, drawn large and centred
    KL(q(z|x) ‖ N(0, I))
    ```

Setup lines are `key: value`; the keys are in lessons/actions.py (ACTIONS), which checks them.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path

LESSONS_ENV = "LATENTLAB_LESSONS"
FENCE = re.compile(r"^```(\w*)\s*$")


class LessonError(ValueError):
    """A lesson file cannot be read; the message names the file and line."""


@dataclass(frozen=True)
class Setting:
    key: str
    value: str
    line: int  # in the file, for messages


@dataclass
class Step:
    title: str
    setup: list[Setting] = field(default_factory=list)
    parts: list[tuple[str, str]] = field(default_factory=list)  # ("markdown" | "formula", text)

    def value(self, key: str) -> str | None:
        """The last value given for `key` in this step's setup."""
        found = [s.value for s in self.setup if s.key == key]
        return found[-1] if found else None


@dataclass
class Lesson:
    title: str
    path: Path
    steps: list[Step]


def lesson_dir() -> Path:
    """$LATENTLAB_LESSONS, else the lessons shipped inside the package (found in a wheel too)."""
    env = os.environ.get(LESSONS_ENV)
    return Path(env) if env else Path(str(files("latentlab") / "resources" / "lessons"))


def parse_lesson(text: str, path: Path) -> Lesson:
    title, steps = "", []
    block: str | None = None  # the kind of fenced block we are in
    block_lines: list[str] = []
    prose: list[str] = []

    def flush_prose() -> None:
        if steps and "".join(prose).strip():
            steps[-1].parts.append(("markdown", "\n".join(prose).strip()))
        prose.clear()

    for number, line in enumerate(text.splitlines(), start=1):
        fence = FENCE.match(line)
        if block is not None:
            if fence and not fence.group(1):
                if block == "formula":
                    steps[-1].parts.append(("formula", "\n".join(block_lines).strip()))
                elif block != "setup":
                    prose.extend([f"```{block}", *block_lines, "```"])
                block, block_lines = None, []
            elif block == "setup":
                if line.strip() and not line.lstrip().startswith("#"):
                    key, sep, value = line.partition(":")
                    if not sep:
                        raise LessonError(f"{path}:{number}: a setup line is 'key: value', got {line.strip()!r}")
                    steps[-1].setup.append(Setting(key.strip().lower(), value.strip(), number))
            else:
                block_lines.append(line)
            continue
        if line.startswith("# ") and not title:
            title = line[2:].strip()
        elif line.startswith("## "):
            flush_prose()
            steps.append(Step(line[3:].strip()))
        elif fence:
            if not steps:
                raise LessonError(f"{path}:{number}: a block before the first '## ' step")
            block = fence.group(1) or "text"
            if block in ("setup", "formula"):
                flush_prose()
        elif steps:
            prose.append(line)
    if block is not None:
        raise LessonError(f"{path}: a ```{block} block is not closed")
    flush_prose()
    if not title or not steps:
        raise LessonError(f"{path}: a lesson needs a '# title' and at least one '## step'")
    return Lesson(title, path, steps)


def load_lessons(folder: Path | None = None) -> list[Lesson]:
    """Every *.md in the folder, in file-name order; LessonError for the first broken one."""
    folder = folder or lesson_dir()
    if not folder.is_dir():
        raise LessonError(f"{folder}: no lessons folder there")
    return [parse_lesson(p.read_text(encoding="utf-8"), p) for p in sorted(folder.glob("*.md"))]


def _names(lesson: Lesson) -> set[str]:
    """What a lesson answers to: its file's stem with and without the number ("06-vaes", "vaes") and its title
    with and without it ("6. variational autoencoders", "variational autoencoders"), lower case."""
    stem, title = lesson.path.stem.lower(), lesson.title.lower()
    return {stem, re.sub(r"^\d+[-_ .]*", "", stem), title, re.sub(r"^\d+[.)]?\s*", "", title)} - {""}


def lesson_list(lessons: list[Lesson]) -> str:
    """The lessons as one line: "1 plain-autoencoders, 2 denoising-autoencoders, ..."."""
    return ", ".join(f"{n} {re.sub(r'^[0-9]+[-_ .]*', '', lesson.path.stem)}" for n, lesson in enumerate(lessons, 1))


def find_lesson(text: str, lessons: list[Lesson]) -> int:
    """The number (1 is the first; 0: none) of the lesson `text` names: its number, its file name ("06-vaes" or
    "vaes") or its title ("Variational autoencoders"), in any case; the start of one of these is enough when
    it is the start of one lesson's only. LessonError, listing the lessons, if it names none or several."""
    wanted = " ".join(str(text).split()).lower()
    if re.fullmatch(r"[0-9]+", wanted) and (int(wanted) == 0 or 1 <= int(wanted) <= len(lessons)):
        return int(wanted)
    exact = [n for n, lesson in enumerate(lessons, 1) if wanted in _names(lesson)]
    found = exact or [n for n, lesson in enumerate(lessons, 1)
                      if wanted and any(name.startswith(wanted) for name in _names(lesson))]
    if len(found) == 1:
        return found[0]
    said = (f"names {len(found)} lessons ({', '.join(str(n) for n in found)})" if found
            else "is not a lesson")
    raise LessonError(f"{str(text).strip()!r} {said}; the lessons: {lesson_list(lessons)} "
                      "(a number, a file name or a title; its start is enough)")
