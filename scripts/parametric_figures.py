"""The figures lesson 3's "MLE against MAP" step and the README quote, measured with the code the
Parametric fits dock runs (latentlab/core/parametric.py, latentlab/state/parametric.py).

    .venv/bin/python scripts/parametric_figures.py [--seeds 20]

1. The dock's own pools (what a student sees): MLE and MAP at n = 10, 100, 1000 with the default
   prior (strength 5), for the generated Gaussian, the generated counts and the MNIST-5k counts.
2. The same over `--seeds` other generated pools (seed 1, 2, ...): the median gap |MAP − MLE| of
   μ (λ) at each n, and on how many pools the gap shrinks from n = 10 to 100 to 1000.
3. The MNIST-5k on-pixel counts: mean and variance (a Poisson's are equal).
"""

from __future__ import annotations

import argparse

import numpy as np

from latentlab.core.parametric import default_prior, generated_pool, map_estimate, mle, mnist_pool

SIZES = (10, 100, 1000)


def _fmt(values: tuple[float, ...]) -> str:
    return ", ".join(f"{v:.3g}" for v in values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=20, help="other generated pools to measure (default 20)")
    args = parser.parse_args()

    print("## The dock's pools, default prior (strength 5)\n")
    print("| model | data | prior mean | n | MLE | MAP |\n|---|---|---|---|---|---|")
    for model, source in (("gaussian", "generated"), ("poisson", "generated"), ("poisson", "mnist")):
        data = generated_pool(model) if source == "generated" else mnist_pool()
        prior = default_prior(model, source)
        for n in SIZES:
            print(f"| {model} | {source} | {prior.mean:g} | {n} | {_fmt(mle(model, data[:n]))} | "
                  f"{_fmt(map_estimate(model, data[:n], prior))} |")

    print(f"\n## Over {args.seeds} other generated pools (seeds 1-{args.seeds}): |MAP - MLE| of the first parameter\n")
    print("| model | median gap, n = 10 | n = 100 | n = 1000 | pools where the gap shrinks at each step |")
    print("|---|---|---|---|---|")
    for model in ("gaussian", "poisson"):
        prior = default_prior(model, "generated")
        gaps = np.array([[abs(map_estimate(model, pool[:n], prior)[0] - mle(model, pool[:n])[0]) for n in SIZES]
                         for pool in (generated_pool(model, seed=s) for s in range(1, args.seeds + 1))])
        shrinks = int(np.sum((gaps[:, 0] > gaps[:, 1]) & (gaps[:, 1] > gaps[:, 2])))
        median = np.median(gaps, axis=0)
        print(f"| {model} | {median[0]:.3g} | {median[1]:.3g} | {median[2]:.3g} | {shrinks} of {args.seeds} |")

    counts = mnist_pool()
    print(f"\n## MNIST-5k on-pixel counts (first {len(counts)} digits)\n")
    print(f"mean {counts.mean():.1f}, variance {counts.var():.0f} (ratio {counts.var() / counts.mean():.1f}; "
          "a Poisson's variance equals its mean)")


if __name__ == "__main__":
    main()
