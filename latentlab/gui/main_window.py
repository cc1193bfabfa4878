"""The main window: docks for every panel, menus, shortcuts, status bar, persistent layout, safe close."""

from __future__ import annotations

import os
import platform
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pyqtgraph as pg
import torch
from PySide6 import __version__ as pyside_version
from PySide6.QtCore import QByteArray, QEvent, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFileDialog,
    QMainWindow,
    QMessageBox,
    QTabBar,
    QVBoxLayout,
    QWidget,
)

import latentlab
from latentlab.gui.exports import WindowExports
from latentlab.gui.layout import PRESETS, apply_preset, float_at_natural_size, keep_title_whole, widen_to_fit
from latentlab.gui.panels.decoder import DecoderPanel
from latentlab.gui.panels.loss_curves import LossCurvesPanel
from latentlab.gui.panels.model_data import ModelDataPanel
from latentlab.gui.panels.scatter import LatentScatterPanel
from latentlab.gui.panels.training import TrainingPanel
from latentlab.gui.plugin_open import PluginOpener, plugin_aware
from latentlab.gui.pretrained_dialog import PretrainedDialog
from latentlab.gui.process_run import ProcessRun
from latentlab.gui.run_follower import RunFollower
from latentlab.gui.theme import (
    CHOICES,
    PLOTS,
    apply_presentation,
    apply_theme,
    resolve,
    restyle_plot_for_presentation,
    restyle_plots,
)
from latentlab.gui.views import WindowViews
from latentlab.gui.widgets.message_banner import MessageBanner
from latentlab.gui.widgets.scroll_panel import ScrollPanel
from latentlab.gui.widgets.start_card import StartCard
from latentlab.gui.widgets.status_line import StatusLine
from latentlab.gui.widgets.visibility import on_screen
from latentlab.gui.worker import MainThreadPost, ThreadRun
from latentlab.state.app import AppState
from latentlab.state.persistence import remembered, restore
from latentlab.state.schema import lookup
from latentlab.state.session import Session

if TYPE_CHECKING:  # built when first shown or asked for (MainWindow.panel), so imported there
    from latentlab.gui.panels.arithmetic import ArithmeticSection
    from latentlab.gui.panels.interpolation import InterpolationPanel
    from latentlab.gui.panels.lessons import LessonsPanel
    from latentlab.gui.panels.mmd import MMDPanel
    from latentlab.gui.panels.neighbours import NeighboursPanel
    from latentlab.gui.panels.parametric import ParametricPanel
    from latentlab.gui.panels.samples import SamplesPanel
    from latentlab.gui.panels.walkback import WalkbackPanel

FAMILY_WORDS = {"autoencoder": "autoencoder", "dae": "denoising autoencoder", "vae": "VAE", "mmdvae": "MMD-VAE",
                "swae": "SWAE", "mmdnet": "MMD net"}  # the start card's words for a model family
RUNNER_ENV = "LATENTLAB_RUNNER"  # "thread": train in a thread of the window instead of a process of its own
CHECKPOINT_FILTER = "latentlab checkpoints (*.safetensors);;All files (*)"
# Docks whose panels are built when first shown (or asked for: MainWindow.panel), and the settings of
# theirs that act rather than show (train the walkback pair, run chains or the test, load models, pick
# path points): setting one builds the panel, which acts on the values it finds as it is built.
ACTING = {"walkback": ("t", "pair"), "mmd": ("test", "models"), "interpolation": ("compare", "picking")}
SHORTCUTS = [
    ("Ctrl+O", "Open a checkpoint"),
    ("Ctrl+Shift+O", "Open a shipped pretrained model"),
    ("Ctrl+S", "Save the model"),
    ("Ctrl+Shift+S", "Save the model as…"),
    ("Ctrl+Shift+F", "Follow a run that trains elsewhere (its --run-dir folder)"),
    ("Ctrl+E", "Export the latent plot as PNG or SVG"),
    ("Ctrl+Shift+E", "Export any plot as PNG or SVG"),
    ("Ctrl+Shift+C", "Copy any plot or image to the clipboard (Edit > Copy image)"),
    ("Ctrl+0", "Keyboard focus to the latent scatter (then arrow keys move the decoded point)"),
    ("Alt+D / Alt+B / Alt+L / Alt+P", "Scatter tool: Decode, Box select, Lasso, Pan/zoom"),
    ("Ctrl+Shift+0", "Reset the latent scatter's zoom (show every code again)"),
    ("Alt+Left / Alt+Right", "Back / forward through the decoded points (View > Back, Forward)"),
    ("F11", "Presentation mode: large fonts, thick lines, colour-blind-safe colours, large images"),
    ("Ctrl+Alt+1 … Ctrl+Alt+4", "Layout: Explore, Train, Lesson, Compare (View > Layout)"),
    ("Ctrl+D / Ctrl+Shift+D", "Open a data file / a data folder"),
    ("Ctrl+1 … Ctrl+9", "Show a panel and put the keyboard focus in it (View > Go to panel)"),
    ("Tab / Shift+Tab", "Move between the controls of a panel"),
    ("Space", "Pause / resume training"),
    ("Ctrl+Return", "Start training"),
    ("Ctrl+.", "Stop training"),
    ("Ctrl+Q", "Quit"),
    ("F1", "This list (Help > Keyboard shortcuts)"),
]


