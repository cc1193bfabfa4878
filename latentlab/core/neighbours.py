"""k-nearest-neighbour search. Exact up to EXACT_LIMIT base points: torch.cdist on blocks of query and base
rows, keeping the best k of each block with torch.topk. Above that, approximate: an NN-descent graph over the
base (pynndescent, imported lazily), built once per set of points (ApproximateIndex.build, slow: the caller
runs it in the background) and then searched per click in about a millisecond."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from latentlab.core.progress import Cancelled

EXACT_LIMIT = 100_000  # base points searched exactly; above, an ApproximateIndex
CHUNK = 4096  # query rows and base rows per block: a block of distances is at most 64 MiB in float32


class NeighbourError(ValueError):
    """The search cannot be done as asked (too many points for an exact search, mismatched shapes)."""


@torch.no_grad()
def nearest(base: torch.Tensor, query: torch.Tensor, k: int, exclude_self_rows: torch.Tensor | None = None,
            chunk: int = CHUNK) -> tuple[torch.Tensor, torch.Tensor]:
    """The k rows of `base` [N, D] nearest to each row of `query` [Q, D] (Euclidean), nearest first.

    `exclude_self_rows` [Q]: for each query, a base row never to return (the query itself; -1: none).
    Fewer than k columns come back when the base has fewer rows to give (k > N - 1 with the point
    excluded). Equal distances come back with the lower base index first.
    Returns (indices [Q, k'] int64, distances [Q, k'] in the base's float dtype)."""
    if base.dim() != 2 or query.dim() != 2 or base.shape[1] != query.shape[1]:
        raise NeighbourError(f"base and query must be [N, D] and [Q, D], got {tuple(base.shape)} and "
                             f"{tuple(query.shape)}")
    n, q = base.shape[0], query.shape[0]
    if n > EXACT_LIMIT:
        raise NeighbourError(f"{n} points: exact search goes up to {EXACT_LIMIT}; above, use an "
                             "ApproximateIndex")
    if k < 1:
        raise NeighbourError(f"k must be at least 1, got {k}")
    base = base.float() if not base.is_floating_point() else base
    query = query.to(base.dtype)
    if exclude_self_rows is not None:
        exclude_self_rows = torch.as_tensor(exclude_self_rows, dtype=torch.int64).reshape(q)
    k_out = max(0, min(k, n - (1 if exclude_self_rows is not None and n > 0 else 0)))
    indices = torch.empty(q, k_out, dtype=torch.int64)
    distances = torch.empty(q, k_out, dtype=base.dtype)
    if k_out == 0 or q == 0:
        return indices, distances
    for q0 in range(0, q, chunk):
        qs = query[q0:q0 + chunk]
        best_d = torch.empty(len(qs), 0, dtype=base.dtype)
        best_i = torch.empty(len(qs), 0, dtype=torch.int64)
        for b0 in range(0, n, chunk):
            # Not the matrix-product form: it loses the exact zeros and ties that a lesson's data has.
            d = torch.cdist(qs, base[b0:b0 + chunk], compute_mode="donot_use_mm_for_euclid_dist")
            if exclude_self_rows is not None:
                own = exclude_self_rows[q0:q0 + chunk] - b0
                rows = torch.nonzero((own >= 0) & (own < d.shape[1])).flatten()
                d[rows, own[rows]] = torch.inf
            kept = min(k_out, d.shape[1])
            chunk_d, chunk_i = torch.topk(d, kept, dim=1, largest=False, sorted=False)
            kth = chunk_d.max(dim=1, keepdim=True).values
            if ((d == kth).sum(1) > (chunk_d == kth).sum(1)).any():  # topk cut a tie: the lower indices win
                chunk_d, chunk_i = (t[:, :kept] for t in torch.sort(d, dim=1, stable=True))
            best_d = torch.cat([best_d, chunk_d], dim=1)
            best_i = torch.cat([best_i, chunk_i + b0], dim=1)
            best_d, best_i = _order(best_d, best_i, k_out)
        indices[q0:q0 + chunk], distances[q0:q0 + chunk] = best_i, best_d
    return indices, distances


def _order(d: torch.Tensor, i: torch.Tensor, k: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The first k by (distance, index): sort by index, then stably by distance."""
    by_index = torch.argsort(i, dim=1)
    d, i = d.gather(1, by_index), i.gather(1, by_index)
    by_distance = torch.sort(d, dim=1, stable=True).indices[:, :k]
    return d.gather(1, by_distance), i.gather(1, by_distance)


APPROXIMATE = "approximate (pynndescent)"
EXACT = "exact"
INDEX_NEIGHBOURS = 30  # the NN-descent graph's degree (pynndescent's default)
INDEX_EPSILON = 0.1  # how far a query's search looks beyond its best candidates (pynndescent's default)


class ApproximateIndex:
    """An approximate nearest-neighbour index over the rows of a base [N, D] (Euclidean): pynndescent's
    NN-descent graph, prepared for search. bench/neighbours.py measures its recall against the exact search."""

    method = APPROXIMATE

    def __init__(self, index, n: int, dim: int):
        self.index, self.n, self.dim = index, n, dim

    @classmethod
    def build(cls, base: torch.Tensor | np.ndarray, report: Callable[[float], None] | None = None,
              cancelled: Callable[[], bool] | None = None, neighbours: int = INDEX_NEIGHBOURS) -> ApproximateIndex:
        """Build the graph (minutes for a million points; the first build in a process also compiles
        pynndescent's numba code). pynndescent cannot be interrupted inside a phase: `cancelled` is asked
        between them (Cancelled raised) and `report` told the fraction done after each."""
        report = report or (lambda f: None)
        cancelled = cancelled or (lambda: False)
        data = base.numpy() if isinstance(base, torch.Tensor) else base
        data = np.ascontiguousarray(data.reshape(len(data), -1), dtype=np.float32)
        if data.ndim != 2 or len(data) < 2:
            raise NeighbourError(f"an index needs at least 2 points, got {tuple(data.shape)}")
        report(0.0)
        from pynndescent import NNDescent  # imported here: numba and its compile cost only when needed

        if cancelled():
            raise Cancelled()
        index = NNDescent(data, metric="euclidean", n_neighbors=min(neighbours, len(data) - 1), low_memory=True,
                          verbose=False)
        report(0.8)
        if cancelled():
            raise Cancelled()
        index.prepare()  # the search graph: the first query would otherwise build it, in the GUI thread
        report(1.0)
        return cls(index, len(data), data.shape[1])

    def query(self, query: torch.Tensor | np.ndarray, k: int, exclude_self_rows: torch.Tensor | None = None,
              allowed: np.ndarray | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """As nearest(): the (approximately) k nearest base rows of each query row, nearest first, with
        `exclude_self_rows` never returned; `allowed` [N] bool: return only those base rows (a filter).
        Rows with fewer than k found are padded with index -1 and distance inf."""
        q = np.ascontiguousarray((query.numpy() if isinstance(query, torch.Tensor) else query)
                                 .reshape(len(query), -1), dtype=np.float32)
        if q.shape[1] != self.dim:
            raise NeighbourError(f"the index has {self.dim}-D points, the query {q.shape[1]}-D")
        if k < 1:
            raise NeighbourError(f"k must be at least 1, got {k}")
        own = None if exclude_self_rows is None else \
            torch.as_tensor(exclude_self_rows, dtype=torch.int64).reshape(len(q)).numpy()
        kept = self.n if allowed is None else int(np.count_nonzero(allowed))
        k_out = max(0, min(k, kept - (1 if own is not None else 0)))
        indices = np.full((len(q), k_out), -1, dtype=np.int64)
        distances = np.full((len(q), k_out), np.inf, dtype=np.float32)
        if k_out == 0 or not len(q):
            return torch.from_numpy(indices), torch.from_numpy(distances)
        # Ask for more than k where a filter or the query itself will drop some, more again if too few are left.
        ask = min(self.n, int(np.ceil((k_out + 1) * self.n / max(kept, 1) * 1.5)) + 4)
        pending = np.arange(len(q))
        while len(pending):
            found_i, found_d = self.index.query(q[pending], k=ask, epsilon=INDEX_EPSILON)
            again = []
            for row, fi, fd in zip(pending, found_i.astype(np.int64), found_d):
                good = fi >= 0
                if own is not None:
                    good &= fi != own[row]
                if allowed is not None:
                    good &= allowed[np.maximum(fi, 0)]
                fi, fd = fi[good][:k_out], fd[good][:k_out]
                if len(fi) < k_out and ask < self.n:
                    again.append(row)
                    continue
                indices[row, :len(fi)], distances[row, :len(fi)] = fi, fd
            pending = np.array(again, dtype=np.int64)
            ask = min(self.n, ask * 4)
        return torch.from_numpy(indices), torch.from_numpy(distances)
