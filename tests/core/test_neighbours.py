"""Exact k-nearest neighbours in chunks, against a brute-force reference."""

import numpy as np
import pytest
import torch

from latentlab.core.neighbours import EXACT_LIMIT, ApproximateIndex, NeighbourError, nearest


def reference(base, query, k, exclude=None):
    """Every distance, sorted by (distance, index)."""
    d = torch.cdist(query, base, compute_mode="donot_use_mm_for_euclid_dist")
    if exclude is not None:
        d[torch.arange(len(query)), exclude] = torch.inf
    keys = [sorted(range(base.shape[0]), key=lambda j, r=r: (float(d[r, j]), j)) for r in range(len(query))]
    k = min(k, base.shape[0] - (exclude is not None))
    idx = torch.tensor([row[:k] for row in keys])
    return idx, d.gather(1, idx)


@pytest.mark.parametrize("chunk", [3, 7, 4096])
def test_matches_brute_force_with_chunks_smaller_and_larger_than_the_data(chunk):
    g = torch.Generator().manual_seed(0)
    base, query = torch.randn(50, 5, generator=g), torch.randn(9, 5, generator=g)
    i, d = nearest(base, query, 6, chunk=chunk)
    ri, rd = reference(base, query, 6)
    assert torch.equal(i, ri) and torch.allclose(d, rd)


def test_ties_come_lower_index_first_even_across_chunks():
    # A grid: many points at exactly the same distance from the query, spread over chunks.
    base = torch.tensor([[x, y] for x in range(-3, 4) for y in range(-3, 4)], dtype=torch.float32)
    query = torch.tensor([[0.0, 0.0], [0.5, 0.5]])
    for chunk in (2, 5, 100):
        i, d = nearest(base, query, 9, chunk=chunk)
        ri, rd = reference(base, query, 9)
        assert torch.equal(i, ri) and torch.equal(d, rd), chunk


def test_the_point_itself_is_excluded_and_k_beyond_the_data_gives_what_there_is():
    base = torch.tensor([[0.0], [1.0], [3.0], [3.0]])
    i, d = nearest(base, base, 10, exclude_self_rows=torch.arange(4), chunk=2)
    assert i.shape == (4, 3)
    assert all(r not in row for r, row in enumerate(i.tolist()))
    ri, rd = reference(base, base, 10, exclude=torch.arange(4))
    assert torch.equal(i, ri) and torch.equal(d, rd)
    assert i[2, 0] == 3 and d[2, 0] == 0  # its duplicate is still a neighbour, at distance 0
    i, _ = nearest(base, base[:1], 10)  # not excluded: every row, itself first
    assert i.tolist() == [[0, 1, 2, 3]]
    i, _ = nearest(base, base[1:2], 2, exclude_self_rows=torch.tensor([-1]))  # -1: nothing excluded
    assert i.tolist() == [[1, 0]]


def test_too_many_points_or_a_bad_shape_is_a_clear_error():
    with pytest.raises(NeighbourError, match="ApproximateIndex"):
        nearest(torch.zeros(EXACT_LIMIT + 1, 1), torch.zeros(1, 1), 3)
    with pytest.raises(NeighbourError):
        nearest(torch.zeros(5, 2), torch.zeros(1, 3), 3)


class ExactGraph:
    """Stands in for pynndescent's NNDescent (whose first build compiles for a minute): exact answers, in its
    shape (int32 indices, -1 where it found fewer)."""

    def __init__(self, base):
        self.base, self.asked = torch.from_numpy(base), []

    def query(self, q, k, epsilon):
        self.asked.append(k)
        i, d = nearest(self.base, torch.from_numpy(q), k)
        return i.numpy().astype("int32"), d.numpy()


def test_the_index_leaves_out_the_example_and_filtered_rows_and_asks_again_when_too_few_are_left():
    g = torch.Generator().manual_seed(0)
    base = torch.randn(60, 3, generator=g)
    graph = ExactGraph(base.numpy())
    index = ApproximateIndex(graph, 60, 3)
    i, d = index.query(base[7:8], 5, exclude_self_rows=torch.tensor([7]))
    ri, rd = nearest(base, base[7:8], 5, exclude_self_rows=torch.tensor([7]))
    assert torch.equal(i, ri) and torch.allclose(d, rd)
    allowed = torch.arange(60).numpy() % 3 == 0  # a filter keeping a third
    i, d = index.query(base[7:8], 5, exclude_self_rows=torch.tensor([7]), allowed=allowed)
    rows = torch.from_numpy(allowed.nonzero()[0])
    ri, rd = nearest(base[rows], base[7:8], 5)
    assert i.tolist() == [rows[ri[0]].tolist()] and torch.allclose(d, rd)
    base = torch.randn(600, 3, generator=g)
    graph = ExactGraph(base.numpy())
    far = torch.argsort((base - base[0]).norm(dim=1))[-20:].numpy()  # a filter keeping the 20 farthest
    allowed = np.zeros(600, dtype=bool)
    allowed[far] = True
    i, _ = ApproximateIndex(graph, 600, 3).query(base[:1], 5, allowed=allowed)
    assert set(i[0].tolist()) <= set(far.tolist()) and len(i[0]) == 5
    assert graph.asked[0] < 600 and graph.asked[-1] == 600  # too few among the first asked: asked again
    with pytest.raises(NeighbourError):
        index.query(torch.zeros(1, 4), 3)
