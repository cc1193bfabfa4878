"""The settings a new model is built from: a family and the values the user set (the schema's model.*)."""

from __future__ import annotations

import dataclasses
from typing import Any

from latentlab.core.models import LatentModel
from latentlab.core.settings import Setting, SettingError


def model_schema() -> dict[str, Setting]:
    from latentlab.state.schema import section  # the schema gathers every family's config fields

    return {s.field: s for s in section("model") if s.field != "family"}


class ModelSettings:
    """`ModelSettings("vae", beta=0.5)`: immutable; settings not given take the schema's default, and
    each family takes the ones its config has (core.recipes.model_for_dataset)."""

    def __init__(self, family: str = "vae", **values: Any):
        schema = model_schema()
        unknown = sorted(set(values) - set(schema))
        if unknown:
            raise SettingError(f"no model setting called {unknown[0]!r}; known: {', '.join(sorted(schema))}")
        self.family = family
        self._values = {k: schema[k].check(v) for k, v in values.items()}

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        if name in self._values:
            return self._values[name]
        schema = model_schema()
        if name not in schema:
            raise AttributeError(name)
        return schema[name].default

    def replace(self, **changes: Any) -> ModelSettings:
        values = {**self._values, **changes}
        return ModelSettings(values.pop("family", self.family), **values)

    def as_config(self) -> dict[str, Any]:
        """Every model setting (the set ones and the defaults) as a config value."""
        return {name: getattr(self, name) for name in model_schema()}

    @classmethod
    def from_model(cls, model: LatentModel) -> ModelSettings:
        """The settings that rebuild `model`'s family and architecture."""
        config = dataclasses.asdict(model.config)
        names = set(model_schema())
        return cls(model.family, **{k: v for k, v in config.items() if k in names})

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ModelSettings) and (self.family, self.as_config()) == (other.family,
                                                                                         other.as_config())

    def __hash__(self) -> int:
        return hash((self.family, tuple(sorted(self._values.items()))))

    def __repr__(self) -> str:
        values = ", ".join(f"{k}={v!r}" for k, v in sorted(self._values.items()))
        return f"ModelSettings({self.family!r}{', ' if values else ''}{values})"
