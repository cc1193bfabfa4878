"""The leaderboard: every loaded model's samples against held-out data (MMD^2, p-value, Parzen
log-likelihood), scored off the GUI thread, sortable, exportable as CSV."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from latentlab.core.leaderboard import Score, score_models, write_csv
from latentlab.core.models import LatentModel
from latentlab.gui.jobs import Job
from latentlab.state.leaderboard import LeaderboardState
from latentlab.state.session import Session

COLUMNS = [("model", "model"), ("MMD² (unbiased)", "mmd2"), ("p-value", "p_value"),
           ("Parzen log-lik. (nats)", "parzen"), ("Parzen σ", "parzen_sigma"), ("n", "n")]


class NumberItem(QTableWidgetItem):
    """A cell that sorts by its number, not its text."""

    def __init__(self, value: float):
        super().__init__(f"{value:.5g}" if isinstance(value, float) else str(value))
        self.value = value
        self.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)

    def __lt__(self, other) -> bool:
        return self.value < getattr(other, "value", 0)


class LeaderboardView(QWidget):
    def __init__(self, session: Session, models: Callable[[], list[tuple[str, LatentModel]]],
                 state: LeaderboardState, parent=None):
        super().__init__(parent)
        self.session, self.models, self.state = session, models, state
        self.ask_csv_path: Callable[[], str | None] = self._csv_dialog
        self.job: Job | None = None
        self.n = QSpinBox(minimum=10, maximum=5000, value=500)
        self.n.setToolTip("Samples per model, scored against as many held-out points")
        self.score_button = QPushButton("Score all models")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.export_button = QPushButton("Export CSV…")
        self.progress = QProgressBar(maximum=1000, textVisible=False)
        self.note = QLabel("Scores every loaded model's samples against the held-out data: MMD² (Gaussian "
                           "kernel at the median distance) with its permutation p-value, and the Parzen-window "
                           "log-likelihood of the held-out data under the samples.")
        self.note.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([c for c, _ in COLUMNS])
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setStretchLastSection(True)
        row = QHBoxLayout()
        row.addWidget(QLabel("n"))
        for w in (self.n, self.score_button, self.cancel_button, self.export_button):
            row.addWidget(w)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addLayout(row)
        layout.addWidget(self.progress)
        layout.addWidget(self.table, 1)
        state.events.rows.connect(self._show_rows)
        self.score_button.clicked.connect(self.score_all)
        self.export_button.clicked.connect(self.export_csv)

    def score_all(self) -> bool:
        d = self.session.dataset
        models = self.models()
        if d is None or not models or self.job is not None:
            return False
        held_out, n = d.test_x, self.n.value()

        def work(report, cancelled):
            return score_models(models, held_out, n, report, cancelled)

        self.job = Job(work, "latentlab-leaderboard", self)
        self.job.bind(self.progress, self.score_button, self.cancel_button)
        self.job.done.connect(self.show_scores)
        self.job.failed.connect(lambda msg: self.note.setText(f"scoring failed: {msg}"))
        self.job.ended.connect(self._ended)
        self.job.start()
        return True

    @property
    def scores(self) -> list[Score]:
        return list(self.state.rows)

    def show_scores(self, scores: list[Score]) -> None:
        self.state.rows = tuple(scores)

    def _show_rows(self, scores: tuple[Score, ...]) -> None:
        """The rows as scored; none once the data or the model they scored has changed."""
        if self.job is not None and not scores:
            self.job.cancel()  # it scores models that are no longer on show
        self.table.setSortingEnabled(False)
        self.table.setRowCount(len(scores))
        for r, score in enumerate(scores):
            for c, (_, field) in enumerate(COLUMNS):
                value = getattr(score, field)
                self.table.setItem(r, c, QTableWidgetItem(value) if field == "model" else NumberItem(value))
        self.table.setSortingEnabled(True)
        self.table.resizeColumnsToContents()

    def _ended(self) -> None:
        self.job = None

    def _csv_dialog(self) -> str | None:
        path, _ = QFileDialog.getSaveFileName(self, "Export leaderboard", str(Path.cwd() / "leaderboard.csv"),
                                              "CSV (*.csv)")
        return path or None

    def export_csv(self, path: str | None = None) -> bool:
        if not self.scores:
            self.note.setText("score the models first")
            return False
        path = path or self.ask_csv_path()
        if not path:
            return False
        try:
            write_csv(self.scores, path)
        except OSError as e:
            self.note.setText(f"cannot write {path}: {e}")
            return False
        self.note.setText(f"wrote {path}")
        return True
