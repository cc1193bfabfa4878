"""Saved views: what the window shows (the model or checkpoint, the data, every panel's settings, the
decoded point, the selection and the drawn path) as a small JSON file, and back.

A view is built from the state models only (AppState and the schema), so it is Qt-free and tested
headless. Opening one restores what it can and lists what it could not: a view from another version,
an unknown or no longer valid setting, a checkpoint that is gone are each a line, never a crash.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from latentlab.core.pretrained import PREFIX, read_manifest
from latentlab.core.settings import SettingError
from latentlab.state.app import PANEL_SECTIONS, AppState
from latentlab.state.schema import schema

FORMAT = "latentlab-view"
VERSION = 1
MAX_BYTES = 1_000_000  # a view is a few kB; anything this large is not one
KEYS = ("format", "version", "checkpoint", "data", "data_dir", "model", "settings", "focus", "selection", "path")
SEPARATE = ("scatter.focus",)  # written as the view's own "focus" entry


class ViewError(ValueError):
    """A file that is not a view at all (not JSON, another format, far too large): one line."""


def view_settings() -> list[str]:
    """The dotted names a view holds: every setting of the panels and the window."""
    return [name for name, s in schema().items() if s.section in PANEL_SECTIONS and name not in SEPARATE]


def shipped_name(checkpoint: Path) -> str | None:
    """The name of the shipped checkpoint `checkpoint` is (None: a file of the user's own)."""
    try:
        entries = read_manifest()
        here = checkpoint.resolve()
        return next((e.name for e in entries if e.path().resolve() == here), None)
    except (ValueError, OSError):
        return None


def to_view(app: AppState, path: str | Path | None = None) -> dict[str, Any]:
    """The view of `app` as a JSON-ready dict; a checkpoint is named relative to `path`'s folder (the view file),
    a shipped one as pretrained:NAME."""
    s = app.session
    view: dict[str, Any] = {"format": FORMAT, "version": VERSION}
    shipped = None if s.checkpoint_path is None else shipped_name(Path(s.checkpoint_path))
    if shipped is not None:  # found wherever the student's latentlab is installed, not beside the lecturer's
        view["checkpoint"] = PREFIX + shipped
    elif s.checkpoint_path is not None:
        checkpoint = Path(s.checkpoint_path)
        if path is not None:
            try:
                checkpoint = Path(os.path.relpath(checkpoint.resolve(), Path(path).resolve().parent))
            except ValueError:  # another drive (Windows): keep it absolute
                checkpoint = checkpoint.resolve()
        view["checkpoint"] = checkpoint.as_posix()
    else:
        view["data"] = s.dataset_request[0] if s.dataset_request else app.get("data.name")
        if s.dataset_folder:
            view["data_dir"] = str(s.dataset_folder)
        family = s.model_settings.family
        model = {"family": family}
        for name, setting in schema().items():
            if setting.section == "model" and setting.field != "family" and family in setting.families:
                model[setting.field] = setting.format(app.get(name))
        view["model"] = model
    view["settings"] = {name: schema()[name].format(app.get(name)) for name in view_settings()}
    view["focus"] = None if s.focus is None else [float(v) for v in s.focus.tolist()]
    view["selection"] = [int(i) for i in s.selection.tolist()]
    view["path"] = None if s.path is None else [[float(v) for v in p] for p in s.path.tolist()]
    return view


def save_view(app: AppState, path: str | Path) -> None:
    """Write the view of `app` to `path` (all or nothing); OSError if it cannot be written."""
    path = Path(path)
    text = json.dumps(to_view(app, path), indent=1)
    temporary = path.with_name(path.name + ".part")
    temporary.write_text(text + "\n", encoding="utf-8")
    os.replace(temporary, path)


def read_view(path: str | Path) -> dict[str, Any]:
    """A view file's contents; ViewError (one line naming the file) if it is not a view."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise ViewError(f"{path}: {path.stat().st_size} bytes is too large for a view (at most {MAX_BYTES})")
        data = path.read_bytes()
    except OSError as e:
        raise ViewError(f"cannot read the view {path}: {e.strerror or e}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ViewError(f"{path} is not a view: not text (a view is a JSON file)") from None
    try:
        view = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as e:
        raise ViewError(f"{path} is not a view: not JSON ({e})") from None
    if not isinstance(view, dict) or view.get("format") != FORMAT:
        raise ViewError(f"{path} is not a view: it needs \"format\": \"{FORMAT}\"")
    return view


def apply_view(app: AppState, view: Mapping[str, Any], folder: str | Path | None = None) -> list[str]:
    """Restore a view into `app`; a checkpoint named relative is looked for in `folder` (the view file's).
    Returns what could not be restored, one line each (empty: everything)."""
    problems: list[str] = []
    version = view.get("version")
    if version != VERSION:
        problems.append(f"the view is of version {version!r}, this latentlab writes version {VERSION}: "
                        "what it knows was restored")
    problems += [f"unknown entry {key!r}" for key in view if key not in KEYS]
    if not _open_model(app, view, folder, problems):
        return problems
    settings = view.get("settings", {})
    if not isinstance(settings, Mapping):
        problems.append("settings: not a table of NAME: VALUE")
        settings = {}
    known = set(view_settings())
    for name, text in settings.items():
        if name not in known:
            problems.append(f"{name}: not a setting a view restores" if name in schema()
                            else f"{name}: no such setting")
            continue
        try:
            app.set_text(name, str(text))
        except (SettingError, TypeError) as e:
            problems.append(str(e))
    _restore_points(app, view, problems)
    return problems


def _open_model(app: AppState, view: Mapping[str, Any], folder: str | Path | None, problems: list[str]) -> bool:
    """The view's checkpoint, or its data and a fresh model of its settings; False if neither could be had."""
    s = app.session
    checkpoint = view.get("checkpoint")
    if checkpoint is not None:
        path = Path(str(checkpoint))
        if not path.is_absolute() and folder is not None and not str(checkpoint).startswith("pretrained:"):
            path = Path(folder) / path
        if s.open_checkpoint(str(checkpoint) if str(checkpoint).startswith("pretrained:") else path):
            return True
        problems.append(f"cannot open the checkpoint {checkpoint}: the view's settings were not restored")
        return False
    data = view.get("data")
    if data is None:
        return True  # settings alone, on whatever is open
    try:
        if data != app.get("data.name") or view.get("data_dir"):
            app.set("data.dir", str(view.get("data_dir") or ""))
            app.set("data.name", str(data))
    except SettingError as e:
        problems.append(f"{e}: the view's settings were not restored")
        return False
    model = view.get("model") or {}
    if not isinstance(model, Mapping):
        problems.append("model: not a table of NAME: VALUE")
        return True
    for field, text in model.items():
        try:
            app.set_text(f"model.{field}", str(text))
        except SettingError as e:
            problems.append(str(e))
    if not s.configure_model(s.model_settings, fall_back=True):
        problems.append("cannot build the view's model: " + (app.banner.text or "see the message"))
    return True


def _restore_points(app: AppState, view: Mapping[str, Any], problems: list[str]) -> None:
    """The decoded point, the selection and the drawn path, each checked against the model and data."""
    import numpy as np
    import torch

    s = app.session
    focus = view.get("focus")
    if focus is not None:
        try:
            app.set("scatter.focus", tuple(float(v) for v in focus))
        except (SettingError, TypeError, ValueError) as e:
            problems.append(f"focus: {e}")
    selection = view.get("selection")
    if selection:
        try:
            indices = np.asarray(selection, dtype=np.int64).reshape(-1)
        except (TypeError, ValueError):
            problems.append("selection: not a list of example numbers")
        else:
            n = len(s.dataset.train_x) if s.dataset is not None else 0
            kept = indices[(indices >= 0) & (indices < n)]
            if len(kept) < len(indices):
                problems.append(f"selection: {len(indices) - len(kept)} examples are not in the data ({n} examples)")
            s.set_selection(kept)
    path = view.get("path")
    if path is not None:
        try:
            points = torch.tensor(path, dtype=torch.float32)
        except (TypeError, ValueError):
            problems.append("path: not a list of latent points")
            return
        dims = s.snapshot.latent_dim if s.snapshot is not None else 0
        if points.dim() != 2 or points.shape[1] != dims or not bool(torch.isfinite(points).all()):
            problems.append(f"path: not a list of points with {dims} numbers each")
        else:
            s.set_path(points)
