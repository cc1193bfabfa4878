#!/usr/bin/env bash
# Set up (if needed) and open latentlab on its built-in default. Extra arguments go to `latentlab`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "run: no display found, so the window opens on a virtual Xvfb screen (set DISPLAY to see it)" >&2
  exec xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/latentlab "$@"
fi
exec .venv/bin/latentlab "$@"
