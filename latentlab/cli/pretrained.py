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
        for entry in chosen:
            figures = ", ".join(f"{k} {v:.4g}" for k, v in entry.metrics.items())
            print(f"{entry.name:24s} {entry.title}\n{'':24s} {figures}")
        return 0
    if args.action == "verify":
        failed = 0
        for entry in chosen:
            problems = pretrained.verify(entry)
            failed += bool(problems)
            for p in problems:
                print(p, file=sys.stderr)
        print(f"{len(chosen) - failed} of {len(chosen)} checkpoints as recorded")
        return 1 if failed else 0
    from latentlab.cli import main

    updated = {entry.name: entry for entry in entries}
    for entry in chosen:
        print(f"regenerating {entry.name}: {entry.command}")
        code = main(pretrained.regenerate_argv(entry))
        if code != 0:
            raise UserError(f"{entry.name}: '{entry.command}' failed with status {code}")
        updated[entry.name] = pretrained.record(entry)
        pretrained.write_manifest(list(updated.values()))  # after each one, so an interruption keeps the rest
    return 0
