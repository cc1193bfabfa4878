"""A training process made ready before it is needed: it imports torch, the trainer and its optimizer
(seconds of work) while nobody waits, then reads one line, the `latentlab train` arguments of the run
it is to carry out, and carries it out (`python -m latentlab.cli.warm`; gui/process_run.py keeps one)."""

from __future__ import annotations

import json
import sys


def main() -> int:
    import latentlab.cli.train  # noqa: F401
    from latentlab.core.models import families
    from latentlab.core.training import warm_optimizer

    families()
    warm_optimizer()
    line = sys.stdin.readline()  # blocks until a run comes; EOF when the window has gone away
    if not line.strip():
        return 0
    from latentlab.cli import main as cli_main

    return cli_main(json.loads(line))


if __name__ == "__main__":
    sys.exit(main())
