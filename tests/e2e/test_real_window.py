"""The installed `latentlab`, in a real X window under Xvfb, driven by real input events (xdotool):
train a few steps from the keyboard, click in the latent scatter, and read the decoded digit back
from the screen, then check it against the model's own decodes."""

import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from scipy import ndimage

from latentlab.core.checkpoints import load_checkpoint
from latentlab.core.pretrained import shipped_path

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Xvfb is a Linux X server")


def latentlab_command() -> list[str]:
    """The console script pip installed next to this Python (what a user runs), else the module."""
    script = Path(sys.executable).with_name("latentlab")
    return [str(script)] if script.exists() else [sys.executable, "-m", "latentlab"]


def longest_run(flags: np.ndarray) -> tuple[int, int]:
    """Start and end (exclusive) of the longest run of True."""
    best, start = (0, 0), None
    for i, f in enumerate([*flags, False]):
        if f and start is None:
            start = i
        elif not f and start is not None:
            best = max(best, (start, i), key=lambda r: r[1] - r[0])
            start = None
    return best


def scatter_area(screen: np.ndarray) -> tuple[int, int, int, int] | None:
    """x0, y0, x1, y1 of the latent scatter: the widest block of columns that are mostly white plot
    background (the loss curves, also white, are narrower and shorter)."""
    white = (screen >= 250).all(axis=2)
    x0, x1 = longest_run(white.mean(axis=0) > 0.35)
    if x1 - x0 < 200:
        return None
    y0, y1 = longest_run(white[:, x0:x1].mean(axis=1) > 0.5)
    return (x0, y0, x1, y1) if y1 - y0 > 200 else None


def wait_for(condition, timeout_s: float, what: str):
    deadline = time.monotonic() + timeout_s
    while (value := condition()) is None or value is False:
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s:.0f} s waiting for {what}")
        time.sleep(0.25)
    return value


def decoded_image(before: np.ndarray, after: np.ndarray, right_of: int) -> np.ndarray | None:
    """The decoder view's new image, as grey levels in [0, 1] at 28 x 28: the largest dark patch (the
    digit's black surround) among the pixels that changed right of the scatter. (The hovered
    example's small images below it change too.)"""
    changed = (before[:, right_of:] != after[:, right_of:]).any(axis=2)
    dark = changed & (after[:, right_of:] < 40).all(axis=2)
    patches, n = ndimage.label(dark)
    if n == 0:
        return None
    largest = 1 + int(np.argmax(ndimage.sum_labels(dark, patches, range(1, n + 1))))
    ys, xs = np.nonzero(patches == largest)
    if len(ys) < 400:
        return None
    crop = after[ys.min():ys.max() + 1, right_of + xs.min():right_of + xs.max() + 1]
    grey = Image.fromarray(crop).convert("L").resize((28, 28), Image.Resampling.BOX)
    return np.asarray(grey, dtype=np.float32) / 255


def best_match(image: np.ndarray, model) -> float:
    """Highest correlation between `image` and the model's decodes over a grid of latent points."""
    axis = torch.arange(-6, 6.01, 0.1)
    grid = torch.cartesian_prod(axis, axis)
    with torch.no_grad():
        decodes = torch.cat([model.decode(z) for z in grid.split(4096)]).reshape(len(grid), -1).numpy()
    a = image.reshape(-1) - image.mean()
    b = decodes - decodes.mean(axis=1, keepdims=True)
    corr = b @ a / (np.linalg.norm(b, axis=1) * np.linalg.norm(a) + 1e-12)
    return float(corr.max())


def open_a_copy_of_the_vae(screen, tmp_path) -> tuple[Path, int, subprocess.Popen]:
    """The installed application on a copy of the shipped 2-D VAE: the copy, its step, the process."""
    checkpoint = tmp_path / "vae.safetensors"
    shutil.copy(shipped_path("vae-mnist5k-2d"), checkpoint)
    env = {**screen.env(), "LATENTLAB_SETTINGS": str(tmp_path / "settings.ini")}
    app = subprocess.Popen([*latentlab_command(), "--checkpoint", str(checkpoint)], env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return checkpoint, load_checkpoint(checkpoint).step, app


def test_train_click_and_see_a_decoded_digit_in_a_real_window(screen, tmp_path):
    checkpoint, shipped_step, app = open_a_copy_of_the_vae(screen, tmp_path)
    try:
        window = screen.find_window("latentlab")
        wait_for(lambda: scatter_area(screen.pixels()), 90, "the latent scatter to be painted")

        screen.key(window, "ctrl+Return")  # Training > Start
        time.sleep(3)
        screen.key(window, "ctrl+period")  # Training > Stop
        time.sleep(2)  # the last snapshot reaches the scatter

        # (a frame caught mid-repaint, as the last snapshot lands, can lack the plot's white: look again)
        x0, y0, x1, y1 = wait_for(lambda: scatter_area(screen.pixels()), 20, "the scatter after training")
        before = screen.pixels()
        screen.click((x0 + x1) // 2, (y0 + y1) // 2)
        image = wait_for(lambda: decoded_image(before, screen.pixels(), x1), 20, "the decoder view to change")
        Image.fromarray((image * 255).astype(np.uint8)).resize((140, 140)).save(tmp_path / "decoded.png")

        modified = checkpoint.stat().st_mtime_ns
        screen.key(window, "ctrl+s")  # File > Save: the trained weights, to compare with the screen
        wait_for(lambda: checkpoint.stat().st_mtime_ns != modified, 30, "the checkpoint to be saved")
        screen.key(window, "ctrl+q")
        assert app.wait(60) == 0, app.stdout.read()
    finally:
        if app.poll() is None:
            app.kill()
            app.wait()

    trained = load_checkpoint(checkpoint)
    assert trained.step > shipped_step, "Ctrl+Return did not train"
    assert image.std() > 0.1, "the decoder view is blank"
    strokes = (image > image.max() / 2).mean()  # a 2-D VAE's digits are blurred grey strokes on black
    assert 0.05 < strokes < 0.5, f"{strokes:.0%} of the decoded image is stroke: not a digit"
    assert best_match(image, trained.model) > 0.95, "what the screen shows is not a decode of the model"
    noise = np.random.default_rng(0).random(image.shape).astype(np.float32)
    assert best_match(noise, trained.model) < 0.5  # the comparison can tell a digit from noise
