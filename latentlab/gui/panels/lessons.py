"""The Lessons dock: guided steps through the lecture, read from Markdown files in resources/lessons.

Each step sets the application up (through the `apply` function the main window gives it) and
shows its explanation, with key formulas drawn large. Back and Next walk the steps; "Set up
again" repeats a step's setup after the student has wandered off.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from latentlab.gui.lessons.text import Lesson, LessonError, Step, load_lessons

BODY = re.compile(r"<body[^>]*>(.*)</body>", re.S)
SCRIPT = re.compile(r"([_^])(\{([^}]*)\}|(\S))")


def formula_html(text: str) -> str:
    """A formula as centred serif text; x_{i} and x^{2} (or x_i, x^2) become sub- and superscripts."""
    def script(m: re.Match) -> str:
        tag = "sub" if m.group(1) == "_" else "sup"
        return f"<{tag}>{m.group(3) if m.group(3) is not None else m.group(4)}</{tag}>"

    lines = [SCRIPT.sub(script, html.escape(line)) for line in text.splitlines()]
    return ("<p align='center' style='font-family: serif; font-size: 15pt; margin: 10px;'>"
            + "<br>".join(lines) + "</p>")


def markdown_html(text: str) -> str:
    doc = QTextDocument()
    doc.setMarkdown(text)
    match = BODY.search(doc.toHtml())
    return match.group(1) if match else html.escape(text)


def model_step(steps: list[Step], index: int) -> int | None:
    """The last step up to `index` that loads a model or data (what the steps after it look at)."""
    for i in range(index, -1, -1):
        if any(s.key in ("checkpoint", "dataset", "model") for s in steps[i].setup):
            return i
    return None


def step_html(step: Step) -> str:
    return "".join(formula_html(t) if kind == "formula" else markdown_html(t) for kind, t in step.parts)


class LessonsPanel(QWidget):
    def __init__(self, apply: Callable[[Step], list[str]], parent=None):
        super().__init__(parent)
        self.apply = apply
        self.lessons: list[Lesson] = []
        self.lesson_index, self.step_index = 0, 0
        self.problems: list[str] = []
        self.choice = QComboBox()
        self.choice.setToolTip("The lessons in resources/lessons (Markdown files a teacher can edit)")
        self.choice.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.choice.setMinimumContentsLength(16)
        self.start_button = QPushButton("Start lesson")
        self.position = QLabel()
        self.position.setWordWrap(True)  # a long lesson title, or presentation mode's font, never widens the dock
        self.text = QTextBrowser()
        self.text.setOpenExternalLinks(False)
        self.issues = QLabel()
        self.issues.setWordWrap(True)
        self.issues.setStyleSheet("color: #b00020;")
        self.back_button = QPushButton("◀ Back")
        self.again_button = QPushButton("Set up again")
        self.again_button.setToolTip("Repeat this step's setup: load its models, arrange its panels")
        self.next_button = QPushButton("Next ▶")
        top = QHBoxLayout()
        top.addWidget(self.choice, 1)
        top.addWidget(self.start_button)
        buttons = QHBoxLayout()
        for b in (self.back_button, self.again_button, self.next_button):
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.position)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.issues)
        layout.addLayout(buttons)
        self.start_button.clicked.connect(lambda: self.go(self.choice.currentIndex(), 0))
        self.back_button.clicked.connect(lambda: self.go(self.lesson_index, self.step_index - 1))
        self.next_button.clicked.connect(lambda: self.go(self.lesson_index, self.step_index + 1, after_previous=True))
        self.again_button.clicked.connect(lambda: self.go(self.lesson_index, self.step_index))
        self.reload()

    def reload(self) -> None:
        """Read the lesson files (again) and go back to the overview."""
        try:
            self.lessons = load_lessons()
        except (LessonError, OSError) as e:
            self.lessons = []
            self.text.setPlainText(f"The lessons cannot be read: {e}")
        self.choice.clear()
        self.choice.addItems([lesson.title for lesson in self.lessons])
        self.started = False
        self._show_buttons()
        if self.lessons:
            self.position.setText(f"{len(self.lessons)} lessons: choose one and press Start.")
            self.text.setHtml(self._overview())

    def _overview(self) -> str:
        items = "".join(f"<li><b>{html.escape(lesson.title)}</b> ({len(lesson.steps)} steps)</li>"
                        for lesson in self.lessons)
        return f"<p>Guided tours through the lecture, one idea at a time.</p><ol>{items}</ol>"

    @property
    def lesson(self) -> Lesson | None:
        return self.lessons[self.lesson_index] if self.lessons else None

    @property
    def step(self) -> Step | None:
        return self.lesson.steps[self.step_index] if self.lesson and self.started else None

    def go(self, lesson_index: int, step_index: int, after_previous: bool = False) -> bool:
        """Show and set up one step; False (nothing changes) outside the lessons' range.

        A step builds on the ones before it (step 1 opens the model, step 3 draws on it). Unless the
        previous step is what is on screen (`after_previous`, the Next button), the last earlier step
        that loads a model or data is set up first, so a step reached directly shows what it describes."""
        if not (0 <= lesson_index < len(self.lessons)):
            return False
        steps = self.lessons[lesson_index].steps
        if not (0 <= step_index < len(steps)):
            return False
        self.lesson_index, self.step_index, self.started = lesson_index, step_index, True
        self.choice.setCurrentIndex(lesson_index)
        step = steps[step_index]
        self.position.setText(f"<b>{html.escape(self.lesson.title)}</b> — step {step_index + 1} of {len(steps)}")
        self.text.setHtml(f"<h3>{html.escape(step.title)}</h3>{step_html(step)}")
        base = None if after_previous else model_step(steps, step_index)
        earlier = self.apply(steps[base]) if base is not None and base != step_index else []
        self.problems = earlier + self.apply(step)
        self.issues.setText("\n".join(f"{self.lesson.path.name}, {p}" for p in self.problems))
        self._show_buttons()
        return True

    def _show_buttons(self) -> None:
        n = len(self.lesson.steps) if self.lesson else 0
        self.back_button.setEnabled(self.started and self.step_index > 0)
        self.next_button.setEnabled(self.started and self.step_index + 1 < n)
        self.again_button.setEnabled(self.started)
        self.start_button.setEnabled(bool(self.lessons))
