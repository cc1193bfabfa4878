"""Layout presets (View > Layout): where each dock goes, which tab is in front, and how wide each
side is, as fractions of the window, so one arrangement fits 1366x768 and 1920x1080 alike.
Lessons choose a preset (`window.layout: compare`) instead of moving docks one by one.

`layout_problems` says what does not fit (a tab title cut short, a dock that scrolls sideways);
the tests check it at both sizes."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QDockWidget, QMainWindow, QTabBar

LEFT_TABS = ("model", "lessons")
RIGHT_TABS = ("decoder", "samples", "interpolation", "walkback", "mmd")
CURVES_LEAST = 280  # px, the loss curves dock's least height in a preset (its plot, legend and controls)
MAP_SHARE = 0.3  # of the window's width, the least the latent map keeps when a side widens to fit its docks


@dataclass(frozen=True)
class Preset:
    title: str
    help: str
    left_front: str  # the tab in front on the left (Model & data or Lessons); Training is below it
    right_front: str  # the tab in front in the right group
    left: tuple[float, int, int]  # the left side's width: fraction of the window, at least, at most (px)
    right: tuple[float, int, int]
    curves: float  # the loss curves' share of the right side's height
    curves_on_top: bool = False


PRESETS: dict[str, Preset] = {
    "explore": Preset("Explore", "The latent map large, the decoder beside it", "model", "decoder",
                      (0.21, 290, 380), (0.33, 480, 620), 0.36),
    "train": Preset("Train", "Loss curves large, samples below them", "model", "samples",
                    (0.21, 290, 380), (0.36, 480, 680), 0.5, curves_on_top=True),
    "lesson": Preset("Lesson", "The lesson's text in front on the left", "lessons", "decoder",
                     (0.25, 330, 440), (0.33, 480, 620), 0.34),
    "compare": Preset("Compare", "The MMD dock wide, for comparing models and sample sets", "model", "mmd",
                      (0.2, 290, 360), (0.46, 560, 900), 0.28),
}


def _width(window: QMainWindow, rule: tuple[float, int, int]) -> int:
    fraction, least, most = rule
    return max(least, min(most, int(window.width() * fraction)))


def apply_preset(window, name: str) -> None:
    """Arrange every dock as the preset says (hidden docks are shown, floated ones docked)."""
    preset = PRESETS[name]
    docks: dict[str, QDockWidget] = window.docks
    window.floated_panels.clear()
    for dock in docks.values():
        dock.setFloating(False)
        window.removeDockWidget(dock)

    def group(area: Qt.DockWidgetArea, keys: tuple[str, ...], front: str) -> QDockWidget:
        head = docks[keys[0]]
        window.addDockWidget(area, head, Qt.Vertical)
        head.show()
        for key in keys[1:]:
            window.tabifyDockWidget(head, docks[key])
            docks[key].show()
        docks[front].raise_()
        return head

    left = group(Qt.LeftDockWidgetArea, LEFT_TABS, preset.left_front)
    window.addDockWidget(Qt.LeftDockWidgetArea, docks["training"], Qt.Vertical)
    docks["training"].show()
    if preset.curves_on_top:
        window.addDockWidget(Qt.RightDockWidgetArea, docks["curves"], Qt.Vertical)
        right = group(Qt.RightDockWidgetArea, RIGHT_TABS, preset.right_front)
        order = [docks["curves"], right]
    else:
        right = group(Qt.RightDockWidgetArea, RIGHT_TABS, preset.right_front)
        window.addDockWidget(Qt.RightDockWidgetArea, docks["curves"], Qt.Vertical)
        order = [right, docks["curves"]]
    docks["curves"].show()
    # Neighbours and Parametric fits are tabs beside the loss curves: a sixth tab above would cut the titles
    # at 480 px.
    for key in ("neighbours", "parametric"):
        window.tabifyDockWidget(docks["curves"], docks[key])
        docks[key].show()
    docks["curves"].raise_()
    if preset.right_front == "mmd":
        window.mmd.show_tab("mmd")
    height = max(window.height() - window.menuBar().height() - window.statusBar().height(), 300)
    training = window.training.minimumSizeHint().height() + 30
    window.resizeDocks([left, right], [_width(window, preset.left), _width(window, preset.right)], Qt.Horizontal)
    window.resizeDocks([left, docks["training"]], [height - training, training], Qt.Vertical)
    # The loss curves keep a readable plot on a short screen (at 768 px their share alone left 15-60 px of data).
    curves = max(int(height * preset.curves), min(CURVES_LEAST, height // 2))
    sizes = [curves if dock is docks["curves"] else height - curves for dock in order]
    window.resizeDocks(order, sizes, Qt.Vertical)


def float_at_natural_size(window, dock: QDockWidget) -> None:
    """A dock the user floats opens at its content's size (its parts side by side), within the screen."""
    widget = dock.widget()
    natural = widget.natural_size() if hasattr(widget, "natural_size") else widget.minimumSizeHint()
    wanted = natural.expandedTo(widget.sizeHint().boundedTo(natural * 1.6))
    screen = (dock.screen() or window.screen()).availableGeometry()
    width = min(max(wanted.width() + 24, 420), int(screen.width() * 0.9))
    height = min(max(wanted.height() + 40, 360), int(screen.height() * 0.9))
    QTimer.singleShot(0, lambda: dock.isFloating() and dock.resize(width, height))


