"""Which true factors of the colour shapes a shipped conv VAE's codes carry, and its traversals as a picture.

The checkpoint (default pretrained:vae-shapes-8d) encodes the shapes dataset: the posterior means of the
training split fit, and those of the held-out split score, one linear probe per factor: a least-squares fit
for scale, x and y (R^2), for hue its cosine and sine (the mean of the two R^2: hue is a circle), and a
logistic regression for the shape (accuracy; chance is 1/5). Rotation is left out: a circle has none and a
square, cross or triangle repeats every 90 or 120 degrees, so its angle is not a function of the image.
Per latent dimension it also lists the factor its codes correlate with most (|Pearson r| on the held-out
split, hue through cos and sin), and draws each dimension's traversal (-2.5 to 2.5 around one held-out
example's code, the others kept) under a row of originals and a row of their reconstructions.

Usage: python scripts/shapes_factors.py [CHECKPOINT]   (a few seconds; writes bench/results/shapes_factors.txt
and docs/images/shapes-traversals.png)
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import torch

from latentlab.core.checkpoints import load_checkpoint
from latentlab.core.data import as_float
from latentlab.core.pretrained import resolve
from latentlab.core.recipes import dataset_from_record

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "shapes_factors.txt"
PICTURE = ROOT / "docs" / "images" / "shapes-traversals.png"
CONTINUOUS = ("scale", "x", "y")
STEPS, SPAN, COLUMNS, ZOOM = 9, 2.5, 12, 3


@torch.no_grad()
def codes(model, x: torch.Tensor) -> np.ndarray:
    return torch.cat([model.encode(as_float(b)) for b in x.split(1000)]).numpy()


def r2(train_z: np.ndarray, train_v: np.ndarray, test_z: np.ndarray, test_v: np.ndarray) -> float:
    """Held-out R^2 of a least-squares linear fit (with an intercept) of v on the codes."""
    design = np.hstack([train_z, np.ones((len(train_z), 1))])
    coef, *_ = np.linalg.lstsq(design, train_v, rcond=None)
    pred = np.hstack([test_z, np.ones((len(test_z), 1))]) @ coef
    return float(1 - ((test_v - pred) ** 2).sum() / ((test_v - test_v.mean()) ** 2).sum())


def factor_table(meta: dict[str, list[str]]) -> dict[str, np.ndarray]:
    values = {k: np.array([float(v) for v in meta[k]]) for k in (*CONTINUOUS, "hue")}
    hue = values.pop("hue")
    return {**values, "hue cos": np.cos(2 * math.pi * hue), "hue sin": np.sin(2 * math.pi * hue)}


@torch.no_grad()
def picture(model, x: torch.Tensor, z: np.ndarray, path: Path) -> None:
    from PIL import Image

    originals = as_float(x[:COLUMNS])
    rows = [originals, model.decode(torch.from_numpy(z[:COLUMNS]))]
    blank = torch.zeros(COLUMNS - STEPS, *originals.shape[1:])
    for j in range(z.shape[1]):
        walk = torch.from_numpy(z[:1]).repeat(STEPS, 1)
        walk[:, j] = torch.linspace(-SPAN, SPAN, STEPS)
        rows.append(torch.cat([model.decode(walk), blank]))
    grid = torch.cat([torch.cat(list(row), 2) for row in rows], 1).clamp(0, 1)
    image = Image.fromarray((grid.permute(1, 2, 0).numpy() * 255).round().astype(np.uint8))
    image.resize((image.width * ZOOM, image.height * ZOOM), Image.Resampling.NEAREST).save(path)


def main(argv: list[str]) -> int:
    from sklearn.linear_model import LogisticRegression

    source = argv[0] if argv else "pretrained:vae-shapes-8d"
    ckpt = load_checkpoint(resolve(source))
    model = ckpt.model.eval()
    data = dataset_from_record(ckpt.dataset, trust_folder=True)
    if not (data.train_meta and data.test_meta and data.train_y is not None and data.test_y is not None):
        print(f"{source}: its dataset {data.name!r} has no true factors (train it on --data shapes)", file=sys.stderr)
        return 2
    train_z, test_z = codes(model, data.train_x), codes(model, data.test_x)
    train_f, test_f = factor_table(data.train_meta), factor_table(data.test_meta)
    probes = {k: r2(train_z, train_f[k], test_z, test_f[k]) for k in CONTINUOUS}
    probes["hue"] = (r2(train_z, train_f["hue cos"], test_z, test_f["hue cos"])
                     + r2(train_z, train_f["hue sin"], test_z, test_f["hue sin"])) / 2
    classifier = LogisticRegression(max_iter=2000).fit(train_z, data.train_y.numpy())
    shape_accuracy = float(classifier.score(test_z, data.test_y.numpy()))
    lines = [f"{source}: {ckpt.model.family}, {test_z.shape[1]}-D codes, {len(train_z):,} training and "
             f"{len(test_z):,} held-out shapes; linear probes of the posterior means, scored held out",
             "", "factor  probe", *(f"{k:7s} R^2 {v:.3f}" for k, v in probes.items()),
             f"shape   accuracy {shape_accuracy:.3f} (chance 0.200)", "",
             "dim  held-out |r| with scale, x, y, hue cos, hue sin  (traversal row, from the third)"]
    for j in range(test_z.shape[1]):
        r = [abs(float(np.corrcoef(test_z[:, j], test_f[k])[0, 1])) for k in test_f]
        best = max(range(len(r)), key=r.__getitem__)
        lines.append(f"z{j}   " + "  ".join(f"{v:.2f}" for v in r) + f"   most: {list(test_f)[best]}")
    RESULTS.write_text("\n".join(lines) + "\n")
    picture(model, data.test_x, test_z, PICTURE)
    print("\n".join(lines))
    print(f"wrote {RESULTS.relative_to(ROOT)} and {PICTURE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
