"""The walkback chain animator: a DAE's sampling chain (corrupt, then denoise), step by step.

Two models side by side — the same architecture trained without and with walkback, on the same
data, seed and budget — run from the same start points with the same random numbers. For 2-D
data, the particles move over the data's KDE with trails for a few chains; for images, a filmstrip
of one chain's corrupted and denoised states, and its trajectory drawn in the latent scatter.
Below, MMD^2 between the particles and held-out data as a curve over t, one per model.
"""

from __future__ import annotations

import shutil
from dataclasses import replace

import pyqtgraph as pg
import torch
from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSlider,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from latentlab.core.checkpoints import CheckpointError, load_checkpoint, save_checkpoint
from latentlab.core.corruption import IMAGE_ONLY, make_corruption
from latentlab.core.images import write_gif
from latentlab.core.models.dae import DAEConfig, DenoisingAutoencoder
from latentlab.core.pretrained import shipped_path
from latentlab.core.recipes import dataset_record, model_for_dataset
from latentlab.core.run_dir import make_scratch
from latentlab.core.walkback import (
    ChainRun,
    PairResult,
    chain_bandwidths,
    chain_frames,
    chain_mmd_curve,
    train_walkback_pair,
)
from latentlab.gui.binding import bind, combo_for
from latentlab.gui.exports import ExportOptions, name_plot, save_reporting
from latentlab.gui.jobs import Job
from latentlab.gui.process_job import ProcessJob
from latentlab.gui.widgets.colour_by import plain_units
from latentlab.gui.widgets.density import PALE, DensityImage, density_item, kde_image, show_density
from latentlab.gui.widgets.image_grid import ImageGridView
from latentlab.gui.widgets.inputs import float_box, int_box
from latentlab.gui.widgets.legend import legend_below
from latentlab.gui.widgets.points import set_points
from latentlab.gui.widgets.reflow import SideBySide
from latentlab.gui.widgets.visibility import on_screen
from latentlab.state.session import Session
from latentlab.state.walkback import WalkbackState

CURVE_COLOURS = ((214, 39, 40), (31, 119, 180))
TRAILS = 4
TRAIL_LENGTH = 30
FILMSTRIP = 10  # states of chain 0 shown for images
MMD_PARTICLES = 1000  # MMD^2 against held-out data uses at most this many particles
NO_MODEL = "Train a pair here, or choose the dae model in Model & data, to run chains."


class ChainView(pg.PlotWidget):
    """One model's particles over the data density, with trails; a click sets the start point."""

    def __init__(self, title: str, on_click):
        super().__init__(background="w", title=title)
        self.setAspectLocked(True)
        self.density = density_item(1.0, PALE)
        self.addItem(self.density)
        legend_below(self, columns=2)  # outside the data area
        self.corrupted = pg.ScatterPlotItem(size=3, pen=None, brush=pg.mkBrush(214, 39, 40, 70), name="corrupted x~")
        self.particles = pg.ScatterPlotItem(size=4, pen=None, brush=pg.mkBrush(31, 119, 180, 150), name="denoised x")
        self.addItem(self.corrupted)
        self.addItem(self.particles)
        self.trails = [self.plot(pen=pg.mkPen((230, 85, 13), width=1.5)) for _ in range(TRAILS)]
        self.start_mark = pg.ScatterPlotItem(size=12, symbol="x", pen=pg.mkPen("k", width=2))
        self.addItem(self.start_mark)
        self.on_click = on_click
        self.scene().sigMouseClicked.connect(self._clicked)

    def _clicked(self, ev) -> None:
        if ev.button() == Qt.LeftButton:
            p = self.getPlotItem().vb.mapSceneToView(ev.scenePos())
            self.on_click(torch.tensor([p.x(), p.y()], dtype=torch.float32))


