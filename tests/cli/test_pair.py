"""`latentlab pair`: the walkback comparison pair, headless (the window's Walkback panel runs it too)."""

import json
import subprocess
import sys

import pytest

from latentlab.cli import main
from latentlab.core.checkpoints import load_checkpoint


def test_the_pair_copies_the_checkpoint_but_for_walkback(tmp_path, capsys):
    assert main(["pair", "pretrained:dae-ring8", "--out-dir", str(tmp_path / "pair"), "--epochs", "1",
                 "--walkback", "2", "--walkback-p", "0.5"]) == 0
    like = load_checkpoint(next((tmp_path / "pair").glob("without.safetensors")))
    other = load_checkpoint(tmp_path / "pair" / "with-walkback.safetensors")
    assert like.model.config.walkback == 0 and other.model.config.walkback == 2
    assert other.model.config.walkback_p == 0.5 and other.dataset["name"] == "ring8"
    assert "wrote" in capsys.readouterr().out


@pytest.mark.parametrize("args, message", [
    (["pretrained:vae-mnist5k-2d"], "copies a DAE"),
    (["pretrained:dae-ring8", "--walkback", "0"], "at least 1"),
    (["pretrained:dae-ring8", "--walkback-p", "2"], "[0, 1]"),
    (["pretrained:dae-ring8", "--lr", "-1"], "learning rate"),
    (["nothing-here.safetensors"], "nothing-here"),
])
def test_bad_input_is_one_line_and_status_2(tmp_path, capsys, args, message):
    assert main(["pair", *args, "--out-dir", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


def test_an_out_dir_that_is_a_file_is_refused_and_kept(tmp_path, capsys):
    target = tmp_path / "notes.txt"
    target.write_text("mine")
    assert main(["pair", "pretrained:dae-ring8", "--out-dir", str(target)]) == 2
    assert target.read_text() == "mine" and "not a folder" in capsys.readouterr().err


def test_json_mode_reports_progress_and_stops_when_told(tmp_path):
    process = subprocess.Popen([sys.executable, "-m", "latentlab", "pair", "pretrained:dae-ring8", "--out-dir",
                                str(tmp_path), "--epochs", "1000", "--json"], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1)
    first = json.loads(process.stdout.readline())
    assert first["event"] == "progress" and 0 <= first["fraction"] < 1
    process.stdin.write("stop\n")
    process.stdin.flush()
    events = [json.loads(line) for line in process.stdout]
    assert process.wait(10) == 1 and events[-1]["event"] == "end" and events[-1]["message"]
    assert not list(tmp_path.glob("*.safetensors"))
