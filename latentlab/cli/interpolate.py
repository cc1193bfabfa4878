"""`latentlab interpolate`: a latent path between two training examples, decoded as a PNG strip."""

from __future__ import annotations

import argparse

from latentlab.cli.common import UserError, as_user_errors


def add_parser(sub) -> None:
    p = sub.add_parser("interpolate", help="decode a latent path between two training examples, as a PNG strip")
    p.add_argument("checkpoint")
    p.add_argument("--from", dest="start", type=int, required=True, help="training example to start at")
    p.add_argument("--to", dest="end", type=int, required=True, help="training example to end at")
    p.add_argument("--steps", type=int, default=10, help="decoded points on the path (default 10)")
    p.add_argument("--path", default="linear", help="linear, slerp, or data (through the nearest codes)")
    p.add_argument("--originals", action="store_true", help="put the two examples themselves at the ends")
    p.add_argument("--out", required=True)


def run(args: argparse.Namespace) -> int:
    from latentlab import handouts

    with as_user_errors():
        frames, backdrop = handouts.interpolate(args.checkpoint, args.start, args.end, args.steps, args.path,
                                                args.originals)
    try:
        handouts.write_strip(frames, backdrop, args.out)
    except (OSError, ValueError) as e:
        raise UserError(f"cannot write {args.out}: {e}") from None
    print(f"wrote {len(frames)} frames from example {args.start} to {args.end} ({args.path}) to {args.out}")
    return 0
