"""`python -m bench [--quick] [--device cuda] [--only NAME ...]`: every figure, one table."""

from __future__ import annotations

import argparse
import importlib
import platform
import sys
from pathlib import Path

import torch

from bench.report import table, write

SUITES = ["training", "distributed", "mmd", "app", "scatter", "startup", "neighbours", "encode", "projections", "images",
          "data_memory", "cuda"]
RESULTS = Path(__file__).parent / "results"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a reduced set, in under a minute")
    parser.add_argument("--device", default="cpu", help="cpu or cuda")
    parser.add_argument("--only", nargs="*", choices=SUITES, help="run only these suites")
    parser.add_argument("--out", type=Path, help="folder for latest.json and latest.md (default bench/results, "
                                                 "or bench/results/cuda with --device cuda)")
    args = parser.parse_args(argv)
    if args.device.startswith("cuda") and not torch.cuda.is_available():
        print("bench: --device cuda asked for, but no CUDA GPU is available", file=sys.stderr)
        return 2
    device_name = torch.cuda.get_device_name() if args.device.startswith("cuda") else platform.processor() or "cpu"
    header = (f"latentlab bench ({'quick' if args.quick else 'full'}) on {args.device} ({device_name}), "
              f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    print(header, flush=True)
    figures = []
    for name in args.only or SUITES:
        suite = importlib.import_module(f"bench.{name}")
        if args.quick and not args.only and getattr(suite, "SKIP_IN_QUICK_RUNS", False):
            continue  # too slow to start for a quick run of everything (it says why); --only runs it
        got = suite.run(args.quick, args.device)
        figures.extend(got)
        for f in got:
            print(f"  {f.name}: {f.value:g} {f.unit} ({'pass' if f.passed else 'MISS'})", flush=True)
    print(table(figures))
    for f in figures:
        if f.note:
            print(f"- {f.name}: {f.note}")
    out = args.out or (RESULTS / "cuda" if args.device.startswith("cuda") else RESULTS)
    write(figures, out, header, merge=bool(args.only))
    return 0


if __name__ == "__main__":
    sys.exit(main())
