"""core/images.py: pictures written whole (a failure leaves what was there), GIF timing."""

import os
import stat

import pytest
from PIL import Image

from latentlab.core.images import save_whole, write_gif


def test_a_failed_write_leaves_the_old_file_and_no_half_file(tmp_path):
    out = tmp_path / "pic.png"
    out.write_bytes(b"old")

    def failing(tmp):
        tmp.write_bytes(b"half")
        raise OSError("disk full")

    with pytest.raises(OSError):
        save_whole(out, failing)
    assert out.read_bytes() == b"old" and os.listdir(tmp_path) == ["pic.png"]


def test_a_replaced_file_keeps_its_permissions(tmp_path):
    out = tmp_path / "pic.png"
    out.write_bytes(b"old")
    out.chmod(0o600)
    save_whole(out, lambda tmp: Image.new("L", (2, 2)).save(tmp))
    assert stat.S_IMODE(out.stat().st_mode) == 0o600 and Image.open(out).size == (2, 2)


def test_a_bouncing_gif_takes_its_seconds_from_the_first_frame_to_the_last(tmp_path):
    frames = [Image.new("L", (2, 2), color=c) for c in (0, 60, 120, 180, 240)]
    write_gif(frames, tmp_path / "a.gif", seconds=2.0, bounce=True)
    gif = Image.open(tmp_path / "a.gif")
    assert gif.n_frames == 8 and gif.info["duration"] == 500  # 4 intervals one way, as many back
