"""`latentlab interpolate`: a latent path between two training examples, decoded as a PNG strip."""

from __future__ import annotations

import argparse

from latentlab.cli.common import (
    UserError,
    add_plugin_arguments,
    add_scale_flag,
    add_trust_flag,
    as_user_errors,
    model_label,
    model_or_fail,
    scale_or_fail,
    trusts_folder,
)


def add_parser(sub) -> None:
    p = sub.add_parser("interpolate", help="decode a latent path between two training examples, as a PNG strip")
    p.add_argument("checkpoint", nargs="?", help="a checkpoint (or --model-file, below)")
    p.add_argument("--from", dest="start", type=int, required=True, help="training example to start at")
    p.add_argument("--to", dest="end", type=int, required=True, help="training example to end at")
    p.add_argument("--steps", type=int, default=10, help="decoded points on the path (default 10)")
    p.add_argument("--path", default="linear", help="linear, slerp, or data (through the nearest codes)")
    p.add_argument("--originals", action="store_true", help="put the two examples themselves at the ends")
    p.add_argument("--out", required=True)
    add_scale_flag(p)
    add_trust_flag(p)
    add_plugin_arguments(p)


def run(args: argparse.Namespace) -> int:
    from latentlab import handouts

    scale = scale_or_fail(args)
    # A plug-in model is loaded here (its notes said once); a checkpoint's name goes to handouts as before.
    plugin_flags = args.model_file or args.weights or args.model_arg or args.data or not args.checkpoint
    model = model_or_fail(args) if plugin_flags else args.checkpoint
    with as_user_errors():
        frames, backdrop = handouts.interpolate(model, args.start, args.end, args.steps, args.path,
                                                args.originals, trusts_folder(args), model_label(args))
    try:
        handouts.write_strip(frames, backdrop, args.out, scale)
    except (OSError, ValueError) as e:
        raise UserError(f"cannot write {args.out}: {e}") from None
    print(f"wrote {len(frames)} frames from example {args.start} to {args.end} ({args.path}) to {args.out}")
    return 0