def app_settings() -> QSettings:
    """QSettings in the user's config folder, or in the file named by LATENTLAB_SETTINGS (tests)."""
    path = os.environ.get("LATENTLAB_SETTINGS")
    if path:
        return QSettings(path, QSettings.IniFormat)
    return QSettings("latentlab", "latentlab")


class MainWindow(WindowExports, WindowViews, QMainWindow):
    def __init__(self, state: AppState | None = None, settings: QSettings | None = None):
        super().__init__()
        self.setWindowTitle("latentlab")
        self.setDockOptions(QMainWindow.AnimatedDocks | QMainWindow.AllowNestedDocks | QMainWindow.AllowTabbedDocks)
        self._post = MainThreadPost()
        runner = plugin_aware(ThreadRun if os.environ.get(RUNNER_ENV) == "thread" else ProcessRun)
        self.state = state or AppState(Session(runner=runner, follower_factory=RunFollower, post=self._post))
        self.session = self.state.session
        self.settings = settings or app_settings()
        # Dialogs are attributes so tests (and --screenshot) can answer them without a human.
        self.ask_save_on_close: Callable[[], QMessageBox.StandardButton] = self._ask_save_on_close
        self.ask_open_path: Callable[[], str | None] = self._ask_open_path
        self.session.trust_folder = lambda folder: self.ask_trust_folder(folder)
        self.ask_trust_folder: Callable[[str], bool] = self._ask_trust_folder
        self.ask_save_path: Callable[[], str | None] = self._ask_save_path
        self.ask_pretrained: Callable[[], str | None] = self._ask_pretrained
        self.ask_run_dir: Callable[[], str | None] = self._ask_run_dir
        self.ask_export_path: Callable[[str], str | None] = self._ask_export_path
        self.ask_plot: Callable[[list[str]], str | None] = self._ask_plot
        self.ask_codes_folder: Callable[[], str | None] = self._ask_codes_folder
        self.plugins = PluginOpener(self)  # File > Open model code… (its dialogs are its attributes)
        self.remember_layout = True  # off for --screenshot runs, which arrange docks for the picture
        self.presenting = False  # presentation mode (set_presentation)
        self.floated_panels: set[str] = set()  # docks a lesson floated, to put back on the next step

        self.banner = MessageBanner(self.state.banner)
        self.scatter = LatentScatterPanel(self.session, self.state.scatter, values=self.state.values,
                                          cross_filter=self.state.cross_filter)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.banner)
        self.start_card: StartCard | None = None  # a first run's "start here" (show_start_card)
        self._central_layout = layout
        layout.addWidget(self.scatter, 1)
        self.setCentralWidget(central)

        self.model_data = ModelDataPanel(self.state)
        self.training = TrainingPanel(self.session)
        self.curves = LossCurvesPanel(self.session, self.state.curves)
        self.decoder = DecoderPanel(self.session, cross_filter=self.state.cross_filter, scatter=self.state.scatter)
        self.scatter.example_clicked.connect(self.state.neighbours.pick)
        self.docks: dict[str, QDockWidget] = {}
        self._panels: dict[str, QWidget] = {}  # the docks' panels built so far (MainWindow.panel)
        self._builders: dict[str, tuple[Callable[[], QWidget], bool]] = {}  # the others: how, and whether they scroll
        # A `scroll` panel may be squeezed below its size (it scrolls); in presentation mode every panel may,
        # so that large fonts and images still fit a 1366x768 screen.
        self.add_panel("model", "Model && data", self.model_data, Qt.LeftDockWidgetArea)
        self.add_panel("training", "Training", self.training, Qt.LeftDockWidgetArea)
        self.add_panel("lessons", "Lessons", self._build_lessons, Qt.LeftDockWidgetArea)
        self.add_panel("decoder", "Decoder view", self.decoder, Qt.RightDockWidgetArea)
        self.add_panel("samples", "Samples", self._build_samples, Qt.RightDockWidgetArea)
        self.add_panel("interpolation", "Interpolation", self._build_interpolation, Qt.RightDockWidgetArea,
                       scroll=True)
        self.add_panel("curves", "Loss curves", self.curves, Qt.RightDockWidgetArea)
        self.add_panel("walkback", "Walkback chain", self._build_walkback, Qt.RightDockWidgetArea, scroll=True)
        self.add_panel("mmd", "MMD", self._build_mmd, Qt.RightDockWidgetArea, scroll=True)
        self.add_panel("neighbours", "Neighbours", self._build_neighbours, Qt.RightDockWidgetArea)
        self.add_panel("parametric", "Parametric fits", self._build_parametric, Qt.RightDockWidgetArea, scroll=True)
        for key, fields in ACTING.items():  # these settings act: their panel is built to act on them
            for name in fields:
                getattr(getattr(self.state, key).events, name).connect(self._builds(key))
        self.resize(1400, 860)
        apply_preset(self, "explore")  # the default layout (View > Layout; gui/layout.py)

        self._build_menus()
        self.setAcceptDrops(True)  # a data file or folder, or a checkpoint, dropped on the window opens
        self._build_status_bar()
        saved = self.settings.value("view/theme", "system")
        self.set_theme(saved if saved in CHOICES else "system")
        hints = QGuiApplication.styleHints()
        if hasattr(hints, "colorSchemeChanged"):
            hints.colorSchemeChanged.connect(self._system_scheme_changed)
        self.session.message.connect(lambda level, text: self.statusBar().showMessage(text, 8000))
        self.state.window.events.panel.connect(lambda key: key and self.show_panel(key))
        self.state.window.events.floating.connect(self._float_panels)
        self.state.window.events.theme.connect(lambda theme: self.set_theme(theme))
        self.state.window.events.layout.connect(lambda name: name and self.apply_layout(name))
        self.state.window.events.presentation.connect(self.set_presentation)
        self.session.history_changed.connect(self._show_history)
        for signal in (self.session.model_changed, self.session.dataset_changed):  # the curves were rebuilt
            signal.connect(lambda *_: self.presenting and restyle_plot_for_presentation(
                self.curves.plot.getPlotItem(), True))
        self.session.progress.connect(self._show_progress)
        self.session.model_changed.connect(self._show_model)
        self.session.model_changed.connect(lambda *_: self.status_rate.setText(""))  # the old model's run's rate
        self.session.state_changed.connect(self._show_model)
        self.session.saved.connect(self._show_model)  # the title names the file and drops its "unsaved" mark
        self.session.following_changed.connect(self._show_following)
        self.resize(1400, 860)
        self._restore_layout()
        self._restore_settings()

    # -- layout ----------------------------------------------------------------------
    def childEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        """Qt makes a tab bar (our child) whenever docks are tabified: each keeps its titles whole."""
        super().childEvent(event)
        if event.type() == QEvent.ChildPolished and isinstance(event.child(), QTabBar):
            keep_title_whole(event.child())

    def add_panel(self, key: str, title: str, widget: QWidget | Callable[[], QWidget], area: Qt.DockWidgetArea,
                  scroll: bool = False) -> QDockWidget:
        """Every panel is a dock; later panels register here the same way. A `scroll` panel may be
        squeezed below its natural size (it scrolls), so wide panels do not widen the window; the others
        may be in presentation mode only. `widget` may be a function that builds the panel: the dock
        holds an empty placeholder until it is first shown, or until the panel is asked for (panel(key),
        the window's attribute of that name)."""
        dock = QDockWidget(title, self)  # "&&" shows as "&" (titles are parsed for mnemonics)
        dock.setObjectName(f"dock-{key}")
        self.addDockWidget(area, dock)
        self.docks[key] = dock
        # A dock the user floats opens at its content's size (a lesson's floated docks are sized by float_panel).
        dock.topLevelChanged.connect(lambda floating, k=key: floating and k not in self.floated_panels
                                     and self._float_at_natural_size(k))
        if isinstance(widget, QWidget):
            self._install(key, widget, scroll)
        else:
            self._builders[key] = (widget, scroll)
            dock.setWidget(QWidget())
            # Looked at once the event loop runs: a layout preset shows every dock for a moment as it tabifies them.
            dock.visibilityChanged.connect(lambda visible, k=key, d=dock: visible and QTimer.singleShot(
                0, d, lambda: self._shown(k)))
        return dock

    def panel(self, key: str) -> QWidget:
        """The panel of the dock `key` ("leaderboard": the MMD dock's), built now if it was not yet:
        it binds to the state as it is then, so nothing it shows is stale."""
        key = "mmd" if key == "leaderboard" else key
        built = self._panels.get(key)
        if built is None:
            build, scroll = self._builders.pop(key)
            built = build()
            self._install(key, built, scroll)
        return built

    def built(self, key: str) -> bool:
        """Whether the dock's panel has been built (it is when first shown or asked for)."""
        return key in self._panels

    def all_panels(self) -> list[QWidget]:
        """Every dock's panel, built (Export any plot lists them all)."""
        return [self.panel(key) for key in self.docks]

    def _install(self, key: str, widget: QWidget, scroll: bool) -> None:
        self._panels[key] = widget
        dock = self.docks[key]
        placeholder = dock.widget()
        holder = ScrollPanel(widget, squeeze=scroll)
        holder.allow_squeeze(self.presenting)
        dock.setWidget(holder)
        if placeholder is not None:
            placeholder.deleteLater()
        if getattr(self, "theme", None) is not None:  # built after the window took its theme: this one takes it
            restyle_plots(widget, PLOTS[resolve(self.theme)])
            if self.presenting:
                images = (widget.current,) if key == "interpolation" else ()
                apply_presentation(QApplication.instance(), True, widget, images)
        if hasattr(widget, "catch_up"):  # panels that skip work while hidden catch up when shown
            dock.visibilityChanged.connect(lambda visible, w=widget: visible and w.catch_up())
        if dock.isVisible():
            dock.widget().show()
        if hasattr(widget, "catch_up") and on_screen(dock):  # in front already: it catches up now
            widget.catch_up()

    def _float_at_natural_size(self, key: str) -> None:
        self.panel(key)  # its size is the panel's, not the placeholder's
        float_at_natural_size(self, self.docks[key])

    def _shown(self, key: str) -> None:
        """A dock came to the front: its panel is built if it was not yet."""
        if not on_screen(self.docks[key]):  # tabbed behind another again
            return
        if key not in self._panels:
            self.panel(key)  # it catches up as it is installed (_install)
            QApplication.sendPostedEvents()  # its layout settles now: no scroll bar for a moment

    def _builds(self, key: str) -> Callable[[object], None]:
        """A slot that builds the panel `key` when a setting of its is given a value (ACTING)."""
        def build(value: object) -> None:
            if value:
                self.panel(key)
        return build

    def _build_lessons(self) -> QWidget:
        from latentlab.gui.lessons.actions import apply_step
        from latentlab.gui.panels.lessons import LessonsPanel

        return LessonsPanel(lambda step: apply_step(self, step))

    def _build_samples(self) -> QWidget:
        from latentlab.gui.panels.samples import SamplesPanel

        return SamplesPanel(self.session)

    def _build_interpolation(self) -> QWidget:
        from latentlab.gui.panels.arithmetic import ArithmeticSection
        from latentlab.gui.panels.interpolation import InterpolationPanel

        panel = InterpolationPanel(self.session, self.state.interpolation)
        self._arithmetic = ArithmeticSection(self.session, self.state.arithmetic)  # a section of that dock
        panel.layout().addWidget(self._arithmetic)
        return panel

    def _build_walkback(self) -> QWidget:
        from latentlab.gui.panels.walkback import WalkbackPanel

        return WalkbackPanel(self.session, self.state.walkback)

    def _build_mmd(self) -> QWidget:
        from latentlab.gui.panels.mmd import MMDPanel

        # the walkback pair, once that panel has trained or opened one, is a sample source too
        return MMDPanel(self.session, self.state.mmd, self.state.leaderboard,
                        lambda: self.walkback.pair_models() if "walkback" in self._panels else [])

    def _build_neighbours(self) -> QWidget:
        from latentlab.gui.panels.neighbours import NeighboursPanel

        return NeighboursPanel(self.session, self.state.neighbours, cross_filter=self.state.cross_filter)

    def _build_parametric(self) -> QWidget:
        from latentlab.gui.panels.parametric import ParametricPanel

        return ParametricPanel(self.state.parametric)

    # The docks' panels that are built when first shown, by their old attribute names.
    @property
    def lessons(self) -> LessonsPanel:
        return self.panel("lessons")

    @property
    def samples(self) -> SamplesPanel:
        return self.panel("samples")

    @property
    def interpolation(self) -> InterpolationPanel:
        return self.panel("interpolation")

    @property
    def arithmetic(self) -> ArithmeticSection:
        self.panel("interpolation")
        return self._arithmetic

    @property
    def walkback(self) -> WalkbackPanel:
        return self.panel("walkback")

    @property
    def mmd(self) -> MMDPanel:
        return self.panel("mmd")

    @property
    def neighbours(self) -> NeighboursPanel:
        return self.panel("neighbours")

    @property
    def parametric(self) -> ParametricPanel:
        return self.panel("parametric")

    def show_panel(self, key: str) -> None:
        """Bring a dock to the front. Its size stays: panels fit a narrow dock (gui/widgets/reflow.py),
        and a layout preset (View > Layout) gives a dock more room, so nothing jumps."""
        if key in ("mmd", "leaderboard"):  # two tabs of one dock
            self.mmd.show_tab(key)
            key = "mmd"
        self.panel(key)
        dock = self.docks[key]
        dock.show()
        dock.raise_()

    def show_start_card(self) -> None:
        """The "start here" card above the map, with three things to try (until it is dismissed)."""
        if self.start_card is None:
            self.start_card = StartCard(self.dismiss_start_card, {
                "Drag the interpolation": lambda: self.go_to("interpolation"),
                "Train a fresh model": lambda: self.go_to("model"),
            })
            self._central_layout.insertWidget(1, self.start_card)
        self.start_card.describe(self.subject())
        if getattr(self, "presenting", False):  # put away until presentation mode ends (set_presentation)
            self.start_card.setProperty("hiddenToPresent", True)
            self.start_card.hide()
        else:
            self.start_card.show()

    def dismiss_start_card(self) -> None:
        """Put the card away, and remember that at once (window.start_card)."""
        if self.start_card is not None:
            self.start_card.hide()
        self.state.window.start_card = False
        self.settings.setValue("settings/window.start_card", lookup("window.start_card").format(False))
        self.settings.sync()

    def apply_layout(self, name: str) -> None:
        """Arrange the docks as the preset `name` says (View > Layout, window.layout)."""
        apply_preset(self, name)
        if getattr(self, "presenting", False) and self.isVisible():
            widen_to_fit(self)
        for preset, action in self.layout_actions.items():
            action.setChecked(preset == name)
        # A preset docks every panel; those the state says float (a lesson step's) float again on top.
        self._float_panels(self.state.window.floating)

    def float_panel(self, key: str) -> None:
        """Float a dock over the right part of the window, large enough to read (lessons use it)."""
        dock = self.docks[key]
        frame = self.frameGeometry()
        self.floated_panels.add(key)  # before floating it: a dock the user floats is sized otherwise
        dock.setFloating(True)
        dock.setGeometry(frame.x() + int(frame.width() * 0.3), frame.y() + 60,
                         int(frame.width() * 0.68), int(frame.height() * 0.85))
        self.floated_panels.add(key)

    def _float_panels(self, keys: frozenset[str]) -> None:
        """window.floating: exactly these docks float large over the window (others go back)."""
        self.dock_floated_panels(keep=set(keys))
        for key in sorted(set(keys) - self.floated_panels):
            self.show_panel(key)
            self.float_panel(key)

    def dock_floated_panels(self, keep: set[str] = frozenset()) -> None:
        """Put docks floated by float_panel back in the window, except those in `keep`."""
        for key in sorted(self.floated_panels - set(keep)):
            self.docks[key].setFloating(False)
        self.floated_panels &= set(keep)

    def _restore_layout(self) -> None:
        geometry = self.settings.value("window/geometry")
        state = self.settings.value("window/state")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        if isinstance(state, QByteArray):
            self.restoreState(state)

    def reset_layout(self) -> None:
        self.state.window.choose_layout("explore")

    def _restore_settings(self) -> None:
        """The remembered settings of the schema (state/persistence.py); a stale value is skipped."""
        self.settings.beginGroup("settings")
        values = {key: self.settings.value(key) for key in self.settings.childKeys()}
        self.settings.endGroup()
        for problem in restore(self.state, values):
            print(f"latentlab: a remembered setting no longer fits, so it is left at its default: {problem}",
                  file=sys.stderr)

    def _save_layout(self) -> None:
        self.settings.beginGroup("settings")
        for name, text in remembered(self.state).items():
            self.settings.setValue(name, text)
        self.settings.endGroup()
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        if self.session.dataset is not None:
            # as it was asked for: data of the user's by its path (its name, file:x.csv, loads nothing)
            name, folder, _ = self.session.dataset_request or (self.session.dataset.name,
                                                                self.session.dataset_folder, {})
            self.settings.setValue("last/dataset", name)
            if folder:
                self.settings.setValue("last/folder", folder)
            else:
                self.settings.remove("last/folder")
        self.settings.setValue("last/family", self.session.model_settings.family)
        self.settings.sync()

    # -- menus -------------------------------------------------------------------------
    def _action(self, menu, text: str, slot, shortcut=None, tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(shortcut)
        action.setStatusTip(tip)
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file = bar.addMenu("&File")
        self._action(file, "&Open checkpoint…", self.open_checkpoint, QKeySequence.Open)
        self._action(file, "Open &pretrained…", lambda: self.open_pretrained(), QKeySequence("Ctrl+Shift+O"),
                     "One of the shipped models, with its description and metrics")
        self._action(file, "Open &data…", lambda: self.open_data(), QKeySequence("Ctrl+D"),
                     "Your own data: a .npy/.npz array or a .csv/.tsv table (or drop a file or folder on the window)")
        self._action(file, "Open data with &no model…", lambda: self.open_data(model=False),
                     tip="Vectors (an embedding's .npy or .csv) explored as they are, through PCA, UMAP or t-SNE: "
                         "colour and hover by their labels and metadata, a click shows a point's neighbours")
        self._action(file, "Open data &folder…", lambda: self.open_data(folder=True), QKeySequence("Ctrl+Shift+D"),
                     "A folder of images (subfolders as classes) or of MNIST-style IDX files")
        self._action(file, "Open model &code…", lambda: self.plugins.open_code(),
                     tip="A model of your own: a Python file with an nn.Module that has encode and decode "
                         "(docs/plugins.md); asks before it runs the file")
        self.save_action = self._action(file, "&Save checkpoint", self.save_checkpoint, QKeySequence.Save)
        self._action(file, "Save checkpoint &as…", self.save_checkpoint_as, QKeySequence("Ctrl+Shift+S"))
        self._action(file, "Open &view…", lambda: self.open_view(),
                     tip="Restore a saved view: its model or checkpoint, data, panel settings, decoded point, selection")
        self._action(file, "Save view…", lambda: self.save_view(),
                     tip="What the window shows, as a small JSON file to open again (or with latentlab --view FILE)")
        file.addSeparator()
        self._action(file, "&Follow run…", lambda: self.follow_run(), QKeySequence("Ctrl+Shift+F"),
                     "Show a run that latentlab train --run-dir writes elsewhere, live")
        self.stop_following_action = self._action(file, "Stop follo&wing", self.session.stop_following,
                                                  tip="Stop watching the run; train here again")
        self.stop_following_action.setEnabled(False)
        file.addSeparator()
        self._action(file, "&Export latent plot…", lambda: self.export_figure_dialog("scatter"),
                     QKeySequence("Ctrl+E"), "Save the latent scatter as PNG or SVG")
        self._action(file, "Export &loss curves…", lambda: self.export_figure_dialog("curves"),
                     tip="Save the loss curves as PNG or SVG")
        self._action(file, "Export any p&lot…", lambda: self.export_figure_dialog(), QKeySequence("Ctrl+Shift+E"),
                     "Choose any plot in the window and save it as PNG or SVG")
        self._action(file, "Export latent &codes…", lambda: self.export_codes(),
                     tip="codes.csv with labels, and TensorBoard Embedding Projector files (vectors, metadata, sprite)")
        self._export_option_menus(file)
        file.addSeparator()
        self._action(file, "&Quit", self.close, QKeySequence.Quit)
        edit = bar.addMenu("&Edit")
        self._action(edit, "&Copy image…", lambda: self.copy_plot(), QKeySequence("Ctrl+Shift+C"),
                     "Put any plot or image of the window on the clipboard")
        view = bar.addMenu("&View")
        for dock in self.docks.values():
            view.addAction(dock.toggleViewAction())
        view.addSeparator()
        go = view.addMenu("&Go to panel")
        self._action(go, "Latent space", self.scatter.plot.setFocus, QKeySequence("Ctrl+0"))
        self._action(view, "Reset &zoom", self.reset_zoom, QKeySequence("Ctrl+Shift+0"),
                     "Show every code in the latent scatter again (and follow them as they spread)")
        for i, key in enumerate(self.docks, 1):  # Ctrl+1 ... Ctrl+9: the docks in the order they were added
            self._action(go, self.docks[key].windowTitle().replace("&&", "&"), lambda _=False, k=key: self.go_to(k),
                         QKeySequence(f"Ctrl+{i}") if i <= 9 else None)
        theme = view.addMenu("&Theme")
        self.theme_actions = {}
        for choice in CHOICES:
            action = self._action(theme, choice.capitalize() + (" (follow the desktop)" if choice == "system" else ""),
                                  lambda _=False, c=choice: self.set_theme(c, remember=True))
            action.setCheckable(True)
            self.theme_actions[choice] = action
        view.addSeparator()
        layouts = view.addMenu("&Layout")
        self.layout_actions: dict[str, QAction] = {}
        for i, (name, preset) in enumerate(PRESETS.items(), 1):
            action = self._action(layouts, f"&{preset.title}", lambda _=False, n=name: self.state.window.choose_layout(n),
                                  QKeySequence(f"Ctrl+Alt+{i}"), preset.help)
            action.setCheckable(True)
            action.setChecked(name == "explore")
            self.layout_actions[name] = action
        self._action(view, "&Reset layout", self.reset_layout, tip="The Explore layout, every dock shown")
        view.addSeparator()
        self.presentation_action = self._action(
            view, "&Presentation mode", lambda on: setattr(self.state.window, "presentation", bool(on)),
            QKeySequence(Qt.Key_F11), "Large fonts, thick lines, colour-blind-safe colours and images of 256 px "
                                      "or more, for a projector")
        self.presentation_action.setCheckable(True)
        view.addSeparator()
        self.back_action = self._action(view, "&Back", self.session.focus_back, QKeySequence("Alt+Left"),
                                        "Decode the point decoded before this one again")
        self.forward_action = self._action(view, "&Forward", self.session.focus_forward, QKeySequence("Alt+Right"),
                                           "Decode the next point of the history again")
        self._show_history()
        train = bar.addMenu("&Training")
        self._action(train, "&Start", lambda: self.session.start(), QKeySequence("Ctrl+Return"))
        self._action(train, "&Pause / resume\tSpace", self.session.toggle_pause)  # Space: a QShortcut (below)
        self._action(train, "S&top", self.session.stop, QKeySequence("Ctrl+."))
        self._action(train, "Ste&p", lambda: self.session.step())
        help_menu = bar.addMenu("&Help")
        self._action(help_menu, "&Keyboard shortcuts", self.show_shortcuts, QKeySequence.HelpContents)
        self._action(help_menu, "&Start here", self.show_start_card, tip="The card with three things to try")
        self._action(help_menu, "&About latentlab", self.show_about)
        # Space pauses from anywhere in the window, except while typing in a text field.
        self.pause_shortcut = QShortcut(QKeySequence(Qt.Key_Space), self, self.session.toggle_pause)
        self.pause_shortcut.setContext(Qt.WindowShortcut)

    def reset_zoom(self) -> None:
        self.scatter.view.enableAutoRange()

    def go_to(self, key: str) -> None:
        """Show a dock, bring it to the front and put the keyboard focus in it."""
        self.panel(key)
        dock = self.docks[key]
        dock.show()
        dock.raise_()
        dock.widget().setFocus(Qt.ShortcutFocusReason)
        dock.widget().focusNextChild()

    def set_theme(self, choice: str, remember: bool = False) -> str:
        """"system" (follow the desktop, also when it changes), "light" or "dark"."""
        self.theme = choice
        for c, action in self.theme_actions.items():
            action.setChecked(c == choice)
        if remember:
            self.settings.setValue("view/theme", choice)
        scheme = apply_theme(QApplication.instance(), choice, self)
        if getattr(self, "presenting", False):  # the theme's axis pens are thin again
            apply_presentation(QApplication.instance(), True, self, self.presentation_images())
        return scheme

    def set_presentation(self, on: bool) -> None:
        """Presentation mode (WindowState.presentation; View menu, F11) on or off; everything stays live."""
        self.presenting = on
        self.presentation_action.setChecked(on)
        card = self.start_card
        if card is not None:  # the projector's room goes to the map (at 1366x768 the card left it clipped)
            shown = card.isVisible() or bool(card.property("hiddenToPresent"))
            card.setProperty("hiddenToPresent", on and shown)
            card.setVisible(shown and not on)
        if on:  # before the fonts grow: the window's minimum size stays within the screen
            self._allow_squeeze(True)
        apply_theme(QApplication.instance(), self.theme, self)
        apply_presentation(QApplication.instance(), on, self, self.presentation_images())
        # The loss curves take the category colours as they are built: built again once the colours changed (before,
        # they kept the colours of the mode left), then given this mode's line widths.
        self.curves._rebuild()
        restyle_plot_for_presentation(self.curves.plot_item(), on)
        if not on:
            self._allow_squeeze(False)
        elif self.isVisible():  # the large font needs wider sides (the lesson text, the form): no sideways scrolling
            widen_to_fit(self)
        self.scatter.redraw()

    def _allow_squeeze(self, on: bool) -> None:
        """Every dock's panel may be squeezed below its size, scrolling (presentation mode), or only those
        that always may."""
        for dock in self.docks.values():
            if isinstance(dock.widget(), ScrollPanel):
                dock.widget().allow_squeeze(on)

    def presentation_images(self) -> tuple[QWidget, ...]:
        """The image views presentation mode shows at 256 px or more (besides every gallery's thumbnails);
        a panel built later takes presentation mode as it is built."""
        interpolation = self._panels.get("interpolation")
        return (self.decoder.decoded,) + ((interpolation.current,) if interpolation is not None else ())

    def _show_history(self) -> None:
        self.back_action.setEnabled(self.session.can_go_back())
        self.forward_action.setEnabled(self.session.can_go_forward())

    def _system_scheme_changed(self, *_) -> None:
        if self.theme == "system":
            self.set_theme("system")

    def _build_status_bar(self) -> None:
        # Fixed sizes: their text changes ten times a second while training (see StatusLine).
        self.status_epoch = StatusLine(lines=1, room_for="epoch 99999 · step 99,999,999")
        self.status_rate = StatusLine(lines=1, room_for="999,999 samples/s")
        self.status_device = StatusLine(lines=1, room_for="device cuda:0")
        for w in (self.status_epoch, self.status_rate, self.status_device):
            self.statusBar().addPermanentWidget(w)
        self._show_model()

    def _show_progress(self, p) -> None:
        self.status_epoch.setText(f"epoch {p.epoch} · step {p.step}")
        self.status_rate.setText(f"{p.samples_per_s:,.0f} samples/s")

    def _show_model(self, *_) -> None:
        t, s = self.session.trainer, self.session
        if t is not None:
            self.status_epoch.setText(f"epoch {t.epoch} · step {t.step}")
            self.status_device.setText(f"device {t.device}")
        elif s.following is None:  # no model: nothing of the last one's epoch and device
            self.status_epoch.setText("")
            self.status_device.setText("")
        name = s.checkpoint_path.name if s.checkpoint_path else "unsaved"
        data = s.dataset.name if s.dataset else "no data"
        family = getattr(s.model.config, "title", s.model.family) if s.model is not None else "no model"
        mark = " •" if s.unsaved else ""
        if s.following is not None:
            name = f"following {s.following}"
        self.setWindowTitle(f"latentlab — {family} on {data} ({name}{mark})")
        if self.start_card is not None:  # it described the model the window opened on
            self.start_card.describe(self.subject())

    def subject(self) -> str:
        """The model and data on show, in a few words ("a 2-D VAE on mnist5k (5,000 examples), trained 1,800 steps")."""
        s = self.session
        d = s.dataset
        data = f"{d.name} ({len(d.train_x) + len(d.test_x):,} examples)" if d is not None else "no data"
        if s.following is not None:
            return f"the run that trains in {s.following}"
        if s.model is None:
            return f"the vectors of {data}, explored with no model" if d is not None else "no model and no data yet"
        family = s.model.family
        title = getattr(s.model.config, "title", None) or FAMILY_WORDS.get(family, family)
        step = s.trainer.step if s.trainer is not None else 0
        trained = f"trained {step:,} steps" if step else "not trained yet"
        n = s.model.latent_dim
        article = "an" if n in (11, 18) or str(n).startswith("8") else "a"  # "an 8-D", "an 18-D", "a 2-D"
        return f"{article} {n}-D {title} on {data}, {trained}"

    # -- file actions --------------------------------------------------------------------
    def _ask_trust_folder(self, folder: str) -> bool:
        """A checkpoint names a data folder: read it only if the user says so (it could name any folder)."""
        answer = QMessageBox.question(
            self, "Read the checkpoint's data?",  # a folder of images, or a file (an array, a table)
            f"This checkpoint was trained on the data in\n\n{folder}\n\nRead it? Say no if the "
            "checkpoint comes from someone you do not trust.", QMessageBox.Yes | QMessageBox.No, QMessageBox.No)
        return answer == QMessageBox.Yes

    def open_data(self, path: str | None = None, folder: bool = False, model: bool = True) -> bool:
        """Data of the user's (a file, or a folder of images or IDX files) with a new model for it; with
        `model` False, no model: the data's vectors are explored as they are."""
        if not self._may_replace_model("open other data"):
            return False
        path = path or (self.model_data.choose_folder("Open data folder") if folder else self.model_data.choose_file())
        if not (bool(path) and self.model_data.open_path(path)):
            return False
        if not model:
            self.session.explore_without_model()
        return True

    def dragEnterEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if self._dropped_path(event) is not None:
            event.acceptProposedAction()

    def dragMoveEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if self._dropped_path(event) is not None:
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        """A dropped checkpoint opens; a dropped data file or folder becomes the data."""
        path = self._dropped_path(event)
        if path is None:
            return
        event.acceptProposedAction()
        if path.endswith(".safetensors"):
            self.open_checkpoint(path)
        else:
            self.open_data(path)

    @staticmethod
    def _dropped_path(event) -> str | None:
        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        local = [u.toLocalFile() for u in urls if u.isLocalFile()]
        return local[0] if len(local) == 1 else None

    def _ask_open_path(self) -> str | None:
        path, _ = QFileDialog.getOpenFileName(self, "Open checkpoint", str(Path.cwd()), CHECKPOINT_FILTER)
        return path or None

    def _ask_save_path(self) -> str | None:
        path, _ = QFileDialog.getSaveFileName(self, "Save checkpoint", str(Path.cwd() / "model.safetensors"),
                                              CHECKPOINT_FILTER)
        if path and not path.endswith(".safetensors"):
            path += ".safetensors"
        return path or None

    def _ask_pretrained(self) -> str | None:
        dialog = PretrainedDialog(self)
        return dialog.chosen.name if dialog.exec() and dialog.chosen else None

    def open_pretrained(self, name: str | None = None) -> bool:
        """Open a shipped checkpoint by its manifest name (asking which when none is given)."""
        from latentlab.core.pretrained import shipped_path

        if self.session.state != "idle":  # said before the list is shown, not after a model was chosen from it
            self.banner.show_message("warning", "Stop training before you open a checkpoint.")
            return False
        name = name or self.ask_pretrained()
        if not name:
            return False
        try:
            path = shipped_path(name)
        except ValueError as e:
            self.banner.show_message("error", str(e))
            return False
        return self.open_checkpoint(str(path))

    def _ask_run_dir(self) -> str | None:
        return QFileDialog.getExistingDirectory(self, "Follow run: its --run-dir folder", str(Path.cwd())) or None

    def follow_run(self, folder: str | None = None) -> bool:
        """Watch a run directory written by `latentlab train --run-dir` (asking which when none is given)."""
        if not self._may_replace_model("follow a run"):
            return False
        folder = folder or self.ask_run_dir()
        return bool(folder) and self.session.follow(folder)

    def _show_following(self, folder) -> None:
        self.stop_following_action.setEnabled(folder is not None)
        if folder is not None:
            self.session.follower.status_changed.connect(self._show_model)  # the checkpoint on screen
        self._show_model()

    def _may_replace_model(self, what: str) -> bool:
        """Training is stopped, and unsaved training saved or dropped: `what` may replace the model."""
        if self.session.state != "idle":
            self.banner.show_message("warning", f"Stop training before you {what}.")
            return False
        return self.confirm_discard(what)

    def confirm_discard(self, what: str) -> bool:
        """Before replacing unsaved training: save it, drop it, or cancel."""
        if not self.session.unsaved:
            return True
        answer = self.ask_save_on_close()
        if answer == QMessageBox.Save:
            return self.save_checkpoint()
        return answer == QMessageBox.Discard

    def open_checkpoint(self, path: str | None = None) -> bool:
        if not self._may_replace_model("open a checkpoint"):
            return False
        path = path or self.ask_open_path()
        if path and self.plugins.holds_plugin(path):  # its code runs only once the user confirms its file
            return self.plugins.open_checkpoint(path)
        return bool(path) and self.session.open_checkpoint(path)

    def save_checkpoint(self) -> bool:
        if self.session.checkpoint_path is None:
            return self.save_checkpoint_as()
        return self.session.save()

    def save_checkpoint_as(self) -> bool:
        path = self.ask_save_path()
        return bool(path) and self.session.save(path)

    # -- help ----------------------------------------------------------------------------
    def show_shortcuts(self) -> None:
        rows = "".join(f"<tr><td><b>{k}</b></td><td>&nbsp;&nbsp;{v}</td></tr>" for k, v in SHORTCUTS)
        QMessageBox.information(self, "Keyboard shortcuts", f"<table>{rows}</table>")

    def about_text(self) -> str:
        cuda = torch.version.cuda or "none"
        return (f"<b>latentlab {latentlab.__version__}</b><br>Explore the latent spaces of generative models."
                f"<br><br>torch {torch.__version__} (CUDA {cuda})<br>PySide6 / Qt {pyside_version}"
                f"<br>pyqtgraph {pg.__version__}<br>Python {platform.python_version()}")

    def show_about(self) -> None:
        QMessageBox.about(self, "About latentlab", self.about_text())

    # -- closing -----------------------------------------------------------------------
    def _ask_save_on_close(self) -> QMessageBox.StandardButton:
        return QMessageBox.question(
            self, "Unsaved training", "The model has trained since it was last saved. Save it?",
            QMessageBox.Save | QMessageBox.Discard | QMessageBox.Cancel, QMessageBox.Save)

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        """Stop training (waiting for the thread), offer to save, remember the layout, then close."""
        was_running = self.session.state != "idle"
        if was_running:
            self.session.pause()
        if self.session.unsaved:
            answer = self.ask_save_on_close()
            if answer == QMessageBox.Cancel:
                if was_running:
                    self.session.resume()
                event.ignore()
                return
            if was_running and answer == QMessageBox.Save:
                self.session.wait()  # its final weights are what is saved
            if answer == QMessageBox.Save and not self.save_checkpoint():
                event.ignore()
                return
        self.session.end_for_quit()
        self.session.stop_encoding_ahead()
        if self.model_data.load_job is not None:  # a standard set being prepared: its half-built cache goes
            self.model_data.load_job.cancel_and_wait(5_000)
        for panel in (self._panels.get("walkback"), self._panels.get("mmd"), self._panels.get("neighbours"),
                      self.scatter):
            if panel is not None:
                panel.shutdown()
        self.dock_floated_panels()  # a lesson's floating dock is not part of the user's layout
        if self.remember_layout:
            self._save_layout()
        event.accept()
