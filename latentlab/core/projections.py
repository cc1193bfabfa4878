"""Non-linear projections of codes to the plane: UMAP (umap-learn) and t-SNE (openTSNE), each with an inverse.

Both are fitted on the training codes; the fit is the slow part (seconds to minutes), so it takes the
progress and cancel hooks of core/progress.py and runs off the GUI thread. What they offer besides the
embedding of the fitted codes:

- to_2d(codes): other codes (the test split, a path, the decoded point) are placed at the inverse-distance
  weighted mean of the plane positions of their k nearest fitted codes (fast, no re-optimisation).
- from_2d(points): UMAP's own inverse_transform; for t-SNE, which has none, the inverse-distance weighted
  mean of the codes of the k nearest projected points. `inverse` says which, in words.
- distance_to_data(points): how far a plane point is from the nearest projected code, in units of the
  typical spacing of the projected codes; beyond RELIABLE_SPACINGS the inverse extrapolates (the panel fades
  that area).

umap-learn and openTSNE are imported only when a fit is asked for (importing umap takes seconds).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from torch import Tensor

from latentlab.core.progress import Cancelled, IsCancelled, Report, check, tell

KINDS = ("pca", "umap", "tsne")
NONLINEAR = ("umap", "tsne")
TITLES = {"pca": "PCA", "umap": "UMAP", "tsne": "t-SNE"}
NEIGHBOURS = 8  # k of the inverse-distance weights (t-SNE's inverse, out-of-sample placement)
SMALL_TSNE = 2000  # fewer codes than this: t-SNE from the exact distance matrix
RELIABLE_SPACINGS = 3.0  # beyond this many typical spacings from any projected code, the inverse is a guess
_IMPORT_SHARE, _GRAPH_SHARE = 0.05, 0.3  # of a UMAP fit's progress bar: the import, then the k-NN graph


@dataclass(frozen=True)
class ProjectionParams:
    """What a non-linear fit depends on besides the codes (a cache key part)."""

    kind: str = "umap"
    neighbours: int = 15  # UMAP's n_neighbors
    min_dist: float = 0.1  # UMAP's min_dist
    perplexity: float = 30.0  # t-SNE's perplexity
    epochs: int | None = None  # UMAP's n_epochs (None: its default); t-SNE: optimisation iterations (None: 500)
    seed: int = 0

    def umap_arguments(self, n: int) -> dict[str, Any]:
        """umap.UMAP's keyword arguments (the bench calls umap-learn directly with the same)."""
        return {"n_components": 2, "n_neighbors": max(2, min(self.neighbours, n - 1)), "min_dist": self.min_dist,
                "n_epochs": self.epochs, "random_state": self.seed}


def fingerprint(*arrays: np.ndarray) -> str:
    """A short content hash of arrays (shape, dtype and bytes): equal codes, equal key."""
    h = hashlib.blake2b(digest_size=16)
    for a in arrays:
        a = np.ascontiguousarray(a)
        h.update(f"{a.shape}{a.dtype}".encode())
        h.update(a.data)
    return h.hexdigest()


def _idw(distances: Tensor, values: Tensor) -> Tensor:
    """Inverse-distance weighted means [M, c] of values [M, k, c] at distances [M, k] (an exact hit wins)."""
    w = 1.0 / distances.clamp_min(1e-12)
    w = w / w.sum(1, keepdim=True)
    return (w[..., None] * values).sum(1)


def nearest(queries: Tensor, points: Tensor, k: int, chunk: int = 4096) -> tuple[Tensor, Tensor]:
    """Distances and indices [M, k] of the k nearest `points` to each query (exact, in chunks)."""
    k = min(k, len(points))
    ds, ix = [], []
    for q in queries.split(chunk):
        _, i = torch.cdist(q, points).topk(k, dim=1, largest=False)
        d = (points[i] - q[:, None]).norm(dim=2)  # exact (cdist's matrix product is not, near zero)
        ds.append(d)
        ix.append(i)
    if not ds:
        return torch.zeros(0, k), torch.zeros(0, k, dtype=torch.long)
    return torch.cat(ds), torch.cat(ix)


