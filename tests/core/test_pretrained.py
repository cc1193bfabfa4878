"""The shipped checkpoints: every file loads, matches its manifest entry and reproduces its test metrics."""

import json
import shutil
from pathlib import Path

import pytest

from latentlab.cli import main
from latentlab.core import pretrained
from latentlab.core.checkpoints import load_checkpoint

ENTRIES = pretrained.read_manifest()
FAMILIES = {"autoencoder", "vae", "mmdvae", "swae", "dae", "mmdnet", "gmmn_ae"}


def test_the_manifest_covers_every_family_and_the_lecture_s_pictures():
    names = {e.name for e in ENTRIES}
    assert {e.flag("--model") for e in ENTRIES} == FAMILIES
    assert {"vae-beta0-mnist5k-2d", "vae-klonly-mnist5k-2d", "vae-mnist5k-16d", "dae-ring8",
            "dae-walkback-ring8", "dae-mnist5k", "dae-walkback-mnist5k", "mmdnet-ring8", "gmmn-ae-mnist5k"} <= names
    assert sum(e.bytes for e in ENTRIES) < 6_000_000  # "a few MB"
    assert sum(p.stat().st_size for p in pretrained.checkpoint_dir().glob("*.safetensors")) == sum(
        e.bytes for e in ENTRIES)  # no file the manifest does not list


@pytest.mark.parametrize("entry", ENTRIES, ids=[e.name for e in ENTRIES])
def test_each_shipped_checkpoint_is_as_its_manifest_records(entry):
    assert entry.metrics, "regenerate records the test metrics"
    assert pretrained.verify(entry) == []
    ckpt = load_checkpoint(entry.path())
    assert ckpt.optimizer_state is None and ckpt.meta["stored_as"] == "float16"


def test_verify_notices_a_changed_file_and_a_wrong_metric(tmp_path):
    entry = pretrained.find("dae-ring8")
    shutil.copy(entry.path(), tmp_path / entry.file_name)
    changed = pretrained.Pretrained(**{**entry.__dict__, "metrics": {"total": entry.metrics["total"] + 1.0}})
    problems = pretrained.verify(changed, tmp_path)
    assert any("manifest records" in p for p in problems)
    (tmp_path / entry.file_name).write_bytes(b"not a checkpoint")
    assert any("sha256" in p for p in pretrained.verify(entry, tmp_path))


def test_regenerating_an_entry_reproduces_its_recorded_metrics(tmp_path, monkeypatch):
    """The regenerate path itself, on the cheapest entry: same command, same metrics (not the same bytes:
    float rounding may differ between machines)."""
    entry = pretrained.find("dae-ring8")
    monkeypatch.setenv(pretrained.CHECKPOINTS_ENV, str(tmp_path))
    (tmp_path / pretrained.MANIFEST).write_text(json.dumps({"checkpoints": [{**entry.__dict__, "metrics": {}}]}))
    assert main(["pretrained", "regenerate", "dae-ring8"]) == 0
    again = pretrained.read_manifest()[0]
    assert (tmp_path / entry.file_name).stat().st_size == again.bytes
    for k, v in entry.metrics.items():
        assert again.metrics[k] == pytest.approx(v, rel=0.05, abs=0.05)
    assert main(["pretrained", "verify"]) == 0


def test_the_cli_lists_and_refuses_unknown_names(capsys):
    assert main(["pretrained", "list"]) == 0
    assert "vae-mnist5k-2d" in capsys.readouterr().out
    assert main(["pretrained", "verify", "no-such-model"]) == 2
    assert "no pretrained checkpoint named 'no-such-model'" in capsys.readouterr().err


def test_a_bare_shipped_name_resolves_unless_a_file_of_that_name_exists(tmp_path, monkeypatch):
    from latentlab.core.pretrained import resolve, shipped_path

    assert resolve("vae-mnist5k-2d") == shipped_path("vae-mnist5k-2d")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "vae-mnist5k-2d").write_bytes(b"")  # the user's own file wins
    assert resolve("vae-mnist5k-2d") == Path("vae-mnist5k-2d")
    assert resolve("no-such-name") == Path("no-such-name")
