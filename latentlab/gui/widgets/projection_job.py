"""The scatter's UMAP and t-SNE fits, in the background: one Job at a time, with progress and cancel, and
the finished fits in a state/projection.py cache (switching back is instant)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QObject, Signal

from latentlab.core.projections import TITLES, NonlinearProjection, fit_projection, reach_grid
from latentlab.gui.jobs import Job
from latentlab.state.projection import Key, ProjectionCache


class ProjectionJobs(QObject):
    ready = Signal()  # a fit finished (the panel redraws)
    failed = Signal(str)

    def __init__(self, busy: Callable[[str | None], None], parent: QObject | None = None):
        super().__init__(parent)
        self.cache = ProjectionCache()
        self.busy = busy
        self.job: Job | None = None
        self.key: Key | None = None  # what the running job fits
        self.failures: dict[Key, str] = {}  # fits that failed, not tried again for the same codes
        self._live: list[Job] = []  # with cancelled ones still finishing (umap's neighbour search cannot stop)

    def want(self, key: Key, codes: np.ndarray, others: np.ndarray | None = None) -> None:
        """Start fitting `key` (`codes`; `others` are placed afterwards) unless it is being fitted; a job
        for other codes is cancelled (it would be stale)."""
        if self.job is not None and self.key == key:
            return
        self.cancel()
        params = key[0]
        title = TITLES[params.kind]
        def work(report, cancelled) -> NonlinearProjection:
            fit = fit_projection(codes, params, report, cancelled)
            if others is not None and len(others):
                fit.place(others)  # the test codes, placed by their nearest fitted codes
            reach_grid(fit)  # the shading's raster
            return fit

        job = Job(work, "latentlab-projection", self)
        job.progress.connect(lambda f, t=title: self.busy(f"computing {t} of {len(codes)} codes… {f:.0%} "
                                                          "(Esc in the plot or another view cancels it)"))
        job.done.connect(lambda fit, k=key: self._done(k, fit))
        job.failed.connect(lambda e, t=title, k=key: self._failed(k, f"{t} failed: {e}"))
        job.ended.connect(lambda j=job: self._ended(j))
        self.job, self.key = job, key
        self._live.append(job)
        self.busy(f"computing {title} of {len(codes)} codes… (the first time, umap-learn compiles for a while)"
                  if params.kind == "umap" else f"computing {title} of {len(codes)} codes…")
        job.start()

    def _done(self, key: Key, fit: NonlinearProjection) -> None:
        self.cache.put(key, fit)
        self.ready.emit()

    def _failed(self, key: Key, message: str) -> None:
        self.failures[key] = message
        self.failed.emit(message)

    def _ended(self, job: Job) -> None:
        if job in self._live:
            self._live.remove(job)
        if job is self.job:
            self.job, self.key = None, None
            self.busy(None)

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.job, self.key = None, None
            self.busy(None)

    def running(self) -> bool:
        return self.job is not None

    def wait(self, timeout_ms: int = 120_000) -> None:
        if self.job is not None:
            self.job.thread.wait(timeout_ms)

    def shutdown(self) -> None:
        for job in list(self._live):
            job.cancel_and_wait(60_000)
