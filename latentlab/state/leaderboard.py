"""The leaderboard's rows, and the banner's message: state that the data or the model makes stale."""

from __future__ import annotations

from dataclasses import dataclass, field

from psygnal import evented

from latentlab.core.leaderboard import Score


@evented
@dataclass
class LeaderboardState:
    rows: tuple[Score, ...] = field(default=())
    note: str = ""  # what the rows were scored against, or why there are none

    def clear(self, note: str = "") -> None:
        self.rows, self.note = (), note


@evented
@dataclass
class BannerState:
    """The message strip at the top of the window: the latest warning or error, until it no longer holds."""

    level: str = ""  # "", "info", "warning" or "error"
    text: str = ""

    def show(self, level: str, text: str) -> None:
        self.level, self.text = level, text

    def clear(self) -> None:
        self.level, self.text = "", ""
