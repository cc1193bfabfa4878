"""Command line: `latentlab` opens the window; each subcommand (one module each here) works headless.

User mistakes end in a one-line message on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys

from latentlab.cli import codes, gui, import_model, info, interpolate, mmd, pair, pretrained, sample, settings, train
from latentlab.cli.common import EXIT_USER_ERROR, UserError, load_or_fail

__all__ = ["EXIT_USER_ERROR", "UserError", "build_parser", "load_or_fail", "main"]

SUBCOMMANDS = {m.__name__.rsplit(".", 1)[1]: m for m in (train, pair, sample, interpolate, mmd, codes, info,
                                                         pretrained, settings)}
SUBCOMMANDS[import_model.NAME] = import_model  # `import` is a Python keyword: the module has another name


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line and status 2, not a usage block
        print(f"{self.prog}: {message} (see {self.prog} --help)", file=sys.stderr)
        raise SystemExit(EXIT_USER_ERROR)


def build_parser() -> argparse.ArgumentParser:
    from latentlab import __version__

    parser = _Parser(prog="latentlab", description="Explore the latent spaces of generative models.")
    parser.add_argument("--version", action="version", version=f"latentlab {__version__}")
    gui.add_arguments(parser)
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    for module in SUBCOMMANDS.values():
        module.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return SUBCOMMANDS[args.command].run(args) if args.command else gui.run(args)
    except UserError as e:
        print(f"latentlab: {e}", file=sys.stderr)
        return EXIT_USER_ERROR
    except BrokenPipeError:  # `latentlab info X | head`: the reader has gone; nothing more to say
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so the interpreter's own final flush is quiet too
        return 0
    except Exception as e:
        plugin = sys.modules.get("latentlab.core.models.plugin")  # loaded only when a plug-in is in use
        failed = plugin.plugin_error_in(e) if plugin is not None else None
        if failed is None:
            raise
        print(f"latentlab: {failed}", file=sys.stderr)  # the user's model failed: where and why, in one line
        return EXIT_USER_ERROR


if __name__ == "__main__":
    sys.exit(main())
