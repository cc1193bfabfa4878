"""The registry of model families: name -> class, and building a model from a config dict."""

from __future__ import annotations

from typing import Any

MODEL_FAMILIES: dict[str, Any] = {}  # name -> LatentModel subclass
DEFAULT_FAMILY = "vae"


def register_model(cls: Any) -> Any:
    MODEL_FAMILIES[cls.family] = cls
    return cls


def families() -> list[str]:
    _load_builtin()
    return sorted(MODEL_FAMILIES)


def model_class(family: str) -> Any:
    _load_builtin()
    try:
        return MODEL_FAMILIES[family]
    except KeyError:
        raise ValueError(f"unknown model family {family!r}; known: {', '.join(sorted(MODEL_FAMILIES))}") from None


def build_model(family: str, config: dict[str, Any]):
    """A new model of `family` from a plain dict of config values (as stored in checkpoints)."""
    cls = model_class(family)
    return cls(cls.config_class.from_dict(dict(config)))


def _load_builtin() -> None:
    # Imported here, not at module top, because each model module registers itself on import.
    from latentlab.core.models import autoencoder, dae, mmdnet, mmdvae, swae, vae  # noqa: F401
