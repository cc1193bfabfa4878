"""UMAP through latentlab's path against umap-learn called directly with the same parameters; and a click's
inverse (umap_inverse_ms) against umap-learn's own inverse_transform of the same point.

Ours: core/projections.py fit_projection (umap-learn with progress and cancel read from its epoch bar, the
typical spacing of the embedding for the shading, and the triangulation that makes each click's inverse
take milliseconds). Baseline, side by side in the same process: umap.UMAP(**the same arguments)
.fit_transform. Both are compiled by numba first on a small set, so neither pays the one-off compile.

The codes: 70,000 x 16 drawn from ten Gaussian clusters (the shape of MNIST's codes under a 16-D VAE);
--quick: 2,000. A quick run of every suite leaves this one out (umap-learn's first compile alone takes
tens of seconds): name it, `--quick --only projections`.
"""

from __future__ import annotations

import time

import numpy as np

from bench.report import Figure, figure

N_CODES, LATENT = 70_000, 16
SKIP_IN_QUICK_RUNS = True  # bench/__main__.py: only with --only


def codes(n: int, d: int = LATENT, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.normal(0, 3, (10, d))
    return (centres[rng.integers(0, 10, n)] + rng.normal(0, 1, (n, d))).astype(np.float32)


def run(quick: bool, device: str) -> list[Figure]:
    import umap

    from latentlab.core.projections import ProjectionParams, fit_projection

    params = ProjectionParams("umap", seed=0)
    warm = codes(500, seed=1)
    start = time.perf_counter()
    fit_projection(warm, params)  # numba compiles both paths' functions here
    compile_s = time.perf_counter() - start
    umap.UMAP(**params.umap_arguments(len(warm))).fit_transform(warm)

    x = codes(2_000 if quick else N_CODES)
    ours, direct = [], []
    fit = None
    for _ in range(1 if quick else 2):  # interleaved, best of each
        start = time.perf_counter()
        umap.UMAP(**params.umap_arguments(len(x))).fit_transform(x)
        direct.append(time.perf_counter() - start)
        start = time.perf_counter()
        fit = fit_projection(x, params)
        ours.append(time.perf_counter() - start)
    ratio = min(ours) / min(direct)

    # A click: one plane point back to a code, through our inverse and through umap-learn's own call.
    assert fit is not None
    rng = np.random.default_rng(2)
    clicks = fit.embedding.numpy()[rng.integers(0, len(x), 9)] + rng.normal(0, 0.05, (9, 2)).astype(np.float32)
    import torch

    times = []
    for c in clicks:
        start = time.perf_counter()
        fit.from_2d(torch.from_numpy(c[None]))
        times.append(time.perf_counter() - start)
    start = time.perf_counter()
    fit.reducer.inverse_transform(clicks[:1])
    theirs = time.perf_counter() - start
    click_ms = float(np.median(times)) * 1000
    return [figure("umap_overhead", ratio, "x", f"umap-learn fit_transform directly, {min(direct):.1f} s",
                   "<= 1.1", f"UMAP of {len(x):,} x {LATENT} codes: ours {min(ours):.1f} s; the first fit in "
                             f"the process (numba compiling, 500 codes) took {compile_s:.1f} s"),
            figure("umap_inverse_ms", click_ms, "ms", f"umap-learn's inverse_transform of one point, "
                                                      f"{theirs * 1000:.0f} ms", "< 16",
                   f"median of 9 clicks on the UMAP of {len(x):,} codes")]
