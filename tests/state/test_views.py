"""Saved views, headless: written from the state models, restored into a fresh AppState, and what
cannot be restored listed rather than raised."""

import json
import shutil

import pytest

from latentlab.core.pretrained import shipped_path
from latentlab.state.app import AppState
from latentlab.state.views import FORMAT, ViewError, apply_view, read_view, save_view, to_view, view_settings


def test_a_view_round_trips_data_model_settings_focus_and_selection(app, tmp_path):
    app.set_text("scatter.overlays", "prior,density")
    app.set_text("mmd.n", "50")
    app.set_text("curves.log", "on")
    app.set("scatter.focus", (0.5, -1.0))
    app.session.set_selection([3, 1, 7])
    save_view(app, tmp_path / "v.json")
    view = read_view(tmp_path / "v.json")
    assert view["format"] == FORMAT and view["data"] == "ring8" and view["model"]["hidden"] == "16"
    assert set(view["settings"]) == set(view_settings()) and view["selection"] == [1, 3, 7]

    other = AppState()
    assert apply_view(other, view) == []
    assert other.get("data.name") == "ring8" and other.session.model_settings.hidden == (16,)
    assert other.scatter.overlays == {"prior", "density"} and other.mmd.n == 50 and other.curves.log
    assert other.session.focus.tolist() == [0.5, -1.0]
    assert other.session.selection.tolist() == [1, 3, 7]


def test_a_checkpoint_is_named_relative_to_the_view_file(tmp_path):
    app = AppState()
    shutil.copy(shipped_path("dae-ring8"), tmp_path / "m.safetensors")
    assert app.session.open_checkpoint(tmp_path / "m.safetensors")
    (tmp_path / "lab").mkdir()
    save_view(app, tmp_path / "lab" / "v.json")
    view = read_view(tmp_path / "lab" / "v.json")
    assert view["checkpoint"] == "../m.safetensors" and "model" not in view
    other = AppState()
    assert apply_view(other, view, tmp_path / "lab") == []
    assert other.session.checkpoint_path.resolve() == (tmp_path / "m.safetensors").resolve()


def test_a_shipped_checkpoint_is_named_by_its_name_not_its_path(tmp_path):
    """A lecturer's view of a shipped model opens where the students' latentlab is installed."""
    app = AppState()
    assert app.session.open_checkpoint("pretrained:dae-ring8")
    save_view(app, tmp_path / "v.json")
    view = read_view(tmp_path / "v.json")
    assert view["checkpoint"] == "pretrained:dae-ring8"
    other = AppState()
    assert apply_view(other, view, tmp_path) == []
    assert other.session.checkpoint_path.resolve() == shipped_path("dae-ring8").resolve()


def test_an_other_version_and_bad_settings_restore_what_they_can(app):
    view = to_view(app)
    view.update(version=7, colour="red", selection=[2, 10**9], focus=[1.0, 2.0, 3.0])
    view["settings"] = {"scatter.kde_width": "2.5", "scatter.kde_width_old": "1", "mmd.n": "999999",
                        "train.lr": "0.1"}
    problems = apply_view(app, view)
    assert app.scatter.kde_width == 2.5 and app.session.selection.tolist() == [2]
    text = "\n".join(problems)
    for fragment in ("version 7", "'colour'", "scatter.kde_width_old", "mmd.n", "train.lr", "selection", "focus"):
        assert fragment in text, text
    assert len(problems) == 7


def test_a_missing_checkpoint_is_a_problem_not_a_crash(app, tmp_path):
    problems = apply_view(app, {"format": FORMAT, "version": 1, "checkpoint": "gone.safetensors",
                                "settings": {"mmd.n": "50"}}, tmp_path)
    assert len(problems) == 1 and "gone.safetensors" in problems[0] and app.mmd.n != 50


@pytest.mark.parametrize("content, fragment", [
    ("not json {", "not JSON"),
    ('{"format": "something-else"}', "not a view"),
    ("[1, 2]", "not a view"),
    ("x" * 1_000_001, "too large"),
])
def test_bad_view_files_are_one_line(tmp_path, content, fragment):
    path = tmp_path / "v.json"
    path.write_text(content)
    with pytest.raises(ViewError, match=fragment):
        read_view(path)
    with pytest.raises(ViewError, match="cannot read"):
        read_view(tmp_path / "missing.json")
    assert json.dumps(FORMAT)
