"""The lecture's measured results, reproducible from a fresh install:

  walkback     ring of 8 Gaussians: MMD^2 of 1,000 chains at step 100 to held-out data,
               DAE without and with walkback, same architecture, seed and budget, over several seeds
  leaderboard  mnist5k: every generative family trained with the same budget, scored against
               held-out data (MMD^2 + permutation p-value, Parzen log-likelihood)

Usage: python scripts/lecture_results.py [walkback] [leaderboard]   (writes bench/results/*.csv)
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import torch

from latentlab.core.data import load_dataset
from latentlab.core.leaderboard import score_model, write_csv
from latentlab.core.recipes import model_for_dataset
from latentlab.core.training import TrainConfig, Trainer
from latentlab.core.walkback import ChainRun, chain_mmd_curve, train_walkback_pair

RESULTS = Path(__file__).resolve().parent.parent / "bench" / "results"
LEADERBOARD_MODELS = {
    "vae": dict(family="vae"),
    "autoencoder + N(0, I) prior samples": dict(family="autoencoder"),
    "dae chain (walkback 1)": dict(family="dae", corruption="salt_pepper", noise=0.2, walkback=1),
    "mmd net": dict(family="mmdnet", latent_dim=10, hidden=(256, 512)),
    "gmmn+ae": dict(family="gmmn_ae"),
}


def walkback(seeds=range(5), epochs: int = 30) -> None:
    d = load_dataset("ring8")
    config = model_for_dataset("dae", d).config
    lines = [f"walkback on ring8: {epochs} epochs each, noise {config.noise}, 1,000 chains from data, 100 steps",
             "MMD^2 at step 100 to held-out data",
             "seed  without  with    train s (without / with)"]
    print("\n".join(lines), flush=True)
    for seed in seeds:
        pair = train_walkback_pair(config, d, TrainConfig(epochs=epochs, seed=seed, device="cpu"), 1, 1.0)
        start = d.train_x[torch.randperm(len(d.train_x), generator=torch.Generator().manual_seed(seed))[:1000]]
        scores = []
        for model in (pair.without, pair.with_walkback):
            run = ChainRun(model, start, seed=seed)
            run.advance(100)
            scores.append(chain_mmd_curve([run.current], d.test_x)[1][0])
        lines.append(f"{seed:4d}  {scores[0]:.4f}   {scores[1]:.4f}  {pair.seconds[0]:.1f} / {pair.seconds[1]:.1f}")
        print(lines[-1], flush=True)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "walkback_ring8.txt").write_text("\n".join(lines) + "\n")


def leaderboard(epochs: int = 20, latent_dim: int = 8) -> None:
    d = load_dataset("mnist5k")
    scores = []
    print(f"leaderboard on mnist5k: {epochs} epochs each, batch 128, latent {latent_dim}; 500 samples vs 500 held-out")
    for name, settings in LEADERBOARD_MODELS.items():
        settings = {"latent_dim": latent_dim, **settings}
        family = settings.pop("family")
        torch.manual_seed(0)
        model = model_for_dataset(family, d, **settings)
        start = time.perf_counter()
        Trainer(model, d, TrainConfig(epochs=epochs, seed=0, device="cpu")).run()
        seconds = time.perf_counter() - start
        score = score_model(name, model, d.test_x, n=500, n_permutations=200)
        scores.append(score)
        print(f"{name:38s} MMD^2 {score.mmd2:.5f}  p {score.p_value:.3f}  Parzen {score.parzen:8.1f} nats "
              f"(sigma {score.parzen_sigma:.3g})  trained in {seconds:.1f} s", flush=True)
    RESULTS.mkdir(exist_ok=True)
    write_csv(scores, RESULTS / "leaderboard_mnist5k.csv")


if __name__ == "__main__":
    parts = sys.argv[1:] or ["walkback", "leaderboard"]
    for part in parts:
        {"walkback": walkback, "leaderboard": leaderboard}[part]()
