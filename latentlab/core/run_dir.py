"""A run directory: what a headless training run leaves behind for the application to follow live.

    metrics.jsonl                          one JSON object a line: "start", "step", "epoch", "end"
    checkpoints/step-00001234.safetensors  rolling checkpoints, each written atomically; the newest few kept

Lines are appended whole, and a reader takes only lines that end in a newline, so it never sees half
a record; checkpoints are renamed into place, so a reader never sees half a file.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from latentlab.core.processes import process_gone
from latentlab.core.progress import TermMeans
from latentlab.core.settings import setting

METRICS = "metrics.jsonl"
CHECKPOINTS = "checkpoints"
_CHECKPOINT_NAME = re.compile(r"^step-(\d+)\.safetensors$")


@dataclass(frozen=True)
class RunOptions:
    """How `latentlab train --run-dir` records a run."""

    log_every: int = setting(10, label="Log every", minimum=1, maximum=1_000_000, unit="steps",
                             help="Average the train terms over this many steps per metrics line")
    checkpoint_every: int = setting(1, label="Checkpoint every", minimum=1, maximum=1_000_000, unit="epochs",
                                    help="A rolling checkpoint every this many epochs")
    keep: int = setting(3, label="Keep", minimum=1, maximum=1_000_000, help="How many rolling checkpoints to keep")


class RunDirError(ValueError):
    """The folder cannot be used as a run directory; the message says why."""


class RunDir:
    def __init__(self, path: str | Path):
        self.path = Path(path)

    @property
    def metrics_path(self) -> Path:
        return self.path / METRICS

    @property
    def checkpoint_dir(self) -> Path:
        return self.path / CHECKPOINTS

    def create(self, resume: bool = False) -> RunDir:
        """Make the folder; one that holds a run already is refused unless `resume` (it continues that run)."""
        if self.path.exists() and not self.path.is_dir():
            raise RunDirError(f"{self.path} is a file, not a folder for a run")
        if not self.path.parent.is_dir():
            raise RunDirError(f"cannot make the run folder {self.path}: {self.path.parent} does not exist")
        if not resume and self.holds_a_run():
            raise RunDirError(f"{self.path} holds a run already; --resume continues it, or give a new --run-dir "
                              "(a folder holds one run, so its checkpoints and metrics never mix with another's)")
        try:
            self.checkpoint_dir.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise RunDirError(f"cannot make the run folder {self.path}: {e.strerror or e}") from None
        return self

    def holds_a_run(self) -> bool:
        has_metrics = self.metrics_path.is_file() and self.metrics_path.stat().st_size > 0
        return has_metrics or bool(self.checkpoint_dir.is_dir() and any(self.checkpoint_dir.iterdir()))

    def looks_like_a_run(self) -> bool:
        return self.metrics_path.is_file() or self.checkpoint_dir.is_dir()

    def append(self, record: dict) -> None:
        """One record as one line, written in one call so a reader sees all of it or none."""
        with open(self.metrics_path, "a", encoding="utf-8") as f:
            f.write(json.dumps(record, allow_nan=True) + "\n")

    def checkpoint_path(self, step: int) -> Path:
        return self.checkpoint_dir / f"step-{step:08d}.safetensors"

    def checkpoints(self) -> list[Path]:
        """The run's checkpoints, oldest first, as its own record lists them (files it did not write, such as a
        stray step-99999999.safetensors, are not its checkpoints); by file name for a run without a record."""
        if not self.checkpoint_dir.is_dir():
            return []
        recorded = self.recorded_checkpoints()
        if recorded is not None:
            return [p for p in recorded if p.is_file()]
        return self.checkpoints_by_name()

    def checkpoints_by_name(self) -> list[Path]:
        """The checkpoint files by the step in their names: for a run whose record names none."""
        if not self.checkpoint_dir.is_dir():
            return []
        found = [(int(m.group(1)), p) for p in self.checkpoint_dir.iterdir() if (m := _CHECKPOINT_NAME.match(p.name))]
        return [p for _, p in sorted(found)]

    def recorded_checkpoints(self) -> list[Path] | None:
        """The checkpoint files metrics.jsonl records, in its order (each once, at its latest mention); None
        when it records none."""
        if not self.metrics_path.is_file():
            return None
        order: dict[str, None] = {}
        with open(self.metrics_path, "rb") as f:
            for line in f:
                if b'"checkpoint"' not in line:  # most lines: skip without parsing
                    continue
                try:
                    record = json.loads(line)
                    name = record["file"] if record.get("event") == "checkpoint" else None
                except (ValueError, KeyError, TypeError, AttributeError):
                    continue
                if isinstance(name, str) and _CHECKPOINT_NAME.match(name):
                    order.pop(name, None)
                    order[name] = None
        return [self.checkpoint_dir / name for name in order] if order else None

    def newest_checkpoint(self) -> Path | None:
        found = self.checkpoints()
        return found[-1] if found else None

    def prune(self, keep: int, listed: list[Path] | None = None) -> list[Path]:
        """Delete all but the newest `keep` of the run's checkpoints (`listed`, else its record's); the kept."""
        found = self.checkpoints() if listed is None else listed
        for old in found[:-keep] if keep > 0 else []:
            old.unlink(missing_ok=True)
        return found[-keep:] if keep > 0 else found


class MetricsReader:
    """Reads a growing metrics.jsonl from where it last stopped; a half-written last line waits for its end.

    At most CHUNK bytes a call, so a huge file is taken in steps; a "line" longer than MAX_LINE (a damaged
    or foreign file) is skipped and counted, never re-read on every poll."""

    CHUNK = 8 * 1024 * 1024
    MAX_LINE = 1024 * 1024

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.offset = 0
        self.skipped = 0  # lines that were not JSON objects (a foreign or damaged file)
        self.restarts = 0  # times the file was replaced by a shorter one and read again from the top
        self._skipping = False  # inside an over-long line: drop bytes up to its end

    def read_new(self) -> list[dict]:
        try:
            size = self.path.stat().st_size
        except FileNotFoundError:
            return []
        if size < self.offset:  # the file was replaced by a shorter one: read it again from the top
            self.offset = 0
            self.restarts += 1
            self._skipping = False
        with open(self.path, "rb") as f:
            f.seek(self.offset)
            chunk = f.read(min(size - self.offset, self.CHUNK))
        if self._skipping:
            end = chunk.find(b"\n")
            if end < 0:
                self.offset += len(chunk)
                return []
            self.offset += end + 1
            chunk, self._skipping = chunk[end + 1:], False
            self.skipped += 1
        complete = chunk[:chunk.rfind(b"\n") + 1]
        self.offset += len(complete)
        if len(chunk) - len(complete) > self.MAX_LINE:  # an unfinished line this long is not ours: skip it
            self.offset += len(chunk) - len(complete)
            self._skipping = True
        records = []
        for line in complete.splitlines():
            try:
                record = json.loads(line)
            except (json.JSONDecodeError, UnicodeDecodeError):
                record = None
            if isinstance(record, dict):
                records.append(record)
            elif line.strip():
                self.skipped += 1
        return records


class RunRecorder:
    """Writes a training run into a RunDir: averaged train terms every `log_every` steps, test figures
    and a rolling checkpoint every `checkpoint_every` epochs, and the way the run ended.

    `save(path, metrics)` writes a checkpoint (with optimizer state, so the run can be resumed)."""

    def __init__(self, run: RunDir, save, log_every: int = 10, checkpoint_every: int = 1, keep: int = 3):
        self.run, self.save = run, save
        self.log_every, self.checkpoint_every, self.keep = max(1, log_every), max(1, checkpoint_every), keep
        self._means = TermMeans()
        self._rate = 0.0
        self.saved_step: int | None = None
        self._listed: list[Path] | None = None  # the run's checkpoints, oldest first (read once, then kept)

    def start(self, **facts) -> None:
        self.run.append({"event": "start", **facts})

    def step(self, event) -> None:
        """A trainer StepEvent."""
        self._means.add(event.terms)
        self._rate = event.samples_per_s
        if event.step % self.log_every == 0:
            self._flush(event.step, event.epoch)

    def _flush(self, step: int, epoch: int) -> None:
        terms = self._means.take()
        if terms:
            self.run.append({"event": "step", "step": step, "epoch": epoch, "terms": terms,
                             "samples_per_s": round(self._rate, 1)})

    def epoch(self, event) -> None:
        """A trainer EpochEvent: its test figures, and a checkpoint when one is due."""
        self.run.append({"event": "epoch", "step": event.step, "epoch": event.epoch, "test": event.test})
        if event.epoch % self.checkpoint_every == 0:
            self.checkpoint(event.step, event.test)

    def checkpoint(self, step: int, metrics: dict[str, float]) -> None:
        if self.saved_step == step:
            return
        path = self.run.checkpoint_path(step)
        if self._listed is None:
            self._listed = self.run.checkpoints()
        self.save(path, metrics)
        self.saved_step = step
        self.run.append({"event": "checkpoint", "step": step, "file": path.name})
        self._listed = [p for p in self._listed if p != path] + [path]
        self._listed = self.run.prune(self.keep, self._listed)

    def finish(self, step: int, epoch: int, reason: str, message: str, metrics: dict[str, float]) -> None:
        self._flush(step, epoch)
        self.checkpoint(step, metrics)
        self.run.append({"event": "end", "step": step, "epoch": epoch, "reason": reason, "message": message})


# -- scratch folders -----------------------------------------------------------------------------------------
# The window's runs (gui/process_run.py) and pair trainings (gui/panels/walkback.py) work in a scratch folder in
# the temp dir, removed when done and at exit. A process killed outright (SIGKILL, a power cut) removes nothing:
# its folder is named with its pid, and the next one of its kind sweeps it once that process is gone, as
# core/data/named.py sweeps the half-built caches of dead builds.


def make_scratch(kind: str, root: str | Path | None = None) -> Path:
    """A new folder `latentlab-KIND-PID-XXXXXXXX` in `root` (the temp dir), after removing those of dead processes."""
    remove_dead_scratch(kind, root)
    return Path(tempfile.mkdtemp(prefix=f"latentlab-{kind}-{os.getpid()}-", dir=root))


def remove_dead_scratch(kind: str, root: str | Path | None = None) -> list[Path]:
    """Remove the scratch folders of `kind` in `root` (the temp dir) whose process has ended; the removed.

    Only folders named as make_scratch names them, owned by this user, not links; never one whose process is
    alive (or cannot be told: another user's, a pid out of range), never this process's own."""
    own = re.compile(rf"^latentlab-{re.escape(kind)}-(\d+)-[a-z0-9_]+$")
    removed = []
    for folder in Path(root or tempfile.gettempdir()).glob(f"latentlab-{kind}-*"):
        found = own.match(folder.name)
        if found is None:
            continue  # an older name without a pid, or not ours
        pid = int(found.group(1))
        try:
            info = folder.lstat()
        except OSError:
            continue
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or pid <= 0 or pid == os.getpid():
            continue
        if process_gone(pid):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed
