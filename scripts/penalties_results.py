"""The three latent penalties on the same data: KL (VAE), MMD^2 (MMD-VAE), sliced Wasserstein (SWAE).

Each family is trained with its default weight (beta 1, MMD weight 100, SW weight 100) on mnist5k with
the same network (latent 2, hidden 128), budget and seed, over several seeds. Then, on 500 held-out
examples, one code per example drawn from q(z|x) (the aggregate posterior) is compared with 500 draws
of the prior N(0, I) by three two-sample distances (core/mmd.py, core/two_sample.py): MMD^2 (unbiased,
Gaussian kernel at the median bandwidth), the exact W_2 (optimal matching) and the energy distance E^2;
the held-out reconstruction -log p(x|z) is reported beside them.

Usage: python scripts/penalties_results.py [SEEDS] [EPOCHS]   (default 10 seeds, 10 epochs, a few minutes on
two CPU cores; writes bench/results/penalties_mnist5k.txt and caches each seed under build/penalties_results/).
Lesson 7's figures are generated from that cache: `python scripts/lecture_results.py penalties --seeds 10`
(scripts/lecture_effects.py) summarizes it into docs/lecture_results.json and rewrites the lesson's block.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

import torch

from latentlab.core.data import load_dataset
from latentlab.core.mmd import mmd2
from latentlab.core.recipes import model_for_dataset
from latentlab.core.training import TrainConfig, Trainer
from latentlab.core.two_sample import energy_distance, wasserstein2_exact

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
CACHE = ROOT / "build" / "penalties_results"  # one file per family, seed and budget: a rerun resumes
FAMILIES = {"vae": "KL (VAE)", "mmdvae": "MMD (MMD-VAE)", "swae": "sliced W (SWAE)"}
N = 500


@torch.no_grad()
def measure(model, held_out: torch.Tensor, seed: int) -> dict[str, float]:
    g = torch.Generator().manual_seed(seed)
    model.eval()
    x = held_out[:N]
    mu, logvar = model.encode_dist(x)
    z = (mu + torch.randn(mu.shape, generator=g) * torch.exp(0.5 * logvar)).double()
    prior = torch.randn(z.shape, generator=g, dtype=torch.float64)
    recon = model.recon_nll(model.decoder(mu), x).mean()
    return {"mmd2": float(mmd2(z, prior, estimator="unbiased")), "w2": wasserstein2_exact(z, prior),
            "energy": energy_distance(z, prior), "recon": float(recon)}


def seed_result(d, family: str, seed: int, epochs: int) -> dict[str, float]:
    """One family trained on one seed and measured; cached under CACHE."""
    path = CACHE / f"{family}-seed{seed}-epochs{epochs}.json"
    if path.exists():
        return json.loads(path.read_text())
    torch.manual_seed(seed)
    model = model_for_dataset(family, d, latent_dim=2, hidden=(128,))
    start = time.perf_counter()
    Trainer(model, d, TrainConfig(epochs=epochs, seed=seed, device="cpu")).run()
    r = {**measure(model.cpu(), d.floats("test"), seed), "seconds": time.perf_counter() - start}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(r))
    return r


def main(seeds: int = 10, epochs: int = 10) -> None:
    d = load_dataset("mnist5k")
    rows: dict[str, list[dict[str, float]]] = {f: [] for f in FAMILIES}
    lines = [f"penalties on mnist5k: latent 2, hidden 128, {epochs} epochs, batch 128, default weights, "
             f"seeds 0-{seeds - 1}",
             f"codes of {N} held-out examples (one draw from q(z|x) each) against {N} draws of N(0, I)",
             "seed  family           MMD^2     W_2     E^2      recon (nats)"]
    print("\n".join(lines), flush=True)
    for seed in range(seeds):
        for family, name in FAMILIES.items():
            r = seed_result(d, family, seed, epochs)
            rows[family].append(r)
            lines.append(f"{seed:4d}  {name:16s} {r['mmd2']:.5f}  {r['w2']:.4f}  {r['energy']:.5f}  {r['recon']:7.2f}"
                         f"   ({r['seconds']:.0f} s)")
            print(lines[-1], flush=True)
    lines.append("")
    lines.append(f"median [min, max] over {seeds} seeds")
    for family, name in FAMILIES.items():
        cells = []
        for key in ("mmd2", "w2", "energy", "recon"):
            v = [r[key] for r in rows[family]]
            cells.append(f"{key} {statistics.median(v):.4g} [{min(v):.4g}, {max(v):.4g}]")
        lines.append(f"{name:16s} " + "   ".join(cells))
    lines.append("")
    lines.append("seeds on which each penalty's codes are closest to N(0, I), by each distance")
    for key in ("mmd2", "w2", "energy"):
        wins = {f: 0 for f in FAMILIES}
        for s in range(seeds):
            wins[min(FAMILIES, key=lambda f: rows[f][s][key])] += 1
        lines.append(f"{key:7s} " + "   ".join(f"{FAMILIES[f]} {wins[f]} of {seeds}" for f in FAMILIES))
    print("\n".join(lines[-len(FAMILIES) - 6:]), flush=True)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "penalties_mnist5k.txt").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    main(*args)
