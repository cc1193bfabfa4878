"""Window-level view options: which panel is in front, floated panels, the theme, the lesson on show."""

from __future__ import annotations

from dataclasses import dataclass

from psygnal import evented

from latentlab.core.settings import setting

PANELS = ("model", "training", "lessons", "decoder", "samples", "interpolation", "curves", "walkback", "mmd",
          "leaderboard", "neighbours", "parametric")
THEMES = ("system", "light", "dark")
LAYOUTS = ("explore", "train", "lesson", "compare")  # View > Layout (gui/layout.py arranges them)


@evented
@dataclass
class WindowState:
    panel: str = setting("", label="Panel", remember=False, choices=("",) + PANELS,
                         help="Bring this dock to the front (and widen its side of the window to fit it)")
    floating: frozenset[str] = setting(frozenset(), label="Floated panels", remember=False, choices=PANELS,
                                       help="Float these docks large over the window's right side")
    theme: str = setting("system", label="Theme", choices=THEMES, remember=False,  # View > Theme keeps its own
                         help="Light or dark; system follows the desktop")
    lesson: int = setting(0, label="Lesson", remember=False, minimum=0, maximum=99,
                          help="Open this lesson of the Lessons dock (1 is the first; 0: none; on the command line "
                               "also its name, e.g. vaes)")
    step: int = setting(1, label="Lesson step", remember=False, minimum=1, maximum=999,
                        help="The step of the lesson to set up")

    layout: str = setting("explore", label="Layout", remember=False, choices=LAYOUTS,
                          help="Arrange the docks: explore (the latent map large), train (loss curves large), "
                               "lesson (the lesson's text in front) or compare (the MMD dock wide)")
    start_card: bool = setting(True, label="Start-here card",
                               help="Show the card with three things to try when the application starts")
    presentation: bool = setting(False, label="Presentation mode",
                                 help="For a projector (View > Presentation mode, F11): large fonts, thick lines, "
                                      "colours colour-blind viewers can tell apart, and images at least 256 px")
    export_scale: int = setting(0, label="Image export scale", minimum=0, maximum=16, unit="x",
                                help="Each pixel of an exported image (filmstrip, samples, GIF, decoder view) as "
                                     "N x N pixels; 0: automatic (4 for images up to 32x32, else 1)")
    export_dpi: int = setting(192, label="Plot export resolution", minimum=72, maximum=600, unit="dpi",
                              help="PNG plots are exported at this resolution (96 dpi: the size on the screen)")

    def choose_layout(self, name: str) -> None:
        """View > Layout: arrange the docks as `name` says, also when it is the layout already named."""
        self.layout = ""  # a change is what arranges the docks
        self.layout = name

    def set_panel(self, key: str) -> None:
        self.panel = ""  # naming the same panel again brings it to the front again
        self.panel = key


@evented
@dataclass
class CurvesState:
    log: bool = setting(False, label="Log scale", help="The loss axis on a log scale")
    smoothing: int = setting(1, label="Smoothing", minimum=1, maximum=500, unit="reports",
                             help="A moving average over this many reports")
