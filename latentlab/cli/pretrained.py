"""`latentlab pretrained`: list, verify or regenerate the shipped checkpoints."""

from __future__ import annotations

import argparse
import sys

from latentlab.cli.common import UserError


def add_parser(sub) -> None:
    p = sub.add_parser("pretrained", help="list, check or regenerate the shipped checkpoints")
    p.add_argument("action", nargs="?", choices=("list", "verify", "regenerate"), default="list")
    p.add_argument("names", nargs="*", help="only these entries of the shipped manifest.json")


def run(args: argparse.Namespace) -> int:
    from latentlab.core import pretrained

    try:
        entries = pretrained.read_manifest()
        chosen = [pretrained.find(name) for name in args.names] if args.names else entries
    except ValueError as e:
        raise UserError(str(e)) from None
    if args.action == "list":
        for e in chosen:
            figures = ", ".join(f"{k} {v:.4g}" for k, v in e.metrics.items())
            print(f"{e.name:24s} {e.title}\n{'':24s} {figures}")
        return 0
    if args.action == "verify":
        failed = 0
        for e in chosen:
            problems = pretrained.verify(e)
            failed += bool(problems)
            for p in problems:
                print(p, file=sys.stderr)
        print(f"{len(chosen) - failed} of {len(chosen)} checkpoints as recorded")
        return 1 if failed else 0
    from latentlab.cli import main

    updated = {e.name: e for e in entries}
    for e in chosen:
        print(f"regenerating {e.name}: {e.command}")
        code = main(pretrained.regenerate_argv(e))
        if code != 0:
            raise UserError(f"{e.name}: '{e.command}' failed with status {code}")
        updated[e.name] = pretrained.record(e)
        pretrained.write_manifest(list(updated.values()))  # after each one, so an interruption keeps the rest
    return 0
