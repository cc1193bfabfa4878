"""What `latentlab interpolate` and `latentlab mmd` compute, for handouts made without the window:
the same core functions the interpolation and MMD docks use. Mistakes raise ValueError (the CLI
prints them as one line)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch
from torch import Tensor

from latentlab.core.checkpoints import Checkpoint, load_checkpoint
from latentlab.core.data import as_float, load_dataset
from latentlab.core.images import (
    check_scale,
    default_scale,
    enlarged,
    grid_image,
    points_bounds,
    points_image,
    save_image_grid,
    save_points_png,
    save_whole,
    write_gif,
)
from latentlab.core.latent import PATH_KINDS, encode_in_batches, path_points
from latentlab.core.mmd import PermutationResult, PooledDistances, permutation_test
from latentlab.core.pretrained import PREFIX, resolve
from latentlab.core.recipes import dataset_from_record


@torch.no_grad()
def interpolate(checkpoint: str | Path | Checkpoint, start: int, end: int, steps: int, kind: str = "linear",
                originals: bool = False, trust_folder: bool = False,
                label: str | None = None) -> tuple[Tensor, Tensor | None]:
    """Decodes of `steps` points on the latent path between training examples `start` and `end` of the
    checkpoint's own dataset (with the two examples at the ends if `originals`), and the dataset's
    training points as a backdrop where the data are 2-D points. `checkpoint` may be one already loaded
    (a plug-in model: cli/common.model_or_fail), named `label` in messages."""
    if steps < 2:
        raise ValueError("--steps must be at least 2")
    if kind not in PATH_KINDS:
        raise ValueError(f"unknown path {kind!r}; choose one of {', '.join(PATH_KINDS)}")
    ckpt = checkpoint if isinstance(checkpoint, Checkpoint) else load_checkpoint(resolve(checkpoint))
    checkpoint = label or (checkpoint if not isinstance(checkpoint, Checkpoint) else "the model")
    model = ckpt.model.eval()
    if not model.can("encode"):
        raise ValueError(f"{checkpoint}: {model.why_not('encode')}")
    try:
        data = dataset_from_record(ckpt.dataset, trust_folder)
    except ValueError as e:
        raise ValueError(f"{checkpoint}: {e}") from None
    n = len(data.train_x)
    for name, index in (("--from", start), ("--to", end)):
        if not 0 <= index < n:
            raise ValueError(f"{name} {index} is not a training example of {data.name} (0 to {n - 1})")
    ends = as_float(data.train_x[[start, end]])
    codes = torch.from_numpy(encode_in_batches(model, data.train_x)) if kind == "data" else None
    frames = model.decode(path_points(model.encode(ends), torch.linspace(0, 1, steps), kind, codes))
    if originals:
        frames = torch.cat([ends[:1], frames, ends[1:]])
    return frames, (data.train_x if data.kind == "points" else None)


def write_strip(frames: Tensor, backdrop: Tensor | None, out: str | Path, scale: int | None = None) -> None:
    """Images as one row; 2-D points as the path drawn over the data (`scale`: default_scale if None).
    Written whole or not at all (a file already at `out` stays as it was if the write fails)."""
    if frames.dim() == 4:
        save_whole(out, lambda tmp: save_image_grid(frames, tmp, nrow=len(frames), scale=scale))
    else:
        save_whole(out, lambda tmp: save_points_png(frames, tmp, reference=backdrop, scale=1 if scale is None else scale))


def write_animation(frames: Tensor, backdrop: Tensor | None, out: str | Path, scale: int | None = None,
                    seconds: float = 2.0) -> None:
    """The path as a looping GIF, one frame a decoded point, `seconds` forward then as long back (the
    interpolation dock's GIF export: core.images.write_gif). 2-D points: the path so far over the data, all
    frames framed alike. Written whole or not at all."""
    if frames.dim() == 4:
        scale = check_scale(default_scale(frames) if scale is None else scale)
        images = [grid_image(f[None], scale=scale) for f in frames]
    else:
        bounds = points_bounds(frames, backdrop)
        scale = check_scale(1 if scale is None else scale)
        images = [enlarged(points_image(frames[:k + 1], reference=backdrop, bounds=bounds), scale)
                  for k in range(len(frames))]
    save_whole(out, lambda tmp: write_gif(images, tmp, seconds, bounce=True))


@dataclass(frozen=True)
class SampleSet:
    x: Tensor  # [n, ...]
    description: str


@torch.no_grad()
def model_samples(model, n: int, seed: int, name: str) -> SampleSet:
    """n of a loaded model's samples (`name`: its file, or the plug-in it came from)."""
    model = model.eval()
    if not model.can("sample"):
        raise ValueError(f"{name}: {model.why_not('sample')}")
    x = model.sample(n, generator=torch.Generator().manual_seed(seed))
    if not bool(torch.isfinite(x).all()):
        raise ValueError(f"{name}: the model's samples are not finite (NaN or infinite weights): no MMD to compute")
    return SampleSet(x, f"{n} samples of {Path(name).name} ({model.family})")


@torch.no_grad()
def sample_set(spec: str, n: int, seed: int, data_dir: str | None = None) -> SampleSet:
    """`spec` is a checkpoint file (n of its model's samples) or a dataset, `name` or `name:test` /
    `name:train` (n of its examples, drawn without replacement; the training split by default)."""
    if Path(spec).is_file() or spec.startswith(PREFIX):
        return model_samples(load_checkpoint(resolve(spec)).model, n, seed, spec)
    name, _, split = spec.partition(":")
    if split not in ("", "train", "test"):
        raise ValueError(f"{spec}: the split after ':' is train or test, not {split!r}")
    if not name or "/" in name or name.endswith(".safetensors"):
        raise ValueError(f"{spec}: no such checkpoint file")
    data = load_dataset(name, folder=data_dir)
    pool = data.test_x if split == "test" else data.train_x
    if n > len(pool):
        raise ValueError(f"{spec} has {len(pool)} examples; ask for at most that many with --n")
    rows = torch.randperm(len(pool), generator=torch.Generator().manual_seed(seed))[:n]
    return SampleSet(as_float(pool[rows]), f"{n} {'held-out' if split == 'test' else 'training'} examples of {data.name}")


@dataclass(frozen=True)
class MMDReport:
    result: PermutationResult
    sigma: float
    kernel: str


def compare(a: SampleSet, b: SampleSet, kernel: str = "gaussian", sigma: float | None = None,
            permutations: int = 1000, seed: int = 0) -> MMDReport:
    """Unbiased MMD^2 of the two sets and its permutation-test p-value (bandwidth: the median heuristic
    over the pooled sets unless given)."""
    if a.x.shape[1:] != b.x.shape[1:]:
        raise ValueError(f"the two sets hold different things: {tuple(a.x.shape[1:])} vs {tuple(b.x.shape[1:])}")
    if min(len(a.x), len(b.x)) < 2 or permutations < 1:
        raise ValueError("the test needs at least 2 examples a set and at least 1 permutation")
    x, y = a.x.flatten(1).float(), b.x.flatten(1).float()
    pooled = PooledDistances(x, y)
    sigma = pooled.median_sigma() if sigma is None else sigma
    if not sigma > 0:
        raise ValueError(f"the bandwidth must be positive, got {sigma}")
    result = permutation_test(x, y, kernel=kernel, sigma=sigma, estimator="unbiased", distances=pooled,
                              n_permutations=permutations, generator=torch.Generator().manual_seed(seed))
    return MMDReport(result, sigma, kernel)
