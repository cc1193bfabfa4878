"""Model families; each follows the protocol in base.py and registers itself in registry.py."""

from latentlab.core.models.base import CapabilityError, LatentModel, LossTerms, ModelConfig
from latentlab.core.models.registry import build_model, families, model_class

__all__ = ["CapabilityError", "LatentModel", "LossTerms", "ModelConfig", "build_model", "families", "model_class"]
