#!/usr/bin/env bash
# Sets up everything latentlab needs, once: Debian packages for a real Qt window, and .venv/.
# Re-running is cheap: each part is skipped when it is already complete.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages Qt needs for a window (xcb), offscreen rendering (EGL, fontconfig), the e2e test (Xvfb, xdotool)
# and the check that exported SVG renders in librsvg (rsvg-convert).
DEBS="xvfb xauth xdotool libegl1 libgl1 libglib2.0-0 libfontconfig1 libdbus-1-3 libxkbcommon0 libxkbcommon-x11-0
libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render-util0 libxcb-shape0
libxcb-xinerama0 libxcb-xkb1 libxcb-xfixes0 fonts-dejavu-core librsvg2-bin"
if command -v dpkg-query >/dev/null 2>&1; then
  missing=""
  for pkg in $DEBS; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing="$missing $pkg"
  done
  if [ -n "$missing" ]; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    echo "setup: installing Debian packages:$missing"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
  fi
fi

# The Python environment. torch and torchvision are pinned to the release this machine kind serves from disk.
PY=${PYTHON:-$(command -v python3.11 || command -v python3)}
STAMP=.venv/.latentlab-complete
want="$(cat pyproject.toml scripts/setup.sh | sha256sum | cut -d' ' -f1)"
if ! { [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ] && [ -x .venv/bin/python ]; }; then
  echo "setup: creating .venv with $($PY --version)"
  [ -x .venv/bin/python ] || "$PY" -m venv .venv
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q "torch==2.14.1" "torchvision==0.29.1"
  .venv/bin/python -m pip install -q -e ".[test]"
  echo "$want" > "$STAMP"
  echo "setup: done"
fi
# An editable install leaves our own modules uncompiled, and where PYTHONDONTWRITEBYTECODE is set
# every start would compile them again (about 0.2 s): compile them now (quick when up to date).
.venv/bin/python -m compileall -q -j 0 latentlab >/dev/null || true
