"""`latentlab interpolate` and `latentlab mmd`: the strips are the model's decodes, and the test tells
same from different distributions."""

import pytest
import torch
from PIL import Image

from latentlab import handouts
from latentlab.cli import main
from latentlab.core.checkpoints import load_checkpoint
from latentlab.core.pretrained import shipped_path
from latentlab.core.recipes import dataset_from_record


def test_the_strip_is_the_decoded_straight_line_between_the_two_codes(tmp_path):
    path = shipped_path("vae-mnist5k-2d")
    frames, backdrop = handouts.interpolate(path, 3, 17, 10, originals=True)
    ckpt = load_checkpoint(path)
    data = dataset_from_record(ckpt.dataset)
    with torch.no_grad():
        z = ckpt.model.encode(data.floats("train", [3, 17]))
        step_4 = ckpt.model.decode((z[0] + (z[1] - z[0]) * 4 / 9)[None])  # t = 4/9 of the way
    assert frames.shape == (12, 1, 28, 28) and backdrop is None
    assert torch.equal(frames[0], data.floats("train", [3])[0]) and torch.equal(frames[-1], data.floats("train", [17])[0])
    assert torch.allclose(frames[5], step_4[0], atol=1e-5)  # frames[0] is example 3 itself

    out = tmp_path / "strip.png"
    assert main(["interpolate", str(path), "--from", "3", "--to", "17", "--steps", "10", "--out", str(out)]) == 0
    assert Image.open(out).size == (4 * (10 * 30 + 2), 4 * 32)  # one row of 28-px tiles, 2-px padding, x4
    assert main(["interpolate", str(path), "--from", "3", "--to", "17", "--steps", "10", "--scale", "1",
                 "--out", str(out)]) == 0
    assert Image.open(out).size == (10 * 30 + 2, 32)


def test_points_are_drawn_over_the_data(tmp_path):
    out = tmp_path / "path.png"
    assert main(["interpolate", str(shipped_path("dae-ring8")), "--from", "0", "--to", "5", "--steps", "20",
                 "--path", "slerp", "--out", str(out)]) == 0
    assert Image.open(out).size == (512, 512)


def test_mmd_tells_same_from_different_and_prints_statistic_and_p(capsys):
    assert main(["mmd", "mnist5k", "mnist5k:test", "--n", "300", "--permutations", "200"]) == 0
    same = capsys.readouterr().out
    assert "300 training examples of mnist5k" in same and "300 held-out examples" in same
    p_same = float(same.split("p = ")[1].split()[0])
    assert p_same > 0.05 and "not told apart" in same

    assert main(["mmd", str(shipped_path("vae-klonly-mnist5k-2d")), "mnist5k:test", "--n", "300",
                 "--permutations", "200"]) == 0
    different = capsys.readouterr().out
    assert "samples of vae-klonly-mnist5k-2d.safetensors" in different
    assert float(different.split("p = ")[1].split()[0]) < 0.01 and "differ at the 5% level" in different
    assert float(different.split("= ")[1].split()[0]) > 10 * abs(float(same.split("= ")[1].split()[0]))


def test_the_permutation_test_matches_the_core_one():
    a = handouts.sample_set("ring8", 200, 0)
    b = handouts.sample_set("ring8:test", 200, 1)
    report = handouts.compare(a, b, permutations=100, seed=4)
    assert report.result.n_permutations == 100 and 0 <= report.result.p_value <= 1
    assert report.sigma > 0 and report.kernel == "gaussian"


@pytest.mark.parametrize("args,message", [
    (["interpolate", "/nonexistent.safetensors", "--from", "0", "--to", "1", "--out", "x.png"], "no such file"),
    (["interpolate", "CKPT:mmdnet-ring8", "--from", "0", "--to", "1", "--out", "x.png"], "encoder"),
    (["interpolate", "CKPT:vae-mnist5k-2d", "--from", "0", "--to", "99999", "--out", "x.png"], "0 to 4499"),
    (["interpolate", "CKPT:vae-mnist5k-2d", "--from", "0", "--to", "1", "--steps", "1", "--out", "x.png"],
     "at least 2"),
    (["interpolate", "CKPT:vae-mnist5k-2d", "--from", "0", "--to", "1", "--path", "zigzag", "--out", "x.png"],
     "unknown path"),
    (["interpolate", "CKPT:vae-mnist5k-2d", "--from", "0", "--to", "1", "--out", "/nonexistent/x.png"],
     "cannot write"),
    (["mmd", "mnist5k", "ring8"], "hold different things"),
    (["mmd", "missing.safetensors", "ring8"], "no such checkpoint file"),
    (["mmd", "ring8:valid", "ring8"], "train or test"),
    (["mmd", "ring8:test", "ring8", "--n", "5000"], "at most that many"),
    (["mmd", "CKPT:mmdnet-ring8", "ring8", "--bandwidth", "-1"], "positive"),
    (["mmd", "cifar", "ring8"], "unknown dataset"),
])
def test_mistakes_are_one_line(args, message, capsys):
    args = [str(shipped_path(a[5:])) if a.startswith("CKPT:") else a for a in args]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and err.count("\n") == 1


def test_codes_for_the_projector_from_the_command_line(tmp_path, capsys):
    assert main(["codes", str(shipped_path("ae-mnist5k-2d")), "--out", str(tmp_path)]) == 0
    assert "wrote 5000 codes of mnist5k" in capsys.readouterr().out
    assert len((tmp_path / "vectors.tsv").read_text().splitlines()) == 5000
    assert main(["codes", str(shipped_path("mmdnet-ring8")), "--out", str(tmp_path)]) == 2
    assert "no encoder" in capsys.readouterr().err
