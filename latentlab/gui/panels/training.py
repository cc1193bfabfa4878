"""Training controls: Start, Pause/Resume, Stop, Step, Reset, and a progress bar with ETA."""

from __future__ import annotations

import math

from PySide6.QtWidgets import QGridLayout, QLabel, QProgressBar, QPushButton, QWidget

from latentlab.gui.widgets.status_line import StatusLine
from latentlab.state.run import Progress
from latentlab.state.session import Session

NO_MODEL = "there is no model: build one (Model & data > New model) or open a checkpoint"
NO_MODEL_NOTE = "No model: the vectors are explored as they are. New model to train one, or open a checkpoint."


def format_eta(seconds: float) -> str:
    if not math.isfinite(seconds):
        return "…"
    seconds = int(round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


class TrainingPanel(QWidget):
    def __init__(self, session: Session, parent=None):
        super().__init__(parent)
        self.session = session
        self.start = QPushButton("Start")
        self.start.setToolTip("Train for the chosen number of epochs in the background")
        self.pause = QPushButton("Pause")
        self.pause.setToolTip("Pause or resume training (Space)")
        self.stop = QPushButton("Stop")
        self.stop.setToolTip("Stop after the current step; the weights are kept")
        self.step = QPushButton("Step")
        self.step.setToolTip("Take exactly one optimisation step on one batch")
        self.reset = QPushButton("Reset")
        self.reset.setToolTip("New random weights; the loss history starts again")
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setValue(0)
        self.bar.setFormat("idle")
        self.info = StatusLine()
        self.note = QLabel()  # how latentlab uses the model, where it has something to say (a plug-in's loss)
        self.note.setWordWrap(True)
        self.note.setObjectName("model_note")
        self.note.hide()
        grid = QGridLayout(self)
        for i, b in enumerate((self.start, self.pause, self.stop, self.step, self.reset)):
            b.setMinimumWidth(b.fontMetrics().horizontalAdvance(b.text()) + 14)  # five fit a narrow left column
            grid.addWidget(b, 0, i)
        grid.addWidget(self.bar, 1, 0, 1, 5)
        grid.addWidget(self.info, 2, 0, 1, 5)
        grid.addWidget(self.note, 3, 0, 1, 5)

        self.start.clicked.connect(lambda: session.start())
        self.pause.clicked.connect(session.toggle_pause)
        self.stop.clicked.connect(session.stop)
        self.step.clicked.connect(lambda: session.step())
        self.reset.clicked.connect(self._reset)
        session.state_changed.connect(self._show_state)
        session.progress.connect(self._show_progress)
        session.model_changed.connect(self._show_model)
        session.following_changed.connect(self._show_following)
        self._show_state(session.state)

    def _reset(self) -> None:
        window = self.window()
        confirm = getattr(window, "confirm_discard", None)
        if confirm is None or confirm("reset the weights"):
            self.session.reset()

    def _show_state(self, state: str) -> None:
        idle = state == "idle"
        here = idle and self.session.following is None  # a followed run trains elsewhere
        model = self.session.model
        why = model.why_not("train") if model is not None else NO_MODEL
        here = here and why is None
        self.start.setEnabled(here)
        self.start.setToolTip(f"Cannot train: {why}" if why else "Train for the chosen number of epochs in the "
                                                                "background")
        self.step.setEnabled(here or state == "paused")  # while paused: exactly one more batch
        self.reset.setEnabled(here)
        self.stop.setEnabled(not idle)
        self.pause.setEnabled(not idle)
        self.pause.setText("Resume" if state == "paused" else "Pause")
        if idle:
            self.bar.setFormat("idle — last run %p%" if self.bar.value() else "idle")
        elif state == "paused":
            self.bar.setFormat("paused at %p%")

    def _show_progress(self, p: Progress) -> None:
        self.bar.setValue(int(p.progress * 1000))
        if self.session.state == "running":
            self.bar.setFormat(f"%p%  —  ETA {format_eta(p.eta_s)}")
        self.info.setText(f"epoch {p.epoch}   step {p.step}   {p.samples_per_s:,.0f} samples/s")

    def _show_model(self) -> None:
        self.bar.setValue(0)
        t = self.session.trainer
        self.info.setText(f"epoch {t.epoch}   step {t.step}" if t else "")
        note = t.model.notes() if t is not None else (NO_MODEL_NOTE if self.session.dataset is not None else "")
        self.note.setText(note)
        self.note.setVisible(bool(note))
        self._show_state(self.session.state)

    def _show_following(self, folder) -> None:
        self._show_state(self.session.state)
        if folder is None:
            self.bar.setValue(0)
            self.bar.setFormat("idle")
            self._show_model()
        else:
            self.session.follower.status_changed.connect(self._show_run)

    def _show_run(self, line: str) -> None:
        follower = self.session.follower
        if follower is None:
            return
        self.bar.setValue(int(follower.progress * 1000))
        self.bar.setFormat("run ended at %p%" if follower.ended else "followed run %p%")
        self.info.setText(line)
