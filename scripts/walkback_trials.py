"""The trials behind the ring's walkback recipe (core.walkback.RECIPE_WALKBACK, scripts/lecture_results.py):
pairs of DAEs without and with walkback under recipe variants, over seeds, with what their chains get wrong.

Each pair is measured as scripts/lecture_results.py measures it (1,000 chains from training points, MMD^2 at
step 100 to held-out data), and each chain at step 100 also by its share of the eight modes (the lowest and
the highest: 0.125 each would be even), the spread of its radius, and the model's held-out -log P(x|x~).
The recipe was chosen on seeds 0-19 (and 20-29 seen); lecture_results.py holds seeds 30-49 out.

Usage: python scripts/walkback_trials.py [VARIANT ...] [--seeds 0-19] [--jobs N]
       (variants: see VARIANTS; default: all; writes bench/results/walkback_trials.txt)
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
from multiprocessing import Pool
from pathlib import Path
from typing import Any

import torch

from latentlab.core.data import load_dataset
from latentlab.core.recipes import model_for_dataset
from latentlab.core.training import TrainConfig
from latentlab.core.walkback import ChainRun, chain_mmd_curve, train_walkback_pair

RESULTS = Path(__file__).resolve().parent.parent / "bench" / "results"
CHAINS, STEPS = 1000, 100
# name: (corruption sigma, walkback steps, continuation p, epochs, learning rate). "recipe" is the one shipped.
VARIANTS: dict[str, tuple[float, int, float, int, float]] = {
    "sigma0.2-wb2 (the earlier recipe)": (0.2, 2, 1.0, 30, 1e-3),
    "sigma0.2-wb4": (0.2, 4, 1.0, 30, 1e-3),
    "sigma0.2-wb6": (0.2, 6, 1.0, 30, 1e-3),
    "sigma0.2-wb8": (0.2, 8, 1.0, 30, 1e-3),
    "sigma0.2-wb5-p0.7": (0.2, 5, 0.7, 30, 1e-3),
    "sigma0.2-wb2-100epochs": (0.2, 2, 1.0, 100, 1e-3),
    "sigma0.2-wb4-100epochs": (0.2, 4, 1.0, 100, 1e-3),
    "sigma0.2-wb2-lr3e-3": (0.2, 2, 1.0, 30, 3e-3),
    "sigma0.3-wb2": (0.3, 2, 1.0, 30, 1e-3),
    "sigma0.15-wb2": (0.15, 2, 1.0, 30, 1e-3),
    "recipe: sigma0.15-wb4": (0.15, 4, 1.0, 30, 1e-3),
}


def chain_shape(x: torch.Tensor) -> dict[str, float]:
    """The chain's lowest and highest share of the ring's eight modes, and its radius's spread."""
    mode = torch.round(torch.atan2(x[:, 1], x[:, 0]) / (2 * math.pi / 8)).long() % 8
    share = torch.bincount(mode, minlength=8).float() / len(x)
    return {"share_min": float(share.min()), "share_max": float(share.max()), "radius_sd": float(x.norm(dim=1).std())}


def trial(job: tuple[str, int]) -> dict[str, Any]:
    name, seed = job
    torch.set_num_threads(1)
    noise, steps, p, epochs, lr = VARIANTS[name]
    d = load_dataset("ring8")
    config = model_for_dataset("dae", d, noise=noise).config
    pair = train_walkback_pair(config, d, TrainConfig(epochs=epochs, seed=seed, device="cpu", lr=lr), walkback=steps,
                               walkback_p=p)
    start = d.floats("train", torch.randperm(len(d.train_x), generator=torch.Generator().manual_seed(seed))[:CHAINS])
    out: dict[str, Any] = {"variant": name, "seed": seed}
    for key, model in (("without", pair.without), ("with", pair.with_walkback)):
        assert model is not None, pair.message
        run = ChainRun(model, start, seed=seed)
        run.advance(STEPS)
        out[key] = chain_mmd_curve([run.current], d.floats("test"))[1][0]
        with torch.no_grad():
            torch.manual_seed(seed)
            nll = float(model.nll(d.test_x, model.corruption(d.test_x)).mean())
        out[key + "_shape"] = {**chain_shape(run.current), "nll": nll}
    return out


def seed_range(text: str) -> list[int]:
    first, _, last = text.partition("-")
    return list(range(int(first), int(last or first) + 1))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("variants", nargs="*", help="default: all")
    p.add_argument("--seeds", type=seed_range, default=seed_range("0-19"))
    p.add_argument("--jobs", type=int, default=1, help="processes (one torch thread each)")
    a = p.parse_args()
    names = a.variants or list(VARIANTS)
    unknown = [n for n in names if n not in VARIANTS]
    if unknown:
        p.error(f"unknown variant {unknown[0]!r}: choose from {', '.join(VARIANTS)}")
    jobs = [(n, s) for s in a.seeds for n in names]
    with Pool(a.jobs) as pool:
        rows = pool.map(trial, jobs)
    lines = [f"walkback trials on ring8, seeds {a.seeds[0]}-{a.seeds[-1]}: MMD^2 at step {STEPS} of {CHAINS} chains "
             "from training points, and the medians of the chains' lowest and highest mode share (the radius's sd "
             "and the held-out NLL: walkback_trials.jsonl)",
             f"{'variant':36s} lower  median ratio  min ratio  MMD^2 without / with   share min-max without / with"]
    for name in names:
        mine = [r for r in rows if r["variant"] == name]
        ratios = [r["without"] / max(r["with"], 1e-12) for r in mine]

        def med(key: str, part: str, rs: list[dict[str, Any]] = mine) -> float:
            return statistics.median(r[part + "_shape"][key] for r in rs)

        lines.append(f"{name:36s} {sum(r['with'] < r['without'] for r in mine):2d}/{len(mine):<3d}"
                     f"{statistics.median(ratios):8.2f}x {min(ratios):10.2f}x    "
                     f"{statistics.median(r['without'] for r in mine):.4f} / "
                     f"{statistics.median(r['with'] for r in mine):.4f}"
                     f"        {med('share_min', 'without'):.3f}-{med('share_max', 'without'):.3f} / "
                     f"{med('share_min', 'with'):.3f}-{med('share_max', 'with'):.3f}")
    print("\n".join(lines))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "walkback_trials.txt").write_text("\n".join(lines) + "\n")
    (RESULTS / "walkback_trials.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))


if __name__ == "__main__":
    main()
