"""A benchmark figure, and the table / JSON / Markdown it is reported as."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass
class Figure:
    name: str
    value: float
    unit: str
    baseline: str  # what it is measured against, with the baseline's own figure
    target: str  # e.g. ">= 2.0" or "< 16"
    passed: bool
    note: str = ""


def check(value: float, target: str) -> bool:
    op, bound = target.split()
    bound = float(bound)
    return {">=": value >= bound, "<=": value <= bound, "<": value < bound, ">": value > bound}[op]


def figure(name: str, value: float, unit: str, baseline: str, target: str, note: str = "") -> Figure:
    return Figure(name, round(value, 4), unit, baseline, target, check(value, target), note)


def best_of(fn: Callable[[], object], repeats: int) -> float:
    """Fastest wall time of `repeats` calls: the least disturbed by other load on a shared machine."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def timed_into(times: dict[str, list[float]], key: str, fn: Callable[[], object], device) -> None:
    """Run `fn` and append its seconds to times[key] (on CUDA, with the queued work finished either side)."""
    import torch

    cuda = torch.device(device).type == "cuda"
    if cuda:
        torch.cuda.synchronize()
    start = time.perf_counter()
    fn()
    if cuda:
        torch.cuda.synchronize()
    times[key].append(time.perf_counter() - start)


def table(figures: list[Figure]) -> str:
    rows = [("figure", "value", "unit", "baseline", "target", "pass")]
    rows += [(f.name, f"{f.value:g}", f.unit, f.baseline, f.target, "yes" if f.passed else "NO") for f in figures]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |" for r in rows]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def write(figures: list[Figure], folder: Path, header: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "latest.json").write_text(json.dumps([asdict(f) for f in figures], indent=2))
    notes = "\n".join(f"- {f.name}: {f.note}" for f in figures if f.note)
    (folder / "latest.md").write_text(f"{header}\n\n{table(figures)}\n\n{notes}\n")
