"""File > Save view… and File > Open view…: the window's side of state/views.py (a mixin of MainWindow:
it uses the window's state, banner and show_panel; tests replace the ask_view_* hooks)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog

from latentlab.state.views import ViewError, apply_view, read_view, save_view

VIEW_FILTER = "latentlab view (*.json)"


class WindowViews:
    def save_view(self, path: str | Path | None = None) -> bool:
        """What the window shows, as a small JSON file (a checkpoint is named relative to it)."""
        path = path or self.ask_view_save_path()
        if not path:
            return False
        try:
            save_view(self.state, path)
        except (OSError, ValueError) as e:
            self.banner.show_message("error", f"cannot write {path}: {e}")
            return False
        self.banner.show_message("info", f"saved the view to {Path(path).name}")
        return True

    def open_view(self, path: str | Path | None = None) -> list[str] | None:
        """Restore a saved view; returns what could not be restored (None: the file is not a view), and
        says it in the banner."""
        path = path or self.ask_view_open_path()
        if not path:
            return None
        try:
            view = read_view(path)
        except ViewError as e:
            self.banner.show_message("error", str(e))
            return None
        if any(key in view for key in ("checkpoint", "data", "model")) and not self._may_replace_model("open a view"):
            return None  # its model would replace unsaved training: saved first, dropped, or the view not opened
        return self.restore_view(view, path)

    def restore_view(self, view: dict, path: str | Path) -> list[str]:
        """Apply a view read from `path` (latentlab --view reads it before the window opens)."""
        problems = apply_view(self.state, view, Path(path).resolve().parent)
        panel = self.state.window.panel
        if panel in self.docks:
            self.show_panel(panel)
        if problems:
            self.banner.show_message("warning", f"{Path(path).name}: restored what it could; not restored: "
                                                + "; ".join(problems))
        else:
            self.banner.show_message("info", f"opened the view {Path(path).name}")
        return problems

    def ask_view_save_path(self) -> str | None:
        return QFileDialog.getSaveFileName(self, "Save view", str(Path.cwd() / "view.json"), VIEW_FILTER)[0] or None

    def ask_view_open_path(self) -> str | None:
        return QFileDialog.getOpenFileName(self, "Open view", str(Path.cwd()), VIEW_FILTER)[0] or None