def keep_title_whole(bar: QTabBar) -> None:
    """A dock tab bar shows whole titles, with scroll arrows when the tabs do not fit: presentation
    mode's large font would otherwise cut them to "Samp…". MainWindow applies it to every tab bar Qt
    makes for tabified docks, whenever it makes one (a preset, a restored layout, the user's drag)."""
    bar.setElideMode(Qt.ElideNone)
    bar.setUsesScrollButtons(True)


def elided_tabs(window: QMainWindow) -> list[str]:
    """Tab titles shown cut short ("Interpo…"), in the docks' tab bars and the panels' own tabs."""
    found = []
    for bar in window.findChildren(QTabBar):
        if not bar.isVisible() or bar.visibleRegion().isEmpty():  # Qt keeps unused tab bars off the window
            continue
        for i in range(bar.count()):
            if bar.tabRect(i).width() < bar.tabSizeHint(i).width():
                found.append(f"tab {bar.tabText(i)!r} is {bar.tabRect(i).width()} px of "
                             f"{bar.tabSizeHint(i).width()}")
    return found


def hidden_widths(window: QMainWindow, built_only: bool = False) -> dict[str, tuple[int, int]]:
    """(width, px scrolled out of sight sideways) of every dock whose content scrolls sideways at its current
    size; each dock is brought to the front to look, and the tabs in front before are brought back.
    `built_only`: only the docks whose panels are built (bringing one to the front builds it)."""
    found = {}
    fronts = [d for d in window.docks.values() if d.isVisible() and not d.visibleRegion().isEmpty()]
    for key, dock in window.docks.items():
        if dock.isHidden() or (built_only and hasattr(window, "built") and not window.built(key)):
            continue
        dock.raise_()
        QApplication.processEvents()
        for area in [dock.widget(), *dock.widget().findChildren(QAbstractScrollArea)]:
            if isinstance(area, QAbstractScrollArea) and area.horizontalScrollBar().isVisible():
                hidden = max(found.get(key, (0, 0))[1], area.horizontalScrollBar().maximum())
                found[key] = (dock.width(), hidden)
    for dock in fronts:
        dock.raise_()
    QApplication.processEvents()
    return found


def sideways_scrolling(window: QMainWindow) -> list[str]:
    """Docks whose content scrolls sideways at its current size."""
    return [f"dock {key!r} scrolls sideways ({width} px wide, {hidden} px hidden)"
            for key, (width, hidden) in hidden_widths(window).items()]


def widen_to_fit(window: QMainWindow, keep_for_map: float = MAP_SHARE) -> None:
    """Each side of the window made as wide as its docks' content needs (presentation mode's large font
    needs more than a preset gives at 1366x768), while the map keeps `keep_for_map` of the window's width.
    Docks whose panels are not built yet are left out: looking would build them all."""
    hidden = hidden_widths(window, built_only=True)
    if not hidden:
        return
    sides: dict[Qt.DockWidgetArea, list[QDockWidget]] = {}
    for dock in window.docks.values():
        if not dock.isHidden() and not dock.isFloating():
            sides.setdefault(window.dockWidgetArea(dock), []).append(dock)
    room = int(window.width() * (1 - keep_for_map)) - sum(  # what both sides may take together
        max(d.width() for d in docks) for docks in sides.values())
    for docks in sides.values():
        extra = max((hidden[k][1] for k, d in window.docks.items() if d in docks and k in hidden), default=0)
        extra = min(extra + 4, max(room, 0))
        if extra <= 4:
            continue
        width = max(d.width() for d in docks)
        window.resizeDocks([docks[0]], [width + extra], Qt.Horizontal)
        room -= extra
    QApplication.processEvents()


def layout_problems(window: QMainWindow) -> list[str]:
    return elided_tabs(window) + sideways_scrolling(window)
