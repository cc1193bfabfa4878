"""`latentlab train --data PATH`: a model trained on a file or folder of the user's records it, reopens on it,
and the command says what it skipped."""

import csv

import numpy as np
from PIL import Image

from latentlab.cli import main
from latentlab.core.checkpoints import load_checkpoint


def write_table(path, n=60):
    rng = np.random.default_rng(0)
    lines = ["name,f1,f2,f3,kind"] + [f"p{i},{rng.normal()},{rng.normal()},{rng.normal()},{'ab'[i % 2]}"
                                      for i in range(n)]
    path.write_text("\n".join(lines) + "\n")


def test_train_on_a_csv_then_export_codes_with_its_metadata(tmp_path, capsys):
    write_table(tmp_path / "t.csv")
    out = tmp_path / "m.safetensors"
    assert main(["train", "--data", str(tmp_path / "t.csv"), "--hidden", "8", "--epochs", "1", "--out", str(out),
                 "--quiet"]) == 0
    ckpt = load_checkpoint(out)
    assert ckpt.dataset["name"] == "file:t.csv" and ckpt.dataset["folder"] == str((tmp_path / "t.csv").resolve())
    assert ckpt.model.data_shape == (3,)
    assert main(["codes", str(out), "--out", str(tmp_path / "codes")]) == 2  # names a path: trusted only when told
    assert "--trust-data-folder" in capsys.readouterr().err
    assert main(["codes", str(out), "--out", str(tmp_path / "codes"), "--trust-data-folder"]) == 0
    with open(tmp_path / "codes" / "codes.csv") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 60 and rows[0]["name"].startswith("p") and rows[0]["class"] in ("a", "b")


def test_train_on_a_colour_folder_says_what_it_skipped(tmp_path, capsys):
    for cls, colour in (("red", (220, 0, 0)), ("green", (0, 220, 0))):
        (tmp_path / "imgs" / cls).mkdir(parents=True)
        for i in range(5):
            Image.fromarray(np.full((12, 12, 3), colour, np.uint8)).save(tmp_path / "imgs" / cls / f"{i}.png")
    (tmp_path / "imgs" / "red" / "bad.png").write_bytes(b"nope")
    out = tmp_path / "m.safetensors"
    assert main(["train", "--data", str(tmp_path / "imgs"), "--image-size", "8", "--hidden", "8", "--epochs", "1",
                 "--out", str(out), "--quiet"]) == 0
    err = capsys.readouterr().err
    assert "skipped 1 unreadable file(s): bad.png" in err
    ckpt = load_checkpoint(out)
    assert ckpt.model.data_shape == (3, 8, 8) and ckpt.dataset["options"]["channels"] == 3
    assert main(["sample", str(out), "--n", "4", "--out", str(tmp_path / "s.png")]) == 0
    assert Image.open(tmp_path / "s.png").mode == "RGB"
