"""`latentlab info`: a checkpoint's metadata as JSON."""

from __future__ import annotations

import argparse
import json

from latentlab.cli.common import UserError


def add_parser(sub) -> None:
    p = sub.add_parser("info", help="print a checkpoint's metadata")
    p.add_argument("checkpoint")


def run(args: argparse.Namespace) -> int:
    from latentlab.core.checkpoints import CheckpointError, read_metadata
    from latentlab.core.pretrained import resolve

    try:  # a file, or pretrained:NAME as `sample` and `interpolate` take it
        meta = read_metadata(resolve(args.checkpoint), check_tensors=True)
    except (CheckpointError, ValueError) as e:
        raise UserError(str(e)) from None
    meta = {k: v for k, v in meta.items() if k not in ("optimizer", "history")}
    print(json.dumps(meta, indent=2))
    return 0