@dataclass(eq=False)
class NonlinearProjection:
    """A fitted UMAP or t-SNE: the plane positions of the fitted codes and the way back."""

    kind: str  # "umap" or "tsne"
    codes: Tensor  # [N, d] the fitted codes (float32)
    embedding: Tensor  # [N, 2] their plane positions
    spacing: float  # the median distance of a projected code to its nearest projected neighbour
    params: ProjectionParams = field(default_factory=ProjectionParams)
    reducer: Any = None  # umap.UMAP (for inverse_transform); None for t-SNE

    @property
    def dim(self) -> int:
        return int(self.codes.shape[1])

    @property
    def labels(self) -> tuple[str, str]:
        title = TITLES[self.kind]
        return f"{title} 1", f"{title} 2"

    @property
    def inverse(self) -> str:
        """Which inverse decodes a click, in words (the panel shows it)."""
        if self.kind == "umap":
            return "a click decodes UMAP's inverse_transform of the point"
        return (f"a click decodes the inverse-distance weighted mean of the codes of the {NEIGHBOURS} nearest "
                "projected points (t-SNE has no inverse)")

    def to_2d(self, codes: Tensor) -> Tensor:
        d, i = nearest(codes.float(), self.codes, NEIGHBOURS)
        return _idw(d, self.embedding[i]).to(codes.dtype)

    def place(self, codes: np.ndarray) -> np.ndarray:
        """to_2d of a whole split (the test codes), remembered by content: a redraw does not search again."""
        key = fingerprint(codes)
        if key not in self._placed:
            if len(self._placed) >= 2:
                self._placed.pop(next(iter(self._placed)))
            self._placed[key] = self.to_2d(torch.from_numpy(np.asarray(codes, dtype=np.float32))).numpy()
        return self._placed[key]

    def from_2d(self, points: Tensor) -> Tensor:
        points = points.float()
        if self.kind == "umap" and self.reducer is not None:
            return torch.as_tensor(self._umap_inverse(points.numpy().astype(np.float32)), dtype=torch.float32)
        d, i = nearest(points, self.embedding, NEIGHBOURS)
        return _idw(d, self.codes[i])

    _triangulation: Any = None
    _adjacency: Any = None
    _placed: dict = field(default_factory=dict)
    _reach: Any = None  # reach_grid's raster, made at the first shading

    def prepare_inverse(self) -> None:
        """UMAP's inverse_transform triangulates the whole embedding at every call (seconds for 70k points);
        done once here (in the fit's background job), a click costs only the local optimisation."""
        if self.kind != "umap" or self.reducer is None or self._triangulation is not None:
            return
        import scipy.sparse
        import scipy.spatial

        emb = np.asarray(self.reducer.embedding_)
        tri = scipy.spatial.Delaunay(emb, qhull_options="QJ")
        s = tri.simplices[(tri.simplices < len(emb)).all(1)]
        pairs = np.concatenate([s[:, [a, b]] for a in range(3) for b in range(3)])
        adj = scipy.sparse.coo_matrix((np.ones(len(pairs), dtype=np.int64), (pairs[:, 0], pairs[:, 1])),
                                      shape=(len(emb), len(emb))).tocsr()
        adj.data[:] = 1
        self._triangulation, self._adjacency = tri, adj

    def _umap_inverse(self, x: np.ndarray) -> np.ndarray:
        """umap-learn 0.5's inverse_transform, step for step, with the triangulation of prepare_inverse."""
        r = self.reducer
        if not hasattr(r, "_raw_data"):  # not umap-learn's UMAP (a stand-in): its own inverse
            return np.asarray(r.inverse_transform(x))
        try:
            from umap.umap_ import breadth_first_search, init_transform, make_epochs_per_sample
            epoch = _inverse_epoch()
        except (ImportError, AttributeError):  # another umap-learn: its own (slower) inverse
            return np.asarray(r.inverse_transform(x))
        import scipy.sparse
        from sklearn.preprocessing import normalize

        self.prepare_inverse()
        emb, raw = np.asarray(r.embedding_), r._raw_data
        rng_state = np.random.RandomState(r.transform_seed).randint(np.iinfo(np.int32).min,
                                                                    np.iinfo(np.int32).max, 3).astype(np.int64)
        simplex = self._triangulation.find_simplex(x)
        starts = self._triangulation.simplices[simplex]  # (outside the hull: -1, the last simplex, as umap does)
        k = min(raw.shape[-1], raw.shape[0])
        rows, cols, dists = [], [], []
        for i, start in enumerate(starts):
            hood = breadth_first_search(self._adjacency, start[0], min_vertices=k)
            d = np.linalg.norm(emb[hood] - x[i], axis=1)
            order = np.argsort(d)[:k]
            rows += [i] * len(order)
            cols += list(hood[order])
            dists += list(d[order])
        d = np.asarray(dists)
        weights = 1 / (1 + r._a * d ** (2 * r._b))
        graph = scipy.sparse.coo_matrix((weights, (rows, cols)), shape=(len(x), len(raw)))
        csr = normalize(graph.tocsr(), norm="l1")
        points = init_transform(csr.indices.reshape(len(x), k), csr.data.reshape(len(x), k), raw)
        n_epochs = (100 if graph.shape[0] <= 10000 else 30) if r.n_epochs is None else int(r.n_epochs // 3.0)
        # umap.layouts.optimize_layout_inverse, whose epoch function is compiled afresh at every call (a second
        # each): here it is compiled once per process.
        per_sample = make_epochs_per_sample(graph.data, n_epochs)
        per_negative = per_sample / r.negative_sample_rate
        next_negative, next_sample = per_negative.copy(), per_sample.copy()
        alpha = initial = r._initial_alpha / 4.0
        for n in range(n_epochs):
            epoch(per_sample, next_sample, graph.row, graph.col, points, raw, r._inverse_distance_func,
                  tuple(r._metric_kwds.values()), graph.data, r._sigmas, points.shape[1], alpha, False, n,
                  next_negative, per_negative, rng_state, graph.shape[1], r._rhos, r.repulsion_strength)
            alpha = initial * (1.0 - float(n) / float(n_epochs))
        return points

    def distance_to_data(self, points: Tensor) -> Tensor:
        """[M]: each plane point's distance to the nearest projected code, in typical spacings."""
        d, _ = nearest(points.float(), self.embedding, 1)
        return d[:, 0] / max(self.spacing, 1e-12)

    def reliable(self, points: Tensor) -> Tensor:
        """[M] bool: where the inverse interpolates between codes rather than extrapolating."""
        return self.distance_to_data(points) <= RELIABLE_SPACINGS


_EPOCH: list = []


def _inverse_epoch():
    """umap's inverse-transform epoch, compiled by numba once per process."""
    if not _EPOCH:
        import numba
        from umap.layouts import _optimize_layout_inverse_single_epoch

        _EPOCH.append(numba.njit(_optimize_layout_inverse_single_epoch, fastmath=True))
    return _EPOCH[0]


def _spacing(embedding: Tensor) -> float:
    sample = embedding[torch.randperm(len(embedding), generator=torch.Generator().manual_seed(0))[:2000]]
    if len(embedding) < 2:
        return 1.0
    d, _ = nearest(sample, embedding, 2)
    return float(d[:, 1].median()) or 1.0


class _EpochStream:
    """A file for umap's tqdm bar (bar_format "{n} {total}"): progress from its text, and a cancel raised
    from inside the epoch loop (tqdm writes at each refresh)."""

    def __init__(self, report: Report | None, cancelled: IsCancelled | None, start: float):
        self.report, self.cancelled, self.start = report, cancelled, start

    def write(self, text: str) -> int:
        check(self.cancelled)
        numbers = re.findall(r"(\d+) (\d+)", text)
        if numbers:
            n, total = (int(v) for v in numbers[-1])
            tell(self.report, self.start + (1 - self.start) * n / max(1, total))
        return len(text)

    def flush(self) -> None:
        check(self.cancelled)


def umap_reducer(params: ProjectionParams, n: int, report: Report | None = None,
                 cancelled: IsCancelled | None = None):
    """umap.UMAP with the parameters, reporting its epochs (and stopping between them when cancelled)."""
    import umap  # lazily: seconds to import

    stream = _EpochStream(report, cancelled, _GRAPH_SHARE)
    tqdm = {"disable": False, "file": stream, "bar_format": "{n} {total}", "mininterval": 0.2, "desc": ""}
    return umap.UMAP(**params.umap_arguments(n), tqdm_kwds=tqdm)


def fit_umap(codes: np.ndarray, params: ProjectionParams, report: Report | None = None,
             cancelled: IsCancelled | None = None, reducer_factory=None) -> NonlinearProjection:
    check(cancelled)
    tell(report, 0.0)
    reducer = (reducer_factory or umap_reducer)(params, len(codes), report, cancelled)
    tell(report, _IMPORT_SHARE)
    check(cancelled)
    embedding = np.asarray(reducer.fit_transform(np.ascontiguousarray(codes, dtype=np.float32)), dtype=np.float32)
    check(cancelled)
    emb = torch.from_numpy(embedding)
    reducer.tqdm_kwds = {"disable": True}  # later inverses report nothing (and the job's cancel is over)
    projection = NonlinearProjection("umap", torch.from_numpy(np.array(codes, dtype=np.float32)), emb,
                                     _spacing(emb), params, reducer)
    if hasattr(reducer, "_raw_data"):  # umap-learn itself (tests hand in a stand-in)
        projection.prepare_inverse()
        projection.from_2d(emb[:1])  # compiles the inverse here, in the background, not at the first click
    return projection


def fit_tsne(codes: np.ndarray, params: ProjectionParams, report: Report | None = None,
             cancelled: IsCancelled | None = None) -> NonlinearProjection:
    """openTSNE with its progress callback (which also stops it when cancelled)."""
    from openTSNE import TSNE  # lazily

    check(cancelled)
    n = len(codes)
    iterations = params.epochs or 500
    early = max(1, iterations // 4)
    total = early + iterations
    done = [0]

    def callback(iteration, error, embedding) -> bool:
        done[0] += 5
        tell(report, 0.1 + 0.9 * done[0] / total)
        return bool(cancelled is not None and cancelled())  # True stops the optimisation

    x = np.ascontiguousarray(codes, dtype=np.float64)
    small = n < SMALL_TSNE  # exact distances, as a matrix (openTSNE's own exact search imports pynndescent first)
    tsne = TSNE(perplexity=max(1.0, min(params.perplexity, (n - 1) / 3)), n_iter=iterations,
                early_exaggeration_iter=early, random_state=params.seed, n_jobs=1, verbose=False,
                callbacks=callback, callbacks_every_iters=5, metric="precomputed" if small else "euclidean",
                initialization="spectral" if small else "pca")
    tell(report, 0.05)
    if small:
        x = torch.cdist(torch.from_numpy(x), torch.from_numpy(x)).numpy()
        np.fill_diagonal(x, 0.0)
    embedding = np.asarray(tsne.fit(x), dtype=np.float32)
    if cancelled is not None and cancelled():
        raise Cancelled
    emb = torch.from_numpy(embedding.copy())
    return NonlinearProjection("tsne", torch.from_numpy(np.array(codes, dtype=np.float32)), emb, _spacing(emb),
                               params)


def fit_projection(codes: np.ndarray, params: ProjectionParams, report: Report | None = None,
                   cancelled: IsCancelled | None = None) -> NonlinearProjection:
    """Fit the non-linear projection `params.kind` to codes [N, d] (N >= 5)."""
    if params.kind not in NONLINEAR:
        raise ValueError(f"unknown projection {params.kind!r}; choose one of {', '.join(NONLINEAR)}")
    if len(codes) < 5:
        raise ValueError(f"{TITLES[params.kind]} needs at least 5 points, got {len(codes)}")
    if not np.isfinite(codes).all():
        raise ValueError("the codes are not finite numbers")
    fit = fit_umap if params.kind == "umap" else fit_tsne
    return fit(codes, params, report, cancelled)


def reach_grid(projection: NonlinearProjection, max_cells: int = 2048) -> tuple[np.ndarray, float, np.ndarray]:
    """Where the inverse is reliable, as a raster over the embedding: (origin [2], cell size, bool [ny, nx]).
    Cells of half the threshold that hold a projected code, grown by two cells (a disk): about the plane
    within RELIABLE_SPACINGS of a code. Made once per fit (cached on it), so shading the view as you pan
    costs a lookup, not a nearest-code search."""
    cached = projection._reach
    if cached is not None:
        return cached
    from scipy.ndimage import binary_dilation

    emb = projection.embedding.numpy().astype(np.float64)
    threshold = RELIABLE_SPACINGS * max(projection.spacing, 1e-12)
    low, high = emb.min(0) - threshold, emb.max(0) + threshold
    cell = max(threshold / 2, float((high - low).max()) / max_cells)
    shape = np.ceil((high - low) / cell).astype(int) + 1
    grid = np.zeros((shape[1], shape[0]), dtype=bool)
    ix = ((emb - low) / cell).astype(int)
    grid[ix[:, 1], ix[:, 0]] = True
    reach = max(1, int(round(threshold / cell)))
    yy, xx = np.mgrid[-reach:reach + 1, -reach:reach + 1]
    grid = binary_dilation(grid, structure=xx**2 + yy**2 <= reach**2)
    projection._reach = (low, cell, grid)
    return projection._reach


def unreliable_mask(projection: NonlinearProjection, x_range: tuple[float, float], y_range: tuple[float, float],
                    size: int = 96) -> np.ndarray:
    """[size, size] bool, row 0 at the bottom: the grid cells over the range far from every projected code
    (beyond about RELIABLE_SPACINGS typical spacings; the panel shades them)."""
    low, cell, grid = reach_grid(projection)
    xs = np.linspace(*x_range, 2 * size + 1)[1::2]
    ys = np.linspace(*y_range, 2 * size + 1)[1::2]
    cx = np.floor((xs - low[0]) / cell).astype(int)
    cy = np.floor((ys - low[1]) / cell).astype(int)
    inside_x = (cx >= 0) & (cx < grid.shape[1])
    inside_y = (cy >= 0) & (cy < grid.shape[0])
    near = grid[np.clip(cy, 0, grid.shape[0] - 1)][:, np.clip(cx, 0, grid.shape[1] - 1)]
    return ~(near & inside_y[:, None] & inside_x[None, :])
