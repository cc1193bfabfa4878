"""The lecture's learning effects that the README and lessons 1, 5, 6 and 7 state, each over many seeds.

Sections of scripts/lecture_results.py (which caches, summarizes and writes the marked blocks):

  prior          lessons 1 and 6: the VAE's held-out codes (posterior means) fit N(0, I) better than a
                 plain autoencoder's, by their mean log-density under N(0, I)
  interpolation  lesson 1: do decodes along a straight line between two held-out examples' codes lie closer
                 to the training images (core/latent.py nearest_data_distance) for the VAE than for the
                 autoencoder? 10 pairs a seed, with the shared models (20 epochs) and at the shipped
                 checkpoints' budget (50 epochs; an autoencoder and a VAE only)
  terms          lesson 6: beta = 0 spreads the codes beyond the prior; the KL term alone collapses every
                 posterior onto N(0, I), so reconstructions stop depending on x; how much the (untrained)
                 decoder's output still varies with z
  mmdnet         lesson 5: a trained MMD net passes the permutation test against data (p > 0.05, n = 500),
                 an untrained one fails it
  penalties      lesson 7: scripts/penalties_results.py's three latent penalties, summarized

prior, interpolation and terms share one set of models a seed (an autoencoder and VAEs with beta = 1,
beta = 0 and the KL term only; mnist5k, 2-D codes, hidden 128, the shipped checkpoints' architecture
with a shorter budget), trained once and measured together. Each seed is cached under
build/lecture_results/<section>/ (a rerun resumes). The text's figures:

    python scripts/lecture_results.py prior interpolation terms mmdnet penalties --seeds 10

(on 2026-11-27, on two CPU cores shared with other work at a load average of about 15: 3 to 4 minutes a
seed for the VAE family, about 6 for the 50-epoch interpolation pair, 1 to 2 for the MMD net; penalties
reads scripts/penalties_results.py's cache and trains what is missing.)
"""

from __future__ import annotations

import json
import math
import statistics
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch

from latentlab.core.data import load_dataset
from latentlab.core.latent import nearest_data_distance, path_points
from latentlab.core.mmd import permutation_test
from latentlab.core.recipes import model_for_dataset
from latentlab.core.training import TrainConfig, Trainer

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "build" / "lecture_results"

VAE_EPOCHS = 20  # the shipped checkpoints train 50 (LONG_EPOCHS)
VAE_MODELS = {"ae": dict(family="autoencoder"), "vae": dict(family="vae"),
              "beta0": dict(family="vae", beta=0.0), "klonly": dict(family="vae", recon_weight=0.0)}
HELD_OUT = 500
PAIRS, FRAMES = 10, 9  # interpolation: pairs a seed, interior frames a path (t = 0.1 ... 0.9)
MMDNET_EPOCHS, MMD_N, PERMUTATIONS = 60, 500, 1000  # the shipped mmdnet-ring8 recipe; the test of lesson 5
PENALTY_EPOCHS = 10
LONG_EPOCHS = 50  # interpolation also at the shipped checkpoints' budget


def cached(section: str, key: str, compute: Callable[[], dict[str, Any]], fresh: bool,
           cached_only: bool = False) -> dict[str, Any] | None:
    """`compute()`'s result, kept in CACHE; with `cached_only`, None where nothing is cached yet."""
    path = CACHE / section / f"{key}.json"
    if path.exists() and not fresh:
        return json.loads(path.read_text())
    if cached_only:
        return None
    result = compute()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result))
    return result


