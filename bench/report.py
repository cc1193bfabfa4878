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


def sync(device) -> None:
    """Wait for the work queued on `device` (a name or torch.device) to finish: a no-op but on CUDA."""
    import torch

    if torch.device(device).type == "cuda":
        torch.cuda.synchronize(device)


def timed_into(times: dict[str, list[float]], key: str, fn: Callable[[], object], device) -> None:
    """Run `fn` and append its seconds to times[key] (on CUDA, with the queued work finished either side)."""
    sync(device)
    start = time.perf_counter()
    fn()
    sync(device)
    times[key].append(time.perf_counter() - start)


def table(figures: list[Figure]) -> str:
    rows = [("figure", "value", "unit", "baseline", "target", "pass")]
    rows += [(f.name, f"{f.value:g}", f.unit, f.baseline, f.target, "yes" if f.passed else "NO") for f in figures]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |" for r in rows]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def write(figures: list[Figure], folder: Path, header: str, merge: bool = True) -> None:
    """Merge this run's figures into latest.json / latest.md by name: a run of some suites (`--only`)
    replaces their figures and keeps the others, each under the header of the run that measured it.
    merge=False (a run of every suite) replaces the files, so no figure outlives its suite."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "latest.json"
    fields = set(Figure.__dataclass_fields__)
    try:
        kept = [f for f in json.loads(path.read_text()) if isinstance(f, dict) and fields <= f.keys()] if merge else []
    except (OSError, ValueError, TypeError):
        kept = []
    fresh = [{**asdict(f), "run": header} for f in figures]
    names = {f["name"] for f in fresh}
    merged = [f for f in kept if f["name"] not in names] + fresh
    path.write_text(json.dumps(merged, indent=2))
    sections = []
    for run in dict.fromkeys(f.get("run", "an earlier run") for f in merged):
        group = [f for f in merged if f.get("run", "an earlier run") == run]
        rows = [Figure(**{k: f[k] for k in Figure.__dataclass_fields__ if k in f}) for f in group]
        notes = "\n".join(f"- {f.name}: {f.note}" for f in rows if f.note)
        sections.append(f"{run}\n\n{table(rows)}\n\n{notes}\n")
    (folder / "latest.md").write_text("\n".join(sections))
