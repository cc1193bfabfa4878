"""File > Open model code… and reopening an imported plug-in checkpoint: the window's way to a model of the
user's own (core/plugins.py). A plug-in is code: it runs only after a confirmation that names its file,
never because a checkpoint names it. The dialogs are attributes, so tests answer them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox, QWidget

from latentlab.core.models.plugin import PLUGIN_FAMILY, PluginError

PYTHON_FILTER = "Python files (*.py);;All files (*)"
WEIGHTS_FILTER = "Weights (*.safetensors *.pt *.pth);;All files (*)"


def plugin_aware(runner: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    """The window's runner, except for plug-in models, which train in a thread of the window: the training
    process (`latentlab train --control`) would have to import the plug-in again from a checkpoint that
    names it, and plug-in code never runs because a checkpoint names it."""
    from latentlab.gui.worker import ThreadRun

    def run(request, callbacks):
        if request.trainer.model.family == PLUGIN_FAMILY:
            return ThreadRun(request, callbacks)
        return runner(request, callbacks)

    return run


class PluginOpener:
    def __init__(self, window: Any):
        self.window = window
        self.ask_file: Callable[[], str | None] = self._ask_file
        self.confirm: Callable[[str, str], bool] = self._confirm
        self.ask_class: Callable[[str, list[str]], str | None] = self._ask_class
        self.ask_weights: Callable[[str], str | None] = self._ask_weights

    # -- dialogs -------------------------------------------------------------------------------------------
    def _parent(self) -> QWidget:
        return self.window

    def _ask_file(self) -> str | None:
        path, _ = QFileDialog.getOpenFileName(self._parent(), "Open model code", str(Path.cwd()), PYTHON_FILTER)
        return path or None

    def _confirm(self, path: str, why: str) -> bool:
        box = QMessageBox(QMessageBox.Warning, "Run this model code?",
                          f"{why}Run the Python code in\n\n{path}\n\nA model file is a program: it runs with your "
                          "permissions and can do anything you can. Run it only if you trust it.",
                          QMessageBox.Cancel, self._parent())
        run = box.addButton("Run it", QMessageBox.AcceptRole)
        box.setDefaultButton(QMessageBox.Cancel)
        box.exec()
        return box.clickedButton() is run

    def _ask_class(self, path: str, names: list[str]) -> str | None:
        name, ok = QInputDialog.getItem(self._parent(), "Which model?", f"{Path(path).name} defines several models:",
                                        names, 0, False)
        return name if ok else None

    def _ask_weights(self, class_name: str) -> str | None:
        path, _ = QFileDialog.getOpenFileName(self._parent(), f"Weights of {class_name} (Cancel: fresh weights)",
                                              str(Path.cwd()), WEIGHTS_FILTER)
        return path or None

    # -- opening ---------------------------------------------------------------------------------------------
    def _error(self, text: str) -> bool:
        self.window.banner.show_message("error", text)
        return False

    def open_code(self, path: str | None = None, class_name: str | None = None, weights: str | None = None,
                  ask_weights: bool = True) -> bool:
        """File > Open model code…: a plug-in file (confirmed), its class, its weights (or fresh ones), on the
        dataset on show."""
        from latentlab.core.plugins import model_classes, open_on_dataset

        w, session = self.window, self.window.session
        if not w._may_replace_model("open model code"):
            return False
        if session.dataset is None:
            return self._error("choose a dataset first: the model opens on the dataset on show")
        path = path or self.ask_file()
        if not path:
            return False
        if not self.confirm(path, ""):
            return False
        try:
            names = [class_name] if class_name else model_classes(path)
            if not names:
                raise PluginError(f"{path}: it defines no nn.Module class with encode(x) and decode(z)")
            name = names[0] if len(names) == 1 else self.ask_class(path, names)
            if not name:
                return False
            if weights is None and ask_weights:
                weights = self.ask_weights(name)
            opening = open_on_dataset(f"{path}:{name}", weights, session.dataset, session.dataset_folder)
        except ValueError as e:
            return self._error(str(e))
        return bool(session.install_plugin(opening))

    def holds_plugin(self, path: str) -> bool:
        from latentlab.core.checkpoints import read_metadata
        from latentlab.core.pretrained import resolve

        try:
            return read_metadata(resolve(path)).get("family") == PLUGIN_FAMILY
        except ValueError:
            return False  # the session says what is wrong with it

    def open_checkpoint(self, path: str) -> bool:
        """A checkpoint of a plug-in model: the code it names runs only after the user confirms that file
        (or chooses where it is now, if it has moved)."""
        from latentlab.core.checkpoints import read_metadata
        from latentlab.core.plugins import ENTRY_PREFIX, open_for_use, recorded_plugin
        from latentlab.core.recipes import UntrustedFolder

        session = self.window.session
        try:
            recorded = recorded_plugin(read_metadata(path))
        except ValueError as e:
            return self._error(str(e))
        name = recorded["class_name"]
        if recorded["entry_point"]:
            source, shown = f"{ENTRY_PREFIX}{recorded['entry_point']}", f"the installed plug-in {recorded['source']}"
        else:
            file = recorded["file"]
            if not file or not Path(file).is_file():
                self.window.banner.show_message("warning", f"{path}: its plug-in file {file or '(none recorded)'} is "
                                                           f"missing; choose the file that defines {name}")
                file = self.ask_file()
                if not file:
                    return self._error(f"{path}: not opened: its plug-in file {recorded['file']} is missing")
            source, shown = f"{file}:{name}", file
        why = f"{Path(path).name} holds a model of the class {name}, defined in this file.\n\n"
        if not self.confirm(shown, why):
            return False
        try:
            try:
                opening = open_for_use(source, checkpoint=path)
            except UntrustedFolder as e:
                if not session.trust_folder(e.folder):
                    raise
                opening = open_for_use(source, checkpoint=path, trust_folder=True)
        except ValueError as e:
            return self._error(str(e))
        return bool(session.install_plugin(opening))
