"""A real X display for end-to-end tests: Xvfb started here, its screen read straight from the
framebuffer file it keeps (-fbdir), and real input events sent with xdotool."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

MISSING = "{} is not installed: scripts/setup.sh installs it (Debian package {})"


def require(program: str, package: str) -> str:
    found = shutil.which(program)
    if found is None:
        raise RuntimeError(MISSING.format(program, package))
    return found


class VirtualScreen:
    """Xvfb on a display number it picks itself (-displayfd), with its framebuffer in a file."""

    def __init__(self, width: int = 1600, height: int = 1000):
        self.fbdir = Path(tempfile.mkdtemp(prefix="latentlab-xvfb-"))
        read, write = os.pipe()
        self.process = subprocess.Popen(
            [require("Xvfb", "xvfb"), "-displayfd", str(write), "-screen", "0", f"{width}x{height}x24",
             "-fbdir", str(self.fbdir), "-nolisten", "tcp"],
            pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(write)
        with os.fdopen(read) as f:
            number = f.readline().strip()
        if not number:
            self.process.kill()
            raise RuntimeError("Xvfb did not start")
        self.display = f":{number}"

    def env(self) -> dict[str, str]:
        return {**os.environ, "DISPLAY": self.display, "QT_QPA_PLATFORM": "xcb"}

    def pixels(self) -> np.ndarray:
        """The whole screen as [H, W, 3] uint8 RGB, read from Xvfb's XWD framebuffer file."""
        raw = (self.fbdir / "Xvfb_screen0").read_bytes()
        (header_size, _, _, depth, width, height, _, byte_order, _, _, _, bits_per_pixel, bytes_per_line,
         *_rest) = struct.unpack(">25I", raw[:100])
        ncolors = struct.unpack(">I", raw[76:80])[0]
        if depth != 24 or bits_per_pixel != 32 or byte_order != 0:
            raise RuntimeError(f"unexpected framebuffer format: depth {depth}, {bits_per_pixel} bpp")
        start = header_size + 12 * ncolors
        rows = np.frombuffer(raw, np.uint8, count=bytes_per_line * height, offset=start)
        bgrx = rows.reshape(height, bytes_per_line // 4, 4)[:, :width]
        return bgrx[..., 2::-1].copy()

    def xdotool(self, *args) -> str:
        done = subprocess.run([require("xdotool", "xdotool"), *map(str, args)], env=self.env(),
                              capture_output=True, text=True, timeout=60)
        if done.returncode != 0:
            raise RuntimeError(f"xdotool {' '.join(map(str, args))}: {done.stderr.strip()}")
        return done.stdout

    def find_window(self, name: str, timeout_s: float = 60) -> str:
        """The id of the first visible window whose title matches `name`, once it is mapped."""
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                return self.xdotool("search", "--onlyvisible", "--name", name).split()[0]
            except (RuntimeError, IndexError):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"no window named {name!r} appeared in {timeout_s:.0f} s") from None
                time.sleep(0.5)

    def geometry(self, window: str) -> tuple[int, int, int, int]:
        """x, y, width, height of a window on the screen."""
        g = dict(line.split("=") for line in self.xdotool("getwindowgeometry", "--shell", window).split())
        return int(g["X"]), int(g["Y"]), int(g["WIDTH"]), int(g["HEIGHT"])

    def click(self, x: int, y: int) -> None:
        self.xdotool("mousemove", "--sync", x, y, "click", 1)

    def key(self, window: str, *keys: str) -> None:
        """Keys typed into `window`, focused first (a bare Xvfb has no window manager to focus it)."""
        self.xdotool("windowfocus", "--sync", window)
        self.xdotool("key", "--clearmodifiers", *keys)

    def close(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.fbdir, ignore_errors=True)
