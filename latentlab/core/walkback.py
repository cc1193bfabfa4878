"""Walkback experiments: a chain advanced one step at a time, its MMD^2 to held-out data over t,
and a with/without-walkback pair trained on the same data with the same budget and seed."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import torch
from torch import Tensor

from latentlab.core.corruption import Corruption
from latentlab.core.data import Dataset
from latentlab.core.images import grid_image, points_image, side_by_side
from latentlab.core.kernels import Bandwidth, median_heuristic
from latentlab.core.mmd import mmd2
from latentlab.core.models.dae import DAEConfig, DenoisingAutoencoder
from latentlab.core.training import TrainConfig, Trainer

# Chains are scored with a sum of Gaussian kernels whose bandwidths are these fractions of the held-out
# data's median distance: on the ring of 8 Gaussians (median 2.8) about 0.1, 0.3 and 0.9, so the small
# ones see single modes and the large one the overall spread.
BANDWIDTH_FRACTIONS = (1 / 30, 1 / 10, 1 / 3)

# The walkback steps of the measured recipes (scripts/lecture_results.py; the shipped dae-walkback-* checkpoints;
# the window's "Train pair" default): four on 2-D points, one on images. On the ring of 8 Gaussians the pair is
# trained with Gaussian corruption sigma = 0.15 (scripts/lecture_results.py, the manifest). What a chain there
# gets wrong is mostly how evenly it keeps the eight modes filled, not their width: both DAEs' chains change
# mode far more often than the exact P(x|x~) would, and where the plain DAE's chain happened to keep them even,
# it beat the walkback one's. Four walkback steps train the model on more of its own chain's excursions, and a
# corruption narrower against the modes' spacing sends fewer of them between modes; together (scripts/
# walkback_trials.py, seeds 0-19, against two steps at sigma = 0.2) walkback's chain is lower on 20 of 20 seeds
# rather than 18, with a median ratio of 2.85x rather than 2.61x. Longer training helps the plain DAE more.
RECIPE_WALKBACK = {"points": 4, "image": 1}


def recipe_walkback(kind: str) -> int:
    """The measured recipe's walkback steps for data of `kind` ("image"; anything else is points)."""
    return RECIPE_WALKBACK["image" if kind == "image" else "points"]


def chain_bandwidths(reference: Tensor) -> tuple[float, ...]:
    scale = median_heuristic(reference.flatten(1))
    return tuple(scale * f for f in BANDWIDTH_FRACTIONS)


class ChainRun:
    """One sampling chain (many particles) advanced step by step, keeping every state.

    Two runs made with the same seed and start draw the same random numbers step for step,
    so a with/without-walkback comparison differs only by the model.
    """

    def __init__(self, model: DenoisingAutoencoder, start: Tensor, seed: int = 0, sample: bool = True,
                 corruption: Corruption | None = None):
        self.model = model
        self.sample = sample
        self.corruption = corruption or model.corruption
        self.generator = torch.Generator(device=model.device).manual_seed(seed)
        self.clean: list[Tensor] = [start.to(model.device, model.dtype)]  # the model's dtype
        self.corrupted: list[Tensor] = []

    @property
    def t(self) -> int:
        return len(self.corrupted)

    @property
    def current(self) -> Tensor:
        return self.clean[-1]

    @torch.no_grad()
    def advance(self, steps: int = 1) -> None:
        for _ in range(steps):
            x_tilde, x = self.model.chain_step(self.current, self.sample, self.generator, self.corruption)
            self.corrupted.append(x_tilde)
            self.clean.append(x)


@torch.no_grad()
def chain_mmd_curve(states: list[Tensor] | Tensor, reference: Tensor, sigma: Bandwidth | None = None,
                    every: int = 1) -> tuple[list[int], list[float]]:
    """MMD^2 (biased, Gaussian kernel sum) between the chain's particles at t and `reference`, for t = 0, every, ...

    `sigma` defaults to chain_bandwidths(reference)."""
    ts = list(range(0, len(states), every))
    ref = reference.flatten(1)
    sigma = chain_bandwidths(reference) if sigma is None else sigma
    return ts, [float(mmd2(states[t].flatten(1), ref, sigma=sigma)) for t in ts]


@dataclass(frozen=True)
class PairResult:
    without: DenoisingAutoencoder | None  # None when training ended early
    with_walkback: DenoisingAutoencoder | None
    seconds: tuple[float, ...]  # training time of each
    message: str  # "" when both finished, otherwise why training ended early


def train_walkback_pair(config: DAEConfig, dataset: Dataset, train: TrainConfig, walkback: int,
                        walkback_p: float, on_progress: Callable[[float], None] | None = None,
                        should_stop: Callable[[], bool] = lambda: False) -> PairResult:
    """Two DAEs with `config`'s architecture, one with walkback 0 and one with `walkback` steps, trained
    with the same initial weights (seeded), data order, noise stream and budget."""
    models, seconds = [], []
    for k, steps in enumerate((0, walkback)):
        torch.manual_seed(train.seed)
        model = DenoisingAutoencoder(replace(config, walkback=steps, walkback_p=walkback_p))

        def report(event, k=k):
            if on_progress:
                on_progress((k + event.progress) / 2)
            if should_stop():
                trainer.stop()  # noqa: B023 (the trainer of this iteration: report runs inside its run)

        trainer = Trainer(model, dataset, train, on_step=report)
        start = time.perf_counter()
        result = trainer.run()
        seconds.append(time.perf_counter() - start)
        if result.reason != "finished":
            return PairResult(None, None, tuple(seconds), result.message)
        models.append(model.to("cpu").eval())
    return PairResult(models[0], models[1], tuple(seconds), "")


def chain_frames(runs: list[ChainRun], names: list[str], reference: Tensor | None = None,
                 size: int = 360, particles: int = 1000, scale: int = 6) -> list:
    """One Pillow frame per step of the runs, side by side with their names: for 2-D data the
    particles over `reference` (grey), for images chain 0's corrupted x~ above its denoised x, each
    pixel `scale` x `scale`."""
    steps = min(run.t for run in runs) + 1
    if runs[0].current.dim() == 2:
        everything = torch.cat([s[:particles].cpu() for run in runs for s in run.clean[:steps]]
                               + ([reference.cpu()] if reference is not None else []))
        bounds = everything.min(0).values, everything.max(0).values
        return [side_by_side([points_image(run.clean[t][:particles], size, reference, bounds, f"{name}  t = {t}")
                              for run, name in zip(runs, names)]) for t in range(steps)]
    frames = []
    for t in range(steps):
        tiles = []
        for run in runs:
            clean = run.clean[t][0].cpu().clamp(0, 1)
            tiles += [run.corrupted[t - 1][0].cpu().clamp(0, 1) if t else torch.zeros_like(clean), clean]
        frames.append(grid_image(torch.stack(tiles), nrow=2, scale=scale))  # one row per model: x~ | x
    return frames
