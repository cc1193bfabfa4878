"""Following a run that trains elsewhere: a timer reads the run directory's new metrics lines into the
loss curves and shows each newer rolling checkpoint, so everything stays explorable while it trains.

It polls (once a second) rather than waiting for file notifications: those do not arrive from a
network share, where a run on a server is most often watched from."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from latentlab.core.run_dir import MetricsReader, RunDir
from latentlab.state.history import LossHistory

POLL_MS = 1000


class RunFollower(QObject):
    status_changed = Signal(str)

    def __init__(self, session, run: RunDir, interval_ms: int = POLL_MS):
        super().__init__()
        self.session, self.run = session, run
        self.reader = MetricsReader(run.metrics_path)
        self.history = LossHistory()
        self.facts: dict = {}  # the run's "start" line: model, data, processes, epochs
        self.latest: dict = {}  # its newest step, epoch or end line
        self.ended: dict | None = None
        self.shown: Path | None = None  # the checkpoint on screen
        self.refused: set[Path] = set()  # checkpoints that would not load: wait for a newer one
        self.recorded: list[Path] = []  # the run's checkpoints in the order its record lists them
        self.timer = QTimer(self, interval=interval_ms, timeout=self.poll)
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def poll(self) -> None:
        restarts = self.reader.restarts
        records = self.reader.read_new()
        if self.reader.restarts != restarts:  # the run was started again in the same folder
            self.history, self.ended, self.recorded = LossHistory(), None, []
        for record in records:
            self._take(record)
        shown = self._show_newest_checkpoint()
        if records or shown:  # a newly installed model starts an empty history: give it the run's again
            self.session.show_history(self.history)
        self.status_changed.emit(self.describe())

    def _take(self, record: dict) -> None:
        event = record.get("event")
        try:
            if event == "start":
                self.facts, self.ended = record, None
            elif event == "step":
                self.history.add_train(int(record["step"]), _numbers(record["terms"]))
                self.latest = record
            elif event == "epoch":
                self.history.add_test(int(record["step"]), _numbers(record["test"]))
                self.latest = record
            elif event == "end":
                self.ended = self.latest = record
            elif event == "checkpoint":
                path = self.run.checkpoint_dir / Path(str(record["file"])).name
                self.recorded = [p for p in self.recorded if p != path] + [path]
        except (KeyError, TypeError, ValueError, AttributeError):
            self.reader.skipped += 1  # a line of another shape: not ours to draw

    def _newest(self) -> Path | None:
        """The newest checkpoint the run recorded that exists and has not failed to load (by file name for a
        run that records none), so one bad file never holds the window back."""
        # the record is read incrementally here already: no checkpoint line yet means it names none (rereading
        # metrics.jsonl in full at every poll through run.checkpoints() is what issue 25 removed)
        listed = [p for p in self.recorded if p.is_file()] if self.recorded else self.run.checkpoints_by_name()
        for path in reversed(listed):
            if path not in self.refused:
                return path
        return None

    def _show_newest_checkpoint(self) -> bool:
        newest = self._newest()
        if newest is None or newest == self.shown:
            return False
        problem = self.session.follow_checkpoint(newest)
        if problem is None:
            self.shown = newest
            return True
        if newest.exists():  # a file pruned between listing and loading is simply gone: no message
            self.refused.add(newest)
            self.session.message.emit("warning", f"following {self.run.path.name}: skipped {newest.name}: "
                                                 f"{problem}")
        return False

    def describe(self) -> str:
        """One line for the training panel: what runs where, how far, and what is on screen."""
        f = self.facts
        what = f"{f.get('model', '?')} on {f.get('data', '?')}" if f else "waiting for the run to start"
        if f.get("processes", 1) > 1:
            what += f", {f['processes']} processes ({f.get('backend')})"
        parts = [f"following {self.run.path.name}: {what}"]
        if self.latest:
            parts.append(f"epoch {self.latest.get('epoch', 0)} of {f.get('epochs', '?')}, "
                         f"step {self.latest.get('step', 0)}")
        parts.append(f"showing {self.shown.stem}" if self.shown else "no checkpoint yet")
        if self.ended:
            parts.append(f"run ended: {self.ended.get('message', self.ended.get('reason', ''))}")
        return " · ".join(parts)

    @property
    def progress(self) -> float:
        """Fraction of the run's epochs done, 0..1."""
        epochs = self.facts.get("epochs") or 0
        return min(1.0, self.latest.get("epoch", 0) / epochs) if epochs else 0.0


def _numbers(terms: dict) -> dict[str, float]:
    return {str(k): float(v) for k, v in terms.items()}
