"""`interpolate` and `sample` --out: a .gif interpolation is an animation, one frame a step (as the
interpolation dock's GIF export); the ending and the folder are checked before any work; a failed write
leaves no half file and a file already there as it was."""

import pytest
from PIL import Image

from latentlab.cli import main

RING = "pretrained:dae-ring8"
VAE = "pretrained:vae-mnist5k-2d"


def interpolate(out, *extra, model=RING):
    return main(["interpolate", model, "--from", "0", "--to", "5", "--steps", "6", "--out", str(out), *extra])


def test_a_gif_is_one_frame_a_step_forward_then_back(tmp_path, capsys):
    out = tmp_path / "path.gif"
    assert interpolate(out, "--seconds", "1", model=VAE) == 0
    assert "an animation of 6 frames" in capsys.readouterr().out
    gif = Image.open(out)
    assert gif.n_frames == 6 + 4  # forward, then back without repeating the ends (write_gif bounce)
    assert gif.size == (4 * 32, 4 * 32)  # one 28-px tile with its 2-px padding, drawn x4 (the default scale)
    assert gif.info["loop"] == 0 and gif.info["duration"] == 200  # 1 s from the first of 6 frames to the last


def test_points_animate_the_path_over_the_data_and_a_png_stays_a_strip(tmp_path):
    assert interpolate(tmp_path / "p.gif") == 0
    gif = Image.open(tmp_path / "p.gif")
    assert gif.n_frames == 10 and gif.size == (512, 512)
    assert interpolate(tmp_path / "p.png") == 0
    assert getattr(Image.open(tmp_path / "p.png"), "n_frames", 1) == 1


def test_sample_writes_a_gif_as_one_still_grid(tmp_path):
    assert main(["sample", RING, "--n", "50", "--out", str(tmp_path / "s.gif")]) == 0
    assert getattr(Image.open(tmp_path / "s.gif"), "n_frames", 1) == 1


BAD_OUT = [("missing/x.gif", [], "folder"), ("x.xyz", [], "ends in '.xyz'"), ("noending", [], "has no ending"),
           (".", [], "is a folder")]


@pytest.mark.parametrize("command, name, extra, message",
                         [("interpolate", *case) for case in BAD_OUT] + [("sample", *case) for case in BAD_OUT]
                         + [("interpolate", "x.gif", ["--seconds", "0"], "--seconds must be in [0.2, 20]"),
                            ("interpolate", "x.png", ["--seconds", "3"], "--seconds goes with an animation")])
def test_a_bad_out_is_one_line_before_any_work(tmp_path, capsys, command, name, extra, message):
    args = ["--from", "0", "--to", "5"] if command == "interpolate" else []
    assert main([command, "/nonexistent.safetensors", *args, "--out", str(tmp_path / name), *extra]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err  # not "no such file": out first
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name, command", [("x.gif", "interpolate"), ("x.png", "interpolate"), ("x.png", "sample")])
def test_a_failed_write_leaves_the_file_there_as_it_was(tmp_path, capsys, monkeypatch, name, command):
    out = tmp_path / name
    out.write_bytes(b"the user's picture")

    def fails(image, path, *args, **kwargs):
        with open(path, "wb") as f:
            f.write(b"half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Image.Image, "save", fails)
    code = interpolate(out) if command == "interpolate" else main(["sample", RING, "--out", str(out)])
    assert code == 2
    err = capsys.readouterr().err
    assert f"cannot write {out}" in err and "No space left" in err and err.count("\n") == 1
    assert out.read_bytes() == b"the user's picture" and [p.name for p in tmp_path.iterdir()] == [name]


def test_a_read_only_file_is_not_replaced(tmp_path, capsys, monkeypatch):
    out = tmp_path / "x.gif"
    out.write_bytes(b"kept")
    monkeypatch.setattr("os.access", lambda path, mode: str(path) != str(out))  # as for a non-root user
    assert interpolate(out) == 2
    assert "permission denied" in capsys.readouterr().err and out.read_bytes() == b"kept"
