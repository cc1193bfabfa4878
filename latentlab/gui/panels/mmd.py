"""The MMD comparison dock: two sample sets, a kernel and a bandwidth, and every piece of MMD^2 made visible.

The pooled sample (A then B) has its squared distances computed once (core.mmd.PooledDistances), so
moving the bandwidth slider re-evaluates MMD^2 and the kernel matrix without recomputing distances.
The permutation test runs off the GUI thread, in chunks, with progress and cancel. The leaderboard
tab scores every loaded model against held-out data.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyqtgraph as pg
import torch
from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSlider,
    QSpinBox,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from latentlab.core.checkpoints import CheckpointError, load_checkpoint
from latentlab.core.data import as_float
from latentlab.core.kernels import pairwise_distances
from latentlab.core.latent import PCAProjection
from latentlab.core.mmd import PooledDistances, permutation_test
from latentlab.core.models import LatentModel
from latentlab.core.pretrained import shipped_path
from latentlab.core.two_sample import energy_distance, energy_permutation_test, wasserstein2, wasserstein_permutation_test
from latentlab.gui.binding import bind, combo_for
from latentlab.gui.exports import name_plot
from latentlab.gui.jobs import Job
from latentlab.gui.panels.leaderboard import LeaderboardView
from latentlab.gui.widgets.colour_by import colour_bar
from latentlab.gui.widgets.image_grid import ImageGridView
from latentlab.gui.widgets.legend import legend_below
from latentlab.gui.widgets.points import set_points
from latentlab.gui.widgets.reflow import SideBySide
from latentlab.gui.widgets.visibility import on_screen
from latentlab.state.leaderboard import LeaderboardState
from latentlab.state.mmd import MULTI, MMDState
from latentlab.state.session import Session

SLIDER_STEPS = 1000
DECADES = 2.0  # the slider spans the median distance times 10^-2 .. 10^2
CURVE_POINTS = 40
PERMUTATION_CHUNK = 100
SET_COLOURS = ((31, 119, 180), (255, 127, 14))
REFRESH_MS = 1000


def factor_of(slider_value: int) -> float:
    """The bandwidth slider's position as a multiple of the median distance."""
    return 10 ** (DECADES * (2 * slider_value / SLIDER_STEPS - 1))


def slider_of(factor: float) -> int:
    offset = math.log10(factor) / DECADES if factor > 0 else -1.0
    return round(SLIDER_STEPS / 2 * (1 + max(-1.0, min(1.0, offset))))


