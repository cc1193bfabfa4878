"""`latentlab codes CKPT --projection pca|tsne --out DIR`: projection.csv beside the codes; a projection that
cannot be made writes nothing; and `latentlab --no-model` without --data is refused."""

import csv

import numpy as np
import pytest

from latentlab.cli import main


@pytest.fixture
def checkpoint(tmp_path):
    rng = np.random.default_rng(0)
    np.save(tmp_path / "v.npy", rng.normal(size=(80, 5)).astype(np.float32))
    out = tmp_path / "m.safetensors"
    assert main(["train", "--data", str(tmp_path / "v.npy"), "--hidden", "8", "--latent-dim", "3", "--epochs", "1",
                 "--out", str(out), "--quiet"]) == 0
    return out


def test_projection_csv_has_every_example_in_the_plane(checkpoint, tmp_path):
    for kind, axis in (("pca", "PC1"), ("tsne", "t-SNE 1")):
        out = tmp_path / kind
        assert main(["codes", str(checkpoint), "--out", str(out), "--trust-data-folder", "--projection", kind]) == 0
        with open(out / "projection.csv") as f:
            rows = list(csv.reader(f))
        assert rows[0][:4] == ["split", "index", "label", "class"] and rows[0][4].startswith(axis)
        assert len(rows) - 1 == len((out / "codes.csv").read_text().splitlines()) - 1 == 80
        assert {r[0] for r in rows[1:]} == {"train", "test"}
        assert all(np.isfinite(float(v)) for r in rows[1:] for v in r[4:])


def test_a_projection_that_fails_is_one_line_and_writes_nothing(checkpoint, tmp_path, monkeypatch, capsys):
    import latentlab.core.projections as projections

    def refuse(*args, **kwargs):
        raise ValueError("UMAP needs at least 5 points, got 3")

    monkeypatch.setattr(projections, "fit_projection", refuse)
    out = tmp_path / "none"
    assert main(["codes", str(checkpoint), "--out", str(out), "--trust-data-folder", "--projection", "umap"]) == 2
    err = capsys.readouterr().err
    assert "cannot project the codes" in err and "Traceback" not in err and not out.exists()


def test_no_model_without_data_is_one_line(capsys):
    assert main(["--no-model"]) == 2
    assert "--no-model goes with --data" in capsys.readouterr().err
