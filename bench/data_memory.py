"""Memory an image set takes once loaded (issue 21): uint8 images, converted to floats a batch at a time, against
the float32 copy the Dataset held before; and a large set read memory-mapped from its prepared cache.

Each figure comes from a fresh process (`python -m bench.data_memory child ...`) that prints how much its resident
memory (VmRSS) grew while the set was loaded:
- mnist_rss_uint8_vs_float: a synthetic MNIST-size set (70,000 images of 28x28 in IDX files: mnist5k's digits
  repeated, bench/startup.write_mnist_like) as load_dataset keeps it in memory (not from prepared/), over the same
  images held as float32 (the baseline: as_float of both splits, what the Dataset held before).
- mmap_rss_over_data: a prepared set of 3x64x64 colour images (CelebA's format; 20,000 of them, 8,000 with
  --quick) opened through load_dataset from the cache's prepared/ folder: the memory it adds over its size on disk.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from bench.report import Figure, figure

ROOT = Path(__file__).resolve().parent.parent
SKIP_IN_QUICK_RUNS = True  # bench/__main__.py: five fresh processes importing torch; only with --only


def _rss() -> int:
    """Resident memory in bytes, counted from the page tables (smaps_rollup; VmRSS can lag behind)."""
    for name, field in (("smaps_rollup", "Rss:"), ("status", "VmRSS:")):
        try:
            for line in Path(f"/proc/self/{name}").read_text().splitlines():
                if line.startswith(field):
                    return int(line.split()[1]) * 1024
        except OSError:
            continue
    return 0


def _fake_prepared_celeba(folder: Path, n: int) -> None:
    """A CelebA folder (its extracted layout, the files empty) whose prepared arrays are already in the cache."""
    from latentlab.core.data import named

    (folder / "img_align_celeba").mkdir(parents=True)
    (folder / "list_eval_partition.txt").write_text("")
    spec = named.NAMED["celeba"]
    found = named.locate(spec, folder)
    assert found is not None
    prepared = named._prepared_path(spec, found)
    prepared.mkdir(parents=True)
    rng = np.random.default_rng(0)
    n_test = n // 10
    for key, rows in (("train_x", n - n_test), ("test_x", n_test)):
        x = np.lib.format.open_memmap(prepared / f"{key}.npy", mode="w+", dtype=np.uint8, shape=(rows, 3, 64, 64))
        for i in range(0, rows, 1000):
            x[i:i + 1000] = rng.integers(0, 256, x[i:i + 1000].shape, dtype=np.uint8)
        x.flush()
        del x
    np.save(prepared / "classes.npy", np.array([], dtype=str))


def child(what: str, folder: str) -> None:
    import torch  # noqa: F401 (imported before the first reading, as the loading needs it)

    from latentlab.core.data import as_float, load_dataset, named

    # The fake CelebA's empty files count as large (read from prepared/); the MNIST-size set is held in memory.
    named.PREPARE_ABOVE = -1 if "celeba" in what else 1 << 62
    if what.startswith("make-celeba:"):
        _fake_prepared_celeba(Path(folder), int(what.split(":")[1]))
        print(0, 0)
        return
    before = _rss()
    if what == "celeba":
        d = load_dataset("celeba", folder=folder)
    else:
        d = load_dataset("mnist", folder=folder)
        if what == "float":
            d.train_x, d.test_x = as_float(d.train_x), as_float(d.test_x)
    print(_rss() - before, d.train_x.numel() + d.test_x.numel())


def _grown(what: str, folder: Path, env: dict) -> tuple[int, int]:
    out = subprocess.run([sys.executable, "-m", "bench.data_memory", "child", what, str(folder)], check=True,
                         capture_output=True, text=True, cwd=ROOT, env=env).stdout.split()
    return int(out[-2]), int(out[-1])


def run(quick: bool, device: str) -> list[Figure]:
    import os

    from bench.startup import write_mnist_like

    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "XDG_CACHE_HOME": str(Path(tmp) / "cache")}
        mnist = Path(tmp) / "mnist"
        write_mnist_like(mnist)
        kept, pixels = min(_grown("uint8", mnist, env) for _ in range(2))
        floats, _ = min(_grown("float", mnist, env) for _ in range(2))
        figures = [figure("mnist_rss_uint8_vs_float", kept / floats, "x",
                          f"the same 70,000 images as float32: {floats / 2**20:.0f} MiB", "<= 0.35",
                          f"held as uint8: {kept / 2**20:.0f} MiB for {pixels / 2**20:.0f} MiB of pixels")]
        celeba = Path(tmp) / "celeba"
        _grown(f"make-celeba:{8_000 if quick else 20_000}", celeba, env)
        grown, size = _grown("celeba", celeba, env)
        figures.append(figure("mmap_rss_over_data", grown / size, "x",
                              f"{size / 2**20:.0f} MiB of uint8 images in the prepared cache", "<= 0.1",
                              f"resident memory grew {grown / 2**20:.1f} MiB on loading it (memory-mapped)"))
        return figures


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "child":
        child(sys.argv[2], sys.argv[3])
