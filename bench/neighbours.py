"""Click to neighbour gallery: a click on one of 70,000 points until the Neighbours panel has searched its
k nearest codes (exact, core/neighbours.py), decoded its reconstruction and drawn the gallery of thumbnails.

Baseline, side by side: the search alone (torch.cdist of the click against every code + topk, the least
any exact search does), so the ratio says what the panel adds on top of it.

knn_index_click_ms (full runs only: pynndescent's first build in a process compiles its numba code for a
minute or more): the same click at 1,000,000 points, above core/neighbours.py EXACT_LIMIT, where the panel
searches an approximate index (pynndescent) built once beforehand, against the exact search of the same
click side by side; its recall@k against the exact neighbours of a sample of points, and the build time.
"""

from __future__ import annotations

import os
import statistics
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
import torch  # noqa: E402

from bench.report import Figure, figure  # noqa: E402

N_POINTS = 70_000
N_INDEXED = 1_000_000
LATENT = 16
RECALL_SAMPLE = 200


def _panel(n: int, side: int = 28):
    from latentlab.gui.panels.neighbours import NeighboursPanel

    app, codes = _session(n, side)
    panel = NeighboursPanel(app.session, app.neighbours)
    panel.resize(420, 600)
    panel.show()
    return app, panel, codes


def _session(n: int, side: int):
    from PySide6.QtWidgets import QApplication

    from latentlab.core.data.base import Dataset
    from latentlab.state.app import AppState
    from latentlab.state.codes import Codes
    from latentlab.state.model_settings import ModelSettings

    QApplication.instance() or QApplication([])
    g = torch.Generator().manual_seed(0)
    x = torch.rand(n, 1, side, side, generator=g)
    d = Dataset("bench", "image", x, x[:100], torch.randint(0, 10, (n,), generator=g),
                torch.zeros(100, dtype=torch.long), tuple(str(i) for i in range(10)))
    app = AppState()
    s = app.session
    s.model_settings = ModelSettings("vae", latent_dim=LATENT, hidden=(64,))
    s._use_dataset(d, None)
    s.configure_model(s.model_settings)
    codes = torch.randn(n, LATENT, generator=g).numpy()
    s._codes = Codes(codes, codes[:100], np.arange(n), np.arange(100))  # as if encoded once, when idle
    return app, codes


def run(quick: bool, device: str = "cpu") -> list[Figure]:
    from latentlab.gui.app import use_gui_thread_for_small_work

    threads = torch.get_num_threads()
    use_gui_thread_for_small_work()  # as in the window: one torch thread in the GUI thread
    try:
        return _run(quick) + ([] if quick else _indexed(N_INDEXED))
    finally:
        torch.set_num_threads(threads)


def _run(quick: bool) -> list[Figure]:
    n = 10_000 if quick else N_POINTS
    app, panel, codes = _panel(n)
    state = app.neighbours
    rng = np.random.default_rng(0)
    clicks = rng.choice(n, 6 if quick else 20, replace=False)
    base = torch.from_numpy(codes)

    def search_only(i: int) -> None:
        dist = torch.cdist(base[i:i + 1], base)
        dist[0, i] = float("inf")
        torch.topk(dist, state.k, largest=False)

    ours, baseline = [], []
    state.pick(int(clicks[0]))  # warm up (first paint, first cdist)
    panel.grab()
    for i in clicks[1:]:
        start = time.perf_counter()
        state.pick(int(i))  # what the scatter's click does (example_clicked -> pick)
        panel.grab()  # the gallery drawn, synchronously
        ours.append(time.perf_counter() - start)
        start = time.perf_counter()
        search_only(int(i))
        baseline.append(time.perf_counter() - start)
    assert state.found is not None and len(panel.buttons) == state.k
    ms, base_ms = statistics.median(ours) * 1000, statistics.median(baseline) * 1000
    return [figure("knn_click_ms", ms, "ms", f"search alone {base_ms:.2f} ms ({ms / base_ms:.1f}x)", "< 16",
                   f"{n} points, {LATENT}-D codes, k={state.k}, one torch thread (as in the window), median "
                   f"of {len(ours)} clicks: search, reconstruction and gallery drawn")]


def _indexed(n: int) -> list[Figure]:
    """The click at `n` points, searched in an approximate index built first (as the panel's job does)."""
    from latentlab.core.neighbours import APPROXIMATE
    from latentlab.gui.panels.neighbours import NeighboursPanel

    app, codes = _session(n, side=8)  # small images: a million 28 x 28 ones would need 3 GB
    state = app.neighbours
    rng = np.random.default_rng(1)
    clicks = rng.choice(n, 20, replace=False)
    state.pick(int(clicks[0]))
    state.search(app.session)  # no index yet: it asks for one
    request = state.request
    assert request is not None, state.message
    start = time.perf_counter()
    index = request.build(lambda f: None, lambda: False)  # what the panel's background job runs
    build_s = time.perf_counter() - start
    assert state.index_built(request.key, index)
    panel = NeighboursPanel(app.session, state)
    panel.resize(420, 600)
    panel.show()
    base = torch.from_numpy(codes)

    def exact(i: int) -> np.ndarray:
        dist = torch.cdist(base[i:i + 1], base)
        dist[0, i] = float("inf")
        return torch.topk(dist, state.k, largest=False).indices[0].numpy()

    ours, baseline = [], []
    state.pick(int(clicks[1]))  # warm up
    panel.grab()
    for i in clicks[2:]:
        start = time.perf_counter()
        state.pick(int(i))
        panel.grab()
        ours.append(time.perf_counter() - start)
        start = time.perf_counter()
        exact(int(i))
        baseline.append(time.perf_counter() - start)
    assert state.found is not None and state.found.method == APPROXIMATE and len(panel.buttons) == state.k
    torch.set_num_threads(max(1, os.cpu_count() or 1))  # the recall's exact reference, on every core
    hits = 0
    sample = rng.choice(n, RECALL_SAMPLE, replace=False)
    for i in sample:
        got, _ = index.query(base[i:i + 1], state.k, exclude_self_rows=torch.tensor([int(i)]))
        hits += len(set(got[0].tolist()) & set(exact(int(i)).tolist()))
    recall = hits / (RECALL_SAMPLE * state.k)
    ms, base_ms = statistics.median(ours) * 1000, statistics.median(baseline) * 1000
    return [figure("knn_index_click_ms", ms, "ms", f"exact search alone {base_ms:.1f} ms ({ms / base_ms:.2f}x)",
                   "< 16", f"{n} points, {LATENT}-D Gaussian codes (a hard case for an index), k={state.k}, "
                   f"median of {len(ours)} clicks, search in a pynndescent index, reconstruction and gallery "
                   f"drawn; recall@{state.k} {recall:.3f} against the exact neighbours of {RECALL_SAMPLE} "
                   f"points; the index took {build_s:.0f} s to build (first build in the process, with "
                   f"numba's compile), off the GUI thread")]