class WalkbackPanel(QWidget):
    def __init__(self, session: Session, state: WalkbackState | None = None, parent=None):
        super().__init__(parent)
        self.session = session
        self.state = state or WalkbackState()
        self.pair: tuple[DenoisingAutoencoder, DenoisingAutoencoder] | None = None
        self.pair_key: tuple | None = None  # the data and architecture the pair was trained for
        self.runs: list[ChainRun] = []
        self.names: list[str] = []
        self.mmd: list[tuple[list[int], list[float]]] = []
        self.clicked: torch.Tensor | None = None
        self.job: Job | ProcessJob | None = None
        self.bandwidths: tuple[float, ...] = ()
        self._density: tuple[object, DensityImage | None] = (None, None)  # (the dataset, its KDE)
        self._stale = True

        # -- chain controls
        st = self.state
        self.start = bind(combo_for("walkback.start"), st, "start")
        self.particles = bind(int_box(1, 5000, 1000), st, "particles", "walkback")
        self.steps = bind(int_box(1, 5000, 100), st, "play_steps", "walkback")
        self.corruption = bind(combo_for("walkback.corruption"), st, "corruption")
        self.level = bind(float_box(0.0, 10.0, 0.2, step=0.05), st, "level", "walkback")
        self.mean_step = bind(QCheckBox("Denoise with the mean of P(x|x~)"), st, "mean", "walkback")
        self.seed = bind(int_box(0, 2**31 - 1, 0), st, "seed", "walkback")
        self.speed = bind(QSlider(Qt.Horizontal, minimum=1, maximum=60, value=15), st, "speed", "walkback")
        self.step_button = QPushButton("Step")
        self.play_button = QPushButton("Play")
        self.play_button.setCheckable(True)
        self.reset_button = QPushButton("Reset")
        self.gif_button = QPushButton("GIF…")
        self.gif_button.setToolTip("Save the chains so far, step by step, as an animated GIF")
        self.ask_gif_path = lambda: QFileDialog.getSaveFileName(self, "Save the chains as GIF", "chains.gif",
                                                                "GIF animation (*.gif)")[0] or None
        self.t_label = QLabel("t = 0")

        # -- the comparison pair
        self.walkback = bind(int_box(1, 20, 1), st, "pair_walkback", "walkback")
        self.walkback_p = bind(float_box(0.0, 1.0, 1.0, decimals=2), st, "pair_walkback_p", "walkback")
        self.pair_epochs = bind(int_box(1, 10000, 30), st, "pair_epochs", "walkback")
        self.train_button = QPushButton("Train pair")
        self.train_button.setToolTip("Train two DAEs like the current model's settings, without and with walkback, "
                                     "with the same seed, data and number of epochs")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(False)
        self.status = QLabel()
        self.status.setWordWrap(True)

        # -- views
        self.views = [ChainView("", self._set_clicked), ChainView("", self._set_clicked)]
        points = QWidget()
        pl = QHBoxLayout(points)
        pl.setContentsMargins(0, 0, 0, 0)
        for v in self.views:
            pl.addWidget(v, 1)  # the two models get the same room
        self.strips = [name_plot(ImageGridView(), f"filmstrip, {which} model") for which in ("first", "second")]
        for view, which in zip(self.views, ("first", "second")):
            name_plot(view, f"chains, {which} model")
        self.strip_labels = [QLabel(), QLabel()]
        images = QWidget()
        il = QVBoxLayout(images)
        il.setContentsMargins(0, 0, 0, 0)
        for label, strip in zip(self.strip_labels, self.strips):
            il.addWidget(label)
            il.addWidget(strip, 1)
        self.stack = QStackedWidget()
        self.stack.addWidget(points)
        self.stack.addWidget(images)
        self.curve_plot = pg.PlotWidget(background="w")
        self.curve_plot.setLabel("bottom", "chain step t")
        self.curve_plot.setLabel("left", "MMD² to held-out data")
        for axis in ("bottom", "left"):
            plain_units(self.curve_plot.getAxis(axis))  # no "(x0.001)" while it is empty
        self.legend = legend_below(self.curve_plot, columns=2)
        self.curves = [self.curve_plot.plot(pen=pg.mkPen(c, width=2)) for c in CURVE_COLOURS]

        self._layout()
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._tick)
        self.step_button.clicked.connect(lambda: self.advance(1))
        self.play_button.toggled.connect(self.play)
        self.reset_button.clicked.connect(self.reset)
        self.gif_button.clicked.connect(lambda: self.export_gif())
        self.speed.valueChanged.connect(lambda v: self.timer.setInterval(int(1000 / v)))
        self.train_button.clicked.connect(self.train_pair)
        for w in (self.start, self.corruption):
            w.currentIndexChanged.connect(self.reset)
        for w in (self.particles, self.level, self.seed):
            w.valueChanged.connect(self.reset)
        self.mean_step.toggled.connect(self.reset)
        session.model_changed.connect(self._models_changed)
        session.dataset_changed.connect(self._models_changed)
        session.focus_changed.connect(self._focus_changed)
        session.state_changed.connect(lambda *_: self._models_changed())
        st.events.t.connect(self._run_to)
        st.events.pair.connect(self._pair_asked)
        self._models_changed()
        self._catch_up_with_state()

    def _catch_up_with_state(self) -> None:
        """What was decoded or asked for before this panel was built (the window builds it when first shown)."""
        s = self.session
        if s.focus is not None and s.snapshot is not None and s.snapshot.can("decode"):
            with torch.no_grad():
                self._focus_changed(s.focus, s.snapshot.decode(s.focus.reshape(1, -1)))
        if self.state.pair:
            self._pair_asked(self.state.pair)
        if self.state.t:
            self._run_to(self.state.t)

    def _layout(self) -> None:
        chain = QGroupBox("Chain")
        form = QFormLayout(chain)
        form.addRow("Start from", self.start)
        form.addRow("Chains", self.particles)
        form.addRow("Steps", self.steps)
        form.addRow("Corruption", self.corruption)
        form.addRow("Level", self.level)
        form.addRow(self.mean_step)
        form.addRow("Seed", self.seed)
        form.addRow("Speed", self.speed)
        buttons = QHBoxLayout()
        for b in (self.step_button, self.play_button, self.reset_button, self.gif_button):
            buttons.addWidget(b)
        form.addRow(buttons)
        form.addRow(self.t_label)
        pair = QGroupBox("With / without walkback")
        pform = QFormLayout(pair)
        pform.addRow("Walkback steps", self.walkback)
        pform.addRow("Continue prob.", self.walkback_p)
        pform.addRow("Epochs each", self.pair_epochs)
        row = QHBoxLayout()
        row.addWidget(self.train_button)
        row.addWidget(self.cancel_button)
        pform.addRow(row)
        pform.addRow(self.progress)
        pform.addRow(self.status)
        controls = QVBoxLayout()
        controls.setContentsMargins(0, 0, 0, 0)
        controls.addWidget(chain)
        controls.addWidget(pair)
        controls.addStretch(1)
        side = QWidget()
        side.setLayout(controls)
        views = QVBoxLayout()
        views.addWidget(self.stack, 3)
        views.addWidget(self.curve_plot, 2)
        outer = QHBoxLayout(self)
        outer.setContentsMargins(2, 2, 2, 2)
        outer.addWidget(side)
        outer.addLayout(views, 1)
        self.stack.setMinimumHeight(220)  # stacked under the controls in a narrow dock, the views keep room
        self.side_by_side = SideBySide(outer)  # the controls above the views in a narrow dock

    def fit_width(self, width: int) -> None:
        self.side_by_side.fit(width)

    def wide_size(self) -> QSize:
        return QSize(self.side_by_side.wide_width(), self.minimumSizeHint().height())

    # -- which models ------------------------------------------------------------------
    def _dataset_key(self) -> tuple | None:
        d = self.session.dataset
        return None if d is None else (d.name, tuple(d.data_shape))

    def pair_models(self) -> list[tuple[str, DenoisingAutoencoder]]:
        """The pair, if one was trained for this data (the MMD panel samples and scores it too)."""
        if self.pair is None or self.pair_key != self._dataset_key():
            return []
        k = self.pair[1].config.walkback
        return [("without walkback", self.pair[0]), (f"with walkback ({k} step{'s' * (k > 1)})", self.pair[1])]

    def models(self) -> list[tuple[str, DenoisingAutoencoder]]:
        """The pair if one was trained for this data, else the session's model if it is a DAE."""
        snap = self.session.snapshot
        if not self.pair_models() and isinstance(snap, DenoisingAutoencoder):
            return [(f"current model (walkback {snap.config.walkback})", snap)]
        if not self.pair_models() and snap is not None and snap.family == "plugin" and snap.can("walkback"):
            # a plug-in that declares a corruption: its chain is corrupt, then reconstruct
            return [(f"current model ({snap.config.class_name})", snap)]  # type: ignore[list-item]
        return self.pair_models()

    def _models_changed(self, *_) -> None:
        d = self.session.dataset
        images = d is not None and d.kind == "image"
        self.stack.setCurrentIndex(1 if images else 0)
        for i in range(self.corruption.count()):
            kind = self.corruption.itemData(i)
            item = self.corruption.model().item(i)
            item.setEnabled(images or kind not in IMAGE_ONLY)
        busy = self.job is not None
        self.train_button.setEnabled(not busy and d is not None and self.session.state == "idle")
        self.reset()

    # -- the chain ---------------------------------------------------------------------
    def _set_clicked(self, point: torch.Tensor) -> None:
        self.clicked = point
        self.state.start = "click"
        self.reset()

    def _focus_changed(self, z, decoded) -> None:
        self.clicked = None
        if decoded is not None:
            self.clicked = decoded[0].detach().float()

    def start_points(self, model: DenoisingAutoencoder) -> torch.Tensor:
        n, d = self.particles.value(), self.session.dataset
        g = torch.Generator().manual_seed(self.state.seed)
        kind = self.state.start
        if kind == "click" and self.clicked is not None and tuple(self.clicked.shape) == tuple(d.data_shape):
            return self.clicked.expand(n, *self.clicked.shape).clone()
        if kind == "noise":
            return model.start_noise(n, g)
        rows = torch.randint(0, len(d.train_x), (n,), generator=g)
        return d.floats("train", rows)  # a new tensor, floats in [0, 1] for images

    def catch_up(self) -> None:
        """Called when the dock comes to the front: build what changed while it was hidden."""
        if self._stale:
            self.reset(force=True)

    def reset(self, *_, force: bool = False) -> None:
        """New chains from the start points (all models, the same random numbers). A panel that
        is not on screen only notes that it is out of date and catches up when shown."""
        self.play_button.setChecked(False)
        if not force and not on_screen(self):
            self._stale = True
            return
        self._stale = False
        models = self.models()
        self.names = [name for name, _ in models]
        d = self.session.dataset
        if not models or d is None:
            self.runs, self.mmd = [], []
            self.status.setText(NO_MODEL)
            self._draw()
            return
        if self.status.text() == NO_MODEL:
            self.status.setText("")
        try:
            corruption = make_corruption(self.state.corruption, self.state.level)
        except ValueError as e:
            self.status.setText(str(e))
            return
        start = self.start_points(models[0][1])
        self.runs = [ChainRun(m, start, self.state.seed, not self.state.mean, corruption)
                     for _, m in models]
        self.mmd = [([], []) for _ in self.runs]
        self.bandwidths = chain_bandwidths(d.floats("test"))
        self._measure()
        self._draw_density()
        self._draw()

    def play(self, on: bool) -> None:
        self.play_button.setText("Pause" if on else "Play")
        if on and self.runs:
            self.timer.start(int(1000 / self.state.speed))
        else:
            self.timer.stop()

    def _tick(self) -> None:
        if not self.runs or self.runs[0].t >= self.state.play_steps:
            self.play_button.setChecked(False)
            return
        self.advance(1)

    def advance(self, steps: int = 1) -> None:
        for _ in range(steps):
            for run in self.runs:
                run.advance(1)
            self._measure()
        self._draw()
        if self.runs:
            self.state.t = self.runs[0].t

    def _run_to(self, t: int) -> None:
        """walkback.t set from outside (a lesson, --set): fresh chains, run to step t."""
        if self.runs and self.runs[0].t == t:
            return
        if t == 0:
            self.reset()
            return
        self.reset(force=True)
        if t > 0 and self.runs:
            self.advance(t)

    def _pair_asked(self, value: str) -> None:
        """walkback.pair: "train" trains the pair here; "NAME, NAME" opens two shipped DAEs (without, with)."""
        value = value.strip()
        if value == "train":
            self.train_pair_now()
        elif value:
            names = [v.strip() for v in value.split(",") if v.strip()]
            try:
                if len(names) != 2:
                    raise ValueError(f"walkback.pair names two pretrained DAEs (without, with), got {value!r}")
                models = [load_checkpoint(shipped_path(n)).model for n in names]
            except (ValueError, CheckpointError) as e:
                self.session.message.emit("error", str(e))
                return
            if not all(isinstance(m, DenoisingAutoencoder) for m in models):
                self.session.message.emit("error", f"walkback.pair: {value} are not both denoising autoencoders")
                return
            self.use_pair(*models, note=f"pretrained pair: {names[0]} and {names[1]}")

    def _measure(self) -> None:
        """MMD^2 of the newest state of each chain against held-out data."""
        test = self.session.dataset.floats("test")
        for run, (ts, values) in zip(self.runs, self.mmd):
            state = run.current[:MMD_PARTICLES]
            if len(state) >= 2:
                _, v = chain_mmd_curve([state], test, self.bandwidths)
                ts.append(run.t)
                values.append(v[0])

    def export_gif(self, path: str | None = None) -> bool:
        """Every step so far of both models' chains as one animated GIF."""
        if not self.runs or self.runs[0].t == 0:
            self.session.message.emit("warning", "Step or play the chains first: there is nothing to animate yet.")
            return False
        path = path or self.ask_gif_path()
        if not path:
            return False

        def write() -> str:
            d = self.session.dataset
            frames = chain_frames(self.runs, self.names, d.test_x if d.kind == "points" else None,
                                  scale=ExportOptions.scale or 6)  # File > Image export scale
            write_gif(frames, path, seconds=max(2.0, len(frames) / self.speed.value()))
            return f"saved {len(frames)} chain steps to {path}"

        return save_reporting(self.session, path, write)

    # -- drawing -------------------------------------------------------------------------
    def _draw_density(self) -> None:
        """The training data's KDE behind both views: estimated once per dataset, not on every reset."""
        d = self.session.dataset
        if d is None or d.kind == "image":
            return
        if self._density[0] is not d:
            self._density = (d, kde_image(d.train_x.numpy(), pad=0.35))
        for view in self.views:
            show_density(view.density, self._density[1])

    def _draw(self) -> None:
        t = self.runs[0].t if self.runs else 0
        self.t_label.setText(f"t = {t}" + ("   MMD² " + ", ".join(f"{v[-1]:.4f}" for _, v in self.mmd if v)
                                             if self.mmd else ""))
        self.legend.clear()
        for i, curve in enumerate(self.curves):
            if i < len(self.mmd):
                curve.setData(*self.mmd[i])
                self.legend.addItem(curve, self.names[i])
            else:
                curve.setData([], [])
        if self.stack.currentIndex() == 0:
            self._draw_points()
        else:
            self._draw_images()
        self._draw_trajectory()

    def _draw_points(self) -> None:
        for i, view in enumerate(self.views):
            view.setVisible(i < len(self.runs) or i == 0)
            if i >= len(self.runs):
                view.particles.setData([], [])
                view.corrupted.setData([], [])
                for trail in view.trails:
                    trail.setData([], [])
                continue
            run = self.runs[i]
            view.setTitle(f"{self.names[i]} — t = {run.t}")
            set_points(view.particles, run.current)
            set_points(view.corrupted, run.corrupted[-1] if run.t else torch.zeros(0, 2))
            history = torch.stack(run.clean[-TRAIL_LENGTH:])  # [T, N, 2]
            for k, trail in enumerate(view.trails):
                set_points(trail, history[:, k] if k < history.shape[1] else torch.zeros(0, 2))
            set_points(view.start_mark, run.clean[0][:1])

    def _draw_images(self) -> None:
        for i, (strip, label) in enumerate(zip(self.strips, self.strip_labels)):
            strip.setVisible(i < len(self.runs))
            label.setVisible(i < len(self.runs))
            if i >= len(self.runs):
                continue
            run = self.runs[i]
            first = max(0, run.t - FILMSTRIP + 1)
            denoised = torch.stack([run.clean[t][0] for t in range(first, run.t + 1)])
            if run.t:
                noisy = torch.stack([run.corrupted[t - 1][0] for t in range(max(1, first), run.t + 1)])
                noisy = torch.cat([torch.zeros(len(denoised) - len(noisy), *noisy.shape[1:]), noisy])
            else:
                noisy = torch.zeros_like(denoised)
            label.setText(f"{self.names[i]}: chain 0, steps {first}–{run.t} — corrupted x~ (top), denoised x (bottom)")
            strip.set_images(torch.cat([noisy.clamp(0, 1), denoised.clamp(0, 1)]), nrow=len(denoised))

    def _draw_trajectory(self) -> None:
        """Chain 0 of the first model, each state encoded by the session's model, drawn in the latent scatter."""
        snap, d = self.session.snapshot, self.session.dataset
        if not self.runs or snap is None or not snap.can("encode") or d is None:
            return
        with torch.no_grad():
            states = torch.stack([s[0] for s in self.runs[0].clean]).float()
            if tuple(states.shape[1:]) != tuple(snap.data_shape):
                return
            self.session.set_path(snap.encode(states))

    # -- training the pair ----------------------------------------------------------------
    def pair_config(self) -> DAEConfig | None:
        """The architecture for the pair: the session's DAE settings, or defaults for the dataset."""
        s = self.session
        base = s.snapshot.config if isinstance(s.snapshot, DenoisingAutoencoder) else None
        if base is None:
            settings = {k: v for k, v in s.model_settings.as_config().items() if k in ("latent_dim", "hidden")}
            base = model_for_dataset("dae", s.dataset, **settings).config
        return replace(base, corruption=self.state.corruption, noise=self.state.level)

    def _pair_job(self):
        """The work of training the pair, as a function of (report, cancelled); None if it cannot be built."""
        s = self.session
        try:
            config = self.pair_config()
        except ValueError as e:
            self.status.setText(f"cannot build the pair: {e}")
            return None
        dataset, train = s.dataset, replace(s.train_config, epochs=self.state.pair_epochs)
        walkback, p = self.state.pair_walkback, self.state.pair_walkback_p
        return lambda report, cancelled: train_walkback_pair(config, dataset, train, walkback, p, report, cancelled)

    def train_pair_now(self) -> None:
        """Train the pair in this thread (for --screenshot and scripts)."""
        work = self._pair_job() if self.session.dataset is not None else None
        if work is not None:
            self._pair_trained(work(lambda f: None, lambda: False))

    def _pair_process(self) -> ProcessJob | None:
        """`latentlab pair` on a scratch copy of the pair's architecture and data record (cli/pair.py)."""
        s = self.session
        try:
            config = self.pair_config()
            if config.problems():
                raise ValueError("; ".join(config.problems()))
        except ValueError as e:
            self.status.setText(f"cannot build the pair: {e}")
            return None
        folder = make_scratch("pair")  # named with this pid: swept by a later pair if this process is killed
        save_checkpoint(folder / "like.safetensors", DenoisingAutoencoder(config),
                        dataset_record(s.dataset, s.dataset_folder))
        t = s.train_config
        argv = ["pair", str(folder / "like.safetensors"), "--out-dir", str(folder), "--epochs",
                str(self.state.pair_epochs), "--walkback", str(self.state.pair_walkback), "--walkback-p",
                repr(self.state.pair_walkback_p), "--seed", str(t.seed), "--batch-size", str(t.batch_size),
                "--lr", repr(t.lr), "--threads", str(t.threads or 0), "--trust-data-folder"]

        def load(end: dict) -> PairResult:
            try:
                without, with_walkback = (load_checkpoint(path).model for path in end["paths"])
            except (KeyError, TypeError) as e:
                raise ValueError(f"no pair in its report: {e}") from None
            finally:
                shutil.rmtree(folder, ignore_errors=True)
            return PairResult(without, with_walkback, tuple(end.get("seconds") or (0.0, 0.0)), "")

        job = ProcessJob(argv, load, "latentlab-walkback", self)
        job.ended.connect(lambda: shutil.rmtree(folder, ignore_errors=True))
        return job

    def train_pair(self) -> bool:
        """Train the pair in its own process; the chains switch to it when it is done."""
        if self.session.dataset is None or self.job is not None or self.session.state != "idle":
            return False
        job = self._pair_process()
        if job is None:
            return False
        self.job = job
        self.job.bind(self.progress, self.train_button, self.cancel_button)
        self.job.done.connect(self._pair_trained)
        self.job.failed.connect(lambda msg: self.status.setText(f"training the pair failed: {msg}"))
        self.job.ended.connect(self._job_ended)
        self.status.setText(f"training two DAEs for {self.state.pair_epochs} epochs each…")
        self.job.start()
        return True

    def _pair_trained(self, result) -> None:
        if result.message:
            self.status.setText(f"the pair did not finish: {result.message}")
            return
        a, b = result.seconds
        self.use_pair(result.without, result.with_walkback,
                      f"trained in {a:.1f} s (without) and {b:.1f} s (with walkback)")

    def use_pair(self, without: DenoisingAutoencoder, with_walkback: DenoisingAutoencoder, note: str = "") -> None:
        """Run the chains of this pair (trained here, or loaded, e.g. by a lesson) on the current data."""
        self.pair = (without.eval(), with_walkback.eval())
        self.pair_key = self._dataset_key()
        self.state.follow(with_walkback)  # the pair's own corruption, not the previous model's
        self.status.setText(note)
        self.reset(force=True)

    def _job_ended(self) -> None:
        if self.job.cancelled():
            self.status.setText("cancelled: the chains keep the models they had")
        self.job = None
        self._models_changed()

    def shutdown(self) -> None:
        """Stop the animation and any training job (on close)."""
        self.timer.stop()
        if self.job is not None:
            self.job.cancel_and_wait()