def spread(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


# -- the VAE family on mnist5k: prior, interpolation, terms -----------------------------------------
def _train(family: str, d, seed: int, epochs: int, **settings: Any):
    torch.manual_seed(seed)
    model = model_for_dataset(family, d, latent_dim=2, hidden=(128,), **settings)
    Trainer(model, d, TrainConfig(epochs=epochs, seed=seed, device="cpu")).run()
    return model.cpu().eval()


def log_prior_density(z: torch.Tensor) -> torch.Tensor:
    """log N(z; 0, I) per row, in nats."""
    return -0.5 * (z.pow(2).sum(1) + z.shape[1] * math.log(2 * math.pi))


def vae_family_seed(seed: int, epochs: int = VAE_EPOCHS, data: str = "mnist5k") -> dict[str, Any]:
    d = load_dataset(data)
    models = {name: _train(s["family"], d, seed, epochs, **{k: v for k, v in s.items() if k != "family"})
              for name, s in VAE_MODELS.items()}
    with torch.no_grad():
        return _measure_vae_family(models, d, seed, epochs)


def _measure_vae_family(models: dict[str, Any], d, seed: int, epochs: int) -> dict[str, Any]:
    x = d.floats("test", slice(0, HELD_OUT))
    train = d.floats("train")
    g = torch.Generator().manual_seed(seed)
    out: dict[str, Any] = {"seed": seed, "epochs": epochs, "n": len(x), "data": d.name}
    # prior and terms: the codes of the held-out examples (posterior means for the VAEs)
    for name, model in models.items():
        z = model.encode(x)
        row = {"log_prior": float(log_prior_density(z).mean()), "code_sd": float(z.std(0).mean()),
               "outside_3sd": float((z.norm(dim=1) > 3).float().mean())}
        if name != "ae":
            mu, logvar = model.encode_dist(x)
            row["kl"] = float((0.5 * (mu.pow(2) + logvar.exp() - 1 - logvar).sum(1)).mean())
            row["posterior_sd"] = float(torch.exp(0.5 * logvar).mean())
        # how much the decodes depend on z: the pixels' variance over 500 draws of N(0, I), averaged
        frames = model.decode(torch.randn(HELD_OUT, 2, generator=g))
        row["decode_var"] = float(frames.flatten(1).var(0).mean())
        row["recon_var"] = float(model.decode(z).flatten(1).var(0).mean())  # over x: the codes' information
        out[name] = row
    out["data_var"] = float(x.flatten(1).var(0).mean())
    out["interpolation"] = interpolation_rows(models, d, x, train, g)
    return out


def interpolation_rows(models: dict[str, Any], d, x: torch.Tensor, train: torch.Tensor,
                       g: torch.Generator) -> list[dict[str, Any]]:
    """Pairs of held-out examples of different classes, the same pairs for both models: each model's mean
    distance to the training set of the frames between the pair's codes, and of the pair's reconstructions."""
    labels = d.test_y[:len(x)] if d.test_y is not None else torch.zeros(len(x), dtype=torch.long)
    pairs: list[tuple[int, int]] = []
    while len(pairs) < PAIRS:
        i, j = torch.randint(0, len(x), (2,), generator=g).tolist()
        if labels[i] != labels[j]:
            pairs.append((i, j))
    t = torch.linspace(0, 1, FRAMES + 2)[1:-1]
    rows = []
    for i, j in pairs:
        row: dict[str, Any] = {"pair": [i, j]}
        for name in ("ae", "vae"):
            model = models[name]
            anchors = model.encode(x[[i, j]])
            frames = model.decode(path_points(anchors, t, "linear"))
            ends = model.decode(anchors)
            row[name] = float(nearest_data_distance(frames, train).mean())
            row[f"{name}_ends"] = float(nearest_data_distance(ends, train).mean())
        rows.append(row)
    return rows


def long_interpolation_seed(seed: int, epochs: int = LONG_EPOCHS, data: str = "mnist5k") -> dict[str, Any]:
    """The interpolation measure alone, with the shipped checkpoints' budget (an autoencoder and a VAE only)."""
    d = load_dataset(data)
    models = {name: _train(VAE_MODELS[name]["family"], d, seed, epochs) for name in ("ae", "vae")}
    with torch.no_grad():
        x = d.floats("test", slice(0, HELD_OUT))
        rows = interpolation_rows(models, d, x, d.floats("train"), torch.Generator().manual_seed(seed))
    return {"seed": seed, "epochs": epochs, "interpolation": rows}


def vae_family(seeds: int, fresh: bool, cached_only: bool = False) -> list[dict[str, Any]]:
    rows = []
    for seed in range(seeds):
        r = cached("vae_family", f"mnist5k-{seed}-e{VAE_EPOCHS}", lambda: vae_family_seed(seed),  # noqa: B023
                   fresh, cached_only)
        if r is not None:
            rows.append(r)
            print(f"vae family seed {seed}: log N(z; 0, I) ae {r['ae']['log_prior']:.2f} vae "
                  f"{r['vae']['log_prior']:.2f}; code sd beta0 {r['beta0']['code_sd']:.2f} kl-only "
                  f"{r['klonly']['code_sd']:.3f}", flush=True)
    return rows


def prior(seeds: int, fresh: bool, cached_only: bool = False) -> dict[str, Any]:
    rows = vae_family(seeds, fresh, cached_only)
    return summarize_prior(rows) if rows else {}


def summarize_prior(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {"seeds": len(rows), "epochs": rows[0]["epochs"], "n": rows[0].get("n", HELD_OUT),
            "vae_higher": sum(r["vae"]["log_prior"] > r["ae"]["log_prior"] for r in rows),
            "ae": spread([r["ae"]["log_prior"] for r in rows]), "vae": spread([r["vae"]["log_prior"] for r in rows]),
            "ae_outside": spread([r["ae"]["outside_3sd"] for r in rows]),
            "vae_outside": spread([r["vae"]["outside_3sd"] for r in rows]),
            "ae_sd": spread([r["ae"]["code_sd"] for r in rows]), "vae_sd": spread([r["vae"]["code_sd"] for r in rows])}


def interpolation(seeds: int, fresh: bool, cached_only: bool = False) -> dict[str, Any]:
    """{"short": the shared models' figures, "long": the same measure after LONG_EPOCHS}."""
    rows = vae_family(seeds, fresh, cached_only)
    long = []
    for seed in range(seeds):
        r = cached("interpolation", f"mnist5k-{seed}-e{LONG_EPOCHS}", lambda: long_interpolation_seed(seed),  # noqa: B023
                   fresh, cached_only)
        if r is not None:
            long.append(r)
            print(f"interpolation seed {seed}, {LONG_EPOCHS} epochs: VAE lower on "
                  f"{sum(p['vae'] < p['ae'] for p in r['interpolation'])} of {PAIRS} pairs", flush=True)
    out = {}
    if rows:
        out["short"] = summarize_interpolation(rows)
    if long:
        out["long"] = summarize_interpolation(long)
    return out


def summarize_interpolation(rows: list[dict[str, Any]]) -> dict[str, Any]:
    pairs = [p for r in rows for p in r["interpolation"]]
    per_seed = [(statistics.mean(p["ae"] for p in r["interpolation"]),
                 statistics.mean(p["vae"] for p in r["interpolation"])) for r in rows]
    return {"seeds": len(rows), "epochs": rows[0]["epochs"], "pairs": len(pairs), "frames": FRAMES,
            "pairs_vae_lower": sum(p["vae"] < p["ae"] for p in pairs),
            "seeds_vae_lower": sum(v < a for a, v in per_seed),
            "ae": spread([a for a, _ in per_seed]), "vae": spread([v for _, v in per_seed]),
            "ae_ends": spread([statistics.mean(p["ae_ends"] for p in r["interpolation"]) for r in rows]),
            "vae_ends": spread([statistics.mean(p["vae_ends"] for p in r["interpolation"]) for r in rows]),
            # what the path adds to the endpoints' own distance (a blurrier decoder is far from the data everywhere)
            "seeds_vae_lower_excess": sum(excess(r, "vae") < excess(r, "ae") for r in rows),
            "ae_excess": spread([excess(r, "ae") for r in rows]), "vae_excess": spread([excess(r, "vae") for r in rows])}


def excess(row: dict[str, Any], model: str) -> float:
    """A seed's mean over pairs of the frames' distance minus the endpoints' (reconstructions') distance."""
    return statistics.mean(p[model] - p[f"{model}_ends"] for p in row["interpolation"])


def terms(seeds: int, fresh: bool, cached_only: bool = False) -> dict[str, Any]:
    rows = vae_family(seeds, fresh, cached_only)
    return summarize_terms(rows) if rows else {}


def summarize_terms(rows: list[dict[str, Any]]) -> dict[str, Any]:
    def of(model: str, key: str) -> dict[str, float]:
        return spread([r[model][key] for r in rows])

    common = {"seeds": len(rows), "epochs": rows[0]["epochs"], "n": rows[0].get("n", HELD_OUT)}
    return {
        "beta0": {**common, "wider": sum(r["beta0"]["code_sd"] > max(1.0, r["vae"]["code_sd"]) for r in rows),
                  "sd": of("beta0", "code_sd"), "vae_sd": of("vae", "code_sd"),
                  "outside": of("beta0", "outside_3sd"), "vae_outside": of("vae", "outside_3sd"),
                  "posterior_sd": of("beta0", "posterior_sd"), "vae_posterior_sd": of("vae", "posterior_sd")},
        "klonly": {**common, "collapsed": sum(r["klonly"]["kl"] < 0.01 for r in rows),
                   "kl": of("klonly", "kl"), "vae_kl": of("vae", "kl"), "sd": of("klonly", "code_sd"),
                   "posterior_sd": of("klonly", "posterior_sd"),
                   "decode_var": of("klonly", "decode_var"), "vae_decode_var": of("vae", "decode_var"),
                   "decode_ratio": spread([r["klonly"]["decode_var"] / r["vae"]["decode_var"] for r in rows]),
                   "flatter": sum(r["klonly"]["decode_var"] < r["vae"]["decode_var"] for r in rows),
                   "recon_var": of("klonly", "recon_var"), "vae_recon_var": of("vae", "recon_var"),
                   "data_var": spread([r["data_var"] for r in rows])}}


# -- the MMD net on the ring and the permutation test -----------------------------------------------
@torch.no_grad()
def _test(model, seed: int, permutations: int) -> float:
    from latentlab.core.data.toy import ring_of_gaussians

    g = torch.Generator().manual_seed(seed)
    samples = model.eval().sample(MMD_N, generator=g).cpu().float()
    fresh_data = ring_of_gaussians(MMD_N, 0.1, torch.Generator().manual_seed(10_000 + seed))[0]
    return permutation_test(samples, fresh_data, estimator="unbiased", n_permutations=permutations,
                            generator=g).p_value


def mmdnet_seed(seed: int, epochs: int = MMDNET_EPOCHS, permutations: int = PERMUTATIONS) -> dict[str, Any]:
    d = load_dataset("ring8")
    torch.manual_seed(seed)
    model = model_for_dataset("mmdnet", d, latent_dim=2)
    untrained = _test(model, seed, permutations)
    Trainer(model.train(), d, TrainConfig(epochs=epochs, seed=seed, device="cpu")).run()
    return {"seed": seed, "epochs": epochs, "permutations": permutations, "untrained_p": untrained,
            "trained_p": _test(model.cpu(), seed, permutations)}


def mmdnet(seeds: int, fresh: bool, cached_only: bool = False) -> dict[str, Any]:
    rows = []
    for seed in range(seeds):
        r = cached("mmdnet", f"ring8-{seed}-e{MMDNET_EPOCHS}", lambda: mmdnet_seed(seed), fresh,  # noqa: B023
                   cached_only)
        if r is not None:
            rows.append(r)
            print(f"mmd net seed {seed}: p untrained {r['untrained_p']:.4f}, trained {r['trained_p']:.4f}", flush=True)
    return summarize_mmdnet(rows) if rows else {}


def summarize_mmdnet(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {"seeds": len(rows), "epochs": rows[0]["epochs"], "n": MMD_N,
            "permutations": rows[0].get("permutations", PERMUTATIONS),
            "trained_pass": sum(r["trained_p"] > 0.05 for r in rows),
            "untrained_fail": sum(r["untrained_p"] <= 0.05 for r in rows),
            "trained_p": spread([r["trained_p"] for r in rows]),
            "untrained_p": spread([r["untrained_p"] for r in rows]), "rows": rows}


# -- lesson 7: the three latent penalties (scripts/penalties_results.py's per-seed cache) ------------
def penalties(seeds: int, fresh: bool, cached_only: bool = False) -> dict[str, Any]:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import penalties_results as pr

    d = None
    rows: dict[str, list[dict[str, float]]] = {f: [] for f in pr.FAMILIES}
    for seed in range(seeds):
        for family in pr.FAMILIES:
            path = pr.CACHE / f"{family}-seed{seed}-epochs{PENALTY_EPOCHS}.json"
            if fresh and path.exists():
                path.unlink()
            if not path.exists() and cached_only:
                continue
            if d is None and not path.exists():
                d = load_dataset("mnist5k")
            rows[family].append(pr.seed_result(d, family, seed, PENALTY_EPOCHS))
    n = min(len(v) for v in rows.values())
    if not n:
        return {}
    out: dict[str, Any] = {"seeds": n, "epochs": PENALTY_EPOCHS, "n": pr.N}
    for family in pr.FAMILIES:
        out[family] = {key: spread([r[key] for r in rows[family][:n]]) for key in ("mmd2", "w2", "energy", "recon")}
    # on how many seeds each family is the best by each figure (the lowest: closest to N(0, I), best recon)
    out["closest"] = {key: {f: sum(min(pr.FAMILIES, key=lambda g: rows[g][s][key]) == f  # noqa: B023
                               for s in range(n)) for f in pr.FAMILIES} for key in ("mmd2", "w2", "energy", "recon")}
    out["all_three"] = {f: sum(all(min(pr.FAMILIES, key=lambda g: rows[g][s][key]) == f  # noqa: B023
                                   for key in ("mmd2", "w2", "energy")) for s in range(n)) for f in pr.FAMILIES}
    return out


SECTIONS: dict[str, Callable[..., dict[str, Any]]] = {
    "prior": prior, "interpolation": interpolation, "terms": terms, "mmdnet": mmdnet, "penalties": penalties}


# -- the marked blocks ------------------------------------------------------------------------------
def _r(s: dict[str, float], fmt: str = ".2f") -> str:
    return f"{s['median']:{fmt}} [{s['min']:{fmt}}, {s['max']:{fmt}}]"


def _holds(k: int, n: int) -> str:
    return ("It holds on every seed." if k == n else "It holds on most seeds, not on every one." if 2 * k > n
            else "It does not hold on any seed measured." if k == 0 else "It does not hold on most seeds.")


def _pct(s: dict[str, float]) -> str:
    return f"{100 * s['median']:.0f}% [{100 * s['min']:.0f}%, {100 * s['max']:.0f}%]"


def render_prior(s: dict[str, Any]) -> str:
    n, k = s["seeds"], s["vae_higher"]
    return (f"Measured over {n} seeds (an autoencoder and a VAE with β = 1 trained alike per seed: mnist5k, "
            f"2-D codes, hidden 128, {s['epochs']} epochs; the codes of {s['n']} held-out digits, the VAE's "
            f"posterior means; median [min, max] over seeds): the mean log-density of the codes under N(0, I) is "
            f"higher for the VAE on **{k} of {n} seeds**, {_r(s['vae'])} nats against {_r(s['ae'])} for the "
            f"autoencoder. The codes' standard deviation is {_r(s['vae_sd'])} for the VAE and {_r(s['ae_sd'])} "
            f"for the autoencoder; outside the prior's 3σ circle lie {_pct(s['vae_outside'])} of the VAE's codes "
            f"and {_pct(s['ae_outside'])} of the autoencoder's. {_holds(k, n)}")


def _interpolation_paragraph(s: dict[str, Any], models: str) -> str:
    n, k = s["seeds"], s["seeds_vae_lower"]
    verdict = ("The VAE's interpolations stay closer to the data on every seed." if k == n else
               "The VAE's interpolations stay closer to the data on most seeds, not on every one." if 2 * k > n else
               "By this measure the VAE's interpolations do not stay closer to the data than the autoencoder's.")
    return (f"{n} seeds × {s['pairs'] // n} pairs of held-out digits of different classes, {models}, "
            f"{s['epochs']} epochs: the frames lie closer to the data for the VAE on **{s['pairs_vae_lower']} "
            f"of {s['pairs']} pairs** and, on average, on {k} of {n} seeds; the seed's mean distance is "
            f"{_r(s['vae'])} for the VAE and {_r(s['ae'])} for the autoencoder (the two endpoints' "
            f"reconstructions: {_r(s['vae_ends'])} and {_r(s['ae_ends'])}). {verdict} What the path adds to the "
            f"endpoints' distance is {_r(s['vae_excess'])} for the VAE and {_r(s['ae_excess'])} for the "
            f"autoencoder, lower for the VAE on {s['seeds_vae_lower_excess']} of {n} seeds.")


def render_interpolation(s: dict[str, Any]) -> str:
    """`s`: {"short": the models shared with the prior and terms figures, "long": the shipped budget}."""
    text = [textwrap.fill(
        f"Measured ({FRAMES} frames on the straight line between two codes, each frame's distance to its nearest "
        f"training image in pixel space; median [min, max] over seeds):", 100)]
    text.append("")
    if "short" in s:
        text.append(textwrap.fill(
            "- " + _interpolation_paragraph(s["short"], "the autoencoder and VAE of the prior's figures"), 100,
            subsequent_indent="  "))
    if "long" in s:
        text.append(textwrap.fill("- " + _interpolation_paragraph(
            s["long"], "an autoencoder and a VAE trained alike with the shipped checkpoints' budget"), 100,
            subsequent_indent="  "))
    return "\n".join(text)


def render_terms_beta0(s: dict[str, Any]) -> str:
    n = s["seeds"]
    return (f"Measured over {n} seeds (VAEs with β = 0 and with β = 1 trained alike per seed: mnist5k, 2-D codes, "
            f"hidden 128, {s['epochs']} epochs; the posterior means of {s['n']} held-out digits; median [min, max] "
            f"over seeds): with β = 0 the codes' standard deviation is {_r(s['sd'])} against {_r(s['vae_sd'])} "
            f"with β = 1 (the prior's: 1), and {_pct(s['outside'])} of them lie outside the prior's 3σ circle "
            f"(β = 1: {_pct(s['vae_outside'])}); the posterior σ shrinks to {_r(s['posterior_sd'], '.3f')} "
            f"(β = 1: {_r(s['vae_posterior_sd'], '.3f')}). The codes spread beyond the prior, wider than both 1 "
            f"and the β = 1 VAE's codes, on **{s['wider']} of {n} seeds**. {_holds(s['wider'], n)}")


def render_terms_klonly(s: dict[str, Any]) -> str:
    n = s["seeds"]
    return (f"Measured over {n} seeds (VAEs trained with the KL term alone and with both terms, alike per seed: "
            f"mnist5k, 2-D codes, hidden 128, {s['epochs']} epochs; {s['n']} held-out digits; median [min, max] "
            f"over seeds): with the KL term alone the KL per digit falls to {_r(s['kl'], '.1e')} nats (both terms: "
            f"{_r(s['vae_kl'], '.1f')}), the posterior means' standard deviation to {_r(s['sd'], '.1e')} and the "
            f"posterior σ is {_r(s['posterior_sd'], '.3f')}: every posterior is N(0, I), KL below 0.01 nats, on "
            f"**{s['collapsed']} of {n} seeds**. So the reconstructions no longer depend on the digit: their mean "
            f"pixel variance over the {s['n']} digits is {_r(s['recon_var'], '.1e')} (both terms: "
            f"{_r(s['vae_recon_var'], '.3f')}; the digits themselves: {s['data_var']['median']:.3f}). The decoder, "
            f"which the loss never trains, still varies a little with z: decoding {s['n']} draws of N(0, I) gives a "
            f"mean pixel variance of {_r(s['decode_var'], '.4f')} against {_r(s['vae_decode_var'], '.4f')} with "
            f"both terms ({_r(s['decode_ratio'], '.2f')} times as much; less on **{s['flatter']} of {n} seeds**).")


def render_mmdnet(s: dict[str, Any]) -> str:
    n = s["seeds"]
    verdict = ("The trained net passes on every seed" if s["trained_pass"] == n else
               "The trained net does not pass on every seed" if s["trained_pass"] else "The trained net never passes")
    smallest = 1 / (1 + s["permutations"])
    floor = (f" (1/{s['permutations'] + 1:,} on every seed, the smallest p {s['permutations']:,} permutations can "
             f"give)"
             if s["untrained_p"]["max"] <= smallest * 1.0001 else "")
    return (f"Measured over {n} seeds (an MMD net on the ring of 8 Gaussians, the shipped recipe: {s['epochs']} "
            f"epochs; {s['n']} of its samples against {s['n']} fresh points of the ring, a permutation test of "
            f"the unbiased MMD² at the median bandwidth with {s['permutations']:,} permutations): the trained net "
            f"passes (p > 0.05) on **{s['trained_pass']} of {n} seeds**, p = {_r(s['trained_p'], '.3f')} "
            f"(median [min, max]); the same net untrained fails on **{s['untrained_fail']} of {n}**, p = "
            f"{_r(s['untrained_p'], '.4f')}{floor}. {verdict}"
            + (", and the untrained one fails on every seed." if s["untrained_fail"] == n else "."))


def render_penalties(s: dict[str, Any]) -> str:
    names = {"vae": "VAE (KL)", "mmdvae": "MMD-VAE", "swae": "SWAE"}
    n = s["seeds"]
    lines = [textwrap.fill(
        f"Measured over {n} seeds (`scripts/penalties_results.py {n} {s['epochs']}`: each family with its default "
        f"weight, mnist5k, 2-D codes, hidden 128, {s['epochs']} epochs; {s['n']} held-out codes, one draw from "
        f"q(z|x) each, against {s['n']} draws of N(0, I); median [min, max] over seeds):", 100), "",
             "| penalty | MMD² | W₂ | E² | −log p(x\\|z) (nats) | closest to N(0, I) by MMD² / W₂ / E² "
             "| best recon. |", "|---|---|---|---|---|---|---|"]
    for f, name in names.items():
        r = s[f]
        wins = " / ".join(f"{s['closest'][k][f]} of {n}" for k in ("mmd2", "w2", "energy"))
        lines.append(f"| {name} | {_r(r['mmd2'], '.2g')} | {_r(r['w2'], '.2f')} | {_r(r['energy'], '.2g')} | "
                     f"{_r(r['recon'], '.0f')} | {wins} | {s['closest']['recon'][f]} of {n} |")
    best = max(names, key=lambda f: s["all_three"][f])
    lines += ["", textwrap.fill(
        f"The {names[best]}'s codes were the closest to the prior by all three distances on "
        f"**{s['all_three'][best]} of {n} seeds**; the VAE had the best reconstruction on "
        f"{s['closest']['recon']['vae']} of {n}. {_holds(s['all_three'][best], n)}", 100)]
    return "\n".join(lines)


RENDERERS: dict[str, Callable[[dict[str, Any]], str]] = {
    "prior": render_prior, "interpolation": render_interpolation, "terms-beta0": render_terms_beta0,
    "terms-klonly": render_terms_klonly, "mmdnet": render_mmdnet, "penalties": render_penalties}


def render(name: str, s: dict[str, Any]) -> str:
    """Block `name`'s text from its summary `s` (docs/lecture_results.json's [section] or [section][part])."""
    text = RENDERERS[name](s)
    return text + "\n" if "\n" in text else textwrap.fill(text, 100) + "\n"
