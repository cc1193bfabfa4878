"""Scoring generative models against held-out data: MMD^2 with its permutation test, and Parzen log-likelihood.

Every model is scored on the same held-out points, with samples drawn from a seeded generator, so
a table of models trained with the same budget can be compared row by row.
"""

from __future__ import annotations

import csv
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from torch import Tensor

from latentlab.core.data.base import as_float
from latentlab.core.density import parzen_log_likelihood
from latentlab.core.mmd import PooledDistances, permutation_test
from latentlab.core.models import LatentModel
from latentlab.core.progress import IsCancelled, Report, check, tell


@dataclass(frozen=True)
class Score:
    model: str
    mmd2: float  # unbiased MMD^2, Gaussian kernel at the median heuristic
    p_value: float  # of the permutation test of "samples and held-out data come from the same distribution"
    parzen: float  # mean Parzen-window log-likelihood of the held-out data, nats (higher is better)
    parzen_sigma: float
    n: int


@torch.no_grad()
def score_model(name: str, model: LatentModel, held_out: Tensor, n: int = 500, seed: int = 0,
                n_permutations: int = 200) -> Score:
    """Score `n` samples of `model` against `n` held-out points (fewer if there are fewer)."""
    n = min(n, len(held_out))
    samples = model.eval().sample(n, generator=torch.Generator(device=model.device).manual_seed(seed)).cpu()
    x, y = samples.flatten(1).float(), as_float(held_out[:n].flatten(1))  # uint8 images: pixels / 255
    pooled = PooledDistances(x, y)
    test = permutation_test(x, y, sigma=pooled.median_sigma(), estimator="unbiased", distances=pooled,
                            n_permutations=n_permutations, generator=torch.Generator().manual_seed(seed))
    parzen = parzen_log_likelihood(x, as_float(held_out.flatten(1)))
    return Score(name, test.statistic, test.p_value, parzen.mean, parzen.sigma, n)


def score_models(models: list[tuple[str, LatentModel]], held_out: Tensor, n: int = 500,
                 report: Report | None = None, cancelled: IsCancelled | None = None) -> list[Score]:
    """Every model scored as score_model does; `report` hears each one done, `cancelled` stops (Cancelled)."""
    scores = []
    for k, (name, model) in enumerate(models):
        check(cancelled)
        scores.append(score_model(name, model, held_out, n=n))
        tell(report, (k + 1) / len(models))
    return scores


def write_csv(scores: list[Score], path: str | Path) -> None:
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(Score.__dataclass_fields__))
        writer.writeheader()
        for s in scores:
            writer.writerow(asdict(s))
