"""Per-example values to colour and filter the latent map by: the label, a metadata column (a CSV's
other columns, a generated dataset's true factors), a latent dimension, and what the model says of each
example (reconstruction error, KL to the prior, ELBO), computed in batches with progress and cancel.

Names are stable strings: "label", "recon", "kl", "elbo", "z3" (latent dimension 3), "meta:COLUMN".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from latentlab.core.data.base import as_float
from latentlab.core.progress import IsCancelled, Report, check, tell

MODEL_VALUES = {"recon": "reconstruction error (MSE)", "kl": "KL to the prior (nats)", "elbo": "ELBO (nats)"}
MAX_CATEGORIES = 50  # a text column with more distinct values than this is coloured by its rank (continuous)


@dataclass(frozen=True)
class Values:
    """One value per example. Continuous: `numbers` (float, NaN where unknown); categorical: `numbers` holds
    each example's index into `categories` (-1 where unknown)."""

    name: str
    label: str
    numbers: np.ndarray
    categories: tuple[str, ...] = ()

    @property
    def categorical(self) -> bool:
        return bool(self.categories)

    def category_names(self, rows: np.ndarray) -> list[str]:
        return [self.categories[i] if i >= 0 else "?" for i in self.numbers[rows].tolist()]


def choices(model, dataset) -> dict[str, str]:
    """What the examples can be coloured by with this model and data: name -> label (in menu order)."""
    out: dict[str, str] = {}
    if dataset is None:
        return out
    out["label"] = "label" if dataset.has_labels else "none (one colour)"
    for column in dataset.train_meta:
        out[f"meta:{column}"] = column
    if model is not None and model.can("encode"):
        out["recon"] = MODEL_VALUES["recon"]
        if model.can("posterior"):
            out["kl"] = MODEL_VALUES["kl"]
            if _has_likelihood(model):
                out["elbo"] = MODEL_VALUES["elbo"]
        for i in range(model.latent_dim):
            out[f"z{i}"] = f"latent dimension {i}"
    return out


def _has_likelihood(model) -> bool:
    return callable(getattr(model, "recon_nll", None)) and callable(getattr(model, "decoder", None))


def is_model_value(name: str) -> bool:
    return name in MODEL_VALUES


def column_values(dataset, name: str, split: str = "train") -> Values:
    """The label or a metadata column of one split. Numeric columns are continuous, text ones categories."""
    n = len(dataset.train_x if split == "train" else dataset.test_x)
    if name == "label":
        y = dataset.train_y if split == "train" else dataset.test_y
        if y is None:
            return Values(name, "none", np.zeros(n, np.int64), ("data",))
        names = tuple(dataset.class_names) or tuple(str(i) for i in range(int(y.max()) + 1))
        return Values(name, "label", y.numpy().astype(np.int64), names)
    column = name.removeprefix("meta:")
    meta = dataset.train_meta if split == "train" else dataset.test_meta
    if column not in meta:
        raise KeyError(f"the data has no column {column!r}")
    return text_values(name, column, meta[column])


def text_values(name: str, label: str, texts: list[str]) -> Values:
    """A column of text: numbers when every non-empty entry is one, else categories."""
    numbers = np.full(len(texts), np.nan)
    numeric = True
    for i, t in enumerate(texts):
        if t.strip() == "":
            continue
        try:
            numbers[i] = float(t)
        except ValueError:
            numeric = False
            break
    if numeric:
        return Values(name, label, numbers)
    distinct = sorted(set(texts))
    if len(distinct) > MAX_CATEGORIES:  # free text: coloured by its sorted rank
        rank = {t: i for i, t in enumerate(distinct)}
        return Values(name, f"{label} (rank)", np.array([rank[t] for t in texts], dtype=np.float64))
    index = {t: i for i, t in enumerate(distinct)}
    return Values(name, label, np.array([index[t] for t in texts], dtype=np.int64), tuple(distinct))


def latent_values(name: str, codes: np.ndarray) -> Values:
    """Latent dimension `zK` of [N, d] codes."""
    k = int(name[1:])
    return Values(name, f"latent dimension {k}", codes[:, k].astype(np.float64))


@torch.no_grad()
def model_values(model, x: Tensor, names: tuple[str, ...], batch: int = 1024, seed: int = 0,
                 report: Report | None = None, cancelled: IsCancelled | None = None) -> dict[str, np.ndarray]:
    """Per-example `names` (of MODEL_VALUES) of the examples `x`, in batches.

    recon: mean squared error per data dimension between x and decode(encode(x)) (the posterior mean's
    decode: deterministic); kl: KL(q(z|x) || N(0, I)) in nats; elbo: a single-sample ELBO in nats,
    log p(x|z) - KL with z drawn from q(z|x) by a generator seeded with `seed` (the same draw every time).
    """
    out: dict[str, list[Tensor]] = {n: [] for n in names}
    generator = torch.Generator().manual_seed(seed)
    posterior = any(n in ("kl", "elbo") for n in names)
    for start in range(0, len(x), batch):
        check(cancelled)
        xb = as_float(x[start:start + batch])
        if posterior:
            mu, logvar = model.encode_dist(xb)
        else:
            mu = model.encode(xb)
        if "recon" in names:
            recon = model.decode(mu)
            out["recon"].append((recon.reshape(len(xb), -1) - xb.reshape(len(xb), -1)).pow(2).mean(1))
        if posterior:
            kl = 0.5 * (mu.pow(2) + logvar.exp() - 1.0 - logvar).sum(1)
            if "kl" in names:
                out["kl"].append(kl)
            if "elbo" in names:
                eps = torch.randn(mu.shape, generator=generator)
                z = mu + eps * torch.exp(0.5 * logvar)
                out["elbo"].append(-(model.recon_nll(model.decoder(z), xb) + kl))
        tell(report, min(len(x), start + batch) / max(1, len(x)))
    return {n: torch.cat(v).double().numpy() if v else np.zeros(0) for n, v in out.items()}


def passing(values: Values, low: float | None = None, high: float | None = None,
            keep: frozenset[str] = frozenset()) -> np.ndarray:
    """Which examples pass a filter: categories in `keep` (all when empty), numbers within [low, high]
    (open where None); unknown values (NaN) pass only an open range."""
    if values.categorical:
        if not keep:
            return np.ones(len(values.numbers), bool)
        wanted = np.array([c in keep for c in values.categories] + [False])
        return wanted[values.numbers]  # -1 (unknown) picks the final False
    v = values.numbers
    ok = np.ones(len(v), bool)
    if low is not None:
        ok &= v >= low
    if high is not None:
        ok &= v <= high
    return ok
