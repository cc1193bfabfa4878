"""`latentlab settings`: every setting of the schema with its type, default, range and help."""

from __future__ import annotations

import argparse


def add_parser(sub) -> None:
    p = sub.add_parser("settings", help="list every setting (for --set, lesson files and the train flags)")
    p.add_argument("section", nargs="?", help="only this section: data, model, train, run, scatter, ...")


def run(args: argparse.Namespace) -> int:
    from latentlab.cli.common import UserError
    from latentlab.state.schema import schema, table

    if args.section and not any(s.section == args.section for s in schema().values()):
        sections = sorted({s.section for s in schema().values()})
        raise UserError(f"no section {args.section!r}; sections: {', '.join(sections)}")
    text = table()
    if args.section:
        blocks = text.split("\n")
        keep, show = [], False
        for line in blocks:
            if not line.startswith(" "):
                show = line.startswith(args.section + ".")
            if show:
                keep.append(line)
        text = "\n".join(keep)
    print(text)
    return 0
