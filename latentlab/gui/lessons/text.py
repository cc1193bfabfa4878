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
