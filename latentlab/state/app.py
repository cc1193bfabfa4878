"""AppState: the root of the window's state (napari's ViewerModel, for latentlab), with no Qt.

It holds the session and one state model per panel, applies settings by their schema names
(`--set`, lesson lines, saved views), and declares, once, what is reset when the data or the model
changes: everything derived from the old one would otherwise stay on screen.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from psygnal import Signal

from latentlab.core.settings import SettingError
from latentlab.state.arithmetic import ArithmeticState
from latentlab.state.colour import CrossFilter, ExampleValues, FilterState
from latentlab.state.interpolation import InterpolationState
from latentlab.state.leaderboard import BannerState, LeaderboardState
from latentlab.state.mmd import MMDState
from latentlab.state.neighbours import NeighboursState
from latentlab.state.parametric import ParametricState
from latentlab.state.scatter import ScatterState
from latentlab.state.schema import lookup
from latentlab.state.session import Session
from latentlab.state.walkback import WalkbackState
from latentlab.state.window import CurvesState, WindowState

PANEL_SECTIONS = ("scatter", "filter", "interpolation", "arithmetic", "walkback", "mmd", "neighbours", "parametric",
                  "curves", "window")
DATA_OPTIONS = {"label_column": "label_column", "image_size": "size"}  # data.* settings that are loader options
RESETS_FIRST = 100  # psygnal priority of the resets below: above every other listener's (0)


class AppState:
    # A model.* or train.* setting was set by name (a lesson, --set, a view): the Model & data form shows it, or its
    # next edit (or New model) would put back what the form still showed.
    training_settings_set = Signal(str)

    def __init__(self, session: Session | None = None):
        self.session = session or Session()
        self.scatter = ScatterState()
        self.interpolation = InterpolationState()
        self.walkback = WalkbackState()
        self.mmd = MMDState()
        self.neighbours = NeighboursState()
        self.parametric = ParametricState()
        self.curves = CurvesState()
        self.window = WindowState()
        self.leaderboard = LeaderboardState()
        self.banner = BannerState()
        s = self.session
        # The values and the filter (they hear of new data or a new model after the resets below).
        self.values = ExampleValues(s)
        self.filter = FilterState()
        self.cross_filter = CrossFilter(self.filter, self.values)
        self.arithmetic = ArithmeticState()
        self._data_kind: str | None = None  # the kind of data the walkback defaults were last set for
        s.message.connect(self.banner.show)
        s.state_changed.connect(self._training_state)
        # Called first (priority), so the resets happen before anything else hears of the new data or model:
        # the cross-filter's refresh, above, redraws the selection gallery, which held the old data's indices.
        s.dataset_changed.connect(self.data_changed, priority=RESETS_FIRST)
        s.model_changed.connect(self.model_changed, priority=RESETS_FIRST)

    def _training_state(self, state: str) -> None:
        """Training ended: a "stop training before …" banner no longer holds (the others still do)."""
        if state == "idle" and self.banner.text.lower().startswith("stop training before"):
            self.banner.clear()

    # -- what derives from the data or the model ---------------------------------------------
    def data_changed(self) -> None:
        """New data: nothing that pointed at the old examples holds (indices, hover, paths, scores)."""
        self.values.clear()  # (it clears itself too, later: nothing below may read the old data's values)
        self.session.clear_view()
        self.interpolation.clear()
        self.arithmetic.clear()
        self.neighbours.clear()
        self.leaderboard.clear()
        self.banner.clear()
        self._fit_values()
        kind = self.session.dataset.kind if self.session.dataset is not None else None
        if kind is not None and kind != self._data_kind:  # the walkback chain's defaults for this kind of data
            self._data_kind = kind
            self.walkback.fit_to_data(kind)

    def _fit_values(self) -> None:
        """Colour and filter by what the new data and model have (their choices depend on both)."""
        known = self.values.choices()
        if self.scatter.colour_by not in known:
            self.scatter.colour_by = "label"
        if self.filter.by and self.filter.by not in known:
            self.filter.clear()

    def model_changed(self) -> None:
        """A new model (built, reset or opened): its latent space, samples and chain are new."""
        self.values.clear()
        self.session.clear_view()
        self.interpolation.keep_examples_only()
        self.neighbours.clear()
        self.leaderboard.clear()
        self.banner.clear()
        self.walkback.t = 0
        self._fit_values()
        self.walkback.follow(self.session.snapshot)  # the chain corrupts as the model was trained to undo

    # -- settings by name ------------------------------------------------------------------------
    def get(self, name: str) -> Any:
        setting = lookup(name)
        section, field = setting.section, setting.field
        s = self.session
        if section == "model":
            return s.model_settings.family if field == "family" else getattr(s.model_settings, field)
        if section == "train":
            return getattr(s.train_config, field)
        if section == "data":
            if field == "name":
                return s.dataset.name if s.dataset is not None else setting.default
            if field in DATA_OPTIONS:
                return s.dataset.options.get(DATA_OPTIONS[field], setting.default) if s.dataset else setting.default
            return s.dataset_folder or ""
        if section in PANEL_SECTIONS:
            return getattr(getattr(self, section), field)
        raise SettingError(f"{name} is a setting of the train command, not of the window")

    def set(self, name: str, value: Any) -> None:
        """Set a setting by its dotted name; SettingError (one clear line) if the value does not fit.

        model.* settings take effect with the next new model (live ones at once, during a run);
        data.name loads that dataset; panel settings change the panel at once."""
        setting = lookup(name)
        value = setting.check(value)
        section, field = setting.section, setting.field
        s = self.session
        if section == "model":
            s.model_settings = (s.model_settings.replace(family=value) if field == "family"
                                else s.model_settings.replace(**{field: value}))
            if setting.live and s.state != "idle":
                s.apply_live(field, value)
            self.training_settings_set.emit(name)
        elif section == "train":
            if not s.set_train_config(replace(s.train_config, **{field: value})):
                raise SettingError(f"{name}: {value} does not fit the other training settings")
            self.training_settings_set.emit(name)
        elif section == "data" and field in DATA_OPTIONS:  # the same data again, read another way
            name_, folder, options = s.dataset_request or (self.get("data.name"), s.dataset_folder, {})
            if not s.set_dataset(name_, folder, **{**options, DATA_OPTIONS[field]: value}):
                raise SettingError(f"cannot load the dataset {name_!r} with {name}={value}")
        elif section == "data":
            name_, folder = (value, s.dataset_folder) if field == "name" else (self.get("data.name"), value)
            if not s.set_dataset(name_, folder or None):
                raise SettingError(f"cannot load the dataset {name_!r}")
        elif name == "scatter.focus":
            self._decode(value)
        elif name in ("scatter.colour_by", "filter.by"):
            self.values.check(value)
            setattr(self.scatter if section == "scatter" else self.filter, field, value)
        elif section in PANEL_SECTIONS:
            target = getattr(self, section)
            setter = getattr(target, f"set_{field}", None)
            setter(value) if setter else setattr(target, field, value)
        else:
            raise SettingError(f"{name} is a setting of the train command, not of the window")

    def _decode(self, point: tuple[float, ...] | None) -> None:
        """scatter.focus: decode this point with the current model."""
        s = self.session
        if point is None:
            return
        if s.snapshot is None or len(point) != s.snapshot.latent_dim:
            dims = s.snapshot.latent_dim if s.snapshot is not None else 0
            raise SettingError(f"scatter.focus: the model's codes have {dims} numbers, got {len(point)}")
        import torch

        s.set_focus(torch.tensor(point, dtype=torch.float32))

    def set_text(self, name: str, text: str) -> None:
        self.set(name, lookup(name).parse(text))
