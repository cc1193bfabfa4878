"""`latentlab interpolate`: a latent path between two training examples, decoded as a PNG strip, or with
--out X.gif as an animation (one frame a step, forward then back, as the interpolation dock's GIF export)."""

from __future__ import annotations

import argparse

from latentlab.cli.common import (
    UserError,
    add_plugin_arguments,
    add_scale_flag,
    add_trust_flag,
    as_user_errors,
    image_out_or_fail,
    model_label,
    model_or_fail,
    scale_or_fail,
    trusts_folder,
)


def add_parser(sub) -> None:
    p = sub.add_parser("interpolate", help="decode a latent path between two training examples, as a PNG strip "
                                           "(or, with --out X.gif, an animation)")
    p.add_argument("checkpoint", nargs="?", help="a checkpoint (or --model-file, below)")
    p.add_argument("--from", dest="start", type=int, required=True, help="training example to start at")
    p.add_argument("--to", dest="end", type=int, required=True, help="training example to end at")
    p.add_argument("--steps", type=int, default=10, help="decoded points on the path (default 10)")
    p.add_argument("--path", default="linear", help="linear, slerp, or data (through the nearest codes)")
    p.add_argument("--originals", action="store_true", help="put the two examples themselves at the ends")
    p.add_argument("--out", required=True, metavar="FILE",
                   help="the picture: .png (or .jpg, ...) a strip of the steps in a row; .gif an animation of them, "
                        "forward then back")
    p.add_argument("--seconds", type=float, metavar="S",
                   help="with --out X.gif: seconds from the first step to the last, then as long back (default: "
                        "the interpolation dock's sweep, 2)")
    add_scale_flag(p)
    add_trust_flag(p)
    add_plugin_arguments(p)


def run(args: argparse.Namespace) -> int:
    from latentlab import handouts

    scale = scale_or_fail(args)
    out = image_out_or_fail(args.out)
    animated = out.suffix.lower() == ".gif"
    if args.seconds is not None and not animated:
        raise UserError(f"--seconds goes with an animation, --out X.gif (not {out.name})")
    seconds = seconds_or_fail(args.seconds) if animated else None
    # A plug-in model is loaded here (its notes said once); a checkpoint's name goes to handouts as before.
    plugin_flags = args.model_file or args.weights or args.model_arg or args.data or not args.checkpoint
    model = model_or_fail(args) if plugin_flags else args.checkpoint
    with as_user_errors():
        frames, backdrop = handouts.interpolate(model, args.start, args.end, args.steps, args.path,
                                                args.originals, trusts_folder(args), model_label(args))
    try:
        if seconds is not None:
            handouts.write_animation(frames, backdrop, out, scale, seconds)
        else:
            handouts.write_strip(frames, backdrop, out, scale)
    except (OSError, ValueError) as e:
        raise UserError(f"cannot write {out}: {e}") from None
    shape = "an animation of" if animated else "a strip of"
    print(f"wrote {shape} {len(frames)} frames from example {args.start} to {args.end} ({args.path}) to {out}")
    return 0


def seconds_or_fail(seconds: float | None) -> float:
    """--seconds, in the range of the dock's sweep (interpolation.sweep); its default when not given."""
    from latentlab.core.settings import SettingError
    from latentlab.state.schema import lookup

    sweep = lookup("interpolation.sweep")
    if seconds is None:
        return float(sweep.default)
    try:
        return float(sweep.check(seconds))
    except SettingError:
        raise UserError(f"--seconds must be {sweep.describe_range()} seconds, not {seconds:g}") from None
