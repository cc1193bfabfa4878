"""A wheel built from the repository carries the shipped checkpoints and lessons, and finds them installed."""

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_a_wheel_carries_checkpoints_and_lessons_and_finds_them_once_installed(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", str(ROOT),
                    "-w", str(tmp_path / "dist")], check=True, capture_output=True)
    wheel = next((tmp_path / "dist").glob("latentlab-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    shipped = sorted(p.name for p in (ROOT / "latentlab/resources/checkpoints").iterdir())
    assert all(f"latentlab/resources/checkpoints/{n}" in names for n in shipped) and len(shipped) == 15
    assert sum(n.startswith("latentlab/resources/lessons/") and n.endswith(".md") for n in names) == 7
    assert "latentlab/py.typed" in names
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(wheel)],
                   check=True, capture_output=True)
    probe = ("import latentlab.core.pretrained as p, latentlab.gui.lessons.text as t;"
             "print(p.checkpoint_dir()); print(len(p.read_manifest())); print(len(t.load_lessons()))")
    out = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env={"PYTHONPATH": str(target)},
                         check=True, capture_output=True, text=True).stdout.split()
    assert out[0].startswith(str(target)) and out[1:] == ["14", "7"]
