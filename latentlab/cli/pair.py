"""`latentlab pair`: the walkback comparison pair, two DAEs trained alike but for walkback.

The window's Walkback panel runs this command as its training process (`--json`), so a crash or a
busy pair never takes the window with it; in a terminal it prepares a lab's pair ahead of time.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
from dataclasses import replace
from pathlib import Path

from latentlab.cli.common import UserError, add_trust_flag, as_user_errors, dataset_of, load_or_fail

WITHOUT, WITH = "without.safetensors", "with-walkback.safetensors"


def add_parser(sub) -> None:
    p = sub.add_parser("pair", help="train the walkback comparison pair (two DAEs, without and with walkback)")
    p.add_argument("like", help="a DAE checkpoint (or pretrained:NAME) whose architecture, settings and data "
                                "the pair copies")
    p.add_argument("--out-dir", required=True, type=Path, help=f"folder for {WITHOUT} and {WITH}")
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--walkback", type=int, default=None,
                   help="walkback steps of the second model (default: the measured recipe's, four on 2-D data and "
                        "one on images, as the window's Train pair)")
    p.add_argument("--walkback-p", type=float, default=None, help="its continuation probability "
                                                                  "(default: the checkpoint's)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--batch-size", type=int, default=None, help="(default: the trainer's)")
    p.add_argument("--lr", type=float, default=None, help="learning rate (default: the trainer's)")
    p.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    add_trust_flag(p)
    p.add_argument("--json", action="store_true", help="progress as JSON lines; stop when stdin closes "
                                                       "or says stop (the window's protocol)")


def run(args: argparse.Namespace) -> int:
    from latentlab.core.checkpoints import save_checkpoint
    from latentlab.core.models.dae import DenoisingAutoencoder
    from latentlab.core.training import TrainConfig
    from latentlab.core.walkback import train_walkback_pair

    if args.epochs < 1 or (args.walkback is not None and args.walkback < 1):
        raise UserError("--epochs and --walkback must be at least 1")
    if args.walkback_p is not None and not 0.0 <= args.walkback_p <= 1.0:
        raise UserError("--walkback-p must be in [0, 1]")
    like = load_or_fail(args.like)
    if not isinstance(like.model, DenoisingAutoencoder):
        raise UserError(f"{args.like}: a {like.model.family} checkpoint; the pair copies a DAE's")
    if not like.dataset:
        raise UserError(f"{args.like}: the checkpoint does not say which data it was trained on")
    dataset = dataset_of(like, args.like, args.trust_data_folder)
    if args.walkback is None:
        from latentlab.core.walkback import recipe_walkback

        args.walkback = recipe_walkback(dataset.kind)
    out = args.out_dir
    if out.exists() and not out.is_dir():
        raise UserError(f"--out-dir {out}: not a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise UserError(f"--out-dir {out}: {e}") from None
    config = like.model.config
    p = config.walkback_p if args.walkback_p is None else args.walkback_p
    given = {k: v for k, v in (("batch_size", args.batch_size), ("lr", args.lr)) if v is not None}
    train = TrainConfig(epochs=args.epochs, seed=args.seed, threads=args.threads or None, **given)
    if train.problems():
        raise UserError("; ".join(train.problems()))
    stop = threading.Event()

    def say(event: str, **fields) -> None:
        if args.json:
            print(json.dumps({"event": event, **fields}), flush=True)

    if args.json:
        threading.Thread(target=_listen, args=(stop,), daemon=True).start()
    result = train_walkback_pair(replace(config, walkback=0), dataset, train, args.walkback, p,
                                 lambda f: say("progress", fraction=round(f, 4)), stop.is_set)
    if result.without is None or result.with_walkback is None:
        say("end", message=result.message or "stopped", seconds=list(result.seconds))
        print(f"latentlab: the pair did not finish: {result.message or 'stopped'}", file=sys.stderr)
        return 1
    paths = []
    for model, name in ((result.without, WITHOUT), (result.with_walkback, WITH)):
        path = out / name
        with as_user_errors():
            save_checkpoint(path, model, like.dataset, epoch=args.epochs)
        paths.append(str(path))
    say("end", message="", seconds=list(result.seconds), paths=paths)
    if not args.json:
        a, b = result.seconds
        print(f"wrote {paths[0]} ({a:.1f} s) and {paths[1]} ({b:.1f} s)")
    return 0


def _listen(stop: threading.Event) -> None:
    """The window's lifeline: "stop", or stdin closing (the window quit or died), ends the pair."""
    for line in sys.stdin:
        if line.strip() == "stop":
            break
    stop.set()
