"""Looking at a latent space in 2-D: projections with inverses, projected posteriors, point-in-polygon.

A projection maps codes [N, d] to the plane [N, 2] and back. The inverse of a
2-D point cannot recover what the projection dropped, so every projection says
what it puts there: the mean of the codes it was fitted on (for PCA, the mean
along every discarded principal direction; for two chosen axes, the mean of each
other axis). A click in the scatter therefore decodes the "typical" code with
the two visible coordinates set where the mouse is.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from latentlab.core.data.base import as_float
from latentlab.core.progress import IsCancelled, Report, check, tell


@dataclass(frozen=True)
class AxesProjection:
    """Two latent axes shown as they are; the other axes are held at `fill` (the codes' mean)."""

    x: int
    y: int
    fill: Tensor  # [d]

    @classmethod
    def fit(cls, codes: Tensor, x: int = 0, y: int = 1) -> AxesProjection:
        d = codes.shape[1]
        if d == 1:
            x = y = 0
        elif not (0 <= x < d and 0 <= y < d) or x == y:
            raise ValueError(f"choose two different axes among 0..{d - 1}, got {x} and {y}")
        return cls(x, y, codes.mean(0) if len(codes) else torch.zeros(d))

    @property
    def dim(self) -> int:
        return self.fill.numel()

    @property
    def basis(self) -> Tensor:
        """[d, 2]: the linear part of to_2d."""
        b = torch.zeros(self.dim, 2)
        b[self.x, 0] = 1.0
        b[self.y, 1] = 1.0
        return b

    @property
    def labels(self) -> tuple[str, str]:
        return f"z[{self.x}]", f"z[{self.y}]"

    def to_2d(self, codes: Tensor) -> Tensor:
        return torch.stack([codes[:, self.x], codes[:, self.y]], 1)

    def from_2d(self, points: Tensor) -> Tensor:
        z = self.fill.to(points.dtype).expand(len(points), -1).clone()
        z[:, self.x] = points[:, 0]
        z[:, self.y] = points[:, 1]
        return z


@dataclass(frozen=True)
class PCAProjection:
    """The codes' first two principal components (SVD of the centred codes, in torch)."""

    mean: Tensor  # [d]
    components: Tensor  # [d, 2], orthonormal columns
    explained: tuple[float, float]  # fraction of the variance along each

    @classmethod
    def fit(cls, codes: Tensor) -> PCAProjection:
        codes = codes.double()
        mean = codes.mean(0)
        _, s, vt = torch.linalg.svd(codes - mean, full_matrices=False)
        comps = vt[:2].T
        if comps.shape[1] < 2:  # a 1-D latent: the second axis is empty
            comps = torch.cat([comps, torch.zeros_like(comps)], 1)
        var = s**2
        total = float(var.sum()) or 1.0
        first, second = (float(v) / total for v in (list(var[:2]) + [0.0, 0.0])[:2])
        explained = (first, second)
        # A sign convention, so the picture does not flip between refits.
        signs = torch.sign(comps[comps.abs().argmax(0), torch.arange(2)])
        signs[signs == 0] = 1
        return cls(mean.float(), (comps * signs).float(), explained)

    @property
    def basis(self) -> Tensor:
        return self.components

    @property
    def labels(self) -> tuple[str, str]:
        return f"PC1 ({self.explained[0]:.0%})", f"PC2 ({self.explained[1]:.0%})"

    def to_2d(self, codes: Tensor) -> Tensor:
        return (codes - self.mean.to(codes.dtype)) @ self.components.to(codes.dtype)

    def from_2d(self, points: Tensor) -> Tensor:
        return self.mean.to(points.dtype) + points @ self.components.T.to(points.dtype)


Projection = AxesProjection | PCAProjection


@torch.inference_mode()
def encode_in_batches(model, x: Tensor, batch: int = 4096, report: Report | None = None,
                      cancelled: IsCancelled | None = None) -> np.ndarray:
    """Codes [N, latent_dim] of a whole dataset, as numpy, a batch at a time (hooks: core/progress.py).

    Each batch's codes are written into one array made up front: no list of parts and no final
    concatenation, so the codes are held once (bench/encode.py measures it against a plain loop)."""
    out: np.ndarray | None = None
    done = 0
    pending: list[Tensor] = []
    # On a GPU each .cpu() waits for the device: codes come back a group of batches at a time.
    group = 16

    def flush() -> None:
        nonlocal out, done
        codes = (pending[0] if len(pending) == 1 else torch.cat(pending)).cpu().numpy()
        pending.clear()
        if out is None:
            out = np.empty((len(x), *codes.shape[1:]), dtype=np.float32)
        out[done:done + len(codes)] = codes
        done += len(codes)
        tell(report, done / max(1, len(x)))

    for b in x.split(batch):
        check(cancelled)
        pending.append(codes := model.encode(as_float(b)).float())
        if codes.device.type == "cpu" or len(pending) >= group:
            flush()
    if pending:
        flush()
    return out if out is not None else np.zeros((0, model.latent_dim), dtype=np.float32)


def projected_covariances(projection: Projection, logvar: Tensor) -> Tensor:
    """2x2 covariances [N, 2, 2] of diagonal Gaussians N(mu, diag(exp(logvar))) seen through the projection."""
    b = projection.basis.to(logvar.dtype)  # [d, 2]
    var = logvar.exp()  # [N, d]
    return torch.einsum("di,nd,dj->nij", b, var, b)


def ellipse_outline(mean: np.ndarray, cov: np.ndarray, k: float, n: int = 64) -> np.ndarray:
    """Points [n+1, 2] on the k-sigma ellipse of a 2-D Gaussian (closed)."""
    vals, vecs = np.linalg.eigh(cov)
    t = np.linspace(0, 2 * np.pi, n + 1)
    circle = np.stack([np.cos(t), np.sin(t)], 1)
    return mean + k * (circle * np.sqrt(np.maximum(vals, 0))) @ vecs.T


def prior_centre(projection: Projection) -> np.ndarray:
    """Where N(0, I) projects to: its mean's image (the projection of an isotropic Gaussian stays isotropic)."""
    d = projection.basis.shape[0]
    return projection.to_2d(torch.zeros(1, d)).numpy()[0]


def points_in_polygon(points: np.ndarray, polygon: np.ndarray) -> np.ndarray:
    """Boolean mask of the points [N, 2] inside a closed polygon [M, 2] (even-odd ray casting, vectorised)."""
    x, y = points[:, 0], points[:, 1]
    inside = np.zeros(len(points), dtype=bool)
    px, py = polygon[:, 0], polygon[:, 1]
    for i in range(len(polygon)):
        x1, y1, x2, y2 = px[i - 1], py[i - 1], px[i], py[i]
        crosses = (y1 > y) != (y2 > y)
        with np.errstate(divide="ignore", invalid="ignore"):
            x_at = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
        inside ^= crosses & (x < x_at)
    return inside


# -- interpolation -------------------------------------------------------------------------

PATH_KINDS = {
    "linear": "Straight line between the endpoints: (1 - t) a + t b",
    "slerp": "Spherical: along the great circle between the endpoints, norms blended; "
             "keeps the norm of equal-norm endpoints, as samples of N(0, I) have",
    "data": "Through the data: the straight line snapped, in order, to the nearest training codes",
}


def lerp(a: Tensor, b: Tensor, t: Tensor) -> Tensor:
    """[N, d] points (1 - t) a + t b for t [N]."""
    t = t[:, None].to(a.dtype)
    return (1 - t) * a + t * b


def slerp(a: Tensor, b: Tensor, t: Tensor) -> Tensor:
    """Spherical interpolation (Shoemake): sin((1-t)w)/sin(w) a + sin(tw)/sin(w) b, w the angle.

    Falls back to the straight line when a and b are (anti)parallel, where the circle is undefined.
    """
    na, nb = a.norm(), b.norm()
    if na == 0 or nb == 0:
        return lerp(a, b, t)
    cos = torch.clamp((a @ b) / (na * nb), -1.0, 1.0)
    omega = torch.arccos(cos)
    if omega < 1e-6 or torch.pi - omega < 1e-6:
        return lerp(a, b, t)
    t = t[:, None].to(a.dtype)
    return (torch.sin((1 - t) * omega) * a + torch.sin(t * omega) * b) / torch.sin(omega)


def _segment_times(t: Tensor, segments: int) -> tuple[Tensor, Tensor]:
    """Map t in [0, 1] over `segments` equal-time segments: (segment index, local t)."""
    scaled = t.clamp(0, 1) * segments
    index = scaled.floor().long().clamp(max=segments - 1)
    return index, scaled - index


def data_anchors(anchors: Tensor, codes: Tensor, resolution: int = 64) -> Tensor:
    """The anchors with, between each pair, the nearest codes met along the straight line, in order."""
    points = [anchors[:1]]
    for a, b in zip(anchors[:-1], anchors[1:]):
        line = lerp(a, b, torch.linspace(0, 1, resolution, dtype=a.dtype)[1:-1])
        nearest = codes[torch.cdist(line, codes).argmin(1)]
        keep = torch.ones(len(nearest), dtype=torch.bool)
        keep[1:] = (nearest[1:] != nearest[:-1]).any(1)
        points += [nearest[keep], b[None]]
    return torch.cat(points)


def path_points(anchors: Tensor, t: Tensor, kind: str = "linear", codes: Tensor | None = None) -> Tensor:
    """Points [N, d] at times t [N] on the path through anchors [K, d] (K >= 2), equal time per segment.

    "data" first routes the path through the nearest `codes`, then moves along it at constant speed.
    """
    if len(anchors) < 2:
        raise ValueError("a path needs at least two points")
    if kind == "data":
        if codes is None or not len(codes):
            raise ValueError("the data-following path needs the dataset's codes")
        anchors = data_anchors(anchors, codes.to(anchors.dtype))
        lengths = (anchors[1:] - anchors[:-1]).norm(dim=1)
        total = float(lengths.sum())
        if total == 0:
            return anchors[:1].expand(len(t), -1).clone()
        cum = torch.cat([torch.zeros(1, dtype=anchors.dtype), lengths.cumsum(0)]) / total
        index = torch.searchsorted(cum, t.clamp(0, 1).to(cum.dtype), right=True).clamp(1, len(anchors) - 1) - 1
        local = (t.to(cum.dtype) - cum[index]) / (cum[index + 1] - cum[index]).clamp_min(1e-12)
        return anchors[index] + local[:, None].clamp(0, 1) * (anchors[index + 1] - anchors[index])
    if kind not in ("linear", "slerp"):
        raise ValueError(f"unknown path kind {kind!r}; choose one of {', '.join(PATH_KINDS)}")
    index, local = _segment_times(t, len(anchors) - 1)
    out = torch.empty(len(t), anchors.shape[1], dtype=anchors.dtype)
    step = lerp if kind == "linear" else slerp
    for s in index.unique().tolist():
        mask = index == s
        out[mask] = step(anchors[s], anchors[s + 1], local[mask])
    return out


def nearest_data_distance(frames: Tensor, data: Tensor) -> Tensor:
    """Euclidean distance of each decoded frame to its nearest training example, in data space.

    "Falls off the data manifold" as a number: large where the decoder draws nothing like the data.
    """
    from latentlab.core.kernels import sq_euclidean

    f, d = frames.reshape(len(frames), -1).float(), data.reshape(len(data), -1)
    best = torch.full((len(f),), float("inf"))
    for chunk in d.split(8192):  # uint8 images become floats a chunk at a time
        best = torch.minimum(best, sq_euclidean(f, as_float(chunk)).min(1).values)
    return best.sqrt()
