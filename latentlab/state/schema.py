"""The whole settings schema: every user-settable value under its dotted name (see core/settings.py).

Sections, each declared once where its values live:
- data.*    the dataset (DataSettings below)
- model.*   every model family's config fields (core/models/*), plus model.family
- train.*   core.training.TrainConfig
- run.*     core.run_dir.RunOptions (latentlab train --run-dir)
- scatter.*, filter.*, interpolation.*, arithmetic.*, walkback.*, mmd.*, neighbours.*, parametric.*, curves.*,
  window.*: the panels' state models
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from latentlab.core.data import DATASETS, DEFAULT_DATASET
from latentlab.core.models import families, model_class
from latentlab.core.models.registry import DEFAULT_FAMILY
from latentlab.core.run_dir import RunOptions
from latentlab.core.settings import Setting, SettingError, declared, setting
from latentlab.core.training import TrainConfig


@dataclass(frozen=True)
class DataSettings:
    name: str = setting(DEFAULT_DATASET, label="Dataset",
                        help="The data to train on: " + "; ".join(f"{k}: {v.description}" for k, v in DATASETS.items())
                        + "; or the path of a .npy/.npz array, a .csv/.tsv table, a folder of images (subfolders "
                          "as classes) or a folder of IDX files")
    dir: str = setting("", label="Data folder",
                       help="A folder holding a standard dataset's files (mnist, cifar10, ...) instead of the user cache")
    label_column: str = setting("", label="Label column",
                                help="For a .csv/.tsv: the column of labels (default: one named label, class, target or "
                                     "category, else a text column of at most 50 values); other text columns are kept "
                                     "as metadata")
    image_size: int | None = setting(None, label="Image size", kind="int", optional=True, minimum=4, maximum=256,
                                     unit="pixels",
                                     help="For a folder of images: resize every image to this many pixels a side "
                                          "(default: the most common size, at most 64 a side)")


def _model_settings() -> list[Setting]:
    """Each family's declared config fields, once per name, with the families that have it."""
    by_name: dict[str, Setting] = {}
    have: dict[str, list[str]] = {}
    for family in families():
        for s in declared(model_class(family).config_class, "model"):
            by_name.setdefault(s.name, s)
            have.setdefault(s.name, []).append(family)
    family_setting = Setting("model.family", "str", DEFAULT_FAMILY, "Model family",
                     "The model family (each family's own settings are listed with it)",
                     choices=tuple(families()))
    return [family_setting] + [Setting(**{**s.__dict__, "families": tuple(have[s.name])}) for s in by_name.values()]


@cache
def schema() -> dict[str, Setting]:
    """Every setting by dotted name, in a stable order (sections as listed in this module's docstring)."""
    from latentlab.state.arithmetic import ArithmeticState
    from latentlab.state.colour import FilterState
    from latentlab.state.interpolation import InterpolationState
    from latentlab.state.mmd import MMDState
    from latentlab.state.neighbours import NeighboursState
    from latentlab.state.parametric import ParametricState
    from latentlab.state.scatter import ScatterState
    from latentlab.state.walkback import WalkbackState
    from latentlab.state.window import CurvesState, WindowState

    found = [*declared(DataSettings, "data"), *_model_settings(), *declared(TrainConfig, "train"),
             *declared(RunOptions, "run"), *declared(ScatterState, "scatter"), *declared(FilterState, "filter"),
             *declared(InterpolationState, "interpolation"), *declared(ArithmeticState, "arithmetic"),
             *declared(WalkbackState, "walkback"),
             *declared(MMDState, "mmd"), *declared(NeighboursState, "neighbours"),
             *declared(ParametricState, "parametric"),
             *declared(CurvesState, "curves"), *declared(WindowState, "window")]
    return {s.name: s for s in found}


def section(name: str) -> list[Setting]:
    return [s for s in schema().values() if s.section == name]


def lookup(name: str) -> Setting:
    """The setting called `name`; SettingError (naming near misses) if there is none."""
    settings = schema()
    if name in settings:
        return settings[name]
    close = [n for n in settings if n.endswith("." + name) or name in n]
    hint = f"; did you mean {', '.join(close[:4])}?" if close else "; `latentlab settings` lists them all"
    raise SettingError(f"no setting called {name!r}{hint}")


def parse_assignment(text: str) -> tuple[Setting, object]:
    """`NAME=VALUE` (from --set or a saved view) as the setting and its checked value."""
    name, eq, value = text.partition("=")
    if not eq:
        raise SettingError(f"expected NAME=VALUE, got {text!r}")
    setting_ = lookup(name.strip())
    return setting_, setting_.parse(value)


def table() -> str:
    """`latentlab settings`: every name with its type, default, range or choices, and help."""
    rows = []
    for s in schema().values():
        live = "  [live]" if s.live else ""
        families_ = f"  ({', '.join(s.families)})" if s.families else ""
        unit = f" {s.unit}" if s.unit else ""
        rows.append(f"{s.name}  {s.kind} = {s.format(s.default)}{unit}  {s.describe_values()}{live}{families_}\n"
                    f"    {s.help}")
    return "\n".join(rows) + f"\n\n{len(rows)} settings; [live] ones may change while a run is going."
