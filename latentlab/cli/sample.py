"""`latentlab sample`: a grid of model samples as a picture (PNG; any ending Pillow writes, a .gif a still one)."""

from __future__ import annotations

import argparse

from latentlab.cli.common import (
    UserError,
    add_plugin_arguments,
    add_scale_flag,
    image_out_or_fail,
    model_label,
    model_or_fail,
    scale_or_fail,
)


def add_parser(sub) -> None:
    p = sub.add_parser("sample", help="write a grid of model samples as PNG")
    p.add_argument("checkpoint", nargs="?", help="a checkpoint (or --model-file, below)")
    p.add_argument("--n", type=int, default=64)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", required=True, metavar="FILE",
                   help="the picture: .png (or .jpg, .gif, ...: the grid as one still picture)")
    add_scale_flag(p)
    add_plugin_arguments(p)


def run(args: argparse.Namespace) -> int:
    import torch

    from latentlab.core.images import save_image_grid, save_points_png, save_whole

    if args.n < 1:
        raise UserError("--n must be at least 1")
    scale = scale_or_fail(args)
    out = image_out_or_fail(args.out)
    ckpt = model_or_fail(args)
    if not ckpt.model.can("sample"):
        raise UserError(f"{model_label(args)}: {ckpt.model.why_not('sample')}")
    with torch.no_grad():
        samples = ckpt.model.sample(args.n, generator=torch.Generator().manual_seed(args.seed))
    try:
        if samples.dim() == 4:
            save_whole(out, lambda tmp: save_image_grid(samples, tmp, scale=scale))
        else:
            save_whole(out, lambda tmp: save_points_png(samples, tmp, scale=scale or 1))
    except (OSError, ValueError) as e:
        raise UserError(f"cannot write {out}: {e}") from None
    print(f"wrote {args.n} samples to {out}")
    return 0
