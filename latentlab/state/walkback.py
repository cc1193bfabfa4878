"""The walkback chain animator's settings: how chains start, corrupt and denoise, and the pair to train."""

from __future__ import annotations

from dataclasses import dataclass

from psygnal import evented

from latentlab.core.corruption import CORRUPTIONS
from latentlab.core.settings import setting

STARTS = ("data", "click", "noise")


@evented
@dataclass
class WalkbackState:
    start: str = setting("data", label="Start from", choices=STARTS,
                         choice_labels=("data samples", "a clicked point", "uniform noise"),
                         help="Where every chain starts: data samples, the last clicked point (in the particle "
                              "view or the latent scatter), or uniform noise")
    particles: int = setting(1000, label="Chains", minimum=1, maximum=5000,
                             help="How many chains run at once (images default to 16, points to 1,000)")
    play_steps: int = setting(100, label="Steps", minimum=1, maximum=5000, help="How many steps Play runs")
    corruption: str = setting("gaussian", label="Corruption", choices=tuple(CORRUPTIONS), remember=False,
                              choice_labels=tuple(c.description for c in CORRUPTIONS.values()),
                              help="The chain's corruption C(x~|x); set from a DAE's own when it is opened")
    level: float = setting(0.2, label="Level", minimum=0.0, maximum=10.0, remember=False,
                           help="Corruption strength for the chain: sigma, or the fraction of pixels hit")
    mean: bool = setting(False, label="Denoise with the mean",
                         help="Off: sample x from P(x|x~), as the theory's chain does; on: take its mean")
    seed: int = setting(0, label="Seed", minimum=0, maximum=2**31 - 1,
                        help="The chains' random numbers: the same for both models")
    speed: int = setting(15, label="Speed", minimum=1, maximum=60, unit="steps/s", help="Steps per second while playing")
    t: int = setting(0, label="Chain step", minimum=0, maximum=100_000, remember=False,
                     help="The step the chains have reached; setting it starts them afresh and runs them there")
    pair: str = setting("", label="Pair", remember=False,
                        help="The two models compared: 'train' trains a pair without and with walkback here; "
                             "two pretrained names (without, with) open those; empty: the current model")
    pair_walkback: int = setting(1, label="Walkback steps", minimum=1, maximum=20,
                                 help="Walkback steps for the pair's 'with walkback' model")
    pair_walkback_p: float = setting(1.0, label="Continue prob.", minimum=0.0, maximum=1.0,
                                     help="Probability of each further walkback step in the pair's model")
    pair_epochs: int = setting(30, label="Epochs each", minimum=1, maximum=10000,
                               help="Epochs each model of the pair trains (the same budget for both)")

    def fit_to_data(self, kind: str) -> None:
        """Defaults for a new kind of data ("image" or "points"), set when the kind changes: a filmstrip shows
        one chain, and the mean of P(x|x~) shows digits rather than Bernoulli speckle; points need many
        chains to show a density. The pair's walkback steps are the measured recipes' (README, "The lecture's
        results, measured"; core.walkback.RECIPE_WALKBACK): four on points, one on images."""
        from latentlab.core.walkback import recipe_walkback  # here: the window's start-up need not load it

        self.particles = 16 if kind == "image" else 1000
        self.mean = kind == "image"
        self.pair_walkback = recipe_walkback(kind)

    def follow(self, model: object) -> None:
        """The chain corrupts as `model` was trained to undo (a DAE, a pair's DAE, a plug-in that declares
        a corruption): its corruption and level; any other model, or none, puts back the defaults, so no
        chain keeps a previous model's corruption (a salt-and-pepper DAE run with Gaussian noise collapses)."""
        config = getattr(model, "config", None)
        corruption, level = getattr(config, "corruption", None), getattr(config, "noise", None)
        if corruption in CORRUPTIONS and level is not None:  # a DAE, or a plug-in that declares one
            self.corruption, self.level = corruption, float(level)
        else:
            defaults = WalkbackState()
            self.corruption, self.level = defaults.corruption, defaults.level
