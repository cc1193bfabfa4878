"""Exact k-nearest-neighbour search, in chunks: torch.cdist on blocks of query and base rows, keeping the
best k of each block with torch.topk. Exact up to EXACT_LIMIT base points; above that an index library
(pynndescent, faiss) would be needed, which latentlab does not ship yet."""

from __future__ import annotations

import torch

EXACT_LIMIT = 100_000  # base points searched exactly; more would need an approximate index
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
        raise NeighbourError(f"{n} points: exact search goes up to {EXACT_LIMIT}; an approximate index "
                             "(pynndescent, faiss) is not supported yet")
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