class MMDPanel(QWidget):
    def __init__(self, session: Session, state: MMDState | None = None, leaderboard: LeaderboardState | None = None,
                 extra_models: Callable[[], list[tuple[str, LatentModel]]] = lambda: [], parent=None):
        """`extra_models`: other panels' models offered as sample sources (the walkback pair)."""
        super().__init__(parent)
        self.session = session
        self.state = state or MMDState()
        self.loaded: dict[str, LatentModel] = {}  # checkpoints added here
        self.extra_models = extra_models
        self.ask_checkpoint: Callable[[], str | None] = self._checkpoint_dialog
        self.a: torch.Tensor | None = None  # the two sample sets, as drawn (data or latent space)
        self.b: torch.Tensor | None = None
        self.pooled: PooledDistances | None = None
        self.result: dict[str, float] = {}
        self.job: Job | None = None

        self.sources = [QComboBox(), QComboBox()]
        st = self.state
        self.space = bind(combo_for("mmd.space"), st, "space")
        self.n = bind(QSpinBox(minimum=2, maximum=2000, value=200), st, "n", "mmd")
        self.seed = bind(QSpinBox(minimum=0, maximum=2**31 - 1, value=0), st, "seed", "mmd")
        self.kernel = bind(combo_for("mmd.kernel"), st, "kernel")
        self.distance_metric = bind(combo_for("mmd.metric"), st, "metric")
        self.p = bind(QDoubleSpinBox(minimum=1.0, maximum=20.0, value=3.0, singleStep=0.5), st, "p", "mmd")
        self.slider = bind(QSlider(Qt.Horizontal, minimum=0, maximum=SLIDER_STEPS, value=SLIDER_STEPS // 2), st,
                           "bandwidth", to_widget=slider_of, from_widget=factor_of)
        self.slider.setToolTip("Kernel bandwidth sigma, on a log scale around the median distance")
        self.sigma_label = QLabel()
        self.median_button = QPushButton("Median heuristic")
        self.multi = bind(QCheckBox("Several bandwidths (σ × " + ", ".join(f"{m:g}" for m in MULTI) + ")"), st,
                          "multi", "mmd")
        self.add_button = QPushButton("Add model…")
        self.add_button.setToolTip("Load a checkpoint as a sample source and a leaderboard entry")
        self.stat_label = QLabel()
        self.stat_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.stat_label.setWordWrap(True)  # a long result line must not set the dock's minimum width
        # Beside MMD^2: the Wasserstein and energy distances of the same two sets (core/two_sample.py)
        self.others_label = QLabel()
        self.others_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.others_label.setWordWrap(True)
        self.others: dict[str, float | str] = {}
        self.n_permutations = bind(QSpinBox(minimum=20, maximum=20000, value=500, singleStep=100), st,
                                   "permutations", "mmd")
        self.test_button = QPushButton("Permutation test")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.progress = QProgressBar(maximum=1000, textVisible=False)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self._build_views()
        self.leaderboard = LeaderboardView(session, self.models, leaderboard or LeaderboardState())
        self._layout()

        for box, key in zip(self.sources, "ab"):
            box.currentIndexChanged.connect(lambda *_, b=box, k=key: b.currentData() is not None
                                            and setattr(self.state, k, b.currentData()))
            getattr(st.events, key).connect(lambda *_: self._show_sources())
        for box in (*self.sources, self.space):
            box.currentIndexChanged.connect(self.recompute)
        for box in (self.n, self.seed):
            box.valueChanged.connect(self.recompute)
        for w in (self.kernel, self.distance_metric):
            w.currentIndexChanged.connect(self.update_statistic)
        self.p.valueChanged.connect(self.update_statistic)
        self.multi.toggled.connect(self.update_statistic)
        self.slider.valueChanged.connect(self._bandwidth_moved)
        self.median_button.clicked.connect(self.use_median)
        self.add_button.clicked.connect(self.add_model)
        st.events.models.connect(self._add_shipped)
        st.events.test.connect(lambda on: on and self.run_permutation_test_now())
        self.test_button.clicked.connect(self.run_permutation_test)
        session.dataset_changed.connect(self.refresh_sources)
        session.model_changed.connect(self.refresh_sources)
        session.selection_changed.connect(self.refresh_sources)
        # Model samples follow training, redrawn at most once a second and only while visible.
        self._stale = False
        session.snapshot_changed.connect(self._snapshot_moved)
        self._timer = QTimer(self, interval=REFRESH_MS, timeout=self._refresh_if_stale)
        self._timer.start()
        self.refresh_sources()
        if st.models:  # asked for before this panel was built (the window builds it when first shown)
            self._add_shipped(st.models)
        if st.test:
            self.run_permutation_test_now()

    def _snapshot_moved(self) -> None:
        follows_model = self.space.currentData() == "latent" or any(
            (box.currentData() or "").startswith("model:") for box in self.sources)
        self._stale = self._stale or follows_model

    def _refresh_if_stale(self) -> None:
        if self._stale and on_screen(self) and self.job is None:
            self.recompute()

    def catch_up(self) -> None:
        """Called when the dock comes to the front: draw what changed while it was hidden."""
        if self._stale:
            self.recompute(force=True)

    # -- building ---------------------------------------------------------------------------
    def _build_views(self) -> None:
        self.points = pg.PlotWidget(background="w", title="the two sets")
        legend_below(self.points, columns=2)  # outside the data area
        self.point_items = [self.points.plot(pen=None, symbol="o", symbolSize=4, symbolPen=None,
                                             symbolBrush=pg.mkBrush(*c, 150), name=name)
                            for c, name in zip(SET_COLOURS, "AB")]
        self.grids = [name_plot(ImageGridView(), "set A"), name_plot(ImageGridView(), "set B")]
        images = QWidget()
        il = QHBoxLayout(images)
        il.setContentsMargins(0, 0, 0, 0)
        for label, grid in zip("AB", self.grids):
            col = QVBoxLayout()
            col.addWidget(QLabel(f"set {label}"))
            col.addWidget(grid, 1)
            il.addLayout(col)
        self.set_stack = QStackedWidget()
        self.set_stack.addWidget(self.points)
        self.set_stack.addWidget(images)
        self.kernel_view, self.kernel_image = _heatmap("kernel (affinity) matrix: A then B", "viridis")
        self.distance_view, self.distance_image = _heatmap("distance matrix: A then B", "CET-L1")
        self.block_lines = [pg.InfiniteLine(angle=a, pen=pg.mkPen("r", width=1.5)) for a in (0, 90) for _ in (0, 1)]
        for k, line in enumerate(self.block_lines):
            (self.kernel_view if k % 2 == 0 else self.distance_view).addItem(line)
        self.curve = pg.PlotWidget(background="w", title="MMD² against bandwidth")
        self.curve.setLogMode(x=True)
        self.curve.setLabel("bottom", "σ")
        self.curve_item = self.curve.plot(pen=pg.mkPen((31, 119, 180), width=2))
        self.curve_marker = pg.InfiniteLine(angle=90, pen=pg.mkPen((214, 39, 40), width=1.5))
        self.curve.addItem(self.curve_marker)
        self.null_plot = pg.PlotWidget(background="w", title="permutation test: null distribution")
        self.null_hist = pg.PlotDataItem(stepMode="center", fillLevel=0, brush=(150, 150, 150, 150), pen="k")
        self.null_plot.addItem(self.null_hist)
        self.observed_line = pg.InfiniteLine(angle=90, pen=pg.mkPen((214, 39, 40), width=2))
        self.null_plot.addItem(self.observed_line)
        for view in (self.points, self.kernel_view, self.distance_view, self.curve, self.null_plot):
            _compact_title(view)

    def _layout(self) -> None:
        sets = QGroupBox("Sample sets")
        form = QFormLayout(sets)
        form.addRow("A", self.sources[0])
        form.addRow("B", self.sources[1])
        form.addRow("Space", self.space)
        form.addRow("n per set", self.n)
        form.addRow("Seed", self.seed)
        form.addRow(self.add_button)
        kernel = QGroupBox("Kernel")
        kform = QFormLayout(kernel)
        kform.addRow("Kernel", self.kernel)
        kform.addRow("σ", self.sigma_label)
        kform.addRow(self.slider)
        kform.addRow(self.median_button)
        kform.addRow(self.multi)
        kform.addRow("Distance view", self.distance_metric)
        kform.addRow("Minkowski p", self.p)
        test = QGroupBox("Two-sample test")
        tform = QFormLayout(test)
        tform.addRow("Permutations", self.n_permutations)
        row = QHBoxLayout()
        row.addWidget(self.test_button)
        row.addWidget(self.cancel_button)
        tform.addRow(row)
        tform.addRow(self.progress)
        controls = QVBoxLayout()
        for w in (sets, kernel, test, self.message):
            controls.addWidget(w)
        controls.addStretch(1)
        views = QWidget()
        grid = QGridLayout(views)
        grid.setContentsMargins(0, 0, 0, 0)
        labels = QVBoxLayout()
        labels.addWidget(self.stat_label)
        labels.addWidget(self.others_label)
        grid.addLayout(labels, 0, 0, 1, 3)
        grid.addWidget(self.set_stack, 1, 0)
        grid.addWidget(self.kernel_view, 1, 1)
        grid.addWidget(self.distance_view, 1, 2)
        grid.addWidget(self.curve, 2, 0, 1, 2)
        grid.addWidget(self.null_plot, 2, 2)
        for c in range(3):
            grid.setColumnStretch(c, 1)
        grid.setRowStretch(1, 1)
        grid.setRowStretch(2, 1)
        tabs = QTabWidget()
        tabs.addTab(views, "Compare two sets")
        tabs.addTab(self.leaderboard, "Leaderboard")
        self.tabs = tabs
        layout = QHBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        side = QWidget()
        side.setLayout(controls)
        side.setMaximumWidth(330)
        layout.addWidget(side)
        layout.addWidget(tabs, 1)
        self.side_by_side = SideBySide(layout)  # the controls above the views in a narrow dock

    def fit_width(self, width: int) -> None:
        self.side_by_side.fit(width)

    def wide_size(self) -> QSize:
        return QSize(self.side_by_side.wide_width(), self.minimumSizeHint().height())

    # -- sources ----------------------------------------------------------------------------
    def models(self) -> list[tuple[str, LatentModel]]:
        """Every model that can be sampled here: the current one, the walkback pair, added checkpoints."""
        out = []
        snap = self.session.snapshot
        if snap is not None:
            out.append((f"current model ({snap.family})", snap))
        out.extend(self.extra_models())
        out.extend(self.loaded.items())
        d = self.session.dataset
        return [(name, m) for name, m in out if d is not None and tuple(m.data_shape) == tuple(d.data_shape)]

    def refresh_sources(self, *_) -> None:
        d = self.session.dataset
        entries = [("train data", "train"), ("test (held-out) data", "test")]
        if d is not None and d.has_labels:
            entries += [(f"class: {name}", f"class:{i}") for i, name in enumerate(d.class_names)]
        if len(self.session.selection):
            entries.append((f"scatter selection ({len(self.session.selection)})", "selection"))
        entries += [(f"samples: {name}", f"model:{name}") for name, _ in self.models()]
        for k, box in enumerate(self.sources):
            keep = (self.state.a, self.state.b)[k]
            box.blockSignals(True)
            box.clear()
            for text, key in entries:
                box.addItem(text, key)
            # B shows the newest model's samples unless the user chose something else
            default = "test" if k == 0 else (entries[-1][1] if entries[-1][1].startswith("model:") else "train")
            index = box.findData(default if keep in (None, "train") else keep)
            box.setCurrentIndex(index if index >= 0 else max(0, box.findData(default)))
            box.blockSignals(False)
            setattr(self.state, "ab"[k], box.currentData())
        self.recompute()

    def _show_sources(self) -> None:
        """mmd.a or mmd.b set from outside: choose it in its box (an unknown source is a message)."""
        for box, key in zip(self.sources, (self.state.a, self.state.b)):
            index = box.findData(key)
            if index < 0 and box.count():
                known = ", ".join(str(box.itemData(i)) for i in range(box.count()))
                self.session.message.emit("warning", f"no sample source {key!r} here; known: {known}")
            elif index != box.currentIndex():
                box.setCurrentIndex(index)

    def draw_set(self, key: str, which: int = 0) -> torch.Tensor:
        """n points from source `key`, in data space; set `which` (0 = A, 1 = B) has its own seed, so
        A and B from the same source are two independent draws."""
        d, n = self.session.dataset, self.state.n
        g = torch.Generator().manual_seed(self.state.seed * 2 + which)
        if key.startswith("model:"):
            model = dict(self.models())[key[6:]]
            with torch.no_grad():
                return model.sample(n, generator=g).cpu()
        if key == "train" or key == "test":
            pool = d.train_x if key == "train" else d.test_x
        elif key == "selection":
            pool = d.train_x[torch.as_tensor(self.session.selection)]
        else:
            pool = d.train_x[d.train_y == int(key.split(":")[1])]
        rows = torch.randperm(len(pool), generator=g)[:n]
        return as_float(pool[rows])  # uint8 images: pixels / 255, like a model's samples

    def _to_space(self, x: torch.Tensor) -> torch.Tensor:
        if self.state.space == "data":
            return x
        snap = self.session.snapshot
        if snap is None or not snap.can("encode"):
            raise ValueError(snap.why_not("encode") if snap is not None else "no model")
        with torch.no_grad():
            return snap.encode(x.float())

    # -- computing --------------------------------------------------------------------------
    def recompute(self, *_, force: bool = False) -> None:
        """Draw both sets and their pooled distances (the slow part), then the statistic.
        A panel that is not on screen only notes that it is out of date and catches up when shown."""
        if not force and not on_screen(self):
            self._stale = True
            return
        self._stale = False
        if self.session.dataset is None or self.sources[0].count() == 0:
            return
        try:
            a, b = (self._to_space(self.draw_set(box.currentData(), k)) for k, box in enumerate(self.sources))
        except (ValueError, KeyError, RuntimeError) as e:
            self.message.setText(f"cannot draw the sets: {e}")
            return
        self.message.setText("")
        self.a, self.b = _sorted_along_first_component(a, b)
        self.pooled = PooledDistances(self.a.flatten(1).float(), self.b.flatten(1).float())
        self._clear_test()
        self._draw_sets()
        self._other_statistics()
        self.update_statistic()
        if self.state.test:
            self.run_permutation_test_now()

    def _other_statistics(self) -> None:
        """W_2 (exact up to EXACT_MAX points a set, sliced above) and the energy distance: no kernel, no bandwidth."""
        a, b = self.a.flatten(1).double(), self.b.flatten(1).double()
        w2, method = wasserstein2(a, b, torch.Generator().manual_seed(self.state.seed))
        self.others = {"wasserstein": w2, "method": method, "energy": energy_distance(None, None, self.pooled)}
        self._show_others()

    def _show_others(self, tests: dict | None = None) -> None:
        o = self.others
        if not o:
            return
        p = (lambda key: f" (p = {tests[key].p_value:.3g})") if tests else (lambda key: "")  # noqa: E731
        name = "W₂" if o["method"] == "exact" else "sliced W₂"
        self.others_label.setText(f"<b>{name}</b> = {o['wasserstein']:.4g}{p('wasserstein')}   "
                                  f"<b>energy distance</b> E² = {o['energy']:.4g}{p('energy')}   "
                                  f"({'exact optimal matching' if o['method'] == 'exact' else '50 random directions'})")

    def sigmas(self) -> list[float]:
        sigma = self.sigma()
        return [sigma * f for f in MULTI] if self.state.multi else [sigma]

    def sigma(self) -> float:
        median = self.pooled.median_sigma() if self.pooled is not None else 1.0
        return median * factor_of(slider_of(self.state.bandwidth))

    def use_median(self) -> None:
        """The median heuristic: the bandwidth at the median distance, the middle of the slider."""
        self.set_bandwidth_factor(1.0)

    def set_bandwidth_factor(self, factor: float) -> None:
        """`factor` times the median distance (clamped to the slider's range)."""
        self.state.bandwidth = factor_of(slider_of(factor))

    def _bandwidth_moved(self, *_) -> None:
        self._clear_test()
        self.update_statistic(curve=False)

    def update_statistic(self, *_, curve: bool = True) -> None:
        """MMD^2 and the kernel matrix for the current kernel and bandwidth, from the cached distances."""
        if self.pooled is None:
            return
        kernel, sigmas = self.state.kernel, self.sigmas()
        sums = self.pooled.sums(kernel, sigmas)
        self.result = {"biased": float(sums.mmd2("biased")), "unbiased": float(sums.mmd2("unbiased"))}
        self.sigma_label.setText(", ".join(f"{s:.4g}" for s in sigmas))
        m, n = self.pooled.m, self.pooled.n
        self.stat_label.setText(f"<b>MMD²</b> biased = {self.result['biased']:.6g}   unbiased = "
                                f"{self.result['unbiased']:.6g}   (m = {m}, n = {n}, {kernel} kernel, σ = "
                                f"{self.sigma_label.text()})")
        k = self.pooled.kernel(kernel, sigmas).numpy()
        _show_heatmap(self.kernel_image, k)
        for line in self.block_lines:
            line.setValue(m)
        self.curve_marker.setValue(math.log10(self.sigma()))
        if curve:
            self._draw_curve()
            self._draw_distances()

    def _draw_curve(self) -> None:
        centre = math.log10(self.pooled.median_sigma())
        grid = np.logspace(centre - DECADES, centre + DECADES, CURVE_POINTS)
        kernel = self.state.kernel
        values = [float(self.pooled.mmd2(kernel, float(s))) for s in grid]
        self.curve_item.setData(grid, values)
        self.curve.setLabel("left", f"MMD² (biased, {kernel})")

    def _draw_distances(self) -> None:
        pooled = torch.cat([self.a.flatten(1), self.b.flatten(1)]).float()
        try:
            dist = pairwise_distances(pooled, metric=self.state.metric, p=self.state.p)
        except ValueError as e:  # e.g. a singular covariance for Mahalanobis
            self.message.setText(str(e))
            self.distance_image.clear()
            return
        self.distance_view.setTitle(f"{self.state.metric} distances: A then B")
        _show_heatmap(self.distance_image, dist.numpy())

    def _draw_sets(self) -> None:
        a, b = self.a, self.b
        if a.dim() > 2:  # images
            self.set_stack.setCurrentIndex(1)
            for grid, x in zip(self.grids, (a, b)):
                grid.set_images(x[:36].clamp(0, 1).float())
            return
        self.set_stack.setCurrentIndex(0)
        if a.shape[1] != 2:
            pca = PCAProjection.fit(torch.cat([a, b]).float())
            a, b = pca.to_2d(a.float()), pca.to_2d(b.float())
            self.points.setTitle("the two sets (first two principal components)")
        else:
            self.points.setTitle("the two sets")
        for item, x in zip(self.point_items, (a, b)):
            set_points(item, x)

    # -- the permutation test -----------------------------------------------------------------
    def _clear_test(self) -> None:
        """A shown or running test belongs to the old sets or bandwidth: drop it."""
        if self.job is not None:
            self.job.cancel()
        self.result.pop("p_value", None)
        self.null_hist.setData([], [])
        self.observed_line.setValue(0)
        self.null_plot.setTitle("permutation test: null distribution")
        for key in ("wasserstein_p", "energy_p"):
            self.others.pop(key, None)
        self._show_others()

    def run_permutation_test_now(self) -> None:
        """The test in this thread (for --screenshot and scripts)."""
        if self.pooled is not None:
            self._show_test(self._permutation_work()(lambda f: None, lambda: False))

    def run_permutation_test(self) -> bool:
        """The test in the background, with progress and Cancel; the histogram appears when it is done."""
        if self.pooled is None or self.job is not None:
            return False
        self.job = Job(self._permutation_work(), "latentlab-permutation", self)
        self.job.bind(self.progress, self.test_button, self.cancel_button)
        self.job.done.connect(self._show_test)
        self.job.failed.connect(lambda msg: self.message.setText(f"the test failed: {msg}"))
        self.job.ended.connect(self._job_ended)
        self.job.start()
        return True

    def _permutation_work(self):
        """The test as a function of (report, cancelled), on the cached distances (core.mmd)."""
        pooled, kernel, sigmas = self.pooled, self.state.kernel, self.sigmas()
        total, seed = self.state.permutations, self.state.seed

        a, b = self.a.flatten(1).double(), self.b.flatten(1).double()

        def work(report, cancelled):
            """MMD^2's test, then W_2's and the energy distance's, each a third of the progress bar."""
            def part(i):
                return lambda f: report((i + f) / 3)
            mmd = permutation_test(None, None, kernel, sigmas, "unbiased", total, torch.Generator().manual_seed(seed),
                                   distances=pooled, batch=PERMUTATION_CHUNK, report=part(0), cancelled=cancelled)
            others = {"energy": energy_permutation_test(a, b, total, torch.Generator().manual_seed(seed), pooled,
                                                        batch=PERMUTATION_CHUNK, report=part(1), cancelled=cancelled),
                      "wasserstein": wasserstein_permutation_test(a, b, total, torch.Generator().manual_seed(seed),
                                                                  report=part(2), cancelled=cancelled)}
            return mmd, others

        return work

    def _show_test(self, results) -> None:
        result, others = results
        self.others.update({f"{k}_p": r.p_value for k, r in others.items()})
        self._show_others(others)
        statistic, null, p = result.statistic, result.null, result.p_value
        self.result.update(p_value=p, statistic=statistic)
        counts, edges = np.histogram(null.numpy(), bins=40)
        self.null_hist.setData(edges, counts)
        self.observed_line.setValue(statistic)
        self.null_plot.setTitle(f"null ({len(null)} permutations), p = {p:.3g}")
        self.stat_label.setText(self.stat_label.text() + f"   <b>permutation test</b>: p = {p:.3g}")

    def _job_ended(self) -> None:
        self.job = None

    # -- models ---------------------------------------------------------------------------------
    def _checkpoint_dialog(self) -> str | None:
        path, _ = QFileDialog.getOpenFileName(self, "Add a model", "", "latentlab checkpoints (*.safetensors)")
        return path or None

    def add_model(self, path: str | None = None, name: str | None = None) -> bool:
        """Load a checkpoint as a sample source, listed as `name` (default: its file name)."""
        path = path or self.ask_checkpoint()
        if not path:
            return False
        try:
            model = load_checkpoint(path).model.eval()
        except CheckpointError as e:
            self.message.setText(str(e))
            return False
        d = self.session.dataset
        if d is not None and tuple(model.data_shape) != tuple(d.data_shape):
            self.message.setText(f"{path}: its model makes data of shape {model.data_shape}, not {d.data_shape}")
            return False
        self.loaded[name or Path(path).stem] = model
        self.refresh_sources()
        return True

    def _add_shipped(self, names: frozenset[str]) -> None:
        """mmd.models: shipped pretrained models as sample sources."""
        for name in sorted(set(names) - set(self.loaded)):
            try:
                path = shipped_path(name)
            except ValueError as e:
                self.session.message.emit("error", str(e))
                continue
            self.add_model(str(path), name=name)

    def show_tab(self, which: str) -> None:
        """"mmd": the two-set comparison in front; "leaderboard": the leaderboard."""
        self.tabs.setCurrentIndex(1 if which == "leaderboard" else 0)

    def shutdown(self) -> None:
        for job in (self.job, self.leaderboard.job):
            if job is not None:
                job.cancel_and_wait()


def _sorted_along_first_component(a: torch.Tensor, b: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Each set ordered along the pooled sample's first principal component: MMD^2 does not change,
    but the kernel and distance matrices show structure instead of noise."""
    flat = torch.cat([a.flatten(1), b.flatten(1)]).float()
    if flat.shape[0] < 3 or flat.shape[1] < 2:
        return a, b
    axis = PCAProjection.fit(flat).basis[:, 0]
    key = (flat - flat.mean(0)) @ axis
    return a[key[:len(a)].argsort()], b[key[len(a):].argsort()]


def _compact_title(view: pg.PlotWidget) -> None:
    """A smaller title, kept for later setTitle calls: pyqtgraph never shrinks a title below its text,
    so in a squeezed dock long default-size titles pushed the right-hand plots past the edge."""
    label = view.getPlotItem().titleLabel
    label.opts["size"] = "9pt"
    view.setTitle(label.text)


def _heatmap(title: str, colormap: str) -> tuple[pg.PlotWidget, pg.ImageItem]:
    view = pg.PlotWidget(background="w", title=title)
    view.invertY(True)
    view.setAspectLocked(True)
    image = pg.ImageItem(axisOrder="row-major")
    image.setLookupTable(pg.colormap.get(colormap).getLookupTable(nPts=256))
    view.addItem(image)
    # What a colour means, beside the map (not linked to the image: pyqtgraph's link resets its levels).
    bar = colour_bar(colormap)
    view.getPlotItem().layout.addItem(bar, 2, 5)
    image.colour_bar = bar
    return view, image


def _show_heatmap(image: pg.ImageItem, values: np.ndarray) -> None:
    """The matrix from 0 to its largest value, the colour bar with the same levels."""
    levels = (0.0, float(values.max()) or 1.0)
    image.setImage(values, levels=levels)
    image.colour_bar.setLevels(levels)
